//! Exam pages. A member sees an exam's terms and their attempts, starts or
//! resumes one (a paper drawn for it), answers and submits, then reviews the
//! answers. An organisation's page holds its question bank (added from a
//! spreadsheet), its exams (the paper's rules as counts per kind), and how
//! its subtree did, drilling down to each member's attempts.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::auth::Action;
use ronghe_domain::exams::{DrawRule, QuestionKind};
use ronghe_store::{ExamResult, ExamRow, Org};

use super::{form_page, page, Chrome};
use crate::app::exams::{self, AttemptView, ExamSummary, MyExam};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exams/{id}", get(exam))
        .route("/exams/{id}/start", post(start))
        .route("/attempts/{id}", get(attempt))
        .route("/attempts/{id}/submit", post(submit))
        .route("/orgs/{id}/exams", get(manage).post(create))
        .route("/orgs/{id}/questions/import", post(import))
        .route("/orgs/{id}/exams/{exam}/results", get(results))
}

#[derive(Template)]
#[template(path = "exams/exam.html")]
struct ExamPage {
    page: Chrome,
    e: MyExam,
    error: Option<String>,
}

impl ExamPage {
    fn passed(&self, score: &Option<i64>) -> bool {
        score.is_some_and(|s| s >= self.e.exam.pass_score)
    }
}

async fn exam(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    exam_view(&state, &auth, id, None).await
}

async fn exam_view(state: &AppState, auth: &Auth, id: i64, error: Option<String>) -> AppResult<Response> {
    let e = exams::my_exam(state, auth, id).await?;
    form_page(
        error.is_some(),
        ExamPage { page: Chrome::new(auth, e.exam.title.clone(), format!("/exams/{id}")), e, error },
    )
}

async fn start(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    match exams::start(&state, &auth, id).await {
        Ok(a) => Ok(Redirect::to(&format!("/attempts/{}", a.id)).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, None)?;
            exam_view(&state, &auth, id, Some(message)).await
        }
    }
}

#[derive(Template)]
#[template(path = "exams/attempt.html")]
struct AttemptPage {
    page: Chrome,
    a: AttemptView,
    title: String,
    /// When the time is up, Unix ms (for the page's countdown).
    deadline_ms: i64,
    error: Option<String>,
}

impl AttemptPage {
    fn letter(&self, i: &usize) -> char {
        (b'A' + *i as u8) as char
    }

    /// An answer as the member reads it: 正确/错误 rather than true/false.
    fn shown(&self, k: &QuestionKind, s: &str) -> String {
        match (k, s.trim()) {
            (_, "") => "—".into(),
            (QuestionKind::TrueFalse, "true") => self.page.tr.t("exam.true").into(),
            (QuestionKind::TrueFalse, "false") => self.page.tr.t("exam.false").into(),
            (_, s) => s.into(),
        }
    }
}

async fn attempt(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    attempt_view(&state, &auth, exams::show(&state, &auth, id).await?, None).await
}

async fn attempt_view(state: &AppState, auth: &Auth, a: AttemptView, error: Option<String>) -> AppResult<Response> {
    let (exam, _) = state.store.exam(a.exam_id).await?;
    form_page(
        error.is_some(),
        AttemptPage {
            page: Chrome::new(auth, exam.title.clone(), format!("/exams/{}", exam.id)),
            deadline_ms: a.started_at + a.time_limit_minutes * 60_000,
            title: exam.title,
            a,
            error,
        },
    )
}

