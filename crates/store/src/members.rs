//! The roster. Identity numbers and phones are stored encrypted, with a
//! blind index for duplicate checks and a masked copy for lists; the clear
//! value leaves the store only through [`Store::reveal_member`], which
//! audits the view.

use std::sync::LazyLock;

use chrono::NaiveDate;
use ronghe_domain::members::{name_initials, Category, Education, Gender, MemberDraft, Status};
use serde::{Deserialize, Serialize};

use crate::audit::append_audit;
use crate::orgs::path_ids;
use crate::reader::read;
use crate::rollups::{apply_rollups, count, member_facts, Delta, Facts};
use crate::rows::{fetch_list, fetch_row, via};
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

/// Inserts members in an open transaction (with their status history,
/// audit rows and roll-ups); evaluates to their ids in order. Shared by
/// [`Store::insert_members`] and the writes that add a member as part of
/// something else (a transfer received from outside the group).
macro_rules! insert_members_in {
    ($store:expr, $tx:expr, $actor:expr, $members:expr, $sealed:expr, $action:expr) => {{
        const ROWS: usize = 250;
        let store: &$crate::Store = $store;
        let actor: &$crate::Actor = $actor;
        let members: &[(i64, ronghe_domain::members::MemberDraft)] = $members;
        let sealed: &[$crate::members::Sealed] = $sealed;
        let action: &'static str = $action;
        let now = $crate::now_ms();
        let tx = &mut $tx;
        let result: Result<Vec<i64>, $crate::StoreError> = async {
        let mut ids = Vec::with_capacity(members.len());
        let delta = $crate::members::new_members_delta!(**tx, members)?;
        // Members and candidates share one id space (a candidate becomes
        // the member with their id). PostgreSQL draws both from one
        // sequence; SQLite would reuse a candidate's id for a member, so
        // ids are allocated here, after the highest of either table.
        let mut next_id: Option<i64> = match store.backend() {
            crate::Backend::Sqlite => Some(
                sqlx::query_scalar::<_, i64>($crate::members::NEXT_ID_SQLITE)
                .fetch_one(&mut **tx)
                .await?,
            ),
            crate::Backend::Postgres => None,
        };
        let (id_column, id_count) = if next_id.is_some() { ("id, ", 1) } else { ("", 0) };
        for (chunk, seals) in members.chunks(ROWS).zip(sealed.chunks(ROWS)) {
            let sql = format!(
                "INSERT INTO members ({id_column}{}) VALUES {} RETURNING id, id_number_index",
                $crate::members::INSERT_COLUMNS,
                crate::values_placeholders(store.backend(), chunk.len(), 22 + id_count)
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for ((org_id, d), s) in chunk.iter().zip(seals) {
                q = $crate::members::bind_new_member!(q, next_id, actor.tenant_id, org_id, d, s, now);
            }
            // RETURNING promises no order: match the new ids by the
            // (unique) blind index.
            let returned: std::collections::HashMap<String, i64> =
                q.fetch_all(&mut **tx).await?.into_iter().map(|(id, index)| (index, id)).collect();
            let chunk_ids: Vec<i64> = seals.iter().map(|s| returned[&s.id_index]).collect();

            let sql = format!(
                "INSERT INTO member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at) VALUES {}",
                crate::values_placeholders(store.backend(), chunk.len(), 7)
            );
            let mut q = sqlx::query(&sql);
            for ((_, d), id) in chunk.iter().zip(&chunk_ids) {
                q = q
                    .bind(actor.tenant_id)
                    .bind(id)
                    .bind("normal")
                    .bind(d.join_date)
                    .bind("")
                    .bind(actor.user_id)
                    .bind(now);
            }
            q.execute(&mut **tx).await?;
            let entries: Vec<$crate::AuditEntry> = chunk
                .iter()
                .zip(&chunk_ids)
                .map(|((org_id, d), id)| {
                    $crate::AuditEntry::new(action, "member", id).org(*org_id).detail(serde_json::json!({"name": d.name}))
                })
                .collect();
            $crate::audit::append_audits!(store.backend(), *tx, actor, &entries)?;
            ids.extend(chunk_ids);
        }
        $crate::rollups::apply_rollups!(store.backend(), *tx, actor.tenant_id, delta)?;
            Ok(ids)
        }
        .await;
        result
    }};
}
pub(crate) use insert_members_in;

/// What new members add to the roll-ups, each counted at their
/// organisation's path (read once an organisation) in the transaction `$tx`.
macro_rules! new_members_delta {
    ($tx:expr, $members:expr) => {{
        let members: &[(i64, ronghe_domain::members::MemberDraft)] = $members;
        let result: Result<$crate::rollups::Delta, sqlx::Error> = async {
            let mut paths: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
            let mut delta = $crate::rollups::Delta::new();
            for (org_id, d) in members {
                if !paths.contains_key(org_id) {
                    let path: String = sqlx::query_scalar("SELECT path FROM orgs WHERE id = $1")
                        .bind(org_id)
                        .fetch_one(&mut $tx)
                        .await?;
                    paths.insert(*org_id, path);
                }
                $crate::members::count_new(&mut delta, &paths[org_id], d);
            }
            Ok(delta)
        }
        .await;
        result
    }};
}
pub(crate) use new_members_delta;

/// Binds a new member's row of an insert: the id first where `next_id`
/// allocates them (SQLite; it moves on by one), then the columns of
/// [`INSERT_COLUMNS`] in order. Shared by every insert of new members and
/// the import benchmark's floor, so that both write the same rows.
macro_rules! bind_new_member {
    ($q:expr, $next_id:expr, $tenant:expr, $org:expr, $d:expr, $s:expr, $now:expr) => {{
        let mut q = $q;
        if let Some(id) = $next_id.as_mut() {
            q = q.bind(*id);
            *id += 1;
        }
        $crate::members::bind_record!(q.bind($tenant).bind($org), $d, $s)
            .bind("normal")
            .bind($d.join_date)
            .bind($now)
            .bind($now)
    }};
}
pub(crate) use bind_new_member;

/// Stages new members in the temporary table `$table` (made here, shaped as
/// `members`' `$columns`: `INSERT_COLUMNS`, after `id, ` where `$next_id`
/// allocates the ids), a few hundred rows a statement on the connection
/// `$conn`, for one `INSERT … SELECT` into the roster after. `$rows` are
/// (organisation, draft, sealed) in the order the ids go. The connection is
/// one closed after its write (`bulk_sqlite_connection`, or the floor's on
/// PostgreSQL), so the table goes with it.
macro_rules! stage_new_members {
    ($backend:expr, $conn:expr, $table:expr, $columns:expr, $next_id:expr, $tenant:expr, $rows:expr, $now:expr) => {{
        const ROWS: usize = 250;
        let (table, columns): (&str, &str) = ($table, $columns);
        let rows: &[(i64, &ronghe_domain::members::MemberDraft, &$crate::members::Sealed)] = $rows;
        let result: Result<(), sqlx::Error> = async {
            sqlx::query(&format!("CREATE TEMP TABLE {table} AS SELECT {columns} FROM members LIMIT 0"))
                .execute(&mut *$conn)
                .await?;
            for chunk in rows.chunks(ROWS) {
                let sql = format!(
                    "INSERT INTO {table} ({columns}) VALUES {}",
                    $crate::values_placeholders($backend, chunk.len(), 22 + usize::from($next_id.is_some()))
                );
                let mut q = sqlx::query(&sql);
                for (org_id, d, s) in chunk {
                    q = $crate::members::bind_new_member!(q, $next_id, $tenant, org_id, *d, *s, $now);
                }
                q.execute(&mut *$conn).await?;
            }
            Ok(())
        }
        .await;
        result
    }};
}
pub(crate) use stage_new_members;

/// A new member's row of a `COPY` on PostgreSQL: `id`, then the columns
/// of [`INSERT_COLUMNS`] with the values [`bind_new_member!`] binds, in
/// its order (`tests/it/rollups.rs` holds the rows of both equal).
pub(crate) fn copy_new_member(
    r: &mut crate::pg_copy::CopyRows,
    id: i64,
    tenant: i64,
    org: i64,
    d: &MemberDraft,
    s: &Sealed,
    now: i64,
) {
    r.int(id)
        .int(tenant)
        .int(org)
        .text(&d.name)
        .text(&s.initials)
        .text(d.gender.code())
        .text(&d.ethnicity)
        .date(d.birth_date)
        .bytes(&s.id_enc)
        .text(&s.id_index)
        .text(&s.id_masked)
        .opt_text(d.education.map(|e| e.code()))
        .text(&d.post)
        .text(&d.unit)
        .opt_bytes(s.phone_enc.as_deref())
        .opt_text(s.phone_masked.as_deref())
        .text(d.category.code())
        .date(d.join_date)
        .opt_date(d.conversion_date)
        .text("normal")
        .date(d.join_date)
        .int(now)
        .int(now);
}

/// The columns an insert of members writes, in the order
/// [`bind_new_member!`] binds them.
pub(crate) const INSERT_COLUMNS: &str = "tenant_id, org_id, name, name_initials, gender, ethnicity, birth_date,
    id_number_enc, id_number_index, id_number_masked, education, post, unit, phone_enc, phone_masked,
    category, join_date, conversion_date, status, status_since, created_at, updated_at";

/// The id after the highest of members and candidates, who share one id
/// space (SQLite; PostgreSQL draws both from one sequence).
pub(crate) const NEXT_ID_SQLITE: &str =
    "SELECT COALESCE(MAX(id), 0) + 1 FROM (SELECT MAX(id) AS id FROM members UNION ALL SELECT MAX(id) FROM candidates)";

/// Counts a new member of the organisation at `path` into the roll-ups'
/// `delta`.
pub(crate) fn count_new(delta: &mut Delta, path: &str, d: &MemberDraft) {
    let facts =
        Facts::new(path, "normal", d.category.code(), d.gender.code(), d.education.map(|e| e.code()), d.birth_date);
    count(delta, &facts, 1);
}

/// That cache, in KiB (256 MiB).
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// A connection for a large write on SQLite, with a page cache that holds
/// the roster's indexes while it writes: with the connection's usual
/// 8 MiB, a million rows spent a third of SQLite's time evicting dirty
/// pages to the WAL and reading them back (`perf`, session 10). The
/// connection is closed when dropped rather than returned to the pool,
/// however the write ends (done, failed, or dropped with its request), so
/// its cache goes with it and no other caller gets one that size; closing
/// rolls back a transaction left open.
pub(crate) async fn bulk_sqlite_connection(
    pool: &sqlx::SqlitePool,
) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
    let mut conn = pool.acquire().await?;
    conn.close_on_drop();
    sqlx::query(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}")).execute(&mut *conn).await?;
    Ok(conn)
}

