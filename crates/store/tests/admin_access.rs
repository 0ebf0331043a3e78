//! Access control (grants, invitations, removals), properties and activity-log paging, on
//! SQLite always and PostgreSQL when configured.

mod common;

use chrono::{Duration, Utc};
use common::{actor, fixture, kinds, loaded};
use faktura_domain::*;
use faktura_store::demo;
use faktura_store::*;

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
            Locale::DaDk,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(granted.user.email, "new.person@nordlys.example");
    let invitation_id = granted.invitation.clone().unwrap();
    let expires = granted.invitation_expires.unwrap();
    // Its mail is queued with the grant, naming the invitation, in the inviter's language,
    // and holding no token (there is none yet: the worker makes the link when it mails it).
    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, detail FROM outbox_events WHERE target = $1 ORDER BY kind")
            .bind("new.person@nordlys.example")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert_eq!(queued[0].0, "invitation.created");
    let detail: serde_json::Value = serde_json::from_str(&queued[0].1).unwrap();
    assert_eq!(detail["invitation"], invitation_id.as_str());
    assert_eq!(detail["mail_locale"], "da-DK");
    assert_eq!(queued[1].0, "role.granted");
    // The link is made for the mail; making it again (a retried mail) replaces the token.
    let first = store
        .issue_invitation_link(&invitation_id, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.email, "new.person@nordlys.example");
    assert_eq!(first.expires_at, expires);
    assert!(!queued[0].1.contains(&first.token));
    let token = store
        .issue_invitation_link(&invitation_id, Utc::now())
        .await
        .unwrap()
        .unwrap()
        .token;
    assert_eq!(
        store.invitation(&first.token).await.unwrap().unwrap_err(),
        InvitationRefusal::Unknown,
        "only the latest mail's link works"
    );
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
                Locale::DaDk,
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
                &who,
                Locale::DaDk,
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
            Locale::DaDk,
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
            Locale::DaDk,
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
        store
            .issue_invitation_link(&invitation_id, Utc::now())
            .await
            .unwrap(),
        None,
        "a used invitation is not mailed again"
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
            Locale::DaDk,
        )
        .await
        .unwrap()
        .unwrap();
    let late_id = late.invitation.unwrap();
    let late_token = store
        .issue_invitation_link(&late_id, Utc::now())
        .await
        .unwrap()
        .unwrap()
        .token;
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE user_id = $2")
        .bind((Utc::now() - Duration::minutes(1)).timestamp_millis())
        .bind(late.user.id.as_str())
        .execute(store.pool())
        .await
        .unwrap();
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
            Locale::DaDk,
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
    grant_invite_and_remove_roles,
    properties_and_activity_paging,
);
