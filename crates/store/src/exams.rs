//! Exams: the question bank, exams and attempts. The rules (checking a
//! question, drawing a paper, marking) are the domain's.

use std::collections::HashMap;

use ronghe_domain::exams::{Question, QuestionKind};
use serde::{Deserialize, Serialize};

use crate::audit::append_audit;
use crate::rows::fetch_list;
use crate::BeginWrite;
use crate::{now_ms, on, Actor, AuditEntry, Store, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExamRow {
    pub id: i64,
    pub tenant_id: i64,
    pub org_id: i64,
    pub title: String,
    pub rules: String,
    pub time_limit_minutes: i64,
    pub max_attempts: i64,
    pub pass_score: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub exam_id: i64,
    pub member_id: i64,
    pub paper: String,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub responses: String,
    pub score: Option<i64>,
    pub total: i64,
}

impl Store {
    /// Adds questions to an organisation's bank, all or none; audited.
    pub async fn add_questions(&self, actor: &Actor, org_id: i64, questions: &[Question]) -> StoreResult<usize> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            for q in questions {
                sqlx::query(
                    "INSERT INTO questions (tenant_id, org_id, category, kind, stem, options, answer, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(actor.tenant_id)
                .bind(org_id)
                .bind(&q.category)
                .bind(q.kind.code())
                .bind(&q.stem)
                .bind(serde_json::to_string(&q.options).unwrap_or_default())
                .bind(&q.answer)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("exam.questions", "org", org_id)
                    .org(org_id)
                    .detail(serde_json::json!({"added": questions.len()}))
            )?;
            tx.commit().await?;
            Ok::<usize, StoreError>(questions.len())
        })
    }

    /// An organisation's question bank.
    pub async fn question_bank(&self, org_id: i64) -> StoreResult<Vec<Question>> {
        let rows: Vec<(i64, String, String, String, String, String)> = on!(self, |p| sqlx::query_as(
            "SELECT id, category, kind, stem, options, answer FROM questions WHERE org_id = $1 ORDER BY id"
        )
        .bind(org_id)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, category, kind, stem, options, answer)| {
                Some(Question {
                    id,
                    category,
                    kind: QuestionKind::from_code(&kind)?,
                    stem,
                    options: serde_json::from_str(&options).unwrap_or_default(),
                    answer,
                })
            })
            .collect())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_exam(
        &self,
        actor: &Actor,
        org_id: i64,
        title: &str,
        rules: &serde_json::Value,
        time_limit_minutes: i64,
        max_attempts: i64,
        pass_score: i64,
    ) -> StoreResult<i64> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO exams (tenant_id, org_id, title, rules, time_limit_minutes, max_attempts, pass_score, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(org_id)
            .bind(title)
            .bind(rules.to_string())
            .bind(time_limit_minutes)
            .bind(max_attempts)
            .bind(pass_score)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(&mut *tx, actor, &AuditEntry::new("exam.create", "exam", id).org(org_id))?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn exam(&self, id: i64) -> StoreResult<(ExamRow, String)> {
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let r = sqlx::query(
                "SELECT e.id, e.tenant_id, e.org_id, e.title, e.rules, e.time_limit_minutes, e.max_attempts, e.pass_score, o.path
                 FROM exams e JOIN orgs o ON o.id = e.org_id WHERE e.id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await?;
            Ok((ExamRow::from_row(&r)?, r.try_get("path")?))
        })
    }

    pub async fn member_attempts(&self, member_id: i64, exam_id: i64) -> StoreResult<Vec<AttemptRow>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT id, exam_id, member_id, paper, started_at, submitted_at, responses, score, total FROM exam_attempts
             WHERE member_id = $1 AND exam_id = $2 ORDER BY id"
        )
        .bind(member_id)
        .bind(exam_id)
        .fetch_all(p)
        .await)?)
    }

    /// Starts an attempt with its drawn paper, numbered after the member's
    /// earlier ones and refused past `max_attempts` (a unique index on the
    /// number keeps two simultaneous starts from both counting); audited.
    pub async fn start_attempt(
        &self,
        actor: &Actor,
        exam: &ExamRow,
        member_id: i64,
        paper: &[(i64, u32)],
    ) -> StoreResult<i64> {
        let total: i64 = paper.iter().map(|(_, p)| i64::from(*p)).sum();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let earlier: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM exam_attempts WHERE exam_id = $1 AND member_id = $2")
                    .bind(exam.id)
                    .bind(member_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if earlier >= exam.max_attempts {
                return Err(StoreError::Conflict("exam.already_started"));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO exam_attempts (tenant_id, exam_id, member_id, attempt_no, paper, started_at, total)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(exam.tenant_id)
            .bind(exam.id)
            .bind(member_id)
            .bind(earlier + 1)
            .bind(serde_json::to_string(paper).unwrap_or_default())
            .bind(now_ms())
            .bind(total)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("exam.attempt", "exam", exam.id)
                    .org(exam.org_id)
                    .detail(serde_json::json!({"attempt": id, "member": member_id, "number": earlier + 1}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn attempt(&self, id: i64) -> StoreResult<AttemptRow> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT id, exam_id, member_id, paper, started_at, submitted_at, responses, score, total FROM exam_attempts
             WHERE id = $1"
        )
        .bind(id)
        .fetch_one(p)
        .await)?)
    }

    /// Records a submission once, with its score; false if it was already
    /// submitted; audited.
    pub async fn submit_attempt(
        &self,
        actor: &Actor,
        attempt: &AttemptRow,
        responses: &serde_json::Value,
        score: i64,
    ) -> StoreResult<bool> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "UPDATE exam_attempts SET submitted_at = $1, responses = $2, score = $3 WHERE id = $4 AND submitted_at IS NULL",
            )
            .bind(now_ms())
            .bind(responses.to_string())
            .bind(score)
            .bind(attempt.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                append_audit!(
                    &mut *tx,
                    actor,
                    &AuditEntry::new("exam.submit", "exam", attempt.exam_id).detail(
                        serde_json::json!({"attempt": attempt.id, "member": attempt.member_id, "score": score})
                    )
                )?;
                tx.commit().await?;
            }
            Ok::<bool, StoreError>(n == 1)
        })
    }
}

