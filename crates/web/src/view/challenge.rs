//! An open 3-D Secure challenge, as the pay pane, the payment outcome and the invoice show it:
//! "Continue authentication" (back to the same challenge) and "Cancel this attempt".

use faktura_app::{paying, AccountScope, Services};
use faktura_domain::{Invoice, Payment, PaymentState, Permission};

/// A payment waiting for its 3-D Secure challenge that the person may continue or cancel.
pub struct OpenChallenge {
    pub payment_id: String,
    pub continue_url: String,
}

/// The challenge of `payment`, when it waits for one and the person may pay the invoice.
pub fn open_challenge(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    payment: &Payment,
) -> Option<OpenChallenge> {
    if payment.state != PaymentState::RequiresAction
        || !scope.allows(Permission::PayInvoices, Some(&invoice.billing_profile_id))
    {
        return None;
    }
    let continue_url = paying::continue_url(app, payment)?;
    Some(OpenChallenge {
        payment_id: payment.id.to_string(),
        continue_url,
    })
}

/// The first open challenge among an invoice's payments (there is at most one open payment).
pub fn first_open_challenge(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    payments: &[Payment],
) -> Option<OpenChallenge> {
    payments
        .iter()
        .find_map(|payment| open_challenge(app, scope, invoice, payment))
}
