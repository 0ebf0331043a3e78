//! The API's resources as typed structs: billing accounts, profiles, invoices, payment method
//! links and payments, in the Microsoft.Billing shapes.
//!
//! Fields are declared in the byte order of their JSON names, which is the order the `json!`
//! maps these replaced serialized them in, so responses stay byte-for-byte the same (a test in
//! `examples` checks it). Fields that are null today are `Option`s without `skip_serializing`.

use super::envelope::{timestamp, DateTimeText};
use chrono::NaiveDate;
use faktura_domain::*;
use serde::Serialize;
use std::collections::HashMap;

/// The resource types and paths of the Microsoft.Billing API that Faktura follows.
pub const BA_TYPE: &str = "Microsoft.Billing/billingAccounts";
pub const BP_TYPE: &str = "Microsoft.Billing/billingAccounts/billingProfiles";
pub const INVOICE_TYPE: &str = "Microsoft.Billing/billingAccounts/invoices";
pub const PM_TYPE: &str = "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethodLinks";
pub const RA_TYPE: &str = "Microsoft.Billing/billingAccounts/billingRoleAssignments";

pub fn account_path(ba: &BillingAccountId) -> String {
    format!("/providers/Microsoft.Billing/billingAccounts/{ba}")
}

pub fn profile_path(ba: &BillingAccountId, bp: &BillingProfileId) -> String {
    format!("{}/billingProfiles/{bp}", account_path(ba))
}

/// `{"id", "name", "properties", "type"}`: every resource's envelope.
#[derive(Serialize, Debug, Clone)]
pub struct Resource<P> {
    pub id: String,
    pub name: String,
    pub properties: P,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl<P> Resource<P> {
    /// The name is the last segment of the id.
    pub fn new(id: String, kind: &'static str, properties: P) -> Resource<P> {
        let name = id.rsplit('/').next().unwrap_or_default().to_owned();
        Resource {
            id,
            name,
            properties,
            kind,
        }
    }
}

/// `{"value": [...], "nextLink": "..."}`; `nextLink` only when there is a next page.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct List<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
    pub value: Vec<T>,
}

impl<T> List<T> {
    pub fn new(value: Vec<T>, next_link: Option<String>) -> List<T> {
        List { next_link, value }
    }
}

/// `{"currency": "DKK", "value": 1234.56}`: the value is written as a JSON number straight
/// from the integer minor units, digit for digit (never through a float).
#[derive(Serialize, Debug, Clone)]
pub struct Amount {
    pub currency: &'static str,
    pub value: DecimalNumber,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Amount {
        Amount {
            currency: money.currency().code(),
            value: DecimalNumber(money),
        }
    }
}

/// An amount's JSON number: the whole units, and the fraction without its trailing zeros
/// (`16.53`, `-0.05`, `100.0`; `1500` for a currency without minor units). These are the
/// digits a float would have printed for any amount a float holds exactly, and exact beyond.
#[derive(Debug, Clone, Copy)]
pub struct DecimalNumber(pub Money);

impl Serialize for DecimalNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = NumberText::default();
        write_decimal(self.0, &mut text).map_err(serde::ser::Error::custom)?;
        // A raw value is how serde_json writes a number it did not parse into a float.
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(text.as_str()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

fn write_decimal(money: Money, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let minor = money.minor();
    if minor < 0 {
        out.write_char('-')?;
    }
    let abs = minor.unsigned_abs();
    let exponent = money.currency().exponent();
    if exponent == 0 {
        return write!(out, "{abs}");
    }
    let per = 10_u64.pow(exponent);
    let (whole, mut fraction, mut digits) = (abs / per, abs % per, exponent as usize);
    while fraction != 0 && fraction % 10 == 0 {
        fraction /= 10;
        digits -= 1;
    }
    if fraction == 0 {
        return write!(out, "{whole}.0");
    }
    write!(out, "{whole}.{fraction:0digits$}")
}

/// A number's text on the stack: an `i64` of minor units needs at most 21 bytes.
#[derive(Default)]
struct NumberText {
    bytes: [u8; 32],
    len: usize,
}

impl NumberText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("0")
    }
}

