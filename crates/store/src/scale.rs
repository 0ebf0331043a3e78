//! Scale data for benchmarks: many accounts, profiles and invoices (with line items, statuses and
//! succeeded payments for the paid ones), written with multi-row INSERTs in large transactions.
//!
//! The SQL is the same portable set as everywhere else (`$n` placeholders, BIGINT money, TEXT
//! dates), so the generator fills PostgreSQL as well as SQLite. Users, accounts, profiles, roles and
//! cards go through the ordinary per-row functions (there are few of them); invoices, lines and
//! payments are batched. Invoice and payment ids are sequential (`inv_s…`, `pay_s…`), so the
//! primary-key B-trees grow at their right edge instead of taking random inserts.

use crate::accounts::{add_payment_method, add_role_assignment, create_account, create_profile};
use crate::rows::{date_text, millis};
use crate::users::insert_user;
use crate::{Backend, NewProfile, Result, Store, StoreError};
use chrono::{Duration, NaiveDate, NaiveTime};
use faktura_domain::*;
use sqlx::{AnyConnection, Connection, Executor};

/// Invoices per multi-row INSERT (lines and payments follow their invoices' batch).
const BATCH: usize = 200;
/// Invoices per transaction.
const PER_TRANSACTION: u64 = 20_000;
/// The tables the batches fill, analysed as they grow (PostgreSQL).
const ANALYZE_BATCHED: &str = "ANALYZE invoices, invoice_lines, payments";
/// Payment terms of generated invoices.
const TERMS_DAYS: i64 = 45;

/// What to generate.
#[derive(Debug, Clone)]
pub struct ScaleSpec {
    pub accounts: u32,
    pub profiles_per_account: u32,
    pub invoices_per_profile: u32,
    /// Invoices dated within this many days of `today` are left unpaid (Due, or past due once
    /// their 45-day terms have run out); older ones are paid (a few are void).
    pub unpaid_days: u32,
    /// Every generated user's password hash (argon2id, computed once by the caller).
    pub password_hash: String,
    /// The gateway token of each profile's saved card.
    pub card_token: String,
    pub today: NaiveDate,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScaleReport {
    pub users: u64,
    pub accounts: u64,
    pub profiles: u64,
    pub invoices: u64,
    pub lines: u64,
    pub payments: u64,
    pub unpaid: u64,
}

/// The e-mail of account `n`'s (1-based) owner and reader.
pub fn scale_owner_email(n: u32) -> String {
    format!("owner{n}@scale.example")
}

pub fn scale_reader_email(n: u32) -> String {
    format!("reader{n}@scale.example")
}

impl ScaleSpec {
    pub fn total_invoices(&self) -> u64 {
        u64::from(self.accounts)
            * u64::from(self.profiles_per_account)
            * u64::from(self.invoices_per_profile)
    }

