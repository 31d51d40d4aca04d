//! Party dues: what a member pays a month, from the dues rule pack.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use ronghe_domain::dues::DuesRulePack;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::RequestCtx;
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
