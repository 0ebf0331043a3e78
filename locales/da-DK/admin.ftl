# Payment methods, properties, access control, activity log, documents (da-DK)

## Venstre rude
nav-payment-methods = Betalingsmetoder
nav-section-settings = Indstillinger
nav-properties = Egenskaber
nav-access = Adgangsstyring (IAM)
nav-activity = Aktivitetslog

## Roller og afvisninger
role-BillingAccountOwner = Ejer af faktureringskonto
role-BillingAccountContributor = Bidragyder til faktureringskonto
role-BillingAccountReader = Læser af faktureringskonto
role-BillingProfileOwner = Ejer af faktureringsprofil
role-BillingProfileContributor = Bidragyder til faktureringsprofil
role-BillingProfileReader = Læser af faktureringsprofil
role-InvoiceManager = Fakturaadministrator
iam-account-admin = Kontoadministrator
iam-no-role = ingen rolle
refused-because-role = Din rolle her ({ $roles }) giver ikke lov til at { $action }. Bed en ejer af faktureringskontoen eller kontoadministratoren om en rolle, der gør.
action-manage-payment-methods = tilføje, ændre eller frakoble betalingsmetoder
action-pay = betale fakturaer
action-edit-properties = redigere faktureringsprofilens egenskaber
action-view-activity = se aktivitetsloggen (det kræver en ejer- eller bidragyderrolle)
action-grant = give eller fjerne adgang

## Betalingsmetoder
methods-col-card = Kort
methods-col-expiry = Udløber
methods-col-holder = Kortholder
methods-empty = Faktureringsprofilen har endnu ingen betalingsmetoder.
methods-expiring-soon = Udløber snart
methods-set-default = Angiv som standard
methods-replace = Erstat
methods-detach = Frakobl
methods-detach-confirm-heading = Frakobl { $card }?
methods-detach-confirm-text = { $card } fjernes fra { $profile } og kan ikke længere betale dens fakturaer.
methods-add = Tilføj
methods-replace-heading = Erstat { $card }
methods-replace-explained = Det nye kort bliver standardbetalingsmetode i samme trin. Det gamle kort bliver, indtil du frakobler det.
methods-read-only = Du kan se betalingsmetoderne, men din rolle ({ $roles }) giver ikke lov til at ændre dem.
methods-done-added = Kortet er tilføjet.
methods-done-default = Standardbetalingsmetoden er ændret.
methods-done-replaced = Det nye kort er tilføjet og angivet som standard.
methods-done-detached = Kortet er frakoblet.
methods-done-setup-failed = Kortet blev ikke tilføjet: 3-D Secure-godkendelsen mislykkedes.
methods-card-refused = Kortet blev ikke tilføjet: { $reason }
methods-gateway-unavailable = Kortet kunne ikke kontrolleres lige nu. Intet er gemt; prøv igen om lidt.
methods-replace-gone = Kortet, du ville erstatte, er ikke længere tilknyttet. Intet er ændret.
methods-done-setup-waiting = Kortet blev ikke tilføjet: bankens kontrol blev ikke gennemført. Prøv igen.
detach-refused-default = Kortet kan ikke frakobles: det er standardbetalingsmetode for en faktureringsprofil med { $n ->
        [one] en ubetalt faktura
       *[other] { $count } ubetalte fakturaer
    }. Angiv et andet kort som standard først, eller betal fakturaerne.
detach-refused-last-card = Kortet kan ikke frakobles: det er den sidste betalingsmetode på en betal efter forbrug-konto, som altid skal have én. Tilføj et andet kort først.
detach-refused-in-use = Kortet kan ikke frakobles, mens en betaling med det behandles. Prøv igen, når betalingen er færdig.

