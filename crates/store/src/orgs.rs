//! The organisation tree. Each organisation keeps its materialised path
//! (`/1/5/23/`), so a subtree is one index range and a move rewrites the
//! paths of the subtree in one statement.

use std::sync::LazyLock;

use chrono::NaiveDate;
use ronghe_domain::org::{OfficerRole, OrgKind, OrgRulePack};
use serde::Serialize;

use crate::audit::{append_audit, append_audits, audited_change};
use crate::reader::read;
use crate::rollups::{apply_rollups, Delta};
use crate::rows::{fetch_list, fetch_row};
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

/// Read by SQLx (`sqlx::FromRow`) or, on SQLite's reader, by serde
/// (`Deserialize`: `rows`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Org {
    pub id: i64,
    pub tenant_id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub depth: i64,
    #[sqlx(try_from = "String")]
    #[serde(deserialize_with = "crate::rows::via::<_, String, _>")]
    pub kind: OrgKind,
    pub code: String,
    pub name: String,
    pub unit_name: String,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub established_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub term_start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub term_end: Option<NaiveDate>,
}

/// What a form's choice of an organisation asks for (`Store::pick_orgs`).
#[derive(Debug, Clone, Default)]
pub struct OrgPick<'a> {
    pub kinds: &'a [OrgKind],
    /// What the name or code holds (empty: any).
    pub query: &'a str,
    /// A subtree left out, by its path (the organisation being moved).
    pub outside: Option<&'a str>,
    /// One organisation left out (its present parent).
    pub except: Option<i64>,
    pub limit: i64,
}

const ORG_COLUMNS: &str =
    "id, tenant_id, parent_id, path, depth, kind, code, name, unit_name, established_on, term_start, term_end";

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub code: String,
    pub name: String,
    pub unit_name: String,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

