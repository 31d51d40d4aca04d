//! The audit log: who did what to which record, and who looked at whose
//! personal data. Append-only: the schema's triggers refuse updates and
//! deletes, and the store has no method for either.

use serde::Serialize;

use crate::{on, Store, StoreResult};

/// Who is acting, as the audit log records them.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub tenant_id: i64,
    pub ip: String,
    pub request_id: String,
}

impl Actor {
    /// The command line, acting with no signed-in user.
    pub fn system(tenant_id: i64, what: &str) -> Actor {
        Actor { user_id: None, username: format!("system:{what}"), tenant_id, ..Default::default() }
    }
}

/// What happened. `action` is a stable dotted code (`member.create`).
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub target_kind: &'static str,
    pub target_id: String,
    pub org_id: Option<i64>,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(action: &'static str, target_kind: &'static str, target_id: impl ToString) -> Self {
        AuditEntry {
            action,
            target_kind,
            target_id: target_id.to_string(),
            org_id: None,
            detail: serde_json::Value::Null,
        }
    }

    pub fn org(mut self, org_id: i64) -> Self {
        self.org_id = Some(org_id);
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub org_id: Option<i64>,
    pub detail: String,
    pub ip: String,
    pub request_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action_prefix: Option<String>,
    /// Entries with an id below this (keyset pagination, newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Appends one audit row through any executor of the current backend
/// (a pool, or the transaction of the write being audited).
macro_rules! append_audit {
    ($exec:expr, $actor:expr, $entry:expr) => {{
        let actor: &$crate::Actor = $actor;
        let entry: &$crate::AuditEntry = $entry;
        let detail = $crate::audit::detail_text(entry);
        sqlx::query(
            "INSERT INTO audit_log (tenant_id, at, user_id, username, action, target_kind, target_id, org_id, detail, ip, request_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(actor.tenant_id)
        .bind($crate::now_ms())
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(entry.action)
        .bind(entry.target_kind)
        .bind(&entry.target_id)
        .bind(entry.org_id)
        .bind(detail)
        .bind(&actor.ip)
        .bind(&actor.request_id)
        .execute($exec)
        .await
        .map(|r| r.rows_affected())
    }};
}
pub(crate) use append_audit;

/// Runs one statement that must change at least one row, and appends its
/// audit row, in one transaction; `NotFound` when it changed nothing.
macro_rules! audited_change {
    ($store:expr, $actor:expr, $entry:expr, $query:expr) => {
        $crate::on!($store, |p| {
            let mut tx = $crate::BeginWrite::begin_write(p).await?;
            let n = $query.execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err($crate::StoreError::NotFound);
            }
            append_audit!(&mut *tx, $actor, &$entry)?;
            tx.commit().await?;
            Ok::<(), $crate::StoreError>(())
        })
    };
}
pub(crate) use audited_change;

/// Appends many audit rows in a few statements (bulk writes: imports).
macro_rules! append_audits {
    ($backend:expr, $tx:expr, $actor:expr, $entries:expr) => {{
        let actor: &$crate::Actor = $actor;
        let entries: &[$crate::AuditEntry] = $entries;
        let at = $crate::now_ms();
        let mut result: Result<(), sqlx::Error> = Ok(());
        for chunk in entries.chunks(500) {
            let sql = format!(
                "INSERT INTO audit_log ({}) VALUES {}",
                $crate::audit::AUDIT_COLUMNS,
                $crate::values_placeholders($backend, chunk.len(), 11)
            );
            let mut q = sqlx::query(&sql);
            for e in chunk {
                let detail = $crate::audit::detail_text(e);
                q = q
                    .bind(actor.tenant_id)
                    .bind(at)
                    .bind(actor.user_id)
                    .bind(&actor.username)
                    .bind(e.action)
                    .bind(e.target_kind)
                    .bind(&e.target_id)
                    .bind(e.org_id)
                    .bind(detail)
                    .bind(&actor.ip)
                    .bind(&actor.request_id);
            }
            if let Err(e) = q.execute(&mut *$tx).await {
                result = Err(e);
                break;
            }
        }
        result
    }};
}
pub(crate) use append_audits;

/// The columns of an audit row [`append_audits!`] and [`copy_audits`]
/// write, in the order they write them.
pub(crate) const AUDIT_COLUMNS: &str =
    "tenant_id, at, user_id, username, action, target_kind, target_id, org_id, detail, ip, request_id";

/// An entry's detail as stored: its JSON, or nothing.
pub(crate) fn detail_text(e: &AuditEntry) -> String {
    if e.detail.is_null() {
        String::new()
    } else {
        e.detail.to_string()
    }
}

/// The rows [`append_audits!`] writes, streamed by `COPY` in the
/// transaction of a large write on PostgreSQL (`pg_copy`): `n` of them,
/// row `i` the entry `entry(i)`.
pub(crate) async fn copy_audits(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    n: usize,
    entry: &(dyn Fn(usize) -> AuditEntry + Sync),
) -> Result<u64, sqlx::Error> {
    let at = crate::now_ms();
    crate::pg_copy::copy_in(conn, &format!("audit_log ({AUDIT_COLUMNS})"), n, &|r, i| {
        let e = entry(i);
        r.int(actor.tenant_id)
            .int(at)
            .opt_int(actor.user_id)
            .text(&actor.username)
            .text(e.action)
            .text(e.target_kind)
            .text(&e.target_id)
            .opt_int(e.org_id)
            .text(&detail_text(&e))
            .text(&actor.ip)
            .text(&actor.request_id);
    })
    .await
}

impl Store {
    /// Records an event that changes nothing else (a sign-in, a view of
    /// personal data).
    pub async fn audit(&self, actor: &Actor, entry: AuditEntry) -> StoreResult<()> {
        on!(self, |p| append_audit!(p, actor, &entry))?;
        Ok(())
    }

    /// The tenant's audit log, newest first.
    pub async fn audit_log(&self, tenant_id: i64, f: &AuditFilter) -> StoreResult<Vec<AuditRow>> {
        let limit = f.limit.clamp(1, 500);
        let user = f.username.clone().unwrap_or_default();
        let action = format!("{}%", f.action_prefix.clone().unwrap_or_default());
        let rows = on!(self, |p| sqlx::query_as::<_, AuditRow>(
            "SELECT id, at, user_id, username, action, target_kind, target_id, org_id, detail, ip, request_id
             FROM audit_log
             WHERE tenant_id = $1 AND ($2 = '' OR username = $2) AND action LIKE $3 AND id < $4
             ORDER BY id DESC LIMIT $5"
        )
        .bind(tenant_id)
        .bind(&user)
        .bind(&action)
        .bind(f.before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(p)
        .await)?;
        Ok(rows)
    }

    /// How many audit rows a tenant has (tests and the metrics page).
    pub async fn audit_count(&self, tenant_id: i64) -> StoreResult<i64> {
        Ok(on!(self, |p| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(p)
            .await)?)
    }
}
