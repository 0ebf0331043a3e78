# Payment methods, properties, access control, activity log, documents (en-US)

## Left pane
nav-payment-methods = Payment methods
nav-section-settings = Settings
nav-properties = Properties
nav-access = Access control (IAM)
nav-activity = Activity log

## Roles and refusals
role-BillingAccountOwner = Billing account owner
role-BillingAccountContributor = Billing account contributor
role-BillingAccountReader = Billing account reader
role-BillingProfileOwner = Billing profile owner
role-BillingProfileContributor = Billing profile contributor
role-BillingProfileReader = Billing profile reader
role-InvoiceManager = Invoice manager
iam-account-admin = Account administrator
iam-no-role = no role
refused-because-role = Your role here ({ $roles }) doesn't allow you to { $action }. Ask a billing account owner or the account administrator for a role that does.
action-manage-payment-methods = add, change or detach payment methods
action-pay = pay invoices
action-edit-properties = edit the billing profile's properties
action-view-activity = see the activity log (it needs an owner or contributor role)
action-grant = grant or remove access

## Payment methods
methods-col-card = Card
methods-col-expiry = Expires
methods-col-holder = Cardholder
methods-empty = This billing profile has no payment methods yet.
methods-expiring-soon = Expires soon
methods-set-default = Set as default
methods-replace = Replace
methods-detach = Detach
methods-detach-confirm-heading = Detach { $card }?
methods-detach-confirm-text = { $card } is removed from { $profile } and can no longer pay its invoices.
methods-add = Add
methods-replace-heading = Replace { $card }
methods-replace-explained = The new card becomes the default payment method in the same step. The old card stays until you detach it.
methods-read-only = You can see the payment methods, but your role ({ $roles }) doesn't allow you to change them.
methods-done-added = The card was added.
methods-done-default = The default payment method was changed.
methods-done-replaced = The new card was added and set as default.
methods-done-detached = The card was detached.
methods-done-setup-failed = The card wasn't added: 3-D Secure authentication failed.
methods-card-refused = The card wasn't added: { $reason }
methods-gateway-unavailable = The card couldn't be checked right now. Nothing was saved; try again in a moment.
methods-replace-gone = The card you wanted to replace is no longer attached. Nothing was changed.
methods-done-setup-waiting = The card wasn't added: the bank's check wasn't finished. Try again.
detach-refused-default = This card can't be detached: it's the default payment method of a billing profile with { $n ->
        [one] an unpaid invoice
       *[other] { $count } unpaid invoices
    }. Set another card as default first, or pay the invoices.
detach-refused-last-card = This card can't be detached: it's the last payment method of a pay-as-you-go account, which must always have one. Add another card first.
detach-refused-in-use = This card can't be detached while a payment with it is being processed. Try again when the payment is finished.

## Card entry with Stripe (Stripe.js Elements)
elements-card-label = Card details
elements-card-secure = The card details go straight to Stripe, our payment provider. Faktura never sees them.
elements-needs-js = Card details are entered in Stripe's secure card field, which needs JavaScript. Turn JavaScript on in your browser to enter a card.
elements-unavailable = The card field can't be loaded right now. Nothing was saved; try again in a moment.
elements-check-card = Check the card details.
elements-not-confirmed = The new card wasn't confirmed. Enter it again, or choose a saved card.
pay-new-card-needs-manager = To pay with a new card, someone who may manage this billing profile's payment methods must add it first.
authenticate-text = Your bank asks you to confirm the payment of { $amount } for invoice { $number }. Follow the steps your bank shows.
authenticate-settle-text = Your bank asks you to confirm the payment of { $amount } for the balance. Follow the steps your bank shows.
authenticate-needs-js = Confirming the payment with your bank needs JavaScript. Turn JavaScript on and reload this page.
authenticate-continue = Check the payment

## Settle balance
settle-balance = Settle balance
settle-banner = You have { $n ->
        [one] a past due invoice
       *[other] { $count } past due invoices
    }. Settle the balance of { $amount } to pay all outstanding invoices at once.
