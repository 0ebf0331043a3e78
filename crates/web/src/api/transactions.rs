//! What a client reads about an invoice's lines and a profile's balance, in the
//! Microsoft.Billing shapes: `…/invoices/{invoice}/transactions` (one transaction per invoice
//! line) and `…/billingProfiles/{bp}/availableBalance/default` (amount due and the payments
//! already made on open invoices).

use super::billing::find_invoice;
use super::envelope::*;
use super::resources::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use faktura_app::balance::{self, Balance};
use faktura_domain::*;
use serde::Serialize;

pub const TRANSACTION_TYPE: &str = "Microsoft.Billing/billingAccounts/transactions";
pub const BALANCE_TYPE: &str = "Microsoft.Billing/billingAccounts/billingProfiles/availableBalance";

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct TransactionProperties {
    pub billing_currency: &'static str,
    pub billing_profile_display_name: String,
    pub billing_profile_id: String,
    pub date: String,
    pub effective_price: Amount,
    pub invoice: String,
    pub invoice_id: String,
    pub kind: &'static str,
    pub market_price: Amount,
    pub pricing_currency: &'static str,
    pub product_description: String,
    pub product_family: String,
    pub product_type: String,
    pub service_period_end_date: String,
    pub service_period_start_date: String,
    pub sub_total: Amount,
    pub transaction_amount: Amount,
    pub transaction_type: &'static str,
    /// The quantity, which may have up to three decimals (hours, GB).
    pub units: Option<serde_json::Number>,
}

pub type TransactionResource = Resource<TransactionProperties>;

/// Thousandths as a JSON number: 730500 → 730.5.
fn quantity(milli: i64) -> Option<serde_json::Number> {
    let whole = milli / 1000;
    let fraction = (milli % 1000).abs();
    let text = if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:03}")
            .trim_end_matches('0')
            .to_owned()
    };
    text.parse().ok()
}

pub(super) fn transactions_of(invoice: &Invoice, profile_name: &str) -> Vec<TransactionResource> {
    let account = account_path(&invoice.billing_account_id);
    let invoice_id = format!("{account}/invoices/{}", invoice.id);
    let currency = invoice.currency().code();
    invoice
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            Resource::new(
                format!("{account}/transactions/{}-{}", invoice.number, index + 1),
                TRANSACTION_TYPE,
                TransactionProperties {
                    billing_currency: currency,
                    billing_profile_display_name: profile_name.to_owned(),
                    billing_profile_id: profile_path(
                        &invoice.billing_account_id,
                        &invoice.billing_profile_id,
                    ),
                    date: date_time(invoice.invoice_date),
                    effective_price: line.unit_price.into(),
                    invoice: invoice.number.clone(),
                    invoice_id: invoice_id.clone(),
                    kind: "Other",
                    market_price: line.unit_price.into(),
                    pricing_currency: currency,
                    product_description: line.description.clone(),
                    product_family: line.service.clone(),
                    product_type: line.service.clone(),
                    service_period_end_date: date_time(invoice.period_end),
                    service_period_start_date: date_time(invoice.period_start),
                    sub_total: line.amount.into(),
                    transaction_amount: line.amount.into(),
                    transaction_type: "Billed",
                    units: quantity(line.quantity_milli),
                },
            )
        })
        .collect()
}

pub async fn list_invoice_transactions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, invoice)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<List<TransactionResource>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    let profile_name = scope
        .profile(&invoice.billing_profile_id)
        .map(|p| p.display_name.clone())
        .unwrap_or_default();
    Ok(Json(List::new(
        transactions_of(&invoice, &profile_name),
        None,
    )))
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PaymentOnAccountJson {
    pub amount: Amount,
    pub billing_profile_display_name: String,
    pub billing_profile_id: String,
    pub date: String,
    pub invoice_id: String,
    pub invoice_name: String,
    pub payment_method_type: &'static str,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct BalanceProperties {
    pub amount: Amount,
    pub payments_on_account: Vec<PaymentOnAccountJson>,
    pub total_payments_on_account: Amount,
}

fn balance_resource(balance: &Balance) -> Resource<BalanceProperties> {
    let profile = profile_path(&balance.profile.billing_account_id, &balance.profile.id);
    let account = account_path(&balance.profile.billing_account_id);
    Resource::new(
        format!("{profile}/availableBalance/default"),
        BALANCE_TYPE,
        BalanceProperties {
            amount: balance.amount_due.into(),
            payments_on_account: balance
                .payments_on_account
                .iter()
                .map(|p| PaymentOnAccountJson {
                    amount: p.payment.amount.into(),
                    billing_profile_display_name: balance.profile.display_name.clone(),
                    billing_profile_id: profile.clone(),
                    date: timestamp(p.payment.updated_at),
                    invoice_id: format!("{account}/invoices/{}", p.payment.invoice_id),
                    invoice_name: p.invoice_number.clone(),
                    payment_method_type: if p.payment.payment_method_id.is_some() {
                        "CreditCard"
                    } else {
                        "CheckWire"
                    },
                })
                .collect(),
            total_payments_on_account: balance.total_payments_on_account.into(),
        },
    )
}

pub async fn get_available_balance(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Resource<BalanceProperties>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let balance = balance::available_balance(&state.app, &scope, &bp).await?;
    Ok(Json(balance_resource(&balance)))
}

#[cfg(test)]
mod tests {
    use super::quantity;

    #[test]
    fn quantities_keep_their_decimals() {
        assert_eq!(quantity(730_000).unwrap().to_string(), "730");
        assert_eq!(quantity(1_500).unwrap().to_string(), "1.5");
        assert_eq!(quantity(125).unwrap().to_string(), "0.125");
        assert_eq!(quantity(2_050).unwrap().to_string(), "2.05");
    }
}
