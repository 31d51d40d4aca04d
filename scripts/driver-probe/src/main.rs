//! Runs one branch's roster query (the statement `Store::list_members`
//! makes for a small subtree, one page of 50) many times on two cores,
//! through sqlx's SQLite driver row by row (as the server did before
//! session 12), through sqlx with the page folded into one JSON value by
//! SQLite (as the server did in sessions 12 to 14), and through rusqlite on one
//! thread per core and from async tasks, decoding the same row into the
//! same struct. The differences are what the driver costs per page.
//!
//!     cargo run --release -- /path/to/group.sqlite3 /1/10/264/
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::NaiveDate;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SQL: &str =
    "SELECT m.id, m.org_id, o.name AS org_name, m.name, m.name_initials, m.gender, m.ethnicity, m.birth_date,
     m.id_number_masked, m.education, m.post, m.unit, m.phone_masked, m.category, m.join_date, m.conversion_date,
     m.status, m.status_since, m.version
     FROM members m JOIN orgs o ON o.id = m.org_id
     WHERE m.org_id IN (SELECT id FROM orgs WHERE path >= ?1 AND path < ?2) AND m.status IN ('normal', 'lost_contact')
     ORDER BY m.name_initials, m.id LIMIT ?3";
/// The same page as one value, as sessions 12 to 14 built it from `SQL`:
/// SQLite makes a JSON array of the rows, each an object keyed by column
/// name, so the driver hands over one row of one text instead of 51 rows
/// of 19 values (the server then sorts the decoded page by its order,
/// which costs nothing measurable on a page already in order).
fn sql_json() -> String {
    const NAMES: [&str; 19] = [
        "id", "org_id", "org_name", "name", "name_initials", "gender", "ethnicity", "birth_date", "id_number_masked",
        "education", "post", "unit", "phone_masked", "category", "join_date", "conversion_date", "status",
        "status_since", "version",
    ];
    let pairs: Vec<String> = NAMES.iter().map(|n| format!("'{n}', {n}")).collect();
    format!("SELECT json_group_array(json_object({})) FROM ({SQL})", pairs.join(", "))
}
const QUERIES: usize = 40_000;
const CLIENTS: usize = 64;

#[derive(sqlx::FromRow, serde::Deserialize)]
#[allow(dead_code)]
struct Row {
    id: i64,
    org_id: i64,
    org_name: String,
    name: String,
    name_initials: String,
    gender: String,
    ethnicity: String,
    birth_date: NaiveDate,
    id_number_masked: String,
    education: Option<String>,
    post: String,
    unit: String,
    phone_masked: Option<String>,
    category: String,
    join_date: NaiveDate,
    conversion_date: Option<NaiveDate>,
    status: String,
    status_since: NaiveDate,
    version: i64,
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap().split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn report(label: &str, rows: usize, start: Instant, cpu: f64) {
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    println!(
        "{label}: {QUERIES} pages ({rows} rows) in {secs:.2} s: {:.0} pages/s, {:.0} µs of CPU a page",
        QUERIES as f64 / secs,
        cpu / QUERIES as f64 * 1e6
    );
}

fn date(s: String) -> NaiveDate {
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").unwrap()
}

fn read_page(stmt: &mut rusqlite::CachedStatement<'_>, root: &str, hi: &str) -> Vec<Row> {
    stmt.query_map(rusqlite::params![root, hi, 51i64], |r| {
        Ok(Row {
            id: r.get(0)?,
            org_id: r.get(1)?,
            org_name: r.get(2)?,
            name: r.get(3)?,
            name_initials: r.get(4)?,
            gender: r.get(5)?,
            ethnicity: r.get(6)?,
            birth_date: date(r.get(7)?),
            id_number_masked: r.get(8)?,
            education: r.get(9)?,
            post: r.get(10)?,
            unit: r.get(11)?,
            phone_masked: r.get(12)?,
            category: r.get(13)?,
            join_date: date(r.get(14)?),
            conversion_date: r.get::<_, Option<String>>(15)?.map(date),
            status: r.get(16)?,
            status_since: date(r.get(17)?),
            version: r.get(18)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn open(path: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "cache_size", "-8192").unwrap();
    conn
}

/// A warm-up round, then the measured one: `QUERIES` pages shared out by
/// a counter among whoever `run` starts; `run` returns the rows read.
fn rounds(label: &str, mut run: impl FnMut(Arc<AtomicUsize>) -> usize) {
    for round in [" (warm-up)", ""] {
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let rows = run(Arc::new(AtomicUsize::new(0)));
        report(&format!("{label}{round}"), rows, start, cpu);
    }
}

/// Takes a page from the counter, while there are any left.
fn another(next: &AtomicUsize) -> bool {
    next.fetch_add(1, Ordering::Relaxed) < QUERIES
}

/// `CLIENTS` async clients, each reading pages with `page` while there
/// are any left; the rows they read.
async fn clients<F, Fut>(next: Arc<AtomicUsize>, page: F) -> usize
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = usize> + Send,
{
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, page) = (next.clone(), page.clone());
            tokio::spawn(async move {
                let mut rows = 0;
                while another(&next) {
                    rows += page().await;
                }
                rows
            })
        })
        .collect();
    let mut rows = 0;
    for t in tasks {
        rows += t.await.unwrap();
    }
    rows
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, root) = (args[1].clone(), args[2].clone());
    let hi = format!("{root}~");
    // As the server does before its first connection: no memory
    // statistics, whose global mutex the connections' threads contend for.
    // SAFETY: no SQLite connection exists yet.
    unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };

