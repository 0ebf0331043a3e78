//! Payment-method management and Settle balance, on SQLite always and PostgreSQL when
//! configured (access control, properties and the activity log: `admin_access.rs`).

mod common;

use chrono::{Datelike, Utc};
use common::{actor, fixture, kinds, loaded, today, Fixture};
use faktura_domain::*;
use faktura_store::demo;
use faktura_store::*;

fn card(account: &BillingAccountId, profile: &BillingProfileId, last4: &str) -> PaymentMethod {
    PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: account.clone(),
        billing_profile_id: profile.clone(),
        gateway_token: format!("tok_sbx_ok_{last4}"),
        brand: CardBrand::Mastercard,
        last4: last4.into(),
        exp_month: 6,
        exp_year: today().year() + 2,
        holder: "Test Holder".into(),
        status: PaymentMethodStatus::Active,
        created_at: Utc::now(),
    }
}

async fn cards_add_default_replace_and_detach(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let drift = n
        .profiles
        .iter()
        .find(|p| p.display_name == "Nordlys Drift")
        .unwrap();
    let who = actor(&n.admin);
    let saved = store
        .payment_methods(&n.account.id, &drift.id)
        .await
        .unwrap();
    assert_eq!(saved.len(), 1);
    let visa = saved[0].clone();

    let mc = card(&n.account.id, &drift.id, "4444");
    store.add_card(&mc, &AddMode::Add, &who).await.unwrap();
    let listed = store
        .payment_methods(&n.account.id, &drift.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, visa.id, "the default stays first");

    store
        .set_default_payment_method(&n.account.id, &drift.id, &mc.id, &who)
        .await
        .unwrap();
    let profile = store
        .profile(&n.account.id, &drift.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.default_payment_method_id.as_ref(), Some(&mc.id));

    // Drift has unpaid invoices: its default cannot be detached; another card can.
    let refused = store
        .detach_payment_method(&n.account.id, &drift.id, &mc.id, &who)
        .await
        .unwrap();
    assert!(matches!(
        refused,
        Err(DetachRefusal::DefaultWithUnpaidInvoices(count)) if count >= 2
    ));
    let detached = store
        .detach_payment_method(&n.account.id, &drift.id, &visa.id, &who)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detached.status, PaymentMethodStatus::Inactive);
    assert_eq!(
        store
            .detach_payment_method(&n.account.id, &drift.id, &visa.id, &who)
            .await
            .unwrap(),
        Err(DetachRefusal::NotFound),
        "a detached card is gone"
    );

    // Replace: the new card becomes the default in the same step.
    let replacement = card(&n.account.id, &drift.id, "0005");
    store
        .add_card(&replacement, &AddMode::Replace(mc.id.clone()), &who)
        .await
        .unwrap();
    let profile = store
        .profile(&n.account.id, &drift.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        profile.default_payment_method_id.as_ref(),
        Some(&replacement.id)
    );
    // Replacing a card of another profile is refused and adds nothing.
    let udvikling = n
        .profiles
        .iter()
        .find(|p| p.display_name == "Nordlys Udvikling")
        .unwrap();
    let stray = card(&n.account.id, &udvikling.id, "1111");
    assert!(matches!(
        store
            .add_card(&stray, &AddMode::Replace(mc.id.clone()), &who)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .payment_methods(&n.account.id, &udvikling.id)
        .await
        .unwrap()
        .is_empty());

    let logged = kinds(&store, &n.account.id, "payment_method.").await;
    for kind in [
        "payment_method.added",
        "payment_method.default_set",
        "payment_method.detached",
        "payment_method.replaced",
    ] {
        assert!(logged.iter().any(|k| k == kind), "{kind} in {logged:?}");
    }
}

