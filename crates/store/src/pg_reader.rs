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

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::{StoreError, StoreResult};

/// How long a read waits for a connection, as the pool's acquire does.
const WAIT: Duration = Duration::from_secs(10);

pub(crate) struct PgReader {
    options: PgConnectOptions,
    idle: Mutex<Vec<PgConnection>>,
    /// One permit per connection this reader may have open at once.
    slots: Semaphore,
}

impl PgReader {
    pub(crate) fn new(options: PgConnectOptions, max_connections: u32) -> PgReader {
        let max = max_connections.max(1) as usize;
        PgReader { options, idle: Mutex::new(Vec::with_capacity(max)), slots: Semaphore::new(max) }
    }

    /// Runs one read — a statement, or a few in a row, never a transaction
    /// — on a connection of the reader, and gives the connection back as
    /// [`PgRead::finish`] says.
    pub(crate) async fn read<T>(
        &self,
        read: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> StoreResult<T> {
        let mut conn = self.acquire().await?;
        let out = read(&mut conn).await;
        conn.finish(out)
    }

    /// A connection for one read: an idle one, or a new one while fewer
    /// than the maximum are open; otherwise waits for one to come back.
    async fn acquire(&self) -> StoreResult<PgRead<'_>> {
        let slot = match tokio::time::timeout(WAIT, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => return Err(sqlx::Error::PoolClosed.into()),
            Err(_) => return Err(sqlx::Error::PoolTimedOut.into()),
        };
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.options.connect().await?,
        };
        Ok(PgRead { reader: self, conn: Some(conn), finished: false, _slot: slot })
    }

    /// Closes the idle connections and refuses further reads.
    pub(crate) async fn close(&self) {
        self.slots.close();
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for conn in idle {
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
            self.reader.idle.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
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
        let mut conn = reader.acquire().await.unwrap();
        let out = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *conn).await;
        conn.finish(out).unwrap()
    }

    #[tokio::test]
    async fn a_finished_read_gives_its_connection_back_and_a_cut_off_one_closes_it() {
        let Some(reader) = reader(1) else { return };
        let first = backend(&reader).await;
        assert_eq!(backend(&reader).await, first, "the connection comes back for the next read");

        // A statement's error leaves the connection in step with the server.
        let mut conn = reader.acquire().await.unwrap();
        let out = sqlx::query_scalar::<_, i32>("SELECT 1 / 0").fetch_one(&mut *conn).await;
        assert!(matches!(conn.finish(out), Err(StoreError::Other(_))));
        assert_eq!(backend(&reader).await, first, "kept after a statement's error");
        let mut conn = reader.acquire().await.unwrap();
        let out = sqlx::query_scalar::<_, i32>("SELECT 7 WHERE false").fetch_one(&mut *conn).await;
        assert!(matches!(conn.finish(out), Err(StoreError::NotFound)));
        assert_eq!(backend(&reader).await, first, "kept after no row");

        // A read cut off while the server works on it (its request dropped):
        // the connection is closed, and the next read answers from a new one.
        let slow =
            reader.read(async |c| sqlx::query_scalar::<_, i32>("SELECT 7 FROM pg_sleep(0.5)").fetch_one(c).await);
        assert!(tokio::time::timeout(Duration::from_millis(50), slow).await.is_err());
        assert_ne!(backend(&reader).await, first, "a cut-off read's connection is not reused");
        let answer = reader.read(async |c| sqlx::query_scalar::<_, i32>("SELECT $1 + 1").bind(41).fetch_one(c).await);
        assert_eq!(answer.await.unwrap(), 42);
    }

    #[tokio::test]
    async fn reads_beyond_the_maximum_wait_and_a_closed_reader_refuses() {
        let Some(reader) = reader(1) else { return };
        let held = reader.acquire().await.unwrap();
        let waiting = reader.acquire();
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
        let lent = reader.acquire().await.unwrap();
        reader.close().await;
        assert!(reader.idle.lock().unwrap().is_empty());
        assert!(reader.acquire().await.is_err());
        lent.finish(Ok(())).unwrap();
        assert!(reader.idle.lock().unwrap().is_empty(), "nothing kept after close");
    }
}
