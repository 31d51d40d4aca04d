//! Transfers of membership (组织关系转接): asking, the actions that follow,
//! a transfer's record, a subtree's transfers and membership alerts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::transfers::{self, ActionInput, AwayInput, InboundInput, RequestInput};
use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppResult};
use crate::AppState;

/// Asks for a member's transfer, within the group (`internal`, to an
/// organisation by id or code) or out of it (`outbound`, to a named
/// organisation). The member stays where they are until the receiving
/// organisation accepts. Answers 201 with the transfer.
#[utoipa::path(post, path = "/api/v1/members/{id}/transfers", tag = "transfers", request_body = RequestInput,
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 201, description = "The transfer", body = serde_json::Value),
        (status = 409, description = "A transfer of this member is already under way", body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<RequestInput>,
) -> AppResult<(StatusCode, Json<transfers::TransferView>)> {
    let m = state.store.member(id).await?;
    let t = transfers::request(&state, &auth, &m, &b).await?;
    let t = state.store.transfer(t).await?;
    Ok((StatusCode::CREATED, Json(transfers::view(&state, &auth, t).await?)))
}

/// Registers an introduction letter brought in from an organisation
/// outside the group, at the branch the member comes to. Answers 201.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/transfers/inbound", tag = "transfers", request_body = InboundInput,
    params(("id" = i64, Path, description = "The receiving branch")),
    responses((status = 201, description = "The transfer", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn register_inbound(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<InboundInput>,
) -> AppResult<(StatusCode, Json<transfers::TransferView>)> {
    let org = state.store.org(id).await?;
    let t = transfers::register_inbound(&state, &auth, &org, &b).await?;
    let t = state.store.transfer(t).await?;
    Ok((StatusCode::CREATED, Json(transfers::view(&state, &auth, t).await?)))
}

/// A transfer: where it stands, its dated events, the letter, warnings,
/// and the actions that could come next (allowed today or why not; whether
/// the caller may take them).
#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "transfers",
    params(("id" = i64, Path, description = "Transfer id")),
    responses((status = 200, description = "The transfer", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<transfers::TransferView>> {
    let t = state.store.transfer(id).await?;
    transfers::may_read(&auth, &t)?;
    Ok(Json(transfers::view(&state, &auth, t).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionBody {
    /// `approve`, `issue_letter`, `receive`, `report`, `reject` or `cancel`.
    pub action: String,
    /// Default: today.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// The reason, for `reject` and `cancel` (required there).
    #[serde(default)]
    pub note: String,
    /// For `issue_letter`: the letter's validity in days (default: the pack's).
    #[serde(default)]
    pub valid_days: Option<u32>,
    /// The transfer's version as read; a change since is refused (409).
    #[serde(default)]
    pub version: Option<i64>,
    /// For `receive` of a transfer into the group: the member's record.
    #[serde(default)]
    pub member: Option<super::members::MemberInputSchema>,
}

/// Takes the next action on a transfer. Refused (422) when the rules say
/// not now (an expired letter, a date before the last action), with the
/// rule and its source; 403 when the action is another organisation's.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/actions", tag = "transfers", request_body = ActionBody,
    params(("id" = i64, Path, description = "Transfer id")),
    responses((status = 200, description = "The transfer after the action", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<ActionBody>,
) -> AppResult<Json<transfers::TransferView>> {
    let t = state.store.transfer(id).await?;
    let input = ActionInput {
        action: b.action,
        on: b.on,
        note: b.note,
        valid_days: b.valid_days,
        version: b.version,
        member: b.member.map(Into::into),
    };
    transfers::act(&state, &auth, &t, &input).await?;
    let t = state.store.transfer(id).await?;
    Ok(Json(transfers::view(&state, &auth, t).await?))
}

/// A subtree's transfers (sent from it or to it; under way, and those of
/// the last year), each with its warnings, and the members out of contact
/// long enough to be suspended.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/transfers", tag = "transfers",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, description = "Transfers and membership alerts", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<transfers::Overview>> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadRoster, id).await?;
    Ok(Json(transfers::overview(&state, &org).await?))
}

/// Records that a member is away (流动党员): since when, where, doing what,
/// the certificate they carry. Refused (409) while an earlier stay is open.
/// Away longer than the membership pack's months, the subtree's list says
/// the membership should be transferred. Answers 201 with the member's stays.
#[utoipa::path(post, path = "/api/v1/members/{id}/away", tag = "transfers", request_body = AwayInput,
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 201, description = "The member's stays away", body = serde_json::Value),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn record_away(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<AwayInput>,
) -> AppResult<(StatusCode, Json<Vec<ronghe_store::AwayRow>>)> {
    let m = state.store.member(id).await?;
    transfers::record_away(&state, &auth, &m, &b).await?;
    Ok((StatusCode::CREATED, Json(state.store.member_away(id).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BackBody {
    /// The day the member came back (default: today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Records a member's return from a stay away.
#[utoipa::path(post, path = "/api/v1/members/{id}/away/{away}/return", tag = "transfers", request_body = BackBody,
    params(("id" = i64, Path, description = "Member id"), ("away" = i64, Path, description = "The stay")),
    responses((status = 200, description = "The member's stays away", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, description = "No such open stay (or a return before leaving)", body = ApiErrorBody)))]
pub async fn end_away(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, away)): Path<(i64, i64)>,
    Json(b): Json<BackBody>,
) -> AppResult<Json<Vec<ronghe_store::AwayRow>>> {
    let m = state.store.member(id).await?;
    transfers::end_away(&state, &auth, &m, away, b.on.unwrap_or_else(|| state.today())).await?;
    Ok(Json(state.store.member_away(id).await?))
}