## Kortindtastning med Stripe (Stripe.js Elements)
elements-card-label = Kortoplysninger
elements-card-secure = Kortoplysningerne sendes direkte til Stripe, vores betalingsudbyder. Faktura ser dem aldrig.
elements-needs-js = Kortoplysninger indtastes i Stripes sikre kortfelt, som kræver JavaScript. Slå JavaScript til i din browser for at indtaste et kort.
elements-unavailable = Kortfeltet kan ikke indlæses lige nu. Intet er gemt; prøv igen om lidt.
elements-check-card = Kontrollér kortoplysningerne.
elements-not-confirmed = Det nye kort blev ikke bekræftet. Indtast det igen, eller vælg et gemt kort.
pay-new-card-needs-manager = For at betale med et nyt kort skal en, der må administrere faktureringsprofilens betalingsmetoder, først tilføje det.
authenticate-text = Din bank beder dig bekræfte betalingen på { $amount } for faktura { $number }. Følg de trin, banken viser.
authenticate-settle-text = Din bank beder dig bekræfte betalingen på { $amount } af saldoen. Følg de trin, banken viser.
authenticate-needs-js = Bekræftelse af betalingen hos din bank kræver JavaScript. Slå JavaScript til, og genindlæs siden.
authenticate-continue = Se betalingen

## Udlign saldo
settle-balance = Udlign saldo
settle-banner = Du har { $n ->
        [one] en faktura med overskredet forfaldsdato
       *[other] { $count } fakturaer med overskredet forfaldsdato
    }. Udlign saldoen på { $amount } for at betale alle udestående fakturaer på én gang.
settle-explained = Alle kontoens udestående fakturaer betales med én betaling. Enten bliver de alle betalt, eller ingen af dem.
settle-total = I alt at betale
settle-pay-total = Betal { $amount }
settle-nothing = Der er intet at udligne: ingen faktura er udestående.
settle-not-payg = Udlign saldo er for betal efter forbrug-konti. Betal kontoens fakturaer én ad gangen med Betal nu.
settle-mixed-currencies = De udestående fakturaer er i mere end én valuta og kan derfor ikke betales med én betaling. Betal dem én ad gangen.
settle-payment-open = En betaling af en af fakturaerne er allerede i gang. Vent, til den er færdig, og prøv så igen.
settle-succeeded-title = Saldoen er udlignet
settle-succeeded-text = { $amount } er betalt. { $n ->
        [one] Fakturaen er
       *[other] Alle { $count } fakturaer er
    } nu betalt.
settle-failed-title = Saldoen blev ikke udlignet

## Egenskaber
properties-account = Faktureringskonto
properties-display-name = Navn
properties-id = Id
properties-country = Land
properties-sold-to = Solgt til-adresse
properties-account-admin = Kontoadministrator
properties-profile = Faktureringsprofil: { $name }
properties-currency = Valuta
properties-bill-to = Faktureringsadresse
properties-invoice-email = Faktura-e-mail
properties-default-method = Standardbetalingsmetode
properties-none = Ingen
properties-edit = Rediger adresse og faktura-e-mail
properties-company = Virksomhed
properties-line1 = Adresselinje 1
properties-line2 = Adresselinje 2
properties-postal-code = Postnummer
properties-city = By
properties-region = Stat eller region
properties-country-code = Land (2 bogstaver, f.eks. DK)
properties-save = Gem
properties-saved = Gemt. Ændringen er registreret i aktivitetsloggen.
properties-error-required = Feltet skal udfyldes.
properties-error-too-long = Brug højst { $max } tegn.
properties-error-country = Angiv en landekode på to bogstaver, f.eks. DK eller US.
properties-error-email = Angiv en gyldig e-mailadresse, f.eks. bogholderi@eksempel.dk.
properties-po-number = Indkøbsordrenummer
properties-po-number-hint = Skrives på de fakturaer, der udstedes fra nu af (højst 50 tegn). Lad feltet stå tomt for ingen. Allerede udstedte fakturaer beholder deres.
properties-save-po-number = Gem indkøbsordrenummer
properties-error-po-printable = Brug kun bogstaver, tal, mellemrum og tegnsætning: ingen linjeskift, tabulatorer eller usynlige tegn.
properties-edit-sold-to = Rediger solgt til-adresse
properties-sold-to-country = Land: { $country }. En faktureringskontos land kan ikke ændres her.
action-edit-sold-to = redigere faktureringskontoens solgt til-adresse
account-status-Active = Aktiv
account-status-Disabled = Deaktiveret
account-status-UnderReview = Under gennemgang
profile-status-Active = Aktiv
profile-status-Disabled = Deaktiveret
profile-status-Warned = Advaret
profile-status-UnderReview = Under gennemgang
profile-status-with-reason = { $status } ({ $reason })
profile-reason-PastDue = Overskredet
profile-reason-UnusualActivity = Usædvanlig aktivitet
profile-reason-SpendingLimitReached = Forbrugsgrænsen er nået

