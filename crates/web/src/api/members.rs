//! The roster through the API: a subtree's members (keyset pages), one
//! member, adding and editing, the audited view of personal data, and
//! spreadsheet import.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::members::{Category, Education, Gender, MemberInput, Status};
use ronghe_store::{decode_cursor, MemberFilter, MemberRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::roster;
use crate::app::roster_import::{self, ImportProblem};
use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppError, AppResult};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    /// `male` or `female`.
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    /// Masked: `410102********1234`. The full value: `POST …/personal-data`.
    pub id_number: String,
    pub education: Option<String>,
    pub post: String,
    pub unit: String,
    /// Masked: `138****8000`.
    pub phone: Option<String>,
    /// `full` or `probationary`.
    pub category: String,
    pub join_date: NaiveDate,
    pub conversion_date: Option<NaiveDate>,
    /// `normal`, `lost_contact`, `suspended`, `transferred_out`, `deceased`, `expelled` or `left`.
    pub status: String,
    pub status_since: NaiveDate,
    /// Send back with an update; a newer save by someone else is refused (409).
    pub version: i64,
}

impl From<MemberRow> for MemberDto {
    fn from(m: MemberRow) -> Self {
        MemberDto {
            id: m.id,
            org_id: m.org_id,
            org_name: m.org_name,
            name: m.name,
            gender: m.gender.code().into(),
            ethnicity: m.ethnicity,
            birth_date: m.birth_date,
            id_number: m.id_number_masked,
            education: m.education.0.map(|e| e.code().into()),
            post: m.post,
            unit: m.unit,
            phone: m.phone_masked,
            category: m.category.code().into(),
            join_date: m.join_date,
            conversion_date: m.conversion_date,
            status: m.status.code().into(),
            status_since: m.status_since,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Part of a name, or pinyin initials (`zs` finds 张三).
    pub q: Option<String>,
    pub category: Option<String>,
    /// Without a status, only active members (normal, lost contact).
    pub status: Option<String>,
    pub education: Option<String>,
    pub gender: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn code<T>(s: &Option<String>, from: fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => from(v).map(Some).ok_or(AppError::BadRequest("field.unknown_value")),
    }
}

/// The members of an organisation's subtree, in pinyin-initial order.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "members",
    params(("id" = i64, Path, description = "Organisation id"), ListParams),
    responses((status = 200, body = MemberList), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ListParams>,
) -> AppResult<Json<MemberList>> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadRoster, &org.path)?;
    let filter = MemberFilter {
        root_path: org.path.clone(),
        q: q.q.clone().filter(|s| !s.trim().is_empty()),
        category: code(&q.category, Category::from_code)?,
        status: code(&q.status, Status::from_code)?,
        education: code(&q.education, Education::from_code)?,
        gender: code(&q.gender, Gender::from_code)?,
        org_only: None,
        after: match q.cursor.as_deref() {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c).ok_or(AppError::BadRequest("api.bad_cursor"))?),
        },
        limit: q.limit.unwrap_or(50).clamp(1, 500),
        include_inactive: false,
    };
    let page = state.store.list_members(&filter).await?;
    Ok(Json(MemberList { items: page.rows.into_iter().map(MemberDto::from).collect(), next_cursor: page.next }))
}

/// A member as typed: every field text, checked as the form checks it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberBody {
    /// Where the member is enrolled (a branch or group); defaults to the
    /// organisation in the path when creating.
    pub org_id: Option<i64>,
    /// Required for an update: the version that was read.
    pub version: Option<i64>,
    #[serde(flatten)]
    #[schema(inline)]
    pub input: MemberInputSchema,
}

/// The member fields. Dates may be written as people write them
/// (`2024-03-05`, `2024/3/5`, `2024年3月5日`); labels or codes are accepted
/// for gender, category and education.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MemberInputSchema {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_number: String,
    pub education: String,
    pub post: String,
    pub unit: String,
    pub phone: String,
    pub category: String,
    pub join_date: String,
    pub conversion_date: String,
}

