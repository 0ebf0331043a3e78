//! Billing accounts, billing profiles, role assignments and payment methods.

use crate::direct::Param;
use crate::rows::{self, millis};
use crate::{Result, Store, StoreError};

use faktura_domain::roles::Access;
use faktura_domain::*;
use sqlx::AnyConnection;
use sqlx::Row as _;

/// What is needed to open a billing profile under an account.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub display_name: String,
    pub currency: Currency,
    pub bill_to: Address,
    pub invoice_email: String,
}

/// A role assignment joined in as `grant_role` and `grant_profile`, if the row has one.
fn grant_of(row: &dyn rows::RowRead) -> Result<Option<(Scope, Role)>> {
    let Some(role_code) = rows::opt_text(row, "grant_role")? else {
        return Ok(None);
    };
    let role: Role = role_code
        .parse()
        .map_err(|_| rows::corrupt("role", &role_code))?;
    let scope = match rows::opt_id(row, "grant_profile", BillingProfileId::parse)? {
        Some(profile) => Scope::Profile(profile),
        None => Scope::Account,
    };
    Ok(Some((scope, role)))
}

/// One row of [`Store::account_scope`] beside the account's own columns.
enum ScopePart {
    Grant(Option<(Scope, Role)>),
    Profile(Box<BillingProfile>),
    /// The account has neither a role of the user nor a profile.
    Nothing,
}

/// The account with the user's role assignments on it and its profiles (columns `p_…`), one
/// row each. The profile columns are those [`rows::profile`] reads.
const ACCOUNT_SCOPE: &str = "SELECT a.*, x.part, x.grant_role, x.grant_profile, x.p_id, \
     x.p_billing_account_id, x.p_display_name, x.p_currency, x.p_status, x.p_status_reason, \
     x.p_bill_to_company, x.p_bill_to_line1, x.p_bill_to_line2, x.p_bill_to_postal_code, \
     x.p_bill_to_city, x.p_bill_to_region, x.p_bill_to_country, x.p_invoice_email, \
     x.p_default_payment_method_id, x.p_po_number, x.p_created_at \
     FROM billing_accounts a LEFT JOIN ( \
       SELECT 'grant' AS part, r.billing_account_id AS account_id, r.role AS grant_role, \
         r.billing_profile_id AS grant_profile, NULL AS p_id, NULL AS p_billing_account_id, \
         NULL AS p_display_name, NULL AS p_currency, NULL AS p_status, NULL AS p_status_reason, \
         NULL AS p_bill_to_company, NULL AS p_bill_to_line1, NULL AS p_bill_to_line2, \
         NULL AS p_bill_to_postal_code, NULL AS p_bill_to_city, NULL AS p_bill_to_region, \
         NULL AS p_bill_to_country, NULL AS p_invoice_email, NULL AS p_default_payment_method_id, \
         NULL AS p_po_number, NULL AS p_created_at, 0 AS part_order, '' AS sort_name, '' AS sort_id \
       FROM role_assignments r WHERE r.billing_account_id = $1 AND r.user_id = $2 \
       UNION ALL \
       SELECT 'profile', p.billing_account_id, NULL, NULL, p.id, p.billing_account_id, \
         p.display_name, p.currency, p.status, p.status_reason, p.bill_to_company, \
         p.bill_to_line1, p.bill_to_line2, p.bill_to_postal_code, p.bill_to_city, \
         p.bill_to_region, p.bill_to_country, p.invoice_email, p.default_payment_method_id, \
         p.po_number, p.created_at, 1, p.display_name, p.id \
       FROM billing_profiles p WHERE p.billing_account_id = $1 \
     ) x ON x.account_id = a.id \
     WHERE a.id = $1 ORDER BY x.part_order, x.sort_name, x.sort_id";

