//! Access control: granting and removing role assignments, invited users and their one-time
//! set-password links, and the editable properties of a billing profile.
//!
//! An invitation is the only way into a user without a password, and it is mailed to the user's
//! address (by the app), never shown to the inviter: so it belongs to that address, works once,
//! expires, and a newer one for the same user revokes the older ones.

use crate::audit::{self, NewAuditEvent};
use crate::methods::{lock_account, AuditActor};
use crate::rows::{self, millis};
use crate::users::{insert_user, normalize_email};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;
use sha2::{Digest, Sha256};

/// How long a set-password link works.
pub const INVITATION_DAYS: i64 = 7;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What was granted; `invitation` is the id (not the token) of the invitation issued when the
/// user still has to set a password. Its mail is queued in the outbox in the same transaction
/// (`invitation.created`); the worker makes the link with [`Store::issue_invitation_link`].
#[derive(Debug, Clone)]
pub struct Granted {
    pub assignment: RoleAssignment,
    pub user: User,
    pub invitation: Option<String>,
    pub invitation_expires: Option<DateTime<Utc>>,
}

/// A working set-password link's token, made for the mail that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationLink {
    /// The secret: for the mail only (never logged, stored or shown).
    pub token: String,
    /// The address the invitation is bound to.
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRefusal {
    AlreadyAssigned,
    ProfileNotFound,
    /// Account roles go on the account, profile roles on a profile.
    RoleDoesNotFitScope,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoveRefusal {
    NotFound,
    /// The account's only billing account owner.
    LastOwner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationRefusal {
    Unknown,
    Expired,
    Used,
    /// A newer invitation was sent to the address, or the role it came with was removed.
    Revoked,
}

/// Revokes the user's invitations that are still open (on one account, or on all).
async fn revoke_open_invitations(
    conn: &mut sqlx::AnyConnection,
    user: &UserId,
    account: Option<&BillingAccountId>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE user_id = $2 AND used_at IS NULL \
         AND revoked_at IS NULL AND ($3 = '' OR billing_account_id = $3)",
    )
    .bind(millis(now))
    .bind(user.as_str())
    .bind(account.map(|a| a.as_str()).unwrap_or(""))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Whether an invitation row (joined with its user) may still be used, as of `now`.
fn refusal(row: &sqlx::any::AnyRow, now: DateTime<Utc>) -> Result<Option<InvitationRefusal>> {
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Ok(Some(InvitationRefusal::Used));
    }
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Ok(Some(InvitationRefusal::Revoked));
    }
    // Bound to the address it was sent to: a user whose address is not that one is not its user.
    if rows::opt_text(row, "invited_email")?.as_deref() != Some(rows::text(row, "email")?.as_str())
    {
        return Ok(Some(InvitationRefusal::Revoked));
    }
    // A user who has a password already proved their mailbox (or was given one): not again.
    if rows::opt_text(row, "password_hash")?.is_some() {
        return Ok(Some(InvitationRefusal::Used));
    }
    if rows::timestamp(row, "expires_at")? <= now {
        return Ok(Some(InvitationRefusal::Expired));
    }
    Ok(None)
}

/// An invitation and its user, by token.
const INVITATION_BY_TOKEN: &str = "SELECT i.billing_account_id, i.expires_at, i.used_at, \
     i.revoked_at, i.email AS invited_email, a.display_name AS account_name, u.* \
     FROM invitations i JOIN users u ON u.id = i.user_id \
     JOIN billing_accounts a ON a.id = i.billing_account_id WHERE i.token_hash = $1";

/// An invitation as the set-password page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub user: User,
    pub account_name: String,
    pub expires_at: DateTime<Utc>,
}

fn scope_detail(scope: &Scope) -> serde_json::Value {
    match scope {
        Scope::Account => serde_json::json!("account"),
        Scope::Profile(p) => serde_json::json!(p.as_str()),
    }
}

/// A new billing account as the operator opens it.
#[derive(Debug, Clone, Copy)]
pub struct NewBillingAccount<'a> {
    pub display_name: &'a str,
    pub agreement_type: AgreementType,
    pub country: &'a str,
    pub sold_to: &'a Address,
    pub account_admin: &'a UserId,
}

/// A user and whether they have set a password.
async fn user_with_password(conn: &mut sqlx::AnyConnection, user: &UserId) -> Result<(User, bool)> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(user.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((
        rows::user(&row)?,
        rows::opt_text(&row, "password_hash")?.is_some(),
    ))
}

