//! A card being detached and a payment starting with it, at the same time: either the payment
//! starts and the detach is refused (the card is in use), or the card is detached and the
//! payment is refused. Never both. On SQLite and PostgreSQL.

mod common;

use common::{open_invoice, today};

use chrono::Utc;
use faktura_domain::*;
use faktura_store::*;

/// A second, non-default card on the invoice's profile (the default cannot be detached while
/// invoices are unpaid).
async fn second_card(store: &Store, invoice: &Invoice, admin: &UserId) -> PaymentMethod {
    let method = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: invoice.billing_account_id.clone(),
        billing_profile_id: invoice.billing_profile_id.clone(),
        gateway_token: "tok_sbx_ok_second".into(),
        brand: CardBrand::Mastercard,
        last4: "4444".into(),
        exp_month: 12,
        exp_year: 2099,
        holder: "Second Card".into(),
        status: PaymentMethodStatus::Active,
        created_at: Utc::now(),
    };
    store
        .add_card(
            &method,
            &AddMode::Add,
            &AuditActor {
                user: admin.clone(),
                ip: None,
            },
        )
        .await
        .unwrap();
    method
}

fn request(
    account: &BillingAccount,
    invoice: &Invoice,
    card: &PaymentMethodId,
    admin: &UserId,
) -> BeginPayment {
    BeginPayment {
        account: account.id.clone(),
        invoice: invoice.id.clone(),
        amount: None,
        payment_method: Some(card.clone()),
        created_by: admin.clone(),
        today: today(),
        ip: None,
    }
}

async fn a_detached_card_cannot_start_a_payment(store: Store) {
    let (account, admin, invoice, _default) = open_invoice(&store).await;
    let card = second_card(&store, &invoice, &admin).await;
    let actor = AuditActor {
        user: admin.clone(),
        ip: None,
    };
    store
        .detach_payment_method(&account.id, &invoice.billing_profile_id, &card.id, &actor)
        .await
        .unwrap()
        .unwrap();
    // The person chose the card before it was detached; the start re-checks it.
    let begun = store
        .begin_payment(&request(&account, &invoice, &card.id, &admin))
        .await
        .unwrap();
    assert_eq!(begun, Err(PayRefusal::MethodUnusable));
    assert!(store
        .payments_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .is_empty());
}

async fn detach_and_pay_at_once_never_both(store: Store) {
    let (account, admin, invoice, _default) = open_invoice(&store).await;
    let actor = AuditActor {
        user: admin.clone(),
        ip: None,
    };
    let mut outcomes = std::collections::BTreeMap::new();
    for _ in 0..12 {
        let card = second_card(&store, &invoice, &admin).await;
        let pay = {
            let store = store.clone();
            let request = request(&account, &invoice, &card.id, &admin);
            tokio::spawn(async move { store.begin_payment(&request).await.unwrap() })
        };
        let detach = {
            let store = store.clone();
            let (account, profile, card, actor) = (
                account.id.clone(),
                invoice.billing_profile_id.clone(),
                card.id.clone(),
                actor.clone(),
            );
            tokio::spawn(async move {
                store
                    .detach_payment_method(&account, &profile, &card, &actor)
                    .await
                    .unwrap()
            })
        };
        let (paid, detached) = (pay.await.unwrap(), detach.await.unwrap());
        match (&paid, &detached) {
            (Ok(payment), Err(DetachRefusal::InUse)) => {
                // The payment holds the card; end it so that the next round can start one.
                store
                    .settle_payment(
                        &account.id,
                        &payment.id,
                        &PaymentOutcome::Failed {
                            reason: FailureReason::ProcessingError,
                            reference: None,
                        },
                        None,
                        None,
                    )
                    .await
                    .unwrap();
                *outcomes.entry("paid, detach refused").or_insert(0) += 1;
            }
            (Err(PayRefusal::MethodUnusable), Ok(_)) => {
                *outcomes.entry("detached, payment refused").or_insert(0) += 1;
            }
            other => panic!("a payment and a detach of its card both went through: {other:?}"),
        }
    }
    assert_eq!(outcomes.values().sum::<i32>(), 12, "{outcomes:?}");
}

faktura_store::on_both_backends!(
    a_detached_card_cannot_start_a_payment,
    detach_and_pay_at_once_never_both,
);
