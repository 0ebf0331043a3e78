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

mail-past-due-subject = Invoice { $number } is past due
mail-past-due-text = Invoice { $number } of { $account } for { $amount } was due on { $due } and has not been paid. You can pay it with a card in Faktura.
mail-expiring-subject = A card on { $profile } expires soon
mail-expiring-text = The card { $card } on the billing profile { $profile } of { $account } is valid through { $expiry }. Add a new card, or replace it, so that invoices can still be paid with it.
mail-webhook-disabled-subject = A webhook of { $account } was turned off
mail-webhook-disabled-text = Every delivery to { $url } failed for three days, so Faktura has stopped sending to it. Check the endpoint's delivery log, fix the receiver, then add the endpoint again.
event-webhook-disabled = Webhook turned off
