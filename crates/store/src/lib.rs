//! Ronghe's storage. One [`Store`] over SQLite (the default, one file) and
//! PostgreSQL (for groups that outgrow one machine), with a folder of
//! migrations per backend.
//!
//! Each query is written once, in SQL both dialects accept (`$1`
//! placeholders, `RETURNING`, row-value comparisons), and the [`on!`] macro
//! expands it once per backend, so the compiler checks it against each
//! driver's types. Where the dialects differ, the difference is spelled out
//! at that spot and nowhere else.
//!
//! Architecture Invariant: only this crate knows SQL. Every write that
//! changes party data also appends its audit row in the same transaction.

mod accounts;
mod audit;
mod bench;
mod crypto;
mod decisions;
mod development;
mod dues;
mod error;
mod exams;
mod imports;
mod learning;
mod media;
mod meetings;
mod members;
mod notifications;
mod orgs;
mod pg_copy;
mod pg_reader;
mod reader;
mod rollups;
mod rows;
mod rules;
mod transfers;

pub use accounts::{LoginOutcome, NewUser, RoleRow, SessionInfo, UserSummary, LOCKOUT_AFTER, LOCKOUT_MINUTES};
pub use audit::{Actor, AuditEntry, AuditFilter, AuditRow};
pub use bench::RawRow;
pub use crypto::{DataKey, FieldCipher};
pub use decisions::{
    NewTopic, NewTopicStep, OverdueTask, TopicEffect, TopicLists, TopicRecord, TopicReturnRow, TopicRow, TopicStepRow,
    TopicTaskRow,
};
pub use development::{
    CandidateRecord, CandidateRow, DocumentRow, NamedMember, NewDocument, NewStep, StepEffect, StepRow, Voter,
};
pub use dues::{DuesMember, MemberPaid, MonthTotal, NewPayment, NewStandard, PaymentRow, StandardRow};
pub use error::{StoreError, StoreResult};
pub use exams::{AttemptRow, ExamListing, ExamResult, ExamRow};
pub use imports::ImportDraft;
pub use learning::{CourseRow, LessonRecord, LessonRow, LessonStudy, MemberStudy, NewLesson, TrainingRow};
pub use media::{MediaRecord, MediaRow, MEDIA_CHUNK};
pub use meetings::{
    AttendeeRow, Expected, LifeOrg, MeetingFile, MeetingRecord, MeetingRow, NewMeeting, NewResolution, ResolutionRow,
    SealProblem,
};
pub use members::{
    decode_cursor, encode_cursor, IndexedMember, MemberFilter, MemberPage, MemberRecord, MemberRow, OptEducation,
    StatusChange,
};
pub use notifications::{Keeper, NotificationRow};
pub use orgs::{path_ids, NewOfficer, NewOrg, OfficerRow, Org, OrgCounts, OrgPick, OrgUpdate};
pub use rollups::{Figures, Rollup, DIMENSIONS};
pub use rules::PackHeader;
pub use transfers::{AwayRow, NewAway, NewTransfer, TransferEffect, TransferEvent, TransferRow, TransferStep};

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever
/// backend the store uses. The body is compiled once per backend.
macro_rules! on {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool, _) => $body,
            $crate::Db::Postgres($pool, _) => $body,
        }
    };
}
pub(crate) use on;

/// Each SQLite connection's page cache, in KiB.
pub(crate) const SQLITE_CACHE_KIB: i64 = 8192;

/// Starts a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a deferred transaction that reads and then
/// writes fails with `SQLITE_BUSY_SNAPSHOT` when another writer committed
/// in between, and no busy timeout can wait that out. With the lock taken
/// first, concurrent writers queue on the busy timeout instead (found by
/// the heartbeat benchmark: 10,000 learners beating at once).
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

