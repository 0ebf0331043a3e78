//! Response examples for the OpenAPI document, produced by the same functions that shape real
//! responses, from a small sample account (so the examples cannot drift from the API).

use super::billing::{
    account_resource, invoice_resource, payment_method_resource, profile_resource,
};
use super::envelope::list;
use super::pay::payment_resource;
use chrono::{NaiveDate, TimeZone, Utc};
use faktura_domain::*;
use serde_json::{json, Value};

struct Sample {
    account: BillingAccount,
    profile: BillingProfile,
    invoice: Invoice,
    method: PaymentMethod,
    payment: Payment,
}

fn id<T>(parse: fn(&str) -> Result<T, InvalidId>, text: &str) -> Option<T> {
    parse(text).ok()
}

fn sample() -> Option<Sample> {
    let at = Utc.with_ymd_and_hms(2026, 11, 5, 6, 0, 0).single()?;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let address = Address {
        company: "Nordlys Data ApS".into(),
        line1: "Strandvejen 100".into(),
        line2: String::new(),
        postal_code: "2900".into(),
        city: "Hellerup".into(),
        region: String::new(),
        country: "DK".into(),
    };
    let account_id = id(BillingAccountId::parse, "ba_0123456789abcdefghij")?;
    let profile_id = id(BillingProfileId::parse, "bp_0123456789abcdefghij")?;
    let user = id(UserId::parse, "usr_0123456789abcdefghij")?;
    let method_id = id(PaymentMethodId::parse, "pm_0123456789abcdefghij")?;
    let mut invoice = InvoiceDraft {
        billing_account_id: account_id.clone(),
        billing_profile_id: profile_id.clone(),
        currency: Currency::DKK,
        number: "G012340035".into(),
        invoice_date: day(2026, 11, 5)?,
        period_start: day(2026, 10, 1)?,
        period_end: day(2026, 10, 31)?,
        due_date: day(2026, 12, 20)?,
        lines: vec![LineDraft {
            service: "Support".into(),
            description: "Standard support plan (month)".into(),
            quantity_milli: 1000,
            unit_price_minor: 69_900,
            amount_minor: None,
        }],
        tax_minor: 17_475,
        credits_minor: 0,
    }
    .issue(at)
    .ok()?;
    invoice.id = id(InvoiceId::parse, "inv_0123456789abcdefghij")?;
    Some(Sample {
        account: BillingAccount {
            id: account_id.clone(),
            display_name: "Nordlys Data ApS".into(),
            agreement_type: AgreementType::MicrosoftCustomerAgreement,
            status: AccountStatus::Active,
            country: "DK".into(),
            sold_to: address.clone(),
            account_admin: user.clone(),
            created_at: at,
        },
        profile: BillingProfile {
            id: profile_id.clone(),
            billing_account_id: account_id.clone(),
            display_name: "Nordlys Drift".into(),
            currency: Currency::DKK,
            status: ProfileStatus::Active,
            status_reason: None,
            bill_to: address,
            invoice_email: "faktura@nordlys.example".into(),
            default_payment_method_id: Some(method_id.clone()),
            created_at: at,
        },
        method: PaymentMethod {
            id: method_id.clone(),
            billing_account_id: account_id.clone(),
            billing_profile_id: profile_id,
            gateway_token: String::new(),
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month: 12,
            exp_year: 2029,
            holder: "Mette Nordlys".into(),
            status: PaymentMethodStatus::Active,
            created_at: at,
        },
        payment: Payment {
            id: id(PaymentId::parse, "pay_0123456789abcdefghij")?,
            billing_account_id: account_id,
            invoice_id: invoice.id.clone(),
            amount: invoice.total,
            payment_method_id: Some(method_id),
            state: PaymentState::Succeeded,
            failure_reason: None,
            gateway_reference: Some("ch_sbx_example".into()),
            next_action_url: None,
            created_by: user,
            created_at: at,
            updated_at: at,
        },
        invoice,
    })
}

/// The example response body of an operation, if it has one.
pub fn response_example(operation_id: &str) -> Option<Value> {
    let s = sample()?;
    let today = s.invoice.invoice_date;
    let invoice = || invoice_resource(&s.invoice, &s.profile.display_name, &[], today);
    Some(match operation_id {
        "BillingAccounts_List" => list(vec![account_resource(&s.account)], None),
        "BillingAccounts_Get" => account_resource(&s.account),
        "BillingProfiles_ListByBillingAccount" => list(vec![profile_resource(&s.profile)], None),
        "BillingProfiles_Get" => profile_resource(&s.profile),
        "Invoices_ListByBillingAccount" | "Invoices_ListByBillingProfile" => list(
            vec![invoice()],
            Some("https://faktura.example/providers/Microsoft.Billing/billingAccounts/ba_0123456789abcdefghij/invoices?api-version=2024-04-01&%24top=1&%24skipToken=2026-11-05_inv_0123456789abcdefghij".into()),
        ),
        "Invoices_GetByBillingAccount" => invoice(),
        "PaymentMethods_ListByBillingProfile" => list(vec![payment_method_resource(&s.method)], None),
        "PaymentMethods_GetByBillingProfile" => payment_method_resource(&s.method),
        "Invoices_Pay" | "Invoices_GetPayment" => payment_resource(&s.payment, &s.invoice, "https://faktura.example"),
        "Invoices_DownloadByBillingAccount" => json!({"url": "https://faktura.example/documents/3f2a…", "expiryTime": "2026-11-05T07:00:00Z"}),
        "BillingPermissions_CheckAccessByBillingAccount" | "BillingPermissions_CheckAccessByBillingProfile" => {
            json!([{"action": "Microsoft.Billing/billingAccounts/invoices/pay/action", "accessDecision": "Allowed"}])
        }
        _ => return None,
    })
}