## Adgangsstyring (IAM)
iam-what-you-may-do = Det må du her
iam-your-roles = Dine roller: { $roles }. Omfang: { $scope }.
iam-yes = ja
iam-no = nej
iam-can-view = Se fakturaer
iam-can-pay = Betale fakturaer
iam-can-view-methods = Se betalingsmetoder
iam-can-manage-methods = Administrere betalingsmetoder
iam-can-grant = Give adgang
iam-can-activity = Se aktivitetsloggen
iam-can-edit = Redigere egenskaber
iam-pay-note-role = Betal nu vises ikke for dig, fordi din rolle ({ $roles }) må se fakturaer, men ikke betale dem.
iam-pay-note-wire = Denne aftale betales via bankoverførsel, så der er ingen Betal nu.
iam-pay-note-settle = På en betal efter forbrug-konto betales forfaldne fakturaer samlet med Udlign saldo.
iam-pay-note-choose-profile = Dine roller gælder faktureringsprofiler: vælg en faktureringsprofil ovenfor for at se, hvad du må dér.
iam-assignments = Rolletildelinger
iam-col-user = Bruger
iam-col-role = Rolle
iam-choose-role = Vælg en rolle
iam-roles-account = Roller på faktureringskontoen
iam-roles-profile = Roller på faktureringsprofilen
iam-col-scope = Omfang
iam-admin-keeps = Beholder kontoen
iam-remove = Fjern
iam-add-heading = Tilføj en rolletildeling
iam-add = Tilføj
iam-email = E-mail
iam-role-scope-hint = Roller på faktureringskontoen gælder hele kontoen; roller på faktureringsprofiler og fakturaadministrator gælder én faktureringsprofil.
iam-done-added = Rollen er tilføjet.
iam-done-removed = Rolletildelingen er fjernet.
iam-error-email = Angiv en gyldig e-mailadresse.
iam-invite-sent = Der er sendt en invitation til { $email }. Kun ejeren af den postkasse kan tage imod den: linket i e-mailen sætter adgangskoden, virker én gang og til og med { $date }.
iam-error-email-invisible = E-mailadressen indeholder usynlige tegn eller tegn, der vender tekstretningen. Skriv adressen igen uden dem.
iam-error-email-lookalike = Brug en e-mailadresse med almindelige bogstaver (a–z, tal, . _ + -) før @: bogstaver fra andre alfabeter kan ligne en anden adresse.
iam-error-role = Vælg en rolle.
iam-error-already = Brugeren har allerede den rolle med det omfang.
iam-error-scope = Den faktureringsprofil findes ikke.
iam-error-role-scope = Rollen passer ikke til omfanget: vælg en faktureringskontorolle for kontoen eller en faktureringsprofilrolle eller fakturaadministrator for en faktureringsprofil.
iam-error-last-owner = Den sidste ejer af faktureringskontoen kan ikke fjernes. Tilføj en anden ejer først.

## Invitationer
invite-title = Vælg din adgangskode
invite-intro = Du er inviteret til { $account } som { $email }. Vælg en adgangskode for at gøre det færdigt.
invite-password = Ny adgangskode
invite-confirm = Gentag adgangskoden
invite-submit = Gem adgangskode
invite-done = Din adgangskode er gemt. Log ind som { $email }.
invite-unknown = Linket er ikke gyldigt. Bed den, der inviterede dig, om et nyt.
invite-expired = Linket er udløbet. Bed den, der inviterede dig, om et nyt.
invite-used = Linket er allerede brugt. Log ind med din adgangskode.
invite-revoked = Linket virker ikke længere: der er sendt en nyere invitation til adressen, eller rollen er fjernet. Brug linket i den seneste invitation.
invite-too-short = Brug mindst { $min } tegn.
invite-too-long = Adgangskoden er for lang.
invite-mismatch = De to adgangskoder er forskellige.

