//! The storage contract, run against SQLite always and PostgreSQL when configured.

use chrono::{Duration, NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::demo::{self, DemoInput, DemoLoad};
use faktura_store::*;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn demo_input() -> DemoInput {
    DemoInput {
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        saved_card_token: "sbx_ok_testtoken".into(),
        today: today(),
    }
}

async fn nordlys(store: &Store) -> (BillingAccount, UserId) {
    let admin = store
        .user_by_email(demo::NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let accounts = store.accounts_for_user(&admin.id).await.unwrap();
    assert_eq!(accounts.len(), 1);
    (accounts[0].clone(), admin.id)
}

fn all_of(account: &BillingAccountId) -> InvoiceFilter {
    InvoiceFilter {
        account: account.clone(),
        profiles: None,
        status: StatusFilter::Any,
        invoice_date_from: None,
        invoice_date_to: None,
        number_prefix: None,
        today: today(),
        after: None,
        limit: 500,
    }
}

async fn demo_loads_once_and_never_into_other_data(store: Store) {
    assert!(store.is_empty().await.unwrap());
    assert_eq!(
        store.load_demo(&demo_input()).await.unwrap(),
        DemoLoad::Loaded
    );
    assert_eq!(
        store.load_demo(&demo_input()).await.unwrap(),
        DemoLoad::AlreadyPresent
    );

    let other = test_support_store_like(&store).await;
    other
        .create_user("someone@else.example", "Someone", None)
        .await
        .unwrap();
    assert_eq!(
        other.load_demo(&demo_input()).await.unwrap(),
        DemoLoad::RefusedOtherData
    );
    assert!(other
        .user_by_email(demo::NORDLYS_ADMIN)
        .await
        .unwrap()
        .is_none());
}

/// A second fresh database on the same backend as `store`.
async fn test_support_store_like(store: &Store) -> Store {
    match store.backend() {
        Backend::Sqlite => test_support::sqlite().await,
        Backend::Postgres => test_support::postgres().await.unwrap(),
    }
}

async fn demo_has_the_promised_invoices(store: Store) {
    store.load_demo(&demo_input()).await.unwrap();
    let (account, _) = nordlys(&store).await;
    assert_eq!(account.display_name, "Nordlys Data ApS");
    assert_eq!(
        account.agreement_type,
        AgreementType::MicrosoftCustomerAgreement
    );
    let profiles = store.profiles(&account.id).await.unwrap();
    assert_eq!(profiles.len(), 2);
    assert!(profiles.iter().all(|p| p.currency == Currency::DKK));

    let page = store.list_invoices(&all_of(&account.id)).await.unwrap();
    assert_eq!(page.items.len(), 36, "18 months × 2 profiles");
    let statuses: Vec<InvoiceStatus> = page
        .items
        .iter()
        .map(|s| s.invoice.status_on(today()))
        .collect();
    let count = |wanted| statuses.iter().filter(|s| **s == wanted).count();
    assert_eq!(
        count(InvoiceStatus::Due),
        2,
        "one Due plus the one above the card limit"
    );
    assert_eq!(count(InvoiceStatus::OverDue), 1);
    assert_eq!(count(InvoiceStatus::Paid), 33);
    let largest = page
        .items
        .iter()
        .map(|s| s.invoice.total.minor())
        .max()
        .unwrap();
    assert!(
        largest > 50_000 * 700,
        "one invoice is above USD 50,000 in DKK: {largest}"
    );

    for summary in &page.items {
        let invoice = store
            .invoice(&account.id, &summary.invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert!(!invoice.lines.is_empty());
        let lines = Money::sum(invoice.currency(), invoice.lines.iter().map(|l| l.amount)).unwrap();
        assert_eq!(lines, invoice.subtotal);
        assert_eq!(
            invoice.subtotal.checked_add(invoice.tax).unwrap(),
            invoice.total
        );
        assert_eq!(
            invoice.tax,
            tax_at_percent(invoice.subtotal, 25).unwrap(),
            "25 % VAT"
        );
        let paid: i64 = store
            .payments_for_invoice(&account.id, &invoice.id)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.state == PaymentState::Succeeded)
            .map(|p| p.amount.minor())
            .sum();
        assert_eq!(
            paid,
            invoice.amount_paid.minor(),
            "succeeded payments = amount paid"
        );
    }

    let cards = store
        .payment_methods(
            &account.id,
            &profiles
                .iter()
                .find(|p| p.display_name == "Nordlys Drift")
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].last4, "4242");

    let prairie_owner = store
        .user_by_email(demo::PRAIRIE_OWNER)
        .await
        .unwrap()
        .unwrap();
    let prairie = &store.accounts_for_user(&prairie_owner.id).await.unwrap()[0];
    assert_eq!(
        prairie.agreement_type,
        AgreementType::MicrosoftOnlineServicesProgram
    );
    let prairie_invoices = store
        .list_invoices(&all_of(&prairie.id))
        .await
        .unwrap()
        .items;
    assert!(prairie_invoices
        .iter()
        .all(|s| s.invoice.currency() == Currency::USD));
    assert_eq!(
        prairie_invoices
            .iter()
            .filter(|s| s.invoice.status_on(today()) == InvoiceStatus::OverDue)
            .count(),
        1
    );
}

async fn access_follows_role_assignments(store: Store) {
    store.load_demo(&demo_input()).await.unwrap();
    let (account, admin) = nordlys(&store).await;
    let profiles = store.profiles(&account.id).await.unwrap();
    let operations = profiles
        .iter()
        .find(|p| p.display_name == "Nordlys Drift")
        .unwrap();
    let development = profiles
        .iter()
        .find(|p| p.display_name == "Nordlys Udvikling")
        .unwrap();
    let user = |email: &'static str| {
        let store = store.clone();
        async move { store.user_by_email(email).await.unwrap().unwrap().id }
    };

    let access = store.access(&account.id, &admin).await.unwrap();
    assert!(access.is_account_admin);

    let reader = store
        .access(&account.id, &user(demo::NORDLYS_READER).await)
        .await
        .unwrap();
    assert!(reader.allows(Permission::ViewInvoices, Some(&operations.id)));
    assert!(!reader.allows(Permission::PayInvoices, Some(&operations.id)));

    let manager = store
        .access(&account.id, &user(demo::NORDLYS_INVOICE_MANAGER).await)
        .await
        .unwrap();
    assert!(manager.allows(Permission::PayInvoices, Some(&operations.id)));
    assert!(!manager.allows(Permission::ViewInvoices, Some(&development.id)));

    let owner = store
        .access(&account.id, &user(demo::NORDLYS_PROFILE_OWNER).await)
        .await
        .unwrap();
    assert!(owner.allows(Permission::GrantAccess, Some(&development.id)));
    assert!(!owner.allows(Permission::GrantAccess, None));

    let outsider = user(demo::OUTSIDER).await;
    assert!(!store
        .access(&account.id, &outsider)
        .await
        .unwrap()
        .has_any_role());
    assert!(store.accounts_for_user(&outsider).await.unwrap().is_empty());

    let assignments = store.role_assignments(&account.id).await.unwrap();
    assert_eq!(assignments.len(), 4);
    let duplicate = store
        .add_role_assignment(
            &account.id,
            &admin,
            &Scope::Account,
            Role::BillingAccountOwner,
        )
        .await;
    assert!(duplicate.unwrap_err().is_unique_violation());
}

