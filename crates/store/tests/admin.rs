//! Payment-method management, Settle balance, access control, properties and the activity log,
//! on SQLite always and PostgreSQL when configured.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::demo::{self, DemoInput};
use faktura_store::*;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn loaded(store: &Store) {
    store
        .load_demo(&DemoInput {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
            saved_card_token: "tok_sbx_ok_demo".into(),
            today: today(),
        })
        .await
        .unwrap();
}

struct Fixture {
    account: BillingAccount,
    admin: UserId,
    profiles: Vec<BillingProfile>,
}

async fn fixture(store: &Store, admin_email: &str) -> Fixture {
    let admin = store.user_by_email(admin_email).await.unwrap().unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
    let profiles = store.profiles(&account.id).await.unwrap();
    Fixture {
        account,
        admin: admin.id,
        profiles,
    }
}

fn actor(user: &UserId) -> AuditActor {
    AuditActor {
        user: user.clone(),
        ip: Some("203.0.113.9".into()),
    }
}

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

async fn kinds(store: &Store, account: &BillingAccountId, prefix: &str) -> Vec<String> {
    store
        .activity(&ActivityQuery {
            account: account.clone(),
            profiles: None,
            kind_prefix: Some(prefix.into()),
            since: None,
            until: None,
            before: None,
            limit: 200,
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.event.kind)
        .collect()
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
        .finish_card_setup(&n.account.id, &pending.id, true, &who)
        .await
        .unwrap());
    assert!(!store
        .finish_card_setup(&n.account.id, &pending.id, false, &who)
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

async fn grant_invite_and_remove_roles(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let who = actor(&n.admin);
    let drift = n
        .profiles
        .iter()
        .find(|p| p.display_name == "Nordlys Drift")
        .unwrap();

    // An unknown e-mail becomes an invited user with a one-time link.
    let granted = store
        .grant_role(
            &n.account.id,
            "New.Person@Nordlys.example",
            &Scope::Profile(drift.id.clone()),
            Role::BillingProfileContributor,
            &who,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(granted.user.email, "new.person@nordlys.example");
    let token = granted.invitation.clone().unwrap();
    let expires = granted.invitation_expires.unwrap();
    assert!(expires > Utc::now() + Duration::days(6));
    assert!(store
        .credentials("new.person@nordlys.example")
        .await
        .unwrap()
        .unwrap()
        .1
        .is_none());
    let access = store.access(&n.account.id, &granted.user.id).await.unwrap();
    assert!(access.allows(Permission::ManagePaymentMethods, Some(&drift.id)));

    // Twice the same role is refused; a role that does not fit its scope too.
    assert_eq!(
        store
            .grant_role(
                &n.account.id,
                "new.person@nordlys.example",
                &Scope::Profile(drift.id.clone()),
                Role::BillingProfileContributor,
                &who,
            )
            .await
            .unwrap()
            .unwrap_err(),
        GrantRefusal::AlreadyAssigned
    );
    assert_eq!(
        store
            .grant_role(
                &n.account.id,
                "x@nordlys.example",
                &Scope::Account,
                Role::InvoiceManager,
                &who
            )
            .await
            .unwrap()
            .unwrap_err(),
        GrantRefusal::RoleDoesNotFitScope
    );
    // An existing user with a password gets no link.
    let existing = store
        .grant_role(
            &n.account.id,
            demo::NORDLYS_READER,
            &Scope::Profile(drift.id.clone()),
            Role::BillingProfileReader,
            &who,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(existing.invitation.is_none());
    // A user of another account is never handed a set-password link by this one.
    store
        .grant_role(
            &n.account.id,
            demo::PRAIRIE_OWNER,
            &Scope::Account,
            Role::BillingAccountReader,
            &who,
        )
        .await
        .unwrap()
        .unwrap();

    // The link works once, and only as the token (only its hash is stored).
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "the raw token is not stored");
    let invitation = store.invitation(&token).await.unwrap().unwrap();
    assert_eq!(invitation.account_name, "Nordlys Data ApS");
    let user = store
        .accept_invitation(&token, "$argon2id$fake", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.id, granted.user.id);
    assert_eq!(
        store
            .accept_invitation(&token, "$argon2id$other", None)
            .await
            .unwrap()
            .unwrap_err(),
        InvitationRefusal::Used
    );
    assert_eq!(
        store.invitation("nonsense").await.unwrap().unwrap_err(),
        InvitationRefusal::Unknown
    );

    // An expired link is refused.
    let late = store
        .grant_role(
            &n.account.id,
            "late@nordlys.example",
            &Scope::Account,
            Role::BillingAccountReader,
            &who,
        )
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE user_id = $2")
        .bind((Utc::now() - Duration::minutes(1)).timestamp_millis())
        .bind(late.user.id.as_str())
        .execute(store.pool())
        .await
        .unwrap();
    let late_token = late.invitation.unwrap();
    assert_eq!(
        store.invitation(&late_token).await.unwrap().unwrap_err(),
        InvitationRefusal::Expired
    );
    assert_eq!(
        store
            .accept_invitation(&late_token, "$argon2id$x", None)
            .await
            .unwrap()
            .unwrap_err(),
        InvitationRefusal::Expired
    );

    // The last account owner stays; with a second owner, one may go.
    let owners: Vec<_> = store
        .role_assignments(&n.account.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|(a, _)| a.role == Role::BillingAccountOwner)
        .collect();
    assert_eq!(owners.len(), 1);
    assert_eq!(
        store
            .remove_role_assignment(&n.account.id, &owners[0].0.id, &who)
            .await
            .unwrap()
            .unwrap_err(),
        RemoveRefusal::LastOwner
    );
    store
        .grant_role(
            &n.account.id,
            "second-owner@nordlys.example",
            &Scope::Account,
            Role::BillingAccountOwner,
            &who,
        )
        .await
        .unwrap()
        .unwrap();
    let (removed, email) = store
        .remove_role_assignment(&n.account.id, &owners[0].0.id, &who)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(email, demo::NORDLYS_ADMIN);
    assert_eq!(removed.role, Role::BillingAccountOwner);
    // The account administrator keeps the account without the owner role.
    let admin_access = store.access(&n.account.id, &n.admin).await.unwrap();
    assert!(admin_access.allows(Permission::GrantAccess, None));

    let logged = kinds(&store, &n.account.id, "role.").await;
    assert!(logged.contains(&"role.granted".to_owned()));
    assert!(logged.contains(&"role.removed".to_owned()));
}

async fn properties_and_activity_paging(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let who = actor(&n.admin);
    let profile = &n.profiles[0];
    let mut bill_to = profile.bill_to.clone();
    bill_to.line1 = "Nyhavn 1".into();
    let updated = store
        .update_profile_properties(
            &n.account.id,
            &profile.id,
            &bill_to,
            "ap@nordlys.example",
            &who,
        )
        .await
        .unwrap();
    assert_eq!(updated.invoice_email, "ap@nordlys.example");
    let reread = store
        .profile(&n.account.id, &profile.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reread.bill_to.line1, "Nyhavn 1");

    // 30 more events, then page through them 10 at a time.
    for i in 0..30 {
        store
            .record_audit(&NewAuditEvent {
                billing_account_id: Some(n.account.id.clone()),
                actor: Some(n.admin.clone()),
                kind: "test.event".into(),
                target: format!("t{i}"),
                detail: serde_json::json!({}),
                ip: None,
            })
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .activity(&ActivityQuery {
                account: n.account.id.clone(),
                profiles: None,
                kind_prefix: Some("test.".into()),
                since: None,
                until: None,
                before: before.clone(),
                limit: 10,
            })
            .await
            .unwrap();
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|e| e.event.target.clone()));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 30);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 30, "no event twice");

    let props = store
        .activity(&ActivityQuery {
            account: n.account.id.clone(),
            profiles: None,
            kind_prefix: Some("properties.".into()),
            since: Some(Utc::now() - Duration::hours(1)),
            until: None,
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(props.items.len(), 1);
    let entry = &props.items[0];
    assert_eq!(entry.actor_email.as_deref(), Some(demo::NORDLYS_ADMIN));
    assert_eq!(entry.event.ip.as_deref(), Some("203.0.113.9"));
    assert!(entry.event.detail.contains("Nyhavn 1"));
    assert!(
        entry.event.detail.contains("Strandvejen 100")
            || entry.event.detail.contains("Åboulevarden")
    );
    // Another account's log shows none of it; the future shows nothing.
    let prairie = fixture(&store, demo::PRAIRIE_OWNER).await;
    assert!(kinds(&store, &prairie.account.id, "properties.")
        .await
        .is_empty());
    let future = store
        .activity(&ActivityQuery {
            account: n.account.id.clone(),
            profiles: None,
            kind_prefix: None,
            since: Some(Utc::now() + Duration::hours(1)),
            until: None,
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(future.items.is_empty());

    // Scoped to a profile: its own property change, not the other profile's, nor the test events.
    let other = n.profiles.iter().find(|p| p.id != profile.id).unwrap();
    let scoped = |profiles: Vec<BillingProfileId>| ActivityQuery {
        account: n.account.id.clone(),
        profiles: Some(profiles),
        kind_prefix: None,
        since: None,
        until: None,
        before: None,
        limit: 100,
    };
    let mine = store
        .activity(&scoped(vec![profile.id.clone()]))
        .await
        .unwrap();
    assert!(mine
        .items
        .iter()
        .any(|e| e.event.kind == "properties.updated"));
    assert!(mine.items.iter().all(|e| e.event.kind != "test.event"));
    let theirs = store
        .activity(&scoped(vec![other.id.clone()]))
        .await
        .unwrap();
    assert!(theirs
        .items
        .iter()
        .all(|e| e.event.kind != "properties.updated"));
    assert!(store
        .activity(&scoped(vec![]))
        .await
        .unwrap()
        .items
        .is_empty());
}

faktura_store::on_both_backends!(
    cards_add_default_replace_and_detach,
    three_d_secure_cards_wait_inactive,
    settle_balance_pays_everything_once,
    a_failed_settlement_leaves_everything_payable,
    grant_invite_and_remove_roles,
    properties_and_activity_paging,
);