impl Store {
    pub async fn create_account(
        &self,
        display_name: &str,
        agreement_type: AgreementType,
        country: &str,
        sold_to: &Address,
        account_admin: &UserId,
    ) -> Result<BillingAccount> {
        let mut tx = self.begin_write().await?;
        let result = create_account(
            &mut tx,
            display_name,
            agreement_type,
            country,
            sold_to,
            account_admin,
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    pub async fn account(&self, id: &BillingAccountId) -> Result<Option<BillingAccount>> {
        self.read_row(
            "SELECT * FROM billing_accounts WHERE id = $1",
            &[Param::Text(id.as_str())],
            |row| rows::account(row),
        )
        .await
    }

    /// Accounts the user administers or holds any role on, by name.
    pub async fn accounts_for_user(&self, user: &UserId) -> Result<Vec<BillingAccount>> {
        self.read_rows(
            "SELECT * FROM billing_accounts WHERE account_admin_user_id = $1 \
             OR id IN (SELECT billing_account_id FROM role_assignments WHERE user_id = $1) \
             ORDER BY display_name, id",
            &[Param::Text(user.as_str())],
            |row| rows::account(row),
        )
        .await
    }

    /// Everything a permission check needs about one user on one account.
    pub async fn access(&self, account: &BillingAccountId, user: &UserId) -> Result<Access> {
        Ok(match self.account_scope(account, user).await? {
            Some((_, access, _)) => access,
            None => Access {
                is_account_admin: false,
                grants: Vec::new(),
            },
        })
    }

    /// The account, the user's access on it and all its profiles (by name), in one query:
    /// what every request that opens an account needs. The account row comes once per role
    /// assignment of the user on it and once per profile (a `UNION ALL` joined to it, so the
    /// rows add up rather than multiply). `None` when there is no such account.
    pub async fn account_scope(
        &self,
        account: &BillingAccountId,
        user: &UserId,
    ) -> Result<Option<(BillingAccount, Access, Vec<BillingProfile>)>> {
        let parts = self
            .read_rows(
                ACCOUNT_SCOPE,
                &[Param::Text(account.as_str()), Param::Text(user.as_str())],
                |row| {
                    let part = match rows::opt_text(row, "part")?.as_deref() {
                        Some("grant") => ScopePart::Grant(grant_of(row)?),
                        Some("profile") => {
                            ScopePart::Profile(Box::new(rows::profile(&rows::Prefixed {
                                row,
                                prefix: "p_",
                            })?))
                        }
                        _ => ScopePart::Nothing,
                    };
                    Ok((rows::account(row)?, part))
                },
            )
            .await?;
        let mut found = None;
        let mut grants = Vec::new();
        let mut profiles = Vec::new();
        for (account, part) in parts {
            found.get_or_insert(account);
            match part {
                ScopePart::Grant(Some(grant)) => grants.push(grant),
                ScopePart::Profile(profile) => profiles.push(*profile),
                ScopePart::Grant(None) | ScopePart::Nothing => {}
            }
        }
        let Some(found) = found else {
            return Ok(None);
        };
        let access = Access {
            is_account_admin: found.account_admin == *user,
            grants,
        };
        Ok(Some((found, access, profiles)))
    }

    pub async fn create_profile(
        &self,
        account: &BillingAccountId,
        new: &NewProfile,
    ) -> Result<BillingProfile> {
        let mut tx = self.begin_write().await?;
        let result = create_profile(&mut tx, account, new).await?;
        tx.commit().await?;
        Ok(result)
    }

    pub async fn profiles(&self, account: &BillingAccountId) -> Result<Vec<BillingProfile>> {
        self.read_rows(
            "SELECT * FROM billing_profiles WHERE billing_account_id = $1 ORDER BY display_name, id",
            &[Param::Text(account.as_str())],
            |row| rows::profile(row),
        )
        .await
    }

    pub async fn profile(
        &self,
        account: &BillingAccountId,
        id: &BillingProfileId,
    ) -> Result<Option<BillingProfile>> {
        self.read_row(
            "SELECT * FROM billing_profiles WHERE billing_account_id = $1 AND id = $2",
            &[Param::Text(account.as_str()), Param::Text(id.as_str())],
            |row| rows::profile(row),
        )
        .await
    }

    pub async fn add_role_assignment(
        &self,
        account: &BillingAccountId,
        user: &UserId,
        scope: &Scope,
        role: Role,
    ) -> Result<RoleAssignment> {
        let mut tx = self.begin_write().await?;
        let result = add_role_assignment(&mut tx, account, user, scope, role).await?;
        tx.commit().await?;
        Ok(result)
    }

    /// All role assignments on the account with the assignee's e-mail, account scope first.
    pub async fn role_assignments(
        &self,
        account: &BillingAccountId,
    ) -> Result<Vec<(RoleAssignment, String)>> {
        let rows = sqlx::query(
            "SELECT r.*, u.email FROM role_assignments r JOIN users u ON u.id = r.user_id \
             WHERE r.billing_account_id = $1 \
             ORDER BY CASE WHEN r.billing_profile_id IS NULL THEN 0 ELSE 1 END, u.email, r.role",
        )
        .bind(account.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let role_code = rows::text(row, "role")?;
            let scope = match rows::opt_id(row, "billing_profile_id", BillingProfileId::parse)? {
                Some(p) => Scope::Profile(p),
                None => Scope::Account,
            };
            out.push((
                RoleAssignment {
                    id: rows::id(row, "id", RoleAssignmentId::parse)?,
                    billing_account_id: rows::id(
                        row,
                        "billing_account_id",
                        BillingAccountId::parse,
                    )?,
                    user_id: rows::id(row, "user_id", UserId::parse)?,
                    scope,
                    role: role_code
                        .parse()
                        .map_err(|_| rows::corrupt("role", &role_code))?,
                    created_at: rows::timestamp(row, "created_at")?,
                },
                row.try_get::<String, _>("email")?,
            ));
        }
        Ok(out)
    }

    /// Saves a tokenized card on a profile; the first card of a profile becomes its default.
    pub async fn add_payment_method(&self, method: &PaymentMethod) -> Result<()> {
        let mut tx = self.begin_write().await?;
        add_payment_method(&mut tx, method).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A profile's cards, the default first, then newest first.
    pub async fn payment_methods(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
    ) -> Result<Vec<PaymentMethod>> {
        self.read_rows(
            "SELECT m.* FROM payment_methods m JOIN billing_profiles p ON p.id = m.billing_profile_id \
             WHERE m.billing_account_id = $1 AND m.billing_profile_id = $2 AND m.status = 'active' \
             ORDER BY CASE WHEN p.default_payment_method_id = m.id THEN 0 ELSE 1 END, m.created_at DESC, m.id",
            &[Param::Text(account.as_str()), Param::Text(profile.as_str())],
            |row| rows::payment_method(row),
        )
        .await
    }

    pub async fn payment_method(
        &self,
        account: &BillingAccountId,
        id: &PaymentMethodId,
    ) -> Result<Option<PaymentMethod>> {
        self.read_row(
            "SELECT * FROM payment_methods WHERE billing_account_id = $1 AND id = $2",
            &[Param::Text(account.as_str()), Param::Text(id.as_str())],
            |row| rows::payment_method(row),
        )
        .await
    }
}

pub(crate) async fn create_account(
    conn: &mut AnyConnection,
    display_name: &str,
    agreement_type: AgreementType,
    country: &str,
    sold_to: &Address,
    account_admin: &UserId,
) -> Result<BillingAccount> {
    let account = BillingAccount {
        id: BillingAccountId::generate(),
        display_name: display_name.to_owned(),
        agreement_type,
        status: AccountStatus::Active,
        country: country.to_owned(),
        sold_to: sold_to.clone(),
        account_admin: account_admin.clone(),
        created_at: crate::rows::now(),
    };
    sqlx::query(
        "INSERT INTO billing_accounts (id, display_name, agreement_type, status, country, \
         sold_to_company, sold_to_line1, sold_to_line2, sold_to_postal_code, sold_to_city, \
         sold_to_region, sold_to_country, account_admin_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(account.id.as_str())
    .bind(&account.display_name)
    .bind(account.agreement_type.code())
    .bind(account.status.code())
    .bind(&account.country)
    .bind(&sold_to.company)
    .bind(&sold_to.line1)
    .bind(&sold_to.line2)
    .bind(&sold_to.postal_code)
    .bind(&sold_to.city)
    .bind(&sold_to.region)
    .bind(&sold_to.country)
    .bind(account.account_admin.as_str())
    .bind(millis(account.created_at))
    .execute(&mut *conn)
    .await?;
    Ok(account)
}

pub(crate) async fn create_profile(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
    new: &NewProfile,
) -> Result<BillingProfile> {
    let profile = BillingProfile {
        id: BillingProfileId::generate(),
        billing_account_id: account.clone(),
        display_name: new.display_name.clone(),
        currency: new.currency,
        status: ProfileStatus::Active,
        status_reason: None,
        bill_to: new.bill_to.clone(),
        invoice_email: new.invoice_email.clone(),
        default_payment_method_id: None,
        purchase_order_number: None,
        created_at: crate::rows::now(),
    };
    let a = &profile.bill_to;
    sqlx::query(
        "INSERT INTO billing_profiles (id, billing_account_id, display_name, currency, status, \
         status_reason, bill_to_company, bill_to_line1, bill_to_line2, bill_to_postal_code, \
         bill_to_city, bill_to_region, bill_to_country, invoice_email, default_payment_method_id, \
         created_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14)",
    )
    .bind(profile.id.as_str())
    .bind(account.as_str())
    .bind(&profile.display_name)
    .bind(profile.currency.code())
    .bind(profile.status.code())
    .bind(&a.company)
    .bind(&a.line1)
    .bind(&a.line2)
    .bind(&a.postal_code)
    .bind(&a.city)
    .bind(&a.region)
    .bind(&a.country)
    .bind(&profile.invoice_email)
    .bind(millis(profile.created_at))
    .execute(&mut *conn)
    .await?;
    Ok(profile)
}

pub(crate) async fn add_role_assignment(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
    user: &UserId,
    scope: &Scope,
    role: Role,
) -> Result<RoleAssignment> {
    let profile = match scope {
        Scope::Account => None,
        Scope::Profile(id) => {
            if profile_row(conn, account, id).await?.is_none() {
                return Err(StoreError::NotFound);
            }
            Some(id.as_str().to_owned())
        }
    };
    let assignment = RoleAssignment {
        id: RoleAssignmentId::generate(),
        billing_account_id: account.clone(),
        user_id: user.clone(),
        scope: scope.clone(),
        role,
        created_at: crate::rows::now(),
    };
    sqlx::query(
        "INSERT INTO role_assignments (id, billing_account_id, billing_profile_id, user_id, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(assignment.id.as_str())
    .bind(account.as_str())
    .bind(profile)
    .bind(user.as_str())
    .bind(role.code())
    .bind(millis(assignment.created_at))
    .execute(&mut *conn)
    .await?;
    Ok(assignment)
}

pub(crate) async fn add_payment_method(
    conn: &mut AnyConnection,
    method: &PaymentMethod,
) -> Result<()> {
    let profile_default: Option<Option<String>> = sqlx::query_scalar(
        "SELECT default_payment_method_id FROM billing_profiles WHERE billing_account_id = $1 AND id = $2",
    )
    .bind(method.billing_account_id.as_str())
    .bind(method.billing_profile_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(current_default) = profile_default else {
        return Err(StoreError::NotFound);
    };
    sqlx::query(
        "INSERT INTO payment_methods (id, billing_account_id, billing_profile_id, gateway_token, brand, \
         last4, exp_month, exp_year, holder, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(method.id.as_str())
    .bind(method.billing_account_id.as_str())
    .bind(method.billing_profile_id.as_str())
    .bind(&method.gateway_token)
    .bind(method.brand.code())
    .bind(&method.last4)
    .bind(i64::from(method.exp_month))
    .bind(i64::from(method.exp_year))
    .bind(&method.holder)
    .bind(method.status.code())
    .bind(millis(method.created_at))
    .execute(&mut *conn)
    .await?;
    if current_default.is_none() {
        sqlx::query(
            "UPDATE billing_profiles SET default_payment_method_id = $1 WHERE billing_account_id = $2 AND id = $3",
        )
        .bind(method.id.as_str())
        .bind(method.billing_account_id.as_str())
        .bind(method.billing_profile_id.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn profile_row(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
    id: &BillingProfileId,
) -> Result<Option<BillingProfile>> {
    let row =
        sqlx::query("SELECT * FROM billing_profiles WHERE billing_account_id = $1 AND id = $2")
            .bind(account.as_str())
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    row.as_ref().map(rows::profile).transpose()
}