impl From<MemberInputSchema> for MemberInput {
    fn from(s: MemberInputSchema) -> Self {
        MemberInput {
            name: s.name,
            gender: s.gender,
            ethnicity: s.ethnicity,
            birth_date: s.birth_date,
            id_number: s.id_number,
            education: s.education,
            post: s.post,
            unit: s.unit,
            phone: s.phone,
            category: s.category,
            join_date: s.join_date,
            conversion_date: s.conversion_date,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Adds a member. Field problems come back as 422 with every field named.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members", tag = "members", request_body = MemberBody,
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<MemberBody>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let scope = state.store.org(id).await?;
    auth.require(Action::WriteRoster, &scope.path)?;
    let target = match b.org_id {
        Some(o) if o != id => {
            let t = state.store.org(o).await?;
            if !t.path.starts_with(&scope.path) {
                return Err(AppError::NotFound);
            }
            t
        }
        _ => scope,
    };
    let member_id = roster::create_member(&state, &auth, &target, &b.input.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: member_id })))
}

/// One member (personal data masked).
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members",
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 200, body = MemberDto), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Json<MemberDto>> {
    let rec = state.store.member(id).await?;
    roster::may_read(&auth, &rec)?;
    Ok(Json(rec.row.into()))
}

/// Rewrites a member's record.
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", request_body = MemberBody,
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 200, body = MemberDto), (status = 409, description = "Saved by someone else since `version`", body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<MemberBody>,
) -> AppResult<Json<MemberDto>> {
    let rec = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &rec.org_path)?;
    let version = b.version.ok_or(AppError::BadRequest("api.version_required"))?;
    let target = state.store.org(b.org_id.unwrap_or(rec.row.org_id)).await?;
    roster::update_member(&state, &auth, &rec, &target, version, &b.input.into()).await?;
    Ok(Json(state.store.member(id).await?.row.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalData {
    pub id_number: String,
    pub phone: Option<String>,
}

/// The member's identity number and phone in full. Audited.
#[utoipa::path(post, path = "/api/v1/members/{id}/personal-data", tag = "members",
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 200, body = PersonalData), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn reveal(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Json<PersonalData>> {
    let rec = state.store.member(id).await?;
    auth.require(Action::ViewPersonalData, &rec.org_path)?;
    let (id_number, phone) = state.store.reveal_member(&auth.actor(), id).await?;
    Ok(Json(PersonalData { id_number, phone }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// The file's name; its extension (.xlsx or .csv) says how to read it.
    pub file_name: String,
    /// Check only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub rows: usize,
    /// Members written (0 on a dry run or when there are problems).
    pub imported: usize,
    pub problems: Vec<ImportProblem>,
    pub ignored_columns: Vec<String>,
}

/// Imports a roster spreadsheet (the request body is the file). Every row
/// is checked first; with any problem nothing is written and the answer
/// (422) names each problem's row, column and reason.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/import", tag = "members",
    params(("id" = i64, Path, description = "Organisation the rows go to (and whose subtree a branch column searches)"), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult), (status = 422, body = ImportResult), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ImportParams>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<ImportResult>)> {
    let org = state.store.org(id).await?;
    auth.require(Action::ImportRoster, &org.path)?;
    let p = auth.principal().clone();
    let may_write = move |o: &ronghe_store::Org| p.can(Action::WriteRoster, &o.path);
    let report =
        roster_import::analyse(&state.store, &org, &q.file_name, &body, state.today(), auth.lang(), &may_write).await?;
    let imported =
        if report.ok() && !q.dry_run { roster_import::commit(&state.store, &auth.actor(), &report).await? } else { 0 };
    let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((
        status,
        Json(ImportResult {
            rows: report.rows,
            imported,
            problems: report.problems,
            ignored_columns: report.ignored_columns,
        }),
    ))
}
