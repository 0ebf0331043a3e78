//! Demo data: two customer accounts with realistic invoices, loaded in one transaction.
//!
//! Dates are relative to the day of loading, so a fresh demo always has one invoice Due,
//! one Past due and one above the card-payment limit.

use crate::accounts::{add_payment_method, add_role_assignment, create_account, create_profile};
use crate::invoices::insert_invoice;
use crate::rows::millis;
use crate::users::{insert_user, mark_operator};
use crate::{NewProfile, Result, Store, StoreError};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use faktura_domain::*;
use sqlx::AnyConnection;

/// The demo users' e-mails, as later checks and the README use them.
pub const NORDLYS_ADMIN: &str = "admin@nordlys.example";
pub const NORDLYS_READER: &str = "reader@nordlys.example";
pub const NORDLYS_INVOICE_MANAGER: &str = "invoices@nordlys.example";
pub const NORDLYS_PROFILE_OWNER: &str = "profile-owner@nordlys.example";
pub const PRAIRIE_OWNER: &str = "owner@prairie.example";
pub const OUTSIDER: &str = "outsider@example.com";
/// Faktura's own operator: sees every support request.
pub const OPERATOR: &str = "operator@faktura.example";

/// The demo's saved card's token when the gateway makes the card itself (Stripe in test mode):
/// a placeholder until `faktura_app::hosted_cards::make_demo_cards` makes the card there.
pub const CARD_MADE_AT_GATEWAY: &str = "demo-card-to-be-made-at-the-gateway";