async fn invoice_list_pages_filters_and_scopes(store: Store) {
    store.load_demo(&demo_input()).await.unwrap();
    let (account, _) = nordlys(&store).await;
    let mut filter = all_of(&account.id);
    filter.limit = 5;
    let mut seen = Vec::new();
    loop {
        let page = store.list_invoices(&filter).await.unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(
            page.items
                .iter()
                .map(|s| (s.invoice.invoice_date, s.invoice.number.clone())),
        );
        match page.next {
            Some(cursor) => filter.after = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), 36);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, no duplicates across pages");
    sorted.dedup();
    assert_eq!(sorted.len(), 36);

    let mut overdue = all_of(&account.id);
    overdue.status = StatusFilter::Only(InvoiceStatus::OverDue);
    assert_eq!(store.list_invoices(&overdue).await.unwrap().items.len(), 1);
    let mut due = all_of(&account.id);
    due.status = StatusFilter::Only(InvoiceStatus::Due);
    assert_eq!(store.list_invoices(&due).await.unwrap().items.len(), 2);
    let mut open = all_of(&account.id);
    open.status = StatusFilter::Open;
    assert_eq!(store.list_invoices(&open).await.unwrap().items.len(), 3);

    let mut recent = all_of(&account.id);
    recent.invoice_date_from = Some(today() - Duration::days(95));
    let recent_count = store.list_invoices(&recent).await.unwrap().items.len();
    assert!(
        (6..=8).contains(&recent_count),
        "about three months × 2 profiles: {recent_count}"
    );

    let profiles = store.profiles(&account.id).await.unwrap();
    let mut scoped = all_of(&account.id);
    scoped.profiles = Some(vec![profiles[0].id.clone()]);
    let items = store.list_invoices(&scoped).await.unwrap().items;
    assert_eq!(items.len(), 18);
    assert!(items
        .iter()
        .all(|s| s.invoice.billing_profile_id == profiles[0].id));
    scoped.profiles = Some(vec![]);
    assert!(store.list_invoices(&scoped).await.unwrap().items.is_empty());

    // Another account's id never reaches Nordlys invoices.
    let prairie_owner = store
        .user_by_email(demo::PRAIRIE_OWNER)
        .await
        .unwrap()
        .unwrap();
    let prairie = &store.accounts_for_user(&prairie_owner.id).await.unwrap()[0];
    let nordlys_invoice = &store
        .list_invoices(&all_of(&account.id))
        .await
        .unwrap()
        .items[0]
        .invoice;
    assert!(store
        .invoice(&prairie.id, &nordlys_invoice.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .invoice_by_number(&prairie.id, &nordlys_invoice.number)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .invoice_by_number(&account.id, &nordlys_invoice.number)
        .await
        .unwrap()
        .is_some());
}

async fn open_invoice(store: &Store) -> (BillingAccount, UserId, Invoice, PaymentMethodId) {
    store.load_demo(&demo_input()).await.unwrap();
    let (account, admin) = nordlys(store).await;
    let mut filter = all_of(&account.id);
    filter.status = StatusFilter::Only(InvoiceStatus::OverDue);
    let invoice = store.list_invoices(&filter).await.unwrap().items[0]
        .invoice
        .clone();
    let card = store
        .payment_methods(&account.id, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    (account, admin, invoice, card)
}

fn begin(
    account: &BillingAccount,
    admin: &UserId,
    invoice: &Invoice,
    card: &PaymentMethodId,
) -> BeginPayment {
    BeginPayment {
        account: account.id.clone(),
        invoice: invoice.id.clone(),
        amount: None,
        payment_method: Some(card.clone()),
        created_by: admin.clone(),
        today: today(),
        ip: Some("127.0.0.1".into()),
    }
}

async fn a_succeeded_payment_marks_the_invoice_paid(store: Store) {
    let (account, admin, invoice, card) = open_invoice(&store).await;
    let payment = store
        .begin_payment(&begin(&account, &admin, &invoice, &card))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.state, PaymentState::Processing);
    assert_eq!(payment.amount, invoice.amount_due().unwrap());

    let again = store
        .begin_payment(&begin(&account, &admin, &invoice, &card))
        .await
        .unwrap();
    assert!(matches!(again, Err(PayRefusal::InProgress(ref p)) if p.id == payment.id));

    let outcome = PaymentOutcome::Succeeded {
        reference: "ch_1".into(),
    };
    let settled = store
        .settle_payment(&account.id, &payment.id, &outcome, Some(&admin), None)
        .await
        .unwrap();
    assert!(settled.changed);
    assert_eq!(settled.payment.state, PaymentState::Succeeded);
    let paid = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert!(paid.amount_due().unwrap().is_zero());

    // Settling again (a retry or the janitor) changes nothing and pays nothing twice.
    let replay = store
        .settle_payment(&account.id, &payment.id, &outcome, None, None)
        .await
        .unwrap();
    assert!(!replay.changed);
    assert_eq!(
        store
            .invoice(&account.id, &invoice.id)
            .await
            .unwrap()
            .unwrap()
            .amount_paid,
        paid.amount_paid
    );
    let after = store
        .begin_payment(&begin(&account, &admin, &invoice, &card))
        .await
        .unwrap();
    assert!(matches!(after, Err(PayRefusal::AlreadyPaid(_))));

    let events = store
        .audit_events(&AuditFilter {
            account: account.id.clone(),
            kind_prefix: Some("payment.".into()),
            since: None,
            limit: 10,
        })
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["payment.succeeded", "payment.attempted"]);
    assert_eq!(events[1].ip.as_deref(), Some("127.0.0.1"));
}

