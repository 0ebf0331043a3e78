//! Reading the activity log a page at a time, filtered by kind and period.

use crate::rows::{self, millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use faktura_domain::*;

#[derive(Debug, Clone)]
pub struct ActivityQuery {
    pub account: BillingAccountId,
    /// `None`: the whole account. `Some(profiles)`: only events about those billing profiles
    /// (their cards, properties and role assignments, and payments of their invoices), for
    /// users whose standing is on profiles rather than on the account.
    pub profiles: Option<Vec<BillingProfileId>>,
    /// Only kinds starting with this (e.g. `payment.` or `role.`); letters, dots and underscores.
    pub kind_prefix: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Keyset cursor: continue after this (time in ms, id), newest first.
    pub before: Option<(i64, AuditEventId)>,
    pub limit: u32,
}

/// An event with its actor's e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    pub event: AuditEvent,
    pub actor_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityPage {
    pub items: Vec<ActivityEntry>,
    pub next: Option<(i64, AuditEventId)>,
}

impl Store {
    /// The account's activity, newest first, one page at a time.
    pub async fn activity(&self, query: &ActivityQuery) -> Result<ActivityPage> {
        let prefix = query.kind_prefix.clone().unwrap_or_default();
        if !prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        {
            return Ok(ActivityPage {
                items: vec![],
                next: None,
            });
        }
        let limit = query.limit.clamp(1, 200);
        let (before_ms, before_id) = match &query.before {
            Some((ms, id)) => (*ms, id.as_str().to_owned()),
            None => (i64::MAX, String::new()),
        };
        let mut sql = String::from(
            "SELECT e.*, u.email AS actor_email FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id \
             WHERE e.billing_account_id = $1 AND ($2 = '' OR e.kind LIKE $2 || '%') \
             AND e.created_at >= $3 AND e.created_at <= $4 \
             AND (e.created_at < $5 OR (e.created_at = $5 AND ($6 = '' OR e.id < $6)))",
        );
        let mut profile_binds: Vec<String> = Vec::new();
        if let Some(profiles) = &query.profiles {
            if profiles.is_empty() {
                return Ok(ActivityPage {
                    items: vec![],
                    next: None,
                });
            }
            // Profile ids are letters, digits, dashes and one underscore, so they are safe in
            // LIKE (an underscore matches itself among other characters too).
            let mut clauses = Vec::new();
            for profile in profiles {
                let n = 8 + profile_binds.len();
                clauses.push(format!(
                    "e.detail LIKE '%' || ${n} || '%' OR e.target IN \
                     (SELECT number FROM invoices WHERE billing_account_id = $1 AND billing_profile_id = ${n})"
                ));
                profile_binds.push(profile.as_str().to_owned());
            }
            sql.push_str(&format!(" AND ({})", clauses.join(" OR ")));
        }
        sql.push_str(" ORDER BY e.created_at DESC, e.id DESC LIMIT $7");
        let mut statement = sqlx::query(&sql)
            .bind(query.account.as_str())
            .bind(prefix.clone())
            .bind(query.since.map(millis).unwrap_or(0))
            .bind(query.until.map(millis).unwrap_or(i64::MAX))
            .bind(before_ms)
            .bind(before_id)
            .bind(i64::from(limit) + 1);
        for profile in profile_binds {
            statement = statement.bind(profile);
        }
        let rows = statement.fetch_all(self.pool()).await?;
        let mut items = rows
            .iter()
            .map(|row| {
                Ok(ActivityEntry {
                    event: AuditEvent {
                        id: rows::id(row, "id", AuditEventId::parse)?,
                        billing_account_id: rows::opt_id(
                            row,
                            "billing_account_id",
                            BillingAccountId::parse,
                        )?,
                        actor: rows::opt_id(row, "actor_user_id", UserId::parse)?,
                        kind: rows::text(row, "kind")?,
                        target: rows::text(row, "target")?,
                        detail: rows::text(row, "detail")?,
                        ip: rows::opt_text(row, "ip")?,
                        created_at: rows::timestamp(row, "created_at")?,
                    },
                    actor_email: rows::opt_text(row, "actor_email")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items
                .last()
                .map(|e| (millis(e.event.created_at), e.event.id.clone()))
        } else {
            None
        };
        Ok(ActivityPage { items, next })
    }
}
