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