/// What the caller supplies: the demo users' password hash and a gateway token for the saved card.
#[derive(Debug, Clone)]
pub struct DemoInput {
    pub password_hash: String,
    /// Token from the gateway's tokenization of the saved demo card (Visa •••• 4242).
    pub saved_card_token: String,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoLoad {
    Loaded,
    /// The demo data is there already; nothing was written.
    AlreadyPresent,
    /// The database holds other data; demo data is never mixed into it.
    RefusedOtherData,
}

/// Net payment terms of the demo invoices.
const TERMS_DAYS: i64 = 45;

impl Store {
    /// Loads the demo data into an empty database, idempotently.
    pub async fn load_demo(&self, input: &DemoInput) -> Result<DemoLoad> {
        if self.user_by_email(NORDLYS_ADMIN).await?.is_some() {
            return Ok(DemoLoad::AlreadyPresent);
        }
        if !self.is_empty().await? {
            return Ok(DemoLoad::RefusedOtherData);
        }
        let mut tx = self.begin_write().await?;
        let mut loaded = load(&mut tx, input).await;
        if loaded.is_ok() {
            loaded = crate::reminders::mark_announced(&mut tx).await;
        }
        match loaded {
            Ok(()) => {
                tx.commit().await?;
                Ok(DemoLoad::Loaded)
            }
            // Two processes loading at once: the other one won, and its data is the demo.
            Err(error) if error.is_unique_violation() => Ok(DemoLoad::AlreadyPresent),
            Err(error) => Err(error),
        }
    }
}

fn address(
    company: &str,
    line1: &str,
    postal_code: &str,
    city: &str,
    region: &str,
    country: &str,
) -> Address {
    Address {
        company: company.into(),
        line1: line1.into(),
        line2: String::new(),
        postal_code: postal_code.into(),
        city: city.into(),
        region: region.into(),
        country: country.into(),
    }
}

/// The 5th of the month `months_back` months before the latest 5th on or before `today`.
fn invoice_date(today: NaiveDate, months_back: u32) -> NaiveDate {
    let mut year = today.year();
    let mut month = today.month() as i32;
    if today.day() < 5 {
        month -= 1;
    }
    month -= months_back as i32;
    while month < 1 {
        month += 12;
        year -= 1;
    }
    NaiveDate::from_ymd_opt(year, month as u32, 5).unwrap_or(today)
}

/// The calendar month before the invoice date: the billing period.
fn period_before(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_of_month = date.with_day(1).unwrap_or(date);
    let end = first_of_month - Duration::days(1);
    (end.with_day(1).unwrap_or(end), end)
}

/// A small deterministic spread so months differ without randomness.
fn wobble(seed: u32, spread: i64) -> i64 {
    i64::from((seed.wrapping_mul(2_654_435_761) >> 16) % 1000) * spread / 1000
}

struct Sheet {
    lines: Vec<LineDraft>,
    tax_percent: i64,
}

fn line(service: &str, description: &str, quantity_milli: i64, unit_price_minor: i64) -> LineDraft {
    LineDraft {
        service: service.into(),
        description: description.into(),
        quantity_milli,
        unit_price_minor,
        amount_minor: None,
    }
}

fn nordlys_operations(month: u32) -> Sheet {
    Sheet {
        lines: vec![
            line(
                "Virtual Machines",
                "D4s v5, Linux, West Europe (hours)",
                4 * 730_000 + wobble(month, 400_000),
                148,
            ),
            line(
                "Storage",
                "Blob Storage, hot tier, LRS (GB-month)",
                2_400_000 + wobble(month + 7, 600_000),
                142,
            ),
            line(
                "Azure SQL Database",
                "General Purpose, 4 vCores (hours)",
                730_000,
                412,
            ),
            line(
                "Bandwidth",
                "Data transfer out, Zone 1 (GB)",
                380_000 + wobble(month + 3, 200_000),
                61,
            ),
            line("Support", "Standard support plan (month)", 1_000, 69_900),
        ],
        tax_percent: 25,
    }
}

fn nordlys_development(month: u32) -> Sheet {
    Sheet {
        lines: vec![
            line(
                "Virtual Machines",
                "B2ms, Linux, North Europe (hours)",
                2 * 730_000 + wobble(month + 11, 300_000),
                61,
            ),
            line("Storage", "Managed disks, P10 (disk-month)", 6_000, 14_550),
            line(
                "Azure DevOps",
                "Basic plan users (user-month)",
                12_000,
                4_120,
            ),
        ],
        tax_percent: 25,
    }
}

fn nordlys_reserved_capacity() -> Sheet {
    Sheet {
        lines: vec![
            line(
                "Reservations",
                "Reserved VM instances, D16s v5, 3 years, upfront",
                6_000,
                5_950_000,
            ),
            line(
                "Support",
                "Professional Direct support plan (month)",
                1_000,
                700_000,
            ),
        ],
        tax_percent: 25,
    }
}

fn prairie_month(month: u32) -> Sheet {
    Sheet {
        lines: vec![
            line(
                "Virtual Machines",
                "D2s v5, Linux, East US (hours)",
                730_000 + wobble(month, 200_000),
                11,
            ),
            line(
                "Storage",
                "Blob Storage, cool tier (GB-month)",
                900_000 + wobble(month + 5, 300_000),
                2,
            ),
            line(
                "Azure Functions",
                "Execution time (million GB-s)",
                3_000 + wobble(month + 2, 2_000),
                1_600,
            ),
        ],
        tax_percent: 0,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    Paid,
    Unpaid,
}

struct InvoiceSpec<'a> {
    account: &'a BillingAccountId,
    profile: &'a BillingProfile,
    number: String,
    date: NaiveDate,
    sheet: Sheet,
    standing: Standing,
    paid_with: Option<&'a PaymentMethodId>,
    payer: &'a UserId,
}

async fn insert_demo_invoice(conn: &mut AnyConnection, spec: InvoiceSpec<'_>) -> Result<()> {
    let currency = spec.profile.currency;
    let subtotal = spec
        .sheet
        .lines
        .iter()
        .try_fold(Money::zero(currency), |sum, l| {
            Money::from_minor(l.unit_price_minor, currency)
                .mul_ratio(l.quantity_milli, 1000)
                .and_then(|amount| sum.checked_add(amount))
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let tax = tax_at_percent(subtotal, spec.sheet.tax_percent)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (period_start, period_end) = period_before(spec.date);
    let draft = InvoiceDraft {
        billing_account_id: spec.account.clone(),
        billing_profile_id: spec.profile.id.clone(),
        currency,
        number: spec.number,
        invoice_date: spec.date,
        period_start,
        period_end,
        due_date: spec.date + Duration::days(TERMS_DAYS),
        lines: spec.sheet.lines,
        tax_minor: tax.minor(),
        credits_minor: 0,
    };
    let created_at = spec
        .date
        .and_hms_opt(6, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now);
    let mut invoice = draft
        .issue(created_at)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if spec.standing == Standing::Paid {
        let due = invoice
            .amount_due()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let paid_on = invoice.due_date - Duration::days(TERMS_DAYS - 10);
        invoice
            .apply_payment(due, paid_on)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        insert_invoice(conn, &invoice).await?;
        let paid_at = paid_on
            .and_hms_opt(9, 30, 0)
            .map(|t| t.and_utc())
            .unwrap_or_else(Utc::now);
        let payment_id = PaymentId::generate();
        sqlx::query(
            "INSERT INTO payments (id, billing_account_id, invoice_id, amount_minor, currency, payment_method_id, \
             state, failure_reason, gateway_reference, next_action_url, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'succeeded', NULL, $7, NULL, $8, $9, $9)",
        )
        .bind(payment_id.as_str())
        .bind(spec.account.as_str())
        .bind(invoice.id.as_str())
        .bind(due.minor())
        .bind(currency.code())
        .bind(spec.paid_with.map(|m| m.as_str()))
        .bind(format!("demo_{}", payment_id.as_str()))
        .bind(spec.payer.as_str())
        .bind(millis(paid_at))
        .execute(&mut *conn)
        .await?;
    } else {
        insert_invoice(conn, &invoice).await?;
    }
    Ok(())
}

async fn load(conn: &mut AnyConnection, input: &DemoInput) -> Result<()> {
    let hash = Some(input.password_hash.as_str());
    let admin = insert_user(conn, NORDLYS_ADMIN, "Mette Nordlys", hash).await?;
    let reader = insert_user(conn, NORDLYS_READER, "Rasmus Læser", hash).await?;
    let invoice_manager = insert_user(conn, NORDLYS_INVOICE_MANAGER, "Ida Faktura", hash).await?;
    let profile_owner = insert_user(conn, NORDLYS_PROFILE_OWNER, "Peter Profil", hash).await?;
    let prairie_owner = insert_user(conn, PRAIRIE_OWNER, "Dana Prairie", hash).await?;
    insert_user(conn, OUTSIDER, "Olivia Outsider", hash).await?;
    let operator = insert_user(conn, OPERATOR, "Otto Operatør", hash).await?;
    mark_operator(conn, &operator.id).await?;

    let nordlys_address = address(
        "Nordlys Data ApS",
        "Strandvejen 100",
        "2900",
        "Hellerup",
        "",
        "DK",
    );
    let nordlys = create_account(
        conn,
        "Nordlys Data ApS",
        AgreementType::MicrosoftCustomerAgreement,
        "DK",
        &nordlys_address,
        &admin.id,
    )
    .await?;
    let operations = create_profile(
        conn,
        &nordlys.id,
        &NewProfile {
            display_name: "Nordlys Drift".into(),
            currency: Currency::DKK,
            bill_to: nordlys_address.clone(),
            invoice_email: "faktura@nordlys.example".into(),
        },
    )
    .await?;
    let development = create_profile(
        conn,
        &nordlys.id,
        &NewProfile {
            display_name: "Nordlys Udvikling".into(),
            currency: Currency::DKK,
            bill_to: address(
                "Nordlys Data ApS, Udvikling",
                "Åboulevarden 22",
                "8000",
                "Aarhus C",
                "",
                "DK",
            ),
            invoice_email: "udvikling@nordlys.example".into(),
        },
    )
    .await?;
    add_role_assignment(
        conn,
        &nordlys.id,
        &admin.id,
        &Scope::Account,
        Role::BillingAccountOwner,
    )
    .await?;
    add_role_assignment(
        conn,
        &nordlys.id,
        &reader.id,
        &Scope::Account,
        Role::BillingAccountReader,
    )
    .await?;
    add_role_assignment(
        conn,
        &nordlys.id,
        &invoice_manager.id,
        &Scope::Profile(operations.id.clone()),
        Role::InvoiceManager,
    )
    .await?;
    add_role_assignment(
        conn,
        &nordlys.id,
        &profile_owner.id,
        &Scope::Profile(development.id.clone()),
        Role::BillingProfileOwner,
    )
    .await?;

    let card = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: nordlys.id.clone(),
        billing_profile_id: operations.id.clone(),
        gateway_token: input.saved_card_token.clone(),
        brand: CardBrand::Visa,
        last4: "4242".into(),
        exp_month: 12,
        exp_year: input.today.year() + 3,
        holder: "Mette Nordlys".into(),
        status: PaymentMethodStatus::Active,
        created_at: Utc::now(),
    };
    add_payment_method(conn, &card).await?;

    let mut number = 12_340_000_u32;
    for months_back in (0..18).rev() {
        number += 1;
        // Newest is Due; the one two months back is Past due (its 45-day terms have run out).
        let standing = if months_back == 0 || months_back == 2 {
            Standing::Unpaid
        } else {
            Standing::Paid
        };
        insert_demo_invoice(
            conn,
            InvoiceSpec {
                account: &nordlys.id,
                profile: &operations,
                number: format!("G{number:09}"),
                date: invoice_date(input.today, months_back),
                sheet: nordlys_operations(months_back),
                standing,
                paid_with: Some(&card.id),
                payer: &admin.id,
            },
        )
        .await?;
        number += 1;
        // The newest development invoice carries a 3-year reservation: above the card limit.
        let sheet = if months_back == 0 {
            nordlys_reserved_capacity()
        } else {
            nordlys_development(months_back)
        };
        insert_demo_invoice(
            conn,
            InvoiceSpec {
                account: &nordlys.id,
                profile: &development,
                number: format!("G{number:09}"),
                date: invoice_date(input.today, months_back),
                sheet,
                standing: if months_back == 0 {
                    Standing::Unpaid
                } else {
                    Standing::Paid
                },
                paid_with: None,
                payer: &admin.id,
            },
        )
        .await?;
    }

    let prairie_address = address(
        "Prairie Analytics LLC",
        "1200 Grand Ave",
        "50309",
        "Des Moines",
        "IA",
        "US",
    );
    let prairie = create_account(
        conn,
        "Prairie Analytics LLC",
        AgreementType::MicrosoftOnlineServicesProgram,
        "US",
        &prairie_address,
        &prairie_owner.id,
    )
    .await?;
    let prairie_profile = create_profile(
        conn,
        &prairie.id,
        &NewProfile {
            display_name: "Prairie Analytics".into(),
            currency: Currency::USD,
            bill_to: prairie_address,
            invoice_email: "ap@prairie.example".into(),
        },
    )
    .await?;
    add_role_assignment(
        conn,
        &prairie.id,
        &prairie_owner.id,
        &Scope::Account,
        Role::BillingAccountOwner,
    )
    .await?;
    let mut number = 56_780_000_u32;
    for months_back in (0..6).rev() {
        number += 1;
        insert_demo_invoice(
            conn,
            InvoiceSpec {
                account: &prairie.id,
                profile: &prairie_profile,
                number: format!("G{number:09}"),
                date: invoice_date(input.today, months_back),
                sheet: prairie_month(months_back),
                standing: if months_back == 2 {
                    Standing::Unpaid
                } else {
                    Standing::Paid
                },
                paid_with: None,
                payer: &prairie_owner.id,
            },
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_dates_fall_on_the_fifth() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            invoice_date(today, 0),
            NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()
        );
        assert_eq!(
            invoice_date(today, 11),
            NaiveDate::from_ymd_opt(2025, 12, 5).unwrap()
        );
        let early = NaiveDate::from_ymd_opt(2026, 1, 3).unwrap();
        assert_eq!(
            invoice_date(early, 0),
            NaiveDate::from_ymd_opt(2025, 12, 5).unwrap()
        );
        assert_eq!(
            period_before(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            (
                NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
            )
        );
    }
}
