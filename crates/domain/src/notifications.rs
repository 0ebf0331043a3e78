//! What a person can be told by e-mail, who may be told, and what they get unless they chose
//! otherwise. The profile's invoice recipient (an address, not a user) is governed by the
//! profile's properties instead; webhooks by their endpoints' event types.

use crate::ids::BillingProfileId;
use crate::roles::{Access, Permission};

/// A kind of notification mail a person can switch on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A receipt for a payment the person made.
    Receipts,
    /// A payment the person made failed.
    PaymentFailed,
    /// An invoice was issued on a profile the person may see.
    InvoiceIssued,
    /// An unpaid invoice the person may pay falls due within days.
    InvoiceDueSoon,
    /// An unpaid invoice the person may pay went past its due date.
    InvoicePastDue,
    /// A card the person manages expires soon.
    CardExpiring,
    /// Someone else added a card to a profile whose cards the person manages.
    CardAdded,
    /// A webhook of an account the person owns was turned off.
    WebhookDisabled,
    /// A support request the person filed changed status.
    SupportUpdates,
    /// The person was given a role. Always sent: it is how someone learns of access they hold.
    Access,
}

/// Who may get a topic's mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The person the event is about (the payer, the requester, the one given a role).
    Subject,
    /// Everyone whose roles allow this on the event's billing profile.
    Holders(Permission),
}

impl Topic {
    pub const ALL: [Topic; 10] = [
        Topic::Receipts,
        Topic::PaymentFailed,
        Topic::InvoiceIssued,
        Topic::InvoiceDueSoon,
        Topic::InvoicePastDue,
        Topic::CardExpiring,
        Topic::CardAdded,
        Topic::WebhookDisabled,
        Topic::SupportUpdates,
        Topic::Access,
    ];

    /// The stable code stored and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            Topic::Receipts => "receipts",
            Topic::PaymentFailed => "payment_failed",
            Topic::InvoiceIssued => "invoice_issued",
            Topic::InvoiceDueSoon => "invoice_due_soon",
            Topic::InvoicePastDue => "invoice_past_due",
            Topic::CardExpiring => "card_expiring",
            Topic::CardAdded => "card_added",
            Topic::WebhookDisabled => "webhook_disabled",
            Topic::SupportUpdates => "support_updates",
            Topic::Access => "access",
        }
    }

    pub fn parse(code: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|topic| topic.code() == code)
    }

    /// The topic of an outbox event's mail to people, if people get one.
    pub fn of_event(kind: &str) -> Option<Topic> {
        Some(match kind {
            "payment.succeeded" | "payment.refunded" => Topic::Receipts,
            "payment.failed" => Topic::PaymentFailed,
            "invoice.issued" => Topic::InvoiceIssued,
            "invoice.due_soon" => Topic::InvoiceDueSoon,
            "invoice.past_due" => Topic::InvoicePastDue,
            "payment_method.expiring" | "payment_method.expired" => Topic::CardExpiring,
            "payment_method.added" => Topic::CardAdded,
            "webhook.disabled" => Topic::WebhookDisabled,
            "support_request.updated" => Topic::SupportUpdates,
            "role.granted" | "invitation.created" => Topic::Access,
            _ => return None,
        })
    }

    /// What a person gets before choosing: what concerns them directly, and what needs acting
    /// on; the invoice news the profile's invoice recipient already gets is opt-in.
    pub fn on_by_default(self) -> bool {
        !matches!(self, Topic::InvoiceIssued | Topic::InvoiceDueSoon)
    }

    /// Whether the person cannot switch it off.
    pub fn mandatory(self) -> bool {
        self == Topic::Access
    }

    pub fn audience(self) -> Audience {
        match self {
            Topic::Receipts | Topic::PaymentFailed | Topic::SupportUpdates | Topic::Access => {
                Audience::Subject
            }
            Topic::InvoiceIssued => Audience::Holders(Permission::ViewInvoices),
            Topic::InvoiceDueSoon | Topic::InvoicePastDue => {
                Audience::Holders(Permission::PayInvoices)
            }
            Topic::CardExpiring | Topic::CardAdded => {
                Audience::Holders(Permission::ManagePaymentMethods)
            }
            // Webhooks are the owners' to manage (granting access is what only owners do).
            Topic::WebhookDisabled => Audience::Holders(Permission::GrantAccess),
        }
    }

    /// Whether a person with `access` on the account may get this topic's mail about
    /// `profile` (`None`: the account as a whole).
    pub fn reaches(self, access: &Access, profile: Option<&BillingProfileId>) -> bool {
        match self.audience() {
            Audience::Subject => true,
            Audience::Holders(permission) => access.allows(permission, profile),
        }
    }

    /// Whether the person gets it, given their stored choice (if any).
    pub fn wanted(self, choice: Option<bool>) -> bool {
        self.mandatory() || choice.unwrap_or_else(|| self.on_by_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::{Role, Scope};

    #[test]
    fn codes_round_trip_and_every_person_event_has_a_topic() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.code()), Some(topic));
        }
        assert_eq!(Topic::parse("everything"), None);
        assert_eq!(Topic::of_event("invoice.paid"), None, "told by the receipt");
        assert_eq!(
            Topic::of_event("invoice.due_soon"),
            Some(Topic::InvoiceDueSoon)
        );
    }

    #[test]
    fn choices_apply_except_to_access_notices() {
        assert!(Topic::Receipts.wanted(None));
        assert!(!Topic::Receipts.wanted(Some(false)));
        assert!(!Topic::InvoiceIssued.wanted(None));
        assert!(Topic::InvoiceIssued.wanted(Some(true)));
        assert!(Topic::Access.wanted(Some(false)));
    }

    #[test]
    fn holders_follow_their_roles_and_scope() {
        let mine = BillingProfileId::parse("bp_aaaaaaaaaaaaaaaaaaaa").unwrap();
        let other = BillingProfileId::parse("bp_bbbbbbbbbbbbbbbbbbbb").unwrap();
        let reader = Access {
            is_account_admin: false,
            grants: vec![(Scope::Profile(mine.clone()), Role::BillingProfileReader)],
        };
        assert!(Topic::InvoiceIssued.reaches(&reader, Some(&mine)));
        assert!(!Topic::InvoiceIssued.reaches(&reader, Some(&other)));
        assert!(
            !Topic::InvoicePastDue.reaches(&reader, Some(&mine)),
            "cannot pay"
        );
        assert!(!Topic::CardAdded.reaches(&reader, Some(&mine)));
        let owner = Access {
            is_account_admin: false,
            grants: vec![(Scope::Account, Role::BillingAccountOwner)],
        };
        assert!(Topic::CardAdded.reaches(&owner, Some(&other)));
        assert!(Topic::WebhookDisabled.reaches(&owner, None));
        assert!(!Topic::WebhookDisabled.reaches(&reader, None));
    }
}
