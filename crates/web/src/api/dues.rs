//! Party dues: what a member pays a month, from the dues rule pack.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::dues::{DuesRulePack, PaymentKind, Period};
use ronghe_domain::members::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::YearQuery;
use crate::app::dues;
use crate::auth::{Auth, RequestCtx};
use crate::error::{ApiErrorBody, AppError, AppResult};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct QuoteRequest {
    /// `employed`, `retired`, `farmer`, `student`, `unemployed` or `relief`.
    pub category: String,
    /// The monthly base in fen: the after-tax wage of the employed, the
    /// pension of the retired. Required for those two; ignored otherwise.
    #[serde(default)]
    pub monthly_income_fen: Option<i64>,
    /// Quote under the pack in force on this day (default: today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResponse {
    pub category: String,
    pub monthly_income_fen: Option<i64>,
    /// The rate applied, in permille (‰) of the income; null for the
    /// categories that pay a fixed amount.
    pub rate_permille: Option<i64>,
    /// The monthly dues in fen, rounded as the rule pack says.
    pub monthly_dues_fen: i64,
    /// For farmers: the most a branch may set instead of the standard.
    pub max_fen: Option<i64>,
    /// The rule pack's version.
    pub rule_pack: String,
    /// The regulation the amount comes from.
    pub source: String,
}

/// The monthly dues for a category and income. Signed-in users get their
/// group's dues rules; anyone else the rules shipped with Ronghe (the
/// national standard).
#[utoipa::path(post, path = "/api/v1/dues/quote", tag = "dues", request_body = QuoteRequest,
    responses(
        (status = 200, description = "The monthly amount and how it was reached", body = QuoteResponse),
        (status = 422, description = "Unknown category, or a missing or negative income", body = ApiErrorBody),
    ))]
pub async fn quote(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Json(req): Json<QuoteRequest>,
) -> AppResult<Json<QuoteResponse>> {
    let day = req.on.unwrap_or_else(|| state.today());
    let pack = match &ctx.user {
        Some(u) => state.store.dues_rules(u.principal.tenant_id, day).await?,
        None => DuesRulePack::default_pack(),
    };
    let q = pack.quote(req.category.trim(), req.monthly_income_fen).map_err(|e| AppError::Invalid(vec![e]))?;
    Ok(Json(QuoteResponse {
        category: q.category,
        monthly_income_fen: q.monthly_income_fen,
        rate_permille: q.rate_permille,
        monthly_dues_fen: q.monthly_dues_fen,
        max_fen: q.max_fen,
        rule_pack: q.pack_version,
        source: q.source,
    }))
}