impl std::fmt::Write for NumberText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AddressJson {
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub company_name: String,
    pub country: String,
    pub postal_code: String,
    pub region: String,
}

impl From<&Address> for AddressJson {
    fn from(a: &Address) -> AddressJson {
        AddressJson {
            address_line1: a.line1.clone(),
            address_line2: a.line2.clone(),
            city: a.city.clone(),
            company_name: a.company.clone(),
            country: a.country.clone(),
            postal_code: a.postal_code.clone(),
            region: a.region.clone(),
        }
    }
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AccountProperties {
    pub account_status: &'static str,
    pub account_type: &'static str,
    pub agreement_type: &'static str,
    pub display_name: String,
    pub has_read_access: bool,
    pub sold_to: AddressJson,
}

pub type AccountResource = Resource<AccountProperties>;

pub fn account_resource(account: &BillingAccount) -> AccountResource {
    Resource::new(
        account_path(&account.id),
        BA_TYPE,
        AccountProperties {
            account_status: account.status.code(),
            account_type: "Business",
            agreement_type: account.agreement_type.code(),
            display_name: account.display_name.clone(),
            has_read_access: true,
            sold_to: (&account.sold_to).into(),
        },
    )
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ProfileProperties {
    pub bill_to: AddressJson,
    pub currency: &'static str,
    pub display_name: String,
    pub has_read_access: bool,
    pub invoice_email_opt_in: bool,
    pub invoice_recipients: [String; 1],
    /// The purchase order number new invoices of the profile take (Microsoft.Billing's name).
    pub po_number: Option<String>,
    pub status: &'static str,
    pub status_reason_code: Option<&'static str>,
}

pub type ProfileResource = Resource<ProfileProperties>;

pub fn profile_resource(profile: &BillingProfile) -> ProfileResource {
    Resource::new(
        profile_path(&profile.billing_account_id, &profile.id),
        BP_TYPE,
        ProfileProperties {
            bill_to: (&profile.bill_to).into(),
            currency: profile.currency.code(),
            display_name: profile.display_name.clone(),
            has_read_access: true,
            invoice_email_opt_in: true,
            invoice_recipients: [profile.invoice_email.clone()],
            po_number: profile.purchase_order_number.clone(),
            status: profile.status.code(),
            status_reason_code: profile.status_reason.map(|r| r.code()),
        },
    )
}

#[derive(Serialize, Debug, Clone)]
pub struct InvoiceDocumentJson {
    pub kind: &'static str,
    pub name: String,
    pub url: String,
}

/// A succeeded payment of an invoice.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePaymentJson {
    pub amount: Amount,
    pub date: String,
    pub payment_method_family: &'static str,
    pub payment_method_id: Option<String>,
    pub payment_type: &'static str,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct FailedPaymentJson {
    pub date: String,
    pub failed_payment_reason: Option<&'static str>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceProperties {
    pub amount_due: Amount,
    pub azure_prepayment_applied: Amount,
    pub billed_amount: Amount,
    pub billing_profile_display_name: String,
    pub billing_profile_id: String,
    pub credit_amount: Amount,
    pub documents: Vec<InvoiceDocumentJson>,
    pub due_date: DateTimeText,
    pub failed_payments: Vec<FailedPaymentJson>,
    pub invoice_date: DateTimeText,
    pub invoice_period_end_date: DateTimeText,
    pub invoice_period_start_date: DateTimeText,
    pub invoice_type: &'static str,
    pub is_monthly_invoice: bool,
    pub payments: Vec<InvoicePaymentJson>,
    pub purchase_order_number: Option<String>,
    /// What was refunded of the invoice's payments (its credit notes), as Microsoft.Billing's
    /// `refundDetails`; absent while nothing is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_details: Option<RefundDetailsJson>,
    pub status: &'static str,
    pub sub_total: Amount,
    pub tax_amount: Amount,
    pub total_amount: Amount,
}

/// Microsoft.Billing's `RefundDetailsSummary`, as far as Faktura has it: the amount refunded
/// (the sum of the invoice's credit notes), how many refunds, and `Completed`.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RefundDetailsJson {
    pub amount_refunded: Amount,
    pub refund_status: &'static str,
    pub transaction_count: usize,
}

