# Faktura — dansk (Danmark)

product-name = Faktura
skip-to-content = Gå til indholdet
search-label = Søg
search-placeholder = Søg efter ressourcer, tjenester og fakturaer
search-suggestions = Forslag
language-label = Sprog
language-apply = Skift
sign-out = Log ud

error-back-home = Gå til forsiden
error-forbidden-title = Du har ikke adgang
error-forbidden-text = Din rolle tillader ikke dette. Bed en ejer af faktureringskontoen eller kontoadministratoren om at give dig en rolle med den adgang, du har brug for.
error-not-found-title = Ikke fundet
error-not-found-text = Siden eller elementet findes ikke, eller det er flyttet.
error-csrf-title = Formularen er udløbet
error-csrf-text = Af sikkerhedshensyn kunne formularen ikke modtages. Gå tilbage, genindlæs siden, og prøv igen.
error-bad-request-title = Der er noget galt med forespørgslen
error-bad-request-text = Forespørgslen kunne ikke forstås. Gå tilbage, og kontrollér det, du har indtastet.
error-unauthenticated-title = Log på
error-unauthenticated-text = Du skal logge på for at se denne side.
error-internal-title = Noget gik galt
error-internal-text = Vi kunne ikke gennemføre forespørgslen. Der er ikke trukket noget. Prøv igen om lidt.

signin-title = Log på
signin-intro = Log på for at administrere fakturering, fakturaer og betalinger.
signin-email = E-mail
signin-password = Adgangskode
signin-submit = Log på
signin-missing = Angiv din e-mail og adgangskode.
signin-throttled = For mange mislykkede forsøg. Prøv igen om { $seconds } sek.
signin-wrong = E-mailen eller adgangskoden er forkert.

portal-title = Forside
portal-welcome = Velkommen til Faktura
portal-intro = Administrer dine faktureringskonti, fakturaer og betalingsmetoder.
portal-services = Tjenester
service-billing = Cost Management + Fakturering

search-results-title = Søgeresultater
search-results-heading = Resultater for “{ $query }”
search-services = Tjenester
search-no-services = Ingen tjenester passer.
search-invoices = Fakturaer
search-no-invoices = Ingen fakturaer passer.
search-invoice-label = Faktura { $number }
search-kind-service = Tjeneste

breadcrumb-home = Forside
breadcrumb-label = Brødkrummesti
scope-label = Omfang
scope-account = Faktureringskonto: { $name }
scope-profile = Faktureringsprofil: { $name }
scope-apply = Anvend
menu-toggle = Menu
nav-overview = Oversigt
nav-section-billing = Fakturering
nav-invoices = Fakturaer

accounts-choose = Vælg en faktureringskonto
accounts-none = Du har endnu ingen rolle på en faktureringskonto. Bed kontoadministratoren om adgang.
agreement-MicrosoftCustomerAgreement = Microsoft-kundeaftale
agreement-MicrosoftOnlineServicesProgram = Microsoft Online Services Program (betal efter forbrug)
agreement-EnterpriseAgreement = Enterprise Agreement
agreement-MicrosoftPartnerAgreement = Microsoft-partneraftale

overview-account-type = Faktureringskontotype
overview-open-invoices = Fakturaer til betaling
overview-go-invoices = Vis fakturaer

filter-status = Status
filter-period = Fakturadato
filter-apply = Anvend
filter-status-all = Alle statusser
filter-status-open = Forfalder eller overskredet
filter-period-all = Hele perioden
filter-period-3m = Seneste 3 måneder
filter-period-6m = Seneste 6 måneder
filter-period-12m = Seneste 12 måneder

status-Due = Forfalder
status-OverDue = Overskredet
status-Paid = Betalt
status-Void = Annulleret

invoices-empty = Ingen fakturaer passer til filtrene.
col-invoice-number = Faktura-id
col-billing-profile = Faktureringsprofil
col-billing-period = Faktureringsperiode
col-invoice-date = Fakturadato
col-due-date = Forfaldsdato
col-total = Samlet beløb
col-amount-due = Skyldigt beløb
col-status = Status
col-actions = Handlinger
pay-now = Betal nu
pager-label = Sider
pager-first = Første side
pager-next = Næste side

back-to-invoices = Tilbage til fakturaer
invoice-heading = Faktura { $number }
invoice-lines = Gebyrer
col-service = Tjeneste
col-description = Beskrivelse
col-quantity = Antal
col-unit-price = Enhedspris
col-amount = Beløb
invoice-subtotal = Subtotal
invoice-tax = Moms
invoice-credits = Anvendt kredit
invoice-paid = Betalt
invoice-payments = Betalinger
invoice-no-payments = Ingen betalinger endnu.
col-date = Dato
col-payment-method = Betalingsmetode
col-outcome = Resultat

card-ending = Kort, der slutter på { $last4 }
payment-method-card = Kort
payment-method-wire = Bankoverførsel
payment-state-processing = Behandles
payment-state-requires_action = Venter på godkendelse
payment-state-succeeded = Gennemført
payment-state-failed = Mislykkedes
payment-state-unknown = Behandles
payment-state-failed-because = Mislykkedes: { $reason }
failure-BankDeclined = kortet blev afvist af banken. Prøv et andet kort, eller kontakt din bank.
failure-InsufficientFunds = der er ikke dækning på kortet. Prøv et andet kort.
failure-CardExpired = kortet er udløbet. Brug et andet kort.
failure-IncorrectCardDetails = kortoplysningerne er forkerte. Kontrollér dem, og prøv igen.
failure-ProcessingError = der opstod en behandlingsfejl. Der er ikke trukket noget; prøv igen.
failure-AuthenticationFailed = 3-D Secure-godkendelsen mislykkedes. Der er ikke trukket noget.
failure-PrepaidCardRefused = forudbetalte og virtuelle kort accepteres ikke.

