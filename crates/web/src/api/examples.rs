//! Response examples for the OpenAPI document, produced by the same functions that shape real
//! responses, from a small sample account (so the examples cannot drift from the API).

use super::pay::payment_resource;
use super::resources::{
    account_resource, invoice_resource, payment_method_resource, profile_resource, List,
};
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
            purchase_order_number: None,
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

fn json<T: serde::Serialize>(value: T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// The example response body of an operation, if it has one.
pub fn response_example(operation_id: &str) -> Option<Value> {
    let s = sample()?;
    let today = s.invoice.invoice_date;
    let invoice = || invoice_resource(&s.invoice, &s.profile.display_name, &[], today);
    Some(match operation_id {
        "BillingAccounts_List" => json(List::new(vec![account_resource(&s.account)], None))?,
        "BillingAccounts_Get" => json(account_resource(&s.account))?,
        "BillingProfiles_ListByBillingAccount" => json(List::new(vec![profile_resource(&s.profile)], None))?,
        "BillingProfiles_Get" => json(profile_resource(&s.profile))?,
        "Invoices_ListByBillingAccount" | "Invoices_ListByBillingProfile" => json(List::new(
            vec![invoice()],
            Some("https://faktura.example/providers/Microsoft.Billing/billingAccounts/ba_0123456789abcdefghij/invoices?api-version=2024-04-01&%24top=1&%24skipToken=2026-11-05_inv_0123456789abcdefghij".into()),
        ))?,
        "Invoices_GetByBillingAccount" => json(invoice())?,
        "Transactions_ListByInvoice" => json(List::new(
            super::transactions::transactions_of(&s.invoice, &s.profile.display_name),
            None,
        ))?,
        "PaymentMethods_ListByBillingProfile" => json(List::new(vec![payment_method_resource(&s.method)], None))?,
        "PaymentMethods_GetByBillingProfile" => json(payment_method_resource(&s.method))?,
        "Invoices_Pay" | "Invoices_GetPayment" => payment_resource(&s.payment, &s.invoice, "https://faktura.example"),
        "Invoices_DownloadByBillingAccount" => json!({"url": "https://faktura.example/documents/3f2a…", "expiryTime": "2026-11-05T07:00:00Z"}),
        "BillingPermissions_CheckAccessByBillingAccount" | "BillingPermissions_CheckAccessByBillingProfile" => {
            json!([{"action": "Microsoft.Billing/billingAccounts/invoices/pay/action", "accessDecision": "Allowed"}])
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    //! The typed resources against the `json!` maps they replaced (copied here as they were):
    //! the same text, byte for byte, field order included.
    use super::super::envelope::{date_time, resource, timestamp};
    use super::super::resources::{
        account_path, profile_path, BA_TYPE, BP_TYPE, INVOICE_TYPE, PM_TYPE,
    };
    use super::*;

    fn amount(money: Money) -> Value {
        let value: Value = money
            .to_decimal_string()
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .unwrap_or(Value::Null);
        json!({"currency": money.currency().code(), "value": value})
    }

    fn address(a: &Address) -> Value {
        json!({
            "companyName": a.company, "addressLine1": a.line1, "addressLine2": a.line2,
            "postalCode": a.postal_code, "city": a.city, "region": a.region, "country": a.country,
        })
    }

    fn old_account(account: &BillingAccount) -> Value {
        resource(
            account_path(&account.id),
            BA_TYPE,
            json!({
                "displayName": account.display_name,
                "agreementType": account.agreement_type.code(),
                "accountStatus": account.status.code(),
                "accountType": "Business",
                "soldTo": address(&account.sold_to),
                "hasReadAccess": true,
            }),
        )
    }

    fn old_profile(profile: &BillingProfile) -> Value {
        resource(
            profile_path(&profile.billing_account_id, &profile.id),
            BP_TYPE,
            json!({
                "displayName": profile.display_name,
                "currency": profile.currency.code(),
                "status": profile.status.code(),
                "statusReasonCode": profile.status_reason.map(|r| r.code()),
                "billTo": address(&profile.bill_to),
                "invoiceRecipients": [profile.invoice_email],
                "invoiceEmailOptIn": true,
                "hasReadAccess": true,
                // Added with the purchase order number (#15).
                "poNumber": profile.purchase_order_number,
            }),
        )
    }

    fn old_invoice(
        invoice: &Invoice,
        profile_name: &str,
        payments: &[Payment],
        today: NaiveDate,
    ) -> Value {
        let id = format!(
            "{}/invoices/{}",
            account_path(&invoice.billing_account_id),
            invoice.id
        );
        let due = invoice.amount_due().unwrap_or(invoice.total);
        let succeeded: Vec<Value> = payments
            .iter()
            .filter(|p| p.state == PaymentState::Succeeded)
            .map(|p| {
                json!({
                    "amount": amount(p.amount),
                    "date": timestamp(p.updated_at),
                    "paymentMethodId": p.payment_method_id.as_ref().map(|m| format!("{}/paymentMethodLinks/{m}", profile_path(&invoice.billing_account_id, &invoice.billing_profile_id))),
                    "paymentMethodFamily": if p.payment_method_id.is_some() { "CreditCard" } else { "CheckWire" },
                    "paymentType": "credited",
                })
            })
            .collect();
        let failed: Vec<Value> = payments
            .iter()
            .filter(|p| p.state == PaymentState::Failed)
            .map(|p| json!({"date": timestamp(p.updated_at), "failedPaymentReason": p.failure_reason.map(|r| r.code())}))
            .collect();
        resource(
            id,
            INVOICE_TYPE,
            json!({
                "amountDue": amount(due),
                "azurePrepaymentApplied": amount(Money::zero(invoice.currency())),
                "billedAmount": amount(invoice.total),
                "creditAmount": amount(invoice.credits),
                "subTotal": amount(invoice.subtotal),
                "taxAmount": amount(invoice.tax),
                "totalAmount": amount(invoice.total),
                "invoiceDate": date_time(invoice.invoice_date),
                "dueDate": date_time(invoice.due_date),
                "invoicePeriodStartDate": date_time(invoice.period_start),
                "invoicePeriodEndDate": date_time(invoice.period_end),
                "invoiceType": "AzureServices",
                "status": invoice.status_on(today).code(),
                "billingProfileId": profile_path(&invoice.billing_account_id, &invoice.billing_profile_id),
                "billingProfileDisplayName": profile_name,
                "purchaseOrderNumber": invoice.purchase_order_number,
                "documents": [{"kind": "Invoice", "name": invoice.number, "url": format!("{}/invoices/{}/download", account_path(&invoice.billing_account_id), invoice.id)}],
                "payments": succeeded,
                "failedPayments": failed,
                "isMonthlyInvoice": true,
            }),
        )
    }

    fn old_method(method: &PaymentMethod) -> Value {
        let id = format!(
            "{}/paymentMethodLinks/{}",
            profile_path(&method.billing_account_id, &method.billing_profile_id),
            method.id
        );
        let expiration = format!("{}/{}", method.exp_month, method.exp_year);
        let display = format!("{} •••• {}", method.brand.code(), method.last4);
        resource(
            id,
            PM_TYPE,
            json!({
                "paymentMethodId": method.id.as_str(),
                "family": "CreditCard",
                "paymentMethodType": method.brand.code(),
                "accountHolderName": method.holder,
                "expiration": expiration,
                "lastFourDigits": method.last4,
                "displayName": display,
                "status": method.status.code(),
                "paymentMethod": {
                    "id": method.id.as_str(),
                    "family": "CreditCard",
                    "paymentMethodType": method.brand.code(),
                    "accountHolderName": method.holder,
                    "expiration": expiration,
                    "lastFourDigits": method.last4,
                    "displayName": display,
                    "status": method.status.code(),
                },
            }),
        )
    }

    fn same<T: serde::Serialize>(typed: &T, old: &Value) {
        let typed = serde_json::to_string(typed).unwrap();
        assert_eq!(typed, serde_json::to_string(old).unwrap());
    }

    #[test]
    fn typed_resources_are_the_json_they_replaced_byte_for_byte() {
        let s = sample().unwrap();
        same(&account_resource(&s.account), &old_account(&s.account));
        same(&profile_resource(&s.profile), &old_profile(&s.profile));
        let mut with_reason = s.profile.clone();
        with_reason.status_reason = Some(ProfileStatusReason::PastDue);
        same(&profile_resource(&with_reason), &old_profile(&with_reason));
        with_reason.purchase_order_number = Some("PO-4711".into());
        same(&profile_resource(&with_reason), &old_profile(&with_reason));
        same(&payment_method_resource(&s.method), &old_method(&s.method));

        let wire = Payment {
            payment_method_id: None,
            ..s.payment.clone()
        };
        let failed = Payment {
            state: PaymentState::Failed,
            failure_reason: Some(FailureReason::InsufficientFunds),
            ..s.payment.clone()
        };
        let failed_quietly = Payment {
            state: PaymentState::Failed,
            failure_reason: None,
            ..s.payment.clone()
        };
        let payments = [s.payment.clone(), wire, failed, failed_quietly];
        let today = s.invoice.invoice_date;
        for payments in [&payments[..], &[]] {
            same(
                &invoice_resource(&s.invoice, "Nordlys Drift", payments, today),
                &old_invoice(&s.invoice, "Nordlys Drift", payments, today),
            );
        }
        let list = List::new(
            vec![account_resource(&s.account)],
            Some("https://x/next".into()),
        );
        same(
            &list,
            &json!({"value": [old_account(&s.account)], "nextLink": "https://x/next"}),
        );
        same(
            &List::new(vec![account_resource(&s.account)], None),
            &json!({"value": [old_account(&s.account)]}),
        );
    }
}
