//! Prefixed text ids (`inv_…`, `pay_…`), each its own type so they cannot be mixed up.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

const ID_BODY_LEN: usize = 20;
const ID_ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct InvalidId {
    pub kind: &'static str,
}

fn random_body() -> String {
    let mut rng = rand::thread_rng();
    (0..ID_BODY_LEN)
        .map(|_| ID_ALPHABET[rng.gen_range(0..ID_ALPHABET.len())] as char)
        .collect()
}

fn well_formed(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| {
            (1..=64).contains(&body.len())
                && body
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh random id.
            pub fn generate() -> Self {
                $name(format!("{}_{}", $prefix, random_body()))
            }

            /// Checks the prefix and alphabet; the only way to build an id from outside text.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                if well_formed(text, $prefix) {
                    Ok($name(text.to_owned()))
                } else {
                    Err(InvalidId { kind: $kind })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

prefixed_id!(UserId, "usr", "user");
prefixed_id!(BillingAccountId, "ba", "billing account");
prefixed_id!(BillingProfileId, "bp", "billing profile");
prefixed_id!(InvoiceId, "inv", "invoice");
prefixed_id!(PaymentMethodId, "pm", "payment method");
prefixed_id!(PaymentId, "pay", "payment");
prefixed_id!(RoleAssignmentId, "ra", "role assignment");
prefixed_id!(AuditEventId, "evt", "audit event");
prefixed_id!(SettlementId, "stl", "settlement");
prefixed_id!(RefundId, "rf", "refund");
prefixed_id!(CreditNoteId, "cn", "credit note");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let id = InvoiceId::generate();
        assert!(id.as_str().starts_with("inv_"));
        assert_eq!(InvoiceId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn wrong_prefix_or_alphabet_is_rejected() {
        assert!(InvoiceId::parse("pay_abc").is_err());
        assert!(InvoiceId::parse("inv_").is_err());
        assert!(InvoiceId::parse("inv_ABC").is_err());
        assert!(InvoiceId::parse("inv_a b").is_err());
        assert!(InvoiceId::parse("inv_a'--").is_err());
        assert!(InvoiceId::parse("inv_nordlys-1").is_ok());
    }
}