settle-explained = All outstanding invoices of the account are paid in one payment. Either all of them are paid, or none is.
settle-total = Total to pay
settle-pay-total = Pay { $amount }
settle-nothing = There is nothing to settle: no invoice is outstanding.
settle-not-payg = Settle balance is for pay-as-you-go accounts. Pay this account's invoices one at a time with Pay now.
settle-mixed-currencies = The outstanding invoices are in more than one currency, so they can't be paid in one payment. Pay them one at a time.
settle-payment-open = A payment for one of the invoices is already being processed. Wait for it to finish, then try again.
settle-succeeded-title = Balance settled
settle-succeeded-text = { $amount } was paid. { $n ->
        [one] The invoice is
       *[other] All { $count } invoices are
    } now paid.
settle-failed-title = The balance wasn't settled

## Properties
properties-account = Billing account
properties-display-name = Name
properties-id = ID
properties-country = Country
properties-sold-to = Sold-to address
properties-account-admin = Account administrator
properties-profile = Billing profile: { $name }
properties-currency = Currency
properties-bill-to = Bill-to address
properties-invoice-email = Invoice email
properties-default-method = Default payment method
properties-none = None
properties-edit = Edit address and invoice email
properties-company = Company
properties-line1 = Address line 1
properties-line2 = Address line 2
properties-postal-code = Postal code
properties-city = City
properties-region = State or region
properties-country-code = Country (2 letters, e.g. DK)
properties-save = Save
properties-saved = Saved. The change is recorded in the activity log.
properties-error-required = This field is required.
properties-error-too-long = Use at most { $max } characters.
properties-error-country = Enter a two-letter country code, such as DK or US.
properties-error-email = Enter a valid email address, such as ap@example.com.
properties-po-number = Purchase order number
properties-po-number-hint = Printed on the invoices issued from now on (at most 50 characters). Leave it empty to print none. Invoices already issued keep theirs.
properties-save-po-number = Save purchase order number
properties-error-po-printable = Use letters, digits, spaces and punctuation only: no line breaks, tabs or invisible characters.
properties-edit-sold-to = Edit sold-to address
properties-sold-to-country = Country: { $country }. The country of a billing account cannot be changed here.
action-edit-sold-to = edit the billing account's sold-to address
account-status-Active = Active
account-status-Disabled = Disabled
account-status-UnderReview = Under review
profile-status-Active = Active
profile-status-Disabled = Disabled
profile-status-Warned = Warned
profile-status-UnderReview = Under review
profile-status-with-reason = { $status } ({ $reason })
profile-reason-PastDue = Past due
profile-reason-UnusualActivity = Unusual activity
profile-reason-SpendingLimitReached = Spending limit reached

## Access control (IAM)
iam-what-you-may-do = What you may do here
iam-your-roles = Your roles: { $roles }. Scope: { $scope }.
iam-yes = yes
iam-no = no
iam-can-view = View invoices
iam-can-pay = Pay invoices
iam-can-view-methods = View payment methods
iam-can-manage-methods = Manage payment methods
iam-can-grant = Grant access
iam-can-activity = View the activity log
iam-can-edit = Edit properties
iam-pay-note-role = Pay now isn't shown to you because your role ({ $roles }) can view invoices but not pay them.
iam-pay-note-wire = This agreement pays by wire transfer, so there is no Pay now.
iam-pay-note-settle = On a pay-as-you-go account, past due invoices are paid together with Settle balance.
iam-pay-note-choose-profile = Your roles are on billing profiles: choose a billing profile above to see what you may do there.
iam-assignments = Role assignments
iam-col-user = User
iam-col-role = Role
iam-choose-role = Choose a role
iam-roles-account = Billing account roles
iam-roles-profile = Billing profile roles
iam-col-scope = Scope
iam-admin-keeps = Keeps the account
iam-remove = Remove
iam-add-heading = Add a role assignment
iam-add = Add
iam-email = Email
iam-role-scope-hint = Billing account roles apply to the whole account; billing profile roles and invoice manager apply to one billing profile.
iam-done-added = The role was added.
iam-done-removed = The role assignment was removed.
iam-error-email = Enter a valid email address.
iam-invite-sent = An invitation was sent to { $email }. Only the owner of that mailbox can accept it: the link in the e-mail sets their password and works once, until { $date }.
iam-error-email-invisible = This email address contains invisible or text-direction characters. Type the address again without them.
iam-error-email-lookalike = Use an email address with plain letters (a–z, digits, . _ + -) before the @: letters from other alphabets can pass for another address.
iam-error-role = Choose a role.
iam-error-already = This user already has that role at that scope.
iam-error-scope = That billing profile doesn't exist.
iam-error-role-scope = That role doesn't fit the scope: choose a billing account role for the account, or a billing profile role or invoice manager for a billing profile.
iam-error-last-owner = The last billing account owner can't be removed. Add another owner first.

