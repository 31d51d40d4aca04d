//! Decision governance (三重一大): topics, the steps recorded for them
//! through the procedure list, returns with their reasons, and execution
//! tasks under supervision. The store does not judge a step (the app checks
//! it against the decisions pack first); it keeps the record, moves the
//! topic's status in the step's transaction, and seals a topic that ends
//! (closed after supervision, or rejected) into its organisation's chain in
//! `life_seals`, the chain meeting records join, so `ronghe verify` checks
//! both.

use chrono::NaiveDate;
use ronghe_domain::meetings::{canonical, chain_hash};
use serde::{Deserialize, Serialize};

use crate::audit::append_audit;
use crate::reader::Binds;
use crate::rows::fetch_list;
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct TopicRow {
    pub id: i64,
    pub tenant_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub item_code: String,
    pub pack_version: String,
    pub title: String,
    pub summary: String,
    pub proposer: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub submitted_on: NaiveDate,
    /// `open`, `returned`, `executing`, `closed` or `rejected`.
    pub status: String,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub decided_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub closed_on: Option<NaiveDate>,
    pub sealed_at: Option<i64>,
    pub version: i64,
}

/// A topic with what scope checks need.
#[derive(Debug, Clone, Serialize)]
pub struct TopicRecord {
    pub row: TopicRow,
    pub org_path: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TopicStepRow {
    pub topic_id: i64,
    pub step: String,
    pub done_on: NaiveDate,
    /// JSON of the step's record (`decisions::StepContent`).
    pub content: String,
    /// JSON list of the artefacts the record proved.
    pub artefacts: String,
    pub backfill_reason: Option<String>,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TopicReturnRow {
    pub id: i64,
    pub returned_on: NaiveDate,
    pub reason: String,
    pub resubmitted_on: Option<NaiveDate>,
    pub response: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TopicTaskRow {
    pub id: i64,
    pub topic_id: i64,
    pub seq: i64,
    pub title: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub result: String,
}

/// An execution task still open past its day, with its topic.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct OverdueTask {
    pub id: i64,
    pub topic_id: i64,
    pub topic_title: String,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub owner: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub due_on: NaiveDate,
}

/// What the decisions page lists ([`Store::topic_lists`]).
#[derive(Debug, Clone, Default)]
pub struct TopicLists {
    pub topics: Vec<TopicRow>,
    pub overdue_tasks: Vec<OverdueTask>,
    pub overdue_total: i64,
}

#[derive(Debug, Clone)]
pub struct NewTopic {
    pub org_id: i64,
    pub item_code: String,
    pub pack_version: String,
    pub title: String,
    pub summary: String,
    pub proposer: String,
    pub submitted_on: NaiveDate,
    /// JSON of the submission step's record.
    pub content: String,
}

/// What recording a step does to its topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicEffect {
    /// The topic moves on; nothing else changes.
    None,
    /// The deciding body decided: approved topics go to execution, others
    /// end rejected (and are sealed).
    Decided { approved: bool },
    /// The party committee's pre-study did not pass: the topic ends rejected
    /// and is sealed.
    Rejected,
    /// Supervision closed it: sealed.
    Closed,
}

#[derive(Debug, Clone)]
pub struct NewTopicStep {
    pub step: String,
    pub done_on: NaiveDate,
    pub content: String,
    pub artefacts: Vec<String>,
    pub backfill_reason: Option<String>,
    /// Execution tasks to add: (title, owner, due day).
    pub tasks: Vec<(String, String, NaiveDate)>,
    pub effect: TopicEffect,
}

const TOPIC_COLUMNS: &str = "t.id, t.tenant_id, t.org_id, o.name AS org_name, t.item_code, t.pack_version, t.title,
    t.summary, t.proposer, t.submitted_on, t.status, t.decided_on, t.closed_on, t.sealed_at, t.version";

/// A subtree's topics alive in a period: `$1`, `$2` the path's range, `$3`,
/// `$4` the period.
static SUBTREE_TOPICS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {TOPIC_COLUMNS} FROM topics t JOIN orgs o ON o.id = t.org_id
         WHERE o.path >= $1 AND o.path < $2 AND t.submitted_on <= $4 AND (t.closed_on IS NULL OR t.closed_on >= $3)
         ORDER BY t.submitted_on DESC, t.id DESC"
    )
});