/// SQLite: makes the members' insert triggers that write a row per member
/// stand aside in this transaction (migration 0031), until
/// [`bulk_insert_end`] writes their rows set-wise. For inserts of
/// [`Store::BULK_ROWS`] or more, on a writer's transaction, which must not commit
/// between the two.
pub(crate) async fn bulk_insert_begin(c: &mut sqlx::SqliteConnection) -> StoreResult<()> {
    sqlx::query("INSERT INTO members_bulk_insert (one) VALUES (1)").execute(&mut *c).await?;
    Ok(())
}

/// What those triggers would have written for the `n` members of `tenant`
/// inserted with ids from `first` on: each name's distinct characters, and
/// a row for each figure subject, as PostgreSQL's statement-level triggers
/// write one per statement. Then lets the triggers fire again.
pub(crate) async fn bulk_insert_end(
    c: &mut sqlx::SqliteConnection,
    tenant: i64,
    first: i64,
    n: usize,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT OR IGNORE INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
         SELECT m.tenant_id, substr(m.name, p.n, 1), m.name_initials, m.id, m.name
           FROM members m JOIN name_positions p ON p.n <= length(m.name)
          WHERE m.id >= $1 AND m.id < $2",
    )
    .bind(first)
    .bind(first + n as i64)
    .execute(&mut *c)
    .await?;
    sqlx::query("INSERT INTO figure_changes (tenant_id, subject, n) VALUES ($1, 'dues', 1), ($1, 'study', 1)")
        .bind(tenant)
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM members_bulk_insert").execute(&mut *c).await?;
    Ok(())
}

