# API-referencesiden (/api): gruppenavne og beskrivelser af operationerne (da-DK).

## Grupper
api-tag-billing-accounts = Faktureringskonti
api-tag-billing-profiles = Faktureringsprofiler
api-tag-invoices = Fakturaer
api-tag-payment-methods = Betalingsmetoder
api-tag-access = Adgang
api-tag-payments-faktura-extension = Betalinger (Faktura-udvidelse)
api-tag-operator = Operatør
api-tag-webhooks-faktura-extension = Webhooks (Faktura-udvidelse)
api-tag-notifications-faktura-extension = Notifikationer (Faktura-udvidelse)

## Operationer
api-op-BillingAccounts_List = Faktureringskonti, som den kaldende har en rolle på
api-op-BillingAccounts_Get = Én faktureringskonto
api-op-BillingProfiles_ListByBillingAccount = Kontoens faktureringsprofiler, som den kaldende må se
api-op-BillingProfiles_Get = Én faktureringsprofil
api-op-Invoices_ListByBillingAccount = Kontoens fakturaer, nyeste først, opdelt i sider med nextLink
api-op-Invoices_ListByBillingProfile = Fakturaer for én faktureringsprofil, nyeste først, opdelt i sider med nextLink
api-op-Invoices_GetByBillingAccount = Én faktura, efter id eller fakturanummer
api-op-PaymentMethods_ListByBillingProfile = Profilens kort (token, kortmærke, sidste fire cifre, udløb, kortholder)
api-op-PaymentMethods_GetByBillingProfile = Ét af profilens kort
api-op-PaymentMethodSetups_Create = Begynd at tilføje et kort med Stripe.js (gateway stripe): {"{"}id, clientSecret, publishableKey, stripeJsUrl{"}"}; browseren bekræfter det med confirmCardSetup
api-op-PaymentMethodSetups_Complete = Gem kortet fra en opsætning, som browseren har bekræftet (forudbetalte kort afvises og frakobles igen)
api-op-PaymentMethods_Detach = Frakobl et kort (også hos gatewayen)
api-op-BillingRoleAssignments_ListByBillingAccount = Rolletildelinger på kontoniveau og på de profiler, den kaldende må se
api-op-BillingRoleAssignments_ListByBillingProfile = Rolletildelinger på én profil
api-op-BillingPermissions_ListByBillingAccount = Hvad den kaldende må gøre på kontoen
api-op-BillingPermissions_ListByBillingProfile = Hvad den kaldende må gøre på én profil
api-op-BillingPermissions_CheckAccessByBillingAccount = Om den kaldende må udføre hver handling på kontoen
api-op-BillingPermissions_CheckAccessByBillingProfile = Om den kaldende må udføre hver handling på én profil
api-op-Invoices_Pay = Betal hele fakturaen med et gemt kort. Send en Idempotency-Key-header for at kunne prøve igen sikkert: det første svar gentages i 48 timer; den samme nøgle med andre parametre giver 422; mens den første anmodning kører, 409.
api-op-Invoices_DownloadByBillingAccount = Et link til fakturaens PDF, der virker uden token i 60 minutter: {"{"}url, expiryTime{"}"}
api-op-Documents_Open = Fakturaens PDF bag et downloadlink (intet token nødvendigt; 404, når det er udløbet)
api-op-Invoices_GetPayment = Én betaling af fakturaen
api-op-Invoices_CancelPayment = Annuller et forsøg, der venter på 3-D Secure: betalingen bagefter, Failed med AuthenticationAbandoned (eller Succeeded, hvis godkendelsen blev gennemført først); fakturaen kan betales igen
api-op-Operator_CreateUser = Opret en bruger
api-op-Operator_CreateBillingAccount = Opret en faktureringskonto; dens administrator bliver dens ejer
api-op-Operator_CreateBillingProfile = Opret en faktureringsprofil
api-op-Operator_AssignRole = Giv en bruger en rolle på konto- eller profilniveau
api-op-Operator_IssueInvoice = Udsted en faktura (profilens valuta; linjer, moms og total skal stemme; datoer i rækkefølge; unikt nummer)
api-op-Operator_VoidInvoice = Annuller en ubetalt faktura uden en igangværende betaling
api-op-Operator_RefundPayment = Refunder en gennemført betaling helt (uden beløb) eller delvist via gatewayen; hver refusion udsteder en nummereret kreditnota. Send en Idempotency-Key-header for at kunne prøve igen sikkert. Koder: PaymentNotFound (404), PaymentNotSucceeded og RefundExceedsPayment (409), InvalidAmount (400).
api-op-Operator_ListPayments = De nyeste betalinger på tværs af konti
api-op-Operator_ListSupportRequests = Alle supportanmodninger
api-op-WebhookEndpoints_Create = Registrer et endpoint (kontoejere): svaret indeholder dets signeringsnøgle, som vises denne ene gang. Hændelsestyper: invoice.issued, invoice.paid, invoice.due_soon, invoice.past_due, payment.succeeded, payment.failed, payment.requires_action, payment.refunded, credit_note.issued, payment_method.added, payment_method.replaced, payment_method.expiring (ingen eller "*": alle). Interne adresser afvises.
api-op-NotificationSettings_Get = Den kaldendes notifikationsindstillinger: hvert emne, om det sendes pr. e-mail, dets standard, og om det altid sendes
api-op-NotificationSettings_Update = Skift den kaldendes valg for de nævnte emner (de andre bevarer deres); indstillingerne bagefter
api-op-WebhookEndpoints_List = Kontoens endpoints (uden signeringsnøgler)
api-op-WebhookEndpoints_Delete = Fjern et endpoint; dets ventende leveringer stopper
api-op-WebhookEndpoints_RotateSecret = En ny signeringsnøgle (i svaret, denne ene gang); den gamle signerer også i 24 timer
api-op-WebhookEndpoints_ListAttempts = Endpointets leveringslog, nyeste først: hændelse, forsøg, HTTP-status, svartid, begyndelsen af svaret
api-op-WebhookEndpoints_Resend = Send én levering igen (samme webhook-id)
api-op-Operator_CreateWebhookEndpoint = Registrer et endpoint for alle kontis hændelser (svaret indeholder dets nøgle, denne ene gang)
api-op-Operator_ListWebhookEndpoints = Operatørens endpoints