    // As the server reads: SQLx's driver, 16 connections, 64 clients.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let pool = rt.block_on(async {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
        use std::str::FromStr;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .unwrap()
            .journal_mode(SqliteJournalMode::Wal)
            .pragma("cache_size", "-8192")
            .row_buffer_size(512);
        SqlitePoolOptions::new().max_connections(16).test_before_acquire(false).connect_with(options).await.unwrap()
    });
    let (r, h) = (root.clone(), hi.clone());
    rounds("sqlx", |next| {
        let (pool, root, hi) = (pool.clone(), r.clone(), h.clone());
        rt.block_on(clients(next, move || {
            let (pool, root, hi) = (pool.clone(), root.clone(), hi.clone());
            async move {
                let page: Vec<Row> =
                    sqlx::query_as(SQL).bind(&root).bind(&hi).bind(51i64).fetch_all(&pool).await.unwrap();
                page.len()
            }
        }))
    });

    // The same through SQLx, the page as one JSON value decoded by serde.
    let (r, h) = (root.clone(), hi.clone());
    let json_sql: &'static str = sql_json().leak();
    rounds("sqlx, one JSON value a page", |next| {
        let (pool, root, hi) = (pool.clone(), r.clone(), h.clone());
        rt.block_on(clients(next, move || {
            let (pool, root, hi) = (pool.clone(), root.clone(), hi.clone());
            async move {
                let (json,): (String,) =
                    sqlx::query_as(json_sql).bind(&root).bind(&hi).bind(51i64).fetch_one(&pool).await.unwrap();
                let page: Vec<Row> = serde_json::from_str(&json).unwrap();
                page.len()
            }
        }))
    });

    // rusqlite on one plain thread per core: SQLite's own cost.
    rounds("rusqlite", |next| {
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (path, root, hi, next) = (path.clone(), root.clone(), hi.clone(), next.clone());
                std::thread::spawn(move || {
                    let conn = open(&path);
                    let mut stmt = conn.prepare_cached(SQL).unwrap();
                    let mut rows = 0;
                    while another(&next) {
                        rows += read_page(&mut stmt, &root, &hi).len();
                    }
                    rows
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum()
    });

    // As a server would use rusqlite: 64 async clients, each query handed
    // to a blocking thread that holds a connection (one hand-off a page,
    // not one a row).
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).max_blocking_threads(4).build().unwrap();
    let conns = Arc::new(Mutex::new((0..4).map(|_| open(&path)).collect::<Vec<_>>()));
    rounds("rusqlite from async tasks", |next| {
        let (conns, root, hi) = (conns.clone(), root.clone(), hi.clone());
        rt.block_on(clients(next, move || {
            let (conns, root, hi) = (conns.clone(), root.clone(), hi.clone());
            async move {
                tokio::task::spawn_blocking(move || {
                    let conn = conns.lock().unwrap().pop().expect("a connection per blocking thread");
                    let rows = read_page(&mut conn.prepare_cached(SQL).unwrap(), &root, &hi).len();
                    conns.lock().unwrap().push(conn);
                    rows
                })
                .await
                .unwrap()
            }
        }))
    });
}
