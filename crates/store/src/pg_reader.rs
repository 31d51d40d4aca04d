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
//! PostgreSQL plans a prepared statement for its values on each of its
//! first five runs on a connection, then keeps its generic plan if that
//! looks no dearer; most of Ronghe's statements end there, and a few go on
//! being planned on every run, because a plan made for the values at hand
//! looks cheaper than the generic one. Where the caller knows better, because it already chose
//! the statement's shape for the data, it asks for the generic plan: a
//! small subtree's roster page planned in 0.42 ms and ran in 0.11 ms
//! (session 16), and its generic plan has the same shape. Each connection
//! is set for one kind of read, and a read waiting for a connection is
//! handed one set for its kind where it can be: setting a connection anew
//! is a round trip of its own. A first version that gave a returned
//! connection to whichever read had waited longest set one anew for every
//! third read of a unit's roster under load (`pg_stat_statements`: 4,359
//! `SET`s and `RESET`s for 4,544 pages), so a read of the other kind now
//! takes its turn only after waiting [`SLACK`] longer than the first read
//! of the connection's kind.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::oneshot;

use crate::{StoreError, StoreResult};

/// How long a read waits for a connection, as the pool's acquire does.
const WAIT: Duration = Duration::from_secs(10);

/// What the reader's connections are opened with. Its reads are short,
/// and a plan costed without its values (a generic plan, or a custom one
/// PostgreSQL misjudges) may still look dear to the planner: on the national
/// dataset a branch's roster statement under its generic plan was costed
/// at 121,000 for 0.2 ms of work, so PostgreSQL compiled it with JIT first
/// (9 ms a run; 18 ms for a unit). JIT cannot pay for itself in a read of
/// a page; the pool's connections, which run the long counts, keep the
/// server's settings. (Parallel workers are left out of generic plans
/// only: [`Plans::setting`].)
const SHORT_READS: [(&str, &str); 1] = [("jit", "off")];

/// How much longer than the first waiting read of a connection's kind a
/// read of the other kind waits before that connection is set anew for it.
/// Under load reads wait milliseconds for a connection (the benchmarks' 64
/// clients on a node's 8 reader connections), so this costs a read little
/// and keeps either kind from waiting long behind a stream of the other.
const SLACK: Duration = Duration::from_millis(1);

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
    fn other(self) -> Plans {
        match self {
            Plans::Chosen => Plans::Generic,
            Plans::Generic => Plans::Chosen,
        }
    }

    /// The statements that put a connection in this mode. A generic plan
    /// also starts no parallel workers: costed without its values, the
    /// roster's small-subtree statement looked dear enough on the national
    /// dataset that PostgreSQL started one for a branch's 58 rows (8.9 ms,
    /// 5 of them the worker's start). A plan made for its values keeps
    /// them: a search by part of a name that finds nothing at the national
    /// root reads every member, 17 s with a worker and 33 s without.
    fn setting(self) -> &'static str {
        match self {
            Plans::Chosen => "RESET plan_cache_mode; RESET max_parallel_workers_per_gather",
            Plans::Generic => "SET plan_cache_mode = force_generic_plan; SET max_parallel_workers_per_gather = 0",
        }
    }
}

pub(crate) struct PgReader {
    options: PgConnectOptions,
    /// How many connections it may have open at once.
    max: usize,
    /// [`SLACK`], but for tests.
    slack: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    closed: bool,
    /// Connections open or being opened: idle, lent, or on their way to a
    /// waiting read.
    open: usize,
    /// Idle connections by the [`Plans`] they are set for, indexed by
    /// `Plans as usize`.
    idle: [Vec<PgConnection>; 2],
    /// Reads waiting for a connection, by the plans they ask for, each
    /// queue in the order they came.
    waiting: [VecDeque<Waiter>; 2],
}

struct Waiter {
    since: Instant,
    turn: oneshot::Sender<Turn>,
}

/// What a read is given to run on.
enum Turn {
    /// A connection, set for these plans.
    Conn(PgConnection, Plans),
    /// Room to open a connection: one fewer than the maximum is open.
    Room,
}

impl State {
    /// Who gets a connection set for `kind` that has come back: the
    /// first waiting read of its kind, unless the first of the other kind
    /// has waited `slack` longer; a read of the other kind when none of
    /// its kind waits.
    fn next_for(&mut self, kind: Plans, slack: Duration) -> Option<Waiter> {
        let (same, other) = (kind as usize, kind.other() as usize);
        let switch = match (self.waiting[same].front(), self.waiting[other].front()) {
            (Some(a), Some(b)) => a.since.saturating_duration_since(b.since) > slack,
            (None, _) => true,
            (Some(_), None) => false,
        };
        let [first, second] = if switch { [other, same] } else { [same, other] };
        self.waiting[first].pop_front().or_else(|| self.waiting[second].pop_front())
    }

