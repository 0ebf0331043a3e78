//! What a delivery's event is about, read afresh when the message is written, and the adapter
//! that writes the message.

use crate::mail::{InvitationMail, Message};
use crate::{AppResult, Services};
use faktura_domain::*;
use faktura_store::outbox::{Delivery, OutboxEvent};
use faktura_store::SupportRequest;

/// What a delivery tells, with the records it needs, as they are now. (One lives per delivery
/// attempt, so the variants' different sizes cost nothing worth boxing.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Subject {
    /// A payment succeeded: the receipt.
    Paid {
        account: BillingAccount,
        profile: BillingProfile,
        invoice: Invoice,
        payment: Payment,
        method: Option<PaymentMethod>,
    },
    /// (Part of) a payment was refunded: the refund receipt, with its credit note.
    Refunded {
        account: BillingAccount,
        invoice: Invoice,
        payment: Payment,
        refund: Refund,
        credit_note: Option<CreditNote>,
    },
    /// A payment failed.
    Declined {
        account: BillingAccount,
        invoice: Invoice,
        payment: Payment,
    },
    /// An invoice was issued.
    Issued {
        account: BillingAccount,
        profile: BillingProfile,
        invoice: Invoice,
    },
    /// The recipient was given a role on an account.
    Granted { account: BillingAccount, role: Role },
    /// A webhook endpoint kept failing and was turned off.
    WebhookDisabled {
        account: BillingAccount,
        url: String,
    },
    /// An unpaid invoice falls due within days.
    DueSoon {
        account: BillingAccount,
        invoice: Invoice,
    },
    /// An unpaid invoice went past its due date.
    PastDue {
        account: BillingAccount,
        invoice: Invoice,
    },
    /// A card of the profile expires soon, or (`expired`) its last month has ended.
    Expiring {
        account: BillingAccount,
        profile: BillingProfile,
        method: PaymentMethod,
        expired: bool,
    },
    /// A card was added to the profile (by `by`, when a person did it).
    CardAdded {
        account: BillingAccount,
        profile: BillingProfile,
        method: PaymentMethod,
        by: Option<User>,
    },
    /// A support request the recipient filed changed status.
    SupportUpdated { request: SupportRequest },
}

