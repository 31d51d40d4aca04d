//! Short reads on PostgreSQL, on connections kept for them.
//!
//! SQLx's pool tests each connection as it comes back (`ping`: a Sync
//! message, answered by ReadyForQuery), so every statement run on the pool
//! is two round trips to the server, and each round trip on loopback is a
//! send that wakes the server's backend: `strace -c` of the server found 14
//! sends for a unit's org page of 7 statements, and `perf` of it found a
//! quarter of the server's samples in `send`. (SQLx 0.8 offers no way to
//! leave the test out.)
//!
//! [`PgReader`] keeps connections of its own for the short reads every page
//! makes — the ones written with `read!`, `fetch_list!` and `fetch_row!`,
//! which on SQLite run through the [`Reader`](crate::reader::Reader) — and
//! takes each back untested. What the test guards against is a statement
//! cut off half-way (its request dropped while the answer streams in): such
//! a read never gives its connection back ([`PgRead`] closes it unless the
//! read finished), and after a read that finished, messages the caller did
//! not read (the rest of `fetch_optional`'s rows, the ReadyForQuery after
//! an error) are drained by SQLx before the connection's next statement.
//!
//! Reads go through [`PgReader::read`]. Writes, transactions and long
//! reads stay on SQLx's pool; a node's
//! `max_connections` is shared between the two (`split_connections`).
//!
//! A read also says how PostgreSQL is to plan its statements ([`Plans`]).
//! Most statements are planned once per connection and that plan kept
//! (PostgreSQL's own choice after five runs); a few it plans anew on every
//! run, because a plan made for the values at hand looks cheaper than the
//! generic one. Where the caller knows better, because it already chose
//! the statement's shape for the data, it asks for the generic plan: a
//! small subtree's roster page planned in 0.42 ms and ran in 0.11 ms
//! (session 16), and its generic plan has the same shape. The reader keeps
//! its idle connections apart by that setting and moves one across with a
//! `SET` only when none of the kind asked for is idle.

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::{StoreError, StoreResult};

/// How long a read waits for a connection, as the pool's acquire does.
const WAIT: Duration = Duration::from_secs(10);

/// How PostgreSQL plans the statements of a read (`plan_cache_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plans {
    /// The server's choice: the setting of its database or role, by
    /// default a custom plan per run until a generic one looks no worse.
    Chosen,
    /// The statement's generic plan, made once per connection. Only for a
    /// statement whose every parameter value is served well by one plan:
    /// the caller has picked the statement's shape for the data.
    Generic,
}

impl Plans {
    /// The statement that puts a connection in this mode.
    fn setting(self) -> &'static str {
        match self {
            Plans::Chosen => "RESET plan_cache_mode",
            Plans::Generic => "SET plan_cache_mode = force_generic_plan",
        }
    }
}

pub(crate) struct PgReader {
    options: PgConnectOptions,
    /// Idle connections by the [`Plans`] they are set for, indexed by
    /// `Plans as usize`.
    idle: Mutex<[Vec<PgConnection>; 2]>,
    /// One permit per connection this reader may have open at once.
    slots: Semaphore,
}

impl PgReader {
    pub(crate) fn new(options: PgConnectOptions, max_connections: u32) -> PgReader {
        let max = max_connections.max(1) as usize;
        PgReader { options, idle: Mutex::new([Vec::new(), Vec::new()]), slots: Semaphore::new(max) }
    }

