# Delbetaling af en faktura (issue #15). Intet punktum efter et beløb sidst i en sætning: danske
# beløb slutter med ét ("kr.").
pay-amount-legend = Hvor meget vil du betale
pay-amount-due-option = Det skyldige beløb, { $amount }
pay-another-amount = Betal et andet beløb
pay-other-amount-label = Beløb i { $currency }
pay-other-amount-hint = Mindst { $minimum }, højst { $due }
pay-amount-malformed = Skriv beløbet som et tal, fx { $example }
pay-amount-below-minimum = Beløbet skal være mindst { $minimum }
pay-amount-above-due = Beløbet må ikke være større end det skyldige beløb, { $due }
pay-partial-not-allowed = Denne faktura kan kun betales fuldt ud.
pay-part-paid = { $paid } er betalt indtil nu; { $due } mangler stadig.
event-account-partial-payments-changed = Delbetalinger tilladt eller stoppet
outcome-succeeded-part-text = Vi har modtaget din betaling på { $amount }, og der mangler stadig { $due } på faktura { $number }.
mail-receipt-part-subject = Kvittering: { $amount } betalt på faktura { $number }
