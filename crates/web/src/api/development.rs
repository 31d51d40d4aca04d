//! Member development (发展党员): a person's record with what may come next,
//! recording steps, taking applications, documents, and a subtree's
//! pipeline.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::development::{self as dev, Application, Choice, Person, StepInput};
use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

/// A person's development record: their steps with dates (and who acted,
/// the people named, the named votes), and for each step that could come
/// next whether it is allowed today and, if not, which rule refuses it,
/// with its source and dates. The id is the person's: applicants and
/// candidates share the members' ids, and keep theirs when they join. A
/// member who joined before the platform kept records has no steps.
#[utoipa::path(get, path = "/api/v1/members/{id}/development", tag = "development",
    params(("id" = i64, Path, description = "Person id (a member or a person in development)")),
    responses((status = 200, description = "The person's development record", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Json<dev::Timeline>> {
    let person = dev::readable_person(&state, &auth, id).await?;
    Ok(Json(dev::timeline(&state, Tr(auth.lang()), &person).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteBody {
    pub member_id: i64,
    /// `agree`, `disagree` or `abstain`; members entitled to vote who are
    /// not listed were absent.
    pub choice: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepBody {
    /// The step's code (`talk`, `activist`, …, `archive`; see `next`).
    pub step: String,
    /// The day it was taken (not in the future).
    pub on: NaiveDate,
    /// Who acted: the body or person (e.g. the higher committee's officer).
    #[serde(default)]
    pub acted_by: String,
    #[serde(default)]
    pub note: String,
    /// For `contacts`: the cultivation contacts, full members, by id.
    #[serde(default)]
    pub contacts: Vec<i64>,
    /// For `introducers`: the two introducers, full members, by id.
    #[serde(default)]
    pub introducers: Vec<i64>,
    /// For `training`: days, or class hours, of concentrated training.
    #[serde(default)]
    pub training_days: u32,
    #[serde(default)]
    pub training_hours: u32,
    /// For `branch_vote` and `conversion_vote`: the named votes of the
    /// branch's full members present.
    #[serde(default)]
    pub votes: Vec<VoteBody>,
    /// For `approval`: a special case, approved within the longer limit.
    #[serde(default)]
    pub special: bool,
    /// For `conversion_vote`: the months probation was extended by, if it was.
    #[serde(default)]
    pub extended_months: Option<u32>,
    /// The record's `person.version` as read; a step recorded by someone
    /// else since is refused (409) instead of both going in.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records a step. It is refused (422) when the rule pack says it may not
/// be taken: the message says which rule, its source, and the dates
/// involved. Approval admits the person as a probationary member; the
/// conversion approval makes them a full member.
#[utoipa::path(post, path = "/api/v1/members/{id}/development/steps", tag = "development", request_body = StepBody,
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, description = "The record after the step", body = serde_json::Value),
        (status = 422, description = "A rule refuses the step", body = ApiErrorBody),
        (status = 409, description = "The record changed since it was read", body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn record_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> AppResult<Json<dev::Timeline>> {
    let c = state.store.candidate(id).await?;
    // Scope before anything about the body: outside it the person is not there.
    auth.require(ronghe_domain::auth::Action::WriteDevelopment, &c.org_path)?;
    let mut votes = Vec::with_capacity(b.votes.len());
    for v in &b.votes {
        let choice = Choice::from_code(v.choice.trim()).ok_or(AppError::Refused {
            field: "votes",
            key: "dev.bad_choice",
            params: vec![],
        })?;
        votes.push((v.member_id, choice));
    }
    let input = StepInput {
        step: b.step,
        on: Some(b.on),
        acted_by: b.acted_by,
        note: b.note,
        contacts: b.contacts,
        introducers: b.introducers,
        training_days: b.training_days,
        training_hours: b.training_hours,
        votes,
        special: b.special,
        extended_months: b.extended_months,
        version: b.version,
    };
    dev::record_step(&state, &auth, &c, &input).await?;
    let c = state.store.candidate(id).await?;
    Ok(Json(dev::timeline(&state, Tr(auth.lang()), &Person::Candidate(c)).await?))
}

/// The development pipeline of a subtree: how many people are at each of
/// the five stages and how many of them are overdue, and each person with
/// their last step and next deadline.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/development", tag = "development",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, description = "The pipeline", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn pipeline(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<dev::Pipeline>> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadDevelopment, id).await?;
    Ok(Json(dev::pipeline(&state, Tr(auth.lang()), &org).await?))
}

/// Takes an application at a branch: the person's details, checked like a
/// roster record, and the day the letter was handed in. Answers 201 with
/// the person's record; their id is used from then on.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/development", tag = "development", request_body = Application,
    params(("id" = i64, Path, description = "The branch")),
    responses((status = 201, description = "The new record", body = serde_json::Value),
        (status = 422, description = "A field is wrong, or the applicant is under age", body = ApiErrorBody),
        (status = 409, description = "Already a member, or already applied", body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(a): Json<Application>,
) -> AppResult<(StatusCode, Json<dev::Timeline>)> {
    let org = state.store.org(id).await?;
    let new = dev::apply(&state, &auth, &org, &a).await?;
    let c = state.store.candidate(new).await?;
    Ok((StatusCode::CREATED, Json(dev::timeline(&state, Tr(auth.lang()), &Person::Candidate(c)).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DocumentParams {
    /// The file's name, with its extension.
    pub file_name: String,
    /// The step it belongs to, if any.
    #[serde(default)]
    pub step_id: Option<i64>,
}

/// Files a document with a person's record (the request body is the file,
/// at most 10 MiB).
#[utoipa::path(post, path = "/api/v1/members/{id}/development/documents", tag = "development",
    params(("id" = i64, Path, description = "Person id"), DocumentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "The document's id", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn add_document(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<DocumentParams>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let c = state.store.candidate(id).await?;
    let doc = dev::add_document(&state, &auth, &c, q.step_id, &q.file_name, &body).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": doc}))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PackBody {
    /// The development pack's version to move the person to.
    pub version: String,
    /// Why (recorded in the audit log).
    pub reason: String,
}

/// Moves a person to another development rule pack. A person otherwise
/// stays on the pack in force when their current stage began; a group
/// administrator may move them, with a reason.
#[utoipa::path(put, path = "/api/v1/members/{id}/development/pack", tag = "development", request_body = PackBody,
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, description = "The record under the pack", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn move_pack(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<PackBody>,
) -> AppResult<Json<dev::Timeline>> {
    let c = state.store.candidate(id).await?;
    dev::move_pack(&state, &auth, &c, &b.version, &b.reason).await?;
    let c = state.store.candidate(id).await?;
    Ok(Json(dev::timeline(&state, Tr(auth.lang()), &Person::Candidate(c)).await?))
}
