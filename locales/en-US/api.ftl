# The API reference page (/api): group names and operation summaries (en-US).
# The same English as the summaries in crates/web/src/api/mod.rs (a test compares them).

## Groups
api-tag-billing-accounts = Billing accounts
api-tag-billing-profiles = Billing profiles
api-tag-invoices = Invoices
api-tag-payment-methods = Payment methods
api-tag-access = Access
api-tag-payments-faktura-extension = Payments (Faktura extension)
api-tag-operator = Operator
api-tag-webhooks-faktura-extension = Webhooks (Faktura extension)
api-tag-notifications-faktura-extension = Notifications (Faktura extension)

## Operations
api-op-BillingAccounts_List = Billing accounts the caller holds a role on
api-op-BillingAccounts_Get = One billing account
api-op-BillingProfiles_ListByBillingAccount = The account's billing profiles the caller may see
api-op-BillingProfiles_Get = One billing profile
api-op-BillingProfiles_Update = Set or clear the profile's purchase order number (profile owners): properties.poNumber, at most 50 printable characters, or null to clear; invoices issued from then on print it
api-op-Invoices_ListByBillingAccount = Invoices of the account, newest first, paged with nextLink
api-op-Invoices_ListByBillingProfile = Invoices of one billing profile, newest first, paged with nextLink
api-op-Invoices_GetByBillingAccount = One invoice, by id or by invoice number
api-op-PaymentMethods_ListByBillingProfile = The profile's cards (token, brand, last four, expiry, holder)
api-op-PaymentMethods_GetByBillingProfile = One card of the profile
api-op-PaymentMethodSetups_Create = Begin adding a card with Stripe.js (gateway stripe): {"{"}id, clientSecret, publishableKey, stripeJsUrl{"}"}; the browser confirms it with confirmCardSetup
api-op-PaymentMethodSetups_Complete = Save the card of a setup the browser confirmed (prepaid cards are refused and detached again)
api-op-PaymentMethods_Detach = Detach a card (at the gateway too)
api-op-BillingRoleAssignments_ListByBillingAccount = Role assignments at account scope and on the profiles the caller may see
api-op-BillingRoleAssignments_ListByBillingProfile = Role assignments on one profile
api-op-BillingPermissions_ListByBillingAccount = What the caller may do on the account
api-op-BillingPermissions_ListByBillingProfile = What the caller may do on one profile
api-op-BillingPermissions_CheckAccessByBillingAccount = Whether the caller may do each action on the account
api-op-BillingPermissions_CheckAccessByBillingProfile = Whether the caller may do each action on one profile
api-op-Invoices_Pay = Pay the invoice with a saved card: all that is due, or, where the account may pay part (pay-as-you-go after a failed attempt on the invoice, or allowed by the operator), the amount given (currency and value) between the minimum (50 DKK/SEK/NOK, 10 EUR/USD/GBP, 1,000 JPY, or all that is due if less) and the amount due. Codes: InvalidAmount, AmountBelowMinimum, AmountAboveAmountDue (400), PartialPaymentNotAllowed (409). Send an Idempotency-Key header to retry safely: the first response is replayed for 48 hours; the same key with other parameters is 422; while the first request runs, 409.
api-op-Invoices_DownloadByBillingAccount = A link to the invoice PDF that works without a token for 60 minutes: {"{"}url, expiryTime{"}"}
api-op-Invoices_DownloadDocumentsByBillingAccount = A link to one ZIP of several invoices' PDFs, up to 50, that works without a token for 60 minutes: the body lists documentName and invoiceName of each; the answer is url and expiryTime. An invoice the caller may not see refuses the request and is named
api-op-Documents_Open = The invoice PDF behind a download link (no token needed; 404 once expired)
api-op-Invoices_GetPayment = One payment of the invoice
api-op-Invoices_CancelPayment = Cancel an attempt waiting for 3-D Secure: the payment afterwards, Failed with AuthenticationAbandoned (or Succeeded, when the challenge was passed first); the invoice can be paid again
api-op-Operator_CreateUser = Create a user
api-op-Operator_CreateBillingAccount = Create a billing account; its administrator becomes its owner
api-op-Operator_CreateBillingProfile = Create a billing profile
api-op-Operator_AssignRole = Give a user a role at account or profile scope
api-op-Operator_IssueInvoice = Issue an invoice (currency of the profile; lines, tax and total must add up; dates in order; unique number)
api-op-Operator_VoidInvoice = Void an unpaid invoice with no payment in flight
api-op-Operator_RefundPayment = Refund a succeeded payment in full (no amount) or in part, through the gateway; each refund issues a numbered credit note. Send an Idempotency-Key header to retry safely. Codes: PaymentNotFound (404), PaymentNotSucceeded and RefundExceedsPayment (409), InvalidAmount (400).
api-op-Operator_ListPayments = The newest payments across accounts
api-op-Operator_ListSupportRequests = All support requests
api-op-WebhookEndpoints_Create = Register an endpoint (account owners): the answer carries its signing secret, shown this once. Event types: invoice.issued, invoice.paid, invoice.due_soon, invoice.past_due, payment.succeeded, payment.failed, payment.requires_action, payment.refunded, credit_note.issued, payment_method.added, payment_method.replaced, payment_method.expiring, payment_method.expired (none or "*": all). Internal addresses are refused.
api-op-NotificationSettings_Get = The caller's notification settings: each topic, whether they get it by e-mail, its default, and whether it is always sent
api-op-NotificationSettings_Update = Change the caller's choice for the topics named (others keep theirs); the settings afterwards
api-op-WebhookEndpoints_List = The account's endpoints (without secrets)
api-op-WebhookEndpoints_Delete = Remove an endpoint; its pending deliveries stop
api-op-WebhookEndpoints_RotateSecret = A new signing secret (in the answer, this once); the old one also signs for 24 hours
api-op-WebhookEndpoints_ListAttempts = The endpoint's delivery log, newest first: event, attempt, HTTP status, latency, the start of the answer
api-op-WebhookEndpoints_Resend = Send one delivery again (same webhook-id)
api-op-Operator_CreateWebhookEndpoint = Register an endpoint for every account's events (the answer carries its secret, this once)
api-op-Operator_ListWebhookEndpoints = The operator's endpoints
api-op-Transactions_ListByInvoice = The invoice's lines as transactions (one per line: product, quantity, unit price, amount)
api-op-AvailableBalances_GetByBillingProfile = The profile's balance: the amount due on its open invoices, and the payments already made on them (payments on account)
api-op-Operator_GetAccountSettings = The account's settings: partialPaymentsAllowed
api-op-Operator_UpdateAccountSettings = Allow or stop part payments for the account (pay-as-you-go accounts may pay part after a failed attempt either way); logged with before and after
