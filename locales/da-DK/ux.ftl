# Portalen, som folk bruger den: at gemme et kort, fejloversigten, brødkrummer, afvisninger (da-DK)

## Betal nu med et nyt kort
pay-save-card = Gem kortet til senere
pay-save-card-hint = Kortet gemmes på faktureringsprofilen { $profile }, hvor alle, der må betale dens fakturaer, kan bruge det. Lad feltet være tomt for kun at bruge det til denne betaling.
pay-card-used-once = Kortet bruges kun til denne betaling; det gemmes ikke.

## Udlign saldo med et nyt kort
settle-new-card-saved = Kortet gemmes på faktureringsprofilen { $profile } og trækkes for det samlede beløb.
settle-no-card-ask-manager = Der er intet gemt kort at udligne saldoen med. Bed en, der må administrere faktureringsprofilens betalingsmetoder, om at tilføje et.

## Fejloversigt efter en mislykket indsendelse
error-summary-title = Der er et problem

## Afvisninger inde i tjenesten
refused-because-role-here = Din rolle her ({ $roles }) giver ikke lov til dette. Bed en ejer af faktureringskontoen eller kontoadministratoren om en rolle, der gør.

## Brødkrummesti
payment-crumb = Betaling

## Dokumenter
pdf-paid-note = Denne faktura er betalt. Der er intet at betale.
pdf-seller-vat-number = CVR-nr. { $number }
pdf-col-vat = Moms
pdf-vat-rate = { $rate } %
pdf-vat-at = Moms { $rate }
pdf-vat-summary = Momsspecifikation
pdf-vat-rate-heading = Momssats
pdf-vat-base = Momsgrundlag
pdf-payments-heading = Modtagne betalinger
pdf-payments-other = Andre registrerede betalinger