/// A member's dues for a year: the standards set, each month's due, paid
/// and owed (through the current month), the payments, and voluntary extra
/// payments apart.
#[utoipa::path(get, path = "/api/v1/members/{id}/dues", tag = "dues",
    params(("id" = i64, Path, description = "Member id"), YearQuery),
    responses((status = 200, description = "The member's dues year", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn member_year(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<dues::MemberYear>> {
    let member = state.store.member(id).await?;
    dues::may_read(&auth, &member)?;
    Ok(Json(dues::member_year(&state, &member, state.year_or_current(q.year)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StandardBody {
    pub year: i32,
    /// The month of `year` the standard applies from (1 at the start of the
    /// year; later when income changes).
    pub from_month: u32,
    pub category: String,
    #[serde(default)]
    pub monthly_income_fen: Option<i64>,
    /// Only for categories with a range (farmers): the amount the branch chose.
    #[serde(default)]
    pub monthly_dues_fen: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// Sets a member's monthly standard from a month on, computed by the dues
/// rule pack in force that month.
#[utoipa::path(put, path = "/api/v1/members/{id}/dues/standard", tag = "dues", request_body = StandardBody,
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 200, description = "The member's dues year after the change", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn set_standard(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<StandardBody>,
) -> AppResult<Json<dues::MemberYear>> {
    let member = state.store.member(id).await?;
    let input = dues::StandardInput {
        year: b.year,
        from_month: b.from_month,
        category: b.category,
        monthly_income_fen: b.monthly_income_fen,
        monthly_dues_fen: b.monthly_dues_fen,
        reason: b.reason,
    };
    dues::set_standard(&state, &auth, &member, &input).await?;
    Ok(Json(dues::member_year(&state, &member, b.year).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentBody {
    /// `regular` (for a month) or `voluntary` (an extra payment, kept apart).
    #[serde(default = "regular")]
    pub kind: String,
    /// `YYYY-MM`, for a regular payment: at most six months back (the rule
    /// pack's limit), not before joining, not into a later year.
    #[serde(default)]
    pub period: Option<String>,
    pub amount_fen: i64,
    /// Default: today.
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    /// Who paid on the member's behalf (代交), if someone did.
    #[serde(default)]
    pub payer: String,
}

fn regular() -> String {
    "regular".into()
}

/// Records a payment received from (or for) a member.
#[utoipa::path(post, path = "/api/v1/members/{id}/dues/payments", tag = "dues", request_body = PaymentBody,
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 200, description = "The member's dues year after the payment", body = serde_json::Value),
        (status = 422, description = "A rule refuses it: the message names the rule, the dates and the regulation", body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn record_payment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<PaymentBody>,
) -> AppResult<Json<dues::MemberYear>> {
    let member = state.store.member(id).await?;
    let kind = PaymentKind::from_code(b.kind.trim())
        .ok_or(AppError::Invalid(vec![FieldError { field: "kind", key: "dues.unknown_kind" }]))?;
    let period = match b.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(
            Period::parse(p).ok_or(AppError::Invalid(vec![FieldError { field: "period", key: "dues.bad_period" }]))?,
        ),
        None => None,
    };
    let paid_on = b.paid_on.unwrap_or_else(|| state.today());
    let input = dues::PaymentInput { kind, period, amount_fen: b.amount_fen, paid_on, payer: b.payer };
    dues::record_payment(&state, &auth, &member, &input).await?;
    let year = period.map_or_else(|| chrono::Datelike::year(&paid_on), |p| p.year);
    Ok(Json(dues::member_year(&state, &member, year).await?))
}

/// A subtree's dues for a year: money received each month (regular and
/// voluntary apart), the members in arrears with what they owe (the first
/// 20,000 by amount, of `arrears_count`), and those with no standard set
/// (the first 20,000 by name, of `without_standard_count`). A subtree whose
/// count is slow (a national root) answers its last count with
/// `counted_at` while it is recounted, and 202 while it is first counted.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/dues", tag = "dues",
    params(("id" = i64, Path, description = "Organisation id"), YearQuery),
    responses((status = 200, description = "The subtree's dues year", body = serde_json::Value),
        (status = 202, description = "Being counted for the first time; ask again after Retry-After seconds", body = serde_json::Value),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn subtree_year(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadDues, id).await?;
    let d = dues::subtree_year(&state, &org, state.year_or_current(q.year)).await?;
    Ok(super::figure_json(&auth, &d))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PayrollParams {
    /// The file's name; its extension (.xlsx or .csv) says how to read it.
    pub file_name: String,
    /// The year and month (1–12) the standards apply from.
    pub year: i32,
    pub from_month: u32,
    /// The category of rows with no category column value (default `employed`).
    #[serde(default)]
    pub category: Option<String>,
    /// Check only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayrollResult {
    pub rows: usize,
    /// Standards set (0 on a dry run or when there are problems).
    pub imported: usize,
    pub problems: Vec<crate::app::roster_import::ImportProblem>,
}

/// Imports a payroll export (the request body is the file): each row sets
/// a member's dues standard from the month given, by the rule pack. Every
/// row is checked first; with any problem nothing is written and the answer
/// (422) names each problem's row, column and reason.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/dues/import", tag = "dues",
    params(("id" = i64, Path, description = "Organisation whose members the payroll covers"), PayrollParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = PayrollResult), (status = 422, body = PayrollResult),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn import_payroll(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PayrollParams>,
    body: axum::body::Bytes,
) -> AppResult<(axum::http::StatusCode, Json<PayrollResult>)> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteDues, &org.path)?;
    let opts = crate::app::dues_import::PayrollOptions {
        year: q.year,
        from_month: q.from_month,
        category: q.category.clone().unwrap_or_else(|| "employed".into()),
    };
    let report = crate::app::dues_import::analyse(&state, &auth, &org, &q.file_name, &body, &opts).await?;
    let imported = if report.ok() && !q.dry_run {
        crate::app::dues_import::commit(&state, &auth.actor(), &report).await?
    } else {
        0
    };
    let status = if report.problems.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(PayrollResult { rows: report.rows, imported, problems: report.problems })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VoidBody {
    /// Why the payment is void (recorded twice, wrong amount, …).
    pub reason: String,
}

/// Voids a payment recorded in error. It stays on the member's record with
/// the reason, and counts for nothing.
#[utoipa::path(post, path = "/api/v1/members/{id}/dues/payments/{payment}/void", tag = "dues", request_body = VoidBody,
    params(("id" = i64, Path, description = "Member id"), ("payment" = i64, Path, description = "Payment id")),
    responses((status = 200, description = "The member's dues year after voiding", body = serde_json::Value),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, description = "No such payment of this member, or already void", body = ApiErrorBody)))]
pub async fn void_payment(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, payment)): Path<(i64, i64)>,
    Json(b): Json<VoidBody>,
) -> AppResult<Json<dues::MemberYear>> {
    let member = state.store.member(id).await?;
    let year =
        state.store.dues_payment_year(id, payment).await?.unwrap_or_else(|| chrono::Datelike::year(&state.today()));
    dues::void_payment(&state, &auth, &member, payment, &b.reason).await?;
    Ok(Json(dues::member_year(&state, &member, year).await?))
}
