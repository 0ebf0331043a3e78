//! Personal access tokens for the API. The token is shown once; the database keeps its SHA-256.

use crate::audit::{self, NewAuditEvent};
use crate::direct::Param;
use crate::rows::{self, millis, now};
use crate::{random_token, Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::{User, UserId};
use sha2::{Digest, Sha256};

/// Tokens start with this, so they are recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "fkt_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub user_id: Option<UserId>,
    pub name: String,
    pub is_operator: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn token<R: rows::RowRead + ?Sized>(row: &R) -> Result<ApiToken> {
    let optional_time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        match rows::opt_int(row, column)? {
            Some(ms) => Ok(Some(
                DateTime::from_timestamp_millis(ms)
                    .ok_or_else(|| rows::corrupt(column, &ms.to_string()))?,
            )),
            None => Ok(None),
        }
    };
    Ok(ApiToken {
        id: rows::text(row, "id")?,
        user_id: rows::opt_id(row, "user_id", UserId::parse)?,
        name: rows::text(row, "name")?,
        is_operator: rows::int(row, "is_operator")? != 0,
        created_at: rows::timestamp(row, "created_at")?,
        expires_at: optional_time("expires_at")?,
        revoked_at: optional_time("revoked_at")?,
    })
}

impl Store {
    /// Creates a token and returns it in clear text (once) with its record. The activity-log
    /// entry (`api_token.created`, with the client address `from` when there is one) is written
    /// in the same transaction.
    pub async fn create_api_token(
        &self,
        user: Option<&UserId>,
        name: &str,
        lifetime: Option<Duration>,
        is_operator: bool,
        from: Option<&str>,
    ) -> Result<(String, ApiToken)> {
        if user.is_none() && !is_operator {
            return Err(StoreError::Conflict("a user token needs a user"));
        }
        let clear = format!("{TOKEN_PREFIX}{}", random_token());
        let record = ApiToken {
            id: format!("tok_{}", &random_token()[..20]),
            user_id: user.cloned(),
            name: name.to_owned(),
            is_operator,
            created_at: now(),
            expires_at: lifetime.map(|l| now() + l),
            revoked_at: None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, is_operator, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(&record.id)
        .bind(user.map(|u| u.as_str()))
        .bind(&record.name)
        .bind(hash(&clear))
        .bind(i64::from(is_operator))
        .bind(millis(record.created_at))
        .bind(record.expires_at.map(millis))
        .execute(&mut *tx)
        .await?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: None,
                actor: user.cloned(),
                kind: "api_token.created".into(),
                target: record.id.clone(),
                detail: serde_json::json!({"name": record.name, "operator": is_operator}),
                ip: from.map(str::to_owned),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((clear, record))
    }

    /// The live token for a bearer value: not revoked, not expired.
    pub async fn api_token(&self, clear: &str) -> Result<Option<ApiToken>> {
        Ok(self
            .api_token_with_user(clear)
            .await?
            .map(|(token, _)| token))
    }

    /// The live token for a bearer value with its user, in one query (every API request starts
    /// with it). The user is `None` for an operator token without one, and for a token whose
    /// user no longer exists (`user_id` is set but nothing joined).
    pub async fn api_token_with_user(
        &self,
        clear: &str,
    ) -> Result<Option<(ApiToken, Option<User>)>> {
        if !clear.starts_with(TOKEN_PREFIX) || clear.len() > 200 {
            return Ok(None);
        }
        let at = millis(now());
        let token_hash = hash(clear);
        self.read_row(
            &format!(
                "SELECT t.*, {} FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
                 AND (t.expires_at IS NULL OR t.expires_at > $2)",
                rows::USER_COLUMNS
            ),
            &[Param::Text(&token_hash), Param::Int(at)],
            |row| Ok((token(row)?, rows::joined_user(row)?)),
        )
        .await
    }

    pub async fn api_tokens_for(&self, user: &UserId) -> Result<Vec<ApiToken>> {
        let rows =
            sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id")
                .bind(user.as_str())
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(token).collect()
    }

    /// Revokes one of the user's tokens, logged in the same transaction; revoking twice is
    /// harmless and logged once.
    pub async fn revoke_api_token(
        &self,
        user: &UserId,
        id: &str,
        from: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(millis(now()))
        .bind(id)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Already revoked (nothing to log again), or not this user's token at all.
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM api_tokens WHERE id = $1 AND user_id = $2")
                    .bind(id)
                    .bind(user.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            return if exists.is_some() {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            };
        }
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: None,
                actor: Some(user.clone()),
                kind: "api_token.revoked".into(),
                target: id.to_owned(),
                detail: serde_json::json!({}),
                ip: from.map(str::to_owned),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What a download link opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    pub account: faktura_domain::BillingAccountId,
    pub invoice: faktura_domain::InvoiceId,
    pub locale: String,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// A link token for the invoice's PDF, valid for `lifetime`.
    pub async fn create_document_link(
        &self,
        account: &faktura_domain::BillingAccountId,
        invoice: &faktura_domain::InvoiceId,
        locale: &str,
        lifetime: Duration,
    ) -> Result<(String, DateTime<Utc>)> {
        let token = random_token();
        let expires_at = now() + lifetime;
        // Expired links are of no use to anyone; clear them as new ones are made.
        let _gate = self.write_gate().await;
        sqlx::query("DELETE FROM document_links WHERE expires_at <= $1")
            .bind(millis(now()))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO document_links (token_hash, billing_account_id, invoice_id, locale, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash(&token))
        .bind(account.as_str())
        .bind(invoice.as_str())
        .bind(locale)
        .bind(millis(expires_at))
        .execute(self.pool())
        .await?;
        Ok((token, expires_at))
    }

    /// The live link for a token, if it exists and has not expired.
    pub async fn document_link(&self, token: &str) -> Result<Option<DocumentLink>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let row =
            sqlx::query("SELECT * FROM document_links WHERE token_hash = $1 AND expires_at > $2")
                .bind(hash(token))
                .bind(millis(now()))
                .fetch_optional(self.pool())
                .await?;
        match row {
            Some(row) => Ok(Some(DocumentLink {
                account: rows::id(
                    &row,
                    "billing_account_id",
                    faktura_domain::BillingAccountId::parse,
                )?,
                invoice: rows::id(&row, "invoice_id", faktura_domain::InvoiceId::parse)?,
                locale: rows::text(&row, "locale")?,
                expires_at: rows::timestamp(&row, "expires_at")?,
            })),
            None => Ok(None),
        }
    }

    /// A link token for a ZIP of these invoices' PDFs, valid for `lifetime`.
    pub async fn create_bundle_link(
        &self,
        account: &faktura_domain::BillingAccountId,
        invoices: &[faktura_domain::InvoiceId],
        locale: &str,
        lifetime: Duration,
    ) -> Result<(String, DateTime<Utc>)> {
        let token = random_token();
        let expires_at = now() + lifetime;
        let ids: Vec<&str> = invoices.iter().map(|i| i.as_str()).collect();
        let _gate = self.write_gate().await;
        sqlx::query("DELETE FROM document_bundle_links WHERE expires_at <= $1")
            .bind(millis(now()))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO document_bundle_links (token_hash, billing_account_id, invoice_ids, locale, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash(&token))
        .bind(account.as_str())
        .bind(ids.join(" "))
        .bind(locale)
        .bind(millis(expires_at))
        .execute(self.pool())
        .await?;
        Ok((token, expires_at))
    }

    /// The live ZIP link for a token, if it exists and has not expired.
    pub async fn bundle_link(&self, token: &str) -> Result<Option<BundleLink>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT * FROM document_bundle_links WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(hash(token))
        .bind(millis(now()))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let ids = rows::text(&row, "invoice_ids")?;
        let invoices = ids
            .split(' ')
            .map(|id| {
                faktura_domain::InvoiceId::parse(id)
                    .map_err(|_| StoreError::Corrupt(format!("bundle link invoice {id:?}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(BundleLink {
            account: rows::id(
                &row,
                "billing_account_id",
                faktura_domain::BillingAccountId::parse,
            )?,
            invoices,
            locale: rows::text(&row, "locale")?,
            expires_at: rows::timestamp(&row, "expires_at")?,
        }))
    }
}

/// What a ZIP download link opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleLink {
    pub account: faktura_domain::BillingAccountId,
    pub invoices: Vec<faktura_domain::InvoiceId>,
    pub locale: String,
    pub expires_at: DateTime<Utc>,
}
