//! What an actor may see: the billing account a request is about, their access on it and the
//! profiles, invoices and payments within it that their roles reach.

use crate::{Actor, AppError, AppResult, Resource, Services};
use chrono::NaiveDate;
use faktura_domain::roles::Access;
use faktura_domain::*;

/// The account a request is about, checked against the actor's roles.
#[derive(Debug, Clone)]
pub struct AccountScope {
    pub account: BillingAccount,
    pub access: Access,
    /// The profiles this actor may see.
    pub profiles: Vec<BillingProfile>,
}

const NO_ROLE_ON_ACCOUNT: &str = "no role on this billing account";
const NO_ROLE_ON_INVOICE: &str = "no role on this invoice's billing profile";

/// The accounts the actor holds any role on.
pub async fn accounts_for(app: &Services, actor: &Actor) -> AppResult<Vec<BillingAccount>> {
    Ok(app.store.accounts_for_user(&actor.user.id).await?)
}

impl AccountScope {
    /// Loads the account if the actor holds any role on it. An id that does not parse, an
    /// unknown account and an account without a role all answer the same `Hidden`, so ids
    /// reveal nothing.
    pub async fn load(app: &Services, actor: &Actor, raw_account: &str) -> AppResult<AccountScope> {
        let hidden = || AppError::hidden(Resource::BillingAccount, NO_ROLE_ON_ACCOUNT);
        let id = BillingAccountId::parse(raw_account).map_err(|_| hidden())?;
        // One query: the account, the actor's roles on it and its profiles.
        let Some((account, access, mut profiles)) =
            app.store.account_scope(&id, &actor.user.id).await?
        else {
            return Err(hidden());
        };
        if !access.has_any_role() {
            return Err(hidden());
        }
        if !access.sees_whole_account() {
            let mine = access.profile_ids();
            profiles.retain(|p| mine.contains(&p.id));
        }
        Ok(AccountScope {
            account,
            access,
            profiles,
        })
    }

    pub fn id(&self) -> &BillingAccountId {
        &self.account.id
    }

    pub fn profile(&self, id: &BillingProfileId) -> Option<&BillingProfile> {
        self.profiles.iter().find(|p| &p.id == id)
    }

    /// A profile of the account that the actor sees.
    pub fn visible_profile(&self, id: &BillingProfileId) -> AppResult<&BillingProfile> {
        self.profile(id).ok_or(AppError::hidden(
            Resource::BillingProfile,
            "no role on this billing profile",
        ))
    }

    pub fn allows(&self, permission: Permission, profile: Option<&BillingProfileId>) -> bool {
        self.access.allows(permission, profile)
    }

    /// `NotAllowed(reason)` unless the actor's roles allow `permission` at this scope.
    pub fn require(
        &self,
        permission: Permission,
        profile: Option<&BillingProfileId>,
        reason: &'static str,
    ) -> AppResult<()> {
        if self.allows(permission, profile) {
            Ok(())
        } else {
            Err(AppError::not_allowed(reason))
        }
    }

    /// Whether Pay now is offered: the role allows paying on the profile, the invoice is
    /// payable, and the agreement pays invoices by card at all.
    pub fn can_pay(&self, invoice: &Invoice, today: NaiveDate) -> bool {
        self.allows(Permission::PayInvoices, Some(&invoice.billing_profile_id))
            && invoice.is_payable_on(today)
            && self.account.agreement_type != AgreementType::EnterpriseAgreement
    }

    /// An invoice of this account by id (`inv_…`) or by the number customers see
    /// (`G000123456`), if the actor may view its profile's invoices.
    pub async fn invoice(&self, app: &Services, raw: &str) -> AppResult<Invoice> {
        let found = match InvoiceId::parse(raw) {
            Ok(id) => app.store.invoice(&self.account.id, &id).await?,
            Err(_) if valid_invoice_number(raw) => {
                app.store.invoice_by_number(&self.account.id, raw).await?
            }
            Err(_) => None,
        };
        let invoice = found.ok_or(AppError::NotFound(Resource::Invoice))?;
        self.check_invoice(&invoice)?;
        Ok(invoice)
    }

    /// `Hidden` unless the actor may view invoices of the invoice's profile.
    pub fn check_invoice(&self, invoice: &Invoice) -> AppResult<()> {
        if self.allows(Permission::ViewInvoices, Some(&invoice.billing_profile_id)) {
            Ok(())
        } else {
            Err(AppError::hidden(Resource::Invoice, NO_ROLE_ON_INVOICE))
        }
    }

    /// A payment of this account and its invoice, if the actor may view that invoice.
    pub async fn payment(&self, app: &Services, raw: &str) -> AppResult<(Payment, Invoice)> {
        let id = PaymentId::parse(raw).map_err(|_| AppError::NotFound(Resource::Payment))?;
        let payment = app
            .store
            .payment(&self.account.id, &id)
            .await?
            .ok_or(AppError::NotFound(Resource::Payment))?;
        let invoice = app
            .store
            .invoice(&self.account.id, &payment.invoice_id)
            .await?
            .ok_or(AppError::NotFound(Resource::Invoice))?;
        self.check_invoice(&invoice)?;
        Ok((payment, invoice))
    }

    /// The payments recorded for an invoice the actor sees, newest first.
    pub async fn payments_of(&self, app: &Services, invoice: &Invoice) -> AppResult<Vec<Payment>> {
        self.check_invoice(invoice)?;
        Ok(app
            .store
            .payments_for_invoice(&self.account.id, &invoice.id)
            .await?)
    }

    /// The saved cards of a profile the actor sees.
    pub async fn payment_methods(
        &self,
        app: &Services,
        profile: &BillingProfileId,
    ) -> AppResult<Vec<PaymentMethod>> {
        self.visible_profile(profile)?;
        Ok(app.store.payment_methods(&self.account.id, profile).await?)
    }
}
