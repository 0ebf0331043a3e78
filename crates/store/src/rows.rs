//! Decoding rows into domain types; anything that does not parse is reported as corrupt data.

use crate::{Backend, Result, Row, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use faktura_domain::*;
use sqlx::Row as _;

pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// `YYYY-MM-DD`, as dates are stored. Written by hand: chrono's `format("%Y-%m-%d")` parses
/// the format string on every call, and lists format and parse four dates per invoice.
pub(crate) fn date_text(date: NaiveDate) -> String {
    use chrono::Datelike as _;
    let mut text = String::with_capacity(10);
    let year = date.year();
    if (0..=9999).contains(&year) {
        use std::fmt::Write as _;
        let _ = write!(text, "{year:04}-{:02}-{:02}", date.month(), date.day());
    } else {
        text = date.format("%Y-%m-%d").to_string();
    }
    text
}

/// A stored `YYYY-MM-DD` date (four-digit year), or `None`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// A row of either driver: sqlx's `AnyRow`, or a row read straight from SQLite's C library by
/// [`crate::direct`]. The decoders in this module take either, so each table is decoded in one
/// place whichever way it was read.
pub(crate) trait RowRead {
    fn opt_text_at(&self, column: &str) -> Result<Option<String>>;
    fn opt_int_at(&self, column: &str) -> Result<Option<i64>>;
}

impl RowRead for Row {
    fn opt_text_at(&self, column: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(column)?)
    }
    fn opt_int_at(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(column)?)
    }
}

/// The columns of a row whose names carry a prefix (`p_id` for `id`), so that a decoder written
/// for a table's own column names reads that table's columns out of a join.
pub(crate) struct Prefixed<'a, R: ?Sized> {
    pub row: &'a R,
    pub prefix: &'a str,
}

impl<R: RowRead + ?Sized> RowRead for Prefixed<'_, R> {
    fn opt_text_at(&self, column: &str) -> Result<Option<String>> {
        self.row.opt_text_at(&format!("{}{column}", self.prefix))
    }
    fn opt_int_at(&self, column: &str) -> Result<Option<i64>> {
        self.row.opt_int_at(&format!("{}{column}", self.prefix))
    }
}

pub(crate) fn text<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<String> {
    opt_text(row, column)?.ok_or_else(|| corrupt(column, "NULL"))
}

pub(crate) fn opt_text<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<Option<String>> {
    row.opt_text_at(column)
}

pub(crate) fn int<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<i64> {
    opt_int(row, column)?.ok_or_else(|| corrupt(column, "NULL"))
}

pub(crate) fn opt_int<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<Option<i64>> {
    row.opt_int_at(column)
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

pub(crate) fn timestamp<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<DateTime<Utc>> {
    let ms = int(row, column)?;
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(column, &ms.to_string()))
}

pub(crate) fn date<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<NaiveDate> {
    let value = text(row, column)?;
    parse_date(&value).ok_or_else(|| corrupt(column, &value))
}

pub(crate) fn currency<R: RowRead + ?Sized>(row: &R, column: &str) -> Result<Currency> {
    let value = text(row, column)?;
    value.parse().map_err(|_| corrupt(column, &value))
}

pub(crate) fn money<R: RowRead + ?Sized>(
    row: &R,
    column: &str,
    currency: Currency,
) -> Result<Money> {
    Ok(Money::from_minor(int(row, column)?, currency))
}

/// Parses a prefixed id column with its own type's rules.
pub(crate) fn id<T, R: RowRead + ?Sized>(
    row: &R,
    column: &str,
    parse: fn(&str) -> Result<T, InvalidId>,
) -> Result<T> {
    let value = text(row, column)?;
    parse(&value).map_err(|_| corrupt(column, &value))
}

pub(crate) fn opt_id<T, R: RowRead + ?Sized>(
    row: &R,
    column: &str,
    parse: fn(&str) -> Result<T, InvalidId>,
) -> Result<Option<T>> {
    match opt_text(row, column)? {
        Some(value) => parse(&value).map(Some).map_err(|_| corrupt(column, &value)),
        None => Ok(None),
    }
}

