//! The billing entities as Faktura stores and shows them.

use crate::ids::*;
use crate::money::{Currency, Money};
use crate::roles::{Role, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Declares a closed enum with stable string codes for storage and the API.
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

coded_enum!(
    /// The contract a billing account is under ("Billing account type" in Properties).
    AgreementType {
        MicrosoftCustomerAgreement => "MicrosoftCustomerAgreement",
        MicrosoftOnlineServicesProgram => "MicrosoftOnlineServicesProgram",
        EnterpriseAgreement => "EnterpriseAgreement",
        MicrosoftPartnerAgreement => "MicrosoftPartnerAgreement",
    }
);

impl AgreementType {
    /// Pay-as-you-go accounts settle their whole balance instead of paying invoice by invoice.
    pub fn is_pay_as_you_go(self) -> bool {
        self == AgreementType::MicrosoftOnlineServicesProgram
    }
}

coded_enum!(AccountStatus { Active => "Active", Disabled => "Disabled", UnderReview => "UnderReview" });
coded_enum!(ProfileStatus { Active => "Active", Disabled => "Disabled", Warned => "Warned", UnderReview => "UnderReview" });
coded_enum!(ProfileStatusReason { PastDue => "PastDue", UnusualActivity => "UnusualActivity", SpendingLimitReached => "SpendingLimitReached" });
coded_enum!(
    /// Invoice status as the API names it; people see OverDue as "Past due".
    InvoiceStatus { Due => "Due", OverDue => "OverDue", Paid => "Paid", Void => "Void" }
);
coded_enum!(CardBrand { Visa => "visa", Mastercard => "mc", Amex => "amex", Other => "other" });
coded_enum!(PaymentMethodStatus { Active => "active", Inactive => "inactive" });
coded_enum!(
    /// Where a payment stands. `Unknown` means the gateway may or may not have moved money.
    PaymentState {
        Processing => "processing",
        RequiresAction => "requires_action",
        Succeeded => "succeeded",
        Failed => "failed",
        Unknown => "unknown",
    }
);
coded_enum!(
    /// Why a payment failed (the API's failed-payment reasons plus our own).
    FailureReason {
        BankDeclined => "BankDeclined",
        InsufficientFunds => "InsufficientFunds",
        CardExpired => "CardExpired",
        IncorrectCardDetails => "IncorrectCardDetails",
        ProcessingError => "ProcessingError",
        AuthenticationFailed => "AuthenticationFailed",
        // A 3-D Secure challenge left open until it was cancelled (by the payer, or after
        // the configured time).
        AuthenticationAbandoned => "AuthenticationAbandoned",
        PrepaidCardRefused => "PrepaidCardRefused",
    }
);

impl PaymentState {
    /// A payment in one of these states blocks any further attempt on its invoice.
    pub fn blocks_new_attempt(self) -> bool {
        !matches!(self, PaymentState::Failed)
    }

    pub fn is_final(self) -> bool {
        matches!(self, PaymentState::Succeeded | PaymentState::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    pub company: String,
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub region: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    /// Stored language preference, if the user chose one.
    pub locale: Option<String>,
    /// Faktura's own staff: sees every support request.
    pub is_operator: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingAccount {
    pub id: BillingAccountId,
    pub display_name: String,
    pub agreement_type: AgreementType,
    pub status: AccountStatus,
    pub country: String,
    pub sold_to: Address,
    /// The user who signed the account up.
    pub account_admin: UserId,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingProfile {
    pub id: BillingProfileId,
    pub billing_account_id: BillingAccountId,
    pub display_name: String,
    pub currency: Currency,
    pub status: ProfileStatus,
    pub status_reason: Option<ProfileStatusReason>,
    pub bill_to: Address,
    pub invoice_email: String,
    pub default_payment_method_id: Option<PaymentMethodId>,
    /// The purchase order number the profile's owners set; new invoices take it when issued.
    pub purchase_order_number: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub service: String,
    pub description: String,
    /// Quantity in thousandths, so 1.5 hours is 1500.
    pub quantity_milli: i64,
    pub unit_price: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub billing_account_id: BillingAccountId,
    pub billing_profile_id: BillingProfileId,
    /// The number customers see, e.g. `G000123456`.
    pub number: String,
    pub invoice_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_date: NaiveDate,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub credits: Money,
    pub amount_paid: Money,
    /// The stored status; see [`Invoice::status_on`] for the one to show.
    pub status: InvoiceStatus,
    pub lines: Vec<LineItem>,
    /// The profile's purchase order number when the invoice was issued (a snapshot: a later
    /// change on the profile changes no issued invoice).
    pub purchase_order_number: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub id: PaymentMethodId,
    pub billing_account_id: BillingAccountId,
    pub billing_profile_id: BillingProfileId,
    /// The gateway's token for the card; the card number itself never reaches Faktura's storage.
    pub gateway_token: String,
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub holder: String,
    pub status: PaymentMethodStatus,
    pub created_at: DateTime<Utc>,
}

impl PaymentMethod {
    /// A card is usable through the last day of its expiry month.
    pub fn is_expired_on(&self, today: NaiveDate) -> bool {
        use chrono::Datelike;
        (self.exp_year, self.exp_month) < (today.year(), today.month())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub billing_account_id: BillingAccountId,
    pub invoice_id: InvoiceId,
    pub amount: Money,
    pub payment_method_id: Option<PaymentMethodId>,
    pub state: PaymentState,
    pub failure_reason: Option<FailureReason>,
    pub gateway_reference: Option<String>,
    /// Where to send the person for a 3-D Secure challenge, while `RequiresAction`.
    pub next_action_url: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One charge paying all of a pay-as-you-go account's outstanding invoices ("Settle balance").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub id: SettlementId,
    pub billing_account_id: BillingAccountId,
    pub amount: Money,
    pub payment_method_id: PaymentMethodId,
    pub state: PaymentState,
    pub failure_reason: Option<FailureReason>,
    pub gateway_reference: Option<String>,
    pub next_action_url: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: RoleAssignmentId,
    pub billing_account_id: BillingAccountId,
    pub user_id: UserId,
    pub scope: Scope,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub billing_account_id: Option<BillingAccountId>,
    pub actor: Option<UserId>,
    /// A dotted kind such as `auth.sign_in` or `payment.succeeded`.
    pub kind: String,
    pub target: String,
    /// Free-form JSON with the details (before/after, reason).
    pub detail: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::from_code(s.code()), Some(*s));
        }
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::from_code(s.code()), Some(*s));
        }
        assert_eq!(InvoiceStatus::from_code("due"), None);
    }

    #[test]
    fn only_failed_payments_allow_another_attempt() {
        for state in PaymentState::ALL {
            assert_eq!(state.blocks_new_attempt(), *state != PaymentState::Failed);
        }
    }

    #[test]
    fn card_expires_after_its_month() {
        let card = PaymentMethod {
            id: PaymentMethodId::generate(),
            billing_account_id: BillingAccountId::generate(),
            billing_profile_id: BillingProfileId::generate(),
            gateway_token: "tok".into(),
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month: 3,
            exp_year: 2026,
            holder: "A".into(),
            status: PaymentMethodStatus::Active,
            created_at: Utc::now(),
        };
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(!card.is_expired_on(d(2026, 3, 31)));
        assert!(card.is_expired_on(d(2026, 4, 1)));
        assert!(!card.is_expired_on(d(2025, 12, 1)));
    }
}