pub type InvoiceResource = Resource<InvoiceProperties>;

pub fn invoice_resource(
    invoice: &Invoice,
    profile_name: &str,
    payments: &[Payment],
    today: NaiveDate,
) -> InvoiceResource {
    let account = account_path(&invoice.billing_account_id);
    let profile = profile_path(&invoice.billing_account_id, &invoice.billing_profile_id);
    let id = format!("{account}/invoices/{}", invoice.id);
    let due = invoice.amount_due().unwrap_or(invoice.total);
    let succeeded = payments
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
        .map(|p| InvoicePaymentJson {
            amount: p.amount.into(),
            date: timestamp(p.updated_at),
            payment_method_family: if p.payment_method_id.is_some() {
                "CreditCard"
            } else {
                "CheckWire"
            },
            payment_method_id: p
                .payment_method_id
                .as_ref()
                .map(|m| format!("{profile}/paymentMethodLinks/{m}")),
            payment_type: "credited",
        })
        .collect();
    let failed = payments
        .iter()
        .filter(|p| p.state == PaymentState::Failed)
        .map(|p| FailedPaymentJson {
            date: timestamp(p.updated_at),
            failed_payment_reason: p.failure_reason.map(|r| r.code()),
        })
        .collect();
    let properties = InvoiceProperties {
        amount_due: due.into(),
        azure_prepayment_applied: Money::zero(invoice.currency()).into(),
        billed_amount: invoice.total.into(),
        billing_profile_display_name: profile_name.to_owned(),
        billing_profile_id: profile,
        credit_amount: invoice.credits.into(),
        documents: vec![InvoiceDocumentJson {
            kind: "Invoice",
            name: invoice.number.clone(),
            url: format!("{id}/download"),
        }],
        due_date: DateTimeText(invoice.due_date),
        failed_payments: failed,
        invoice_date: DateTimeText(invoice.invoice_date),
        invoice_period_end_date: DateTimeText(invoice.period_end),
        invoice_period_start_date: DateTimeText(invoice.period_start),
        invoice_type: "AzureServices",
        is_monthly_invoice: true,
        payments: succeeded,
        purchase_order_number: invoice.purchase_order_number.clone(),
        refund_details: None,
        status: invoice.status_on(today).code(),
        sub_total: invoice.subtotal.into(),
        tax_amount: invoice.tax.into(),
        total_amount: invoice.total.into(),
    };
    Resource::new(id, INVOICE_TYPE, properties)
}