## Aktivitetslog
activity-kind = Type
activity-kind-all = Al aktivitet
activity-kind-auth = Logins
activity-kind-payments = Betalinger
activity-kind-settlements = Udlign saldo
activity-kind-methods = Betalingsmetoder
activity-kind-roles = Rolletildelinger
activity-kind-properties = Egenskaber
activity-period-24h = Seneste døgn
activity-period-7d = Seneste 7 dage
activity-period-30d = Seneste 30 dage
activity-period-90d = Seneste 90 dage
activity-period-all = Hele perioden
activity-empty = Ingen aktivitet passer til filteret.
activity-col-time = Tidspunkt
activity-col-event = Hændelse
activity-col-actor = Udført af
activity-col-ip = IP-adresse
activity-col-target = Mål
activity-col-details = Detaljer
activity-system = Faktura
event-auth-sign-in = Logget ind
event-auth-sign-in-failed = Login mislykkedes
event-auth-invitation-accepted = Invitation accepteret
event-payment-attempted = Betaling startet
event-payment-processing = Betaling behandles
event-payment-succeeded = Betaling gennemført
event-payment-failed = Betaling mislykkedes
event-payment-requires-action = Betaling venter på 3-D Secure
event-payment-unknown = Betalingens udfald er ukendt
event-settlement-attempted = Udligning af saldo startet
event-settlement-succeeded = Saldoen er udlignet
event-settlement-failed = Udligning af saldo mislykkedes
event-settlement-requires-action = Udligning af saldo venter på 3-D Secure
event-settlement-unknown = Udligningens udfald er ukendt
event-payment-method-added = Kort tilføjet
event-payment-method-default-set = Standardkort angivet
event-payment-method-replaced = Kort erstattet
event-payment-method-detached = Kort frakoblet
event-payment-method-setup-failed = Kort ikke tilføjet (3-D Secure mislykkedes)
event-payment-method-updated = Kortoplysninger opdateret af kortnetværket
event-role-granted = Rolle tilføjet
event-role-removed = Rolle fjernet
event-invitation-created = Invitation oprettet
event-properties-updated = Egenskaber ændret

## Dokumenter
download = Hent
download-invoice-label = Hent faktura { $number } (PDF)
receipt = Kvittering
pdf-invoice-title = Faktura
pdf-invoice-file = faktura
invoices-zip-file = fakturaer
invoices-download-selected = Hent valgte
invoices-download-hint = Vælg op til { $max } fakturaer for at hente deres PDF'er i én ZIP-fil.
invoices-select-label = Vælg faktura { $number }
col-select = Vælg
invoices-download-refused = Fakturaerne kunne ikke hentes
invoices-download-none = Vælg mindst én faktura at hente.
invoices-download-too-many = Du kan hente højst { $max } fakturaer ad gangen, og { $count } var valgt. Vælg færre, og prøv igen.
invoices-download-not-found = Faktura { $invoice } blev ikke fundet, eller du har ikke adgang til den. Intet blev hentet.
pdf-po-number = Indkøbsordrenr.: { $number }
pdf-receipt-title = Kvittering
pdf-receipt-file = kvittering
pdf-seller = Sælger
pdf-customer = Kunde
pdf-wire-heading = Betal via bankoverførsel
pdf-wire-reference-note = Brug fakturanummeret { $number } som betalingsreference.
pdf-receipt-intro = { $seller } bekræfter, at denne betaling er modtaget.
pdf-receipt-number = Kvitteringsnummer
pdf-receipt-reference = Betalingsreference
challenge-explain-setup = Bekræft, at kortet må tilføjes. Der trækkes intet. Dette er sandkassegatewayens testside: vælg udfaldet.
methods-add-card = Tilføj et kort
activity-period = Periode
methods-no-default = Faktureringsprofilen har ingen standardbetalingsmetode. Angiv en som standard, så der kan trækkes betalinger.
activity-limited = Du ser aktiviteten for de faktureringsprofiler, du administrerer: { $profiles }.