/// An exam as listed for a subtree: its organisation's name too.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct ExamListing {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub time_limit_minutes: i64,
    pub max_attempts: i64,
    pub pass_score: i64,
}

/// A member's results at an exam: how many attempts, the best score.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExamResult {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub attempts: i64,
    /// The best submitted score (none while every attempt is open).
    pub best: Option<i64>,
    pub total: i64,
    pub last_started_at: i64,
}

impl Store {
    /// The exams offered to an organisation: by it or any above it.
    pub async fn exams_for(&self, org_path: &str) -> StoreResult<Vec<ExamListing>> {
        let ids: Vec<i64> = crate::orgs::path_ids(org_path);
        if ids.is_empty() {
            return Ok(vec![]);
        }
        const COLUMNS: &str =
            "e.id, e.org_id, o.name AS org_name, e.title, e.time_limit_minutes, e.max_attempts, e.pass_score";
        let sql = format!(
            "SELECT {COLUMNS} FROM exams e JOIN orgs o ON o.id = e.org_id WHERE e.org_id IN ({}) ORDER BY e.id DESC",
            crate::list_placeholders(self.backend(), 1, ids.len())
        );
        // The exams of one line of organisations, by key.
        fetch_list!(self, ExamListing, sql, bounded = true, |q| {
            let mut q = q;
            for id in &ids {
                q = q.bind(id);
            }
            q
        })
    }

    /// Each member of a subtree who took an exam, with their attempts and
    /// best score, by organisation and name.
    pub async fn exam_results(&self, exam_id: i64, path: &str) -> StoreResult<Vec<ExamResult>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT m.id AS member_id, m.name, m.org_id, o.name AS org_name, COUNT(*) AS attempts,
                    MAX(a.score) AS best, MAX(a.total) AS total, MAX(a.started_at) AS last_started_at
             FROM exam_attempts a JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = m.org_id
             WHERE a.exam_id = $1 AND o.path >= $2 AND o.path < $3
             GROUP BY m.id, m.name, m.org_id, o.name, o.path, m.name_initials
             ORDER BY o.path, m.name_initials, m.id"
        )
        .bind(exam_id)
        .bind(path)
        .bind(crate::path_hi(path))
        .fetch_all(p)
        .await)?)
    }

    /// For each of `exam_ids`, how many members of a subtree have a scored
    /// attempt at it, and how many of them reached its pass score with
    /// their best: the counts of [`exam_results`](Self::exam_results),
    /// summed where the rows are, for all the exams in one query. Exams
    /// nobody in the subtree took are absent.
    pub async fn exam_takers(&self, exam_ids: &[i64], path: &str) -> StoreResult<HashMap<i64, (i64, i64)>> {
        if exam_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let backend = self.backend();
        let sql = format!(
            "SELECT t.exam_id, COUNT(t.best), COALESCE(SUM(CASE WHEN t.best >= e.pass_score THEN 1 ELSE 0 END), 0)
             FROM (SELECT a.exam_id, MAX(a.score) AS best
                   FROM exam_attempts a JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = m.org_id
                   WHERE o.path >= {} AND o.path < {} AND a.exam_id IN ({})
                   GROUP BY a.exam_id, a.member_id) t
             JOIN exams e ON e.id = t.exam_id
             GROUP BY t.exam_id",
            crate::param(backend, 1),
            crate::param(backend, 2),
            crate::list_placeholders(backend, 3, exam_ids.len())
        );
        let rows: Vec<(i64, i64, i64)> = on!(self, |p| {
            let mut q = sqlx::query_as(&sql).bind(path).bind(crate::path_hi(path));
            for id in exam_ids {
                q = q.bind(id);
            }
            q.fetch_all(p).await
        })?;
        Ok(rows.into_iter().map(|(exam, takers, passed)| (exam, (takers, passed))).collect())
    }

    /// How many questions of each kind an organisation's bank holds.
    pub async fn bank_counts(&self, org_id: i64) -> StoreResult<Vec<(String, i64)>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT kind, COUNT(*) FROM questions WHERE org_id = $1 GROUP BY kind ORDER BY kind"
        )
        .bind(org_id)
        .fetch_all(p)
        .await)?)
    }
}