/// Who grants: the user (none for an operator token without one), their address, and their
/// language (the invitation mail's, for a user who has chosen none).
struct GrantedBy<'a> {
    user: Option<&'a UserId>,
    ip: Option<String>,
    locale: Option<Locale>,
}

/// Adds the assignment inside the caller's transaction (the account row already locked), with
/// a fresh invitation when the user never set a password, and the audit event.
async fn grant_in(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
    (user, has_password): (User, bool),
    scope: &Scope,
    role: Role,
    by: GrantedBy<'_>,
) -> Result<Result<Granted, GrantRefusal>> {
    let GrantedBy {
        user: created_by,
        ip,
        locale,
    } = by;
    if let Scope::Profile(profile) = scope {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM billing_profiles WHERE billing_account_id = $1 AND id = $2",
        )
        .bind(account.as_str())
        .bind(profile.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_none() {
            return Ok(Err(GrantRefusal::ProfileNotFound));
        }
    }
    let exists: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_assignments WHERE billing_account_id = $1 AND user_id = $2 \
         AND role = $3 AND COALESCE(billing_profile_id, '') = $4",
    )
    .bind(account.as_str())
    .bind(user.id.as_str())
    .bind(role.code())
    .bind(match scope {
        Scope::Account => "",
        Scope::Profile(p) => p.as_str(),
    })
    .fetch_one(&mut *conn)
    .await?;
    if exists > 0 {
        return Ok(Err(GrantRefusal::AlreadyAssigned));
    }
    let assignment =
        crate::accounts::add_role_assignment(&mut *conn, account, &user.id, scope, role).await?;
    let now = rows::now();
    // A user who never set a password has never proved they own the mailbox: every grant
    // to them issues a fresh invitation to that address and revokes the earlier ones, so
    // whoever holds an older link (another account's owner, say) holds nothing.
    let (invitation, invitation_expires) = if has_password {
        (None, None)
    } else {
        revoke_open_invitations(&mut *conn, &user.id, None, now).await?;
        // The token is not kept: the worker makes the mail's link afresh (and stores only its
        // hash) when it writes the mail. Until then the row holds the hash of a token nobody
        // has, so the invitation cannot be used before it is mailed.
        let id = format!("ivt_{}", &crate::random_token()[..32]);
        let expires = now + Duration::days(INVITATION_DAYS);
        sqlx::query(
            "INSERT INTO invitations (id, token_hash, billing_account_id, user_id, email, created_by, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
        )
        .bind(&id)
        .bind(token_hash(&crate::random_token()))
        .bind(account.as_str())
        .bind(user.id.as_str())
        .bind(&user.email)
        .bind(created_by.map(|u| u.as_str()))
        .bind(millis(now))
        .bind(millis(expires))
        .execute(&mut *conn)
        .await?;
        (Some(id), Some(expires))
    };
    audit::insert(
        &mut *conn,
        &NewAuditEvent {
            billing_account_id: Some(account.clone()),
            actor: created_by.cloned(),
            kind: "role.granted".into(),
            target: user.email.clone(),
            detail: serde_json::json!({
                "assignment": assignment.id.as_str(),
                "role": role.code(),
                "scope": scope_detail(scope),
                "invited": invitation.is_some(),
            }),
            ip: ip.clone(),
        },
    )
    .await?;
    if let Some(id) = &invitation {
        // The mail to the invited address, queued with the grant: lost by no crash, sent by no
        // grant that rolled back. `locale` is the inviter's, for a user who has chosen none.
        audit::insert(
            &mut *conn,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: created_by.cloned(),
                kind: "invitation.created".into(),
                target: user.email.clone(),
                detail: serde_json::json!({
                    "invitation": id,
                    "role": role.code(),
                    "scope": scope_detail(scope),
                    "mail_locale": locale.map(|l| l.tag()),
                }),
                ip,
            },
        )
        .await?;
    }
    Ok(Ok(Granted {
        assignment,
        user,
        invitation,
        invitation_expires,
    }))
}