    /// Days between a profile's invoices: monthly-ish for few invoices, daily for many.
    fn step_days(&self) -> i64 {
        (730 / i64::from(self.invoices_per_profile.max(1))).clamp(1, 30)
    }
}

struct ProfileInfo {
    account: String,
    profile: String,
    currency: Currency,
    tax_percent: i64,
    card: String,
    owner: String,
}

struct InvoiceRow {
    id: String,
    profile: usize,
    number: String,
    invoice_date: String,
    period_start: String,
    period_end: String,
    due_date: String,
    subtotal: i64,
    tax: i64,
    total: i64,
    paid: i64,
    status: &'static str,
    created_at: i64,
}

struct LineRow {
    invoice: usize,
    position: i64,
    service: &'static str,
    description: &'static str,
    quantity_milli: i64,
    unit_price_minor: i64,
    amount_minor: i64,
}

struct PaymentRow {
    id: String,
    invoice: usize,
    amount: i64,
    paid_at: i64,
}

/// (service, description, base quantity in thousandths, unit price in minor units).
const CATALOGUE: [(&str, &str, i64, i64); 8] = [
    (
        "Virtual Machines",
        "D4s v5, Linux, West Europe (hours)",
        730_000,
        148,
    ),
    (
        "Storage",
        "Blob Storage, hot tier, LRS (GB-month)",
        2_400_000,
        142,
    ),
    (
        "Azure SQL Database",
        "General Purpose, 4 vCores (hours)",
        730_000,
        412,
    ),
    ("Bandwidth", "Data transfer out, Zone 1 (GB)", 380_000, 61),
    ("Support", "Standard support plan (month)", 1_000, 69_900),
    (
        "Azure Functions",
        "Execution time (million GB-s)",
        3_000,
        1_600,
    ),
    (
        "Azure DevOps",
        "Basic plan users (user-month)",
        12_000,
        4_120,
    ),
    ("Storage", "Managed disks, P10 (disk-month)", 6_000, 14_550),
];

const CURRENCIES: [(Currency, i64, &str); 4] = [
    (Currency::DKK, 25, "DK"),
    (Currency::EUR, 19, "DE"),
    (Currency::USD, 0, "US"),
    (Currency::SEK, 25, "SE"),
];

/// A cheap deterministic spread (Knuth's multiplicative hash).
fn mix(seed: u64) -> u64 {
    let x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 29)
}

/// A SQL text literal. Generated values hold no quotes, but escape anyway.
fn push_text(sql: &mut String, value: &str) {
    sql.push('\'');
    for c in value.chars() {
        if c == '\'' {
            sql.push('\'');
        }
        sql.push(c);
    }
    sql.push('\'');
}

/// One VALUES tuple of literals (`T` text, `I` integer).
enum Lit<'a> {
    T(&'a str),
    I(i64),
}

fn push_row(sql: &mut String, first: bool, values: &[Lit<'_>]) {
    use std::fmt::Write as _;
    sql.push_str(if first { " VALUES (" } else { ", (" });
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        match value {
            Lit::T(text) => push_text(sql, text),
            Lit::I(n) => {
                let _ = write!(sql, "{n}");
            }
        }
    }
    sql.push(')');
}

const INVOICE_COLUMNS: &str = "INSERT INTO invoices (id, billing_account_id, billing_profile_id, \
     number, invoice_date, period_start, period_end, due_date, currency, subtotal_minor, tax_minor, \
     total_minor, credits_minor, amount_paid_minor, status, created_at)";
const LINE_COLUMNS: &str = "INSERT INTO invoice_lines (invoice_id, position, billing_account_id, \
     service, description, quantity_milli, unit_price_minor, amount_minor)";
const PAYMENT_COLUMNS: &str = "INSERT INTO payments (id, billing_account_id, invoice_id, \
     amount_minor, currency, payment_method_id, state, gateway_reference, created_by, created_at, \
     updated_at)";