/// The invoices of a page, each with its payments.
pub fn invoice_resources(
    items: &[faktura_app::invoices::InvoiceSummary],
    payments: &HashMap<InvoiceId, Vec<Payment>>,
    today: NaiveDate,
) -> Vec<InvoiceResource> {
    items
        .iter()
        .map(|summary| {
            invoice_resource(
                &summary.invoice,
                &summary.profile_name,
                payments
                    .get(&summary.invoice.id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                today,
            )
        })
        .collect()
}

/// A card as the payment method link shows it (the same fields twice, as Microsoft's do).
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodJson {
    pub account_holder_name: String,
    pub display_name: String,
    pub expiration: String,
    pub family: &'static str,
    pub id: String,
    pub last_four_digits: String,
    pub payment_method_type: &'static str,
    pub status: &'static str,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodLinkProperties {
    pub account_holder_name: String,
    pub display_name: String,
    pub expiration: String,
    pub family: &'static str,
    pub last_four_digits: String,
    pub payment_method: PaymentMethodJson,
    pub payment_method_id: String,
    pub payment_method_type: &'static str,
    pub status: &'static str,
}

pub type PaymentMethodResource = Resource<PaymentMethodLinkProperties>;

pub fn payment_method_resource(method: &PaymentMethod) -> PaymentMethodResource {
    let id = format!(
        "{}/paymentMethodLinks/{}",
        profile_path(&method.billing_account_id, &method.billing_profile_id),
        method.id
    );
    let expiration = format!("{}/{}", method.exp_month, method.exp_year);
    let display = format!("{} •••• {}", method.brand.code(), method.last4);
    let card = PaymentMethodJson {
        account_holder_name: method.holder.clone(),
        display_name: display.clone(),
        expiration: expiration.clone(),
        family: "CreditCard",
        id: method.id.to_string(),
        last_four_digits: method.last4.clone(),
        payment_method_type: method.brand.code(),
        status: method.status.code(),
    };
    Resource::new(
        id,
        PM_TYPE,
        PaymentMethodLinkProperties {
            account_holder_name: method.holder.clone(),
            display_name: display,
            expiration,
            family: "CreditCard",
            last_four_digits: method.last4.clone(),
            payment_method: card,
            payment_method_id: method.id.to_string(),
            payment_method_type: method.brand.code(),
            status: method.status.code(),
        },
    )
}

/// Where to send the person for 3-D Secure.
#[derive(Serialize, Debug, Clone)]
pub struct NextAction {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PaymentProperties {
    pub amount: Amount,
    pub created_on: String,
    pub failure_reason: Option<&'static str>,
    pub invoice_id: String,
    pub invoice_name: String,
    pub next_action: Option<NextAction>,
    pub payment_method_id: Option<String>,
    pub status: &'static str,
    pub updated_on: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn amount(money: Money) -> serde_json::Value {
        serde_json::to_value(Amount::from(money)).unwrap()
    }

    #[test]
    fn amounts_keep_their_minor_units() {
        assert_eq!(
            amount(Money::from_minor(1653, Currency::USD)),
            json!({"currency": "USD", "value": 16.53})
        );
        assert_eq!(
            amount(Money::from_minor(1500, Currency::JPY)),
            json!({"currency": "JPY", "value": 1500})
        );
        assert_eq!(
            amount(Money::from_minor(-5, Currency::DKK)).to_string(),
            r#"{"currency":"DKK","value":-0.05}"#
        );
    }

    fn text(minor: i64, currency: Currency) -> String {
        serde_json::to_string(&DecimalNumber(Money::from_minor(minor, currency))).unwrap()
    }

    #[test]
    fn amounts_are_written_as_a_float_would_print_them() {
        for minor in [
            0,
            1,
            5,
            10,
            99,
            100,
            150,
            1653,
            10_000,
            123_456_789,
            -1,
            -10,
            -12_350,
        ] {
            let float: f64 = Money::from_minor(minor, Currency::DKK)
                .to_decimal_string()
                .parse()
                .unwrap();
            assert_eq!(
                text(minor, Currency::DKK),
                serde_json::to_string(&float).unwrap()
            );
        }
        assert_eq!(text(0, Currency::EUR), "0.0");
        assert_eq!(text(-120, Currency::EUR), "-1.2");
        assert_eq!(text(1500, Currency::JPY), "1500");
        assert_eq!(text(-7, Currency::JPY), "-7");
    }

    #[test]
    fn amounts_beyond_a_float_keep_every_digit() {
        assert_eq!(text(i64::MAX, Currency::USD), "92233720368547758.07");
        assert_eq!(text(i64::MIN, Currency::USD), "-92233720368547758.08");
        assert_eq!(
            text(9_007_199_254_740_993, Currency::DKK),
            "90071992547409.93"
        );
    }
}
