//! Decision governance (三重一大): topics through the procedure list, the
//! classifier's suggestion, returns, execution tasks, and the four metrics.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::YearQuery;
use crate::app::decisions::{self, MetricsView, StepInput, SubmitInput, Suggestion, TopicList, TopicView};
use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppResult};
use crate::AppState;
use ronghe_domain::auth::Action;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// Default: this year.
    pub year: Option<i32>,
    /// 1–4 for one quarter of the year; default: the whole year.
    pub quarter: Option<u32>,
}

/// The four metrics of decision governance for a subtree and year (or one
/// quarter of it), over the
/// topics decided in it: 前置研究执行率 (`prestudy_rate`), 决策记实档案完整率
/// (`archive_completeness`), 重大决策合规率 (`compliance`), each with its
/// numerator and denominator and the topic ids on each side; and the decision
/// cycle (`cycle_time`: median days from submission to decision, with the
/// total days and decided topics).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/decisions/metrics", tag = "decisions",
    params(("id" = i64, Path, description = "Organisation id"), PeriodQuery),
    responses((status = 200, description = "The metrics", body = MetricsView),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<MetricsView>> {
    let org = crate::app::org_for(&state, &auth, Action::ReadDecisions, id).await?;
    Ok(Json(decisions::metrics_in(&state, &org, state.year_or_current(q.year), q.quarter).await?))
}

/// A subtree's topics alive in a year (submitted by its end, not ended
/// before its start), newest first, and the overdue execution tasks.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/topics", tag = "decisions",
    params(("id" = i64, Path, description = "Organisation id"), YearQuery),
    responses((status = 200, description = "Topics", body = TopicList),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<TopicList>> {
    let org = crate::app::org_for(&state, &auth, Action::ReadDecisions, id).await?;
    Ok(Json(decisions::list(&state, &org, state.year_or_current(q.year)).await?))
}

/// Submits a topic to the organisation's party committee (议题申报),
/// classified as an item of the matters list. Answers 201 with the topic.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/topics", tag = "decisions", request_body = SubmitInput,
    params(("id" = i64, Path, description = "The organisation whose committee studies it")),
    responses((status = 201, description = "The topic", body = Object),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(s): Json<SubmitInput>,
) -> AppResult<(StatusCode, Json<TopicView>)> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadDecisions, &org.path)?;
    let topic = decisions::submit(&state, &auth, &org, &s).await?;
    Ok((StatusCode::CREATED, Json(decisions::view(&state, state.store.topic(topic).await?).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SuggestQuery {
    pub title: String,
}

/// The matters list's items that best match a title, best first, with
/// whether each needs pre-study, experts or the workers' congress.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/decisions/suggest", tag = "decisions",
    params(("id" = i64, Path, description = "Organisation id"), SuggestQuery),
    responses((status = 200, description = "Suggested items", body = Vec<Suggestion>),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<SuggestQuery>,
) -> AppResult<Json<Vec<Suggestion>>> {
    let org = crate::app::org_for(&state, &auth, Action::ReadDecisions, id).await?;
    let pack = decisions::pack_for(&state, org.tenant_id, state.today()).await?;
    Ok(Json(decisions::suggestions(&pack, &q.title)))
}

/// A topic: its item, every step of the procedure list that applies with
/// where it stands and its record, returns, tasks, the archive's
/// completeness and, once ended, its seal.
#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "decisions",
    params(("id" = i64, Path, description = "Topic id")),
    responses((status = 200, description = "The topic", body = Object),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Json<TopicView>> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    Ok(Json(decisions::view(&state, t).await?))
}

async fn after(state: &AppState, id: i64) -> AppResult<Json<TopicView>> {
    Ok(Json(decisions::view(state, state.store.topic(id).await?).await?))
}

/// Records a step of the procedure list. Refused (422, naming what is
/// missing) while a prior step or an artefact the step requires is missing;
/// the discussion needs a quorum of the committee, and a topic it does not
/// pass ends rejected and sealed, as does one the deciding body rejects or
/// supervision closes.
#[utoipa::path(post, path = "/api/v1/topics/{id}/steps", tag = "decisions", request_body = StepInput,
    params(("id" = i64, Path, description = "Topic id")),
    responses((status = 200, description = "The topic", body = Object),
        (status = 422, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn record_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(s): Json<StepInput>,
) -> AppResult<Json<TopicView>> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    decisions::record_step(&state, &auth, &t, &s).await?;
    after(&state, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnBody {
    pub reason: String,
    /// The topic's `version` as last seen: a topic changed since is refused (409).
    pub version: Option<i64>,
}

/// Sends an open topic back to its proposer with the reasons.
#[utoipa::path(post, path = "/api/v1/topics/{id}/return", tag = "decisions", request_body = ReturnBody,
    params(("id" = i64, Path, description = "Topic id")),
    responses((status = 200, description = "The topic", body = Object),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn return_topic(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<ReturnBody>,
) -> AppResult<Json<TopicView>> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    decisions::return_topic(&state, &auth, &t, &b.reason, b.version).await?;
    after(&state, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResubmitBody {
    /// What was done about the reasons.
    pub response: String,
    /// The amended summary (default: unchanged).
    #[serde(default)]
    pub summary: String,
    /// The topic's `version` as last seen: a topic changed since is refused (409).
    pub version: Option<i64>,
}

/// Resubmits a returned topic.
#[utoipa::path(post, path = "/api/v1/topics/{id}/resubmit", tag = "decisions", request_body = ResubmitBody,
    params(("id" = i64, Path, description = "Topic id")),
    responses((status = 200, description = "The topic", body = Object),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn resubmit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<ResubmitBody>,
) -> AppResult<Json<TopicView>> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    decisions::resubmit(&state, &auth, &t, &b.response, &b.summary, b.version).await?;
    after(&state, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseTaskBody {
    pub result: String,
    /// Default: today.
    pub done_on: Option<chrono::NaiveDate>,
    /// The topic's `version` as last seen: a topic changed since is refused (409).
    pub version: Option<i64>,
}

/// Closes an execution task with its result (supervision).
#[utoipa::path(post, path = "/api/v1/topics/{id}/tasks/{task}/close", tag = "decisions", request_body = CloseTaskBody,
    params(("id" = i64, Path, description = "Topic id"), ("task" = i64, Path, description = "Task id")),
    responses((status = 200, description = "The topic", body = Object),
        (status = 422, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn close_task(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, task)): Path<(i64, i64)>,
    Json(b): Json<CloseTaskBody>,
) -> AppResult<Json<TopicView>> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    decisions::close_task(&state, &auth, &t, task, b.done_on, &b.result, b.version).await?;
    after(&state, id).await
}
