//! In-process benchmarks (criterion): money formatting, the invoice-list query on an account of
//! 20,000 invoices (SQLite), idempotency-key start, and argon2id password hashing (sign-in's
//! cost). `cargo bench -p faktura-bench --bench inprocess`.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use faktura_domain::*;
use faktura_store::scale::{scale_owner_email, ScaleSpec};
use faktura_store::{InvoiceFilter, StatusFilter, Store};
use std::hint::black_box;

fn money(c: &mut Criterion) {
    let amount = Money::from_minor(123_456_789, Currency::DKK);
    c.bench_function("format_money da-DK", |b| {
        b.iter(|| Locale::DaDk.format_money(black_box(amount)))
    });
    c.bench_function("format_money en-US", |b| {
        b.iter(|| Locale::EnUs.format_money(black_box(amount)))
    });
}

fn filter(account: &BillingAccountId, today: NaiveDate) -> InvoiceFilter {
    InvoiceFilter {
        account: account.clone(),
        profiles: None,
        status: StatusFilter::Any,
        invoice_date_from: None,
        invoice_date_to: None,
        number_prefix: None,
        today,
        after: None,
        limit: 50,
    }
}

fn store_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let today = chrono::Utc::now().date_naive();
    let (store, account): (Store, BillingAccountId) = runtime.block_on(async {
        let store = faktura_store::test_support::sqlite().await;
        let spec = ScaleSpec {
            accounts: 2,
            profiles_per_account: 4,
            invoices_per_profile: 5_000,
            unpaid_days: 60,
            password_hash: "x".into(),
            card_token: "tok".into(),
            today,
        };
        store
            .load_scale(&spec, &mut |_| {})
            .await
            .expect("scale data");
        let owner = store
            .user_by_email(&scale_owner_email(1))
            .await
            .expect("query")
            .expect("owner");
        let account = store.accounts_for_user(&owner.id).await.expect("accounts")[0]
            .id
            .clone();
        (store, account)
    });
    let first = filter(&account, today);
    c.bench_function("list_invoices first page (50 of 20,000)", |b| {
        b.to_async(&runtime)
            .iter(|| async { store.list_invoices(&first).await.expect("list") })
    });
    let deep = runtime.block_on(async {
        let mut f = filter(&account, today);
        f.limit = 500;
        let mut cursor = None;
        for _ in 0..20 {
            f.after = cursor;
            cursor = store.list_invoices(&f).await.expect("list").next;
        }
        let mut deep = filter(&account, today);
        deep.after = cursor;
        deep
    });
    c.bench_function("list_invoices page 201 (keyset cursor)", |b| {
        b.to_async(&runtime)
            .iter(|| async { store.list_invoices(&deep).await.expect("list") })
    });
    let mut n = 0u64;
    c.bench_function(
        "start_idempotent (new key, SQLite, synchronous=FULL)",
        |b| {
            b.to_async(&runtime).iter(|| {
                n += 1;
                let key = format!("bench-{n}");
                let store = store.clone();
                async move {
                    store
                        .start_idempotent("bench", &key, "hash")
                        .await
                        .expect("start")
                }
            })
        },
    );
}

fn argon2(c: &mut Criterion) {
    let hash = faktura_web::auth::hash_password("correct horse").expect("hash");
    let mut group = c.benchmark_group("sign-in");
    group.sample_size(10);
    group.bench_function("argon2id verify (m=19 MiB, t=2, p=1)", |b| {
        b.iter(|| faktura_web::auth::verify_password(&hash, black_box("correct horse")))
    });
    group.finish();
}

criterion_group!(benches, money, store_benches, argon2);
criterion_main!(benches);