/// A roster line, as lists show it: personal data masked.
/// Read by SQLx (`sqlx::FromRow`) or, on SQLite's reader, by serde
/// (`Deserialize`: `rows`).
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub name_initials: String,
    #[sqlx(try_from = "String")]
    #[serde(deserialize_with = "via::<_, String, _>")]
    pub gender: Gender,
    pub ethnicity: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub birth_date: NaiveDate,
    pub id_number_masked: String,
    #[sqlx(try_from = "Option<String>")]
    #[serde(deserialize_with = "via::<_, Option<String>, _>")]
    pub education: OptEducation,
    pub post: String,
    pub unit: String,
    pub phone_masked: Option<String>,
    #[sqlx(try_from = "String")]
    #[serde(deserialize_with = "via::<_, String, _>")]
    pub category: Category,
    #[serde(deserialize_with = "crate::rows::date")]
    pub join_date: NaiveDate,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub conversion_date: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    #[serde(deserialize_with = "via::<_, String, _>")]
    pub status: Status,
    #[serde(deserialize_with = "crate::rows::date")]
    pub status_since: NaiveDate,
    pub version: i64,
}

/// A member found by the blind index of their ID number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexedMember {
    pub id_number_index: String,
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub status: String,
}

/// An optional education band as stored (NULL when not recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct OptEducation(pub Option<Education>);

impl TryFrom<Option<String>> for OptEducation {
    type Error = String;
    fn try_from(s: Option<String>) -> Result<Self, String> {
        match s {
            None => Ok(OptEducation(None)),
            Some(s) => Education::try_from(s).map(|e| OptEducation(Some(e))),
        }
    }
}

/// A member's page: the row and the organisation's path for scope checks.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRecord {
    pub row: MemberRow,
    pub org_path: String,
    pub tenant_id: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatusChange {
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub since: NaiveDate,
    pub reason: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// The subtree to list (its path).
    pub root_path: String,
    /// Part of a name, or pinyin initials.
    pub q: Option<String>,
    pub category: Option<Category>,
    pub status: Option<Status>,
    pub education: Option<Education>,
    pub gender: Option<Gender>,
    /// Only members enrolled in this very organisation (not its subtree).
    pub org_only: Option<i64>,
    /// Keyset cursor: the (initials, id) of the last row of the previous page.
    pub after: Option<(String, i64)>,
    pub limit: i64,
    /// Include members who left, died or were transferred out.
    pub include_inactive: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// The cursor for the next page, if there is one.
    pub next: Option<String>,
}

/// Cursors travel as `initials.id`; initials are `[a-z0-9]`.
pub fn encode_cursor(initials: &str, id: i64) -> String {
    format!("{initials}.{id}")
}

pub fn decode_cursor(s: &str) -> Option<(String, i64)> {
    let (a, b) = s.rsplit_once('.')?;
    Some((a.to_string(), b.parse().ok()?))
}

const ROW_COLUMNS: &str =
    "m.id, m.org_id, o.name AS org_name, m.name, m.name_initials, m.gender, m.ethnicity, m.birth_date,
     m.id_number_masked, m.education, m.post, m.unit, m.phone_masked, m.category, m.join_date, m.conversion_date,
     m.status, m.status_since, m.version";

/// Binds a member's sixteen record columns, from `name` to
/// `conversion_date` in the order the insert and the update list them.
macro_rules! bind_record {
    ($q:expr, $d:expr, $s:expr) => {
        $q.bind(&$d.name)
            .bind(&$s.initials)
            .bind($d.gender.code())
            .bind(&$d.ethnicity)
            .bind($d.birth_date)
            .bind(&$s.id_enc)
            .bind(&$s.id_index)
            .bind(&$s.id_masked)
            .bind($d.education.map(|e| e.code()))
            .bind(&$d.post)
            .bind(&$d.unit)
            .bind(&$s.phone_enc)
            .bind(&$s.phone_masked)
            .bind($d.category.code())
            .bind($d.join_date)
            .bind($d.conversion_date)
    };
}
pub(crate) use bind_record;

