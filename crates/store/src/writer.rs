//! SQLite group commit.
//!
//! SQLite has one writer, and every durable commit (`synchronous=FULL`) costs an fsync. Write
//! transactions queue on one gate, in order. Each runs as a savepoint inside a shared
//! `BEGIN IMMEDIATE … COMMIT` on the writer's own connection, and one `COMMIT` then makes all
//! the savepoints released meanwhile durable with one fsync. Nobody is told that their
//! transaction committed before that `COMMIT` has returned; if it fails, every member of the
//! batch is told it failed, and none of their writes is kept.
//!
//! The batch's first member to release its savepoint spawns the committer, which queues on the
//! gate behind the writers already waiting: they join the batch, later ones start the next.
//! Holding the gate to commit means no member is ever half-way through its savepoint then.
//!
//! Members see the writes of those before them in the batch, as if they had run one after the
//! other, which they did. A member that refuses (and so commits nothing) may answer its caller
//! before the batch is durable; if that batch then fails (a crash, a full disk), the refusal was
//! based on writes that never happened, e.g. "a payment is in progress" for one that was not
//! kept. A retry then sees the truth. Nothing that was refused was charged.

use crate::{Result, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};
use std::sync::Arc;
use tokio::sync::{watch, Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

/// What a batch's members learn when it ends: `Ok` once it is durable.
type Outcome = Option<std::result::Result<(), Arc<str>>>;

/// The gate every SQLite write queues on, and the writer connection behind it.
#[derive(Clone)]
pub(crate) struct Gate {
    state: Arc<Mutex<Option<Writer>>>,
    pool: AnyPool,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

/// The gate held for a write on another connection of the pool (see [`Gate::exclusive`]).
pub(crate) type Exclusive = OwnedMutexGuard<Option<Writer>>;

/// The writer's connection and the batch open on it. `None` in the gate until the first write
/// (or after the connection failed).
pub(crate) struct Writer {
    conn: PoolConnection<Any>,
    batch: Option<Batch>,
    /// A transaction ended without committing (an error, a dropped future) and left its
    /// savepoint open: the next holder of the gate rolls it back before anything else.
    abandoned: bool,
    /// The connection failed in a way that may leave it inside a transaction: replace it.
    broken: bool,
    next_batch: u64,
}

struct Batch {
    id: u64,
    /// Savepoints released into it: the writes its `COMMIT` makes durable.
    members: usize,
    done: watch::Sender<Outcome>,
}

const SAVEPOINT: &str = "SAVEPOINT faktura_write";
const RELEASE: &str = "RELEASE faktura_write";
const ROLLBACK_TO: &str = "ROLLBACK TO faktura_write";

impl Gate {
    pub(crate) fn new(pool: AnyPool) -> Gate {
        Gate {
            state: Arc::new(Mutex::new(None)),
            pool,
        }
    }

    /// Starts a write transaction: a savepoint in the open batch (a new batch if none is open).
    pub(crate) async fn begin(&self) -> Result<GroupTx> {
        let mut writer = self.writer().await?;
        if let Err(error) = writer.tidy().await {
            writer.fail_batch(&error).await;
            return Err(StoreError::WriteBatch(error));
        }
        if writer.batch.is_none() {
            if let Err(error) = writer.conn.execute("BEGIN IMMEDIATE").await {
                writer.broken = true;
                return Err(error.into());
            }
            let (done, _) = watch::channel(None);
            writer.next_batch += 1;
            writer.batch = Some(Batch {
                id: writer.next_batch,
                members: 0,
                done,
            });
        }
        if let Err(error) = writer.conn.execute(SAVEPOINT).await {
            // The batch may hold others' released work: it stays open for its committer, or is
            // closed by the tidy-up below when it is empty.
            drop(writer);
            tidy_later(&self.state);
            return Err(error.into());
        }
        Ok(GroupTx {
            writer,
            state: self.state.clone(),
            released: false,
        })
    }

    /// Holds the gate for a write that runs on another connection of the pool: any open batch
    /// is committed first, so that the write does not wait on the writer's lock.
    pub(crate) async fn exclusive(&self) -> Exclusive {
        let mut state = self.state.clone().lock_owned().await;
        if let Some(writer) = state.as_mut() {
            writer.flush().await;
        }
        drop_if_broken(&mut state);
        state
    }

    /// Commits any open batch and gives the writer's connection back to the pool (before the
    /// pool closes, which waits for every connection).
    pub(crate) async fn shut(&self) {
        let mut state = self.exclusive().await;
        *state = None;
    }

    /// The gate, held, with a writer connection behind it.
    async fn writer(&self) -> Result<OwnedMappedMutexGuard<Option<Writer>, Writer>> {
        let mut state = self.state.clone().lock_owned().await;
        drop_if_broken(&mut state);
        if state.is_none() {
            let conn = self.pool.acquire().await?;
            *state = Some(Writer {
                conn,
                batch: None,
                abandoned: false,
                broken: false,
                next_batch: 0,
            });
        }
        OwnedMutexGuard::try_map(state, |s| s.as_mut())
            .map_err(|_| StoreError::Corrupt("the SQLite writer connection is missing".into()))
    }
}

/// A broken writer connection is closed, never handed back to the pool mid-transaction.
fn drop_if_broken(state: &mut Option<Writer>) {
    if state.as_ref().is_some_and(|w| w.broken) {
        if let Some(mut writer) = state.take() {
            writer.conn.close_on_drop();
        }
    }
}

impl Writer {
    /// Rolls back the savepoint a transaction abandoned. An error here means SQLite ended the
    /// whole transaction (or the connection failed), taking the batch's released work with it.
    async fn tidy(&mut self) -> std::result::Result<(), Arc<str>> {
        if !self.abandoned {
            return Ok(());
        }
        self.abandoned = false;
        let undone = match self.conn.execute(ROLLBACK_TO).await {
            Ok(_) => self.conn.execute(RELEASE).await.map(|_| ()),
            Err(error) => Err(error),
        };
        undone.map_err(|error| Arc::from(error.to_string()))
    }

    /// Commits the open batch, if any, and tells its members.
    async fn flush(&mut self) {
        if let Err(error) = self.tidy().await {
            self.fail_batch(&error).await;
            return;
        }
        let Some(batch) = self.batch.take() else {
            return;
        };
        if batch.members == 0 {
            // Nothing was released into it: nothing to make durable.
            if self.conn.execute("ROLLBACK").await.is_err() {
                self.broken = true;
            }
            batch.done.send_replace(Some(Ok(())));
            return;
        }
        match self.conn.execute("COMMIT").await {
            Ok(_) => {
                batch.done.send_replace(Some(Ok(())));
            }
            Err(error) => {
                let error: Arc<str> = Arc::from(error.to_string());
                tracing::error!(%error, members = batch.members, "a SQLite group commit failed");
                self.batch = Some(batch);
                self.fail_batch(&error).await;
            }
        }
    }

    /// Ends the open batch without keeping anything, and tells its members why.
    async fn fail_batch(&mut self, error: &Arc<str>) {
        if self.conn.execute("ROLLBACK").await.is_err() {
            self.broken = true;
        }
        self.abandoned = false;
        if let Some(batch) = self.batch.take() {
            batch.done.send_replace(Some(Err(error.clone())));
        }
    }
}

/// A write transaction of the group (see the module): a savepoint, durable only once
/// [`GroupTx::commit`] returns `Ok`. Dropped without committing, it is rolled back.
pub(crate) struct GroupTx {
    writer: OwnedMappedMutexGuard<Option<Writer>, Writer>,
    state: Arc<Mutex<Option<Writer>>>,
    released: bool,
}

impl GroupTx {
    pub(crate) fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.writer.conn
    }

    pub(crate) fn connection_ref(&self) -> &sqlx::AnyConnection {
        &self.writer.conn
    }

    /// Releases the savepoint into the batch and waits until the batch is durable.
    pub(crate) async fn commit(self) -> Result<()> {
        // The release runs to its end even if the caller goes away (a client that disconnects):
        // cut off half-way, the batch could not tell whether this savepoint is in it, and would
        // have to fail everyone in it.
        let released = tokio::spawn(self.release())
            .await
            .map_err(|error| StoreError::WriteBatch(Arc::from(error.to_string())))?;
        let mut done = released?;
        let unanswered = || StoreError::WriteBatch("the batch ended without an answer".into());
        let outcome = done
            .wait_for(Option::is_some)
            .await
            .map_err(|_| unanswered())?;
        match outcome.as_ref() {
            Some(Ok(())) => Ok(()),
            Some(Err(error)) => Err(StoreError::WriteBatch(error.clone())),
            None => Err(unanswered()),
        }
    }

    /// `RELEASE`s the savepoint into the batch, gives up the gate, and starts the batch's
    /// committer if this is its first member. Returns where the batch's outcome will be told.
    async fn release(mut self) -> Result<watch::Receiver<Outcome>> {
        // On an error the savepoint is still open: dropping `self` rolls it back.
        self.writer.conn.execute(RELEASE).await?;
        let Some(batch) = self.writer.batch.as_mut() else {
            return Err(StoreError::Corrupt("a savepoint outside any batch".into()));
        };
        batch.members += 1;
        let first = batch.members == 1;
        let batch_id = batch.id;
        let done = batch.done.subscribe();
        self.released = true;
        let state = self.state.clone();
        drop(self);
        if first {
            tokio::spawn(async move {
                let mut state = state.lock_owned().await;
                if let Some(writer) = state.as_mut() {
                    if writer.batch.as_ref().is_some_and(|b| b.id == batch_id) {
                        writer.flush().await;
                    }
                }
                drop_if_broken(&mut state);
            });
        }
        Ok(done)
    }
}

impl Drop for GroupTx {
    fn drop(&mut self) {
        if !self.released {
            self.writer.abandoned = true;
            tidy_later(&self.state);
        }
    }
}

/// After a transaction was abandoned: roll its savepoint back now rather than at the next write,
/// and close the batch if nothing was released into it, so that the writer's lock on the file
/// is not held while no one writes.
fn tidy_later(state: &Arc<Mutex<Option<Writer>>>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let state = state.clone();
    runtime.spawn(async move {
        let mut state = state.lock_owned().await;
        if let Some(writer) = state.as_mut() {
            if let Err(error) = writer.tidy().await {
                writer.fail_batch(&error).await;
            } else if writer.batch.as_ref().is_some_and(|b| b.members == 0) {
                writer.flush().await;
            }
        }
        drop_if_broken(&mut state);
    });
}

#[cfg(test)]
mod tests {
    use crate::{sqlite_url_for_path, Store, StoreError};
    use std::time::Duration;

    async fn store_with_table() -> Store {
        let name = crate::sessions::random_token()[..16].to_owned();
        let path = std::env::temp_dir().join(format!("faktura-test-writer-{name}.db"));
        let store = Store::connect(&sqlite_url_for_path(&path.to_string_lossy()))
            .await
            .expect("open SQLite");
        sqlx::query("CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
            .execute(store.pool())
            .await
            .expect("create table");
        store
    }

    async fn insert(store: &Store, id: i64) -> crate::Result<()> {
        let mut tx = store.begin_write().await?;
        sqlx::query("INSERT INTO scratch (id, note) VALUES ($1, 'x')")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn ids(store: &Store) -> Vec<i64> {
        sqlx::query_scalar("SELECT id FROM scratch ORDER BY id")
            .fetch_all(store.pool())
            .await
            .expect("read ids")
    }

    /// A transaction that has written row 1 and holds the gate until it is committed.
    async fn hold_open(store: &Store) -> crate::WriteTx {
        let mut first = store.begin_write().await.expect("begin");
        sqlx::query("INSERT INTO scratch (id, note) VALUES (1, 'first')")
            .execute(&mut *first)
            .await
            .expect("insert");
        first
    }

    async fn batches_begun(store: &Store) -> u64 {
        let gate = store.write_gate.as_ref().expect("SQLite has a gate");
        let state = gate.state.lock().await;
        state.as_ref().map_or(0, |w| w.next_batch)
    }

    /// Writers that queued behind an open transaction commit with it: one batch, one fsync,
    /// and each is told only after the commit (another connection sees its row).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_that_queued_together_commit_together() {
        let store = store_with_table().await;
        let first = hold_open(&store).await;
        let mut queued = Vec::new();
        for id in 2..=10 {
            let store = store.clone();
            queued.push(tokio::spawn(async move {
                insert(&store, id).await?;
                // Told committed: a reader on another connection sees it.
                let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch WHERE id = $1")
                    .bind(id)
                    .fetch_one(store.pool())
                    .await?;
                Ok::<i64, StoreError>(seen)
            }));
        }
        // Let the nine queue on the gate behind the open transaction.
        tokio::time::sleep(Duration::from_millis(300)).await;
        first.commit().await.expect("commit first");
        for task in queued {
            assert_eq!(task.await.expect("task").expect("insert"), 1);
        }
        assert_eq!(ids(&store).await, (1..=10).collect::<Vec<_>>());
        assert_eq!(batches_begun(&store).await, 1, "all ten in one batch");
        insert(&store, 11).await.expect("a later write");
        assert_eq!(
            batches_begun(&store).await,
            2,
            "a new batch after the commit"
        );
        store.close().await;
    }

    /// A member that fails (a unique violation) or is dropped without committing loses only its
    /// own writes; the others in its batch are kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_member_loses_only_its_own_writes() {
        let store = store_with_table().await;
        let first = hold_open(&store).await;
        let ok = tokio::spawn({
            let store = store.clone();
            async move { insert(&store, 2).await }
        });
        let duplicate = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tx = store.begin_write().await?;
                sqlx::query("INSERT INTO scratch (id, note) VALUES (3, 'kept?')")
                    .execute(&mut *tx)
                    .await?;
                // Id 1 is the first transaction's: a unique violation, and `?` drops `tx`.
                sqlx::query("INSERT INTO scratch (id, note) VALUES (1, 'again')")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
        });
        let abandoned = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tx = store.begin_write().await?;
                sqlx::query("INSERT INTO scratch (id, note) VALUES (4, 'dropped')")
                    .execute(&mut *tx)
                    .await?;
                drop(tx);
                Ok::<(), StoreError>(())
            }
        });
        let last = tokio::spawn({
            let store = store.clone();
            async move { insert(&store, 5).await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        first.commit().await.expect("commit first");
        ok.await.expect("task").expect("insert 2");
        let refused = duplicate
            .await
            .expect("task")
            .expect_err("duplicate refused");
        assert!(refused.is_unique_violation(), "{refused}");
        abandoned.await.expect("task").expect("dropped cleanly");
        last.await.expect("task").expect("insert 5");
        assert_eq!(ids(&store).await, vec![1, 2, 5]);
        store.close().await;
    }

    /// A caller that goes away while committing (a client that disconnects) does not spoil its
    /// batch: its release runs to the end, so its write is kept like a commit it never heard
    /// of, and the others in the batch are told committed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_caller_gone_while_committing_does_not_fail_the_batch() {
        let store = store_with_table().await;
        let first = hold_open(&store).await;
        let gone = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tx = store.begin_write().await?;
                sqlx::query("INSERT INTO scratch (id, note) VALUES (2, 'gone')")
                    .execute(&mut *tx)
                    .await?;
                // Polled exactly once, then dropped.
                let commit = tx.commit();
                let cut_off = tokio::select! {
                    biased;
                    _ = commit => false,
                    () = std::future::ready(()) => true,
                };
                Ok::<bool, StoreError>(cut_off)
            }
        });
        let stays = tokio::spawn({
            let store = store.clone();
            async move { insert(&store, 3).await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        first.commit().await.expect("commit first");
        assert!(
            gone.await.expect("task").expect("begin"),
            "the commit was cut off"
        );
        stays
            .await
            .expect("task")
            .expect("a batch-mate is told committed");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(ids(&store).await, vec![1, 2, 3]);
        store.close().await;
    }

    /// A single-statement write on another connection (the gate's `exclusive`) commits the open
    /// batch first instead of waiting on its lock; an abandoned lone transaction does not keep
    /// the file locked; closing the store does not wait forever on the writer's connection.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pool_writes_and_close_do_not_wait_on_the_writer() {
        let store = store_with_table().await;
        let first = hold_open(&store).await;
        let single = tokio::spawn({
            let store = store.clone();
            async move {
                let _gate = store.write_gate().await;
                sqlx::query("INSERT INTO scratch (id, note) VALUES (2, 'single')")
                    .execute(store.pool())
                    .await
                    .map(|_| ())
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        first.commit().await.expect("commit");
        single.await.expect("task").expect("single write");
        assert_eq!(ids(&store).await, vec![1, 2]);

        let lone = store.begin_write().await.expect("begin");
        drop(lone);
        // The empty batch is closed by the tidy-up, so a writer that bypasses the gate (another
        // process) gets the lock; held, this write would fail with SQLITE_BUSY after the 10 s
        // busy timeout.
        tokio::time::sleep(Duration::from_millis(100)).await;
        sqlx::query("INSERT INTO scratch (id, note) VALUES (3, 'outside')")
            .execute(store.pool())
            .await
            .expect("write outside the gate");
        tokio::time::timeout(Duration::from_secs(10), store.close())
            .await
            .expect("close returns");
    }
}