#[derive(Clone)]
pub(crate) enum Db {
    /// The pool writes and runs long reads; the reader runs short ones on
    /// the caller's thread (`reader.rs`).
    Sqlite(SqlitePool, Arc<reader::Reader>),
    /// The pool writes and runs long reads; the reader runs short ones on
    /// connections it does not test between reads (`pg_reader.rs`).
    Postgres(PgPool, Arc<pg_reader::PgReader>),
}

/// The handle every layer above uses. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
    pub(crate) cipher: Arc<FieldCipher>,
    pub(crate) sizes: Arc<rollups::SizeHints>,
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct ConnectOptions {
    /// `sqlite://PATH` or `postgres://…`.
    pub url: String,
    /// Create a missing SQLite file instead of refusing.
    pub create: bool,
    pub max_connections: u32,
    pub key: DataKey,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The file a `sqlite://PATH` URL names.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database a URL names. A SQLite file that does not exist is
    /// refused unless `create` is set: a typo in a path must not start an
    /// empty deployment.
    pub async fn connect(opts: ConnectOptions) -> anyhow::Result<Store> {
        let cipher = Arc::new(FieldCipher::new(&opts.key));
        let db = match Backend::of_url(&opts.url) {
            Some(Backend::Sqlite) => {
                let path = sqlite_path(&opts.url).unwrap_or_default();
                if path.is_empty() || path == ":memory:" {
                    // Each connection to `:memory:` would be a database of its own.
                    anyhow::bail!("the SQLite URL names no file: {}", opts.url);
                }
                if !opts.create && !Path::new(path).exists() {
                    anyhow::bail!("the SQLite database {path} does not exist (pass --create to make a new one)");
                }
                sqlite_process_settings();
                let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                    .create_if_missing(opts.create)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // 8 MiB of page cache per connection: several connections
                    // share the OS page cache, and each one's own is per node.
                    .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                    .pragma("temp_store", "memory")
                    // The driver passes rows from its thread one at a time
                    // through this channel; a page's rows fit without the
                    // worker waiting on the reader.
                    .row_buffer_size(512);
                let pool = SqlitePoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .min_connections(1)
                    // A ping before each query is a round trip to the
                    // connection's thread; a local file has nothing to test.
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Db::Sqlite(pool, Arc::new(reader::Reader::new(path)))
            }
            Some(Backend::Postgres) => {
                let options = PgConnectOptions::from_str(&opts.url)?;
                // The node's connections are shared out: half for the short
                // reads, half for writes and long reads. More backends than
                // that on the same cores made pages slower, not faster
                // (BENCHMARKS.md, session 16).
                let (pool_size, reader_size) = split_connections(opts.max_connections);
                let pool = PgPoolOptions::new()
                    .max_connections(pool_size)
                    .acquire_timeout(Duration::from_secs(10))
                    // No ping round trip before each query: a connection the
                    // server dropped fails one query and leaves the pool.
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await?;
                Db::Postgres(pool, Arc::new(pg_reader::PgReader::new(options, reader_size)))
            }
            None => anyhow::bail!("unsupported database URL (use sqlite://PATH or postgres://…): {}", opts.url),
        };
        Ok(Store { db, cipher, sizes: Arc::default() })
    }

    /// Connects to PostgreSQL with every table in `schema` (tests give each
    /// case a schema of its own).
    pub async fn connect_pg_schema(url: &str, schema: &str, key: DataKey) -> anyhow::Result<Store> {
        let options = PgConnectOptions::from_str(url)?.options([("search_path", schema)]);
        let (pool_size, reader_size) = split_connections(8);
        let pool = PgPoolOptions::new().max_connections(pool_size).connect_with(options.clone()).await?;
        let reader = Arc::new(pg_reader::PgReader::new(options, reader_size));
        Ok(Store { db: Db::Postgres(pool, reader), cipher: Arc::new(FieldCipher::new(&key)), sizes: Arc::default() })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(..) => Backend::Postgres,
        }
    }

    /// Applies the backend's pending migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.db {
            Db::Sqlite(p, _) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p, _) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        on!(self, |p| sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Refreshes the planner's statistics, after a bulk load: PostgreSQL's
    /// planner chose a full sort over the root's 100,000 members (220 ms)
    /// instead of walking the pinyin index (1 ms) until it had them. On
    /// SQLite a sample of each index is enough.
    pub async fn analyze(&self) -> StoreResult<()> {
        self.run_analyze(&["ANALYZE".to_string()]).await
    }

    /// After a bulk load that nothing writes over for a while (the demo's
    /// build): the statistics, and on PostgreSQL the visibility map too,
    /// which autovacuum sets on a server that runs it (this machine's
    /// PostgreSQL runs without). Without it an index-only scan also reads
    /// each row's table page: a search's walk of one character's names
    /// (`member_name_chars`, 王明 at the national root) took 1.1 s instead of
    /// 56 ms, and counting a common character's 20,000 names 45 ms. On
    /// SQLite, whose `VACUUM` rewrites the file, only the statistics.
    pub async fn vacuum_analyze(&self) -> StoreResult<()> {
        match self.backend() {
            Backend::Sqlite => self.analyze().await,
            Backend::Postgres => self.run_analyze(&["VACUUM (ANALYZE)".to_string()]).await,
        }
    }

    /// Refreshes the planner's statistics of some tables only, in the middle
    /// of a bulk load: statistics taken of a table still empty make
    /// PostgreSQL scan it whole for every row later written and looked up
    /// (the demo's meeting attendance, 1.7 billion rows read), while a
    /// table never analysed is costed by its size on disk as it grows.
    pub async fn analyze_tables(&self, tables: &[&'static str]) -> StoreResult<()> {
        debug_assert!(
            tables.iter().all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
            "table names only: {tables:?}"
        );
        let statements: Vec<String> = tables.iter().map(|t| format!("ANALYZE {t}")).collect();
        self.run_analyze(&statements).await
    }

    async fn run_analyze(&self, statements: &[String]) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(p, _) => {
                let mut c = p.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *c).await?;
                for sql in statements {
                    sqlx::query(sql).execute(&mut *c).await?;
                }
            }
            Db::Postgres(p, _) => {
                for sql in statements {
                    sqlx::query(sql).execute(p).await?;
                }
            }
        }
        Ok(())
    }

    /// Empties a PostgreSQL database's current schema (`ronghe demo
    /// --reset`). SQLite demos start from a new file instead.
    pub async fn reset_postgres(&self) -> anyhow::Result<()> {
        if let Db::Postgres(p, _) = &self.db {
            let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(p).await?;
            let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
            sqlx::query(&format!("DROP SCHEMA {quoted} CASCADE")).execute(p).await?;
            sqlx::query(&format!("CREATE SCHEMA {quoted}")).execute(p).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(p, _) => p.close().await,
            Db::Postgres(p, reader) => {
                reader.close().await;
                p.close().await
            }
        }
    }

    pub(crate) fn cipher(&self) -> &FieldCipher {
        &self.cipher
    }
}