pay-title = Betal nu
pay-amount = Beløb til betaling
amount-paid = Betalt beløb
select-payment-method = Vælg en betalingsmetode
card-default = Standard
card-expired = Udløbet
add-new-card = Tilføj et nyt kort
card-holder = Kortholders navn
card-number = Kortnummer
card-expiry = Udløbsdato (MM/ÅÅ)
card-expiry-placeholder = MM/ÅÅ
card-cvc = CVC
card-label = { $brand } •••• { $last4 }, udløber { $expiry }
brand-visa = Visa
brand-mc = Mastercard
brand-amex = American Express
brand-other = Kort

wire-bank = Bank
wire-holder = Kontohaver
wire-reference = Betalingsreference
wire-over-limit = Fakturaen er over grænsen for kortbetaling på { $limit } og kan derfor ikke betales med kort. Betal den med bankoverførsel til disse oplysninger, og brug fakturanummeret som betalingsreference.
wire-agreement = Fakturaer under denne aftale betales med bankoverførsel. Brug disse oplysninger og fakturanummeret som betalingsreference.
pay-not-payable = Fakturaen kan ikke betales nu. Dens status er { $status }.
pay-in-progress = En betaling af fakturaen er allerede i gang. Betal ikke igen: se fakturaens status om et par minutter.
pay-already-paid = Fakturaen er allerede betalt.
pay-card-expired = Kortet er udløbet. Vælg et andet kort, eller tilføj et nyt.
pay-choose-method = Vælg et gemt kort, eller tilføj et nyt kort.

card-error-holder-missing = Angiv navnet på kortet.
card-error-holder-too-long = Navnet er for langt.
card-error-number-missing = Angiv kortnummeret.
card-error-number-too-long = Kortnummeret er for langt.
card-error-number-not-digits = Kortnummeret må kun indeholde cifre og mellemrum.
card-error-number-wrong-length = Et kortnummer har 12 til 19 cifre.
card-error-number-checksum = Kortnummeret er ikke gyldigt. Kontrollér det for tastefejl.
card-error-expiry-missing = Angiv udløbsdatoen.
card-error-expiry-format = Angiv udløbsdatoen som MM/ÅÅ.
card-error-expiry-expired = Kortet er udløbet.
card-error-cvc-missing = Angiv CVC.
card-error-cvc-not-digits = CVC må kun indeholde cifre.
card-error-cvc-wrong-length = CVC har 3 cifre (4 på American Express).
card-error-prepaid = Forudbetalte og virtuelle kort accepteres ikke. Brug et kredit- eller debetkort.

outcome-succeeded-title = Betalingen er gennemført
outcome-succeeded-text = Vi har modtaget din betaling på { $amount }, og faktura { $number } er nu betalt.
outcome-failed-title = Betalingen mislykkedes
outcome-action-title = Godkendelse påkrævet
outcome-action-text = Din bank beder dig bekræfte betalingen. Gennemfør 3-D Secure-kontrollen for at fortsætte.
outcome-processing-title = Betalingen behandles
outcome-processing-text = Vi bekræfter betalingen hos kortindløseren. Betal ikke igen: kig forbi igen om et par minutter.
pay-try-another = Prøv et andet kort
pay-check-again = Tjek igen

challenge-title = 3-D Secure-bekræftelse
challenge-bank = Sandkassebank
challenge-explain = Dette er testsiden i sandkassens betalingsgateway: bekræft betalingen på { $amount } ved at vælge resultatet.
challenge-complete = Gennemfør
challenge-fail = Afvis

api-title = API-reference
api-intro = Alt, hvad portalen kan, findes også som JSON-API: faktureringsressourcer i samme form som Microsoft.Billing (api-version 2024-04-01), Fakturas betalingsudvidelse med idempotensnøgler og operatør-API'et.
api-openapi-link = OpenAPI 3.1-dokumentet
api-auth-heading = Godkendelse
api-auth-text = Opret et personligt adgangstoken i brugermenuen (eller med faktura token create), og send det som Authorization: Bearer. Et token handler med brugerens roller og intet andet.
api-responses = Svar

tokens-title = API-tokens
tokens-intro = Personlige adgangstokens lader scripts og værktøjer bruge API'et som dig, med dine roller og intet andet.
tokens-created = Kopiér dit nye token nu. Det bliver ikke vist igen.
tokens-new = Opret et token
tokens-name = Navn
tokens-expires = Udløber
tokens-days = Om { $days } dage
tokens-never = Aldrig
tokens-create = Opret token
tokens-yours = Dine tokens
tokens-none = Du har ingen tokens endnu.
tokens-created-on = Oprettet
tokens-revoke = Tilbagekald
tokens-revoke-confirm-heading = Tilbagekald tokenet »{ $name }«?
tokens-revoke-confirm-text = Programmer, der bruger det, bliver afvist fra da af. Det kan ikke fortrydes.
confirm-cancel = Annuller
tokens-copy = Kopiér
tokens-copied = Kopieret
tokens-copy-failed = Markér tokenet, og kopiér det selv.
tokens-state-active = Aktivt
tokens-state-revoked = Tilbagekaldt
tokens-state-expired = Udløbet
tokens-error-name = Giv tokenet et navn (højst 100 tegn).
tokens-error-expiry = Vælg, hvornår tokenet udløber.

## Refusioner og kreditnotaer (issue 15)
invoice-refunded = Refunderet
invoice-credit-notes = Kreditnotaer
col-credit-note-number = Kreditnota
col-document = Dokument
credit-note-for = Kreditnota for faktura { $number }
download-credit-note-label = Hent kreditnota { $number } (PDF)
