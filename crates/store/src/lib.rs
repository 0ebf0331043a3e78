//! Faktura's storage: one set of portable SQL run through sqlx's `Any` driver on an embedded
//! SQLite file (the default) or on PostgreSQL (for several nodes). Each backend has its own
//! migrations folder, embedded in the binary.
//!
//! Every table that belongs to a customer carries `billing_account_id`, and every query for
//! customer data takes the account id and filters by it.

mod account_settings;
mod accounts;
mod activity;
mod audit;
pub mod demo;
mod direct;
mod gateway;
mod help_learning;
mod iam;
mod idempotency;
mod invoices;
mod janitor;
mod methods;
mod notifications;
pub mod outbox;
mod payments;
mod refunds;
mod reminders;
mod rows;
pub mod scale;
mod secrets;
mod sessions;
mod settlements;
mod support;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod throttle;
mod tokens;
mod users;
pub mod webhooks;
mod writer;

pub use accounts::NewProfile;
pub use activity::{ActivityEntry, ActivityPage, ActivityQuery};
pub use audit::{AuditFilter, NewAuditEvent};
pub use gateway::CardUpdate;
pub use help_learning::{HelpAnswer, LearnedCounts};
pub use iam::{
    GrantRefusal, Granted, Invitation, InvitationLink, InvitationRefusal, NewBillingAccount,
    RemoveRefusal, INVITATION_DAYS,
};
pub use idempotency::{IdempotencyClaim, IdempotencyStart, IDEMPOTENCY_RETENTION_HOURS};
pub use invoices::{
    InvoiceCursor, InvoiceFilter, InvoicePage, InvoiceSummary, StatusFilter, VoidRefusal,
};
pub use janitor::{Backlog, DoubtKind, InDoubt};
pub use methods::{AddMode, AuditActor, DetachRefusal};
pub use payments::{
    BeginPayment, LateCharge, PayRefusal, PaymentAnswer, PaymentOutcome, SettleResult,
};
pub use refunds::{BeginRefund, RefundOutcome, RefundRefusal, RefundSettled, RefundTarget};
pub use sessions::{random_token, Session};
pub use settlements::{BeginSettlement, SettleRefusal, SettlementResult};
pub use support::{
    NewSupportRequest, RateLimit, SupportRequest, SUPPORT_SEVERITIES, SUPPORT_STATUSES,
};
pub use tokens::{ApiToken, BundleLink, DocumentLink, TOKEN_PREFIX};
pub use users::{email_problem, normalize_email, EmailProblem};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor, Transaction};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite://PATH or postgres://…)")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite, read straight through the C library ([`direct`]).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// SQLite: the group commit this transaction was part of failed, so none of it was kept.
    #[error("the write batch failed: {0}")]
    WriteBatch(Arc<str>),
}

impl StoreError {
    /// True when the error is a unique-constraint violation (a duplicate the caller may expect).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation)
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Connection pool plus the backend it speaks to.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Writers queue here, in order, instead of in SQLite's busy
    /// handler, which sleeps (1, 2, 5, 10 … 100 ms) between retries and so turns contention into
    /// idle time and long tails; and the transactions that queued together commit together
    /// (group commit, [`writer`]). `None` on PostgreSQL, whose row locks and parallel commits do
    /// this themselves.
    write_gate: Option<writer::Gate>,
    /// SQLite: the reads every request makes, straight through the C library on the calling
    /// task ([`direct`]). `None` on PostgreSQL.
    reader: Option<Arc<direct::Reader>>,
}

/// A write transaction. On SQLite it is a savepoint in the writer's group commit and holds the
/// process's write gate until it ends; on PostgreSQL a plain transaction.
pub(crate) struct WriteTx {
    inner: WriteInner,
}

enum WriteInner {
    Plain(Transaction<'static, sqlx::Any>),
    Grouped(writer::GroupTx),
}

impl WriteTx {
    /// Commits; `Ok` only once the writes are durable.
    pub(crate) async fn commit(self) -> Result<()> {
        match self.inner {
            WriteInner::Plain(tx) => tx.commit().await?,
            WriteInner::Grouped(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        match &self.inner {
            WriteInner::Plain(tx) => tx,
            WriteInner::Grouped(tx) => tx.connection_ref(),
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        match &mut self.inner {
            WriteInner::Plain(tx) => tx,
            WriteInner::Grouped(tx) => tx.connection(),
        }
    }
}

/// Tuning for [`Store::connect_with`].
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

pub fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// Turns a plain file path into a SQLite URL that creates the file if missing.
pub fn sqlite_url_for_path(path: &str) -> String {
    format!("sqlite://{path}?mode=rwc")
}

impl Store {
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, ConnectOptions::default()).await
    }

    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let pool_options = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout);
        let pool_options = match backend {
            Backend::Sqlite => pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the one writer; FULL sync makes every commit
                    // durable; the busy timeout makes writers queue instead of failing.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options,
        };
        let pool = pool_options.connect(url).await?;
        let write_gate = (backend == Backend::Sqlite).then(|| writer::Gate::new(pool.clone()));
        let reader = match backend {
            Backend::Sqlite => sqlite_file(&pool)
                .await?
                .map(|path| Arc::new(direct::Reader::new(&path))),
            Backend::Postgres => None,
        };
        Ok(Store {
            pool,
            backend,
            write_gate,
            reader,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the embedded migrations for this backend. On PostgreSQL, tables that have never
    /// been analysed (new ones, or ones a migration rebuilt) are analysed then, so that the
    /// server's queries are planned on real statistics whether or not autovacuum runs.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => {
                POSTGRES_MIGRATIONS.run(&self.pool).await?;
                self.analyze_unanalyzed().await?;
            }
        }
        Ok(())
    }

