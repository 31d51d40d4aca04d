//! The audit log, for the audit administrator only.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use ronghe_domain::auth::Action;
use ronghe_store::{AuditFilter, AuditRow};
use serde::Deserialize;

use super::{datetime, page, Chrome};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    page: Chrome,
    query: AuditQuery,
    rows: Vec<AuditRow>,
    older: Option<i64>,
}

impl AuditPage {
    fn when(&self, ms: &i64) -> String {
        datetime(*ms)
    }
}

pub const AUDIT_PAGE: i64 = 100;

async fn list(State(state): State<AppState>, auth: Auth, Query(query): Query<AuditQuery>) -> AppResult<Response> {
    auth.require_group(Action::ReadAudit)?;
    let filter = AuditFilter {
        username: Some(query.user.trim().to_string()).filter(|s| !s.is_empty()),
        action_prefix: Some(query.action.trim().to_string()).filter(|s| !s.is_empty()),
        before: query.before,
        limit: AUDIT_PAGE,
    };
    let rows = state.store.audit_log(auth.principal().tenant_id, &filter).await?;
    let older = (rows.len() as i64 == AUDIT_PAGE).then(|| rows.last().map(|r| r.id)).flatten();
    let tr = Tr(auth.lang());
    page(AuditPage { page: Chrome::new(&auth, tr.t("audit.title"), "/audit"), query, rows, older })
}