    /// The read that has waited longest.
    fn longest_waiting(&mut self) -> Option<Waiter> {
        let [a, b] = &self.waiting;
        let first = match (a.front(), b.front()) {
            (Some(x), Some(y)) if y.since < x.since => 1,
            (None, Some(_)) => 1,
            _ => 0,
        };
        self.waiting[first].pop_front()
    }
}

impl PgReader {
    pub(crate) fn new(options: PgConnectOptions, max_connections: u32) -> PgReader {
        PgReader {
            options: options.options(SHORT_READS),
            max: max_connections.max(1) as usize,
            slack: SLACK,
            state: Mutex::default(),
        }
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
    /// kind, else a new one while fewer than the maximum are open, else an
    /// idle one of the other kind set anew; otherwise the read waits for
    /// one to come back ([`State::next_for`]).
    async fn acquire(&self, plans: Plans) -> StoreResult<PgRead<'_>> {
        let now = {
            let mut s = self.lock();
            if s.closed {
                return Err(sqlx::Error::PoolClosed.into());
            }
            if let Some(conn) = s.idle[plans as usize].pop() {
                Ok(Turn::Conn(conn, plans))
            } else if s.open < self.max {
                s.open += 1;
                Ok(Turn::Room)
            } else if let Some(conn) = s.idle[plans.other() as usize].pop() {
                Ok(Turn::Conn(conn, plans.other()))
            } else {
                let queue = &mut s.waiting[plans as usize];
                // Reads that stopped waiting leave their place when the
                // queue is next touched.
                while queue.front().is_some_and(|w| w.turn.is_closed()) {
                    queue.pop_front();
                }
                let (turn, wait) = oneshot::channel();
                queue.push_back(Waiter { since: Instant::now(), turn });
                Err(Wait { reader: self, turn: wait })
            }
        };
        let turn = match now {
            Ok(turn) => turn,
            Err(mut wait) => match tokio::time::timeout(WAIT, &mut wait.turn).await {
                Ok(Ok(turn)) if self.lock().closed => {
                    // Handed over as the reader closed: it opens nothing more.
                    self.give_back(turn);
                    return Err(sqlx::Error::PoolClosed.into());
                }
                Ok(Ok(turn)) => turn,
                Ok(Err(_)) => return Err(sqlx::Error::PoolClosed.into()),
                Err(_) => return Err(sqlx::Error::PoolTimedOut.into()),
            },
        };
        // From here the turn is the read's: dropped at any await below (its
        // request gone, a failed connect), it goes back as room for another.
        let mut read = match turn {
            Turn::Conn(conn, set_for) => PgRead { reader: self, conn: Some(conn), plans: set_for, finished: false },
            Turn::Room => {
                let mut read = PgRead { reader: self, conn: None, plans: Plans::Chosen, finished: false };
                read.conn = Some(self.options.connect().await?);
                read
            }
        };
        if read.plans != plans {
            sqlx::Executor::execute(&mut *read, plans.setting()).await?;
            read.plans = plans;
        }
        Ok(read)
    }

