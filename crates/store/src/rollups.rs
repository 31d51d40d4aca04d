//! Subtree roll-ups, maintained. Each organisation keeps how many active
//! members its whole subtree holds, by category, gender, education and
//! birth year (`org_rollups`), so that a count for the root of a group of
//! any size is one indexed read instead of a walk over every member.
//!
//! Every store method that changes what a member counts under (adding,
//! editing, a change of status, moving an organisation) works out the
//! change as a [`Delta`] and applies it with [`apply_rollups!`] in its own
//! transaction. [`Store::naive_rollup`] is the query a DBA would write over
//! the raw rows; the tests hold the two equal on random trees.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::orgs::path_ids;
use crate::reader::read;
use crate::{on, BeginWrite, Store, StoreError, StoreResult};

/// The dimensions kept, in the order pages show them.
pub const DIMENSIONS: [&str; 4] = ["category", "gender", "education", "birth_year"];

/// What one member counts under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The path of the organisation the member is enrolled in.
    pub path: String,
    pub active: bool,
    pub category: String,
    pub gender: String,
    pub education: String,
    pub birth_year: String,
}

impl Facts {
    pub fn new(
        path: &str,
        status: &str,
        category: &str,
        gender: &str,
        education: Option<&str>,
        birth: NaiveDate,
    ) -> Facts {
        Facts {
            path: path.to_string(),
            active: matches!(status, "normal" | "lost_contact"),
            category: category.to_string(),
            gender: gender.to_string(),
            education: education.unwrap_or("unknown").to_string(),
            birth_year: birth.year().to_string(),
        }
    }
}

