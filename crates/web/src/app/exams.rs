//! Exams: an organisation's question bank (all questions checked, all or
//! none), exams that draw papers by rules, attempts within a time limit and
//! a number of tries, marking, and review once submitted (answers are never
//! shown before).

use std::collections::HashMap;

use ronghe_domain::auth::Action;
use ronghe_domain::exams::{draw, in_time, mark, DrawRule, Question, QuestionKind, ShortBank};
use ronghe_domain::members::FieldError;
use ronghe_store::{AttemptRow, ExamListing, ExamResult, ExamRow, Figures, MemberRecord, Org};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// Seconds allowed past the time limit for the submission to arrive.
const GRACE_SECONDS: u32 = 30;

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct QuestionInput {
    pub category: String,
    /// `single`, `multiple`, `true_false` or `fill_in`.
    pub kind: String,
    pub stem: String,
    pub options: Vec<String>,
    /// Option letters (`A`, `ACD`), `true`/`false`, or fill-ins separated by `|`.
    pub answer: String,
}

/// Adds questions to the bank: every one is checked first; with any
/// problem nothing is added and the refusal names the first question's number.
pub async fn add_questions(state: &AppState, auth: &Auth, org: &Org, input: &[QuestionInput]) -> AppResult<usize> {
    let numbered: Vec<(usize, QuestionInput)> = input.iter().cloned().enumerate().map(|(i, q)| (i + 1, q)).collect();
    add_numbered(state, auth, org, &numbered, "exam.row_question").await
}

/// Imports a question bank from a spreadsheet (.xlsx): checked whole like
/// [`add_questions`], a refusal naming the sheet's row.
pub async fn import_questions(state: &AppState, auth: &Auth, org: &Org, bytes: &[u8]) -> AppResult<usize> {
    auth.require(Action::WriteLearning, &org.path)?;
    let rows = ronghe_exchange::read_questions(bytes).map_err(|e| AppError::refused("file", e.key(), vec![]))?;
    let numbered: Vec<(usize, QuestionInput)> = rows
        .into_iter()
        .map(|r| {
            (
                r.row,
                QuestionInput {
                    category: r.category,
                    kind: r.kind,
                    stem: r.stem,
                    options: r.options,
                    answer: r.answer,
                },
            )
        })
        .collect();
    add_numbered(state, auth, org, &numbered, "exam.row_sheet").await
}

