//! The JSON API under `/api/v1`, with the same scope rules as the pages,
//! described by an OpenAPI document generated from these handlers
//! (`/api/openapi.json`). Errors are [`crate::error::ApiErrorBody`].

mod decisions;
mod development;
mod dues;
mod learning;
mod life;
mod members;
mod openapi;
mod orgs;
mod session;
mod transfers;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub use openapi::ApiDoc;

/// A year asked of a route (`?year=2026`); default: this year.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct YearQuery {
    /// The calendar year (default: this year).
    pub year: Option<i32>,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/session", post(session::create).delete(session::delete))
        .route("/api/v1/me", get(session::me))
        .route("/api/v1/dues/quote", post(dues::quote))
        .route("/api/v1/members/{id}/dues", get(dues::member_year))
        .route("/api/v1/members/{id}/dues/standard", axum::routing::put(dues::set_standard))
        .route("/api/v1/members/{id}/dues/payments", post(dues::record_payment))
        .route("/api/v1/members/{id}/dues/payments/{payment}/void", post(dues::void_payment))
        .route("/api/v1/orgs/{id}/dues", get(dues::subtree_year))
        .route("/api/v1/orgs/{id}/dues/import", post(dues::import_payroll))
        .route("/api/v1/orgs/{id}/decisions/metrics", get(decisions::metrics))
        .route("/api/v1/orgs/{id}/decisions/suggest", get(decisions::suggest))
        .route("/api/v1/orgs/{id}/topics", get(decisions::list).post(decisions::submit))
        .route("/api/v1/topics/{id}", get(decisions::show))
        .route("/api/v1/topics/{id}/steps", post(decisions::record_step))
        .route("/api/v1/topics/{id}/return", post(decisions::return_topic))
        .route("/api/v1/topics/{id}/resubmit", post(decisions::resubmit))
        .route("/api/v1/topics/{id}/tasks/{task}/close", post(decisions::close_task))
        .route("/api/v1/members/{id}/development", get(development::show))
        .route("/api/v1/members/{id}/development/steps", post(development::record_step))
        .route("/api/v1/members/{id}/development/documents", post(development::add_document))
        .route("/api/v1/members/{id}/development/pack", axum::routing::put(development::move_pack))
        .route("/api/v1/orgs/{id}/development", get(development::pipeline).post(development::apply))
        .route("/api/v1/members/{id}/transfers", post(transfers::request))
        .route("/api/v1/members/{id}/away", post(transfers::record_away))
        .route("/api/v1/members/{id}/away/{away}/return", post(transfers::end_away))
        .route("/api/v1/orgs/{id}/transfers", get(transfers::overview))
        .route("/api/v1/orgs/{id}/transfers/inbound", post(transfers::register_inbound))
        .route("/api/v1/transfers/{id}", get(transfers::show))
        .route("/api/v1/transfers/{id}/actions", post(transfers::act))
        .route("/api/v1/orgs/{id}/life/compliance", get(life::compliance))
        .route("/api/v1/orgs/{id}/meetings", get(life::list).post(life::plan))
        .route("/api/v1/orgs/{id}/meetings/schedule", post(life::schedule))
        .route("/api/v1/meetings/{id}/ratings", post(life::ratings))
        .route("/api/v1/meetings/{id}/files", post(life::add_file))
        .route("/api/v1/meetings/{id}", get(life::show))
        .route("/api/v1/meetings/{id}/attendance", post(life::attendance))
        .route("/api/v1/meetings/{id}/signin-code", post(life::signin_code))
        .route("/api/v1/meetings/{id}/sign-in", post(life::sign_in))
        .route("/api/v1/meetings/{id}/minutes", post(life::minutes))
        .route("/api/v1/meetings/{id}/resolutions", post(life::resolution))
        .route("/api/v1/meetings/{id}/seal", post(life::seal))
        .route("/api/v1/meetings/{id}/cancel", post(life::cancel))
        .route("/api/v1/meetings/{id}/correction", post(life::correction))
        .route("/api/v1/members/{id}/study", get(learning::study))
        .route("/api/v1/lessons/{id}/heartbeat", post(learning::heartbeat))
        .route("/api/v1/orgs/{id}/courses", post(learning::create_course))
        .route("/api/v1/orgs/{id}/study", get(learning::report))
        .route("/api/v1/orgs/{id}/questions", post(learning::add_questions))
        .route("/api/v1/orgs/{id}/questions/import", post(learning::import_questions))
        .route("/api/v1/orgs/{id}/exams", get(learning::exams).post(learning::create_exam))
        .route("/api/v1/orgs/{id}/exams/{exam}/results", get(learning::exam_results))
        .route("/api/v1/orgs/{id}/study/ranking", get(learning::ranking).put(learning::set_ranking))
        .route("/api/v1/exams/{id}/attempts", post(learning::start_attempt))
        .route("/api/v1/attempts/{id}/submit", post(learning::submit_attempt))
        .route("/api/v1/attempts/{id}", get(learning::show_attempt))
        .route("/api/v1/orgs/{id}/trainings", post(learning::record_training))
        .route("/api/v1/orgs/{id}", get(orgs::show))
        .route("/api/v1/orgs/{id}/children", get(orgs::children))
        .route("/api/v1/orgs/{id}/members", get(members::list).post(members::create))
        .route("/api/v1/orgs/{id}/members/import", post(members::import))
        .route("/api/v1/members/{id}", get(members::show).put(members::update))
        .route("/api/v1/members/{id}/personal-data", post(members::reveal))
        .route("/api/v1/audit", get(session::audit))
}

/// API routes that take lesson files, under the larger media body limit.
pub fn media_upload_routes() -> Router<AppState> {
    Router::new().route("/api/v1/orgs/{id}/media", post(learning::upload_media))
}

/// A subtree's figure as JSON (`app::counted_figure`): its fields, with
/// `counted_at` (UTC) when it is an earlier count answered while a recount
/// runs. While it is counted for the first time: 202, `Retry-After`, and
/// `{"counting": true, "message": …}`.
pub fn figure_json<V: serde::Serialize>(
    auth: &crate::auth::Auth,
    figure: &crate::cache::Figure<V>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    #[derive(serde::Serialize)]
    struct Counted<'a, V> {
        #[serde(flatten)]
        figure: &'a V,
        #[serde(skip_serializing_if = "Option::is_none")]
        counted_at: Option<chrono::DateTime<chrono::Utc>>,
    }
    match figure.value() {
        Some(v) => axum::Json(Counted { figure: &**v, counted_at: figure.counted_at() }).into_response(),
        None => (
            axum::http::StatusCode::ACCEPTED,
            [(axum::http::header::RETRY_AFTER, crate::views::COUNTING_RETRY_SECS.to_string())],
            axum::Json(serde_json::json!({
                "counting": true,
                "message": crate::i18n::Tr(auth.lang()).t("figure.counting"),
            })),
        )
            .into_response(),
    }
}