impl Store {
    /// Writes scale data into an empty database. `progress` is told the number of invoices written.
    pub async fn load_scale(
        &self,
        spec: &ScaleSpec,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<ScaleReport> {
        if !self.is_empty().await? {
            return Err(StoreError::Conflict(
                "scale data is only generated into an empty database",
            ));
        }
        let mut conn = self.pool().acquire().await?;
        if self.backend() == Backend::Sqlite {
            // A large page cache keeps the index B-trees in memory while they grow.
            conn.execute("PRAGMA cache_size = -262144").await?;
        }
        let mut report = ScaleReport::default();
        let profiles = {
            let mut tx = begin(&mut conn, self.backend()).await?;
            let profiles = create_parties(&mut tx, spec, &mut report).await?;
            tx.commit().await?;
            profiles
        };
        let mut sequence: u64 = 0;
        let mut written: u64 = 0;
        let mut tx = begin(&mut conn, self.backend()).await?;
        let mut in_transaction: u64 = 0;
        let mut invoices: Vec<InvoiceRow> = Vec::with_capacity(BATCH);
        let mut lines: Vec<LineRow> = Vec::with_capacity(BATCH * 4);
        let mut payments: Vec<PaymentRow> = Vec::with_capacity(BATCH);
        let step = spec.step_days();
        for (profile_index, profile) in profiles.iter().enumerate() {
            for k in 0..spec.invoices_per_profile {
                sequence += 1;
                let age_days = i64::from(spec.invoices_per_profile - 1 - k) * step;
                generate_invoice(
                    spec,
                    profile,
                    profile_index,
                    sequence,
                    age_days,
                    &mut invoices,
                    &mut lines,
                    &mut payments,
                )?;
                if invoices.len() == BATCH {
                    flush(
                        &mut tx,
                        &profiles,
                        &invoices,
                        &lines,
                        &payments,
                        &mut report,
                    )
                    .await?;
                    in_transaction += invoices.len() as u64;
                    written += invoices.len() as u64;
                    invoices.clear();
                    lines.clear();
                    payments.clear();
                    progress(written);
                    // PostgreSQL: the foreign-key checks (lines and payments → invoices) keep
                    // the plans made when the tables were nearly empty — sequential scans,
                    // quadratic as the tables grow — until new statistics invalidate them.
                    // Autovacuum would, but it may be off or late; so ANALYZE (sampled, cheap)
                    // each time the tables have doubled, inside the first transaction too, and
                    // after every commit.
                    let doubled = (written / BATCH as u64).is_power_of_two();
                    if in_transaction >= PER_TRANSACTION {
                        tx.commit().await?;
                        if self.backend() == Backend::Postgres {
                            conn.execute(ANALYZE_BATCHED).await?;
                        }
                        tx = begin(&mut conn, self.backend()).await?;
                        in_transaction = 0;
                    } else if doubled && self.backend() == Backend::Postgres {
                        sqlx::query(ANALYZE_BATCHED).execute(&mut *tx).await?;
                    }
                }
            }
        }
        if !invoices.is_empty() {
            flush(
                &mut tx,
                &profiles,
                &invoices,
                &lines,
                &payments,
                &mut report,
            )
            .await?;
            written += invoices.len() as u64;
        }
        tx.commit().await?;
        progress(written);
        // Generated data is a load-test fixture, not news.
        crate::reminders::mark_announced(&mut conn).await?;
        drop(conn);
        // Fresh statistics, so the planners see the real table sizes.
        self.analyze().await?;
        report.invoices = written;
        Ok(report)
    }
}

async fn begin(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
    Ok(match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    })
}