/// The encrypted and derived columns of a draft.
pub(crate) struct Sealed {
    pub(crate) initials: String,
    pub(crate) id_enc: Vec<u8>,
    pub(crate) id_index: String,
    pub(crate) id_masked: String,
    pub(crate) phone_enc: Option<Vec<u8>>,
    pub(crate) phone_masked: Option<String>,
}

impl Store {
    /// From how many members an insert is a bulk one: on SQLite a larger
    /// page cache ([`bulk_sqlite_connection`]) and the per-member triggers'
    /// rows written set-wise ([`bulk_insert_begin`]), on PostgreSQL `COPY`.
    pub const BULK_ROWS: usize = 10_000;

    pub(crate) fn seal(&self, d: &MemberDraft) -> Sealed {
        let c = self.cipher();
        Sealed {
            initials: name_initials(&d.name),
            id_enc: c.encrypt(d.id_number.as_str()),
            id_index: c.blind_index(d.id_number.as_str()),
            id_masked: d.id_number.masked(),
            phone_enc: d.phone.as_ref().map(|p| c.encrypt(p.as_str())),
            phone_masked: d.phone.as_ref().map(|p| ronghe_domain::phone::mask_phone(p.as_str())),
        }
    }

    /// The blind index of an identity number, for duplicate checks.
    pub fn id_number_index(&self, id_number: &str) -> String {
        self.cipher().blind_index(id_number)
    }