    /// Runs one read — a statement, or a few in a row, never a transaction
    /// — on a connection of the reader planning as `plans` says, and gives
    /// the connection back as [`PgRead::finish`] says.
    pub(crate) async fn read<T>(
        &self,
        plans: Plans,
        read: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> StoreResult<T> {
        let mut conn = self.acquire(plans).await?;
        let out = read(&mut conn).await;
        conn.finish(out)
    }

    /// A connection for one read, set for `plans`: an idle one of that
    /// kind, else an idle one of the other kind set anew, else a new one
    /// while fewer than the maximum are open; otherwise waits for one to
    /// come back.
    async fn acquire(&self, plans: Plans) -> StoreResult<PgRead<'_>> {
        let slot = match tokio::time::timeout(WAIT, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => return Err(sqlx::Error::PoolClosed.into()),
            Err(_) => return Err(sqlx::Error::PoolTimedOut.into()),
        };
        let idle = {
            let mut idle = self.lock_idle();
            let other = match plans {
                Plans::Chosen => Plans::Generic,
                Plans::Generic => Plans::Chosen,
            };
            idle[plans as usize].pop().map(|c| (c, plans)).or_else(|| idle[other as usize].pop().map(|c| (c, other)))
        };
        let (conn, set_for) = match idle {
            Some(idle) => idle,
            None => (self.options.connect().await?, Plans::Chosen),
        };
        let mut read = PgRead { reader: self, conn: Some(conn), plans: set_for, finished: false, _slot: slot };
        if set_for != plans {
            // Cut off here, the read is dropped unfinished and the
            // connection closed, so no connection is kept set unknown.
            sqlx::Executor::execute(&mut *read, plans.setting()).await?;
            read.plans = plans;
        }
        Ok(read)
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, [Vec<PgConnection>; 2]> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Closes the idle connections and refuses further reads.
    pub(crate) async fn close(&self) {
        self.slots.close();
        let idle = std::mem::take(&mut *self.lock_idle());
        for conn in idle.into_iter().flatten() {
            let _ = conn.close().await;
        }
    }
}

/// A connection lent for one read. It goes back to the reader only through
/// [`PgRead::finish`] with an answer that leaves it usable; dropped any
/// other way, it is closed.
pub(crate) struct PgRead<'a> {
    reader: &'a PgReader,
    conn: Option<PgConnection>,
    /// What the connection is set for.
    plans: Plans,
    finished: bool,
    _slot: SemaphorePermit<'a>,
}

impl PgRead<'_> {
    /// Ends the read with its answer. The connection goes back unless the
    /// answer was an error of the connection itself (I/O, protocol, TLS):
    /// after a statement's error, or a row that did not decode, the server
    /// is still in step and SQLx reads on to its ReadyForQuery first.
    fn finish<T>(mut self, out: Result<T, sqlx::Error>) -> StoreResult<T> {
        self.finished = match &out {
            Ok(_) => true,
            Err(e) => matches!(
                e,
                sqlx::Error::RowNotFound
                    | sqlx::Error::Database(_)
                    | sqlx::Error::ColumnDecode { .. }
                    | sqlx::Error::ColumnNotFound(_)
                    | sqlx::Error::ColumnIndexOutOfBounds { .. }
                    | sqlx::Error::Decode(_)
                    | sqlx::Error::Encode(_)
                    | sqlx::Error::TypeNotFound { .. }
            ),
        };
        out.map_err(StoreError::from)
    }
}

impl Deref for PgRead<'_> {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl DerefMut for PgRead<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for PgRead<'_> {
    fn drop(&mut self) {
        // A reader closed meanwhile keeps nothing.
        if let (true, false, Some(conn)) = (self.finished, self.reader.slots.is_closed(), self.conn.take()) {
            self.reader.lock_idle()[self.plans as usize].push(conn);
        }
        // Otherwise the connection drops here, closing its socket; the
        // slot goes back either way.
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// A reader on `RONGHE_TEST_PG`, or `None` (the test is skipped) when it
    /// is not set and `RONGHE_REQUIRE_PG` does not ask for it.
    fn reader(max_connections: u32) -> Option<PgReader> {
        let Ok(url) = std::env::var("RONGHE_TEST_PG") else {
            assert!(std::env::var("RONGHE_REQUIRE_PG").is_err(), "RONGHE_REQUIRE_PG is set but RONGHE_TEST_PG is not");
            return None;
        };
        Some(PgReader::new(PgConnectOptions::from_str(&url).expect("a PostgreSQL URL"), max_connections))
    }

    /// Which server backend answers the next read.
    async fn backend(reader: &PgReader) -> i32 {
        let mut conn = reader.acquire(Plans::Chosen).await.unwrap();
        let out = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *conn).await;
        conn.finish(out).unwrap()
    }

