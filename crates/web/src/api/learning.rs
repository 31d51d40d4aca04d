//! Learning: a member's study year, heartbeats from lesson pages, courses
//! and offline training.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use ronghe_domain::learning::Beat;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::YearQuery;
use crate::app::learning::{self, CourseInput, TrainingInput};
use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppResult};
use crate::AppState;

/// A member's study in a year: class hours by source (online, from lesson
/// pages' heartbeats; offline, from training the organiser recorded), the
/// requirement (32 class hours, 56 for secretaries and committee members, as
/// the learning rule pack says) and what is left.
#[utoipa::path(get, path = "/api/v1/members/{id}/study", tag = "learning",
    params(("id" = i64, Path, description = "Member id"), YearQuery),
    responses((status = 200, description = "The study year", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn study(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<learning::StudyYear>> {
    let m = state.store.member(id).await?;
    learning::may_read(&auth, &m)?;
    Ok(Json(learning::study_year(&state, &m, state.year_or_current(q.year)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BeatBody {
    /// A random id the page makes when it opens (one per tab).
    pub tab: String,
    /// Increases with each beat of the tab.
    pub seq: i64,
    /// The page's clock, Unix ms.
    pub client_ms: i64,
    /// The page is visible.
    pub visible: bool,
    /// The learner was active since the last beat.
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BeatResult {
    /// Seconds this beat credited.
    pub credited_seconds: i64,
    /// Why it credited nothing, when it was ignored (`replayed`, `future`, `stale`).
    pub ignored: Option<String>,
    /// The member's seconds on this lesson in all.
    pub lesson_seconds: i64,
}

/// A heartbeat from an open lesson page (the signed-in member's).
#[utoipa::path(post, path = "/api/v1/lessons/{id}/heartbeat", tag = "learning", request_body = BeatBody,
    params(("id" = i64, Path, description = "Lesson id")),
    responses((status = 200, body = BeatResult), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn heartbeat(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<BeatBody>,
) -> AppResult<Json<BeatResult>> {
    let beat = Beat { tab: b.tab, seq: b.seq, client_ms: b.client_ms, visible: b.visible, active: b.active };
    let (a, total) = learning::heartbeat(&state, &auth, id, &beat).await?;
    Ok(Json(BeatResult {
        credited_seconds: a.credit_seconds,
        ignored: a
            .ignored
            .map(|i| serde_json::to_value(i).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
        lesson_seconds: total,
    }))
}

/// Offers a course of lessons to an organisation's subtree. Answers 201 with its id.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/courses", tag = "learning", request_body = CourseInput,
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 201, body = i64), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn create_course(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(c): Json<CourseInput>,
) -> AppResult<(StatusCode, Json<i64>)> {
    let org = state.store.org(id).await?;
    Ok((StatusCode::CREATED, Json(learning::create_course(&state, &auth, &org, &c).await?)))
}

/// Records offline training (party school, a study session) with the
/// members who attended and its class hours. Answers 201 with its id.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/trainings", tag = "learning", request_body = TrainingInput,
    params(("id" = i64, Path, description = "The organising organisation")),
    responses((status = 201, body = i64), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn record_training(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(t): Json<TrainingInput>,
) -> AppResult<(StatusCode, Json<i64>)> {
    let org = state.store.org(id).await?;
    Ok((StatusCode::CREATED, Json(learning::record_training(&state, &auth, &org, &t).await?)))
}

/// A subtree's study in a year: each member's class hours by source
/// against their requirement, how many have met it, and each required
/// course's completion. Drill down to a member with `/members/{id}/study`.
/// Online hours and required-course completion (both read from online
/// study time) stand at the minute in `online_as_of`: the report is kept
/// for up to a minute while people study. Trainings, offices, courses, exam
/// results and members show at once.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/study", tag = "learning",
    params(("id" = i64, Path, description = "Organisation id"), YearQuery),
    responses((status = 200, description = "The study report", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLearning, id).await?;
    let r = learning::report(&state, &org, state.year_or_current(q.year)).await?;
    Ok(Json(&*r).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QuestionsBody {
    pub questions: Vec<crate::app::exams::QuestionInput>,
}

/// Adds questions to an organisation's bank. Every question is checked
/// first; with any problem nothing is added and the refusal names the
/// question's number. Answers 201 with how many were added.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/questions", tag = "learning", request_body = QuestionsBody,
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 201, body = usize), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn add_questions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<QuestionsBody>,
) -> AppResult<(StatusCode, Json<usize>)> {
    let org = state.store.org(id).await?;
    Ok((StatusCode::CREATED, Json(crate::app::exams::add_questions(&state, &auth, &org, &b.questions).await?)))
}

/// Creates an exam that draws each paper by its rules from the bank;
/// refused when the bank cannot fill one. Answers 201 with its id.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/exams", tag = "learning", request_body = crate::app::exams::ExamInput,
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 201, body = i64), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn create_exam(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(e): Json<crate::app::exams::ExamInput>,
) -> AppResult<(StatusCode, Json<i64>)> {
    let org = state.store.org(id).await?;
    Ok((StatusCode::CREATED, Json(crate::app::exams::create_exam(&state, &auth, &org, &e).await?)))
}

/// Starts the signed-in member's attempt (or resumes an open one): a paper
/// drawn for this attempt, without answers. Refused past the number of tries.
#[utoipa::path(post, path = "/api/v1/exams/{id}/attempts", tag = "learning",
    params(("id" = i64, Path, description = "Exam id")),
    responses((status = 200, description = "The attempt", body = serde_json::Value), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn start_attempt(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<crate::app::exams::AttemptView>> {
    Ok(Json(crate::app::exams::start(&state, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmitBody {
    /// Responses by question id: option letters, `true`/`false`, or the fill-in.
    #[schema(value_type = Object)]
    pub responses: std::collections::HashMap<i64, String>,
}

/// Submits an attempt: marked at once and returned for review with the
/// right answers. Refused after the time limit or a second time.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/submit", tag = "learning", request_body = SubmitBody,
    params(("id" = i64, Path, description = "Attempt id")),
    responses((status = 200, description = "The marked attempt", body = serde_json::Value), (status = 422, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn submit_attempt(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<SubmitBody>,
) -> AppResult<Json<crate::app::exams::AttemptView>> {
    Ok(Json(crate::app::exams::submit(&state, &auth, id, &b.responses).await?))
}

/// One's own attempt: the questions, and once submitted the review.
#[utoipa::path(get, path = "/api/v1/attempts/{id}", tag = "learning",
    params(("id" = i64, Path, description = "Attempt id")),
    responses((status = 200, description = "The attempt", body = serde_json::Value), (status = 404, body = ApiErrorBody)))]
pub async fn show_attempt(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<crate::app::exams::AttemptView>> {
    Ok(Json(crate::app::exams::show(&state, &auth, id).await?))
}

/// Imports a question bank from a spreadsheet (the request body is the
/// .xlsx): headers 题型, 分类, 题干, 选项A…选项H, 答案 (or kind, category,
/// stem, A…H, answer). All rows or none; a refusal names the sheet's row.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/questions/import", tag = "learning",
    params(("id" = i64, Path, description = "Organisation id")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = usize), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn import_questions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<usize>)> {
    let org = state.store.org(id).await?;
    Ok((StatusCode::CREATED, Json(crate::app::exams::import_questions(&state, &auth, &org, &body).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MediaParams {
    /// The file's name, with its extension (.pdf, .mp4, .webm, .mp3, .m4a, .ogg, .wav).
    pub file_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaCreated {
    pub id: i64,
    /// `pdf`, `video` or `audio`: the kind of lesson it makes.
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    /// Where it is served (with range requests).
    pub href: String,
}

/// Uploads a lesson file (the request body is the file, up to the server's
/// `max_media_mb`): a PDF, video or audio whose name and first bytes agree.
/// Name it as a lesson's `media_id` in `POST /api/v1/orgs/{id}/courses`.
/// Answers 201.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/media", tag = "learning",
    params(("id" = i64, Path, description = "Organisation id"), MediaParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MediaCreated), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn upload_media(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<MediaParams>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<MediaCreated>)> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::WriteLearning, id).await?;
    let media = learning::upload_media(&state, &auth, &org, &q.file_name, &body).await?;
    let m = state.store.media(media).await?.row;
    Ok((
        StatusCode::CREATED,
        Json(MediaCreated {
            id: m.id,
            kind: m.kind,
            content_type: m.content_type,
            size: m.size,
            href: format!("/media/{}", m.id),
        }),
    ))
}

/// The exams offered to an organisation (by it or above it), each with how
/// many of its subtree took and passed it.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/exams", tag = "learning",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, description = "Exams with results", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn exams(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<crate::app::exams::ExamSummary>>> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLearning, id).await?;
    Ok(Json(crate::app::exams::summaries(&state, &org).await?))
}

/// An exam's results in a subtree: each member who took it, their attempts
/// and best score (the drill-down from `GET /api/v1/orgs/{id}/exams`).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/exams/{exam}/results", tag = "learning",
    params(("id" = i64, Path, description = "Organisation id"), ("exam" = i64, Path, description = "Exam id")),
    responses((status = 200, description = "Results", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn exam_results(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, exam)): Path<(i64, i64)>,
) -> AppResult<Json<serde_json::Value>> {
    let (_, exam, rows) = crate::app::exams::results(&state, &auth, id, exam).await?;
    Ok(Json(serde_json::json!({"exam": exam, "results": rows})))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RankingBody {
    pub on: bool,
}

/// Switches the organisation's study ranking on or off (off unless an
/// organisation turns it on). Answers 204.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/study/ranking", tag = "learning", request_body = RankingBody,
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn set_ranking(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<RankingBody>,
) -> AppResult<StatusCode> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::WriteLearning, id).await?;
    learning::set_ranking(&state, &auth, &org, b.on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation's study ranking for a year, for its members and
/// readers; refused (422 `learn.ranking_off`) unless switched on.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/study/ranking", tag = "learning",
    params(("id" = i64, Path, description = "Organisation id"), YearQuery),
    responses((status = 200, description = "The ranking", body = serde_json::Value), (status = 422, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn ranking(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<learning::Ranking>> {
    Ok(Json(learning::ranking(&state, &auth, id, state.year_or_current(q.year)).await?))
}
