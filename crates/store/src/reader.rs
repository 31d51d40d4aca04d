//! Short reads on SQLite, run on the caller's own thread.
//!
//! SQLx's SQLite driver runs each connection on a thread of its own: every
//! query is a message to that thread and its answer a message back, each
//! row a wake-up of the caller. For the short reads every page makes (the
//! session, an organisation, a figure's version, a page of rows) those
//! hand-offs cost more than SQLite's own work; `perf` under load found a
//! third of the server's samples in the kernel switching threads.
//!
//! [`Reader`] keeps a few plain connections to the same file (rusqlite)
//! and runs a read on the calling thread, holding a connection only while
//! the statement runs. Both drivers link the one `libsqlite3-sys` (Cargo
//! allows one crate per native library), so this is one SQLite in the
//! process: its table of open files keeps one connection's close from
//! dropping another's POSIX locks, which two copies of SQLite would not. In WAL mode
//! a reader sees every transaction committed before its statement began,
//! whichever connection wrote it, so a page that writes through SQLx and
//! then reads here sees its write.
//!
//! Architecture Invariant: only bounded reads run on the caller's thread
//! ([`Reader::read`]) — a lookup by key or a walk an index stops within a
//! page, tens to hundreds of microseconds — because that thread is one of
//! the runtime's workers and nothing else runs on it meanwhile. A list
//! that may scan (a search by part of a name over a large subtree, every
//! step of a subtree, the transfers of a subtree, which no index orders)
//! runs on a blocking thread ([`Reader::read_aside`]), a few at a time; a
//! read that takes seconds by design (a figure computed from a subtree's
//! raw rows, an export) stays on SQLx, so that it never holds one of those
//! few turns. Writes and reads inside a write transaction stay on SQLx
//! too: these connections are `query_only`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::{StoreError, SQLITE_CACHE_KIB};

/// A short read (see the module's invariant), written once: on SQLite it
/// runs through the [`Reader`], on PostgreSQL through the
/// [`PgReader`](crate::pg_reader::PgReader). `$ty` is a
/// tuple of the selected columns, and `$fetch` one of `fetch_one`,
/// `fetch_optional`, `fetch_all`, which answer as SQLx's do. `$bind` binds
/// the parameters to `$q` and is expanded once per backend. A read runs on
/// the caller's thread unless it is given `bounded = false` (or an
/// expression, evaluated on SQLite only), for one that may walk many rows:
/// that one runs on a blocking thread. Evaluates to a `StoreResult`.
macro_rules! read {
    ($store:expr, $ty:ty, $sql:expr, |$q:ident| $bind:expr, $fetch:ident) => {
        $crate::reader::read!($store, $ty, $sql, |$q| $bind, $fetch, bounded = true)
    };
    ($store:expr, $ty:ty, $sql:expr, |$q:ident| $bind:expr, $fetch:ident, bounded = $bounded:expr) => {{
        let sql: &str = $sql;
        match &$store.db {
            $crate::Db::Sqlite(_, reader) => {
                let binds = {
                    let $q = $crate::reader::Binds::default();
                    $bind
                };
                if $bounded {
                    reader.read(|c| binds.$fetch::<$ty>(c, sql))
                } else {
                    let sql = sql.to_owned();
                    reader.read_aside(move |c| binds.$fetch::<$ty>(c, &sql)).await
                }
            }
            $crate::Db::Postgres(_, reader) => {
                reader
                    .read($crate::pg_reader::Plans::Chosen, async |c| {
                        let $q = sqlx::query_as::<_, $ty>(sql);
                        $bind.$fetch(c).await
                    })
                    .await
            }
        }
    }};
}
pub(crate) use read;

/// Binds a list of ids as one parameter, on either backend's query (see
/// [`in_ids`](crate::in_ids)), so that a `read!` binds it once for both.
pub(crate) trait BindIds {
    fn bind_ids(self, ids: &[i64]) -> Self;
}

impl BindIds for Binds {
    /// As the JSON array SQLite's `json_each` reads.
    fn bind_ids(self, ids: &[i64]) -> Binds {
        let items: Vec<String> = ids.iter().map(i64::to_string).collect();
        self.bind(format!("[{}]", items.join(",")))
    }
}