    /// Takes back a read's turn: to a waiting read, else idle (a
    /// connection) or closed (room).
    fn give_back(&self, mut turn: Turn) {
        let mut s = self.lock();
        loop {
            let next = match &turn {
                _ if s.closed => None,
                Turn::Conn(_, kind) => s.next_for(*kind, self.slack),
                Turn::Room => s.longest_waiting(),
            };
            let Some(waiter) = next else { break };
            // A read that stopped waiting (its request gone, or timed out)
            // refuses the turn, which goes to the next.
            match waiter.turn.send(turn) {
                Ok(()) => return,
                Err(refused) => turn = refused,
            }
        }
        match turn {
            Turn::Conn(conn, kind) if !s.closed => s.idle[kind as usize].push(conn),
            // A reader closed meanwhile keeps nothing; the connection drops
            // here, closing its socket.
            _ => s.open -= 1,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Closes the idle connections and refuses further reads; reads
    /// waiting for a connection are refused too.
    pub(crate) async fn close(&self) {
        let idle = {
            let mut s = self.lock();
            s.closed = true;
            s.waiting = Default::default();
            let idle = std::mem::take(&mut s.idle);
            s.open -= idle.iter().map(Vec::len).sum::<usize>();
            idle
        };
        for conn in idle.into_iter().flatten() {
            let _ = conn.close().await;
        }
    }
}

/// A read waiting for its turn. Dropped before it takes one (timed out,
/// or its request gone), it refuses any turn still to come and gives back
/// one that came meanwhile.
struct Wait<'a> {
    reader: &'a PgReader,
    turn: oneshot::Receiver<Turn>,
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        self.turn.close();
        if let Ok(turn) = self.turn.try_recv() {
            self.reader.give_back(turn);
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
        let turn = match (self.finished, self.conn.take()) {
            (true, Some(conn)) => Turn::Conn(conn, self.plans),
            // Unfinished, the connection drops here, closing its socket.
            _ => Turn::Room,
        };
        self.reader.give_back(turn);
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
        assert!(reader.lock().idle.iter().all(Vec::is_empty));
        assert!(reader.acquire(Plans::Chosen).await.is_err());
        lent.finish(Ok(())).unwrap();
        assert!(reader.lock().idle.iter().all(Vec::is_empty), "nothing kept after close");
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
        let (chosen, server_default) = setting(&reader, Plans::Chosen).await;
        assert_ne!(server_default, "force_generic_plan", "the server's own setting to begin with");
        // Below the maximum, a read of the other kind opens a connection
        // of its own rather than set the idle one anew; each kind keeps its
        // connection after.
        let (generic, mode) = setting(&reader, Plans::Generic).await;
        assert_ne!(generic, chosen);
        assert_eq!(mode, "force_generic_plan");
        for _ in 0..2 {
            assert_eq!(setting(&reader, Plans::Chosen).await, (chosen, server_default.clone()));
            assert_eq!(setting(&reader, Plans::Generic).await, (generic, "force_generic_plan".into()));
        }
        // At the maximum, an idle connection of the other kind is set anew.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        assert_eq!(setting(&reader, Plans::Chosen).await, (generic, server_default.clone()));
        held.finish(Ok(())).unwrap();
        assert_eq!(reader.lock().idle[Plans::Chosen as usize].len(), 2);

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

    #[tokio::test]
    async fn reads_run_without_jit_and_generic_plans_without_parallel_workers() {
        let Some(reader) = reader(2) else { return };
        let settings = async |plans| -> (String, String) {
            reader
                .read(plans, async |c| {
                    sqlx::query_as("SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
                        .fetch_one(c)
                        .await
                })
                .await
                .unwrap()
        };
        let (jit, workers) = settings(Plans::Chosen).await;
        assert_eq!(jit, "off");
        assert_ne!(workers, "0", "the server's own setting");
        // Both kinds on one connection, set anew each time, and back.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        for _ in 0..2 {
            assert_eq!(settings(Plans::Generic).await, ("off".to_string(), "0".to_string()));
            assert_eq!(settings(Plans::Chosen).await, ("off".to_string(), workers.clone()));
        }
        held.finish(Ok(())).unwrap();
        // A plan the server would otherwise compile with JIT: costed far
        // above its thresholds.
        let plan: Vec<String> = reader
            .read(Plans::Chosen, async |c| {
                sqlx::query_scalar(
                    "EXPLAIN SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000000) b",
                )
                .fetch_all(c)
                .await
            })
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(!plan.contains("JIT"), "{plan}");
    }

    /// Polls a future once: whether it is still pending.
    async fn pending<F: std::future::Future + Unpin>(f: &mut F) -> bool {
        std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *f).poll(cx).is_pending())).await
    }

    /// Queues of waiting reads, each `(kind, milliseconds after the first)`,
    /// and what each is handed.
    fn queues(reads: &[(Plans, u64)]) -> (State, Vec<oneshot::Receiver<Turn>>) {
        let start = Instant::now();
        let mut state = State::default();
        let mut handed = Vec::new();
        for &(kind, ms) in reads {
            let (turn, rx) = oneshot::channel();
            state.waiting[kind as usize].push_back(Waiter { since: start + Duration::from_millis(ms), turn });
            handed.push(rx);
        }
        (state, handed)
    }

    /// The order in which the waiting reads (by their index in `reads`)
    /// are picked for connections of `kind` coming back one by one.
    fn picked(reads: &[(Plans, u64)], kind: Plans, slack_ms: u64) -> Vec<usize> {
        let (mut state, mut handed) = queues(reads);
        let mut order = Vec::new();
        while let Some(w) = state.next_for(kind, Duration::from_millis(slack_ms)) {
            let _ = w.turn.send(Turn::Room);
            order.push(handed.iter_mut().position(|rx| rx.try_recv().is_ok()).expect("one was handed"));
        }
        order
    }

    #[test]
    fn a_connection_goes_to_a_read_of_its_kind_unless_one_of_the_other_waited_longer() {
        use Plans::{Chosen as C, Generic as G};
        // Of its kind first, while the other's first came less than the
        // slack before; then the rest.
        assert_eq!(picked(&[(C, 0), (G, 1), (G, 2)], G, 5), [1, 2, 0]);
        // The other's first, once it has waited past the slack.
        assert_eq!(picked(&[(C, 0), (G, 1), (G, 9)], G, 5), [1, 0, 2]);
        assert_eq!(picked(&[(C, 0), (G, 6)], G, 5), [0, 1]);
        // None of its kind: the other kind's, in their order.
        assert_eq!(picked(&[(C, 0), (C, 1)], G, 5), [0, 1]);
        assert_eq!(picked(&[], G, 5), Vec::<usize>::new());

        // Room for a new connection goes to the read that waited longest.
        let (mut state, _handed) = queues(&[(C, 3), (G, 1), (C, 4), (G, 2)]);
        let order: Vec<Instant> = std::iter::from_fn(|| state.longest_waiting()).map(|w| w.since).collect();
        assert_eq!(order.len(), 4);
        assert!(order.is_sorted(), "{order:?}");
    }

    #[tokio::test]
    async fn a_waiting_read_is_handed_a_connection_and_gives_back_one_it_no_longer_wants() {
        let Some(mut reader) = reader(1) else { return };
        reader.slack = Duration::from_secs(3600);
        let (only, mode) = setting(&reader, Plans::Generic).await;
        assert_eq!(mode, "force_generic_plan");

        // Both kinds wait while the only connection, set for generic plans,
        // is lent: it goes to the generic read as it is, then is set anew.
        let held = reader.acquire(Plans::Generic).await.unwrap();
        let mut chosen = Box::pin(setting(&reader, Plans::Chosen));
        let mut generic = Box::pin(setting(&reader, Plans::Generic));
        assert!(pending(&mut chosen).await && pending(&mut generic).await);
        held.finish(Ok(())).unwrap();
        assert!(pending(&mut chosen).await, "the chosen-plans read still waits");
        assert_eq!(generic.await, (only, "force_generic_plan".into()));
        let (again, _) = chosen.await;
        assert_eq!(again, only, "then set anew for the read of the other kind");

        // A read that stopped waiting before its turn refuses it, and the
        // turn goes to the next.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        let mut gone = Box::pin(setting(&reader, Plans::Chosen));
        let mut next = Box::pin(setting(&reader, Plans::Chosen));
        assert!(pending(&mut gone).await && pending(&mut next).await);
        drop(gone);
        held.finish(Ok(())).unwrap();
        assert_eq!(next.await.0, only);
        // One that stops after its turn came gives it back to the next.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        let mut gone = Box::pin(setting(&reader, Plans::Chosen));
        let mut next = Box::pin(setting(&reader, Plans::Chosen));
        assert!(pending(&mut gone).await && pending(&mut next).await);
        held.finish(Ok(())).unwrap();
        drop(gone);
        assert_eq!(next.await.0, only);
        assert_eq!(reader.lock().open, 1);

        // A read cut off gives back room for a new connection.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        let mut next = Box::pin(setting(&reader, Plans::Generic));
        assert!(pending(&mut next).await);
        drop(held);
        let (new, mode) = next.await;
        assert_ne!(new, only);
        assert_eq!(mode, "force_generic_plan");
        assert_eq!(reader.lock().open, 1);

        // Closing refuses the reads waiting, and what is lent is not kept.
        let held = reader.acquire(Plans::Chosen).await.unwrap();
        let mut waiting = Box::pin(reader.acquire(Plans::Chosen));
        assert!(pending(&mut waiting).await);
        reader.close().await;
        assert!(matches!(waiting.await, Err(StoreError::Other(_))), "refused");
        assert_eq!(reader.lock().open, 1);
        held.finish(Ok(())).unwrap();
        assert_eq!(reader.lock().open, 0);
        assert!(reader.lock().idle.iter().all(Vec::is_empty));
    }
}