## Invitations
invite-title = Set your password
invite-intro = You were invited to { $account } as { $email }. Choose a password to finish.
invite-password = New password
invite-confirm = Repeat the password
invite-submit = Set password
invite-done = Your password is set. Sign in as { $email }.
invite-unknown = This link isn't valid. Ask the person who invited you for a new one.
invite-expired = This link has expired. Ask the person who invited you for a new one.
invite-used = This link was already used. Sign in with your password.
invite-revoked = This link no longer works: a newer invitation was sent to this address, or the role was removed. Use the link in the latest invitation e-mail.
invite-too-short = Use at least { $min } characters.
invite-too-long = The password is too long.
invite-mismatch = The two passwords differ.

## Activity log
activity-kind = Kind
activity-kind-all = All activity
activity-kind-auth = Sign-ins
activity-kind-payments = Payments
activity-kind-settlements = Settle balance
activity-kind-methods = Payment methods
activity-kind-roles = Role assignments
activity-kind-properties = Properties
activity-period-24h = Last 24 hours
activity-period-7d = Last 7 days
activity-period-30d = Last 30 days
activity-period-90d = Last 90 days
activity-period-all = All time
activity-empty = No activity matches the filter.
activity-col-time = Time
activity-col-event = Event
activity-col-actor = By
activity-col-ip = IP address
activity-col-target = Target
activity-col-details = Details
activity-system = Faktura
event-auth-sign-in = Signed in
event-auth-sign-in-failed = Sign-in failed
event-auth-invitation-accepted = Invitation accepted
event-payment-attempted = Payment started
event-payment-processing = Payment processing
event-payment-succeeded = Payment succeeded
event-payment-failed = Payment failed
event-payment-requires-action = Payment waiting for 3-D Secure
event-payment-unknown = Payment outcome unknown
event-settlement-attempted = Settle balance started
event-settlement-succeeded = Balance settled
event-settlement-failed = Settle balance failed
event-settlement-requires-action = Settle balance waiting for 3-D Secure
event-settlement-unknown = Settle balance outcome unknown
event-payment-method-added = Card added
event-payment-method-default-set = Default card set
event-payment-method-replaced = Card replaced
event-payment-method-detached = Card detached
event-payment-method-setup-failed = Card not added (3-D Secure failed)
event-payment-method-updated = Card details updated by the card network
event-role-granted = Role added
event-role-removed = Role removed
event-invitation-created = Invitation created
event-properties-updated = Properties changed

