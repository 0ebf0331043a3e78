# The portal as people use it: saving a card, the error summary, breadcrumbs, refusals (en-US)

## Pay now with a new card
pay-save-card = Save this card for later
pay-save-card-hint = The card is saved on the billing profile { $profile }, where anyone who may pay its invoices can use it. Leave this unticked to use it for this payment only.
pay-card-used-once = This card is used for this payment only; it isn't saved.

## Settle balance with a new card
settle-new-card-saved = The card is saved on the billing profile { $profile } and charged the total.
settle-no-card-ask-manager = There is no saved card to settle the balance with. Ask someone who may manage this billing profile's payment methods to add one.

## Error summary after a failed submit
error-summary-title = There is a problem

## Refusals inside the service
refused-because-role-here = Your role here ({ $roles }) doesn't allow this. Ask a billing account owner or the account administrator for a role that does.

## Breadcrumb trail
payment-crumb = Payment

## Documents
pdf-paid-note = This invoice has been paid. Nothing is due.
pdf-seller-vat-number = VAT no. { $number }
pdf-col-vat = VAT
pdf-vat-rate = { $rate }%
pdf-vat-at = VAT { $rate }
pdf-vat-summary = VAT summary
pdf-vat-rate-heading = VAT rate
pdf-vat-base = Taxable amount
pdf-payments-heading = Payments received
pdf-payments-other = Other payments recorded