/// Writes the messages people get (the web adapter: localized text, PDFs, links). An `Err` is
/// a message that cannot be written; a notification then fails without a retry.
pub trait Composer: Send + Sync {
    fn compose(&self, delivery: &Delivery, subject: &Subject) -> Result<Message, String>;
    /// The set-password link for someone given a role before they had a password.
    fn invitation(&self, mail: &InvitationMail<'_>) -> Result<Message, String>;
}

/// The composer of a [`Services`] built without an adapter (unit tests of the application
/// layer): it has no texts, so it writes nothing.
pub(crate) struct NoTexts;

impl Composer for NoTexts {
    fn compose(&self, _: &Delivery, _: &Subject) -> Result<Message, String> {
        Err("no message texts are configured".into())
    }
    fn invitation(&self, _: &InvitationMail<'_>) -> Result<Message, String> {
        Err("no message texts are configured".into())
    }
}

pub(crate) fn detail_id<T>(
    event: &OutboxEvent,
    field: &str,
    parse: fn(&str) -> Result<T, InvalidId>,
) -> Option<T> {
    event
        .detail
        .get(field)?
        .as_str()
        .and_then(|raw| parse(raw).ok())
}

/// An invoice of the event that is still unpaid (paid in the meantime: nothing to remind of).
async fn open_invoice(
    app: &Services,
    account: &BillingAccountId,
    event: &OutboxEvent,
) -> AppResult<Option<Invoice>> {
    let Some(id) = detail_id(event, "invoice", InvoiceId::parse) else {
        return Ok(None);
    };
    Ok(app
        .store
        .invoice(account, &id)
        .await?
        .filter(|invoice| invoice.status != InvoiceStatus::Paid))
}

/// An active card of the event and its profile (detached or replaced since: nothing to tell).
async fn active_card(
    app: &Services,
    account: &BillingAccountId,
    event: &OutboxEvent,
) -> AppResult<Option<(PaymentMethod, BillingProfile)>> {
    let Some(id) = detail_id(event, "payment_method", PaymentMethodId::parse) else {
        return Ok(None);
    };
    let method = match app.store.payment_method(account, &id).await? {
        Some(method) if method.status == PaymentMethodStatus::Active => method,
        _ => return Ok(None),
    };
    let profile = app
        .store
        .profile(account, &method.billing_profile_id)
        .await?;
    Ok(profile.map(|profile| (method, profile)))
}

/// The records a delivery's event is about; `None` when they are gone.
pub async fn subject(app: &Services, event: &OutboxEvent) -> AppResult<Option<Subject>> {
    if event.kind == "support_request.updated" {
        let request = match detail_id(event, "support_request", |raw| Ok(raw.to_owned())) {
            Some(id) => app.store.support_request(&id).await?,
            None => None,
        };
        return Ok(request.map(|request| Subject::SupportUpdated { request }));
    }
    let Some(account_id) = &event.billing_account_id else {
        return Ok(None);
    };
    let Some(account) = app.store.account(account_id).await? else {
        return Ok(None);
    };
    let subject = match event.kind.as_str() {
        "payment.succeeded" | "payment.failed" => {
            let Some(id) = detail_id(event, "payment", PaymentId::parse) else {
                return Ok(None);
            };
            let Some(payment) = app.store.payment(account_id, &id).await? else {
                return Ok(None);
            };
            let Some(invoice) = app.store.invoice(account_id, &payment.invoice_id).await? else {
                return Ok(None);
            };
            if event.kind == "payment.failed" {
                return Ok(Some(Subject::Declined {
                    account,
                    invoice,
                    payment,
                }));
            }
            let Some(profile) = app
                .store
                .profile(account_id, &invoice.billing_profile_id)
                .await?
            else {
                return Ok(None);
            };
            let method = match &payment.payment_method_id {
                Some(id) => app.store.payment_method(account_id, id).await?,
                None => None,
            };
            Subject::Paid {
                account,
                profile,
                invoice,
                payment,
                method,
            }
        }
        "payment.refunded" => {
            let Some(id) = detail_id(event, "refund", RefundId::parse) else {
                return Ok(None);
            };
            let Some(refund) = app.store.refund(account_id, &id).await? else {
                return Ok(None);
            };
            let Some(payment) = app.store.payment(account_id, &refund.payment_id).await? else {
                return Ok(None);
            };
            let Some(invoice) = app.store.invoice(account_id, &refund.invoice_id).await? else {
                return Ok(None);
            };
            let credit_note = app.store.credit_note_for_refund(account_id, &id).await?;
            Subject::Refunded {
                account,
                invoice,
                payment,
                refund,
                credit_note,
            }
        }
        "webhook.disabled" => Subject::WebhookDisabled {
            account,
            url: event.target.clone(),
        },
        "invoice.past_due" | "invoice.due_soon" => {
            let Some(invoice) = open_invoice(app, account_id, event).await? else {
                return Ok(None);
            };
            if event.kind == "invoice.past_due" {
                Subject::PastDue { account, invoice }
            } else {
                Subject::DueSoon { account, invoice }
            }
        }
        "payment_method.expiring" | "payment_method.expired" => {
            let Some((method, profile)) = active_card(app, account_id, event).await? else {
                return Ok(None);
            };
            Subject::Expiring {
                account,
                profile,
                method,
                expired: event.kind == "payment_method.expired",
            }
        }
        "payment_method.added" | "payment_method.replaced" => {
            let Some((method, profile)) = active_card(app, account_id, event).await? else {
                return Ok(None);
            };
            let by = match &event.actor {
                Some(id) => app.store.user_by_id(id).await?,
                None => None,
            };
            Subject::CardAdded {
                account,
                profile,
                method,
                by,
            }
        }
        "invoice.issued" => {
            let Some(id) = detail_id(event, "invoice", InvoiceId::parse) else {
                return Ok(None);
            };
            let Some(invoice) = app.store.invoice(account_id, &id).await? else {
                return Ok(None);
            };
            let Some(profile) = app
                .store
                .profile(account_id, &invoice.billing_profile_id)
                .await?
            else {
                return Ok(None);
            };
            Subject::Issued {
                account,
                profile,
                invoice,
            }
        }
        "role.granted" => {
            let role = event
                .detail
                .get("role")
                .and_then(|v| v.as_str())
                .and_then(|code| code.parse::<Role>().ok());
            let Some(role) = role else {
                return Ok(None);
            };
            Subject::Granted { account, role }
        }
        _ => return Ok(None),
    };
    Ok(Some(subject))
}