async fn three_d_secure_cards_wait_inactive(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let udvikling = n
        .profiles
        .iter()
        .find(|p| p.display_name == "Nordlys Udvikling")
        .unwrap();
    let who = actor(&n.admin);
    let pending = card(&n.account.id, &udvikling.id, "3184");
    store.add_pending_card(&pending).await.unwrap();
    assert!(store
        .payment_methods(&n.account.id, &udvikling.id)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .pending_card(&n.account.id, &pending.id)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .finish_card_setup(&n.account.id, &pending.id, true, Some(&who))
        .await
        .unwrap());
    assert!(!store
        .finish_card_setup(&n.account.id, &pending.id, false, Some(&who))
        .await
        .unwrap());
    let listed = store
        .payment_methods(&n.account.id, &udvikling.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let profile = store
        .profile(&n.account.id, &udvikling.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.default_payment_method_id, Some(pending.id));
}

async fn prairie_with_card(store: &Store) -> (Fixture, PaymentMethod) {
    loaded(store).await;
    let p = fixture(store, demo::PRAIRIE_OWNER).await;
    let method = card(&p.account.id, &p.profiles[0].id, "4242");
    store
        .add_card(&method, &AddMode::Add, &actor(&p.admin))
        .await
        .unwrap();
    (p, method)
}

fn begin(p: &Fixture, method: &PaymentMethod) -> BeginSettlement {
    BeginSettlement {
        account: p.account.id.clone(),
        payment_method: method.id.clone(),
        created_by: p.admin.clone(),
        today: today(),
        ip: None,
    }
}

async fn settle_balance_pays_everything_once(store: Store) {
    let (p, method) = prairie_with_card(&store).await;
    let outstanding = store.outstanding_invoices(&p.account.id).await.unwrap();
    assert!(!outstanding.is_empty());
    // The default card of a profile with unpaid invoices cannot be detached.
    assert_eq!(
        store
            .detach_payment_method(
                &p.account.id,
                &p.profiles[0].id,
                &method.id,
                &actor(&p.admin)
            )
            .await
            .unwrap(),
        Err(DetachRefusal::DefaultWithUnpaidInvoices(
            outstanding.len() as i64
        ))
    );

    // Many concurrent requests: exactly one settlement starts.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let store = store.clone();
        let request = begin(&p, &method);
        tasks.push(tokio::spawn(async move {
            store.begin_settlement(&request).await
        }));
    }
    let mut started = Vec::new();
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Ok(settlement) => started.push(settlement),
            Err(SettleRefusal::InProgress(_)) => {}
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
    assert_eq!(started.len(), 1, "exactly one settlement");
    let settlement = started.remove(0);
    let expected: i64 = outstanding
        .iter()
        .map(|i| i.amount_due().unwrap().minor())
        .sum();
    assert_eq!(settlement.amount.minor(), expected);

    // While it is open, Pay now on any of its invoices is refused.
    let refused = store
        .begin_payment(&BeginPayment {
            account: p.account.id.clone(),
            invoice: outstanding[0].id.clone(),
            amount: None,
            payment_method: Some(method.id.clone()),
            created_by: p.admin.clone(),
            today: today(),
            ip: None,
        })
        .await
        .unwrap();
    assert!(matches!(refused, Err(PayRefusal::InProgress(_))));

    let done = store
        .finish_settlement(
            &p.account.id,
            &settlement.id,
            &PaymentOutcome::Succeeded {
                reference: "ch_1".into(),
            },
            Some(&p.admin),
            None,
        )
        .await
        .unwrap();
    assert!(done.changed);
    assert_eq!(done.settlement.state, PaymentState::Succeeded);
    for invoice in &outstanding {
        let now = store
            .invoice(&p.account.id, &invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, InvoiceStatus::Paid, "{}", now.number);
    }
    // Finishing again changes nothing; nothing is left to settle.
    let again = store
        .finish_settlement(
            &p.account.id,
            &settlement.id,
            &PaymentOutcome::Failed {
                reason: FailureReason::BankDeclined,
                reference: None,
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert!(!again.changed);
    assert_eq!(
        store.begin_settlement(&begin(&p, &method)).await.unwrap(),
        Err(SettleRefusal::NothingOutstanding)
    );
    assert_eq!(
        store
            .settlement_invoices(&p.account.id, &settlement.id)
            .await
            .unwrap()
            .len(),
        outstanding.len()
    );
    // Nothing unpaid now, but the only card of a pay-as-you-go account stays.
    assert_eq!(
        store
            .detach_payment_method(
                &p.account.id,
                &p.profiles[0].id,
                &method.id,
                &actor(&p.admin)
            )
            .await
            .unwrap(),
        Err(DetachRefusal::LastCardOfPayAsYouGo)
    );
    let logged = kinds(&store, &p.account.id, "settlement.").await;
    assert!(logged.contains(&"settlement.succeeded".to_owned()));
}

async fn a_failed_settlement_leaves_everything_payable(store: Store) {
    let (p, method) = prairie_with_card(&store).await;
    let outstanding = store.outstanding_invoices(&p.account.id).await.unwrap();
    let settlement = store
        .begin_settlement(&begin(&p, &method))
        .await
        .unwrap()
        .unwrap();
    store
        .finish_settlement(
            &p.account.id,
            &settlement.id,
            &PaymentOutcome::Failed {
                reason: FailureReason::InsufficientFunds,
                reference: Some("ch_x".into()),
            },
            None,
            None,
        )
        .await
        .unwrap();
    for invoice in &outstanding {
        let now = store
            .invoice(&p.account.id, &invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(now.status, InvoiceStatus::Paid);
        assert!(store
            .open_payment_for(&p.account.id, &invoice.id)
            .await
            .unwrap()
            .is_none());
    }
    // A Pay now in progress on one invoice blocks the whole settlement.
    let paying = store
        .begin_payment(&BeginPayment {
            account: p.account.id.clone(),
            invoice: outstanding[0].id.clone(),
            amount: None,
            payment_method: Some(method.id.clone()),
            created_by: p.admin.clone(),
            today: today(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.begin_settlement(&begin(&p, &method)).await.unwrap(),
        Err(SettleRefusal::InvoicePaymentOpen)
    );
    assert!(store
        .open_settlement(&p.account.id)
        .await
        .unwrap()
        .is_none());
    // A settlement's payment cannot be settled on its own.
    let settlement_payment = store
        .payments_for_invoice(&p.account.id, &outstanding[0].id)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id != paying.id)
        .unwrap();
    assert!(matches!(
        store
            .settle_payment(
                &p.account.id,
                &settlement_payment.id,
                &PaymentOutcome::Succeeded {
                    reference: "x".into()
                },
                None,
                None
            )
            .await,
        Err(StoreError::NotFound)
    ));
}
faktura_store::on_both_backends!(
    cards_add_default_replace_and_detach,
    three_d_secure_cards_wait_inactive,
    settle_balance_pays_everything_once,
    a_failed_settlement_leaves_everything_payable,
);
