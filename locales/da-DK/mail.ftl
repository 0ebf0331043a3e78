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

## Webhooks (Indstillinger › Webhooks)

nav-webhooks = Webhooks
action-manage-webhooks = administrere webhooks (det kræver rollen som ejer af faktureringskontoen)
webhooks-intro = Faktura fortæller jeres andre systemer, hvad der er sket: hver hændelse, I vælger, sendes til jeres adresse, signeret efter Standard Webhooks-specifikationen, og der prøves igen, når systemet ikke svarer med 2xx.
webhooks-new = Tilføj et endpoint
webhooks-url = Endpointets URL
webhooks-events = Hændelser
webhooks-events-hint = Vælg ingen for at modtage alle hændelser.
webhooks-create = Tilføj endpoint
webhooks-yours = Endpoints
webhooks-none = Ingen endpoints endnu.
webhooks-all-events = Alle hændelser
webhooks-enabled = Aktiv
webhooks-disabled = Slået fra: { $reason }
webhooks-secret-once = Signeringsnøglen, vist kun nu: kopiér den til det modtagende system, så det kan kontrollere signaturerne.
webhooks-rotated = En ny signeringsnøgle, vist kun nu. Den forrige signerer også i 24 timer endnu.
webhooks-endpoint = Webhook-endpoint
webhooks-back = Tilbage til webhooks
webhooks-rotate = Skift nøgle
webhooks-delete = Fjern endpoint
webhooks-log = Leveringslog
webhooks-log-empty = Der er ikke sendt noget til dette endpoint endnu.
webhooks-attempt = Forsøg
webhooks-http-status = HTTP-status
webhooks-latency = Varighed
webhooks-response = Svar
webhooks-resend = Send igen
webhooks-no-answer = intet svar
webhooks-delivery-pending = Prøves igen
webhooks-delivery-delivered = Leveret
webhooks-delivery-failed = Mislykket
webhooks-error-url = Angiv en http://- eller https://-adresse med et værtsnavn.
webhooks-error-unresolvable = Værtsnavnet kan ikke slås op.
webhooks-error-internal = Adressen ligger i dette netværk (loopback, privat eller link-local), som webhooks ikke må nå.
webhooks-error-event = Vælg hændelser fra listen.
webhooks-error-too-many = Kontoen har det højeste antal endpoints (20). Fjern et først.
event-invoice-issued = Faktura udstedt
event-invoice-paid = Faktura betalt
event-invoice-past-due = Faktura overskredet
event-payment-method-expiring = Kort udløber
event-payment-method-expired = Kort udløbet

mail-past-due-subject = Faktura { $number } er ikke betalt til tiden
mail-past-due-text = Faktura { $number } fra { $account } på { $amount } skulle være betalt { $due } og er ikke betalt. Du kan betale den med kort i Faktura.
mail-expiring-subject = Et kort på { $profile } udløber snart
mail-expired-subject = Et kort på { $profile } er udløbet
mail-expired-text = Kortet { $card } på faktureringsprofilen { $profile } for { $account } gjaldt til og med { $expiry } og kan ikke længere trækkes. Tilføj et nyt kort, eller erstat det, så fakturaer kan betales med kort.
mail-expiring-text = Kortet { $card } på faktureringsprofilen { $profile } for { $account } gælder til og med { $expiry }. Tilføj et nyt kort, eller erstat det, så fakturaer stadig kan betales med kort.
mail-webhook-disabled-subject = En webhook for { $account } er slået fra
mail-webhook-disabled-text = Alle leveringer til { $url } mislykkedes i tre dage, så Faktura er holdt op med at sende dertil. Se endpointets leveringslog, ret modtageren, og tilføj derefter endpointet igen.
event-webhook-disabled = Webhook slået fra
mail-due-soon-subject = Faktura { $number } forfalder { $due }
mail-due-soon-text = Faktura { $number } fra { $account } på { $amount } forfalder { $due } og er ikke betalt endnu. Du kan betale den med kort i Faktura.
mail-card-added-subject = Der er tilføjet et kort på { $profile }
mail-card-added-text = { $who } har tilføjet kortet { $card } til faktureringsprofilen { $profile } for { $account }.
mail-card-added-someone = Nogen
mail-card-added-check = Hvis du ikke kender til det, så se profilens betalingsmetoder og aktivitetsloggen.
mail-support-subject = Din supportanmodning “{ $subject }”: { $status }
mail-support-text = Din supportanmodning “{ $subject }” fra { $filed } har nu status: { $status }.
mail-footer-support = Du får denne e-mail, fordi du har oprettet denne supportanmodning og opgivet denne adresse til svar.
mail-invitation-subject = Du er inviteret til { $account } i Faktura
mail-invitation-text = { $inviter } har inviteret dig til faktureringskontoen { $account } i Faktura som { $email }.
mail-invitation-link = Åbn linket for at vælge din adgangskode. Det virker én gang og indtil { $until }.
mail-footer-invitation = Hvis du ikke ventede denne invitation, kan du se bort fra denne e-mail: ingen kan bruge invitationen uden linket.

## Notifikationer (brugermenuen › Notifikationer)

notifications-title = Notifikationer
notifications-intro = Vælg hvilke e-mails Faktura sender dig. De går til { $email } på det sprog, du har valgt.
notifications-topic = Notifikation
notifications-email = E-mail
notifications-save = Gem
notifications-saved = Dine indstillinger for notifikationer er gemt.
notifications-default-on = Til, medmindre du slår den fra
notifications-default-off = Fra, medmindre du slår den til
notifications-recipient-note = Den fakturamodtager, som hver faktureringsprofil angiver, får profilens fakturaer, påmindelser og kvitteringer uanset hvad du vælger her; det ændres under profilens Egenskaber.
topic-receipts = Kvitteringer for betalinger, du foretager
topic-receipts-hint = Med kvitteringen som PDF.
topic-payment_failed = En betaling, du foretog, mislykkedes
topic-payment_failed-hint = Med årsagen, så du kan prøve igen.
topic-invoice_issued = Nye fakturaer
topic-invoice_issued-hint = På de faktureringsprofiler, du kan se, med fakturaen som PDF.
topic-invoice_due_soon = Fakturaer, der snart forfalder
topic-invoice_due_soon-hint = Et par dage før forfaldsdatoen for ubetalte fakturaer, du må betale.
topic-invoice_past_due = Fakturaer, der ikke er betalt til tiden
topic-invoice_past_due-hint = Dagen efter forfaldsdatoen for ubetalte fakturaer, du må betale.
topic-card_expiring = Kort, der snart udløber
topic-card_expiring-hint = På de faktureringsprofiler, hvis betalingsmetoder du administrerer.
topic-card_added = Kort tilføjet af andre
topic-card_added-hint = På de faktureringsprofiler, hvis betalingsmetoder du administrerer.
topic-webhook_disabled = Webhooks slået fra
topic-webhook_disabled-hint = Når et endpoint for en konto, du ejer, har fejlet i tre dage.
topic-support_updates = Dine supportanmodninger
topic-support_updates-hint = Når en, du har oprettet, skifter status.
topic-access = Roller, du får
topic-access-hint = Sendes altid, så du ved, hvad du må, og kan reagere, hvis du ikke burde.
event-invoice-due-soon = Faktura forfalder snart

## Refusioner (issue 15)
mail-refund-subject = Refusion: { $amount } for faktura { $number }
mail-refund-text = Vi har refunderet { $amount } af din betaling for faktura { $number } fra { $account } til det kort, den blev betalt med.
mail-refund-credit-note = Kreditnota { $credit_note } er vedhæftet som PDF.