/// How a PostgreSQL node's `max_connections` is shared between SQLx's pool
/// (writes, transactions, long reads) and the [`pg_reader::PgReader`]
/// (short reads): half each, at least one each.
fn split_connections(max_connections: u32) -> (u32, u32) {
    let reader = (max_connections / 2).max(1);
    (max_connections.saturating_sub(reader).max(1), reader)
}

/// Now, in Unix milliseconds: how times are stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `($1, $2), ($3, $4), …`: the placeholders of a multi-row `VALUES`.
///
/// SQLite gets anonymous `?` instead: for each bound value the SQLite
/// driver looks the parameter's name up, a linear search through the
/// statement's named parameters, which makes a statement with thousands of
/// `$N` quadratic (it was most of the time of a bulk insert).
pub(crate) fn values_placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    if backend == Backend::Sqlite {
        let row = format!("({})", vec!["?"; cols].join(", "));
        return vec![row; rows].join(", ");
    }
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// `$2, $3, …` (or `?, ?, …` on SQLite, see [`values_placeholders`]): the
/// placeholders of an `IN (…)` list whose first value is parameter `first`.
/// On SQLite every other parameter of the statement must then be anonymous
/// too (see [`param`]): the driver numbers `?` from the first argument.
pub(crate) fn list_placeholders(backend: Backend, first: usize, n: usize) -> String {
    let items: Vec<String> =
        (0..n).map(|i| if backend == Backend::Sqlite { "?".to_string() } else { format!("${}", first + i) }).collect();
    items.join(", ")
}

