# Faktura — English (United States)

product-name = Faktura
skip-to-content = Skip to content
search-label = Search
search-placeholder = Search resources, services and invoices
search-suggestions = Suggestions
language-label = Language
language-apply = Change
sign-out = Sign out

error-back-home = Go to the home page
error-forbidden-title = You don't have access
error-forbidden-text = Your role doesn't allow this. Ask a billing account owner or the account administrator to grant you a role with the access you need.
error-not-found-title = Not found
error-not-found-text = The page or item you asked for doesn't exist, or it was moved.
error-csrf-title = The form expired
error-csrf-text = For your security the form could not be accepted. Go back, reload the page and try again.
error-bad-request-title = Something in the request is wrong
error-bad-request-text = The request could not be understood. Go back and check what you entered.
error-unauthenticated-title = Please sign in
error-unauthenticated-text = You need to sign in to see this page.
error-internal-title = Something went wrong
error-internal-text = We couldn't complete the request. Nothing was charged. Please try again in a moment.

signin-title = Sign in
signin-intro = Sign in to manage billing, invoices and payments.
signin-email = Email
signin-password = Password
signin-submit = Sign in
signin-missing = Enter your email and password.
signin-throttled = Too many failed attempts. Try again in { $seconds } s.
signin-wrong = The email or password is incorrect.

portal-title = Home
portal-welcome = Welcome to Faktura
portal-intro = Manage your billing accounts, invoices and payment methods.
portal-services = Services
service-billing = Cost Management + Billing

search-results-title = Search results
search-results-heading = Results for “{ $query }”
search-services = Services
search-no-services = No services match.
search-invoices = Invoices
search-no-invoices = No invoices match.
search-invoice-label = Invoice { $number }
search-kind-service = Service

breadcrumb-home = Home
breadcrumb-label = Breadcrumb
scope-label = Scope
scope-account = Billing account: { $name }
scope-profile = Billing profile: { $name }
scope-apply = Apply
menu-toggle = Menu
nav-overview = Overview
nav-section-billing = Billing
nav-invoices = Invoices

accounts-choose = Choose a billing account
accounts-none = You don't have a role on any billing account yet. Ask the account administrator to grant you access.
agreement-MicrosoftCustomerAgreement = Microsoft Customer Agreement
agreement-MicrosoftOnlineServicesProgram = Microsoft Online Services Program (pay-as-you-go)
agreement-EnterpriseAgreement = Enterprise Agreement
agreement-MicrosoftPartnerAgreement = Microsoft Partner Agreement

overview-account-type = Billing account type
overview-open-invoices = Invoices to pay
overview-go-invoices = View invoices

filter-status = Status
filter-period = Invoice date
filter-apply = Apply
filter-status-all = All statuses
filter-status-open = Due or past due
filter-period-all = All time
filter-period-3m = Last 3 months
filter-period-6m = Last 6 months
filter-period-12m = Last 12 months

status-Due = Due
status-OverDue = Past due
status-Paid = Paid
status-Void = Void

invoices-empty = No invoices match these filters.
col-invoice-number = Invoice ID
col-billing-profile = Billing profile
col-billing-period = Billing period
col-invoice-date = Invoice date
col-due-date = Due date
col-total = Total amount
col-amount-due = Amount due
col-status = Status
col-actions = Actions
pay-now = Pay now
pager-label = Pages
pager-first = First page
pager-next = Next page

back-to-invoices = Back to invoices
invoice-heading = Invoice { $number }
invoice-lines = Charges
col-service = Service
col-description = Description
col-quantity = Quantity
col-unit-price = Unit price
col-amount = Amount
invoice-subtotal = Subtotal
invoice-tax = Tax (VAT)
invoice-credits = Credits applied
invoice-paid = Paid
invoice-payments = Payments
invoice-no-payments = No payments yet.
col-date = Date
col-payment-method = Payment method
col-outcome = Outcome

card-ending = Card ending in { $last4 }
payment-method-card = Card
payment-method-wire = Wire transfer
payment-state-processing = Processing
payment-state-requires_action = Waiting for authentication
payment-state-succeeded = Succeeded
payment-state-failed = Failed
payment-state-unknown = Processing
payment-state-failed-because = Failed: { $reason }
failure-BankDeclined = the card was declined by the bank. Try another card or contact your bank.
failure-InsufficientFunds = the card has insufficient funds. Try another card.
failure-CardExpired = the card has expired. Use another card.
failure-IncorrectCardDetails = the card details are incorrect. Check them and try again.
failure-ProcessingError = a processing error occurred. Nothing was charged; try again.
failure-AuthenticationFailed = 3-D Secure authentication failed. Nothing was charged.
failure-PrepaidCardRefused = prepaid and virtual cards aren't accepted.