async fn create_parties(
    conn: &mut AnyConnection,
    spec: &ScaleSpec,
    report: &mut ScaleReport,
) -> Result<Vec<ProfileInfo>> {
    let hash = Some(spec.password_hash.as_str());
    let mut profiles = Vec::new();
    for a in 1..=spec.accounts {
        let owner = insert_user(conn, &scale_owner_email(a), &format!("Owner {a}"), hash).await?;
        let reader =
            insert_user(conn, &scale_reader_email(a), &format!("Reader {a}"), hash).await?;
        report.users += 2;
        let (_, _, country) = CURRENCIES[(a as usize - 1) % CURRENCIES.len()];
        let company = format!("Scale Customer {a:05}");
        let sold_to = Address {
            company: company.clone(),
            line1: format!("Industrivej {}", a % 200 + 1),
            line2: String::new(),
            postal_code: format!("{}", 1000 + a % 8000),
            city: "Testby".into(),
            region: String::new(),
            country: country.into(),
        };
        let account = create_account(
            conn,
            &company,
            AgreementType::MicrosoftCustomerAgreement,
            country,
            &sold_to,
            &owner.id,
        )
        .await?;
        report.accounts += 1;
        add_role_assignment(
            conn,
            &account.id,
            &owner.id,
            &Scope::Account,
            Role::BillingAccountOwner,
        )
        .await?;
        add_role_assignment(
            conn,
            &account.id,
            &reader.id,
            &Scope::Account,
            Role::BillingAccountReader,
        )
        .await?;
        for p in 1..=spec.profiles_per_account {
            // The first profile bills in the account's home currency, the others rotate.
            let (currency, tax_percent, _) =
                CURRENCIES[(a as usize + p as usize - 2) % CURRENCIES.len()];
            let profile = create_profile(
                conn,
                &account.id,
                &NewProfile {
                    display_name: format!("{company} / profile {p}"),
                    currency,
                    bill_to: sold_to.clone(),
                    invoice_email: format!("billing{a}-{p}@scale.example"),
                },
            )
            .await?;
            let card = PaymentMethod {
                id: PaymentMethodId::generate(),
                billing_account_id: account.id.clone(),
                billing_profile_id: profile.id.clone(),
                gateway_token: spec.card_token.clone(),
                brand: CardBrand::Visa,
                last4: "4242".into(),
                exp_month: 12,
                exp_year: chrono::Datelike::year(&spec.today) + 3,
                holder: format!("Owner {a}"),
                status: PaymentMethodStatus::Active,
                created_at: crate::rows::now(),
            };
            add_payment_method(conn, &card).await?;
            report.profiles += 1;
            profiles.push(ProfileInfo {
                account: account.id.as_str().to_owned(),
                profile: profile.id.as_str().to_owned(),
                currency,
                tax_percent,
                card: card.id.as_str().to_owned(),
                owner: owner.id.as_str().to_owned(),
            });
        }
    }
    Ok(profiles)
}

#[allow(clippy::too_many_arguments)]
fn generate_invoice(
    spec: &ScaleSpec,
    profile: &ProfileInfo,
    profile_index: usize,
    sequence: u64,
    age_days: i64,
    invoices: &mut Vec<InvoiceRow>,
    lines: &mut Vec<LineRow>,
    payments: &mut Vec<PaymentRow>,
) -> Result<()> {
    let date = spec.today - Duration::days(age_days);
    let period_end = date - Duration::days(1);
    let period_start = period_end - Duration::days(29);
    let due = date + Duration::days(TERMS_DAYS);
    let seed = mix(sequence);
    let invoice_index = invoices.len();
    let line_count = 1 + (seed % 4) as usize;
    let mut subtotal = Money::zero(profile.currency);
    for position in 0..line_count {
        let (service, description, base_quantity, unit_price) =
            CATALOGUE[((seed >> 8) as usize + position * 3) % CATALOGUE.len()];
        let wobble = ((seed >> (16 + position * 8)) % 500) as i64;
        let quantity_milli = base_quantity + base_quantity * wobble / 1000;
        let amount = Money::from_minor(unit_price, profile.currency)
            .mul_ratio(quantity_milli, 1000)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        subtotal = subtotal
            .checked_add(amount)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        lines.push(LineRow {
            invoice: invoice_index,
            position: position as i64,
            service,
            description,
            quantity_milli,
            unit_price_minor: unit_price,
            amount_minor: amount.minor(),
        });
    }
    let tax = tax_at_percent(subtotal, profile.tax_percent)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let total = subtotal.minor() + tax.minor();
    let created_at = millis(date.and_time(NaiveTime::MIN).and_utc()) + 6 * 3_600_000;
    let id = format!("inv_s{sequence:010}");
    let (status, paid) = if age_days < i64::from(spec.unpaid_days) {
        ("Due", 0)
    } else if seed.is_multiple_of(97) {
        ("Void", 0)
    } else {
        let paid_at = created_at + 10 * 86_400_000 + 3 * 3_600_000;
        payments.push(PaymentRow {
            id: format!("pay_s{sequence:010}"),
            invoice: invoice_index,
            amount: total,
            paid_at,
        });
        ("Paid", total)
    };
    invoices.push(InvoiceRow {
        id,
        profile: profile_index,
        number: format!("S{sequence:010}"),
        invoice_date: date_text(date),
        period_start: date_text(period_start),
        period_end: date_text(period_end),
        due_date: date_text(due),
        subtotal: subtotal.minor(),
        tax: tax.minor(),
        total,
        paid,
        status,
        created_at,
    });
    Ok(())
}