impl<'q, O> BindIds for sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    /// As an array. (Text cast to an array in the statement would be cast
    /// again for every row a plan filters by it: 0.59 ms against 0.13 for
    /// a unit's development steps, session 17.)
    fn bind_ids(self, ids: &[i64]) -> Self {
        self.bind(ids.to_vec())
    }
}

/// Idle connections kept: one per core runs a read at a time, and a few
/// more cover a thread descheduled while it holds one.
const KEEP: usize = 8;

/// Reads run aside at once; the rest wait their turn without a thread.
/// With more, a burst of long reads (64 clients on a page that scans) held
/// a connection each, more than [`KEEP`]: every read past them opened a
/// connection, parsed the schema and warmed an empty page cache, and closed
/// it after (`perf`, session 15: the root's decisions page spent a fifth of
/// its samples so). Scans are bound by the cores anyway, so a few at a time
/// finish each sooner.
const ASIDE: usize = 4;

/// Statements each connection keeps prepared. The hot reads are a few
/// dozen distinct statements.
const STATEMENTS: usize = 128;

pub(crate) struct Reader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    aside: Arc<tokio::sync::Semaphore>,
}

impl Reader {
    pub(crate) fn new(path: impl Into<PathBuf>) -> Reader {
        Reader { path: path.into(), idle: Mutex::new(Vec::new()), aside: Arc::new(tokio::sync::Semaphore::new(ASIDE)) }
    }

    /// Runs `f` on a connection of its own, on this thread.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        // Statements are reset when their rows are dropped, inside `f`,
        // so the connection goes back clean whatever `f` returned.
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
        out.map_err(into_store_error)
    }

    /// Runs `f` as [`Reader::read`] does, but on one of the runtime's
    /// blocking threads: for a read that may scan (a search, every row of
    /// a subtree), which would otherwise hold up the worker's other tasks.
    /// At most [`ASIDE`] run at once: the turn goes with the read onto its
    /// thread, so a request dropped while its read runs (a client gone)
    /// gives it back only when the read ends.
    pub(crate) async fn read_aside<T, F>(self: &Arc<Self>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        // Never closed, so acquiring cannot fail.
        let turn = Arc::clone(&self.aside).acquire_owned().await.map_err(|e| StoreError::Other(e.into()))?;
        let reader = Arc::clone(self);
        let read = move || {
            let out = reader.read(f);
            drop(turn);
            out
        };
        match tokio::task::spawn_blocking(read).await {
            Ok(out) => out,
            Err(e) => Err(StoreError::Other(e.into())),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(into_store_error)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(into_store_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        conn.execute_batch(&format!(
            "PRAGMA query_only = ON; PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA temp_store = MEMORY;"
        ))
        .map_err(into_store_error)?;
        Ok(conn)
    }
}

fn into_store_error(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        e => StoreError::Other(e.into()),
    }
}

/// The parameters of a statement (`$1`, `$2`, …), given with the same
/// `.bind(value)` calls a SQLx query takes, so that one binding expression
/// serves both (see `rows::fetch_list!`).
#[derive(Default)]
pub(crate) struct Binds(Vec<rusqlite::types::Value>);

