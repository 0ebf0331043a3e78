//! SQLite reads straight through the C library (rusqlite), run on the calling task.
//!
//! sqlx's SQLite driver runs every statement on a worker thread of its own and sends each row
//! back through a channel, so a list request (six short indexed queries, a hundred rows) paid
//! well over a hundred thread switches; profiles showed more time in the kernel's scheduler than
//! in SQLite (`docs/benchmarks.md`). The reads that every request makes go through here instead:
//! the statement runs on the task's own thread with no hand-off at all. They are short, indexed
//! and bounded (a page of rows, a lookup by key), and WAL readers never wait for the writer, so
//! the time they hold a runtime thread is that of the SQL itself. Writes stay on sqlx and the
//! writer's group commit ([`crate::writer`]); PostgreSQL reads stay on sqlx.
//!
//! A connection is taken from the idle list for one call and given back; since a call never
//! awaits, no more connections are ever in use than threads that run tasks.

use crate::rows::RowRead;
use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A bound value of a direct read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Text(&'a str),
    Int(i64),
}

/// How each row of a read becomes a value: one decoder for both drivers.
pub(crate) type Decode<T> = fn(&dyn RowRead) -> Result<T>;

/// Most connections kept idle: more than the runtime's threads ever use at once.
const MAX_IDLE: usize = 16;
/// Statements kept prepared per connection (lists build their `IN (…)` lists by size).
const STATEMENT_CACHE: usize = 64;
/// Query texts whose column indexes are kept per connection.
const COLUMN_MAPS: usize = 256;

pub(crate) struct Reader {
    path: PathBuf,
    idle: Mutex<Vec<ReaderConnection>>,
}

/// A reader's connection, with the column indexes of each query it has run.
struct ReaderConnection {
    conn: Connection,
    columns: HashMap<Box<str>, Columns>,
}

/// A query's column names in order, and the index of each name (the first of two equal names
/// wins, as in rusqlite's own lookup).
struct Columns {
    names: Vec<Box<str>>,
    by_name: HashMap<Box<str>, usize>,
}

impl Columns {
    fn of(statement: &rusqlite::Statement<'_>) -> Columns {
        let names: Vec<Box<str>> = statement
            .column_names()
            .into_iter()
            .map(Box::from)
            .collect();
        let mut by_name = HashMap::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            by_name.entry(name.clone()).or_insert(index);
        }
        Columns { names, by_name }
    }

    /// Whether these are still the statement's columns (a `SELECT *` changes with the schema).
    fn fit(&self, statement: &rusqlite::Statement<'_>) -> bool {
        statement.column_count() == self.names.len()
            && self
                .names
                .iter()
                .enumerate()
                .all(|(index, name)| statement.column_name(index).ok() == Some(&**name))
    }
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").field("path", &self.path).finish()
    }
}

impl Reader {
    /// A reader of the database file at `path` (which must exist: sqlx created it).
    pub(crate) fn new(path: &Path) -> Reader {
        Reader {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> Result<ReaderConnection> {
        // Opened read-write (a read-only handle on a WAL file needs the -shm file writable
        // anyway) but told never to write. A WAL reader waits only in rare cases (another
        // connection recovering the WAL); it waits on a runtime thread, so briefly, and then
        // fails the request rather than stall the others on that thread.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 1000;")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(ReaderConnection {
            conn,
            columns: HashMap::new(),
        })
    }

    fn take(&self) -> Result<ReaderConnection> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => self.open(),
        }
    }

    fn give_back(&self, conn: ReaderConnection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }

    /// Runs one query and decodes every row.
    pub(crate) fn query<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        decode: Decode<T>,
    ) -> Result<Vec<T>> {
        let mut conn = self.take()?;
        let result = run(&mut conn, sql, params, decode);
        // A connection whose statement failed is dropped, not reused: whatever went wrong
        // (a busy file, a corrupt page) should not outlive this call.
        if result.is_ok() {
            self.give_back(conn);
        }
        result
    }

    /// Closes the idle connections (the store is closing).
    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

fn run<T>(
    reader: &mut ReaderConnection,
    sql: &str,
    params: &[Param<'_>],
    decode: Decode<T>,
) -> Result<Vec<T>> {
    let mut statement = reader.conn.prepare_cached(sql)?;
    if statement.parameter_count() != params.len() {
        return Err(StoreError::Corrupt(format!(
            "query takes {} parameters, {} given",
            statement.parameter_count(),
            params.len()
        )));
    }
    // The store's SQL names its parameters `$1`, `$2`, … (sqlx's style), not always in order
    // of appearance, so each is bound by its name.
    for (position, param) in params.iter().enumerate() {
        let name = format!("${}", position + 1);
        let Some(index) = statement.parameter_index(&name)? else {
            return Err(StoreError::Corrupt(format!(
                "query has no parameter {name}"
            )));
        };
        match param {
            Param::Text(text) => statement.raw_bind_parameter(index, text)?,
            Param::Int(value) => statement.raw_bind_parameter(index, value)?,
        }
    }
    // Columns are looked up by name in a map made once per query text and connection, not
    // once per value: rusqlite's own lookup compares every column name (case-insensitively)
    // on each call, which took an eighth of a list request's time, and building the map on
    // every call was most of the rest.
    let columns = match reader.columns.get(sql) {
        Some(columns) if columns.fit(&statement) => columns,
        _ => {
            if reader.columns.len() >= COLUMN_MAPS {
                // Lists make a query text per page size; start over rather than grow forever.
                reader.columns.clear();
            }
            reader.columns.insert(sql.into(), Columns::of(&statement));
            reader
                .columns
                .get(sql)
                .ok_or_else(|| StoreError::Corrupt("a column index went missing".into()))?
        }
    };
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(&NamedRow {
            row,
            columns: &columns.by_name,
        })?);
    }
    Ok(out)
}

