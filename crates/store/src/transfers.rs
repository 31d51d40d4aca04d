//! Transfers of membership: the transfer rows, their dated events, and the
//! three ways a received transfer changes the roster (a member moves
//! within the group, leaves it, or joins it), each in the action's own
//! transaction. The rules are the domain's (`ronghe_domain::transfers`).

use chrono::NaiveDate;
use ronghe_domain::members::MemberDraft;
use serde::{Deserialize, Serialize};

use crate::audit::append_audit;
use crate::members::insert_members_in;
use crate::rollups::{apply_rollups, count, member_facts, Delta, Facts};
use crate::rows::fetch_list;
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

/// Inserts a transfer event in an open transaction.
macro_rules! insert_event {
    ($tx:expr, $actor:expr, $transfer:expr, $action:expr, $on:expr, $note:expr, $now:expr) => {{
        let actor: &Actor = $actor;
        sqlx::query(
            "INSERT INTO transfer_events (tenant_id, transfer_id, action, on_date, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(actor.tenant_id)
        .bind($transfer)
        .bind($action)
        .bind($on)
        .bind($note)
        .bind(actor.user_id)
        .bind($now)
        .execute(&mut *$tx)
        .await
    }};
}

/// A transfer with the names and paths of the organisations at each end.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct TransferRow {
    pub id: i64,
    pub tenant_id: i64,
    pub kind: String,
    pub member_id: Option<i64>,
    pub person_name: String,
    pub from_org_id: Option<i64>,
    pub from_name: String,
    pub from_path: Option<String>,
    pub to_org_id: Option<i64>,
    pub to_name: String,
    pub to_path: Option<String>,
    pub reason: String,
    pub state: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub requested_on: NaiveDate,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub approved_on: Option<NaiveDate>,
    pub letter_number: Option<String>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub letter_issued_on: Option<NaiveDate>,
    pub letter_valid_days: Option<i64>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub received_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub reported_on: Option<NaiveDate>,
    pub pack_version: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TransferEvent {
    pub id: i64,
    pub action: String,
    pub on_date: NaiveDate,
    pub note: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: i64,
}

/// A transfer to open.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub kind: &'static str,
    pub member_id: Option<i64>,
    pub person_name: String,
    pub from_org_id: Option<i64>,
    pub from_name: String,
    pub to_org_id: Option<i64>,
    pub to_name: String,
    pub reason: String,
    /// `requested`, or `letter_issued` for a letter brought in from outside.
    pub state: &'static str,
    pub requested_on: NaiveDate,
    /// For a letter brought in: its number, day and validity.
    pub letter: Option<(String, NaiveDate, i64)>,
    pub pack_version: String,
}

/// An action to record: the new state and the columns it sets.
#[derive(Debug, Clone)]
pub struct TransferStep {
    pub action: &'static str,
    pub state: &'static str,
    pub on: NaiveDate,
    pub note: String,
    /// A new introduction letter: its validity in days (the number is
    /// allocated here, the year's next).
    pub letter_valid_days: Option<i64>,
}

/// What an action does to the roster.
#[derive(Debug, Clone)]
pub enum TransferEffect {
    None,
    /// Within the group: the member moves to the receiving organisation.
    Move {
        member_id: i64,
        to_org_id: i64,
    },
    /// Out of the group: the member is transferred out from the day the
    /// receipt came back.
    Out {
        member_id: i64,
    },
    /// Into the group: the member joins the receiving organisation.
    In {
        to_org_id: i64,
        draft: Box<MemberDraft>,
    },
}

const TRANSFER_COLUMNS: &str = "t.id, t.tenant_id, t.kind, t.member_id, t.person_name,
    t.from_org_id, COALESCE(fo.name, t.from_name) AS from_name, fo.path AS from_path,
    t.to_org_id, COALESCE(tor.name, t.to_name) AS to_name, tor.path AS to_path,
    t.reason, t.state, t.requested_on, t.approved_on, t.letter_number, t.letter_issued_on, t.letter_valid_days,
    t.received_on, t.reported_on, t.pack_version, t.version";
const TRANSFER_FROM: &str =
    "transfers t LEFT JOIN orgs fo ON fo.id = t.from_org_id LEFT JOIN orgs tor ON tor.id = t.to_org_id";
/// The states in which a transfer is still under way.
const OPEN_STATES: &str = "('requested', 'approved', 'letter_issued', 'received')";

