## E-mail notifications: subject and text of each kind, in plain text (the HTML part is made
## from the same text).

mail-greeting = Hello,
mail-signature = Faktura, on behalf of { $seller }
mail-footer = You get this e-mail because of your role on the billing account { $account } or because the billing profile names this address as its invoice recipient.

mail-receipt-subject = Receipt: invoice { $number } is paid
mail-receipt-text = We received { $amount } for invoice { $number } of { $account }. The receipt is attached as a PDF.
mail-receipt-card = Paid with { $card }.

mail-declined-subject = Payment of invoice { $number } failed
mail-declined-text = The payment of { $amount } for invoice { $number } of { $account } did not go through: { $reason } The invoice is still due on { $due }.

mail-issued-subject = New invoice { $number }: { $amount } due on { $due }
mail-issued-text = Invoice { $number } for { $account } ({ $profile }) has been issued: { $amount }, due on { $due }. The invoice is attached as a PDF.

mail-granted-subject = You have a role on { $account }
mail-granted-text = You were given the role { $role } on the billing account { $account } in Faktura.

mail-open-link = Open it in Faktura: { $link }

## Webhooks (Settings › Webhooks)

nav-webhooks = Webhooks
action-manage-webhooks = manage webhooks (it needs the billing account owner role)
webhooks-intro = Faktura tells your other systems what happened: it posts each event you choose to your address, signed after the Standard Webhooks specification, and tries again when your system does not answer with 2xx.
webhooks-new = Add an endpoint
webhooks-url = Endpoint URL
webhooks-events = Events
webhooks-events-hint = Choose none to receive every event.
webhooks-create = Add endpoint
webhooks-yours = Endpoints
webhooks-none = No endpoints yet.
webhooks-all-events = All events
webhooks-enabled = Enabled
webhooks-disabled = Disabled: { $reason }
webhooks-secret-once = The signing secret, shown only now: copy it into the receiving system to verify the signatures.
webhooks-rotated = A new signing secret, shown only now. The previous one keeps signing beside it for 24 hours.
webhooks-endpoint = Webhook endpoint
webhooks-back = Back to webhooks
webhooks-rotate = Rotate secret
webhooks-delete = Remove endpoint
webhooks-log = Delivery log
webhooks-log-empty = Nothing has been sent to this endpoint yet.
webhooks-attempt = Attempt
webhooks-http-status = HTTP status
webhooks-latency = Duration
webhooks-response = Answer
webhooks-resend = Send again
webhooks-no-answer = no answer
webhooks-delivery-pending = Will be tried again
webhooks-delivery-delivered = Delivered
webhooks-delivery-failed = Failed
webhooks-error-url = Enter an http:// or https:// address with a host name.
webhooks-error-unresolvable = That host name does not resolve.
webhooks-error-internal = That address is inside this network (loopback, private or link-local), which webhooks may not reach.
webhooks-error-event = Choose events from the list.
webhooks-error-too-many = This account has the most endpoints it may have (20). Remove one first.
event-invoice-issued = Invoice issued
event-invoice-paid = Invoice paid
event-invoice-past-due = Invoice past due
event-payment-method-expiring = Card expiring
event-payment-method-expired = Card expired

mail-past-due-subject = Invoice { $number } is past due
mail-past-due-text = Invoice { $number } of { $account } for { $amount } was due on { $due } and has not been paid. You can pay it with a card in Faktura.
mail-expiring-subject = A card on { $profile } expires soon
mail-expired-subject = A card on { $profile } has expired
mail-expired-text = The card { $card } on the billing profile { $profile } of { $account } was valid through { $expiry } and can no longer be charged. Add a new card, or replace it, so that invoices can be paid by card.
mail-expiring-text = The card { $card } on the billing profile { $profile } of { $account } is valid through { $expiry }. Add a new card, or replace it, so that invoices can still be paid with it.
mail-webhook-disabled-subject = A webhook of { $account } was turned off
mail-webhook-disabled-text = Every delivery to { $url } failed for three days, so Faktura has stopped sending to it. Check the endpoint's delivery log, fix the receiver, then add the endpoint again.
event-webhook-disabled = Webhook turned off
mail-due-soon-subject = Invoice { $number } is due on { $due }
mail-due-soon-text = Invoice { $number } of { $account } for { $amount } is due on { $due } and has not been paid yet. You can pay it with a card in Faktura.
mail-card-added-subject = A card was added to { $profile }
mail-card-added-text = { $who } added the card { $card } to the billing profile { $profile } of { $account }.
mail-card-added-someone = Someone
mail-card-added-check = If you do not know of this, check the profile's payment methods and the activity log.
mail-support-subject = Your support request “{ $subject }”: { $status }
mail-support-text = Your support request “{ $subject }” of { $filed } is now: { $status }.
mail-footer-support = You get this e-mail because you filed this support request and gave this address for replies.
mail-invitation-subject = You are invited to { $account } in Faktura
mail-invitation-text = { $inviter } invited you to the billing account { $account } in Faktura as { $email }.
mail-invitation-link = Open the link to choose your password. It works once, until { $until }.
mail-footer-invitation = If you did not expect this invitation, ignore this e-mail: nobody can use the invitation without this link.

## Notifications (user menu › Notifications)

notifications-title = Notifications
notifications-intro = Choose which e-mails Faktura sends you. They go to { $email }, in the language you chose.
notifications-topic = Notification
notifications-email = E-mail
notifications-save = Save
notifications-saved = Your notification settings are saved.
notifications-default-on = On unless you switch it off
notifications-default-off = Off unless you switch it on
notifications-recipient-note = The invoice recipient that each billing profile names gets its invoices, reminders and receipts whatever you choose here; change it on the profile's Properties.
topic-receipts = Receipts for payments you make
topic-receipts-hint = With the receipt PDF.
topic-payment_failed = A payment you made failed
topic-payment_failed-hint = With the reason, so that you can try again.
topic-invoice_issued = New invoices
topic-invoice_issued-hint = On the billing profiles you can see, with the invoice PDF.
topic-invoice_due_soon = Invoices due soon
topic-invoice_due_soon-hint = A few days before the due date of unpaid invoices you may pay.
topic-invoice_past_due = Invoices past due
topic-invoice_past_due-hint = The day after the due date of unpaid invoices you may pay.
topic-card_expiring = Cards about to expire
topic-card_expiring-hint = On the billing profiles whose payment methods you manage.
topic-card_added = Cards added by others
topic-card_added-hint = On the billing profiles whose payment methods you manage.
topic-webhook_disabled = Webhooks turned off
topic-webhook_disabled-hint = When an endpoint of an account you own failed for three days.
topic-support_updates = Your support requests
topic-support_updates-hint = When one you filed changes status.
topic-access = Roles given to you
topic-access-hint = Always sent, so that you know what you may do and can react if you should not.
event-invoice-due-soon = Invoice due soon

## Refunds (issue 15)
mail-refund-subject = Refund: { $amount } for invoice { $number }
mail-refund-text = We refunded { $amount } of your payment for invoice { $number } of { $account } to the card it was paid with.
mail-refund-credit-note = Credit note { $credit_note } is attached as a PDF.
