//! Baselines for the benchmarks (`ronghe bench`): what the database does
//! with no application in the way. Nothing else calls these.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

use ronghe_domain::members::MemberDraft;
use sqlx::Connection;

use crate::members::{
    bulk_insert_begin, bulk_insert_end, bulk_sqlite_connection, count_new, stage_new_members, Sealed, INSERT_COLUMNS,
    NEXT_ID_SQLITE,
};
use crate::rollups::{apply_rollups, Delta};
use crate::BeginWrite;
use crate::{on, Actor, Backend, Db, Store, StoreError, StoreResult};

/// A roster row as a DBA would load it: plain columns, nothing derived.
pub struct RawRow {
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub category: String,
    pub join_date: NaiveDate,
}

impl Store {
    /// Loads rows into a bare table (no encryption, no checks, no audit,
    /// one index) in multi-row statements inside one transaction, and
    /// returns how long the inserts took. The table is dropped afterwards.
    pub async fn bench_raw_insert(&self, rows: &[RawRow]) -> StoreResult<Duration> {
        const ROWS: usize = 250;
        let backend = self.backend();
        let took = on!(self, |p| {
            sqlx::query("DROP TABLE IF EXISTS bench_raw_members").execute(p).await?;
            sqlx::query(
                "CREATE TABLE bench_raw_members (id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT NOT NULL,
                 birth_date DATE NOT NULL, category TEXT NOT NULL, join_date DATE NOT NULL)",
            )
            .execute(p)
            .await?;
            let start = Instant::now();
            let mut tx = p.begin_write().await?;
            for chunk in rows.chunks(ROWS) {
                let sql = format!(
                    "INSERT INTO bench_raw_members (id_number, name, gender, birth_date, category, join_date) VALUES {}",
                    crate::values_placeholders(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(&r.id_number)
                        .bind(&r.name)
                        .bind(&r.gender)
                        .bind(r.birth_date)
                        .bind(&r.category)
                        .bind(r.join_date);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            let took = start.elapsed();
            sqlx::query("DROP TABLE bench_raw_members").execute(p).await?;
            Ok::<Duration, sqlx::Error>(took)
        })?;
        Ok(took)
    }

    /// What an import of `members` into the empty organisation `org_id`
    /// writes (the members, their status history, their audit rows and the
    /// roll-ups), written by the database alone: sealed, counted and staged
    /// in a temporary table first, then timed from three `INSERT … SELECT`
    /// statements and the roll-ups to the commit, through the schema's
    /// indexes, constraints and triggers, on the kind of connection an
    /// import takes, with the rows of the per-member triggers written
    /// set-wise on SQLite as an import of as many writes them
    /// (`bulk_insert_begin`). What it leaves out is the application's own part of an
    /// import: reading and checking the file, sealing, binding rows through
    /// the driver. The rows stay (the import dataset is thrown away),
    /// with their blind indexes altered so that the same people can still
    /// be imported after.
    pub async fn bench_database_insert(
        &self,
        actor: &Actor,
        org_id: i64,
        members: &[MemberDraft],
    ) -> StoreResult<Duration> {
        let backend = self.backend();
        let sealed: Vec<Sealed> = ronghe_domain::par::map(members, |d| {
            let mut s = self.seal(d);
            s.id_index.replace_range(..1, "x");
            s
        });
        // The detail is the import's `{"name":…}` to the byte.
        let (name_json, target) = match backend {
            Backend::Sqlite => ("json_quote(m.name)", "CAST(m.id AS TEXT)"),
            Backend::Postgres => ("to_json(m.name)::text", "m.id::text"),
        };
        let now = crate::now_ms();
        macro_rules! floor {
            ($conn:expr, $begin:expr, |$tx:ident, $first:ident| $before:block, $after:block) => {{
                let conn = &mut $conn;
                let (path, held): (String, i64) = sqlx::query_as(
                    "SELECT path, (SELECT COUNT(*) FROM members WHERE org_id = $1) FROM orgs WHERE id = $1",
                )
                .bind(org_id)
                .fetch_one(&mut **conn)
                .await?;
                if held > 0 {
                    return Err(StoreError::Invalid("bench.org_not_empty"));
                }
                let mut delta = Delta::new();
                for d in members {
                    count_new(&mut delta, &path, d);
                }
                // Members and candidates share one id space; on SQLite the
                // ids are allocated as an import allocates them.
                let (columns, mut next_id) = match backend {
                    Backend::Sqlite => (
                        format!("id, {INSERT_COLUMNS}"),
                        Some(sqlx::query_scalar::<_, i64>(NEXT_ID_SQLITE).fetch_one(&mut **conn).await?),
                    ),
                    Backend::Postgres => (INSERT_COLUMNS.to_string(), None),
                };
                let rows: Vec<_> = members.iter().zip(&sealed).map(|(d, s)| (org_id, d, s)).collect();
                stage_new_members!(backend, *conn, "bench_staged", &columns, next_id, actor.tenant_id, &rows, now)?;
                let start = Instant::now();
                let mut $tx = conn.begin_with($begin).await?;
                let $first = next_id.map(|next| next - members.len() as i64);
                $before
                sqlx::query(&format!("INSERT INTO members ({columns}) SELECT {columns} FROM bench_staged"))
                    .execute(&mut *$tx)
                    .await?;
                $after
                let mut tx = $tx;
                sqlx::query(
                    "INSERT INTO member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at)
                     SELECT m.tenant_id, m.id, m.status, m.join_date, '', $2, m.created_at FROM members m WHERE m.org_id = $1",
                )
                .bind(org_id)
                .bind(actor.user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(&format!(
                    "INSERT INTO audit_log (tenant_id, at, user_id, username, action, target_kind, target_id, org_id, detail, ip, request_id)
                     SELECT m.tenant_id, m.created_at, $2, $3, 'member.import', 'member', {target}, m.org_id,
                            '{{\"name\":' || {name_json} || '}}', $4, $5
                     FROM members m WHERE m.org_id = $1"
                ))
                .bind(org_id)
                .bind(actor.user_id)
                .bind(&actor.username)
                .bind(&actor.ip)
                .bind(&actor.request_id)
                .execute(&mut *tx)
                .await?;
                apply_rollups!(backend, tx, actor.tenant_id, delta)?;
                tx.commit().await?;
                Ok::<Duration, StoreError>(start.elapsed())
            }};
        }
        match &self.db {
            Db::Sqlite(p, _) => {
                let mut conn = bulk_sqlite_connection(p).await?;
                floor!(conn, "BEGIN IMMEDIATE", |tx, first| { bulk_insert_begin(&mut tx).await? }, {
                    let first = first.expect("SQLite allocates the ids");
                    bulk_insert_end(&mut tx, actor.tenant_id, first, members.len()).await?
                })
            }
            Db::Postgres(p, _) => {
                let mut conn = p.acquire().await?;
                conn.close_on_drop();
                floor!(conn, "BEGIN", |tx, _first| {}, {})
            }
        }
    }

    /// The database's size on disk, in bytes (PostgreSQL; SQLite's is its file).
    pub async fn postgres_size(&self) -> StoreResult<Option<i64>> {
        match &self.db {
            crate::Db::Postgres(p, _) => {
                Ok(Some(sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(p).await?))
            }
            crate::Db::Sqlite(..) => Ok(None),
        }
    }
}

impl Store {
    /// Signed-in sessions for `n` members of a subtree, for the heartbeat
    /// benchmark: each member gets an account that cannot sign in (no
    /// password hash matches `!`) unless they have one already from an
    /// earlier run, and a fresh session. Returns (member id, token, CSRF).
    pub async fn bench_learner_sessions(
        &self,
        tenant_id: i64,
        path: &str,
        n: usize,
        max_age_ms: i64,
    ) -> StoreResult<Vec<(i64, String, String)>> {
        let members: Vec<(i64, Option<i64>)> = on!(self, |p| sqlx::query_as(
            "SELECT m.id, u.id FROM members m JOIN orgs o ON o.id = m.org_id
             LEFT JOIN users u ON u.member_id = m.id
             WHERE o.path >= $1 AND o.path < $2 AND m.status = 'normal'
               AND (u.id IS NULL OR u.username LIKE 'bench-learner-%')
             ORDER BY m.id LIMIT $3"
        )
        .bind(path)
        .bind(crate::path_hi(path))
        .bind(n as i64)
        .fetch_all(p)
        .await)?;
        let now = crate::now_ms();
        let mut users = Vec::with_capacity(members.len());
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            for (member, user) in &members {
                let id: i64 = match user {
                    Some(u) => *u,
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO users (tenant_id, username, display_name, password_hash, member_id, created_at, password_changed_at)
                             VALUES ($1, $2, $2, '!', $3, $4, $4) RETURNING id",
                        )
                        .bind(tenant_id)
                        .bind(format!("bench-learner-{member}"))
                        .bind(member)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                users.push((*member, id));
            }
            tx.commit().await?;
            Ok::<(), crate::StoreError>(())
        })?;
        let mut out = Vec::with_capacity(users.len());
        for (member, user) in users {
            let (token, csrf) = self.create_session(user, tenant_id, max_age_ms).await?;
            out.push((member, token, csrf));
        }
        Ok(out)
    }
}
