//! One refusal type for every use case's access checks, mapped to status codes by each adapter.

use faktura_store::StoreError;

/// What a refusal is about; adapters name it in their messages ("billing account not found").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    BillingAccount,
    BillingProfile,
    Invoice,
    Payment,
    PaymentMethod,
    Settlement,
    RoleAssignment,
    Invitation,
    ApiToken,
    SupportRequest,
    User,
    Document,
    /// A stored row a use case expected and did not find (the store's own `NotFound`).
    Record,
}

impl Resource {
    pub fn name(self) -> &'static str {
        match self {
            Resource::BillingAccount => "billing account",
            Resource::BillingProfile => "billing profile",
            Resource::Invoice => "invoice",
            Resource::Payment => "payment",
            Resource::PaymentMethod => "payment method",
            Resource::Settlement => "settlement",
            Resource::RoleAssignment => "role assignment",
            Resource::Invitation => "invitation",
            Resource::ApiToken => "token",
            Resource::SupportRequest => "support request",
            Resource::User => "user",
            Resource::Document => "document",
            Resource::Record => "resource",
        }
    }
}

/// Why a use case did not do what was asked (besides the use case's own refusals).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// There is no such thing (or the id cannot name one).
    #[error("{} not found", .0.name())]
    NotFound(Resource),
    /// It may exist, but the actor holds no role that lets them see it. The portal says so
    /// (403 with the reason); the API answers exactly as for `NotFound`, so ids reveal nothing.
    #[error("{} hidden: {reason}", .resource.name())]
    Hidden {
        resource: Resource,
        reason: &'static str,
    },
    /// Visible, but the actor's roles do not allow this action.
    #[error("not allowed: {reason}")]
    NotAllowed { reason: &'static str },
    /// The request cannot be carried out as given.
    #[error("invalid: {0}")]
    Invalid(&'static str),
    /// The database failed (never a refusal: adapters answer 500 and log the cause).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound(Resource::Record),
            other => AppError::Store(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn hidden(resource: Resource, reason: &'static str) -> AppError {
        AppError::Hidden { resource, reason }
    }

    pub fn not_allowed(reason: &'static str) -> AppError {
        AppError::NotAllowed { reason }
    }
}