impl NewOrg {
    /// An organisation under `parent_id` with only its kind, code and name:
    /// no unit, founding day or term yet (set the others with `..`).
    pub fn under(parent_id: i64, kind: OrgKind, code: impl Into<String>, name: impl Into<String>) -> NewOrg {
        NewOrg {
            parent_id: Some(parent_id),
            kind,
            code: code.into(),
            name: name.into(),
            unit_name: String::new(),
            established_on: None,
            term_start: None,
            term_end: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OrgUpdate {
    pub code: String,
    pub name: String,
    pub unit_name: String,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

/// Active members of a subtree, by category, and its organisations.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct OrgCounts {
    pub org_id: i64,
    pub full_members: i64,
    pub probationary_members: i64,
}

impl OrgCounts {
    pub fn members(&self) -> i64 {
        self.full_members + self.probationary_members
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct OfficerRow {
    pub id: i64,
    pub org_id: i64,
    pub member_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    #[serde(deserialize_with = "crate::rows::via::<_, String, _>")]
    pub role: OfficerRole,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub term_start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub term_end: Option<NaiveDate>,
}

/// An appointment: organisation, member, role, and the term (start, end).
pub type NewOfficer = (i64, i64, OfficerRole, (Option<NaiveDate>, Option<NaiveDate>));

/// The ids on a path, root first: `/1/5/23/` → `[1, 5, 23]`.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

impl Store {
    /// Creates an organisation under `parent_id`, or a new tenant's root
    /// when there is no parent (the root's id becomes the tenant id, and
    /// the default rule packs are loaded for it).
    pub async fn create_org(&self, actor: &Actor, new: &NewOrg) -> StoreResult<Org> {
        if new.parent_id.is_some() {
            let mut created = self.insert_orgs(actor, std::slice::from_ref(new)).await?;
            return created.pop().ok_or(StoreError::NotFound);
        }
        if !ronghe_domain::org::valid_org_code(&new.code) {
            return Err(StoreError::Invalid("org.bad_code"));
        }
        if !new.kind.may_sit_under(None) {
            return Err(StoreError::Invalid("org.bad_nesting"));
        }
        let now = now_ms();
        let id = on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO orgs (tenant_id, parent_id, path, depth, kind, code, name, unit_name, established_on, term_start, term_end, created_at, updated_at)
                 VALUES (0, NULL, '', 0, $1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(new.kind.code())
            .bind(&new.code)
            .bind(&new.name)
            .bind(&new.unit_name)
            .bind(new.established_on)
            .bind(new.term_start)
            .bind(new.term_end)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            // The root's id is the tenant id, and its path is its id alone.
            sqlx::query("UPDATE orgs SET tenant_id = $1, path = $2 WHERE id = $1")
                .bind(id)
                .bind(format!("/{id}/"))
                .execute(&mut *tx)
                .await?;
            let pack = OrgRulePack::default_pack();
            sqlx::query(
                "INSERT INTO rule_packs (tenant_id, kind, version, effective_from, body, loaded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&pack.kind)
            .bind(&pack.version)
            .bind(pack.effective_from)
            .bind(ronghe_domain::org::rules_default_text())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let actor = Actor { tenant_id: id, ..actor.clone() };
            append_audit!(
                &mut *tx,
                &actor,
                &AuditEntry::new("org.create", "org", id)
                    .org(id)
                    .detail(serde_json::json!({"code": new.code, "name": new.name, "kind": new.kind.code()}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?;
        self.org(id).await
    }

    /// Creates many organisations under existing parents in a few
    /// statements (the demo's and benchmarks' large groups). Returns them in
    /// the order given.
    pub async fn insert_orgs(&self, actor: &Actor, new: &[NewOrg]) -> StoreResult<Vec<Org>> {
        const ROWS: usize = 300;
        let mut parents: std::collections::HashMap<i64, Org> = std::collections::HashMap::new();
        for n in new {
            let parent_id = n.parent_id.ok_or(StoreError::Invalid("org.bad_nesting"))?;
            if let std::collections::hash_map::Entry::Vacant(e) = parents.entry(parent_id) {
                e.insert(self.org(parent_id).await?);
            }
            let parent = &parents[&parent_id];
            if !n.kind.may_sit_under(Some(parent.kind)) || parent.tenant_id != actor.tenant_id {
                return Err(StoreError::Invalid("org.bad_nesting"));
            }
            if !ronghe_domain::org::valid_org_code(&n.code) {
                return Err(StoreError::Invalid("org.bad_code"));
            }
        }
        let now = now_ms();
        let ids = on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let mut ids = Vec::with_capacity(new.len());
            for chunk in new.chunks(ROWS) {
                let sql = format!(
                    "INSERT INTO orgs (tenant_id, parent_id, path, depth, kind, code, name, unit_name, established_on, term_start, term_end, created_at, updated_at)
                     VALUES {} RETURNING id, code",
                    crate::values_placeholders(self.backend(), chunk.len(), 13)
                );
                let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
                for n in chunk {
                    let parent = &parents[&n.parent_id.expect("checked above")];
                    q = q
                        .bind(actor.tenant_id)
                        .bind(parent.id)
                        .bind(format!("{}?", parent.path))
                        .bind(parent.depth + 1)
                        .bind(n.kind.code())
                        .bind(&n.code)
                        .bind(&n.name)
                        .bind(&n.unit_name)
                        .bind(n.established_on)
                        .bind(n.term_start)
                        .bind(n.term_end)
                        .bind(now)
                        .bind(now);
                }
                // The path needs the id: written as the parent's path and a
                // marker, then completed in one statement.
                let returned: std::collections::HashMap<String, i64> =
                    q.fetch_all(&mut *tx).await?.into_iter().map(|(id, code)| (code, id)).collect();
                ids.extend(chunk.iter().map(|n| returned[&n.code]));
            }
            for chunk in ids.chunks(500) {
                let sql = format!(
                    "UPDATE orgs SET path = substr(path, 1, length(path) - 1) || CAST(id AS TEXT) || '/' WHERE id IN ({})",
                    crate::list_placeholders(self.backend(), 1, chunk.len())
                );
                let mut q = sqlx::query(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await?;
            }
            let entries: Vec<AuditEntry> = new
                .iter()
                .zip(&ids)
                .map(|(n, id)| {
                    AuditEntry::new("org.create", "org", id)
                        .org(*id)
                        .detail(serde_json::json!({"code": n.code, "name": n.name, "kind": n.kind.code()}))
                })
                .collect();
            append_audits!(self.backend(), tx, actor, &entries)?;
            tx.commit().await?;
            Ok::<Vec<i64>, StoreError>(ids)
        })?;
        self.orgs_by_ids(&ids).await
    }

    /// Appoints many officers at once (the demo's large groups).
    pub async fn insert_officers(&self, actor: &Actor, officers: &[NewOfficer]) -> StoreResult<()> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            for chunk in officers.chunks(300) {
                let sql = format!(
                    "INSERT INTO org_officers (tenant_id, org_id, member_id, role, term_start, term_end, created_at) VALUES {}",
                    crate::values_placeholders(self.backend(), chunk.len(), 7)
                );
                let mut q = sqlx::query(&sql);
                for (org_id, member_id, role, (start, end)) in chunk {
                    q = q
                        .bind(actor.tenant_id)
                        .bind(org_id)
                        .bind(member_id)
                        .bind(role.code())
                        .bind(start)
                        .bind(end)
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
            }
            let entries: Vec<AuditEntry> = officers
                .iter()
                .map(|(org_id, member_id, role, _)| {
                    AuditEntry::new("org.officer.add", "org", org_id)
                        .org(*org_id)
                        .detail(serde_json::json!({"member_id": member_id, "role": role.code()}))
                })
                .collect();
            append_audits!(self.backend(), tx, actor, &entries)?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    pub async fn org(&self, id: i64) -> StoreResult<Org> {
        static SQL: LazyLock<String> = LazyLock::new(|| format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1"));
        fetch_row!(self, Org, SQL.as_str(), |q| q.bind(id))
    }

    pub async fn org_by_code(&self, tenant_id: i64, code: &str) -> StoreResult<Org> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE tenant_id = $1 AND code = $2");
        Ok(on!(self, |p| sqlx::query_as::<_, Org>(&sql).bind(tenant_id).bind(code).fetch_one(p).await)?)
    }

    /// The roots of all tenants (the command line picks one).
    pub async fn tenant_roots(&self) -> StoreResult<Vec<Org>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE parent_id IS NULL ORDER BY id");
        Ok(on!(self, |p| sqlx::query_as::<_, Org>(&sql).fetch_all(p).await)?)
    }

    /// Organisations in a subtree whose code or name is exactly `key`
    /// (a spreadsheet's branch column may hold either).
    pub async fn find_org_in_subtree(&self, root_path: &str, key: &str) -> StoreResult<Vec<Org>> {
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM orgs WHERE path >= $1 AND path < $2 AND (code = $3 OR name = $3) ORDER BY depth, id"
        );
        Ok(on!(self, |p| sqlx::query_as::<_, Org>(&sql)
            .bind(root_path)
            .bind(path_hi(root_path))
            .bind(key)
            .fetch_all(p)
            .await)?)
    }

    /// Organisations of a subtree a form may choose from, in tree order:
    /// those of the kinds asked for, outside `pick.outside` (a subtree left
    /// out) and other than `pick.except`, whose name or code holds
    /// `pick.query` (any, when it is empty); at most `pick.limit`. The scan
    /// follows the path index and stops at the limit, so a form over a
    /// national tree costs what it shows, not what the tree holds.
    pub async fn pick_orgs(&self, root_path: &str, pick: &OrgPick<'_>) -> StoreResult<Vec<Org>> {
        let backend = self.backend();
        let p = |n| crate::param(backend, n);
        let kinds = crate::list_placeholders(backend, 3, pick.kinds.len().max(1));
        let mut next = 3 + pick.kinds.len().max(1);
        let mut sql =
            format!("SELECT {ORG_COLUMNS} FROM orgs WHERE path >= {} AND path < {} AND kind IN ({kinds})", p(1), p(2));
        if pick.outside.is_some() {
            sql.push_str(&format!(" AND NOT (path >= {} AND path < {})", p(next), p(next + 1)));
            next += 2;
        }
        if pick.except.is_some() {
            sql.push_str(&format!(" AND id <> {}", p(next)));
            next += 1;
        }
        let query = pick.query.trim().replace(['%', '_', '\\'], "");
        if !query.is_empty() {
            // Case-blind for Latin letters on both backends (SQLite's LIKE is).
            let like = if backend == crate::Backend::Postgres { "ILIKE" } else { "LIKE" };
            sql.push_str(&format!(" AND (name {like} {} OR code {like} {})", p(next), p(next + 1)));
            next += 2;
        }
        sql.push_str(&format!(" ORDER BY path LIMIT {}", p(next)));
        let pattern = format!("%{query}%");
        let outside = pick.outside.map(|o| (o.to_string(), path_hi(o)));
        // Without a search the walk in path order stops within a page.
        let bounded = query.is_empty();
        fetch_list!(self, Org, sql, bounded = bounded, |q| {
            let mut q = q.bind(root_path).bind(path_hi(root_path));
            if pick.kinds.is_empty() {
                q = q.bind("");
            }
            for k in pick.kinds {
                q = q.bind(k.code());
            }
            if let Some((lo, hi)) = &outside {
                q = q.bind(lo).bind(hi);
            }
            if let Some(id) = pick.except {
                q = q.bind(id);
            }
            if !query.is_empty() {
                q = q.bind(&pattern).bind(&pattern);
            }
            q.bind(pick.limit)
        })
    }

    /// Every organisation of a subtree, in path order (parents first).
    pub async fn subtree_orgs(&self, root_path: &str) -> StoreResult<Vec<Org>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE path >= $1 AND path < $2 ORDER BY depth, id");
        Ok(on!(self, |p| sqlx::query_as::<_, Org>(&sql).bind(root_path).bind(path_hi(root_path)).fetch_all(p).await)?)
    }

    /// The organisations above `org`, root first (for breadcrumbs).
    pub async fn ancestors(&self, org: &Org) -> StoreResult<Vec<Org>> {
        let ids: Vec<i64> = path_ids(&org.path).into_iter().filter(|id| *id != org.id).collect();
        self.orgs_by_ids(&ids).await
    }

    /// Organisations by id, in the order given (missing ones left out).
    pub async fn orgs_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Org>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {ORG_COLUMNS} FROM orgs WHERE id IN ({})",
                crate::list_placeholders(self.backend(), 1, chunk.len())
            );
            // Put in the order given below.
            let mut rows: std::collections::HashMap<i64, Org> = fetch_list!(self, Org, sql, bounded = true, |q| {
                let mut q = q;
                for id in chunk {
                    q = q.bind(id);
                }
                q
            })?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
            out.extend(chunk.iter().filter_map(|id| rows.remove(id)));
        }
        Ok(out)
    }

    /// The organisations directly under `id`, each with the active members
    /// of its subtree by category, from the maintained roll-ups: one query.
    /// (PostgreSQL sums BIGINT to NUMERIC, hence the casts.)
    pub async fn children_with_counts(&self, id: i64, limit: Option<i64>) -> StoreResult<Vec<(Org, OrgCounts)>> {
        #[derive(sqlx::FromRow, serde::Deserialize)]
        struct Row {
            #[sqlx(flatten)]
            #[serde(flatten)]
            org: Org,
            full_members: i64,
            probationary_members: i64,
        }
        let count = |key: &str| {
            format!(
                "(SELECT CAST(COALESCE(SUM(r.n), 0) AS BIGINT) FROM org_rollups r
                  WHERE r.org_id = orgs.id AND r.dim = 'category' AND r.key = '{key}')"
            )
        };
        let sql = format!(
            "SELECT {ORG_COLUMNS}, {} AS full_members, {} AS probationary_members
             FROM orgs WHERE parent_id = $1 ORDER BY code, id{}",
            count("full"),
            count("probationary"),
            limit.map(|n| format!(" LIMIT {}", n.max(0))).unwrap_or_default()
        );
        // All the children of a large unit may be thousands.
        let rows = fetch_list!(self, Row, sql, bounded = limit.is_some(), |q| q.bind(id))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let counts = OrgCounts {
                    org_id: r.org.id,
                    full_members: r.full_members,
                    probationary_members: r.probationary_members,
                };
                (r.org, counts)
            })
            .collect())
    }

