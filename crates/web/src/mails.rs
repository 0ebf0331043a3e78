//! The e-mail adapter of the notification worker: each [`Subject`] as a localized message
//! (plain text and HTML from one set of Fluent texts) with its PDF, in the recipient's
//! language. Who gets what, and when, is decided in `faktura_app::notify`.

use crate::i18n::{I18n, Tr};
use crate::pdf::{
    credit_note_pdf, invoice_pdf, receipt_pdf, CreditNotePdf, InvoiceDocument, ReceiptDocument,
};
use crate::view::card_text;
use askama::Template;
use faktura_app::mail::{Attachment, InvitationMail, Message};
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

    fn payment_methods_link(&self, account: &BillingAccount, profile: &BillingProfile) -> String {
        self.portal_link(&format!(
            "/billing/{}/payment-methods?profile={}",
            account.id, profile.id
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
    /// Why the reader gets it (names the account where there is one).
    footer: Footer,
    attachment: Option<Attachment>,
}

enum Footer {
    /// Their role on the account, or the profile naming them as invoice recipient.
    Account(String),
    /// Their own support request.
    Support,
    /// An invitation nobody asked them for can be ignored.
    Invitation,
}

impl MailComposer {
    fn draft(&self, tr: &Tr, subject: &Subject) -> Result<Draft, String> {
        let seller = &self.config.seller;
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
                // A part payment: the invoice still has something due.
                let subject = match invoice.amount_due() {
                    Ok(due) if due.is_positive() => "mail-receipt-part-subject",
                    _ => "mail-receipt-subject",
                };
                Draft {
                    subject: tr.tn(subject, &args),
                    paragraphs,
                    link: self.invoice_link(invoice),
                    footer: Footer::Account(account.display_name.clone()),
                    attachment: Some(Self::pdf(
                        format!("{}-{}.pdf", tr.t("pdf-receipt-file"), invoice.number),
                        bytes,
                    )),
                }
            }
            Subject::Refunded {
                account,
                invoice,
                refund,
                credit_note,
                ..
            } => {
                let args = [
                    ("number", invoice.number.clone()),
                    ("amount", tr.money(refund.amount)),
                    ("account", account.display_name.clone()),
                ];
                let mut paragraphs = vec![tr.tn("mail-refund-text", &args)];
                let attachment = match credit_note {
                    Some(note) => {
                        paragraphs.push(tr.t1(
                            "mail-refund-credit-note",
                            "credit_note",
                            &note.number,
                        ));
                        let bytes = credit_note_pdf(&CreditNotePdf {
                            tr,
                            seller,
                            customer: &account.display_name,
                            credit_note: note,
                            invoice,
                            reason: Some(refund.reason.as_str()).filter(|r| !r.is_empty()),
                        })
                        .map_err(|e| format!("credit note PDF: {e}"))?;
                        Some(Self::pdf(
                            format!("{}-{}.pdf", tr.t("pdf-credit-note-file"), note.number),
                            bytes,
                        ))
                    }
                    None => None,
                };
                Draft {
                    subject: tr.tn("mail-refund-subject", &args),
                    paragraphs,
                    link: self.invoice_link(invoice),
                    footer: Footer::Account(account.display_name.clone()),
                    attachment,
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
                    footer: Footer::Account(account.display_name.clone()),
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
                    purchase_order_number: invoice.purchase_order_number.as_deref(),
                    wire: &self.config.wire,
                    // A newly issued invoice has no payments yet.
                    payments: &[],
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
                    footer: Footer::Account(account.display_name.clone()),
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
                    footer: Footer::Account(account.display_name.clone()),
                    attachment: None,
                }
            }
            Subject::PastDue { account, invoice } | Subject::DueSoon { account, invoice } => {
                let key = if matches!(subject, Subject::PastDue { .. }) {
                    "mail-past-due"
                } else {
                    "mail-due-soon"
                };
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
                    subject: tr.tn(&format!("{key}-subject"), &args),
                    paragraphs: vec![tr.tn(&format!("{key}-text"), &args)],
                    link: self.invoice_link(invoice),
                    footer: Footer::Account(account.display_name.clone()),
                    attachment: None,
                }
            }
            Subject::Expiring {
                account,
                profile,
                method,
                expired,
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
                let (subject, text) = if *expired {
                    ("mail-expired-subject", "mail-expired-text")
                } else {
                    ("mail-expiring-subject", "mail-expiring-text")
                };
                Draft {
                    subject: tr.tn(subject, &args),
                    paragraphs: vec![tr.tn(text, &args)],
                    link: self.payment_methods_link(account, profile),
                    footer: Footer::Account(account.display_name.clone()),
                    attachment: None,
                }
            }
            Subject::CardAdded {
                account,
                profile,
                method,
                by,
            } => {
                let who = by
                    .as_ref()
                    .map(|user| format!("{} ({})", user.display_name, user.email))
                    .unwrap_or_else(|| tr.t("mail-card-added-someone"));
                let args = [
                    ("card", card_text(tr, method)),
                    ("profile", profile.display_name.clone()),
                    ("account", account.display_name.clone()),
                    ("who", who),
                ];
                Draft {
                    subject: tr.tn("mail-card-added-subject", &args),
                    paragraphs: vec![
                        tr.tn("mail-card-added-text", &args),
                        tr.t("mail-card-added-check"),
                    ],
                    link: self.payment_methods_link(account, profile),
                    footer: Footer::Account(account.display_name.clone()),
                    attachment: None,
                }
            }
            Subject::SupportUpdated { request } => {
                let args = [
                    ("subject", request.subject.clone()),
                    (
                        "status",
                        tr.t(&format!("support-status-{}", request.status)),
                    ),
                    ("filed", tr.date(request.created_at.date_naive())),
                ];
                Draft {
                    subject: tr.tn("mail-support-subject", &args),
                    paragraphs: vec![tr.tn("mail-support-text", &args)],
                    link: self.portal_link("/help/requests"),
                    footer: Footer::Support,
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
                    footer: Footer::Account(account.display_name.clone()),
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

impl MailComposer {
    /// The message around a draft: greeting, paragraphs, the link, signature and footer, as
    /// plain text and as HTML.
    fn assemble(
        &self,
        tr: &Tr,
        draft: Draft,
        to: &str,
        id: Option<String>,
    ) -> Result<Message, String> {
        let greeting = tr.t("mail-greeting");
        let open = tr.t1("mail-open-link", "link", &draft.link);
        let signature = tr.t1("mail-signature", "seller", &self.config.wire.account_holder);
        let footer = match &draft.footer {
            Footer::Account(account) => tr.t1("mail-footer", "account", account),
            Footer::Support => tr.t("mail-footer-support"),
            Footer::Invitation => tr.t("mail-footer-invitation"),
        };
        let mut text = vec![greeting.clone()];
        text.extend(draft.paragraphs.iter().cloned());
        text.push(open.clone());
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
            link_text: open,
            footer: &footer,
        }
        .render()
        .map_err(|e| format!("mail HTML: {e}"))?;
        Ok(Message {
            from: self.config.mail_from.clone(),
            to: to.to_owned(),
            subject: draft.subject,
            body: text.join("\n\n") + "\n",
            html: Some(html),
            attachments: draft.attachment.into_iter().collect(),
            id,
        })
    }
}

impl Composer for MailComposer {
    fn compose(&self, delivery: &Delivery, subject: &Subject) -> Result<Message, String> {
        let tr = Tr::new(self.i18n.clone(), delivery.locale);
        let draft = self.draft(&tr, subject)?;
        self.assemble(&tr, draft, &delivery.recipient, Some(delivery.id.clone()))
    }

    fn invitation(&self, mail: &InvitationMail<'_>) -> Result<Message, String> {
        let tr = Tr::new(self.i18n.clone(), mail.locale);
        let args = [
            ("account", mail.account.to_owned()),
            ("inviter", mail.inviter.to_owned()),
            ("email", mail.to.to_owned()),
            ("until", tr.date(mail.expires.date_naive())),
        ];
        let draft = Draft {
            subject: tr.tn("mail-invitation-subject", &args),
            paragraphs: vec![
                tr.tn("mail-invitation-text", &args),
                tr.tn("mail-invitation-link", &args),
            ],
            link: mail.link.to_owned(),
            footer: Footer::Invitation,
            attachment: None,
        };
        self.assemble(&tr, draft, mail.to, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn invitations_in_both_languages_with_the_link_and_its_end() {
        let composer = MailComposer::new(I18n::load().unwrap(), Arc::new(Config::default()));
        let expires = chrono::Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap();
        for (locale, subject, opening, until) in [
            (
                Locale::EnUs,
                "You are invited to Nordlys Data ApS in Faktura",
                "Anne (anne@nordlys.example) invited you to the billing account Nordlys Data ApS",
                "until Dec 8, 2026",
            ),
            (
                Locale::DaDk,
                "Du er inviteret til Nordlys Data ApS i Faktura",
                "Anne (anne@nordlys.example) har inviteret dig til faktureringskontoen Nordlys Data ApS",
                "indtil 08.12.2026",
            ),
        ] {
            let message = composer
                .invitation(&InvitationMail {
                    to: "new@nordlys.example",
                    inviter: "Anne (anne@nordlys.example)",
                    account: "Nordlys Data ApS",
                    link: "https://faktura.example/invite/abc",
                    expires,
                    locale,
                })
                .unwrap();
            assert_eq!(message.to, "new@nordlys.example");
            assert_eq!(message.subject, subject);
            assert!(message.body.contains(opening), "{}", message.body);
            assert!(message.body.contains(until), "{}", message.body);
            assert!(
                message.body.contains("https://faktura.example/invite/abc"),
                "{}",
                message.body
            );
            let html = message.html.unwrap_or_default();
            assert!(html.contains(r#"href="https://faktura.example/invite/abc""#), "{html}");
        }
    }
}