    /// PostgreSQL: `ANALYZE` the tables of the current schema that have no statistics yet
    /// (`reltuples < 0`: never analysed nor vacuumed). Cheap when there are none, which is
    /// every start but the first after a migration.
    async fn analyze_unanalyzed(&self) -> Result<()> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_class c \
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' \
             AND c.reltuples < 0 ORDER BY c.relname",
        )
        .fetch_all(&self.pool)
        .await?;
        if !tables.is_empty() {
            let list: Vec<String> = tables
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect();
            sqlx::query(&format!("ANALYZE {}", list.join(", ")))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Refreshes the planners' statistics after a bulk change (an import, generated data).
    pub async fn analyze(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Sqlite {
            // Sampled: a full ANALYZE would read every index of a large file.
            conn.execute("PRAGMA analysis_limit = 1000").await?;
        }
        conn.execute("ANALYZE").await?;
        Ok(())
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database holds no billing data and no users (safe to load demo data into).
    pub async fn is_empty(&self) -> Result<bool> {
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM billing_accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(users == 0 && accounts == 0)
    }

    /// Starts a transaction that will write. On SQLite it joins the writer's group commit,
    /// which holds the write lock from the start (`BEGIN IMMEDIATE`), so a read-then-write
    /// transaction cannot fail to upgrade.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        let inner = match &self.write_gate {
            Some(gate) => WriteInner::Grouped(gate.begin().await?),
            None => WriteInner::Plain(self.pool.begin().await?),
        };
        Ok(WriteTx { inner })
    }

    /// Takes the SQLite write gate (see [`Store`]) for a single-statement write on the pool;
    /// `None` on PostgreSQL.
    pub(crate) async fn write_gate(&self) -> Option<writer::Exclusive> {
        match &self.write_gate {
            Some(gate) => Some(gate.exclusive().await),
            None => None,
        }
    }

    /// Runs a read and decodes each row with `decode`: on SQLite straight through the C
    /// library ([`direct`]), on PostgreSQL through sqlx. For the short, indexed reads that
    /// requests make; the SQL names its parameters `$1`, `$2`, … like the rest of the store.
    pub(crate) async fn read_rows<T>(
        &self,
        sql: &str,
        params: &[direct::Param<'_>],
        decode: direct::Decode<T>,
    ) -> Result<Vec<T>> {
        if let Some(reader) = &self.reader {
            return reader.query(sql, params, decode);
        }
        let mut query = sqlx::query(sql);
        for param in params {
            query = match *param {
                direct::Param::Text(text) => query.bind(text),
                direct::Param::Int(value) => query.bind(value),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| decode(row)).collect()
    }

    /// [`Store::read_rows`] for a read of at most one row.
    pub(crate) async fn read_row<T>(
        &self,
        sql: &str,
        params: &[direct::Param<'_>],
        decode: direct::Decode<T>,
    ) -> Result<Option<T>> {
        Ok(self
            .read_rows(sql, params, decode)
            .await?
            .into_iter()
            .next())
    }

    pub async fn close(&self) {
        if let Some(reader) = &self.reader {
            reader.close();
        }
        if let Some(gate) = &self.write_gate {
            gate.shut().await;
        }
        self.pool.close().await;
    }
}

pub(crate) type Row = AnyRow;

/// The file behind a SQLite pool (`PRAGMA database_list`), or `None` for an in-memory or
/// temporary database, which other connections cannot open.
async fn sqlite_file(pool: &AnyPool) -> Result<Option<std::path::PathBuf>> {
    let rows = sqlx::query("PRAGMA database_list").fetch_all(pool).await?;
    for row in &rows {
        if rows::opt_text(row, "name")?.as_deref() == Some("main") {
            return Ok(rows::opt_text(row, "file")?
                .filter(|file| !file.is_empty())
                .map(std::path::PathBuf::from));
        }
    }
    Ok(None)
}