/// A row with its query's column indexes by name.
struct NamedRow<'a, 'stmt> {
    row: &'a rusqlite::Row<'stmt>,
    columns: &'a HashMap<Box<str>, usize>,
}

impl NamedRow<'_, '_> {
    fn index(&self, column: &str) -> Result<usize> {
        self.columns
            .get(column)
            .copied()
            .ok_or_else(|| StoreError::Sqlite(rusqlite::Error::InvalidColumnName(column.into())))
    }
}

impl RowRead for NamedRow<'_, '_> {
    fn opt_text_at(&self, column: &str) -> Result<Option<String>> {
        Ok(self.row.get::<_, Option<String>>(self.index(column)?)?)
    }
    fn opt_int_at(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.row.get::<_, Option<i64>>(self.index(column)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows;

    fn scratch() -> (tempdir::Dir, Reader) {
        let dir = tempdir::Dir::new();
        let path = dir.path.join("direct.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT, n INTEGER, note TEXT);
             INSERT INTO t VALUES ('a', 1, NULL), ('b', 2, 'two'), ('c', 3, 'three');",
        )
        .unwrap();
        (dir, Reader::new(&path))
    }

    mod tempdir {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }
        impl Dir {
            pub fn new() -> Dir {
                let path = std::env::temp_dir().join(format!(
                    "faktura-direct-{}",
                    crate::sessions::random_token()
                ));
                std::fs::create_dir_all(&path).unwrap();
                Dir { path }
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }

    fn id_and_note(row: &dyn RowRead) -> Result<(String, Option<String>)> {
        Ok((rows::text(row, "id")?, rows::opt_text(row, "note")?))
    }

    #[test]
    fn parameters_bind_by_name_whatever_their_order_in_the_sql() {
        let (_dir, reader) = scratch();
        let found = reader
            .query(
                "SELECT * FROM t WHERE n >= $2 AND id <> $1 ORDER BY id",
                &[Param::Text("c"), Param::Int(2)],
                id_and_note,
            )
            .unwrap();
        assert_eq!(found, vec![("b".to_owned(), Some("two".to_owned()))]);
        // The same statement again comes from the cache of the connection given back.
        let again = reader
            .query(
                "SELECT * FROM t WHERE n >= $2 AND id <> $1 ORDER BY id",
                &[Param::Text("b"), Param::Int(1)],
                id_and_note,
            )
            .unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0], ("a".to_owned(), None));
    }

    #[test]
    fn a_missing_parameter_or_a_null_where_a_value_belongs_is_an_error_not_a_panic() {
        let (_dir, reader) = scratch();
        let missing = reader.query("SELECT * FROM t WHERE id = $1", &[], id_and_note);
        assert!(
            matches!(missing, Err(StoreError::Corrupt(_))),
            "{missing:?}"
        );
        let extra = reader.query(
            "SELECT * FROM t WHERE id = $1",
            &[Param::Text("a"), Param::Int(1)],
            id_and_note,
        );
        assert!(matches!(extra, Err(StoreError::Corrupt(_))));
        let null = reader.query(
            "SELECT * FROM t WHERE id = $1",
            &[Param::Text("a")],
            |row| rows::text(row, "note"),
        );
        assert!(matches!(null, Err(StoreError::Corrupt(_))));
        let wrong_type = reader.query("SELECT * FROM t", &[], |row| rows::int(row, "id"));
        assert!(matches!(wrong_type, Err(StoreError::Sqlite(_))));
        let unknown = reader.query("SELECT * FROM t", &[], |row| rows::text(row, "nope"));
        assert!(matches!(unknown, Err(StoreError::Sqlite(_))), "{unknown:?}");
        // The reader still works after its errors.
        assert_eq!(
            reader
                .query("SELECT * FROM t", &[], id_and_note)
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn the_reader_cannot_write() {
        let (_dir, reader) = scratch();
        let write = reader.query("DELETE FROM t RETURNING id", &[], |row| {
            rows::text(row, "id")
        });
        assert!(matches!(write, Err(StoreError::Sqlite(_))), "{write:?}");
        assert_eq!(
            reader
                .query("SELECT * FROM t", &[], id_and_note)
                .unwrap()
                .len(),
            3
        );
    }

    /// A SQLite store reads through here; the reads neither wait for a write transaction that
    /// holds the writer nor see its rows before they are committed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn store_reads_skip_the_writer_and_see_only_committed_rows() {
        let dir = tempdir::Dir::new();
        let path = dir.path.join("store.db");
        let store = crate::Store::connect(&crate::sqlite_url_for_path(&path.to_string_lossy()))
            .await
            .unwrap();
        assert!(
            store.reader.is_some(),
            "a SQLite file gets the direct reader"
        );
        sqlx::query("CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
            .execute(store.pool())
            .await
            .unwrap();
        let read = |store: crate::Store| async move {
            store
                .read_rows("SELECT id FROM scratch ORDER BY id", &[], |row| {
                    rows::int(row, "id")
                })
                .await
                .unwrap()
        };
        let mut open = store.begin_write().await.unwrap();
        sqlx::query("INSERT INTO scratch (id, note) VALUES (1, 'pending')")
            .execute(&mut *open)
            .await
            .unwrap();
        let during = tokio::time::timeout(std::time::Duration::from_secs(2), read(store.clone()))
            .await
            .expect("a read does not wait for the open write");
        assert!(
            during.is_empty(),
            "uncommitted rows are not seen: {during:?}"
        );
        open.commit().await.unwrap();
        assert_eq!(read(store.clone()).await, vec![1]);
        store.close().await;
    }
}
