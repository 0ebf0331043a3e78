//! The demo loaded into a test store, an account with its administrator and profiles, and the
//! activity log's event kinds.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::demo::DemoInput;
use faktura_store::*;

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub async fn loaded(store: &Store) {
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

pub struct Fixture {
    pub account: BillingAccount,
    pub admin: UserId,
    pub profiles: Vec<BillingProfile>,
}

pub async fn fixture(store: &Store, admin_email: &str) -> Fixture {
    let admin = store.user_by_email(admin_email).await.unwrap().unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
    let profiles = store.profiles(&account.id).await.unwrap();
    Fixture {
        account,
        admin: admin.id,
        profiles,
    }
}

pub fn actor(user: &UserId) -> AuditActor {
    AuditActor {
        user: user.clone(),
        ip: Some("203.0.113.9".into()),
    }
}

pub async fn kinds(store: &Store, account: &BillingAccountId, prefix: &str) -> Vec<String> {
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
