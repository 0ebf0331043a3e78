//! The Settle balance banner that the invoices and payment-methods pages show.

use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::plural;
use faktura_app::settling;
use faktura_app::AccountScope;

/// The banner on the invoices and payment-methods pages of a pay-as-you-go account with
/// past-due invoices.
pub struct SettleBanner {
    pub text: String,
    pub can_settle: bool,
}

/// `Some` when the account is pay-as-you-go and has past-due invoices.
pub async fn settle_banner(
    state: &AppState,
    scope: &AccountScope,
    tr: &Tr,
) -> Result<Option<SettleBanner>, AppError> {
    let Some(outstanding) = settling::outstanding(&state.app, scope).await? else {
        return Ok(None);
    };
    if outstanding.past_due == 0 {
        return Ok(None);
    }
    let Some(total) = outstanding.total else {
        return Ok(None);
    };
    Ok(Some(SettleBanner {
        text: tr.tn(
            "settle-banner",
            &[
                ("count", outstanding.past_due.to_string()),
                ("n", plural(outstanding.past_due).into()),
                ("amount", tr.money(total)),
            ],
        ),
        can_settle: outstanding.may_settle,
    }))
}