## Documents
download = Download
download-invoice-label = Download invoice { $number } (PDF)
receipt = Receipt
pdf-invoice-title = Invoice
pdf-invoice-file = invoice
invoices-zip-file = invoices
invoices-download-selected = Download selected
invoices-download-hint = Select up to { $max } invoices to download their PDFs in one ZIP file.
invoices-select-label = Select invoice { $number }
col-select = Select
invoices-download-refused = The invoices could not be downloaded
invoices-download-none = Select at least one invoice to download.
invoices-download-too-many = You can download at most { $max } invoices at once, and { $count } were selected. Select fewer and try again.
invoices-download-not-found = Invoice { $invoice } was not found, or you do not have access to it. Nothing was downloaded.
pdf-po-number = PO number: { $number }
pdf-receipt-title = Receipt
pdf-receipt-file = receipt
pdf-seller = Seller
pdf-customer = Customer
pdf-wire-heading = Pay by wire transfer
pdf-wire-reference-note = Use the invoice number { $number } as the payment reference.
pdf-receipt-intro = { $seller } confirms that this payment was received.
pdf-receipt-number = Receipt number
pdf-receipt-reference = Payment reference
challenge-explain-setup = Confirm that the card may be added. Nothing is charged. This is the sandbox gateway's test page: choose the outcome.
methods-add-card = Add a card
activity-period = Period
methods-no-default = This billing profile has no default payment method. Set one as default so that charges can be made.
activity-limited = You see the activity of the billing profiles you manage: { $profiles }.

# Activity log details
detail-card = Card
detail-expiry = Expires
detail-reason = Reason
detail-role = Role
detail-scope = Scope
detail-scope-account = The whole billing account
detail-profile-hidden = A billing profile you can't see
detail-invitation = Invitation
detail-invitation-mailed = Mailed to the new user
detail-3ds = 3-D Secure
detail-3ds-passed = Passed
detail-3ds-failed = Not passed
detail-invoices = Invoices
detail-credit-note = Credit note
detail-issued-on = Issued on
detail-note = Note
detail-late-applied = The charge went through after the payment was recorded as failed; it was applied to the invoice.
detail-late-needs-refund = The charge went through after the payment was recorded as failed, and another payment had already paid the invoice: refund it.

## Refunds and credit notes (issue 15)
event-payment-refunded = Payment refunded
event-credit-note-issued = Credit note issued
event-credit_note-issued = Credit note issued
event-refund-requested = Refund requested
event-refund-failed = Refund failed
pdf-credit-note-title = Credit note
pdf-credit-note-file = credit-note
pdf-credit-note-intro = { $seller } credits invoice { $number } with the amount below, which was refunded to the card the invoice was paid with.
pdf-credit-note-number = Credit note number
pdf-credit-note-for = Credits invoice
pdf-credit-note-amount = Amount credited
pdf-credit-note-reason = Reason
refunds-title = Refunds
refunds-intro = Refund a succeeded payment in full (leave the amount empty) or in part. The refund goes back to the card through the gateway and issues a numbered credit note for the invoice.
refunds-none = No succeeded payments yet.
refunds-payment = Payment
refunds-left = Left to refund
refunds-refund = Refund
refunds-amount = Amount
refunds-amount-hint = All that is left
refunds-reason = Reason
refunds-nothing-left = Refunded in full
refunds-late-charge = Charged after it failed: the invoice was paid by another payment, refund it
event-payment-late-charge-refunded = Late charge refunded
event-payment-charged-after-failure = Charged after failure (to refund)
refund-done = Refunded { $amount }. Credit note { $number } was issued.
refund-pending = The refund was sent; the gateway has not answered yet. Faktura asks again and issues the credit note when it succeeds.
refund-done-late-charge = The late charge was refunded: { $amount }. The invoice was not credited, so no credit note was issued.
refund-failed = The gateway refused the refund. Nothing was refunded.
refund-error-PaymentNotFound = There is no such payment on that billing account.
refund-error-PaymentNotSucceeded = Only a succeeded payment can be refunded.
refund-error-RefundExceedsPayment = That is more than is left to refund of this payment.
refund-error-InvalidAmount = Enter a positive amount in the payment's currency, such as 250.00.
refund-error-InvalidReason = The reason can be at most 500 characters.
refund-error-RefundInProgress = This refund is still being processed. Reload the page in a moment to see how it ended.
refund-error-RefundFormReused = This form was already sent with other values. Reload the page and try again.
