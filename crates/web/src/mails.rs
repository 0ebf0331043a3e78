//! The e-mail adapter of the notification worker: each [`Subject`] as a localized message
//! (plain text and HTML from one set of Fluent texts) with its PDF, in the recipient's
//! language. Who gets what, and when, is decided in `faktura_app::notify`.

use crate::i18n::{I18n, Tr};
use crate::pdf::{invoice_pdf, receipt_pdf, InvoiceDocument, ReceiptDocument};
use crate::view::card_text;
use askama::Template;
use faktura_app::mail::{Attachment, Message};
use faktura_app::notify::{Composer, Delivery, Subject};
use faktura_app::Config;
use faktura_domain::*;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "mail.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: &'a [String],
    link: &'a str,
    link_text: String,
    footer: &'a str,
}

/// Writes notification mail with the deployment's texts and configuration.
pub struct MailComposer {
    i18n: Arc<I18n>,
    config: Arc<Config>,
}

impl MailComposer {
    pub fn new(i18n: Arc<I18n>, config: Arc<Config>) -> MailComposer {
        MailComposer { i18n, config }
    }

    /// A portal address at the configured public URL (never a request's Host).
    fn portal_link(&self, path: &str) -> String {
        format!("{}{path}", self.config.public_url.trim_end_matches('/'))
    }

    fn invoice_link(&self, invoice: &Invoice) -> String {
        self.portal_link(&format!(
            "/billing/{}/invoices/{}",
            invoice.billing_account_id, invoice.id
        ))
    }

    fn pdf(name: String, bytes: Vec<u8>) -> Attachment {
        Attachment {
            filename: name,
            content_type: "application/pdf".into(),
            bytes,
        }
    }
}

/// What a message says before it is put together.
struct Draft {
    subject: String,
    paragraphs: Vec<String>,
    link: String,
    account: String,
    attachment: Option<Attachment>,
}