async fn a_failed_payment_leaves_the_invoice_payable(store: Store) {
    let (account, admin, invoice, card) = open_invoice(&store).await;
    let payment = store
        .begin_payment(&begin(&account, &admin, &invoice, &card))
        .await
        .unwrap()
        .unwrap();
    let declined = PaymentOutcome::Failed {
        reason: FailureReason::InsufficientFunds,
        reference: None,
    };
    let settled = store
        .settle_payment(&account.id, &payment.id, &declined, Some(&admin), None)
        .await
        .unwrap();
    assert_eq!(
        settled.payment.failure_reason,
        Some(FailureReason::InsufficientFunds)
    );
    let unchanged = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.amount_paid, invoice.amount_paid);
    assert_eq!(unchanged.status, invoice.status);
    let retry = store
        .begin_payment(&begin(&account, &admin, &invoice, &card))
        .await
        .unwrap();
    assert!(retry.is_ok(), "a new attempt may start after a failure");
}

async fn concurrent_attempts_start_exactly_one_payment(store: Store) {
    let (account, admin, invoice, card) = open_invoice(&store).await;
    let request = begin(&account, &admin, &invoice, &card);
    let attempts = (0..25).map(|_| {
        let store = store.clone();
        let request = request.clone();
        tokio::spawn(async move { store.begin_payment(&request).await })
    });
    let mut started = 0;
    let mut refused = 0;
    for attempt in attempts {
        match attempt.await.unwrap().unwrap() {
            Ok(_) => started += 1,
            Err(PayRefusal::InProgress(_)) => refused += 1,
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
    assert_eq!((started, refused), (1, 24));
    assert_eq!(
        store
            .payments_for_invoice(&account.id, &invoice.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn invoices_must_match_their_profile(store: Store) {
    store.load_demo(&demo_input()).await.unwrap();
    let (account, _) = nordlys(&store).await;
    let profile = &store.profiles(&account.id).await.unwrap()[0];
    let issue = |number: &str, currency| {
        InvoiceDraft {
            billing_account_id: account.id.clone(),
            billing_profile_id: profile.id.clone(),
            currency,
            number: number.into(),
            invoice_date: today(),
            period_start: today() - Duration::days(30),
            period_end: today() - Duration::days(1),
            due_date: today() + Duration::days(30),
            lines: vec![LineDraft {
                service: "Support".into(),
                description: "x".into(),
                quantity_milli: 1000,
                unit_price_minor: 100,
                amount_minor: Some(100),
            }],
            tax_minor: 25,
            credits_minor: 0,
        }
        .issue(Utc::now())
        .unwrap()
    };
    store
        .insert_invoice(&issue("T0001", Currency::DKK))
        .await
        .unwrap();
    assert!(matches!(
        store.insert_invoice(&issue("T0001", Currency::DKK)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.insert_invoice(&issue("T0002", Currency::EUR)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .invoice_by_number(&account.id, "T0002")
            .await
            .unwrap()
            .is_none(),
        "nothing half-written"
    );
}

/// Invoices of the same date come by number, highest first, whatever order they were stored in
/// and whatever their ids, on every page.
async fn invoices_of_one_date_are_ordered_by_number(store: Store) {
    store.load_demo(&demo_input()).await.unwrap();
    let (account, _) = nordlys(&store).await;
    let profile = &store.profiles(&account.id).await.unwrap()[0];
    let date = today() + Duration::days(400);
    for number in ["T0002", "T0010", "T0001", "T0003"] {
        let invoice = InvoiceDraft {
            billing_account_id: account.id.clone(),
            billing_profile_id: profile.id.clone(),
            currency: profile.currency,
            number: number.into(),
            invoice_date: date,
            period_start: date - Duration::days(30),
            period_end: date - Duration::days(1),
            due_date: date + Duration::days(30),
            lines: vec![LineDraft {
                service: "Support".into(),
                description: "x".into(),
                quantity_milli: 1000,
                unit_price_minor: 100,
                amount_minor: Some(100),
            }],
            tax_minor: 25,
            credits_minor: 0,
        }
        .issue(Utc::now())
        .unwrap();
        store.insert_invoice(&invoice).await.unwrap();
    }
    let expected = ["T0010", "T0003", "T0002", "T0001"];
    for profiles in [None, Some(vec![profile.id.clone()])] {
        let mut filter = all_of(&account.id);
        filter.profiles = profiles;
        filter.invoice_date_from = Some(date);
        let numbers: Vec<String> = store
            .list_invoices(&filter)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.invoice.number)
            .collect();
        assert_eq!(numbers, expected);
        // One invoice per page: each cursor continues after the number it ends on.
        filter.limit = 1;
        let mut paged = Vec::new();
        loop {
            let page = store.list_invoices(&filter).await.unwrap();
            paged.extend(page.items.into_iter().map(|s| s.invoice.number));
            match page.next {
                Some(cursor) => {
                    assert_eq!(cursor.number, *paged.last().unwrap());
                    filter.after = Some(cursor);
                }
                None => break,
            }
        }
        assert_eq!(paged, expected);
    }
    // The newest date still comes first: these four lead the whole account's list.
    let first: Vec<String> = store
        .list_invoices(&all_of(&account.id))
        .await
        .unwrap()
        .items
        .into_iter()
        .take(5)
        .map(|s| s.invoice.number)
        .collect();
    assert_eq!(first[..4], expected);
    assert_ne!(first[4], "T0001");
}

async fn sessions_expire_and_can_be_revoked(store: Store) {
    let user = store
        .create_user("Someone@Example.com ", "Someone", Some("hash"))
        .await
        .unwrap();
    assert_eq!(user.email, "someone@example.com");
    let (token, session) = store
        .create_session(&user.id, Duration::hours(8))
        .await
        .unwrap();
    assert_eq!(store.session(&token).await.unwrap(), Some(session));
    assert!(store.session("not-a-token").await.unwrap().is_none());
    store.delete_session(&token).await.unwrap();
    assert!(store.session(&token).await.unwrap().is_none());
    let (expired, _) = store
        .create_session(&user.id, Duration::seconds(-1))
        .await
        .unwrap();
    assert!(store.session(&expired).await.unwrap().is_none());
    assert_eq!(store.delete_expired_sessions().await.unwrap(), 1);
    let (found, hash) = store
        .credentials("SOMEONE@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, hash.as_deref()), (user.id, Some("hash")));
}

faktura_store::on_both_backends!(
    demo_loads_once_and_never_into_other_data,
    demo_has_the_promised_invoices,
    access_follows_role_assignments,
    invoice_list_pages_filters_and_scopes,
    a_succeeded_payment_marks_the_invoice_paid,
    a_failed_payment_leaves_the_invoice_payable,
    concurrent_attempts_start_exactly_one_payment,
    invoices_must_match_their_profile,
    invoices_of_one_date_are_ordered_by_number,
    sessions_expire_and_can_be_revoked,
    help_feedback_and_support_requests,
);

async fn help_feedback_and_support_requests(store: Store) {
    store.load_demo(&demo_input()).await.unwrap();
    let admin = store
        .user_by_email(demo::NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let reader = store
        .user_by_email(demo::NORDLYS_READER)
        .await
        .unwrap()
        .unwrap();
    assert!(!admin.is_operator);
    assert!(
        store
            .user_by_email(demo::OPERATOR)
            .await
            .unwrap()
            .unwrap()
            .is_operator
    );

    store
        .record_help_feedback(
            &admin.id,
            "betale faktura",
            "da-DK",
            "builtin:pay-an-invoice",
            false,
        )
        .await
        .unwrap();
    let feedback = store.recent_help_feedback(10).await.unwrap();
    assert_eq!(feedback.len(), 1);
    assert_eq!(
        (feedback[0].0.as_str(), feedback[0].3),
        ("betale faktura", false)
    );

    let new = |user: &User, subject: &str, severity: &str| NewSupportRequest {
        user: user.id.clone(),
        subject: subject.into(),
        description: "It does not work".into(),
        severity: severity.into(),
        contact: user.email.clone(),
        query: Some("pay now missing".into()),
    };
    let first = store
        .create_support_request(&new(&admin, "Card refused", "high"))
        .await
        .unwrap();
    store
        .create_support_request(&new(&reader, "Cannot pay", "normal"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_support_request(&new(&admin, "x", "urgent!"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mine = store.support_requests_for(&admin.id).await.unwrap();
    assert_eq!(mine.len(), 1, "a customer sees only their own requests");
    assert_eq!(
        (mine[0].status.as_str(), mine[0].user_email.as_str()),
        ("open", demo::NORDLYS_ADMIN)
    );
    assert_eq!(store.all_support_requests(100).await.unwrap().len(), 2);
    let operator = faktura_store::AuditActor {
        user: admin.id.clone(),
        ip: None,
    };
    store
        .set_support_request_status(&first, "in_progress", &operator)
        .await
        .unwrap();
    // The same status again changes nothing and tells nobody twice.
    store
        .set_support_request_status(&first, "in_progress", &operator)
        .await
        .unwrap();
    assert_eq!(
        store.support_requests_for(&admin.id).await.unwrap()[0].status,
        "in_progress"
    );
    let events = store
        .claim_outbox_events(100, chrono::Utc::now(), chrono::Duration::minutes(1))
        .await
        .unwrap();
    let updates: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "support_request.updated")
        .collect();
    assert_eq!(updates.len(), 1, "one event per change");
    assert_eq!(updates[0].detail["status"], "in_progress");
    assert!(store
        .set_support_request_status(&first, "bogus", &operator)
        .await
        .is_err());
    assert!(matches!(
        store
            .set_support_request_status("sr_missing", "closed", &operator)
            .await,
        Err(StoreError::NotFound)
    ));
}