impl Binds {
    /// Binds `$N` to the N-th value. SQLite numbers named parameters in
    /// the order they first appear in the text, not by the number in their
    /// name, so each is looked up by its name, as SQLx does.
    pub(crate) fn apply(&self, stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
        for i in 1..=stmt.parameter_count() {
            let n = match stmt.parameter_name(i) {
                Some(name) => name
                    .strip_prefix('$')
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_string()))?,
                None => i,
            };
            let value = self.0.get(n - 1).ok_or(rusqlite::Error::InvalidParameterCount(n, self.0.len()))?;
            stmt.raw_bind_parameter(i, value)?;
        }
        Ok(())
    }

    /// The first row `sql` answers, mapped by `f`; no row is
    /// `QueryReturnedNoRows` ([`StoreError::NotFound`] once read).
    pub(crate) fn row<T>(
        &self,
        c: &Connection,
        sql: &str,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut stmt = c.prepare_cached(sql)?;
        self.apply(&mut stmt)?;
        let mut rows = stmt.raw_query();
        match rows.next()? {
            Some(row) => f(row),
            None => Err(rusqlite::Error::QueryReturnedNoRows),
        }
    }

    /// The one row, as SQLx's `fetch_one` gives it.
    pub(crate) fn fetch_one<T>(&self, c: &Connection, sql: &str) -> rusqlite::Result<T>
    where
        T: for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>,
    {
        self.row(c, sql, |r| T::try_from(r))
    }

    /// The row if there is one, as SQLx's `fetch_optional` gives it.
    pub(crate) fn fetch_optional<T>(&self, c: &Connection, sql: &str) -> rusqlite::Result<Option<T>>
    where
        T: for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>,
    {
        use rusqlite::OptionalExtension;
        self.fetch_one(c, sql).optional()
    }

    /// Every row, as SQLx's `fetch_all` gives them.
    pub(crate) fn fetch_all<T>(&self, c: &Connection, sql: &str) -> rusqlite::Result<Vec<T>>
    where
        T: for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>,
    {
        self.rows(c, sql, |r| T::try_from(r))
    }

    /// Every row, each decoded as a `T` by column name
    /// ([`crate::rows::decode_row`]).
    pub(crate) fn deserialize_all<T: serde::de::DeserializeOwned>(
        &self,
        c: &Connection,
        sql: &str,
    ) -> rusqlite::Result<Vec<T>> {
        // The statement's names, read from its first row, once.
        let mut names: Option<Vec<String>> = None;
        self.rows(c, sql, |row| {
            let names =
                names.get_or_insert_with(|| row.as_ref().column_names().into_iter().map(String::from).collect());
            crate::rows::decode_row(row, names)
        })
    }

    /// Every row, each mapped by `f`.
    pub(crate) fn rows<T>(
        &self,
        c: &Connection,
        sql: &str,
        mut f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        let mut stmt = c.prepare_cached(sql)?;
        self.apply(&mut stmt)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(f(row)?);
        }
        Ok(out)
    }

    pub(crate) fn bind<T: rusqlite::ToSql>(mut self, value: T) -> Binds {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        let value = match value.to_sql().expect("a value the store binds converts to SQLite") {
            ToSqlOutput::Owned(v) => v,
            ToSqlOutput::Borrowed(v) => match v {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            },
            other => unreachable!("the store binds no {other:?}"),
        };
        self.0.push(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_sees_what_another_connection_committed_and_cannot_write() {
        let dir = std::env::temp_dir().join(format!("ronghe-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.sqlite3");
        let _ = std::fs::remove_file(&path);
        let writer = Connection::open(&path).unwrap();
        writer.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);").unwrap();
        let reader = Reader::new(&path);
        let count = |r: &Reader| r.read(|c| c.query_row("SELECT count(*) FROM t", [], |row| row.get::<_, i64>(0)));
        assert_eq!(count(&reader).unwrap(), 0);
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_eq!(count(&reader).unwrap(), 1, "a kept connection sees a later commit");
        let refused = reader.read(|c| c.execute("INSERT INTO t VALUES (2)", []));
        assert!(refused.is_err(), "reads only");
        let none = reader.read(|c| c.query_row("SELECT x FROM t WHERE x = 9", [], |row| row.get::<_, i64>(0)));
        assert!(matches!(none, Err(StoreError::NotFound)));
        let binds = Binds::default().bind(1_i64).bind("a").bind(None::<i64>);
        // Numbered out of the order they appear in, one of them twice.
        let sql = "SELECT count(*) FROM t WHERE $3 IS NULL AND $2 = 'a' AND x = $1 AND x = $1";
        let first = |b: &Binds, c: &Connection| b.row(c, sql, |r| r.get::<_, i64>(0));
        assert_eq!(reader.read(|c| first(&binds, c)).unwrap(), 1);
        let short = Binds::default().bind(1_i64);
        assert!(reader.read(|c| first(&short, c)).is_err(), "a parameter without a value");
        let xs = reader.read(|c| Binds::default().rows(c, "SELECT x FROM t", |r| r.get::<_, i64>(0))).unwrap();
        assert_eq!(xs, vec![1]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