impl Store {
    /// Gives `email` the role at the scope. An unknown e-mail becomes an invited user (no
    /// password); a user without a password gets a fresh set-password link.
    pub async fn grant_role(
        &self,
        account: &BillingAccountId,
        email: &str,
        scope: &Scope,
        role: Role,
        actor: &AuditActor,
        locale: Locale,
    ) -> Result<Result<Granted, GrantRefusal>> {
        if role.is_account_role() != (*scope == Scope::Account) {
            return Ok(Err(GrantRefusal::RoleDoesNotFitScope));
        }
        let mut tx = self.begin_write().await?;
        if !lock_account(&mut tx, account).await? {
            return Err(StoreError::NotFound);
        }
        let email = normalize_email(email);
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        let (user, has_password) = match row {
            Some(row) => (
                rows::user(&row)?,
                rows::opt_text(&row, "password_hash")?.is_some(),
            ),
            None => (insert_user(&mut tx, &email, &email, None).await?, false),
        };
        let granted = grant_in(
            &mut tx,
            account,
            (user, has_password),
            scope,
            role,
            GrantedBy {
                user: Some(&actor.user),
                ip: actor.ip.clone(),
                locale: Some(locale),
            },
        )
        .await?;
        if granted.is_ok() {
            tx.commit().await?;
        }
        Ok(granted)
    }

    /// The operator gives an existing user a role. A user who never set a password gets a
    /// fresh set-password link, as with [`Store::grant_role`]; `operator` is the operator
    /// token's user, when it has one.
    pub async fn operator_grant_role(
        &self,
        account: &BillingAccountId,
        user: &UserId,
        scope: &Scope,
        role: Role,
        operator: Option<&UserId>,
    ) -> Result<Result<Granted, GrantRefusal>> {
        if role.is_account_role() != (*scope == Scope::Account) {
            return Ok(Err(GrantRefusal::RoleDoesNotFitScope));
        }
        let mut tx = self.begin_write().await?;
        if !lock_account(&mut tx, account).await? {
            return Err(StoreError::NotFound);
        }
        let holder = user_with_password(&mut tx, user).await?;
        let granted = grant_in(
            &mut tx,
            account,
            holder,
            scope,
            role,
            GrantedBy {
                user: operator,
                ip: None,
                locale: None,
            },
        )
        .await?;
        if granted.is_ok() {
            tx.commit().await?;
        }
        Ok(granted)
    }

    /// Opens a billing account whose administrator (an existing user) becomes its owner, in
    /// one transaction; an administrator who never set a password gets a set-password link.
    pub async fn open_account(
        &self,
        new: &NewBillingAccount<'_>,
        operator: Option<&UserId>,
    ) -> Result<(BillingAccount, Granted)> {
        let mut tx = self.begin_write().await?;
        let holder = user_with_password(&mut tx, new.account_admin).await?;
        let account = crate::accounts::create_account(
            &mut tx,
            new.display_name,
            new.agreement_type,
            new.country,
            new.sold_to,
            new.account_admin,
        )
        .await?;
        let granted = grant_in(
            &mut tx,
            &account.id,
            holder,
            &Scope::Account,
            Role::BillingAccountOwner,
            GrantedBy {
                user: operator,
                ip: None,
                locale: None,
            },
        )
        .await?
        .map_err(|refusal| {
            StoreError::Corrupt(format!("a new account refused its owner: {refusal:?}"))
        })?;
        tx.commit().await?;
        Ok((account, granted))
    }

