//! Member development (发展党员): candidates and their dated steps, the
//! documents filed with them, and the two steps that change the roster
//! (approval admits a probationary member; the conversion approval makes
//! them a full member), each in the step's own transaction.
//!
//! The rules live in the domain (`ronghe_domain::development`); this module
//! keeps what happened and refuses two writers racing on one person (each
//! step bumps the candidate's version).

use chrono::NaiveDate;
use ronghe_domain::members::MemberDraft;
use serde::{Deserialize, Serialize};

use crate::audit::append_audit;
use crate::reader::{read, BindIds};
use crate::rollups::{apply_rollups, count, member_facts, Delta, Facts};
use crate::rows::fetch_list;
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

/// Inserts a step row in an open transaction; evaluates to its id.
macro_rules! insert_step {
    ($tx:expr, $actor:expr, $candidate:expr, $step:expr, $now:expr) => {{
        let actor: &Actor = $actor;
        let step: &NewStep = $step;
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO development_steps (tenant_id, candidate_id, step, step_no, on_date, pack_version, acted_by, note,
                facts, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(actor.tenant_id)
        .bind($candidate)
        .bind(step.step)
        .bind(i64::from(step.step_no))
        .bind(step.on)
        .bind(&step.pack_version)
        .bind(&step.acted_by)
        .bind(&step.note)
        .bind(step.facts.to_string())
        .bind(actor.user_id)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await
    }};
}

/// A person in development, as lists and the timeline show them.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct CandidateRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub birth_date: NaiveDate,
    pub id_number_masked: String,
    pub education: Option<String>,
    pub post: String,
    pub unit: String,
    pub phone_masked: Option<String>,
    pub stage: String,
    pub last_step: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub last_step_on: NaiveDate,
    pub pack_version: String,
    pub outcome: String,
    pub version: i64,
}

/// A candidate with what scope checks need.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateRecord {
    pub row: CandidateRow,
    pub org_path: String,
    pub tenant_id: i64,
}

/// A step as recorded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StepRow {
    pub id: i64,
    pub candidate_id: i64,
    pub step: String,
    pub step_no: i64,
    pub on_date: NaiveDate,
    pub pack_version: String,
    pub acted_by: String,
    pub note: String,
    /// JSON: people named, training, named votes.
    pub facts: String,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: i64,
}

/// A step to record.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub step: &'static str,
    pub step_no: u8,
    pub on: NaiveDate,
    pub stage: &'static str,
    pub pack_version: String,
    pub acted_by: String,
    pub note: String,
    pub facts: serde_json::Value,
}

/// What a step does to the roster besides being recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepEffect {
    None,
    /// The higher committee approved: the candidate becomes a probationary
    /// member, with their id, joining on the branch resolution's date.
    Admit {
        join_date: NaiveDate,
    },
    /// Probation passed: a full member from the day it ended.
    Convert {
        conversion_date: NaiveDate,
    },
    /// The file is archived: the development is complete.
    Archive,
}

/// A document filed with a candidate's record (an application letter, a
/// review, the signed application form).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub candidate_id: i64,
    pub step_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: i64,
}

/// A document to file.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    pub candidate_id: i64,
    pub org_id: i64,
    pub step_id: Option<i64>,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
}

/// A full member who may vote or be named (contact, introducer).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Voter {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
}

/// A member as a step naming them needs to check them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedMember {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub category: String,
    pub status: String,
}

const CANDIDATE_COLUMNS: &str = "c.id, c.org_id, o.name AS org_name, c.name, c.gender, c.ethnicity, c.birth_date,
    c.id_number_masked, c.education, c.post, c.unit, c.phone_masked, c.stage, c.last_step, c.last_step_on,
    c.pack_version, c.outcome, c.version";