    /// Which of these blind indexes already belong to a member of the tenant.
    pub async fn existing_id_indexes(&self, tenant_id: i64, indexes: &[String]) -> StoreResult<Vec<String>> {
        let mut found = Vec::new();
        for chunk in indexes.chunks(500) {
            let sql = format!(
                "SELECT id_number_index FROM members WHERE tenant_id = {} AND id_number_index IN ({})",
                crate::param(self.backend(), 1),
                crate::list_placeholders(self.backend(), 2, chunk.len())
            );
            let rows: Vec<String> = on!(self, |p| {
                let mut q = sqlx::query_scalar(&sql).bind(tenant_id);
                for i in chunk {
                    q = q.bind(i);
                }
                q.fetch_all(p).await
            })?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Members of a tenant found by the blind indexes of their ID numbers,
    /// with where they are now.
    pub async fn members_by_id_indexes(&self, tenant_id: i64, indexes: &[String]) -> StoreResult<Vec<IndexedMember>> {
        let mut found = Vec::new();
        for chunk in indexes.chunks(500) {
            let sql = format!(
                "SELECT m.id_number_index, m.id, m.name, m.org_id, o.name AS org_name, o.path AS org_path, m.status
                 FROM members m JOIN orgs o ON o.id = m.org_id
                 WHERE m.tenant_id = {} AND m.id_number_index IN ({})",
                crate::param(self.backend(), 1),
                crate::list_placeholders(self.backend(), 2, chunk.len())
            );
            let rows: Vec<IndexedMember> = on!(self, |p| {
                let mut q = sqlx::query_as::<_, IndexedMember>(&sql).bind(tenant_id);
                for i in chunk {
                    q = q.bind(i);
                }
                q.fetch_all(p).await
            })?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Adds members to organisations, all or none, with one audit row each.
    /// The caller has validated the drafts; the unique index still refuses
    /// a duplicate that slipped in between. Rows go in a few hundred a
    /// statement, so that an import of a million members takes seconds.
    pub async fn insert_members(
        &self,
        actor: &Actor,
        members: &[(i64, MemberDraft)],
        action: &'static str,
    ) -> StoreResult<Vec<i64>> {
        let sealed: Vec<Sealed> = ronghe_domain::par::map(members, |(_, d)| self.seal(d));
        match (&self.db, members.len() >= Store::BULK_ROWS) {
            (crate::Db::Sqlite(p, _), true) => {
                self.insert_members_bulk_sqlite(p, actor, members, &sealed, action).await
            }
            (crate::Db::Postgres(p, _), true) => self.insert_members_copy_pg(p, actor, members, &sealed, action).await,
            _ => Ok(on!(self, |p| {
                let mut tx = p.begin_write().await?;
                let ids = insert_members_in!(self, tx, actor, members, &sealed, action)?;
                tx.commit().await?;
                Ok::<Vec<i64>, StoreError>(ids)
            })?),
        }
    }

    /// A large import on SQLite, on a connection of its own
    /// ([`bulk_sqlite_connection`]): the same rows [`insert_members_in!`]
    /// writes (the figure log aside: a row a subject, [`bulk_insert_end`]),
    /// with the members staged first in a temporary table (no
    /// index, so the rows go in as they are bound) and then written into the
    /// roster by one `INSERT … SELECT`, and their status history from the
    /// same stage. Bound straight into the roster, 200,000 members took
    /// 4.09 s of statements against 0.38 s to stage them and 2.08 s to write
    /// them from the stage (`sqlx::query` timings, `ronghe bench import`).
    async fn insert_members_bulk_sqlite(
        &self,
        pool: &sqlx::SqlitePool,
        actor: &Actor,
        members: &[(i64, MemberDraft)],
        sealed: &[Sealed],
        action: &'static str,
    ) -> StoreResult<Vec<i64>> {
        use sqlx::Connection;
        let now = now_ms();
        let mut conn = bulk_sqlite_connection(pool).await?;
        // The stage in a file of its own rather than in memory, as the
        // pool's connections keep temporary tables: a million members
        // staged would hold several hundred MB.
        sqlx::query("PRAGMA temp_store = FILE").execute(&mut *conn).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        bulk_insert_begin(&mut tx).await?;
        let delta = new_members_delta!(*tx, members)?;
        // Ids one after another above every member's and candidate's, as
        // `insert_members_in!` allocates them.
        let first: i64 = sqlx::query_scalar(NEXT_ID_SQLITE).fetch_one(&mut *tx).await?;
        let columns = format!("id, {INSERT_COLUMNS}");
        // The connection is closed after (`bulk_sqlite_connection`), and its
        // temporary tables with it. Rows go in by id, so the stage's rowid
        // is their order and needs no sort.
        let rows: Vec<_> = members.iter().zip(sealed).map(|((org_id, d), s)| (*org_id, d, s)).collect();
        let mut next_id = Some(first);
        stage_new_members!(
            crate::Backend::Sqlite,
            tx,
            "members_staged",
            &columns,
            next_id,
            actor.tenant_id,
            &rows,
            now
        )?;
        sqlx::query(&format!("INSERT INTO members ({columns}) SELECT {columns} FROM members_staged ORDER BY rowid"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at)
             SELECT tenant_id, id, 'normal', join_date, '', $1, $2 FROM members_staged ORDER BY rowid",
        )
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DROP TABLE temp.members_staged").execute(&mut *tx).await?;
        let ids: Vec<i64> = (first..first + members.len() as i64).collect();
        let entries: Vec<AuditEntry> = members
            .iter()
            .zip(&ids)
            .map(|((org_id, d), id)| {
                AuditEntry::new(action, "member", id).org(*org_id).detail(serde_json::json!({"name": d.name}))
            })
            .collect();
        crate::audit::append_audits!(crate::Backend::Sqlite, tx, actor, &entries)?;
        apply_rollups!(crate::Backend::Sqlite, tx, actor.tenant_id, delta)?;
        bulk_insert_end(&mut tx, actor.tenant_id, first, ids.len()).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// A large import on PostgreSQL: ids drawn from the members' sequence
    /// first, then the members, their status history and their audit rows
    /// streamed by `COPY` (`pg_copy`), the same rows [`insert_members_in!`]
    /// writes, in one transaction on a connection of its own.
    async fn insert_members_copy_pg(
        &self,
        pool: &sqlx::PgPool,
        actor: &Actor,
        members: &[(i64, MemberDraft)],
        sealed: &[Sealed],
        action: &'static str,
    ) -> StoreResult<Vec<i64>> {
        use crate::pg_copy::copy_in;
        use sqlx::Connection;
        let now = now_ms();
        // A copy cut off half-way (its request gone) leaves the connection
        // in the middle of the protocol: it is closed when dropped, never
        // handed to another caller, and closing rolls the write back.
        let mut conn = pool.acquire().await?;
        conn.close_on_drop();
        let mut tx = conn.begin().await?;
        let delta = new_members_delta!(*tx, members)?;
        // Members and candidates share the sequence (migration 0008).
        let ids: Vec<i64> = sqlx::query_scalar("SELECT nextval('members_id_seq') FROM generate_series(1, $1)")
            .bind(members.len() as i64)
            .fetch_all(&mut *tx)
            .await?;
        let (n, tenant) = (members.len(), actor.tenant_id);
        copy_in(&mut tx, &format!("members (id, {INSERT_COLUMNS})"), n, &|r, i| {
            let (org, d) = &members[i];
            copy_new_member(r, ids[i], tenant, *org, d, &sealed[i], now)
        })
        .await?;
        copy_in(
            &mut tx,
            "member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at)",
            n,
            &|r, i| {
                r.int(tenant).int(ids[i]).text("normal").date(members[i].1.join_date).text("");
                r.opt_int(actor.user_id).int(now);
            },
        )
        .await?;
        crate::audit::copy_audits(&mut tx, actor, n, &|i| {
            let (org, d) = &members[i];
            AuditEntry::new(action, "member", ids[i]).org(*org).detail(serde_json::json!({"name": d.name}))
        })
        .await?;
        apply_rollups!(crate::Backend::Postgres, tx, actor.tenant_id, delta)?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn create_member(&self, actor: &Actor, org_id: i64, d: MemberDraft) -> StoreResult<i64> {
        Ok(self.insert_members(actor, &[(org_id, d)], "member.create").await?[0])
    }

    /// Rewrites a member's record, refusing if someone else saved it since
    /// `version` was read (the form says so instead of losing their edit).
    pub async fn update_member(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        org_id: i64,
        d: &MemberDraft,
    ) -> StoreResult<()> {
        let s = self.seal(d);
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let old = member_facts!(tx, id)?;
            let q = sqlx::query(
                "UPDATE members SET org_id = $1, name = $2, name_initials = $3, gender = $4, ethnicity = $5, birth_date = $6,
                    id_number_enc = $7, id_number_index = $8, id_number_masked = $9, education = $10, post = $11, unit = $12,
                    phone_enc = $13, phone_masked = $14, category = $15, join_date = $16, conversion_date = $17,
                    version = version + 1, updated_at = $18
                 WHERE id = $19 AND version = $20",
            )
            .bind(org_id);
            let n =
                bind_record!(q, d, s).bind(now_ms()).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("conflict.stale"));
            }
            let path: String =
                sqlx::query_scalar("SELECT path FROM orgs WHERE id = $1").bind(org_id).fetch_one(&mut *tx).await?;
            let new = Facts {
                active: old.active,
                ..Facts::new(
                    &path,
                    "normal",
                    d.category.code(),
                    d.gender.code(),
                    d.education.map(|e| e.code()),
                    d.birth_date,
                )
            };
            let mut delta = Delta::new();
            count(&mut delta, &old, -1);
            count(&mut delta, &new, 1);
            apply_rollups!(self.backend(), tx, actor.tenant_id, delta)?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("member.update", "member", id).org(org_id).detail(serde_json::json!({"name": d.name}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Records a change of status with its date and reason.
    pub async fn change_member_status(
        &self,
        actor: &Actor,
        id: i64,
        status: Status,
        since: NaiveDate,
        reason: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let old = member_facts!(tx, id)?;
            let mut delta = Delta::new();
            count(&mut delta, &old, -1);
            count(&mut delta, &Facts { active: status.is_active(), ..old.clone() }, 1);
            apply_rollups!(self.backend(), tx, actor.tenant_id, delta)?;
            let org_id: i64 = sqlx::query_scalar(
                "UPDATE members SET status = $1, status_since = $2, version = version + 1, updated_at = $3 WHERE id = $4 RETURNING org_id",
            )
            .bind(status.code())
            .bind(since)
            .bind(now)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(actor.tenant_id)
            .bind(id)
            .bind(status.code())
            .bind(since)
            .bind(reason)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("member.status", "member", id)
                    .org(org_id)
                    .detail(serde_json::json!({"status": status.code(), "since": since, "reason": reason}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// The members of a subtree out of contact, with the day it began:
    /// (id, name, org id, org name, since), longest first. Read through the
    /// partial index of them (`members_lost_contact`), not the subtree's
    /// whole roster; that walks every member out of contact in the group
    /// until a thousand are in the subtree, so it runs aside (`reader.rs`).
    pub async fn subtree_lost_contact(&self, path: &str) -> StoreResult<Vec<(i64, String, i64, String, NaiveDate)>> {
        read!(
            self,
            (i64, String, i64, String, NaiveDate),
            "SELECT m.id, m.name, m.org_id, o.name, m.status_since FROM members m JOIN orgs o ON o.id = m.org_id
             WHERE o.path >= $1 AND o.path < $2 AND m.status = 'lost_contact'
             ORDER BY m.status_since, m.id LIMIT 1000",
            |q| q.bind(path).bind(path_hi(path)),
            fetch_all,
            bounded = false
        )
    }

    pub async fn member(&self, id: i64) -> StoreResult<MemberRecord> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {ROW_COLUMNS}, o.path AS org_path, m.tenant_id
                 FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = $1"
            )
        });
        // The row's columns beside the record's own, as the query selects them.
        #[derive(sqlx::FromRow, Deserialize)]
        struct Flat {
            #[sqlx(flatten)]
            #[serde(flatten)]
            row: MemberRow,
            org_path: String,
            tenant_id: i64,
        }
        let Flat { row, org_path, tenant_id } = fetch_row!(self, Flat, SQL.as_str(), |q| q.bind(id))?;
        Ok(MemberRecord { row, org_path, tenant_id })
    }

    /// The member's identity number and phone in clear. Audited: the
    /// caller has checked that the actor's role may see them.
    pub async fn reveal_member(&self, actor: &Actor, id: i64) -> StoreResult<(String, Option<String>)> {
        let (org_id, id_enc, phone_enc): (i64, Vec<u8>, Option<Vec<u8>>) =
            on!(self, |p| sqlx::query_as("SELECT org_id, id_number_enc, phone_enc FROM members WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await)?;
        let c = self.cipher();
        let id_number = c.decrypt(&id_enc)?;
        let phone = phone_enc.map(|p| c.decrypt(&p)).transpose()?;
        self.audit(
            actor,
            AuditEntry::new("member.view_personal_data", "member", id)
                .org(org_id)
                .detail(serde_json::json!({"fields": ["id_number", "phone"]})),
        )
        .await?;
        Ok((id_number, phone))
    }

    /// Clear values for many members at once (exports). One audit row names
    /// how many records were disclosed.
    pub async fn reveal_members(
        &self,
        actor: &Actor,
        org_id: i64,
        ids: &[i64],
    ) -> StoreResult<Vec<(i64, String, Option<String>)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
            let sql =
                format!("SELECT id, id_number_enc, phone_enc FROM members WHERE id IN ({})", placeholders.join(", "));
            let rows: Vec<(i64, Vec<u8>, Option<Vec<u8>>)> = on!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for i in chunk {
                    q = q.bind(i);
                }
                q.fetch_all(p).await
            })?;
            let c = self.cipher();
            for (id, id_enc, phone_enc) in rows {
                out.push((id, c.decrypt(&id_enc)?, phone_enc.map(|p| c.decrypt(&p)).transpose()?));
            }
        }
        self.audit(
            actor,
            AuditEntry::new("member.export_personal_data", "org", org_id)
                .org(org_id)
                .detail(serde_json::json!({"records": out.len()})),
        )
        .await?;
        Ok(out)
    }

    pub async fn status_history(&self, member_id: i64) -> StoreResult<Vec<StatusChange>> {
        Ok(on!(self, |p| {
            sqlx::query_as::<_, StatusChange>(
            "SELECT status, since, reason, recorded_at FROM member_status_history WHERE member_id = $1 ORDER BY since, id"
        )
        .bind(member_id)
        .fetch_all(p)
        .await
        })?)
    }

    /// One page of a subtree's roster, in pinyin-initial order.
    ///
    /// The plan depends on the subtree's size, which the roll-ups know: a
    /// small subtree is read through its organisations (`members_org`) and
    /// sorted; a large one walks the tenant's pinyin index in order and
    /// stops after a page, or for a search by part of a name the rows of
    /// one of its characters unless the subtree is smaller than that walk
    /// (below). The statement holds only the conditions in use,
    /// so that each backend's planner sees what it can use an index for.
    pub async fn list_members(&self, f: &MemberFilter) -> StoreResult<MemberPage> {
        enum P {
            T(String),
            I(i64),
        }
        #[derive(PartialEq)]
        enum Plan {
            /// The subtree's organisations, their members, a sort.
            Subtree,
            /// The tenant's pinyin index in order, kept to the subtree.
            Walk,
            /// One character of the search (`member_name_chars`, the
            /// tenant's rows for it) in the roster's order, kept to the
            /// names that hold the whole search and to the subtree.
            NameChars(String),
        }
        let limit = f.limit.clamp(1, 10_000);
        let ids = path_ids(&f.root_path);
        let (Some(&tenant), Some(&root)) = (ids.first(), ids.last()) else {
            return Err(StoreError::NotFound);
        };
        let size = self.subtree_size_hint(root).await?;
        let large = size > Store::LARGE_SUBTREE;
        let typed = f.q.as_deref().map(str::trim).unwrap_or("");
        let q = typed.replace(['%', '_'], "");
        let like_search = !q.is_empty() && !typed.bytes().all(|b| b.is_ascii_alphanumeric());
        // How a large subtree is read. Walking the tenant's pinyin index
        // stops within a page unless a filter passes over most of it. A
        // search by part of a name walks instead the rows of its rarest
        // character (`member_name_chars`), in the same order, and stops
        // within a page unless few of them are in the subtree: at most the
        // character's rows when it is rare, about a page times the
        // tenant's share outside the subtree when the names holding it are
        // spread as members are. A subtree of fewer members than that is
        // read whole, as a small one is (a 17,000-member unit of the
        // national tenant, for 明). Before, a string as common as 王 walked
        // the national root's whole roster up to w (BENCHMARKS.md).
        let plan = match (large, like_search) {
            (false, _) => Plan::Subtree,
            (true, false) => Plan::Walk,
            (true, true) => {
                let spread = (limit + 1).saturating_mul(self.subtree_size_hint(tenant).await?) / size.max(1);
                let first = q.chars().next().expect("a search has a character");
                if spread < size && q.chars().all(|c| c == first) {
                    // One character, walked whatever its count: nothing to
                    // count (明 or 王 at a national root).
                    Plan::NameChars(first.to_string())
                } else {
                    let (ch, places) = self.rarest_name_char(tenant, &q).await?;
                    let walked = if places <= Store::NAME_CHARS_COUNTED { places.min(spread) } else { spread };
                    if walked < size {
                        Plan::NameChars(ch)
                    } else {
                        Plan::Subtree
                    }
                }
            }
        };
        let backend = self.backend();
        let mut params: Vec<P> = Vec::new();
        // `sql` with each `?` numbered for the backend after the values
        // placed so far.
        let mut place = |sql: &str, values: Vec<P>| {
            let mut text = String::new();
            let mut rest = sql;
            for v in values {
                let at = rest.find('?').expect("one ? a value");
                text.push_str(&rest[..at]);
                params.push(v);
                text.push_str(&crate::param(backend, params.len()));
                rest = &rest[at + 1..];
            }
            text.push_str(rest);
            text
        };
        let mut conds: Vec<String> = Vec::new();
        let from = if let Plan::NameChars(ch) = &plan {
            conds.push(place(
                "c.tenant_id = ? AND c.ch = ? AND m.id = c.member_id",
                vec![P::I(tenant), P::T(ch.clone())],
            ));
            // CROSS JOIN keeps SQLite from walking the members first.
            "member_name_chars c CROSS JOIN members m JOIN orgs o ON o.id = m.org_id"
        } else {
            "members m JOIN orgs o ON o.id = m.org_id"
        };
        // The roster's order: the walked character's rows are in it.
        let (initials, id) = match plan {
            Plan::NameChars(_) => ("c.name_initials", "c.member_id"),
            _ => ("m.name_initials", "m.id"),
        };
        let mut cond = |sql: &str, values: Vec<P>| conds.push(place(sql, values));
        if plan == Plan::Subtree {
            cond(
                "m.org_id IN (SELECT id FROM orgs WHERE path >= ? AND path < ?)",
                vec![P::T(f.root_path.clone()), P::T(path_hi(&f.root_path))],
            );
        } else {
            if plan == Plan::Walk {
                cond("m.tenant_id = ?", vec![P::I(tenant)]);
            }
            cond("o.path >= ? AND o.path < ?", vec![P::T(f.root_path.clone()), P::T(path_hi(&f.root_path))]);
        }
        if !q.is_empty() {
            if !like_search {
                // Pinyin initials: a prefix, so an index range.
                let q = q.to_ascii_lowercase();
                cond("m.name_initials >= ? AND m.name_initials < ?", vec![P::T(q.clone()), P::T(format!("{q}~"))]);
            } else {
                // Holds it, matching Latin letters by case on both
                // backends as the characters' rows do (SQLite's LIKE would
                // ignore it); the walked character's rows carry the name.
                let name = if matches!(plan, Plan::NameChars(_)) { "c.name" } else { "m.name" };
                let holds = match backend {
                    crate::Backend::Sqlite => format!("instr({name}, ?) > 0"),
                    crate::Backend::Postgres => format!("strpos({name}, ?) > 0"),
                };
                cond(&holds, vec![P::T(q.clone())]);
            }
        }
        if let Some(c) = f.category {
            cond("m.category = ?", vec![P::T(c.code().into())]);
        }
        match f.status {
            Some(st) => cond("m.status = ?", vec![P::T(st.code().into())]),
            None if !f.include_inactive => cond("m.status IN ('normal', 'lost_contact')", vec![]),
            None => {}
        }
        if let Some(e) = f.education {
            cond("m.education = ?", vec![P::T(e.code().into())]);
        }
        if let Some(g) = f.gender {
            cond("m.gender = ?", vec![P::T(g.code().into())]);
        }
        if let Some(o) = f.org_only {
            cond("m.org_id = ?", vec![P::I(o)]);
        }
        if let Some((after_initials, after_id)) = &f.after {
            cond(&format!("({initials}, {id}) > (?, ?)"), vec![P::T(after_initials.clone()), P::I(*after_id)]);
        }
        params.push(P::I(limit + 1));
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM {from} WHERE {} ORDER BY {initials}, {id} LIMIT {}",
            conds.join(" AND "),
            crate::param(backend, params.len())
        );
        // Walking the roster's order stops within a page unless a filter
        // passes over most of a large subtree's members; the other plans
        // of a large subtree read what they find.
        let narrowed = like_search
            || f.status.is_some()
            || f.category.is_some()
            || f.education.is_some()
            || f.gender.is_some()
            || f.org_only.is_some();
        let bounded = !large || (plan == Plan::Walk && !narrowed);
        // A small subtree's statement has one good plan whatever its
        // values, the one its generic plan has (its organisations by the
        // path index, their members, a sort of at most a few thousand), so
        // PostgreSQL need not plan it anew on every run, which took four
        // times as long as running it. A large one's plan depends on how
        // much of the tenant the subtree holds, which only its values tell;
        // but the walk of a character's rows has one plan too (its key in
        // the roster's order, each member and organisation by id), and its
        // values got it parallel workers, whose start took about 40 ms of
        // a search that found nothing in 0.1 ms (a national unit, `psql`).
        //
        // The walk of the tenant's pinyin index has one good plan too when
        // the subtree holds most of the tenant (the root): it stops within
        // two pages whatever the values, and its generic plan is that walk
        // (`EXPLAIN EXECUTE` under `force_generic_plan`: the tenant's index
        // in order, each organisation by id). Its values only tell the
        // planner so, at the root every view, in half the query's time.
        let whole = plan == Plan::Walk && !narrowed && size.saturating_mul(2) >= self.subtree_size_hint(tenant).await?;
        let generic = !large || whole || matches!(plan, Plan::NameChars(_));
        let mut rows = fetch_list!(self, MemberRow, sql, bounded = bounded, generic_plan = generic, |query| {
            let mut query = query;
            for v in &params {
                query = match v {
                    P::T(t) => query.bind(t.as_str()),
                    P::I(i) => query.bind(*i),
                };
            }
            query
        })?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|r| encode_cursor(&r.name_initials, r.id))
        } else {
            None
        };
        Ok(MemberPage { rows, next })
    }

    /// Rows of a character in `member_name_chars` up to which a search
    /// counts them to choose its plan (`list_members`). Counting is part of
    /// a search of a large subtree, for each character: 20,000 rows took
    /// 0.57 ms on SQLite and 2.3 ms on PostgreSQL, a third and a half of 建国
    /// at the national root; 5,000 take 0.14 and 0.65 ms.
    pub const NAME_CHARS_COUNTED: i64 = 5_000;

    /// The character of `needle` that the fewest of the tenant's names
    /// hold, and how many do, up to one past [`Store::NAME_CHARS_COUNTED`]:
    /// for each distinct character a range of `member_name_chars` that stops
    /// there. A search walks that character's rows. Characters past the
    /// count are not told apart, and the later one is taken: a full name
    /// begins with its surname, and surnames are the most common characters
    /// (of ten million names 884,297 hold 王, 87,873 明), so 王明 walks 明.
    pub async fn rarest_name_char(&self, tenant: i64, needle: &str) -> StoreResult<(String, i64)> {
        let mut rarest = (String::new(), i64::MAX);
        let mut seen = std::collections::HashSet::new();
        for ch in needle.chars().filter(|c| seen.insert(*c)) {
            let ch = ch.to_string();
            let (n,) = read!(
                self,
                (i64,),
                "SELECT COUNT(*) FROM (SELECT 1 FROM member_name_chars WHERE tenant_id = $1 AND ch = $2 LIMIT $3) t",
                |q| q.bind(tenant).bind(ch.as_str()).bind(Store::NAME_CHARS_COUNTED + 1),
                fetch_one,
                bounded = false
            )?;
            if n < rarest.1 || (n > Store::NAME_CHARS_COUNTED && n == rarest.1) {
                rarest = (ch, n);
            }
            if n == 0 {
                break;
            }
        }
        Ok(rarest)
    }

    /// Members of a tenant by exact name (officer pickers, the demo).
    pub async fn members_named(&self, root_path: &str, name: &str) -> StoreResult<Vec<MemberRow>> {
        // The tenant lets the (tenant_id, name) index find the name first.
        let tenant = path_ids(root_path).first().copied().ok_or(StoreError::NotFound)?;
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM members m JOIN orgs o ON o.id = m.org_id
             WHERE m.tenant_id = $1 AND m.name = $2 AND o.path >= $3 AND o.path < $4 ORDER BY m.id LIMIT 20"
        );
        Ok(on!(self, |p| sqlx::query_as::<_, MemberRow>(&sql)
            .bind(tenant)
            .bind(name)
            .bind(root_path)
            .bind(path_hi(root_path))
            .fetch_all(p)
            .await)?)
    }
}
