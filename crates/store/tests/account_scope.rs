//! `Store::account_scope`: the account, the user's access on it and its profiles in one query,
//! the same on both backends as separate reads of the account, its role assignments and its
//! profiles.

mod common;

use faktura_domain::*;
use faktura_store::*;

async fn same_as_the_separate_reads(store: Store) {
    common::loaded(&store).await;
    let nordlys = common::fixture(&store, demo::NORDLYS_ADMIN).await;
    let prairie = common::fixture(&store, demo::PRAIRIE_OWNER).await;
    let everyone = [
        demo::NORDLYS_ADMIN,
        demo::NORDLYS_READER,
        demo::NORDLYS_INVOICE_MANAGER,
        demo::NORDLYS_PROFILE_OWNER,
        demo::PRAIRIE_OWNER,
        demo::OUTSIDER,
    ];
    for email in everyone {
        let user = store.user_by_email(email).await.unwrap().unwrap().id;
        for account in [&nordlys.account, &prairie.account] {
            let (found, access, profiles) = store
                .account_scope(&account.id, &user)
                .await
                .unwrap()
                .expect("the account exists");
            // Against reads that share nothing with it: the account, and its role assignments
            // filtered to the user.
            let separate = store.account(&account.id).await.unwrap().unwrap();
            assert_eq!(found, separate, "{email}");
            assert_eq!(access.is_account_admin, separate.account_admin == user);
            let mut grants = access.grants.clone();
            let mut expected: Vec<(Scope, Role)> = store
                .role_assignments(&account.id)
                .await
                .unwrap()
                .into_iter()
                .filter(|(assignment, _)| assignment.user_id == user)
                .map(|(assignment, _)| (assignment.scope, assignment.role))
                .collect();
            grants.sort_by_key(|g| format!("{g:?}"));
            expected.sort_by_key(|g| format!("{g:?}"));
            assert_eq!(grants, expected, "{email} on {}", account.display_name);
            // Every profile, in the order of `profiles` (by name), whatever the user's roles.
            assert_eq!(profiles, store.profiles(&account.id).await.unwrap());
        }
    }
    // The demo's role holders have the roles the README promises.
    let manager = store
        .user_by_email(demo::NORDLYS_INVOICE_MANAGER)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, access, profiles) = store
        .account_scope(&nordlys.account.id, &manager)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(access.grants.len(), 1, "{:?}", access.grants);
    assert!(!access.is_account_admin);

    let unknown = BillingAccountId::generate();
    assert!(store
        .account_scope(&unknown, &nordlys.admin)
        .await
        .unwrap()
        .is_none());
    // An account with no profiles and no role of the user still comes back, alone.
    let empty = store
        .create_account(
            "Tom Konto ApS",
            AgreementType::MicrosoftCustomerAgreement,
            "DK",
            &nordlys.account.sold_to,
            &prairie.admin,
        )
        .await
        .unwrap();
    let (found, access, profiles) = store
        .account_scope(&empty.id, &nordlys.admin)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, empty);
    assert!(!access.has_any_role());
    assert!(profiles.is_empty());
}

faktura_store::on_both_backends!(same_as_the_separate_reads);