/// Checks and adds numbered questions; a refusal names the number with
/// `label` (a question's number, or a sheet's row).
async fn add_numbered(
    state: &AppState,
    auth: &Auth,
    org: &Org,
    input: &[(usize, QuestionInput)],
    label: &str,
) -> AppResult<usize> {
    auth.require(Action::WriteLearning, &org.path)?;
    if input.is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "questions", key: "field.required" }]));
    }
    let mut questions = Vec::with_capacity(input.len());
    let tr = crate::i18n::Tr(auth.lang());
    for (n, q) in input {
        let row = tr.tf(label, &[("n", &n.to_string())]);
        let Some(k) = QuestionKind::from_code(q.kind.trim()) else {
            return Err(AppError::refused("questions", "exam.bad_kind", vec![("row", row)]));
        };
        let question = Question {
            id: 0,
            category: q.category.trim().to_string(),
            kind: k,
            stem: q.stem.trim().to_string(),
            options: q.options.iter().map(|o| o.trim().to_string()).collect(),
            answer: q.answer.trim().to_string(),
        };
        question.check().map_err(|p| AppError::refused("questions", p.key(), vec![("row", row)]))?;
        questions.push(question);
    }
    Ok(state.store.add_questions(&auth.actor(), org.id, &questions).await?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ExamInput {
    pub title: String,
    /// What a paper draws: `[{category?, kind, count, points}]`.
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<DrawRule>,
    pub time_limit_minutes: i64,
    pub max_attempts: i64,
    pub pass_score: i64,
}

/// Creates an exam; refused when the bank cannot fill a paper.
pub async fn create_exam(state: &AppState, auth: &Auth, org: &Org, e: &ExamInput) -> AppResult<i64> {
    auth.require(Action::WriteLearning, &org.path)?;
    let mut errors = Vec::new();
    if e.title.trim().is_empty() {
        errors.push(FieldError { field: "title", key: "field.required" });
    }
    if e.rules.is_empty() || e.rules.iter().any(|r| r.count == 0) {
        errors.push(FieldError { field: "rules", key: "field.required" });
    }
    if !(1..=600).contains(&e.time_limit_minutes) || !(1..=10).contains(&e.max_attempts) {
        errors.push(FieldError { field: "time_limit_minutes", key: "exam.bad_limits" });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let bank = state.store.question_bank(org.id).await?;
    draw(&bank, &e.rules, 0).map_err(|s| short_bank("rules", s))?;
    let rules = serde_json::to_value(&e.rules).map_err(|x| AppError::Internal(x.into()))?;
    Ok(state
        .store
        .create_exam(&auth.actor(), org.id, e.title.trim(), &rules, e.time_limit_minutes, e.max_attempts, e.pass_score)
        .await?)
}

/// A question as a candidate sees it: no answer.
#[derive(Debug, Clone, Serialize)]
pub struct PaperQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub points: u32,
    /// After submission only: the right answer, the response and whether it was right.
    pub answer: Option<String>,
    pub response: Option<String>,
    pub right: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub id: i64,
    pub exam_id: i64,
    pub started_at: i64,
    pub time_limit_minutes: i64,
    pub submitted: bool,
    pub score: Option<i64>,
    pub total: i64,
    pub passed: Option<bool>,
    pub questions: Vec<PaperQuestion>,
}

/// An attempt for its member: the exam and its bank are the caller's, who
/// has loaded them already.
fn view(exam: &ExamRow, bank: &[Question], a: &AttemptRow) -> AttemptView {
    let bank: HashMap<i64, &Question> = bank.iter().map(|q| (q.id, q)).collect();
    let paper: Vec<(i64, u32)> = serde_json::from_str(&a.paper).unwrap_or_default();
    let responses: HashMap<i64, String> = serde_json::from_str(&a.responses).unwrap_or_default();
    let submitted = a.submitted_at.is_some();
    let questions = paper
        .iter()
        .filter_map(|(id, points)| {
            let q = bank.get(id)?;
            Some(PaperQuestion {
                id: q.id,
                kind: q.kind,
                stem: q.stem.clone(),
                options: q.options.clone(),
                points: *points,
                answer: submitted.then(|| q.answer.clone()),
                response: submitted.then(|| responses.get(id).cloned().unwrap_or_default()),
                right: submitted.then(|| responses.get(id).is_some_and(|r| q.is_right(r))),
            })
        })
        .collect();
    AttemptView {
        id: a.id,
        exam_id: a.exam_id,
        started_at: a.started_at,
        time_limit_minutes: exam.time_limit_minutes,
        submitted,
        score: a.score,
        total: a.total,
        passed: a.score.map(|s| s >= exam.pass_score),
        questions,
    }
}

/// An exam offered to the signed-in member: by their organisation or one
/// above it. Anyone else is told it is not there.
async fn offered_exam(state: &AppState, auth: &Auth, exam_id: i64) -> AppResult<(ExamRow, MemberRecord)> {
    let (exam, path) = state.store.exam(exam_id).await?;
    let member = crate::app::own_member_within(state, auth, &path).await?.ok_or(AppError::NotFound)?;
    Ok((exam, member))
}

/// A paper cannot be drawn: the rule that asks for more than the bank holds.
fn short_bank(field: &'static str, s: ShortBank) -> AppError {
    AppError::refused(
        field,
        "exam.short_bank",
        vec![
            ("rule", (s.rule + 1).to_string()),
            ("wanted", s.wanted.to_string()),
            ("available", s.available.to_string()),
        ],
    )
}

/// Starts (or resumes) the signed-in member's attempt at an exam offered to
/// their organisation: a paper drawn for this attempt alone.
pub async fn start(state: &AppState, auth: &Auth, exam_id: i64) -> AppResult<AttemptView> {
    let (exam, member) = offered_exam(state, auth, exam_id).await?;
    let attempts = state.store.member_attempts(member.row.id, exam_id).await?;
    let bank = state.store.question_bank(exam.org_id).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let limit = u32::try_from(exam.time_limit_minutes).unwrap_or(0);
    if let Some(open) = attempts.iter().find(|a| a.submitted_at.is_none() && in_time(a.started_at, now, limit, 0)) {
        return Ok(view(&exam, &bank, open));
    }
    if attempts.len() as i64 >= exam.max_attempts {
        return Err(AppError::refused("exam", "exam.no_attempts_left", vec![("max", exam.max_attempts.to_string())]));
    }
    let rules: Vec<DrawRule> = serde_json::from_str(&exam.rules).unwrap_or_default();
    let seed = (now as u64) ^ ((member.row.id as u64) << 20) ^ (attempts.len() as u64);
    let paper = draw(&bank, &rules, seed).map_err(|s| short_bank("exam", s))?;
    let id = state.store.start_attempt(&auth.actor(), &exam, member.row.id, &paper).await?;
    Ok(view(&exam, &bank, &state.store.attempt(id).await?))
}

/// Submits responses: marked at once, refused after the time limit.
pub async fn submit(
    state: &AppState,
    auth: &Auth,
    attempt_id: i64,
    responses: &HashMap<i64, String>,
) -> AppResult<AttemptView> {
    let a = own_attempt(state, auth, attempt_id).await?;
    if a.submitted_at.is_some() {
        return Err(AppError::refused("attempt", "exam.already_submitted", vec![]));
    }
    let (exam, _) = state.store.exam(a.exam_id).await?;
    let now = chrono::Utc::now().timestamp_millis();
    if !in_time(a.started_at, now, u32::try_from(exam.time_limit_minutes).unwrap_or(0), GRACE_SECONDS) {
        return Err(AppError::refused(
            "attempt",
            "exam.time_up",
            vec![("minutes", exam.time_limit_minutes.to_string())],
        ));
    }
    let bank = state.store.question_bank(exam.org_id).await?;
    let paper: Vec<(i64, u32)> = serde_json::from_str(&a.paper).unwrap_or_default();
    let marked = mark(&paper, &bank, responses);
    let responses = serde_json::to_value(responses).map_err(|e| AppError::Internal(e.into()))?;
    if !state.store.submit_attempt(&auth.actor(), &a, &responses, i64::from(marked.score)).await? {
        return Err(AppError::refused("attempt", "exam.already_submitted", vec![]));
    }
    Ok(view(&exam, &bank, &state.store.attempt(a.id).await?))
}

async fn own_attempt(state: &AppState, auth: &Auth, id: i64) -> AppResult<AttemptRow> {
    let a = state.store.attempt(id).await?;
    if auth.principal().member_id != Some(a.member_id) {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

pub async fn show(state: &AppState, auth: &Auth, id: i64) -> AppResult<AttemptView> {
    let a = own_attempt(state, auth, id).await?;
    let (exam, _) = state.store.exam(a.exam_id).await?;
    Ok(view(&exam, &state.store.question_bank(exam.org_id).await?, &a))
}

/// An exam with how the subtree did: members who took it, and passed.
#[derive(Debug, Clone, Serialize)]
pub struct ExamSummary {
    pub exam: ExamListing,
    pub takers: i64,
    pub passed: i64,
}

/// The exams offered to an organisation, with its subtree's results: counted
/// over the subtree's attempts, then kept by the node under the tenant's
/// `study` figure version (which exams, attempts, members and organisations
/// move: migration 0024), keyed by the organisation's path as read.
pub async fn summaries(state: &AppState, org: &Org) -> AppResult<Vec<ExamSummary>> {
    let kept = super::cached_figure(state, &state.exams, org.tenant_id, Figures::Study, org.path.clone(), || async {
        let exams = state.store.exams_for(&org.path).await?;
        let ids: Vec<i64> = exams.iter().map(|e| e.id).collect();
        let counts = state.store.exam_takers(&ids, &org.path).await?;
        let out: Vec<ExamSummary> = exams
            .into_iter()
            .map(|exam| {
                let (takers, passed) = counts.get(&exam.id).copied().unwrap_or((0, 0));
                ExamSummary { takers, passed, exam }
            })
            .collect();
        let weight = 1 + out.len();
        Ok((out, weight))
    })
    .await?;
    Ok(Vec::clone(&kept))
}

/// An exam's results in a subtree (the drill-down from a summary): each
/// member who took it, attempts and best score. The exam must be offered to
/// the organisation (by it or one above it).
pub async fn results(
    state: &AppState,
    auth: &Auth,
    org_id: i64,
    exam_id: i64,
) -> AppResult<(Org, ExamRow, Vec<ExamResult>)> {
    let org = crate::app::org_for(state, auth, Action::ReadLearning, org_id).await?;
    let (exam, path) = state.store.exam(exam_id).await?;
    if !ronghe_domain::auth::path_within(&org.path, &path) {
        return Err(AppError::NotFound);
    }
    let rows = state.store.exam_results(exam_id, &org.path).await?;
    Ok((org, exam, rows))
}

/// An exam as the signed-in member sees it: its terms and their attempts.
#[derive(Debug, Clone, Serialize)]
pub struct MyExam {
    pub exam: ExamRow,
    pub org_name: String,
    pub questions: usize,
    pub attempts: Vec<AttemptRow>,
    pub attempts_left: i64,
    /// An attempt started and still within its time.
    pub open_attempt: Option<i64>,
}

pub async fn my_exam(state: &AppState, auth: &Auth, exam_id: i64) -> AppResult<MyExam> {
    let (exam, member) = offered_exam(state, auth, exam_id).await?;
    let attempts = state.store.member_attempts(member.row.id, exam_id).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let limit = u32::try_from(exam.time_limit_minutes).unwrap_or(0);
    let open_attempt =
        attempts.iter().find(|a| a.submitted_at.is_none() && in_time(a.started_at, now, limit, 0)).map(|a| a.id);
    let rules: Vec<DrawRule> = serde_json::from_str(&exam.rules).unwrap_or_default();
    let org_name = state.store.org(exam.org_id).await?.name;
    Ok(MyExam {
        questions: rules.iter().map(|r| r.count).sum(),
        attempts_left: (exam.max_attempts - attempts.len() as i64).max(0),
        open_attempt,
        attempts,
        org_name,
        exam,
    })
}
