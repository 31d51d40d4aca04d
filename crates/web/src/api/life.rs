//! Organisational life (三会一课 and the rest): compliance for a subtree,
//! meetings planned and held, sign-in, minutes, resolutions with named
//! votes, sealing and corrections.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use ronghe_domain::meetings::Period;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::YearQuery;
use crate::app::life::{self, Mark, PlanInput, RatingInput, ResolutionInput, ScheduleInput};
use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppResult};
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct QuarterQuery {
    /// Default: this year.
    pub year: Option<i32>,
    /// 1–4; default: this quarter.
    pub quarter: Option<u32>,
}

/// Compliance with the meetings rule pack for a subtree in a quarter: for
/// each required kind of meeting, how many obligations fell in it (each
/// branch's or group's month, quarter or — in the fourth quarter — year;
/// organisations founded during a period owe nothing for it), how many were
/// held, missed and still pending, the rate (held ÷ those fallen due), the
/// regulation, and the branches or groups that missed with the periods
/// (the first 5,000 of `missed_count` for each kind). A subtree whose
/// count is slow (a national root) answers its last count with
/// `counted_at` while it is recounted, and 202 while it is first counted.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/life/compliance", tag = "life",
    params(("id" = i64, Path, description = "Organisation id"), QuarterQuery),
    responses((status = 200, description = "Compliance by kind of meeting", body = serde_json::Value),
        (status = 202, description = "Being counted for the first time; ask again after Retry-After seconds", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn compliance(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<QuarterQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLife, id).await?;
    let (year, quarter) = life::quarter_or_current(&state, q.year, q.quarter);
    let c = life::compliance(&state, &org, year, quarter).await?;
    Ok(super::figure_json(&auth, &c))
}

/// An organisation's meetings in a year, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/meetings", tag = "life",
    params(("id" = i64, Path, description = "Organisation id"), YearQuery),
    responses((status = 200, description = "Meetings", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<ronghe_store::MeetingRow>>> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLife, id).await?;
    let year = state.year_or_current(q.year);
    let Period { start: from, end: to } = Period::year(year);
    let mut rows = state.store.org_meetings(org.id, from, to).await?;
    for r in &mut rows {
        r.signin_code = None;
    }
    Ok(Json(rows))
}

/// Plans a meeting; the expected attendees come from the roster. Answers 201.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/meetings", tag = "life", request_body = PlanInput,
    params(("id" = i64, Path, description = "The branch (or party group)")),
    responses((status = 201, description = "The meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(p): Json<PlanInput>,
) -> AppResult<(StatusCode, Json<life::MeetingView>)> {
    let org = state.store.org(id).await?;
    let m = life::plan(&state, &auth, &org, &p, None).await?;
    let m = state.store.meeting(m).await?;
    Ok((StatusCode::CREATED, Json(life::view(&state, m).await?)))
}

/// A meeting: details, who was expected and who came, the resolutions with
/// their named votes, the quorum, and the seal once sealed.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "life",
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The meeting", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    Ok(Json(life::view(&state, m).await?))
}

async fn after(state: &AppState, id: i64) -> AppResult<Json<life::MeetingView>> {
    let m = state.store.meeting(id).await?;
    Ok(Json(life::view(state, m).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttendanceBody {
    pub marks: Vec<Mark>,
}

/// The recorder marks who came and who did not (with the reason).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendance", tag = "life", request_body = AttendanceBody,
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn attendance(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<AttendanceBody>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::mark_attendance(&state, &auth, &m, &b.marks).await?;
    after(&state, id).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SigninCode {
    /// Six digits to show in the room; valid for two hours.
    pub code: String,
}

/// Opens sign-in: a one-time code to show in the room.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/signin-code", tag = "life",
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, body = SigninCode), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn signin_code(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<SigninCode>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    Ok(Json(SigninCode { code: life::open_signin(&state, &auth, &m).await? }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignInBody {
    pub code: String,
}

/// A member signs themselves in with the code shown in the room.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/sign-in", tag = "life", request_body = SignInBody,
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 204, description = "Signed in"), (status = 422, description = "Wrong or expired code", body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<SignInBody>,
) -> AppResult<StatusCode> {
    life::readable_meeting(&state, &auth, id).await?;
    life::sign_in(&state, &auth, id, &b.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MinutesBody {
    pub held_on: NaiveDate,
    pub minutes: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records the meeting as held on a day, with its minutes (editable until sealed).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes", tag = "life", request_body = MinutesBody,
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The meeting", body = serde_json::Value), (status = 409, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn minutes(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<MinutesBody>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::record_minutes(&state, &auth, &m, Some(b.held_on), &b.minutes, b.version).await?;
    after(&state, id).await
}

/// Adds a resolution with named votes, checked for quorum; it passes with
/// more than half of those entitled to vote.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/resolutions", tag = "life", request_body = ResolutionInput,
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The meeting", body = serde_json::Value),
        (status = 422, description = "Not quorate, or a voter not entitled or absent", body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn resolution(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<ResolutionInput>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::add_resolution(&state, &auth, &m, &b).await?;
    after(&state, id).await
}

/// Seals a held meeting into its organisation's SM3 hash chain. Refused
/// without minutes, or while someone expected is neither present nor
/// excused with a reason.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/seal", tag = "life",
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The sealed meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn seal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::seal(&state, &auth, &m).await?;
    after(&state, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelBody {
    pub reason: String,
}

/// Cancels a meeting not yet held, with the reason (audited); refused once
/// it is held.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "life", request_body = CancelBody,
    params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<CancelBody>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::cancel(&state, &auth, &m, &b.reason).await?;
    after(&state, id).await
}

/// Starts a correction of a sealed meeting: a new record pointing at it.
/// Answers 201 with the new meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/correction", tag = "life",
    params(("id" = i64, Path, description = "The sealed meeting")),
    responses((status = 201, description = "The correcting meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn correction(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<(StatusCode, Json<life::MeetingView>)> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let new = life::correct(&state, &auth, &m).await?;
    Ok((StatusCode::CREATED, after(&state, new).await?))
}

/// Plans the same meeting on a fixed day each month (the theme day) for up
/// to twelve months. Answers 201 with the meetings' ids.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/meetings/schedule", tag = "life", request_body = ScheduleInput,
    params(("id" = i64, Path, description = "The branch (or party group)")),
    responses((status = 201, description = "The meetings planned", body = Vec<i64>),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(s): Json<ScheduleInput>,
) -> AppResult<(StatusCode, Json<Vec<i64>>)> {
    let org = state.store.org(id).await?;
    Ok((StatusCode::CREATED, Json(life::schedule(&state, &auth, &org, &s).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingsBody {
    pub ratings: Vec<RatingInput>,
}

/// Records the branch's rating of each member at a democratic appraisal
/// (民主评议党员): excellent, qualified, basically qualified or unqualified.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/ratings", tag = "life", request_body = RatingsBody,
    params(("id" = i64, Path, description = "The appraisal meeting")),
    responses((status = 200, description = "The meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn ratings(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<RatingsBody>,
) -> AppResult<Json<life::MeetingView>> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::rate(&state, &auth, &m, &b.ratings).await?;
    after(&state, id).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FileParams {
    /// The file's name, with its extension.
    pub file_name: String,
}

/// Files a photo or document with a meeting (the request body is the file,
/// at most 10 MiB); refused once the meeting is sealed. Answers 201.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/files", tag = "life",
    params(("id" = i64, Path, description = "Meeting id"), FileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "The meeting", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn add_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<FileParams>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<life::MeetingView>)> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    life::add_file(&state, &auth, &m, &q.file_name, &body).await?;
    Ok((StatusCode::CREATED, after(&state, id).await?))
}