/// A subtree's execution tasks open past a day (`$3`), the 500 longest overdue.
const OVERDUE_TASKS: &str = "SELECT k.id, k.topic_id, t.title AS topic_title, t.org_id, o.name AS org_name, k.title,
        k.owner, k.due_on
     FROM topic_tasks k JOIN topics t ON t.id = k.topic_id JOIN orgs o ON o.id = t.org_id
     WHERE o.path >= $1 AND o.path < $2 AND k.done_on IS NULL AND k.due_on < $3
     ORDER BY k.due_on, k.id LIMIT 500";

/// How many there are.
const OVERDUE_COUNT: &str = "SELECT COUNT(*) FROM topic_tasks k JOIN topics t ON t.id = k.topic_id
     JOIN orgs o ON o.id = t.org_id
     WHERE o.path >= $1 AND o.path < $2 AND k.done_on IS NULL AND k.due_on < $3";

const STEP_COLUMNS: &str = "topic_id, step, done_on, content, artefacts, backfill_reason, recorded_at";

/// The canonical archive of a topic, built from its rows: what a seal covers.
macro_rules! topic_record {
    ($exec:expr, $id:expr) => {{
        let id: i64 = $id;
        let result: Result<serde_json::Value, StoreError> = async {
            #[allow(clippy::type_complexity)]
            let t: (i64, i64, String, String, String, String, String, NaiveDate, String, Option<NaiveDate>, Option<NaiveDate>) =
                sqlx::query_as(
                    "SELECT id, org_id, item_code, pack_version, title, summary, proposer, submitted_on, status, decided_on,
                        closed_on FROM topics WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&mut *$exec)
                .await?;
            let mut steps: Vec<(String, NaiveDate, String, String, Option<String>)> = sqlx::query_as(
                "SELECT step, done_on, content, artefacts, backfill_reason FROM topic_steps WHERE topic_id = $1",
            )
            .bind(id)
            .fetch_all(&mut *$exec)
            .await?;
            // Ordered by the codes' bytes here, not by a database collation
            // that an upgrade could change under a sealed hash.
            steps.sort_by(|a, b| a.0.cmp(&b.0));
            let returns: Vec<(NaiveDate, String, Option<NaiveDate>, String)> = sqlx::query_as(
                "SELECT returned_on, reason, resubmitted_on, response FROM topic_returns WHERE topic_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *$exec)
            .await?;
            let tasks: Vec<(i64, String, String, NaiveDate, Option<NaiveDate>, String)> = sqlx::query_as(
                "SELECT seq, title, owner, due_on, done_on, result FROM topic_tasks WHERE topic_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(&mut *$exec)
            .await?;
            let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_default();
            Ok(serde_json::json!({
                "record": "topic", "id": t.0, "org_id": t.1, "item": t.2, "pack": t.3, "title": t.4, "summary": t.5,
                "proposer": t.6, "submitted_on": t.7, "status": t.8, "decided_on": t.9, "closed_on": t.10,
                "steps": steps.iter().map(|s| serde_json::json!({
                    "step": s.0, "done_on": s.1, "content": json(&s.2), "artefacts": json(&s.3), "backfill_reason": s.4,
                })).collect::<Vec<_>>(),
                "returns": returns.iter().map(|r| serde_json::json!({
                    "returned_on": r.0, "reason": r.1, "resubmitted_on": r.2, "response": r.3,
                })).collect::<Vec<_>>(),
                "tasks": tasks.iter().map(|k| serde_json::json!({
                    "seq": k.0, "title": k.1, "owner": k.2, "due_on": k.3, "done_on": k.4, "result": k.5,
                })).collect::<Vec<_>>(),
            }))
        }
        .await;
        result
    }};
}
pub(crate) use topic_record;

/// Takes a topic's row for the transaction while it is in one of `statuses`
/// and at `version`, the one the person acting saw (as meetings do in
/// `record_held`), so two people cannot both act on what they saw; bumps
/// the version.
macro_rules! claim_topic {
    ($tx:ident, $topic:expr, $version:expr, $statuses:expr, $now:expr) => {{
        let t: &TopicRecord = $topic;
        let version: i64 = $version;
        let sql = format!(
            "UPDATE topics SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND status IN ({})",
            $statuses
        );
        let n = sqlx::query(&sql).bind($now).bind(t.row.id).bind(version).execute(&mut *$tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("decision.changed"));
        }
    }};
}

/// Links a topic's archive into its organisation's chain and marks it
/// sealed, inside the transaction that ended it. Returns the chain hash.
macro_rules! seal_topic {
    ($tx:ident, $backend:expr, $actor:expr, $topic:expr, $now:expr) => {{
        let t: &TopicRecord = $topic;
        if $backend == crate::Backend::Postgres {
            // The same lock as meeting seals: one chain per organisation.
            sqlx::query("SELECT pg_advisory_xact_lock(8317, $1::int)").bind(t.row.org_id as i32).execute(&mut *$tx).await?;
        }
        let last: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, chain_hash FROM life_seals WHERE org_id = $1 ORDER BY seq DESC LIMIT 1")
                .bind(t.row.org_id)
                .fetch_optional(&mut *$tx)
                .await?;
        let (seq, prev) = last.map_or((1, String::new()), |(s, h)| (s + 1, h));
        let record = topic_record!($tx, t.row.id)?;
        let hash = chain_hash(&prev, &canonical(&record));
        sqlx::query(
            "INSERT INTO life_seals (tenant_id, org_id, seq, topic_id, prev_hash, chain_hash, sealed_at, sealed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(t.row.tenant_id)
        .bind(t.row.org_id)
        .bind(seq)
        .bind(t.row.id)
        .bind(&prev)
        .bind(&hash)
        .bind($now)
        .bind($actor.user_id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE topics SET sealed_at = $1, sealed_by = $2 WHERE id = $3")
            .bind($now)
            .bind($actor.user_id)
            .bind(t.row.id)
            .execute(&mut *$tx)
            .await?;
        append_audit!(
            &mut *$tx,
            $actor,
            &AuditEntry::new("topic.seal", "topic", t.row.id)
                .org(t.row.org_id)
                .detail(serde_json::json!({"seq": seq, "hash": hash}))
        )?;
        hash
    }};
}

impl Store {
    /// Submits a topic (议题申报): the topic and its submission step; audited.
    pub async fn create_topic(&self, actor: &Actor, n: &NewTopic) -> StoreResult<i64> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO topics (tenant_id, org_id, item_code, pack_version, title, summary, proposer, submitted_on,
                    status, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $10) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(n.org_id)
            .bind(&n.item_code)
            .bind(&n.pack_version)
            .bind(&n.title)
            .bind(&n.summary)
            .bind(&n.proposer)
            .bind(n.submitted_on)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO topic_steps (topic_id, step, done_on, content, artefacts, recorded_by, recorded_at)
                 VALUES ($1, 'submit', $2, $3, '[]', $4, $5)",
            )
            .bind(id)
            .bind(n.submitted_on)
            .bind(&n.content)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("topic.submit", "topic", id)
                    .org(n.org_id)
                    .detail(serde_json::json!({"item": n.item_code, "title": n.title}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn topic(&self, id: i64) -> StoreResult<TopicRecord> {
        let sql =
            format!("SELECT {TOPIC_COLUMNS}, o.path FROM topics t JOIN orgs o ON o.id = t.org_id WHERE t.id = $1");
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let r = sqlx::query(&sql).bind(id).fetch_one(p).await?;
            Ok(TopicRecord { row: TopicRow::from_row(&r)?, org_path: r.try_get("path")? })
        })
    }

    pub async fn topic_steps(&self, id: i64) -> StoreResult<Vec<TopicStepRow>> {
        let sql = format!("SELECT {STEP_COLUMNS} FROM topic_steps WHERE topic_id = $1 ORDER BY done_on, recorded_at");
        Ok(on!(self, |p| sqlx::query_as(&sql).bind(id).fetch_all(p).await)?)
    }

    pub async fn topic_returns(&self, id: i64) -> StoreResult<Vec<TopicReturnRow>> {
        Ok(on!(self, |p| {
            sqlx::query_as(
            "SELECT id, returned_on, reason, resubmitted_on, response FROM topic_returns WHERE topic_id = $1 ORDER BY id"
        )
        .bind(id)
        .fetch_all(p)
        .await
        })?)
    }

    pub async fn topic_tasks(&self, id: i64) -> StoreResult<Vec<TopicTaskRow>> {
        Ok(on!(self, |p| {
            sqlx::query_as(
            "SELECT id, topic_id, seq, title, owner, due_on, done_on, result FROM topic_tasks WHERE topic_id = $1 ORDER BY seq"
        )
        .bind(id)
        .fetch_all(p)
        .await
        })?)
    }

    /// The account that submitted a topic, if it was a person.
    pub async fn topic_submitter(&self, id: i64) -> StoreResult<Option<i64>> {
        Ok(on!(self, |p| sqlx::query_scalar("SELECT created_by FROM topics WHERE id = $1")
            .bind(id)
            .fetch_one(p)
            .await)?)
    }

    /// The seal of a topic: (sequence in its organisation's chain, hash).
    pub async fn topic_seal(&self, topic_id: i64) -> StoreResult<Option<(i64, String)>> {
        Ok(on!(self, |p| sqlx::query_as("SELECT seq, chain_hash FROM life_seals WHERE topic_id = $1")
            .bind(topic_id)
            .fetch_optional(p)
            .await)?)
    }

    /// Records a step the app has checked against the pack, with its effect
    /// on the topic, in one transaction; a topic that ends is sealed in it.
    /// Returns the chain hash when it sealed.
    pub async fn record_topic_step(
        &self,
        actor: &Actor,
        topic: &TopicRecord,
        version: i64,
        s: &NewTopicStep,
    ) -> StoreResult<Option<String>> {
        let now = now_ms();
        let backend = self.backend();
        let artefacts = serde_json::to_string(&s.artefacts).map_err(anyhow::Error::from)?;
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_topic!(tx, topic, version, "'open', 'executing'", now);
            sqlx::query(
                "INSERT INTO topic_steps (topic_id, step, done_on, content, artefacts, backfill_reason, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(topic.row.id)
            .bind(&s.step)
            .bind(s.done_on)
            .bind(&s.content)
            .bind(&artefacts)
            .bind(&s.backfill_reason)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let seq0: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM topic_tasks WHERE topic_id = $1")
                .bind(topic.row.id)
                .fetch_one(&mut *tx)
                .await?;
            for (i, (title, owner, due_on)) in s.tasks.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO topic_tasks (topic_id, seq, title, owner, due_on) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(topic.row.id)
                .bind(seq0 + 1 + i as i64)
                .bind(title)
                .bind(owner)
                .bind(*due_on)
                .execute(&mut *tx)
                .await?;
            }
            let (status, decided, closed): (Option<&str>, bool, bool) = match s.effect {
                TopicEffect::None => (None, false, false),
                TopicEffect::Decided { approved: true } => (Some("executing"), true, false),
                TopicEffect::Decided { approved: false } => (Some("rejected"), true, true),
                TopicEffect::Rejected => (Some("rejected"), false, true),
                TopicEffect::Closed => (Some("closed"), false, true),
            };
            if let Some(status) = status {
                sqlx::query(
                    "UPDATE topics SET status = $1,
                        decided_on = CASE WHEN $2 THEN $3 ELSE decided_on END,
                        closed_on = CASE WHEN $4 THEN $3 ELSE closed_on END
                     WHERE id = $5",
                )
                .bind(status)
                .bind(decided)
                .bind(s.done_on)
                .bind(closed)
                .bind(topic.row.id)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("topic.step", "topic", topic.row.id).org(topic.row.org_id).detail(serde_json::json!({
                    "step": s.step, "done_on": s.done_on, "artefacts": s.artefacts, "backfill_reason": s.backfill_reason,
                }))
            )?;
            let hash = if closed { Some(seal_topic!(tx, backend, actor, topic, now)) } else { None };
            tx.commit().await?;
            Ok::<Option<String>, StoreError>(hash)
        })
    }

    /// Sends an open topic back to its proposer with the reason.
    pub async fn return_topic(
        &self,
        actor: &Actor,
        topic: &TopicRecord,
        version: i64,
        on_day: NaiveDate,
        reason: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_topic!(tx, topic, version, "'open'", now);
            sqlx::query(
                "INSERT INTO topic_returns (topic_id, returned_on, reason, returned_by) VALUES ($1, $2, $3, $4)",
            )
            .bind(topic.row.id)
            .bind(on_day)
            .bind(reason)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE topics SET status = 'returned' WHERE id = $1")
                .bind(topic.row.id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("topic.return", "topic", topic.row.id)
                    .org(topic.row.org_id)
                    .detail(serde_json::json!({"reason": reason}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Resubmits a returned topic with what was done about the reasons, and
    /// an amended summary.
    pub async fn resubmit_topic(
        &self,
        actor: &Actor,
        topic: &TopicRecord,
        version: i64,
        on_day: NaiveDate,
        response: &str,
        summary: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_topic!(tx, topic, version, "'returned'", now);
            sqlx::query(
                "UPDATE topic_returns SET resubmitted_on = $1, response = $2 WHERE topic_id = $3 AND resubmitted_on IS NULL",
            )
            .bind(on_day)
            .bind(response)
            .bind(topic.row.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE topics SET status = 'open', summary = $1 WHERE id = $2")
                .bind(summary)
                .bind(topic.row.id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("topic.resubmit", "topic", topic.row.id)
                    .org(topic.row.org_id)
                    .detail(serde_json::json!({"response": response}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Closes an execution task with its result.
    pub async fn close_topic_task(
        &self,
        actor: &Actor,
        topic: &TopicRecord,
        version: i64,
        task_id: i64,
        done_on: NaiveDate,
        result: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_topic!(tx, topic, version, "'executing'", now);
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM topic_tasks WHERE id = $1 AND topic_id = $2")
                .bind(task_id)
                .bind(topic.row.id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            let n = sqlx::query(
                "UPDATE topic_tasks SET done_on = $1, result = $2 WHERE id = $3 AND topic_id = $4 AND done_on IS NULL",
            )
            .bind(done_on)
            .bind(result)
            .bind(task_id)
            .bind(topic.row.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("decision.task_closed"));
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("topic.task_close", "topic", topic.row.id)
                    .org(topic.row.org_id)
                    .detail(serde_json::json!({"task": task_id, "done_on": done_on}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// A subtree's topics alive in a period (submitted by its end and not
    /// ended before its start), newest first; and, when `overdue_on` is
    /// given, the execution tasks of its topics still open after that day,
    /// the 500 longest overdue, with how many there are: what the
    /// decisions page lists. Each may walk many rows (every topic the
    /// subtree ever submitted; every open overdue task of the group, by the
    /// plan SQLite picks without statistics), so on SQLite the three run
    /// aside together, one turn for the page.
    pub async fn topic_lists(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
        overdue_on: Option<NaiveDate>,
    ) -> StoreResult<TopicLists> {
        let (lo, hi) = (path.to_owned(), path_hi(path));
        match &self.db {
            crate::Db::Sqlite(_, reader) => {
                reader
                    .read_aside(move |c| {
                        let topics = Binds::default().bind(&lo).bind(&hi).bind(from).bind(to);
                        let topics = topics.deserialize_all(c, &SUBTREE_TOPICS)?;
                        let (overdue_tasks, overdue_total) = match overdue_on {
                            Some(day) => {
                                let binds = Binds::default().bind(&lo).bind(&hi).bind(day);
                                (binds.deserialize_all(c, OVERDUE_TASKS)?, binds.row(c, OVERDUE_COUNT, |r| r.get(0))?)
                            }
                            None => (Vec::new(), 0),
                        };
                        Ok(TopicLists { topics, overdue_tasks, overdue_total })
                    })
                    .await
            }
            crate::Db::Postgres(_, reader) => {
                reader
                    .read(crate::pg_reader::Plans::Chosen, async |c| {
                        let topics = sqlx::query_as(&SUBTREE_TOPICS)
                            .bind(&lo)
                            .bind(&hi)
                            .bind(from)
                            .bind(to)
                            .fetch_all(&mut *c)
                            .await?;
                        let (overdue_tasks, overdue_total) = match overdue_on {
                            Some(day) => (
                                sqlx::query_as(OVERDUE_TASKS).bind(&lo).bind(&hi).bind(day).fetch_all(&mut *c).await?,
                                sqlx::query_scalar(OVERDUE_COUNT)
                                    .bind(&lo)
                                    .bind(&hi)
                                    .bind(day)
                                    .fetch_one(&mut *c)
                                    .await?,
                            ),
                            None => (Vec::new(), 0),
                        };
                        Ok(TopicLists { topics, overdue_tasks, overdue_total })
                    })
                    .await
            }
        }
    }

    /// The topics of a subtree decided in a period, and all their steps:
    /// what the metrics are computed from.
    pub async fn decided_topics(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<(Vec<TopicRow>, Vec<TopicStepRow>)> {
        let topics_sql = format!(
            "SELECT {TOPIC_COLUMNS} FROM topics t JOIN orgs o ON o.id = t.org_id
             WHERE o.path >= $1 AND o.path < $2 AND t.decided_on >= $3 AND t.decided_on <= $4 ORDER BY t.decided_on, t.id"
        );
        let steps_sql = "SELECT s.topic_id, s.step, s.done_on, s.content, s.artefacts, s.backfill_reason, s.recorded_at
             FROM topic_steps s JOIN topics t ON t.id = s.topic_id JOIN orgs o ON o.id = t.org_id
             WHERE o.path >= $1 AND o.path < $2 AND t.decided_on >= $3 AND t.decided_on <= $4";
        on!(self, |p| {
            let topics =
                sqlx::query_as(&topics_sql).bind(path).bind(path_hi(path)).bind(from).bind(to).fetch_all(p).await?;
            let steps =
                sqlx::query_as(steps_sql).bind(path).bind(path_hi(path)).bind(from).bind(to).fetch_all(p).await?;
            Ok::<_, StoreError>((topics, steps))
        })
    }

    /// The topics of a subtree the party committee's pre-study rejected in a
    /// period: ended rejected without the deciding body acting.
    pub async fn prestudy_rejections(&self, path: &str, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<i64>> {
        Ok(on!(self, |p| sqlx::query_scalar(
            "SELECT t.id FROM topics t JOIN orgs o ON o.id = t.org_id
             WHERE o.path >= $1 AND o.path < $2 AND t.status = 'rejected' AND t.decided_on IS NULL
               AND t.closed_on >= $3 AND t.closed_on <= $4
             ORDER BY t.closed_on, t.id"
        )
        .bind(path)
        .bind(path_hi(path))
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)?)
    }

    /// Execution tasks of a subtree's topics still open after their day,
    /// the 500 longest overdue (see [`Store::topic_lists`]).
    pub async fn overdue_topic_tasks(&self, path: &str, today: NaiveDate) -> StoreResult<Vec<OverdueTask>> {
        fetch_list!(self, OverdueTask, OVERDUE_TASKS, bounded = false, |q| q.bind(path).bind(path_hi(path)).bind(today))
    }
}