    /// Removes an assignment, unless it is the account's last billing account owner.
    pub async fn remove_role_assignment(
        &self,
        account: &BillingAccountId,
        id: &RoleAssignmentId,
        actor: &AuditActor,
    ) -> Result<Result<(RoleAssignment, String), RemoveRefusal>> {
        let mut tx = self.begin_write().await?;
        if !lock_account(&mut tx, account).await? {
            return Ok(Err(RemoveRefusal::NotFound));
        }
        let row = sqlx::query(
            "SELECT r.*, u.email FROM role_assignments r JOIN users u ON u.id = r.user_id \
             WHERE r.billing_account_id = $1 AND r.id = $2",
        )
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(RemoveRefusal::NotFound));
        };
        let role_code = rows::text(&row, "role")?;
        let role: Role = role_code
            .parse()
            .map_err(|_| rows::corrupt("role", &role_code))?;
        let scope = match rows::opt_id(&row, "billing_profile_id", BillingProfileId::parse)? {
            Some(p) => Scope::Profile(p),
            None => Scope::Account,
        };
        let assignment = RoleAssignment {
            id: id.clone(),
            billing_account_id: account.clone(),
            user_id: rows::id(&row, "user_id", UserId::parse)?,
            scope,
            role,
            created_at: rows::timestamp(&row, "created_at")?,
        };
        let email = rows::text(&row, "email")?;
        if role == Role::BillingAccountOwner {
            let owners: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM role_assignments WHERE billing_account_id = $1 \
                 AND role = 'BillingAccountOwner' AND billing_profile_id IS NULL",
            )
            .bind(account.as_str())
            .fetch_one(&mut *tx)
            .await?;
            if owners <= 1 {
                return Ok(Err(RemoveRefusal::LastOwner));
            }
        }
        sqlx::query("DELETE FROM role_assignments WHERE billing_account_id = $1 AND id = $2")
            .bind(account.as_str())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        // Without a role here, this account's open invitations for the user lead nowhere.
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM role_assignments WHERE billing_account_id = $1 AND user_id = $2",
        )
        .bind(account.as_str())
        .bind(assignment.user_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if left == 0 {
            revoke_open_invitations(&mut tx, &assignment.user_id, Some(account), rows::now())
                .await?;
        }
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: "role.removed".into(),
                target: email.clone(),
                detail: serde_json::json!({
                    "assignment": id.as_str(),
                    "role": role.code(),
                    "scope": scope_detail(&assignment.scope),
                }),
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok((assignment, email)))
    }

    /// Makes the link of an invitation that can still be used, for the mail that carries it: a
    /// fresh token whose hash replaces the stored one (so a link mailed earlier for it stops
    /// working; the latest mail's works). `None` when the invitation was used, revoked (a newer
    /// one, or the role removed), expired, or its user has a password or another address now:
    /// then there is nothing to send.
    pub async fn issue_invitation_link(
        &self,
        invitation: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InvitationLink>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT i.token_hash, i.expires_at, i.used_at, i.revoked_at, \
             i.email AS invited_email, u.* FROM invitations i JOIN users u ON u.id = i.user_id \
             WHERE i.id = $1",
        )
        .bind(invitation)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if refusal(&row, now)?.is_some() {
            return Ok(None);
        }
        let token = crate::random_token();
        let changed = sqlx::query(
            "UPDATE invitations SET token_hash = $1 WHERE id = $2 AND token_hash = $3 \
             AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(token_hash(&token))
        .bind(invitation)
        .bind(rows::text(&row, "token_hash")?)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(InvitationLink {
            token,
            email: rows::text(&row, "invited_email")?,
            expires_at: rows::timestamp(&row, "expires_at")?,
        }))
    }

    /// The invitation behind a set-password token, if it can still be used.
    pub async fn invitation(&self, token: &str) -> Result<Result<Invitation, InvitationRefusal>> {
        let row = sqlx::query(INVITATION_BY_TOKEN)
            .bind(token_hash(token))
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(Err(InvitationRefusal::Unknown));
        };
        if let Some(refused) = refusal(&row, Utc::now())? {
            return Ok(Err(refused));
        }
        Ok(Ok(Invitation {
            user: rows::user(&row)?,
            account_name: rows::text(&row, "account_name")?,
            expires_at: rows::timestamp(&row, "expires_at")?,
        }))
    }

    /// Uses a set-password link once: stores the password hash of the link's user (only while
    /// they have none), marks the link used and revokes the user's other open links.
    pub async fn accept_invitation(
        &self,
        token: &str,
        password_hash: &str,
        ip: Option<&str>,
    ) -> Result<Result<User, InvitationRefusal>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(INVITATION_BY_TOKEN)
            .bind(token_hash(token))
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Err(InvitationRefusal::Unknown));
        };
        let now = rows::now();
        if let Some(refused) = refusal(&row, now)? {
            return Ok(Err(refused));
        }
        let user_id = rows::id(&row, "id", UserId::parse)?;
        let account = rows::id(&row, "billing_account_id", BillingAccountId::parse)?;
        // Both updates are conditional, so two tabs racing with one link cannot both win.
        let used = sqlx::query(
            "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(token_hash(token))
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(Err(InvitationRefusal::Used));
        }
        let set = sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash IS NULL",
        )
        .bind(password_hash)
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?;
        if set.rows_affected() != 1 {
            return Ok(Err(InvitationRefusal::Used));
        }
        revoke_open_invitations(&mut tx, &user_id, None, now).await?;
        let user_row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(user_id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let user = rows::user(&user_row)?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account),
                actor: Some(user.id.clone()),
                kind: "auth.invitation_accepted".into(),
                target: user.email.clone(),
                detail: serde_json::json!({}),
                ip: ip.map(str::to_owned),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(user))
    }

    /// Changes a profile's bill-to address and invoice e-mail; the log keeps before and after.
    pub async fn update_profile_properties(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
        bill_to: &Address,
        invoice_email: &str,
        actor: &AuditActor,
    ) -> Result<BillingProfile> {
        let mut tx = self.begin_write().await?;
        let row =
            sqlx::query("SELECT * FROM billing_profiles WHERE billing_account_id = $1 AND id = $2")
                .bind(account.as_str())
                .bind(profile.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let before = rows::profile(&row)?;
        sqlx::query(
            "UPDATE billing_profiles SET bill_to_company = $1, bill_to_line1 = $2, bill_to_line2 = $3, \
             bill_to_postal_code = $4, bill_to_city = $5, bill_to_region = $6, bill_to_country = $7, \
             invoice_email = $8 WHERE billing_account_id = $9 AND id = $10",
        )
        .bind(&bill_to.company)
        .bind(&bill_to.line1)
        .bind(&bill_to.line2)
        .bind(&bill_to.postal_code)
        .bind(&bill_to.city)
        .bind(&bill_to.region)
        .bind(&bill_to.country)
        .bind(invoice_email)
        .bind(account.as_str())
        .bind(profile.as_str())
        .execute(&mut *tx)
        .await?;
        let mut after = before.clone();
        after.bill_to = bill_to.clone();
        after.invoice_email = invoice_email.to_owned();
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: "properties.updated".into(),
                target: before.display_name.clone(),
                detail: serde_json::json!({
                    "profile": profile.as_str(),
                    "before": {"bill_to": before.bill_to, "invoice_email": before.invoice_email},
                    "after": {"bill_to": after.bill_to, "invoice_email": after.invoice_email},
                }),
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets or clears (`None`) a profile's purchase order number; the log keeps before and
    /// after. Issued invoices keep the number they were issued with.
    pub async fn update_profile_po_number(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
        number: Option<&str>,
        actor: &AuditActor,
    ) -> Result<BillingProfile> {
        let mut tx = self.begin_write().await?;
        let row =
            sqlx::query("SELECT * FROM billing_profiles WHERE billing_account_id = $1 AND id = $2")
                .bind(account.as_str())
                .bind(profile.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let before = rows::profile(&row)?;
        let mut after = before.clone();
        after.purchase_order_number = number.map(str::to_owned);
        if after == before {
            return Ok(after);
        }
        sqlx::query(
            "UPDATE billing_profiles SET po_number = $1 WHERE billing_account_id = $2 AND id = $3",
        )
        .bind(number)
        .bind(account.as_str())
        .bind(profile.as_str())
        .execute(&mut *tx)
        .await?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: "properties.updated".into(),
                target: before.display_name.clone(),
                detail: serde_json::json!({
                    "profile": profile.as_str(),
                    "before": {"po_number": before.purchase_order_number},
                    "after": {"po_number": after.purchase_order_number},
                }),
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes the account's sold-to address (its country stays: it is the account's
    /// country); the log keeps before and after.
    pub async fn update_sold_to(
        &self,
        account: &BillingAccountId,
        sold_to: &Address,
        actor: &AuditActor,
    ) -> Result<BillingAccount> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT * FROM billing_accounts WHERE id = $1")
            .bind(account.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let before = rows::account(&row)?;
        let mut after = before.clone();
        after.sold_to = Address {
            country: before.sold_to.country.clone(),
            ..sold_to.clone()
        };
        if after.sold_to == before.sold_to {
            return Ok(after);
        }
        let new = &after.sold_to;
        sqlx::query(
            "UPDATE billing_accounts SET sold_to_company = $1, sold_to_line1 = $2, sold_to_line2 = $3, \
             sold_to_postal_code = $4, sold_to_city = $5, sold_to_region = $6 WHERE id = $7",
        )
        .bind(&new.company)
        .bind(&new.line1)
        .bind(&new.line2)
        .bind(&new.postal_code)
        .bind(&new.city)
        .bind(&new.region)
        .bind(account.as_str())
        .execute(&mut *tx)
        .await?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: "properties.updated".into(),
                target: before.display_name.clone(),
                detail: serde_json::json!({
                    "before": {"sold_to": before.sold_to},
                    "after": {"sold_to": after.sold_to},
                }),
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

use sqlx::Row as _;