pay-title = Pay now
pay-amount = Amount to pay
amount-paid = Amount paid
select-payment-method = Select a payment method
card-default = Default
card-expired = Expired
add-new-card = Add a new card
card-holder = Cardholder name
card-number = Card number
card-expiry = Expiration date (MM/YY)
card-expiry-placeholder = MM/YY
card-cvc = CVC
card-label = { $brand } •••• { $last4 }, expires { $expiry }
brand-visa = Visa
brand-mc = Mastercard
brand-amex = American Express
brand-other = Card

wire-bank = Bank
wire-holder = Account holder
wire-reference = Payment reference
wire-over-limit = This invoice is above the card-payment limit of { $limit }, so it can't be paid by card. Pay it by wire transfer with these details, and use the invoice number as the payment reference.
wire-agreement = Invoices on this agreement are paid by wire transfer. Use these details and the invoice number as the payment reference.
pay-not-payable = This invoice can't be paid now. Its status is { $status }.
pay-in-progress = A payment for this invoice is already in progress. Don't pay again: check the invoice's status in a few minutes.
pay-already-paid = This invoice has already been paid.
pay-card-expired = That card has expired. Choose another card or add a new one.
pay-choose-method = Choose a saved card or add a new card.

card-error-holder-missing = Enter the name on the card.
card-error-holder-too-long = The name is too long.
card-error-number-missing = Enter the card number.
card-error-number-too-long = The card number is too long.
card-error-number-not-digits = The card number can only contain digits and spaces.
card-error-number-wrong-length = A card number has 12 to 19 digits.
card-error-number-checksum = This card number isn't valid. Check it for typing mistakes.
card-error-expiry-missing = Enter the expiration date.
card-error-expiry-format = Enter the expiration date as MM/YY.
card-error-expiry-expired = The card has expired.
card-error-cvc-missing = Enter the CVC.
card-error-cvc-not-digits = The CVC can only contain digits.
card-error-cvc-wrong-length = The CVC has 3 digits (4 on American Express).
card-error-prepaid = Prepaid and virtual cards aren't accepted. Use a credit or debit card.

outcome-succeeded-title = Payment succeeded
outcome-succeeded-text = We received your payment of { $amount }. Invoice { $number } is now paid.
outcome-failed-title = Payment failed
outcome-action-title = Authentication required
outcome-action-text = Your bank asks you to confirm this payment. Finish the 3-D Secure check to continue.
outcome-processing-title = Payment processing
outcome-processing-text = We're confirming this payment with the card processor. Don't pay again: check back in a few minutes.
pay-try-another = Try another card
pay-check-again = Check again

challenge-title = 3-D Secure verification
challenge-bank = Sandbox bank
challenge-explain = Confirm the payment of { $amount }. This is the sandbox gateway's test page: choose the outcome.
challenge-complete = Complete
challenge-fail = Fail

api-title = API reference
api-intro = Everything the portal does is also a JSON API: billing resources in the shape of Microsoft.Billing (api-version 2024-04-01), Faktura's pay extension with idempotency keys, and the operator API.
api-openapi-link = The OpenAPI 3.1 document
api-auth-heading = Authentication
api-auth-text = Create a personal access token in the user menu (or with faktura token create) and send it as Authorization: Bearer. A token acts with its user's roles, nothing more.
api-responses = Responses

tokens-title = API tokens
tokens-intro = Personal access tokens let scripts and tools use the API as you, with your roles and nothing more.
tokens-created = Copy your new token now. It won't be shown again.
tokens-new = Create a token
tokens-name = Name
tokens-expires = Expires
tokens-days = In { $days } days
tokens-never = Never
tokens-create = Create token
tokens-yours = Your tokens
tokens-none = You have no tokens yet.
tokens-created-on = Created
tokens-revoke = Revoke
tokens-revoke-confirm-heading = Revoke the token “{ $name }”?
tokens-revoke-confirm-text = Programs that use it are refused from then on. This cannot be undone.
confirm-cancel = Cancel
tokens-copy = Copy
tokens-copied = Copied
tokens-copy-failed = Select the token and copy it yourself.
tokens-state-active = Active
tokens-state-revoked = Revoked
tokens-state-expired = Expired
tokens-error-name = Give the token a name (at most 100 characters).
tokens-error-expiry = Choose when the token expires.

## Refunds and credit notes (issue 15)
invoice-refunded = Refunded
invoice-credit-notes = Credit notes
col-credit-note-number = Credit note
col-document = Document
credit-note-for = Credit note for invoice { $number }
download-credit-note-label = Download credit note { $number } (PDF)
