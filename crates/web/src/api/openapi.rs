//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Ronghe API", description = "党建融合+ platform: organisations, roster, accounts, dues, member development, transfers, organisational life, learning. Sign in with `POST /api/v1/session`; the session cookie authorises the rest.", version = env!("CARGO_PKG_VERSION")),
    paths(
        super::session::create,
        super::session::delete,
        super::session::me,
        super::session::audit,
        super::orgs::show,
        super::orgs::children,
        super::members::list,
        super::members::create,
        super::members::show,
        super::members::update,
        super::members::reveal,
        super::members::import,
        super::dues::quote,
        super::dues::member_year,
        super::dues::set_standard,
        super::dues::record_payment,
        super::dues::void_payment,
        super::dues::subtree_year,
        super::dues::import_payroll,
        super::development::show,
        super::development::record_step,
        super::development::pipeline,
        super::development::apply,
        super::development::add_document,
        super::development::move_pack,
        super::transfers::request,
        super::transfers::register_inbound,
        super::transfers::show,
        super::transfers::act,
        super::transfers::overview,
        super::transfers::record_away,
        super::life::compliance,
        super::life::list,
        super::life::plan,
        super::life::show,
        super::life::attendance,
        super::life::signin_code,
        super::life::sign_in,
        super::life::minutes,
        super::life::resolution,
        super::life::seal,
        super::life::correction,
        super::life::schedule,
        super::life::ratings,
        super::life::add_file,
        super::learning::study,
        super::learning::heartbeat,
        super::learning::create_course,
        super::learning::record_training,
        super::learning::report,
        super::learning::add_questions,
        super::learning::import_questions,
        super::learning::create_exam,
        super::learning::start_attempt,
        super::learning::submit_attempt,
        super::learning::show_attempt,
        super::transfers::end_away,
    ),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "orgs", description = "The organisation tree"),
        (name = "members", description = "The member roster"),
        (name = "audit", description = "The audit log (audit administrators)"),
        (name = "dues", description = "Party dues (党费)"),
        (name = "learning", description = "Learning: study hours from heartbeats and offline training, courses"),
        (name = "life", description = "Organisational life (三会一课, 主题党日, 组织生活会, 民主评议): meetings, sealing, compliance"),
        (name = "transfers", description = "Transfers of membership (组织关系转接) and membership alerts"),
        (name = "development", description = "Member development (发展党员): 5 stages, 25 steps, checked against the rule pack"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