# Activity log details
detail-card = Kort
detail-expiry = Udløber
detail-reason = Årsag
detail-role = Rolle
detail-scope = Omfang
detail-scope-account = Hele faktureringskontoen
detail-profile-hidden = En faktureringsprofil, du ikke kan se
detail-invitation = Invitation
detail-invitation-mailed = Sendt til den nye bruger pr. mail
detail-3ds = 3-D Secure
detail-3ds-passed = Gennemført
detail-3ds-failed = Ikke gennemført
detail-invoices = Fakturaer
detail-credit-note = Kreditnota
detail-issued-on = Udstedt den
detail-note = Bemærkning
detail-late-applied = Beløbet blev trukket, efter at betalingen var registreret som mislykket; det er brugt på fakturaen.
detail-late-needs-refund = Beløbet blev trukket, efter at betalingen var registreret som mislykket, og en anden betaling havde allerede betalt fakturaen: refundér det.

## Refusioner og kreditnotaer (issue 15)
event-payment-refunded = Betaling refunderet
event-credit-note-issued = Kreditnota udstedt
event-credit_note-issued = Kreditnota udstedt
event-refund-requested = Refusion anmodet
event-refund-failed = Refusion mislykkedes
pdf-credit-note-title = Kreditnota
pdf-credit-note-file = kreditnota
pdf-credit-note-intro = { $seller } krediterer faktura { $number } med beløbet nedenfor, som er refunderet til det kort, fakturaen blev betalt med.
pdf-credit-note-number = Kreditnotanummer
pdf-credit-note-for = Krediterer faktura
pdf-credit-note-amount = Krediteret beløb
pdf-credit-note-reason = Årsag
refunds-title = Refusioner
refunds-intro = Refunder en gennemført betaling helt (lad beløbet stå tomt) eller delvist. Refusionen går tilbage til kortet gennem betalingstjenesten og udsteder en nummereret kreditnota for fakturaen.
refunds-none = Ingen gennemførte betalinger endnu.
refunds-payment = Betaling
refunds-left = Tilbage at refundere
refunds-refund = Refunder
refunds-amount = Beløb
refunds-amount-hint = Alt, hvad der er tilbage
refunds-reason = Årsag
refunds-nothing-left = Refunderet helt
refunds-late-charge = Trukket efter den mislykkedes: fakturaen blev betalt af en anden betaling, refundér den
event-payment-late-charge-refunded = Sen trækning refunderet
event-payment-charged-after-failure = Trukket efter fejl (skal refunderes)
refund-done = Refunderet { $amount } Kreditnota { $number } er udstedt.
refund-pending = Refusionen er sendt; betalingstjenesten har ikke svaret endnu. Faktura spørger igen og udsteder kreditnotaen, når den lykkes.
refund-done-late-charge = Den sene trækning blev refunderet: { $amount } Fakturaen blev ikke krediteret, så der blev ikke udstedt en kreditnota.
refund-failed = Betalingstjenesten afviste refusionen. Intet er refunderet.
refund-error-PaymentNotFound = Der er ingen sådan betaling på den fakturakonto.
refund-error-PaymentNotSucceeded = Kun en gennemført betaling kan refunderes.
refund-error-RefundExceedsPayment = Det er mere, end der er tilbage at refundere af betalingen.
refund-error-InvalidAmount = Angiv et positivt beløb i betalingens valuta, f.eks. 250,00.
refund-error-InvalidReason = Årsagen må højst være 500 tegn.
refund-error-RefundInProgress = Refusionen behandles stadig. Genindlæs siden om lidt for at se, hvordan den endte.
refund-error-RefundFormReused = Formularen er allerede sendt med andre værdier. Genindlæs siden, og prøv igen.
