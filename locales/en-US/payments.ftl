# Paying part of an invoice (issue #15). No full stop after an amount at a sentence end: Danish
# amounts end in one ("kr.").
pay-amount-legend = How much to pay
pay-amount-due-option = The amount due, { $amount }
pay-another-amount = Pay another amount
pay-other-amount-label = Amount in { $currency }
pay-other-amount-hint = At least { $minimum }, at most { $due }
pay-amount-malformed = Enter the amount as a number, for example { $example }
pay-amount-below-minimum = The amount must be at least { $minimum }
pay-amount-above-due = The amount can't be more than the amount due, { $due }
pay-partial-not-allowed = This invoice can only be paid in full.
pay-part-paid = { $paid } paid so far; { $due } is still due.
event-account-partial-payments-changed = Part payments allowed or stopped
outcome-succeeded-part-text = We received your payment of { $amount }. Invoice { $number } still has { $due } due.
mail-receipt-part-subject = Receipt: { $amount } paid on invoice { $number }