/// `column` is one of a list of ids bound as the one parameter `n`
/// ([`reader::BindIds`]): a JSON array `json_each` reads on SQLite, an
/// array on PostgreSQL. Unlike [`list_placeholders`], the statement is the
/// same however many ids, so PostgreSQL plans it once per connection, and
/// no list outgrows the backends' limits on parameters.
pub(crate) fn in_ids(backend: Backend, column: &str, n: usize) -> String {
    match backend {
        Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({}))", param(backend, n)),
        Backend::Postgres => format!("{column} = ANY({})", param(backend, n)),
    }
}

/// Parameter `n`: `$n`, or `?` on SQLite (see [`list_placeholders`]).
pub(crate) fn param(backend: Backend, n: usize) -> String {
    if backend == Backend::Sqlite {
        "?".into()
    } else {
        format!("${n}")
    }
}

/// The exclusive upper bound of a subtree's path range: paths hold only
/// digits and `/`, and `~` sorts after both.
pub(crate) fn path_hi(path: &str) -> String {
    format!("{path}~")
}

/// SQLite's process-wide settings, applied once before its first connection
/// opens. Memory statistics are off: keeping them takes one global mutex on
/// every allocation, which the profile of the roster under load showed
/// contended between the connections' threads.
fn sqlite_process_settings() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called before any connection exists (it
        // returns SQLITE_MISUSE, changing nothing, if SQLite is already in use).
        let rc =
            unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite was initialised already; memory statistics stay on");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nodes_connections_are_shared_between_pool_and_reader() {
        assert_eq!(split_connections(16), (8, 8));
        assert_eq!(split_connections(5), (3, 2));
        assert_eq!(split_connections(1), (1, 1));
        assert_eq!(split_connections(0), (1, 1));
    }

    #[test]
    fn a_list_of_ids_is_one_parameter() {
        assert_eq!(in_ids(Backend::Sqlite, "c.id", 1), "c.id IN (SELECT value FROM json_each(?))");
        assert_eq!(in_ids(Backend::Postgres, "c.id", 2), "c.id = ANY($2)");
    }

    #[test]
    fn placeholders_per_backend() {
        assert_eq!(values_placeholders(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_placeholders(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(list_placeholders(Backend::Postgres, 2, 3), "$2, $3, $4");
        assert_eq!(list_placeholders(Backend::Sqlite, 2, 2), "?, ?");
        assert_eq!(param(Backend::Postgres, 7), "$7");
        assert_eq!(param(Backend::Sqlite, 7), "?");
    }

    #[test]
    fn subtree_ranges() {
        assert_eq!(path_hi("/1/5/"), "/1/5/~");
        // A sibling whose id starts the same is outside the range.
        assert!("/1/50/" >= "/1/5/~" || "/1/50/" < "/1/5/");
        assert!("/1/5/23/" >= "/1/5/" && "/1/5/23/" < path_hi("/1/5/").as_str());
        assert_eq!(sqlite_path("sqlite://data/x.sqlite3?mode=rwc"), Some("data/x.sqlite3"));
        assert_eq!(Backend::of_url("postgresql://h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://h/db"), None);
    }
}