impl Store {
    /// Opens a transfer, refusing a second one for a member with one under
    /// way; audited.
    pub async fn create_transfer(&self, actor: &Actor, n: &NewTransfer) -> StoreResult<i64> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            if let Some(member) = n.member_id {
                let open: Option<i64> = sqlx::query_scalar(&format!(
                    "SELECT id FROM transfers WHERE member_id = $1 AND state IN {OPEN_STATES} LIMIT 1"
                ))
                .bind(member)
                .fetch_optional(&mut *tx)
                .await?;
                if open.is_some() {
                    return Err(StoreError::Conflict("transfer.already_open"));
                }
            }
            let (number, issued, days) = match &n.letter {
                Some((number, on, days)) => (Some(number.clone()), Some(*on), Some(*days)),
                None => (None, None, None),
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO transfers (tenant_id, kind, member_id, person_name, from_org_id, from_name, to_org_id, to_name,
                    reason, state, requested_on, letter_number, letter_issued_on, letter_valid_days, pack_version,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(n.kind)
            .bind(n.member_id)
            .bind(&n.person_name)
            .bind(n.from_org_id)
            .bind(&n.from_name)
            .bind(n.to_org_id)
            .bind(&n.to_name)
            .bind(&n.reason)
            .bind(n.state)
            .bind(n.requested_on)
            .bind(number)
            .bind(issued)
            .bind(days)
            .bind(&n.pack_version)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_event!(tx, actor, id, "request", n.requested_on, &n.reason, now)?;
            let org = n.from_org_id.or(n.to_org_id);
            let mut entry = AuditEntry::new("transfer.request", "transfer", id).detail(
                serde_json::json!({"kind": n.kind, "member_id": n.member_id, "to": n.to_org_id, "to_name": n.to_name}),
            );
            if let Some(org) = org {
                entry = entry.org(org);
            }
            append_audit!(&mut *tx, actor, &entry)?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn transfer(&self, id: i64) -> StoreResult<TransferRow> {
        let sql = format!("SELECT {TRANSFER_COLUMNS} FROM {TRANSFER_FROM} WHERE t.id = $1");
        Ok(on!(self, |p| sqlx::query_as(&sql).bind(id).fetch_one(p).await)?)
    }

    pub async fn transfer_events(&self, id: i64) -> StoreResult<Vec<TransferEvent>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT e.id, e.action, e.on_date, e.note, u.display_name AS recorded_by_name, e.recorded_at
             FROM transfer_events e LEFT JOIN users u ON u.id = e.recorded_by
             WHERE e.transfer_id = $1 ORDER BY e.id"
        )
        .bind(id)
        .fetch_all(p)
        .await)?)
    }

    /// The transfers touching a subtree (sent from it or to it), those under
    /// way first, newest first; closed ones of the last `closed_days`.
    pub async fn subtree_transfers(&self, path: &str, since: NaiveDate) -> StoreResult<Vec<TransferRow>> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM {TRANSFER_FROM}
             WHERE ((fo.path >= $1 AND fo.path < $2) OR (tor.path >= $1 AND tor.path < $2))
               AND (t.state IN {OPEN_STATES} OR t.updated_at >= $3 OR t.requested_on >= $4)
             ORDER BY CASE WHEN t.state IN {OPEN_STATES} THEN 0 ELSE 1 END, t.requested_on DESC, t.id DESC
             LIMIT 1000"
        );
        let since_ms = since.and_hms_opt(0, 0, 0).map_or(0, |d| d.and_utc().timestamp_millis());
        // Either end in the subtree, in an order no index gives: SQLite
        // reads every transfer to choose the thousand.
        fetch_list!(self, TransferRow, sql, bounded = false, |q| q
            .bind(path)
            .bind(path_hi(path))
            .bind(since_ms)
            .bind(since))
    }

    /// A member's transfers, newest first.
    pub async fn member_transfers(&self, member_id: i64) -> StoreResult<Vec<TransferRow>> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM {TRANSFER_FROM} WHERE t.member_id = $1 ORDER BY t.requested_on DESC, t.id DESC"
        );
        // One member's transfers, by key.
        fetch_list!(self, TransferRow, sql, bounded = true, |q| q.bind(member_id))
    }

    /// Records an action and its effect on the roster in one transaction,
    /// refusing (`conflict.stale`) if the transfer changed since `version`
    /// was read.
    pub async fn record_transfer_step(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        step: &TransferStep,
        effect: &TransferEffect,
    ) -> StoreResult<()> {
        let now = now_ms();
        let backend = self.backend();
        let sealed = match effect {
            TransferEffect::In { draft, to_org_id } => Some((self.seal(draft), *to_org_id, draft.as_ref().clone())),
            _ => None,
        };
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            // A new letter takes the year's next number.
            let number: Option<String> = match step.letter_valid_days {
                None => None,
                Some(_) => {
                    let year = chrono::Datelike::year(&step.on);
                    let issued: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM transfer_events WHERE tenant_id = $1 AND action = 'issue_letter'
                         AND on_date >= $2 AND on_date <= $3",
                    )
                    .bind(actor.tenant_id)
                    .bind(NaiveDate::from_ymd_opt(year, 1, 1))
                    .bind(NaiveDate::from_ymd_opt(year, 12, 31))
                    .fetch_one(&mut *tx)
                    .await?;
                    Some(format!("{year}-{:04}", issued + 1))
                }
            };
            let n = sqlx::query(
                "UPDATE transfers SET state = $1,
                    approved_on = CASE WHEN $2 = 'approve' THEN $3 ELSE approved_on END,
                    letter_number = COALESCE($4, letter_number),
                    letter_issued_on = CASE WHEN $4 IS NULL THEN letter_issued_on ELSE $3 END,
                    letter_valid_days = COALESCE($5, letter_valid_days),
                    received_on = CASE WHEN $2 = 'receive' THEN $3 ELSE received_on END,
                    reported_on = CASE WHEN $2 = 'report' THEN $3 ELSE reported_on END,
                    member_id = COALESCE(member_id, $6),
                    version = version + 1, updated_at = $7
                 WHERE id = $8 AND version = $9",
            )
            .bind(step.state)
            .bind(step.action)
            .bind(step.on)
            .bind(&number)
            .bind(step.letter_valid_days)
            .bind(Option::<i64>::None)
            .bind(now)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("conflict.stale"));
            }
            let note = match &number {
                Some(n) if step.note.is_empty() => n.clone(),
                Some(n) => format!("{n} {}", step.note),
                None => step.note.clone(),
            };
            insert_event!(tx, actor, id, step.action, step.on, &note, now)?;
            let (org_id, tenant_id): (Option<i64>, i64) =
                sqlx::query_as("SELECT COALESCE(from_org_id, to_org_id), tenant_id FROM transfers WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            match effect {
                TransferEffect::None => {}
                TransferEffect::Move { member_id, to_org_id } => {
                    let old = member_facts!(tx, *member_id)?;
                    let path: String = sqlx::query_scalar("SELECT path FROM orgs WHERE id = $1")
                        .bind(to_org_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE members SET org_id = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                        .bind(to_org_id)
                        .bind(now)
                        .bind(member_id)
                        .execute(&mut *tx)
                        .await?;
                    let mut delta = Delta::new();
                    count(&mut delta, &old, -1);
                    count(&mut delta, &Facts { path, ..old.clone() }, 1);
                    apply_rollups!(backend, tx, tenant_id, delta)?;
                    append_audit!(
                        &mut *tx,
                        actor,
                        &AuditEntry::new("member.transfer", "member", *member_id)
                            .org(*to_org_id)
                            .detail(serde_json::json!({"transfer": id, "on": step.on}))
                    )?;
                }
                TransferEffect::Out { member_id } => {
                    let old = member_facts!(tx, *member_id)?;
                    sqlx::query(
                        "UPDATE members SET status = 'transferred_out', status_since = $1, version = version + 1, updated_at = $2
                         WHERE id = $3",
                    )
                    .bind(step.on)
                    .bind(now)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at)
                         VALUES ($1, $2, 'transferred_out', $3, $4, $5, $6)",
                    )
                    .bind(tenant_id)
                    .bind(member_id)
                    .bind(step.on)
                    .bind(format!("transfer {id}"))
                    .bind(actor.user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let mut delta = Delta::new();
                    count(&mut delta, &old, -1);
                    apply_rollups!(backend, tx, tenant_id, delta)?;
                    append_audit!(
                        &mut *tx,
                        actor,
                        &AuditEntry::new("member.transfer_out", "member", *member_id)
                            .detail(serde_json::json!({"transfer": id, "on": step.on}))
                    )?;
                }
                TransferEffect::In { .. } => {
                    let (seal, to_org_id, draft) = sealed.as_ref().expect("sealed above");
                    let members = [(*to_org_id, draft.clone())];
                    let ids = insert_members_in!(
                        self,
                        tx,
                        actor,
                        &members,
                        std::slice::from_ref(seal),
                        "member.transfer_in"
                    )?;
                    sqlx::query("UPDATE transfers SET member_id = $1 WHERE id = $2")
                        .bind(ids[0])
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let mut entry = AuditEntry::new("transfer.step", "transfer", id)
                .detail(serde_json::json!({"action": step.action, "on": step.on, "letter": number}));
            if let Some(org) = org_id {
                entry = entry.org(org);
            }
            append_audit!(&mut *tx, actor, &entry)?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}

/// A member away (流动党员).
#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct AwayRow {
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub left_on: NaiveDate,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub expected_back: Option<NaiveDate>,
    pub place: String,
    pub work: String,
    pub contact: String,
    pub certificate: String,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub returned_on: Option<NaiveDate>,
}