pub(crate) fn coded<T, R: RowRead + ?Sized>(
    row: &R,
    column: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<T> {
    let value = text(row, column)?;
    from_code(&value).ok_or_else(|| corrupt(column, &value))
}

pub(crate) fn opt_coded<T, R: RowRead + ?Sized>(
    row: &R,
    column: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    match opt_text(row, column)? {
        Some(value) => from_code(&value)
            .map(Some)
            .ok_or_else(|| corrupt(column, &value)),
        None => Ok(None),
    }
}

pub(crate) fn address<R: RowRead + ?Sized>(row: &R, prefix: &str) -> Result<Address> {
    let get = |field: &str| text(row, &format!("{prefix}_{field}"));
    Ok(Address {
        company: get("company")?,
        line1: get("line1")?,
        line2: get("line2")?,
        postal_code: get("postal_code")?,
        city: get("city")?,
        region: get("region")?,
        country: get("country")?,
    })
}

pub(crate) fn user<R: RowRead + ?Sized>(row: &R) -> Result<User> {
    Ok(User {
        id: id(row, "id", UserId::parse)?,
        email: text(row, "email")?,
        display_name: text(row, "display_name")?,
        locale: opt_text(row, "locale")?,
        is_operator: int(row, "is_operator")? != 0,
        created_at: timestamp(row, "created_at")?,
    })
}

/// A user joined into another row under `user_…` column names (see [`USER_COLUMNS`]), or
/// `None` when the join found none.
pub(crate) fn joined_user<R: RowRead + ?Sized>(row: &R) -> Result<Option<User>> {
    let Some(user_id) = opt_id(row, "user_id_", UserId::parse)? else {
        return Ok(None);
    };
    Ok(Some(User {
        id: user_id,
        email: text(row, "user_email")?,
        display_name: text(row, "user_display_name")?,
        locale: opt_text(row, "user_locale")?,
        is_operator: int(row, "user_is_operator")? != 0,
        created_at: timestamp(row, "user_created_at")?,
    }))
}

/// The columns [`joined_user`] reads, for a join with `users u`.
pub(crate) const USER_COLUMNS: &str = "u.id AS user_id_, u.email AS user_email, \
     u.display_name AS user_display_name, u.locale AS user_locale, \
     u.is_operator AS user_is_operator, u.created_at AS user_created_at";

pub(crate) fn account<R: RowRead + ?Sized>(row: &R) -> Result<BillingAccount> {
    Ok(BillingAccount {
        id: id(row, "id", BillingAccountId::parse)?,
        display_name: text(row, "display_name")?,
        agreement_type: coded(row, "agreement_type", AgreementType::from_code)?,
        status: coded(row, "status", AccountStatus::from_code)?,
        country: text(row, "country")?,
        sold_to: address(row, "sold_to")?,
        account_admin: id(row, "account_admin_user_id", UserId::parse)?,
        created_at: timestamp(row, "created_at")?,
    })
}

pub(crate) fn profile<R: RowRead + ?Sized>(row: &R) -> Result<BillingProfile> {
    Ok(BillingProfile {
        id: id(row, "id", BillingProfileId::parse)?,
        billing_account_id: id(row, "billing_account_id", BillingAccountId::parse)?,
        display_name: text(row, "display_name")?,
        currency: currency(row, "currency")?,
        status: coded(row, "status", ProfileStatus::from_code)?,
        status_reason: opt_coded(row, "status_reason", ProfileStatusReason::from_code)?,
        bill_to: address(row, "bill_to")?,
        invoice_email: text(row, "invoice_email")?,
        default_payment_method_id: opt_id(
            row,
            "default_payment_method_id",
            PaymentMethodId::parse,
        )?,
        purchase_order_number: opt_text(row, "po_number")?,
        created_at: timestamp(row, "created_at")?,
    })
}

pub(crate) fn payment_method<R: RowRead + ?Sized>(row: &R) -> Result<PaymentMethod> {
    let exp_month = int(row, "exp_month")?;
    let exp_year = int(row, "exp_year")?;
    Ok(PaymentMethod {
        id: id(row, "id", PaymentMethodId::parse)?,
        billing_account_id: id(row, "billing_account_id", BillingAccountId::parse)?,
        billing_profile_id: id(row, "billing_profile_id", BillingProfileId::parse)?,
        gateway_token: text(row, "gateway_token")?,
        brand: coded(row, "brand", CardBrand::from_code)?,
        last4: text(row, "last4")?,
        exp_month: u32::try_from(exp_month)
            .map_err(|_| corrupt("exp_month", &exp_month.to_string()))?,
        exp_year: i32::try_from(exp_year)
            .map_err(|_| corrupt("exp_year", &exp_year.to_string()))?,
        holder: text(row, "holder")?,
        status: coded(row, "status", PaymentMethodStatus::from_code)?,
        created_at: timestamp(row, "created_at")?,
    })
}

pub(crate) fn payment<R: RowRead + ?Sized>(row: &R) -> Result<Payment> {
    let currency = currency(row, "currency")?;
    Ok(Payment {
        id: id(row, "id", PaymentId::parse)?,
        billing_account_id: id(row, "billing_account_id", BillingAccountId::parse)?,
        invoice_id: id(row, "invoice_id", InvoiceId::parse)?,
        amount: money(row, "amount_minor", currency)?,
        payment_method_id: opt_id(row, "payment_method_id", PaymentMethodId::parse)?,
        state: coded(row, "state", PaymentState::from_code)?,
        failure_reason: opt_coded(row, "failure_reason", FailureReason::from_code)?,
        gateway_reference: opt_text(row, "gateway_reference")?,
        next_action_url: opt_text(row, "next_action_url")?,
        created_by: id(row, "created_by", UserId::parse)?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
    })
}

/// The current time at the precision we store (milliseconds), so what we return equals what we read back.
pub(crate) fn now() -> DateTime<Utc> {
    let current = Utc::now();
    DateTime::from_timestamp_millis(current.timestamp_millis()).unwrap_or(current)
}

/// `FOR UPDATE` on PostgreSQL (row locks inside a transaction); nothing on SQLite, where the
/// write transaction already holds the database's one write lock.
pub(crate) fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// The columns a gateway outcome sets on a payment or a settlement row: state, failure
/// reason, gateway reference (an unknown outcome keeps the one already stored) and the 3-D
/// Secure URL.
pub(crate) fn outcome_columns(
    outcome: &crate::PaymentOutcome,
    stored_reference: Option<&String>,
) -> (
    PaymentState,
    Option<FailureReason>,
    Option<String>,
    Option<String>,
) {
    use crate::PaymentOutcome;
    match outcome {
        PaymentOutcome::Succeeded { reference } => {
            (PaymentState::Succeeded, None, Some(reference.clone()), None)
        }
        PaymentOutcome::Failed { reason, reference } => {
            (PaymentState::Failed, Some(*reason), reference.clone(), None)
        }
        PaymentOutcome::RequiresAction { url, reference } => (
            PaymentState::RequiresAction,
            None,
            Some(reference.clone()),
            Some(url.clone()),
        ),
        PaymentOutcome::Unknown => (PaymentState::Unknown, None, stored_reference.cloned(), None),
    }
}

#[cfg(test)]
mod date_tests {
    use super::{date_text, parse_date};
    use chrono::NaiveDate;

    #[test]
    fn dates_round_trip_and_garbage_is_refused() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date_text(date), "2026-03-05");
        assert_eq!(parse_date("2026-03-05"), Some(date));
        let far = NaiveDate::from_ymd_opt(12, 12, 31).unwrap();
        assert_eq!(parse_date(&date_text(far)), Some(far));
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "2026-3-05",
            "2026/03/05",
            "+2026-03-0",
            "",
            "2026-03-05x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod locking_tests {
    use crate::Backend;

    #[test]
    fn row_locks_only_on_postgres() {
        assert_eq!(super::for_update(Backend::Sqlite), "");
        assert_eq!(super::for_update(Backend::Postgres), " FOR UPDATE");
    }
}
