//! Faktura's domain: the billing model and its rules, free of I/O.
//!
//! Everything here is pure so it can be unit- and property-tested in isolation;
//! storage, gateways and the web layer depend on this crate, never the reverse.

pub mod card;
pub mod contact;
pub mod ids;
pub mod invoice;
pub mod locale;
pub mod model;
pub mod money;
pub mod notifications;
pub mod partial;
pub mod refund;
pub mod roles;

pub use ids::*;
pub use invoice::*;
pub use locale::Locale;
pub use model::*;
pub use money::{Currency, Money, MoneyError};
pub use refund::{CreditNote, Refund, RefundState};
pub use roles::{Permission, Role, Scope};