    /// How many organisations sit directly under `id`.
    pub async fn child_count(&self, id: i64) -> StoreResult<i64> {
        let (n,) = read!(self, (i64,), "SELECT COUNT(*) FROM orgs WHERE parent_id = $1", |q| q.bind(id), fetch_one)?;
        Ok(n)
    }

    /// Active members by category in the subtree at `org`.
    pub async fn org_counts(&self, org: &Org) -> StoreResult<OrgCounts> {
        let r = self.rollup_dim(org.id, "category").await?;
        Ok(OrgCounts {
            org_id: org.id,
            full_members: r.get("category", "full"),
            probationary_members: r.get("category", "probationary"),
        })
    }

    pub async fn update_org(&self, actor: &Actor, id: i64, u: &OrgUpdate) -> StoreResult<Org> {
        if !ronghe_domain::org::valid_org_code(&u.code) {
            return Err(StoreError::Invalid("org.bad_code"));
        }
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "UPDATE orgs SET code = $1, name = $2, unit_name = $3, established_on = $4, term_start = $5, term_end = $6, updated_at = $7
                 WHERE id = $8",
            )
            .bind(&u.code)
            .bind(&u.name)
            .bind(&u.unit_name)
            .bind(u.established_on)
            .bind(u.term_start)
            .bind(u.term_end)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("org.update", "org", id)
                    .org(id)
                    .detail(serde_json::json!({"code": u.code, "name": u.name}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.org(id).await
    }

    /// Moves an organisation, with its whole subtree, under a new parent.
    pub async fn move_org(&self, actor: &Actor, id: i64, new_parent_id: i64) -> StoreResult<Org> {
        let org = self.org(id).await?;
        let parent = self.org(new_parent_id).await?;
        if parent.tenant_id != org.tenant_id {
            return Err(StoreError::Invalid("org.other_tenant"));
        }
        if parent.path.starts_with(&org.path) {
            return Err(StoreError::Invalid("org.move_into_itself"));
        }
        if !org.kind.may_sit_under(Some(parent.kind)) {
            return Err(StoreError::Invalid("org.bad_nesting"));
        }
        let new_path = format!("{}{}/", parent.path, org.id);
        let depth_delta = parent.depth + 1 - org.depth;
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            // The subtree's members leave the old ancestors' roll-ups and
            // join the new ones'.
            let rows: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT dim, key, n FROM org_rollups WHERE org_id = $1")
                    .bind(org.id)
                    .fetch_all(&mut *tx)
                    .await?;
            let mut delta = Delta::new();
            let dim_of = |d: &str| crate::rollups::DIMENSIONS.into_iter().find(|x| *x == d);
            for (dim, key, n) in rows {
                let Some(dim) = dim_of(&dim) else { continue };
                for a in path_ids(&org.path).into_iter().filter(|a| *a != org.id) {
                    *delta.entry((a, dim, key.clone())).or_default() -= n;
                }
                for a in path_ids(&parent.path) {
                    *delta.entry((a, dim, key.clone())).or_default() += n;
                }
            }
            apply_rollups!(self.backend(), tx, org.tenant_id, delta)?;
            sqlx::query(
                "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3, updated_at = $4
                 WHERE path >= $5 AND path < $6",
            )
            .bind(&new_path)
            .bind(org.path.len() as i64 + 1)
            .bind(depth_delta)
            .bind(now_ms())
            .bind(&org.path)
            .bind(path_hi(&org.path))
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE orgs SET parent_id = $1 WHERE id = $2")
                .bind(parent.id)
                .bind(org.id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("org.move", "org", id)
                    .org(id)
                    .detail(serde_json::json!({"from": org.parent_id, "to": parent.id}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.org(id).await
    }

    pub async fn officers(&self, org_id: i64) -> StoreResult<Vec<OfficerRow>> {
        const COLUMNS: &str = "f.id, f.org_id, f.member_id, m.name, f.role, f.term_start, f.term_end";
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS} FROM org_officers f JOIN members m ON m.id = f.member_id WHERE f.org_id = $1 ORDER BY f.id"
            )
        });
        fetch_list!(self, OfficerRow, SQL.as_str(), bounded = true, |q| q.bind(org_id))
    }

    pub async fn add_officer(
        &self,
        actor: &Actor,
        org_id: i64,
        member_id: i64,
        role: OfficerRole,
        term: (Option<NaiveDate>, Option<NaiveDate>),
    ) -> StoreResult<i64> {
        Ok(on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO org_officers (tenant_id, org_id, member_id, role, term_start, term_end, created_at)
                 SELECT tenant_id, id, $2, $3, $4, $5, $6 FROM orgs WHERE id = $1 RETURNING id",
            )
            .bind(org_id)
            .bind(member_id)
            .bind(role.code())
            .bind(term.0)
            .bind(term.1)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("org.officer.add", "org", org_id)
                    .org(org_id)
                    .detail(serde_json::json!({"member_id": member_id, "role": role.code()}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?)
    }

    pub async fn remove_officer(&self, actor: &Actor, org_id: i64, officer_id: i64) -> StoreResult<()> {
        audited_change!(
            self,
            actor,
            AuditEntry::new("org.officer.remove", "org", org_id)
                .org(org_id)
                .detail(serde_json::json!({"officer_id": officer_id})),
            sqlx::query("DELETE FROM org_officers WHERE id = $1 AND org_id = $2").bind(officer_id).bind(org_id)
        )
    }
}