/// A stay away to record.
#[derive(Debug, Clone)]
pub struct NewAway {
    pub member_id: i64,
    pub org_id: i64,
    pub left_on: NaiveDate,
    pub expected_back: Option<NaiveDate>,
    pub place: String,
    pub work: String,
    pub contact: String,
    pub certificate: String,
}

const AWAY_COLUMNS: &str = "a.id, a.member_id, m.name, a.org_id, o.name AS org_name, a.left_on, a.expected_back,
    a.place, a.work, a.contact, a.certificate, a.returned_on";

impl Store {
    /// Records that a member is away; refused while an earlier stay is
    /// still open; audited.
    pub async fn add_away(&self, actor: &Actor, a: &NewAway) -> StoreResult<i64> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let open: Option<i64> =
                sqlx::query_scalar("SELECT id FROM members_away WHERE member_id = $1 AND returned_on IS NULL LIMIT 1")
                    .bind(a.member_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if open.is_some() {
                return Err(StoreError::Conflict("away.already_away"));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO members_away (tenant_id, member_id, org_id, left_on, expected_back, place, work, contact,
                    certificate, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(a.member_id)
            .bind(a.org_id)
            .bind(a.left_on)
            .bind(a.expected_back)
            .bind(&a.place)
            .bind(&a.work)
            .bind(&a.contact)
            .bind(&a.certificate)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("member.away", "member", a.member_id)
                    .org(a.org_id)
                    .detail(serde_json::json!({"away": id, "left_on": a.left_on, "place": a.place}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// Records a member's return; audited.
    pub async fn end_away(
        &self,
        actor: &Actor,
        member_id: i64,
        org_id: i64,
        id: i64,
        on: NaiveDate,
    ) -> StoreResult<()> {
        let entry = AuditEntry::new("member.back", "member", member_id)
            .org(org_id)
            .detail(serde_json::json!({"away": id, "returned_on": on}));
        crate::audit::audited_change!(
            self,
            actor,
            entry,
            sqlx::query(
                "UPDATE members_away SET returned_on = $1 WHERE id = $2 AND member_id = $3 AND returned_on IS NULL
                 AND left_on <= $1"
            )
            .bind(on)
            .bind(id)
            .bind(member_id)
        )
    }

    pub async fn member_away(&self, member_id: i64) -> StoreResult<Vec<AwayRow>> {
        let sql = format!(
            "SELECT {AWAY_COLUMNS} FROM members_away a JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = a.org_id
             WHERE a.member_id = $1 ORDER BY a.left_on DESC, a.id DESC"
        );
        // One member's stays, by key.
        fetch_list!(self, AwayRow, sql, bounded = true, |q| q.bind(member_id))
    }

    /// The members of a subtree away now, longest away first.
    pub async fn subtree_away(&self, path: &str) -> StoreResult<Vec<AwayRow>> {
        let sql = format!(
            "SELECT {AWAY_COLUMNS} FROM members_away a JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = a.org_id
             WHERE o.path >= $1 AND o.path < $2 AND a.returned_on IS NULL ORDER BY a.left_on, a.id LIMIT 1000"
        );
        // SQLite reads every stay ever recorded to find those not back yet.
        fetch_list!(self, AwayRow, sql, bounded = false, |q| q.bind(path).bind(path_hi(path)))
    }
}