    #[tokio::test]
    async fn a_finished_read_gives_its_connection_back_and_a_cut_off_one_closes_it() {
        let Some(reader) = reader(1) else { return };
        let first = backend(&reader).await;
        assert_eq!(backend(&reader).await, first, "the connection comes back for the next read");

        // A statement's error leaves the connection in step with the server.
        let mut conn = reader.acquire(Plans::Chosen).await.unwrap();
        let out = sqlx::query_scalar::<_, i32>("SELECT 1 / 0").fetch_one(&mut *conn).await;
        assert!(matches!(conn.finish(out), Err(StoreError::Other(_))));
        assert_eq!(backend(&reader).await, first, "kept after a statement's error");
        let mut conn = reader.acquire(Plans::Chosen).await.unwrap();
        let out = sqlx::query_scalar::<_, i32>("SELECT 7 WHERE false").fetch_one(&mut *conn).await;
        assert!(matches!(conn.finish(out), Err(StoreError::NotFound)));
        assert_eq!(backend(&reader).await, first, "kept after no row");

        // A read cut off while the server works on it (its request dropped):
        // the connection is closed, and the next read answers from a new one.
        let slow = reader.read(Plans::Chosen, async |c| {
            sqlx::query_scalar::<_, i32>("SELECT 7 FROM pg_sleep(0.5)").fetch_one(c).await
        });
        assert!(tokio::time::timeout(Duration::from_millis(50), slow).await.is_err());
        assert_ne!(backend(&reader).await, first, "a cut-off read's connection is not reused");
        let answer = reader
            .read(Plans::Chosen, async |c| sqlx::query_scalar::<_, i32>("SELECT $1 + 1").bind(41).fetch_one(c).await);
        assert_eq!(answer.await.unwrap(), 42);
    }

    #[tokio::test]
    async fn reads_beyond_the_maximum_wait_and_a_closed_reader_refuses() {
        let Some(reader) = reader(1) else { return };
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        let waiting = reader.acquire(Plans::Chosen);
        tokio::pin!(waiting);
        assert!(
            tokio::time::timeout(Duration::from_millis(100), &mut waiting).await.is_err(),
            "one connection at most"
        );
        drop(held);
        let mut conn =
            tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("the slot comes back").unwrap();
        let out = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&mut *conn).await;
        assert_eq!(conn.finish(out).unwrap(), 1);

        // A read lent out when the reader closes does not come back to it.
        let lent = reader.acquire(Plans::Chosen).await.unwrap();
        reader.close().await;
        assert!(reader.lock_idle().iter().all(Vec::is_empty));
        assert!(reader.acquire(Plans::Chosen).await.is_err());
        lent.finish(Ok(())).unwrap();
        assert!(reader.lock_idle().iter().all(Vec::is_empty), "nothing kept after close");
    }

    /// The backend answering a read set for `plans`, and its setting.
    async fn setting(reader: &PgReader, plans: Plans) -> (i32, String) {
        reader
            .read(plans, async |c| {
                sqlx::query_as("SELECT pg_backend_pid(), current_setting('plan_cache_mode')").fetch_one(c).await
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_read_plans_as_it_asks_and_connections_keep_apart_by_it() {
        let Some(reader) = reader(2) else { return };
        let (chosen, mode) = setting(&reader, Plans::Chosen).await;
        assert_eq!(mode, "auto", "the server's own choice to begin with");
        // The only idle connection is set anew for a generic read, and kept so.
        assert_eq!(setting(&reader, Plans::Generic).await, (chosen, "force_generic_plan".into()));
        assert_eq!(setting(&reader, Plans::Generic).await, (chosen, "force_generic_plan".into()));
        // And back.
        assert_eq!(setting(&reader, Plans::Chosen).await, (chosen, "auto".into()));

        // Two at once: each kind keeps its own connection after.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        let (generic, mode) = setting(&reader, Plans::Generic).await;
        assert_ne!(generic, chosen, "a new connection while the only one is lent");
        assert_eq!(mode, "force_generic_plan");
        held.finish(Ok(())).unwrap();
        for _ in 0..2 {
            assert_eq!(setting(&reader, Plans::Chosen).await, (chosen, "auto".into()));
            assert_eq!(setting(&reader, Plans::Generic).await, (generic, "force_generic_plan".into()));
        }

        // The plan the server runs: a generic one keeps the parameter as
        // a parameter, a custom one holds its value.
        let plan = async |plans| {
            let lines: Vec<String> = reader
                .read(plans, async |c| {
                    use sqlx::Executor;
                    c.execute("PREPARE p(oid) AS SELECT relname FROM pg_class WHERE oid = $1").await?;
                    let plan = sqlx::query_scalar("EXPLAIN EXECUTE p(1259)").fetch_all(&mut *c).await;
                    c.execute("DEALLOCATE p").await?;
                    plan
                })
                .await
                .unwrap();
            lines.join("\n")
        };
        let generic = plan(Plans::Generic).await;
        assert!(generic.contains("$1"), "{generic}");
        let custom = plan(Plans::Chosen).await;
        assert!(!custom.contains("$1") && custom.contains("1259"), "{custom}");
    }
}
