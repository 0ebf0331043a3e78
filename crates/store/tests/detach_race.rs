//! A card being detached and a payment starting with it, at the same time: either the payment
//! starts and the detach is refused (the card is in use), or the card is detached and the
//! payment is refused. Never both. On SQLite and PostgreSQL.

use chrono::{NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::demo::{self, DemoInput};
use faktura_store::*;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn open_invoice(store: &Store) -> (BillingAccount, UserId, Invoice, PaymentMethodId) {
    store
        .load_demo(&DemoInput {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
            saved_card_token: "tok_sbx_ok_testtoken".into(),
            today: today(),
        })
        .await
        .unwrap();
    let admin = store
        .user_by_email(demo::NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
    let filter = InvoiceFilter {
        account: account.id.clone(),
        profiles: None,
        status: StatusFilter::Only(InvoiceStatus::OverDue),
        invoice_date_from: None,
        invoice_date_to: None,
        number_prefix: None,
        today: today(),
        after: None,
        limit: 10,
    };
    let invoice = store.list_invoices(&filter).await.unwrap().items[0]
        .invoice
        .clone();
    let card = store
        .payment_methods(&account.id, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    (account, admin.id, invoice, card)
}

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