/// Changes to roll-up rows: (organisation, dimension, key) → change in count.
pub(crate) type Delta = BTreeMap<(i64, &'static str, String), i64>;

/// Adds (`sign` 1) or removes (`sign` -1) a member's contribution to every
/// organisation on its path.
pub(crate) fn count(delta: &mut Delta, f: &Facts, sign: i64) {
    if !f.active {
        return;
    }
    for org in path_ids(&f.path) {
        for (dim, key) in [
            ("category", &f.category),
            ("gender", &f.gender),
            ("education", &f.education),
            ("birth_year", &f.birth_year),
        ] {
            *delta.entry((org, dim, key.clone())).or_default() += sign;
        }
    }
}

/// Applies a [`Delta`] through a transaction of the current backend, a few
/// hundred rows a statement.
macro_rules! apply_rollups {
    ($backend:expr, $tx:expr, $tenant:expr, $delta:expr) => {{
        let tenant: i64 = $tenant;
        let entries: Vec<(&(i64, &'static str, String), &i64)> = $delta.iter().filter(|(_, n)| **n != 0).collect();
        let mut result: Result<(), sqlx::Error> = Ok(());
        for chunk in entries.chunks(200) {
            let sql = format!(
                "INSERT INTO org_rollups (tenant_id, org_id, dim, key, n) VALUES {}
                 ON CONFLICT (org_id, dim, key) DO UPDATE SET n = org_rollups.n + excluded.n",
                $crate::values_placeholders($backend, chunk.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for ((org, dim, key), n) in chunk {
                q = q.bind(tenant).bind(*org).bind(*dim).bind(key.as_str()).bind(**n);
            }
            if let Err(e) = q.execute(&mut *$tx).await {
                result = Err(e);
                break;
            }
        }
        result
    }};
}
pub(crate) use apply_rollups;

/// Reads a member's facts inside a transaction (before a change).
macro_rules! member_facts {
    ($tx:expr, $id:expr) => {{
        let row: Result<(String, String, String, String, Option<String>, chrono::NaiveDate), sqlx::Error> =
            sqlx::query_as(
                "SELECT o.path, m.status, m.category, m.gender, m.education, m.birth_date
             FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = $1",
            )
            .bind($id)
            .fetch_one(&mut *$tx)
            .await;
        row.map(|(path, status, category, gender, education, birth)| {
            $crate::rollups::Facts::new(&path, &status, &category, &gender, education.as_deref(), birth)
        })
    }};
}
pub(crate) use member_facts;

/// One organisation's roll-up: dimension → key → active members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rollup {
    pub dims: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Rollup {
    fn from_rows(rows: Vec<(String, String, i64)>) -> Rollup {
        let mut r = Rollup::default();
        for (dim, key, n) in rows.into_iter().filter(|(_, _, n)| *n != 0) {
            r.dims.entry(dim).or_default().insert(key, n);
        }
        r
    }

    pub fn get(&self, dim: &str, key: &str) -> i64 {
        self.dims.get(dim).and_then(|d| d.get(key)).copied().unwrap_or(0)
    }

    /// Active members in all.
    pub fn total(&self) -> i64 {
        self.dims.get("category").map(|d| d.values().sum()).unwrap_or(0)
    }
}

/// What a subtree's computed figures are about, each with its version in
/// `figure_changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figures {
    /// Meeting compliance.
    Life,
    /// A subtree's dues year.
    Dues,
    /// A subtree's study report (all but online study time, which every
    /// heartbeat writes: migration 0024).
    Study,
    /// A subtree's decision metrics (migration 0027 on SQLite, 0028 on
    /// PostgreSQL).
    Decisions,
}

impl Figures {
    pub const ALL: [Figures; 4] = [Figures::Life, Figures::Dues, Figures::Study, Figures::Decisions];

    /// Rows of one subject past which a reader folds them into one.
    const FOLD_AT: i64 = 64;

    fn code(self) -> &'static str {
        match self {
            Figures::Life => "life",
            Figures::Dues => "dues",
            Figures::Study => "study",
            Figures::Decisions => "decisions",
        }
    }
}

/// Per-node subtree sizes for [`Store::subtree_size_hint`].
#[derive(Default)]
pub(crate) struct SizeHints(std::sync::Mutex<std::collections::HashMap<i64, (std::time::Instant, i64)>>);

impl SizeHints {
    const FRESH: std::time::Duration = std::time::Duration::from_secs(60);
    /// Organisations remembered; past that the map starts over.
    const CAPACITY: usize = 100_000;

    fn get(&self, org_id: i64) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&org_id).filter(|(at, _)| at.elapsed() < Self::FRESH).map(|(_, n)| *n)
    }

    fn put(&self, org_id: i64, n: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::CAPACITY {
            map.clear();
        }
        map.insert(org_id, (std::time::Instant::now(), n));
    }
}

impl Store {
    /// The maintained roll-up of an organisation's subtree.
    pub async fn rollup(&self, org_id: i64) -> StoreResult<Rollup> {
        let rows: Vec<(String, String, i64)> =
            on!(self, |p| sqlx::query_as("SELECT dim, key, n FROM org_rollups WHERE org_id = $1")
                .bind(org_id)
                .fetch_all(p)
                .await)?;
        Ok(Rollup::from_rows(rows))
    }

    /// One dimension of the roll-up of `org_id`.
    pub async fn rollup_dim(&self, org_id: i64, dim: &str) -> StoreResult<Rollup> {
        let rows = read!(
            self,
            (String, String, i64),
            "SELECT dim, key, n FROM org_rollups WHERE org_id = $1 AND dim = $2",
            |q| q.bind(org_id).bind(dim),
            fetch_all
        )?;
        Ok(Rollup::from_rows(rows))
    }

    /// Members past which a subtree is read by plans for large ones (the
    /// roster's query, who completed a course).
    pub(crate) const LARGE_SUBTREE: i64 = 5_000;

    /// Roughly how many active members the subtree of `org_id` holds, for
    /// choosing a query plan: read from the roll-up at most once a minute per
    /// node. A stale figure can only pick the slower plan, never change a
    /// result, so it needs no invalidation across nodes.
    pub async fn subtree_size_hint(&self, org_id: i64) -> StoreResult<i64> {
        if let Some(n) = self.sizes.get(org_id) {
            return Ok(n);
        }
        let n = self.subtree_size(org_id).await?;
        self.sizes.put(org_id, n);
        Ok(n)
    }

    /// Whether every row of the subtree at `path` of a kind that grows
    /// with its members (its people in development, its topics) is about a
    /// page: the subtree is not a large one. A list of them is then a
    /// bounded read in the reader's sense (`reader.rs`).
    pub(crate) async fn subtree_is_small(&self, path: &str) -> StoreResult<bool> {
        let root = crate::orgs::path_ids(path).last().copied().ok_or(StoreError::NotFound)?;
        Ok(self.subtree_size_hint(root).await? <= Store::LARGE_SUBTREE)
    }

    /// How many active members the subtree of `org_id` holds: one row of the
    /// roll-up, where [`Store::rollup`] reads every dimension.
    pub async fn subtree_size(&self, org_id: i64) -> StoreResult<i64> {
        let (n,) = read!(
            self,
            (Option<i64>,),
            "SELECT CAST(SUM(n) AS BIGINT) FROM org_rollups WHERE org_id = $1 AND dim = 'category'",
            |q| q.bind(org_id),
            fetch_one
        )?;
        Ok(n.unwrap_or(0))
    }

    /// The version of what a tenant's computed figures of `subject` are read
    /// from: the sum over its rows in `figure_changes`, which triggers append
    /// to (migration 0023). Read it before reading the figures' rows:
    /// what is then read is at least as new as the version, so a value cached
    /// under it is never older than its key. Past [`Figures::FOLD_AT`] rows,
    /// folds them into one (best effort: a failure is logged, the version
    /// stands).
    pub async fn figure_version(&self, tenant_id: i64, subject: Figures) -> StoreResult<i64> {
        let (version, rows) = read!(
            self,
            (i64, i64),
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT), COUNT(*) FROM figure_changes WHERE tenant_id = $1 AND subject = $2",
            |q| q.bind(tenant_id).bind(subject.code()),
            fetch_one
        )?;
        if rows > Figures::FOLD_AT {
            match self.fold_figure_changes(tenant_id, subject).await {
                // The vacuum is not the request's business: it runs beside it.
                Ok(()) => {
                    let store = self.clone();
                    tokio::spawn(async move { store.vacuum_figure_changes().await });
                }
                Err(e) => {
                    tracing::warn!(error = %e, tenant_id, subject = subject.code(), "folding figure changes failed")
                }
            }
        }
        Ok(version)
    }

    /// Folds every tenant's and subject's log of figure changes that has
    /// grown past [`Figures::FOLD_AT`] rows, whether or not anyone reads it
    /// (the daily `ronghe remind` does): how many were folded.
    pub async fn fold_all_figure_changes(&self) -> StoreResult<usize> {
        let logs: Vec<(i64, String)> = on!(self, |p| sqlx::query_as(
            "SELECT tenant_id, subject FROM figure_changes GROUP BY tenant_id, subject HAVING COUNT(*) > $1"
        )
        .bind(Figures::FOLD_AT)
        .fetch_all(p)
        .await)?;
        let mut folded = 0;
        for (tenant_id, subject) in logs {
            if let Some(subject) = Figures::ALL.into_iter().find(|f| f.code() == subject) {
                self.fold_figure_changes(tenant_id, subject).await?;
                folded += 1;
            }
        }
        if folded > 0 {
            self.vacuum_figure_changes().await;
        }
        Ok(folded)
    }

    /// Folds a subject's rows into its oldest, keeping their sum. Rows not
    /// yet committed are not seen and stay; two folds at once wait on each
    /// other's rows, and the second finds nothing left to fold.
    async fn fold_figure_changes(&self, tenant_id: i64, subject: Figures) -> StoreResult<()> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let (first, last): (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT MIN(id), MAX(id) FROM figure_changes WHERE tenant_id = $1 AND subject = $2")
                    .bind(tenant_id)
                    .bind(subject.code())
                    .fetch_one(&mut *tx)
                    .await?;
            let (Some(first), Some(last)) = (first, last) else { return Ok(()) };
            let folded: Vec<i64> = sqlx::query_scalar(
                "DELETE FROM figure_changes WHERE tenant_id = $1 AND subject = $2 AND id > $3 AND id <= $4 RETURNING n",
            )
            .bind(tenant_id)
            .bind(subject.code())
            .bind(first)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("UPDATE figure_changes SET n = n + $1 WHERE id = $2")
                .bind(folded.iter().sum::<i64>())
                .bind(first)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(())
    }

    /// On PostgreSQL, vacuums the log after a fold: the folded rows are dead
    /// tuples until then, every version read (several per request) scans
    /// them, and the planner, counting them, reads the whole table (28,000
    /// dead rows after the group demo's build made a cached page wait 0.6 ms
    /// on it). Autovacuum may be off or minutes away; the table is a few
    /// pages. SKIP_LOCKED: a vacuum already running does the work; TRUNCATE
    /// false: giving the empty pages back would lock out every reader and
    /// writer of the log meanwhile. Best effort: a role that does not own the
    /// table is only warned, and migration 0026 asks autovacuum to keep up
    /// where it runs.
    async fn vacuum_figure_changes(&self) {
        if let crate::Db::Postgres(p, _) = &self.db {
            if let Err(e) = sqlx::raw_sql("VACUUM (SKIP_LOCKED, TRUNCATE false) figure_changes").execute(p).await {
                tracing::warn!(error = %e, "vacuuming figure changes failed");
            }
        }
    }

    /// The same figures computed from the raw rows with a recursive query,
    /// as a DBA would write it: the baseline for tests and benchmarks.
    pub async fn naive_rollup(&self, org_id: i64) -> StoreResult<Rollup> {
        // The one dialect difference: how a date gives up its year.
        let year = match self.backend() {
            crate::Backend::Sqlite => "substr(birth_date, 1, 4)",
            crate::Backend::Postgres => "to_char(birth_date, 'YYYY')",
        };
        let sql = format!(
            "WITH RECURSIVE sub(id) AS (
                 SELECT id FROM orgs WHERE id = $1
                 UNION ALL SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id
             ),
             active AS (
                 SELECT m.* FROM members m JOIN sub ON m.org_id = sub.id WHERE m.status IN ('normal', 'lost_contact')
             )
             SELECT 'category', category, COUNT(*) FROM active GROUP BY category
             UNION ALL SELECT 'gender', gender, COUNT(*) FROM active GROUP BY gender
             UNION ALL SELECT 'education', COALESCE(education, 'unknown'), COUNT(*) FROM active GROUP BY COALESCE(education, 'unknown')
             UNION ALL SELECT 'birth_year', {year}, COUNT(*) FROM active GROUP BY {year}"
        );
        let rows: Vec<(String, String, i64)> = on!(self, |p| sqlx::query_as(&sql).bind(org_id).fetch_all(p).await)?;
        Ok(Rollup::from_rows(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_counts_on_every_organisation_of_its_path() {
        let d = NaiveDate::from_ymd_opt(1980, 5, 1).unwrap();
        let f = Facts::new("/1/4/9/", "normal", "full", "male", None, d);
        let mut delta = Delta::new();
        count(&mut delta, &f, 1);
        assert_eq!(delta.len(), 12);
        assert_eq!(delta[&(4, "education", "unknown".to_string())], 1);
        assert_eq!(delta[&(9, "birth_year", "1980".to_string())], 1);
        count(&mut delta, &f, -1);
        assert!(delta.values().all(|n| *n == 0));
        let mut none = Delta::new();
        count(&mut none, &Facts::new("/1/", "deceased", "full", "male", None, d), 1);
        assert!(none.is_empty(), "inactive members count nowhere");
    }
}