impl Store {
    /// Takes a person's application: the candidate and their first step,
    /// in one transaction. Refused when the person is already a member or
    /// already in development (by the blind index of their ID number).
    pub async fn create_candidate(
        &self,
        actor: &Actor,
        org_id: i64,
        d: &MemberDraft,
        first: &NewStep,
    ) -> StoreResult<i64> {
        let s = self.seal(d);
        let now = now_ms();
        let backend = self.backend();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let member: Option<i64> =
                sqlx::query_scalar("SELECT id FROM members WHERE tenant_id = $1 AND id_number_index = $2")
                    .bind(actor.tenant_id)
                    .bind(&s.id_index)
                    .fetch_optional(&mut *tx)
                    .await?;
            if member.is_some() {
                return Err(StoreError::Conflict("development.already_member"));
            }
            // One id space with members (see the migration): SQLite has no
            // shared sequence, so the id is allocated here.
            let id: Option<i64> = match backend {
                crate::Backend::Sqlite => {
                    Some(sqlx::query_scalar::<_, i64>(crate::members::NEXT_ID_SQLITE).fetch_one(&mut *tx).await?)
                }
                crate::Backend::Postgres => {
                    Some(sqlx::query_scalar::<_, i64>("SELECT nextval('members_id_seq')").fetch_one(&mut *tx).await?)
                }
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO candidates (id, tenant_id, org_id, name, name_initials, gender, ethnicity, birth_date,
                    id_number_enc, id_number_index, id_number_masked, education, post, unit, phone_enc, phone_masked,
                    stage, last_step, last_step_on, pack_version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
                 RETURNING id",
            )
            .bind(id)
            .bind(actor.tenant_id)
            .bind(org_id)
            .bind(&d.name)
            .bind(&s.initials)
            .bind(d.gender.code())
            .bind(&d.ethnicity)
            .bind(d.birth_date)
            .bind(&s.id_enc)
            .bind(&s.id_index)
            .bind(&s.id_masked)
            .bind(d.education.map(|e| e.code()))
            .bind(&d.post)
            .bind(&d.unit)
            .bind(&s.phone_enc)
            .bind(&s.phone_masked)
            .bind(first.stage)
            .bind(first.step)
            .bind(first.on)
            .bind(&first.pack_version)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_step!(tx, actor, id, first, now)?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("development.apply", "candidate", id)
                    .org(org_id)
                    .detail(serde_json::json!({"name": d.name, "on": first.on}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn candidate(&self, id: i64) -> StoreResult<CandidateRecord> {
        let sql = format!(
            "SELECT {CANDIDATE_COLUMNS}, o.path, c.tenant_id FROM candidates c JOIN orgs o ON o.id = c.org_id WHERE c.id = $1"
        );
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let r = sqlx::query(&sql).bind(id).fetch_one(p).await?;
            Ok(CandidateRecord {
                row: CandidateRow::from_row(&r)?,
                org_path: r.try_get("path")?,
                tenant_id: r.try_get("tenant_id")?,
            })
        })
    }

    /// A candidate's steps in the order they were taken.
    pub async fn development_steps(&self, candidate_id: i64) -> StoreResult<Vec<StepRow>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT s.id, s.candidate_id, s.step, s.step_no, s.on_date, s.pack_version, s.acted_by, s.note, s.facts,
                    s.recorded_by, u.display_name AS recorded_by_name, s.recorded_at
             FROM development_steps s LEFT JOIN users u ON u.id = s.recorded_by
             WHERE s.candidate_id = $1 ORDER BY s.on_date, s.step_no, s.id"
        )
        .bind(candidate_id)
        .fetch_all(p)
        .await)?)
    }

    /// Records a step and its effect on the roster in one transaction,
    /// refusing (`conflict.stale`) if the candidate changed since
    /// `version` was read: two secretaries cannot both take the same step.
    pub async fn record_development_step(
        &self,
        actor: &Actor,
        candidate_id: i64,
        version: i64,
        step: &NewStep,
        effect: StepEffect,
    ) -> StoreResult<()> {
        let now = now_ms();
        let backend = self.backend();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let outcome = match effect {
                StepEffect::None => None,
                StepEffect::Admit { .. } => Some("admitted"),
                StepEffect::Convert { .. } => Some("full"),
                StepEffect::Archive => Some("archived"),
            };
            // Stage and last step follow the furthest step taken; a repeated
            // review does not move them back.
            let n = sqlx::query(
                "UPDATE candidates SET
                    stage = CASE WHEN $1 >= (SELECT MAX(step_no) FROM development_steps WHERE candidate_id = $2) THEN $3 ELSE stage END,
                    last_step = CASE WHEN $1 >= (SELECT MAX(step_no) FROM development_steps WHERE candidate_id = $2) THEN $4 ELSE last_step END,
                    last_step_on = CASE WHEN $1 >= (SELECT MAX(step_no) FROM development_steps WHERE candidate_id = $2) THEN $5 ELSE last_step_on END,
                    pack_version = $6,
                    outcome = COALESCE($7, outcome),
                    version = version + 1, updated_at = $8
                 WHERE id = $2 AND version = $9",
            )
            .bind(i64::from(step.step_no))
            .bind(candidate_id)
            .bind(step.stage)
            .bind(step.step)
            .bind(step.on)
            .bind(&step.pack_version)
            .bind(outcome)
            .bind(now)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("conflict.stale"));
            }
            let step_id = insert_step!(tx, actor, candidate_id, step, now)?;
            let (org_id, tenant_id): (i64, i64) =
                sqlx::query_as("SELECT org_id, tenant_id FROM candidates WHERE id = $1")
                    .bind(candidate_id)
                    .fetch_one(&mut *tx)
                    .await?;
            match effect {
                StepEffect::None | StepEffect::Archive => {}
                StepEffect::Admit { join_date } => {
                    let taken: Option<i64> = sqlx::query_scalar(
                        "SELECT m.id FROM members m JOIN candidates c ON c.id_number_index = m.id_number_index
                         AND c.tenant_id = m.tenant_id WHERE c.id = $1",
                    )
                    .bind(candidate_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if taken.is_some() {
                        return Err(StoreError::Conflict("development.already_member"));
                    }
                    sqlx::query(
                        "INSERT INTO members (id, tenant_id, org_id, name, name_initials, gender, ethnicity, birth_date,
                            id_number_enc, id_number_index, id_number_masked, education, post, unit, phone_enc, phone_masked,
                            category, join_date, conversion_date, status, status_since, created_at, updated_at)
                         SELECT id, tenant_id, org_id, name, name_initials, gender, ethnicity, birth_date,
                            id_number_enc, id_number_index, id_number_masked, education, post, unit, phone_enc, phone_masked,
                            'probationary', $1, NULL, 'normal', $1, $2, $2
                         FROM candidates WHERE id = $3",
                    )
                    .bind(join_date)
                    .bind(now)
                    .bind(candidate_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO member_status_history (tenant_id, member_id, status, since, reason, recorded_by, recorded_at)
                         VALUES ($1, $2, 'normal', $3, $4, $5, $6)",
                    )
                    .bind(tenant_id)
                    .bind(candidate_id)
                    .bind(join_date)
                    .bind("development.admitted")
                    .bind(actor.user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let facts = member_facts!(tx, candidate_id)?;
                    let mut delta = Delta::new();
                    count(&mut delta, &facts, 1);
                    apply_rollups!(backend, tx, tenant_id, delta)?;
                    append_audit!(
                        &mut *tx,
                        actor,
                        &AuditEntry::new("member.admit", "member", candidate_id)
                            .org(org_id)
                            .detail(serde_json::json!({"join_date": join_date, "step_id": step_id}))
                    )?;
                }
                StepEffect::Convert { conversion_date } => {
                    let old = member_facts!(tx, candidate_id)?;
                    let n = sqlx::query(
                        "UPDATE members SET category = 'full', conversion_date = $1, version = version + 1, updated_at = $2
                         WHERE id = $3 AND category = 'probationary'",
                    )
                    .bind(conversion_date)
                    .bind(now)
                    .bind(candidate_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 0 {
                        return Err(StoreError::Conflict("development.not_probationary"));
                    }
                    let new = Facts { category: "full".into(), ..old.clone() };
                    let mut delta = Delta::new();
                    count(&mut delta, &old, -1);
                    count(&mut delta, &new, 1);
                    apply_rollups!(backend, tx, tenant_id, delta)?;
                    append_audit!(
                        &mut *tx,
                        actor,
                        &AuditEntry::new("member.convert", "member", candidate_id)
                            .org(org_id)
                            .detail(serde_json::json!({"conversion_date": conversion_date, "step_id": step_id}))
                    )?;
                }
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("development.step", "candidate", candidate_id)
                    .org(org_id)
                    .detail(serde_json::json!({"step": step.step, "on": step.on, "step_id": step_id}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Moves a person to another development pack (an administrator's
    /// decision, with its reason); audited.
    pub async fn set_candidate_pack(
        &self,
        actor: &Actor,
        candidate_id: i64,
        org_id: i64,
        from: &str,
        to: &str,
        reason: &str,
    ) -> StoreResult<()> {
        let entry = AuditEntry::new("development.pack", "candidate", candidate_id)
            .org(org_id)
            .detail(serde_json::json!({"from": from, "to": to, "reason": reason}));
        crate::audit::audited_change!(
            self,
            actor,
            entry,
            sqlx::query(
                "UPDATE candidates SET pack_version = $1, version = version + 1, updated_at = $2
                 WHERE id = $3 AND pack_version = $4"
            )
            .bind(to)
            .bind(now_ms())
            .bind(candidate_id)
            .bind(from)
        )
    }

    /// The people in development in a subtree (those whose file is not yet
    /// archived), by branch and name.
    ///
    /// On PostgreSQL a small subtree (at most a few thousand members, so a
    /// few hundred organisations) takes its organisations first, by the
    /// path index, and runs on its generic plan: planned for each view, the
    /// join took longer to plan than to run (0.15 and 0.09 ms), and the
    /// join's own generic plan reads every organisation by id. Kept apart,
    /// the organisations' plan cannot be that.
    pub async fn subtree_candidates(&self, path: &str) -> StoreResult<Vec<CandidateRow>> {
        // A unit's people are tens; the root's grow with the whole group.
        let small = self.subtree_is_small(path).await?;
        let sql = if small && self.backend() == crate::Backend::Postgres {
            format!(
                "WITH sub AS MATERIALIZED (SELECT id, name, path FROM orgs WHERE path >= $1 AND path < $2)
                 SELECT {CANDIDATE_COLUMNS} FROM sub o JOIN candidates c ON c.org_id = o.id
                 WHERE c.outcome IN ('open', 'admitted', 'full')
                 ORDER BY o.path, c.name_initials, c.id"
            )
        } else {
            format!(
                "SELECT {CANDIDATE_COLUMNS} FROM candidates c JOIN orgs o ON o.id = c.org_id
                 WHERE o.path >= $1 AND o.path < $2 AND c.outcome IN ('open', 'admitted', 'full')
                 ORDER BY o.path, c.name_initials, c.id"
            )
        };
        fetch_list!(self, CandidateRow, sql, bounded = small, generic_plan = small, |q| q
            .bind(path)
            .bind(path_hi(path)))
    }

    /// The steps of the people given (as [`Store::subtree_candidates`]
    /// lists them), as (candidate, step, date) in each person's order:
    /// what deadlines are computed from.
    ///
    /// By the people's ids rather than by the subtree again: one plan then
    /// serves whatever the ids. Joined to the subtree's candidates and
    /// organisations, PostgreSQL planned it anew on every view (0.22 ms,
    /// more than running it).
    pub async fn development_steps_of(&self, candidates: &[i64]) -> StoreResult<Vec<(i64, String, NaiveDate)>> {
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT candidate_id, step, on_date FROM development_steps WHERE {}
             ORDER BY candidate_id, on_date, step_no",
            crate::in_ids(self.backend(), "candidate_id", 1)
        );
        read!(
            self,
            (i64, String, NaiveDate),
            &sql,
            |q| q.bind_ids(candidates),
            fetch_all,
            // A few steps a person: a unit's people are tens.
            bounded = candidates.len() <= 500
        )
    }

    /// The full members of a branch's subtree in good standing: those with
    /// a vote at its general meeting.
    pub async fn branch_voters(&self, branch_path: &str) -> StoreResult<Vec<Voter>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT m.id, m.name, m.org_id FROM members m JOIN orgs o ON o.id = m.org_id
             WHERE o.path >= $1 AND o.path < $2 AND m.category = 'full' AND m.status = 'normal'
             ORDER BY m.name_initials, m.id"
        )
        .bind(branch_path)
        .bind(path_hi(branch_path))
        .fetch_all(p)
        .await)?)
    }

    /// Members by id, for checking the people a step names.
    pub async fn named_members(&self, ids: &[i64]) -> StoreResult<Vec<NamedMember>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT id, tenant_id, name, category, status FROM members WHERE id IN ({})",
            crate::list_placeholders(self.backend(), 1, ids.len())
        );
        Ok(on!(self, |p| {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(p).await
        })?)
    }

    /// Files a document with a candidate (and a step, if given); audited.
    pub async fn add_development_document(&self, actor: &Actor, d: &NewDocument<'_>) -> StoreResult<i64> {
        let NewDocument { candidate_id, org_id, step_id, file_name, content_type, content } = *d;
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            if let Some(step_id) = step_id {
                let owner: Option<i64> = sqlx::query_scalar("SELECT candidate_id FROM development_steps WHERE id = $1")
                    .bind(step_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if owner != Some(candidate_id) {
                    return Err(StoreError::NotFound);
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO development_documents (tenant_id, candidate_id, step_id, file_name, content_type, size, content,
                    uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(candidate_id)
            .bind(step_id)
            .bind(file_name)
            .bind(content_type)
            .bind(content.len() as i64)
            .bind(content)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("development.document", "candidate", candidate_id)
                    .org(org_id)
                    .detail(serde_json::json!({"document": id, "file_name": file_name, "size": content.len()}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn development_documents(&self, candidate_id: i64) -> StoreResult<Vec<DocumentRow>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT id, candidate_id, step_id, file_name, content_type, size, uploaded_at
             FROM development_documents WHERE candidate_id = $1 ORDER BY id"
        )
        .bind(candidate_id)
        .fetch_all(p)
        .await)?)
    }

    /// A document's row and bytes.
    pub async fn development_document(&self, candidate_id: i64, id: i64) -> StoreResult<(DocumentRow, Vec<u8>)> {
        let row: DocumentRow = on!(self, |p| sqlx::query_as(
            "SELECT id, candidate_id, step_id, file_name, content_type, size, uploaded_at
             FROM development_documents WHERE id = $1 AND candidate_id = $2"
        )
        .bind(id)
        .bind(candidate_id)
        .fetch_one(p)
        .await)?;
        let bytes: Vec<u8> =
            on!(self, |p| sqlx::query_scalar("SELECT content FROM development_documents WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await)?;
        Ok((row, bytes))
    }
}
