## E-mail-notifikationer: emne og tekst for hver slags, som ren tekst (HTML-delen laves af
## samme tekst).

mail-greeting = Hej
mail-signature = Faktura, på vegne af { $seller }
mail-footer = Du får denne e-mail på grund af din rolle på faktureringskontoen { $account }, eller fordi faktureringsprofilen har denne adresse som fakturamodtager.

mail-receipt-subject = Kvittering: faktura { $number } er betalt
mail-receipt-text = Vi har modtaget { $amount } for faktura { $number } fra { $account }. Kvitteringen er vedhæftet som PDF.
mail-receipt-card = Betalt med { $card }.

mail-declined-subject = Betalingen af faktura { $number } mislykkedes
mail-declined-text = Betalingen på { $amount } for faktura { $number } fra { $account } gik ikke igennem: { $reason } Fakturaen forfalder stadig { $due }.

mail-issued-subject = Ny faktura { $number }: { $amount } forfalder { $due }
mail-issued-text = Faktura { $number } til { $account } ({ $profile }) er udstedt: { $amount }, forfalder { $due }. Fakturaen er vedhæftet som PDF.

mail-granted-subject = Du har fået en rolle på { $account }
mail-granted-text = Du har fået rollen { $role } på faktureringskontoen { $account } i Faktura.

mail-open-link = Åbn den i Faktura: { $link }