/// The answer form: `q_{id}` once per chosen option (multiple choice), or
/// once with the choice or the fill-in.
async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut responses: HashMap<i64, String> = HashMap::new();
    for (k, v) in &f {
        if let Some(q) = k.strip_prefix("q_").and_then(|q| q.parse::<i64>().ok()) {
            responses.entry(q).or_default().push_str(v.trim());
        }
    }
    match exams::submit(&state, &auth, id, &responses).await {
        Ok(_) => Ok(Redirect::to(&format!("/attempts/{id}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, None)?;
            attempt_view(&state, &auth, exams::show(&state, &auth, id).await?, Some(message)).await
        }
    }
}

#[derive(Template)]
#[template(path = "exams/manage.html")]
struct ManagePage {
    page: Chrome,
    org: Org,
    exams: Vec<ExamSummary>,
    /// Questions in this organisation's bank, by kind.
    bank: Vec<(String, i64)>,
    can_write: bool,
    error: Option<String>,
    notice: Option<String>,
    /// What the exam form sent, when it comes back with an error.
    sent: super::Sent,
}

impl ManagePage {
    fn kinds(&self) -> Vec<&'static str> {
        QuestionKind::ALL.iter().map(|k| k.code()).collect()
    }

    fn in_bank(&self, kind: &&str) -> i64 {
        self.bank.iter().find(|(k, _)| k == kind).map(|(_, n)| *n).unwrap_or(0)
    }
}

async fn manage(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::ReadLearning, id).await?;
    manage_view(&state, &auth, org, None, None, super::Sent::default()).await
}

async fn manage_view(
    state: &AppState,
    auth: &Auth,
    org: Org,
    error: Option<String>,
    notice: Option<String>,
    sent: super::Sent,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    form_page(
        error.is_some(),
        ManagePage {
            page: Chrome::new(
                auth,
                format!("{} · {}", org.name, tr.t("exam.title")),
                format!("/orgs/{}/exams", org.id),
            ),
            exams: exams::summaries(state, &org).await?,
            bank: state.store.bank_counts(org.id).await?,
            can_write: auth.principal().can(Action::WriteLearning, &org.path),
            org,
            error,
            notice,
            sent,
        },
    )
}

/// The exam form: title, limits, and for each kind how many questions a
/// paper draws (`count_{kind}`) and what each is worth (`points_{kind}`).
async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::ReadLearning, id).await?;
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let num = |k: &str| get(k).parse::<i64>().unwrap_or(0);
    let rules = QuestionKind::ALL
        .iter()
        .filter_map(|k| {
            let count = usize::try_from(num(&format!("count_{}", k.code()))).unwrap_or(0);
            let points = u32::try_from(num(&format!("points_{}", k.code()))).unwrap_or(0);
            (count > 0).then_some(DrawRule { category: None, kind: *k, count, points })
        })
        .collect();
    let input = exams::ExamInput {
        title: get("title"),
        rules,
        time_limit_minutes: num("time_limit_minutes"),
        max_attempts: num("max_attempts"),
        pass_score: num("pass_score"),
    };
    match exams::create_exam(&state, &auth, &org, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/exams")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("exam.field"))?;
            manage_view(&state, &auth, org, Some(message), None, super::Sent(f)).await
        }
    }
}

/// A question bank from a spreadsheet: all rows or none.
async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::ReadLearning, id).await?;
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest("import.unreadable"))? {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(|_| AppError::BadRequest("import.unreadable"))?);
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or(AppError::BadRequest("import.no_file"))?;
    let tr = Tr(auth.lang());
    match exams::import_questions(&state, &auth, &org, &bytes).await {
        Ok(n) => manage_view(&state, &auth, org, None, Some(tr.tn("exam.imported", n)), super::Sent::default()).await,
        Err(e) => {
            let message = super::form_error(tr, e, Some("exam.field"))?;
            manage_view(&state, &auth, org, Some(message), None, super::Sent::default()).await
        }
    }
}

#[derive(Template)]
#[template(path = "exams/results.html")]
struct ResultsPage {
    page: Chrome,
    org: Org,
    exam: ExamRow,
    rows: Vec<ExamResult>,
}

impl ResultsPage {
    fn passed(&self, r: &ExamResult) -> bool {
        r.best.is_some_and(|b| b >= self.exam.pass_score)
    }
}

async fn results(State(state): State<AppState>, auth: Auth, Path((id, exam)): Path<(i64, i64)>) -> AppResult<Response> {
    let (org, exam, rows) = exams::results(&state, &auth, id, exam).await?;
    page(ResultsPage {
        page: Chrome::new(&auth, format!("{} · {}", org.name, exam.title), format!("/orgs/{id}/exams")),
        org,
        exam,
        rows,
    })
}