// The batches are literal multi-row INSERTs run unprepared: bound parameters cost sqlx's SQLite
// driver a name lookup per parameter that grows with the parameter count (quadratic per batch),
// and these generated values (ids, digits, dates, catalogue text) need no binding.
async fn flush(
    conn: &mut AnyConnection,
    profiles: &[ProfileInfo],
    invoices: &[InvoiceRow],
    lines: &[LineRow],
    payments: &[PaymentRow],
    report: &mut ScaleReport,
) -> Result<()> {
    let mut sql = String::with_capacity(invoices.len() * 260);
    sql.push_str(INVOICE_COLUMNS);
    for (i, invoice) in invoices.iter().enumerate() {
        let profile = &profiles[invoice.profile];
        push_row(
            &mut sql,
            i == 0,
            &[
                Lit::T(&invoice.id),
                Lit::T(&profile.account),
                Lit::T(&profile.profile),
                Lit::T(&invoice.number),
                Lit::T(&invoice.invoice_date),
                Lit::T(&invoice.period_start),
                Lit::T(&invoice.period_end),
                Lit::T(&invoice.due_date),
                Lit::T(profile.currency.code()),
                Lit::I(invoice.subtotal),
                Lit::I(invoice.tax),
                Lit::I(invoice.total),
                Lit::I(0),
                Lit::I(invoice.paid),
                Lit::T(invoice.status),
                Lit::I(invoice.created_at),
            ],
        );
        if invoice.status == "Due" {
            report.unpaid += 1;
        }
    }
    conn.execute(sql.as_str()).await?;

    sql.clear();
    sql.push_str(LINE_COLUMNS);
    for (i, line) in lines.iter().enumerate() {
        let invoice = &invoices[line.invoice];
        push_row(
            &mut sql,
            i == 0,
            &[
                Lit::T(&invoice.id),
                Lit::I(line.position),
                Lit::T(&profiles[invoice.profile].account),
                Lit::T(line.service),
                Lit::T(line.description),
                Lit::I(line.quantity_milli),
                Lit::I(line.unit_price_minor),
                Lit::I(line.amount_minor),
            ],
        );
    }
    conn.execute(sql.as_str()).await?;
    report.lines += lines.len() as u64;

    if !payments.is_empty() {
        sql.clear();
        sql.push_str(PAYMENT_COLUMNS);
        for (i, payment) in payments.iter().enumerate() {
            let invoice = &invoices[payment.invoice];
            let profile = &profiles[invoice.profile];
            push_row(
                &mut sql,
                i == 0,
                &[
                    Lit::T(&payment.id),
                    Lit::T(&profile.account),
                    Lit::T(&invoice.id),
                    Lit::I(payment.amount),
                    Lit::T(profile.currency.code()),
                    Lit::T(&profile.card),
                    Lit::T("succeeded"),
                    Lit::T(&payment.id),
                    Lit::T(&profile.owner),
                    Lit::I(payment.paid_at),
                    Lit::I(payment.paid_at),
                ],
            );
        }
        conn.execute(sql.as_str()).await?;
        report.payments += payments.len() as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_rows_are_quoted() {
        let mut sql = String::from("INSERT INTO t (a, b)");
        push_row(&mut sql, true, &[Lit::T("it's"), Lit::I(-5)]);
        push_row(&mut sql, false, &[Lit::T("x"), Lit::I(7)]);
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES ('it''s', -5), ('x', 7)");
    }
}