impl MailComposer {
    fn draft(&self, tr: &Tr, subject: &Subject) -> Result<Draft, String> {
        let seller = &self.config.wire.account_holder;
        Ok(match subject {
            Subject::Paid {
                account,
                invoice,
                payment,
                method,
                ..
            } => {
                let card = method.as_ref().map(|m| card_text(tr, m));
                let bytes = receipt_pdf(&ReceiptDocument {
                    tr,
                    seller,
                    customer: &account.display_name,
                    invoice,
                    payment,
                    method: card.clone(),
                })
                .map_err(|e| format!("receipt PDF: {e}"))?;
                let args = [
                    ("number", invoice.number.clone()),
                    ("amount", tr.money(payment.amount)),
                    ("account", account.display_name.clone()),
                ];
                let mut paragraphs = vec![tr.tn("mail-receipt-text", &args)];
                if let Some(card) = card {
                    paragraphs.push(tr.t1("mail-receipt-card", "card", card));
                }
                Draft {
                    subject: tr.tn("mail-receipt-subject", &args),
                    paragraphs,
                    link: self.invoice_link(invoice),
                    account: account.display_name.clone(),
                    attachment: Some(Self::pdf(
                        format!("{}-{}.pdf", tr.t("pdf-receipt-file"), invoice.number),
                        bytes,
                    )),
                }
            }
            Subject::Declined {
                account,
                invoice,
                payment,
            } => {
                let reason = payment
                    .failure_reason
                    .map(|r| tr.t(&format!("failure-{}", r.code())))
                    .unwrap_or_default();
                let args = [
                    ("number", invoice.number.clone()),
                    ("amount", tr.money(payment.amount)),
                    ("account", account.display_name.clone()),
                    ("reason", capitalized(&reason)),
                    ("due", tr.date(invoice.due_date)),
                ];
                Draft {
                    subject: tr.tn("mail-declined-subject", &args),
                    paragraphs: vec![tr.tn("mail-declined-text", &args)],
                    link: self.invoice_link(invoice),
                    account: account.display_name.clone(),
                    attachment: None,
                }
            }
            Subject::Issued {
                account,
                profile,
                invoice,
            } => {
                let bytes = invoice_pdf(&InvoiceDocument {
                    tr,
                    seller,
                    customer: &account.display_name,
                    bill_to: &profile.bill_to,
                    profile_name: &profile.display_name,
                    invoice,
                    wire: &self.config.wire,
                })
                .map_err(|e| format!("invoice PDF: {e}"))?;
                let args = [
                    ("number", invoice.number.clone()),
                    (
                        "amount",
                        tr.money(invoice.amount_due().map_err(|e| e.to_string())?),
                    ),
                    ("due", tr.date(invoice.due_date)),
                    ("account", account.display_name.clone()),
                    ("profile", profile.display_name.clone()),
                ];
                Draft {
                    subject: tr.tn("mail-issued-subject", &args),
                    paragraphs: vec![tr.tn("mail-issued-text", &args)],
                    link: self.invoice_link(invoice),
                    account: account.display_name.clone(),
                    attachment: Some(Self::pdf(
                        format!("{}-{}.pdf", tr.t("pdf-invoice-file"), invoice.number),
                        bytes,
                    )),
                }
            }
            Subject::WebhookDisabled { account, url } => {
                let args = [
                    ("url", url.clone()),
                    ("account", account.display_name.clone()),
                ];
                Draft {
                    subject: tr.tn("mail-webhook-disabled-subject", &args),
                    paragraphs: vec![tr.tn("mail-webhook-disabled-text", &args)],
                    link: self.portal_link(&format!("/billing/{}/webhooks", account.id)),
                    account: account.display_name.clone(),
                    attachment: None,
                }
            }
            Subject::PastDue { account, invoice } => {
                let args = [
                    ("number", invoice.number.clone()),
                    (
                        "amount",
                        tr.money(invoice.amount_due().map_err(|e| e.to_string())?),
                    ),
                    ("due", tr.date(invoice.due_date)),
                    ("account", account.display_name.clone()),
                ];
                Draft {
                    subject: tr.tn("mail-past-due-subject", &args),
                    paragraphs: vec![tr.tn("mail-past-due-text", &args)],
                    link: self.invoice_link(invoice),
                    account: account.display_name.clone(),
                    attachment: None,
                }
            }
            Subject::Expiring {
                account,
                profile,
                method,
            } => {
                let args = [
                    ("card", card_text(tr, method)),
                    (
                        "expiry",
                        format!("{:02}/{}", method.exp_month, method.exp_year),
                    ),
                    ("profile", profile.display_name.clone()),
                    ("account", account.display_name.clone()),
                ];
                Draft {
                    subject: tr.tn("mail-expiring-subject", &args),
                    paragraphs: vec![tr.tn("mail-expiring-text", &args)],
                    link: self.portal_link(&format!(
                        "/billing/{}/payment-methods?profile={}",
                        account.id, profile.id
                    )),
                    account: account.display_name.clone(),
                    attachment: None,
                }
            }
            Subject::Granted { account, role } => {
                let args = [
                    ("account", account.display_name.clone()),
                    ("role", crate::view::role_label(tr, *role)),
                ];
                Draft {
                    subject: tr.tn("mail-granted-subject", &args),
                    paragraphs: vec![tr.tn("mail-granted-text", &args)],
                    link: self.portal_link(&format!("/billing/{}", account.id)),
                    account: account.display_name.clone(),
                    attachment: None,
                }
            }
        })
    }
}

/// A failure reason reads as a clause ("the card was declined …"); in the mail it starts a
/// sentence.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Composer for MailComposer {
    fn compose(&self, delivery: &Delivery, subject: &Subject) -> Result<Message, String> {
        let tr = Tr::new(self.i18n.clone(), delivery.locale);
        let draft = self.draft(&tr, subject)?;
        let greeting = tr.t("mail-greeting");
        let open = tr.t1("mail-open-link", "link", &draft.link);
        let signature = tr.t1("mail-signature", "seller", &self.config.wire.account_holder);
        let footer = tr.t1("mail-footer", "account", &draft.account);
        let mut text = vec![greeting.clone()];
        text.extend(draft.paragraphs.iter().cloned());
        text.push(open);
        text.push(signature.clone());
        text.push(footer.clone());
        let mut paragraphs = vec![greeting];
        paragraphs.extend(draft.paragraphs.iter().cloned());
        paragraphs.push(signature);
        let html = MailHtml {
            lang: tr.lang(),
            subject: &draft.subject,
            paragraphs: &paragraphs,
            link: &draft.link,
            link_text: tr.t1("mail-open-link", "link", &draft.link),
            footer: &footer,
        }
        .render()
        .map_err(|e| format!("mail HTML: {e}"))?;
        Ok(Message {
            from: self.config.mail_from.clone(),
            to: delivery.recipient.clone(),
            subject: draft.subject,
            body: text.join("\n\n") + "\n",
            html: Some(html),
            attachments: draft.attachment.into_iter().collect(),
            id: Some(delivery.id.clone()),
        })
    }
}
