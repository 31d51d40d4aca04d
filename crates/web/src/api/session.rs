//! Signing in through the API, the current user, and the audit log.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ronghe_domain::auth::Action;
use ronghe_store::{AuditFilter, LoginOutcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{clear_session_cookie, session_cookie, Auth, RequestCtx};
use crate::error::{ApiErrorBody, AppError, AppResult};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleBinding {
    /// `member`, `secretary`, `committee_member`, `group_admin`,
    /// `system_admin`, `security_admin` or `audit_admin`.
    pub role: String,
    pub org_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// The user's own roster record, if they are a member.
    pub member_id: Option<i64>,
    /// The root organisation of the user's group.
    pub tenant_id: i64,
    pub roles: Vec<RoleBinding>,
    /// The organisations the user's roles are bound to.
    pub org_ids: Vec<i64>,
    /// Send as `X-CSRF-Token` with requests that are not JSON (uploads).
    pub csrf_token: String,
}

fn me_of(user: &crate::auth::SignedIn) -> Me {
    let p = &user.principal;
    let mut org_ids: Vec<i64> = p.bindings.iter().map(|b| b.org_id).collect();
    org_ids.dedup();
    Me {
        id: p.user_id,
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        member_id: p.member_id,
        tenant_id: p.tenant_id,
        roles: p.bindings.iter().map(|b| RoleBinding { role: b.role.code().into(), org_id: b.org_id }).collect(),
        org_ids,
        csrf_token: user.csrf.clone(),
    }
}

/// Signs in and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Me),
        (status = 401, description = "Wrong username or password", body = ApiErrorBody),
        (status = 423, description = "Locked after repeated failures", body = ApiErrorBody),
    ))]
pub async fn create(State(state): State<AppState>, ctx: RequestCtx, Json(c): Json<Credentials>) -> AppResult<Response> {
    match state.store.login(&ctx.actor(), c.username.trim(), &c.password).await? {
        LoginOutcome::Ok { user_id, tenant_id } => {
            let max_age = state.config.session_max_age.as_millis() as i64;
            let (token, csrf) = state.store.create_session(user_id, tenant_id, max_age).await?;
            let principal = std::sync::Arc::new(state.store.principal(user_id).await?);
            let me = me_of(&crate::auth::SignedIn { principal, token: token.clone(), csrf });
            Ok(([(header::SET_COOKIE, session_cookie(&state, &token))], Json(me)).into_response())
        }
        LoginOutcome::BadCredentials => Err(AppError::Unauthorized),
        LoginOutcome::Locked { .. } => {
            let mut res = AppError::BadRequest("login.locked_api").into_response();
            *res.status_mut() = StatusCode::LOCKED;
            Ok(res)
        }
    }
}

/// Signs out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out")))]
pub async fn delete(State(state): State<AppState>, ctx: RequestCtx) -> AppResult<Response> {
    if let Some(u) = &ctx.user {
        state.store.delete_session(&u.token).await?;
    }
    Ok(([(header::SET_COOKIE, clear_session_cookie())], StatusCode::NO_CONTENT).into_response())
}

/// The signed-in user, their roles and the organisations they are bound to.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ApiErrorBody)))]
pub async fn me(auth: Auth) -> Json<Me> {
    Json(me_of(&auth.user))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Only this user's entries.
    pub user: Option<String>,
    /// Only actions starting with this, e.g. `member.`.
    pub action: Option<String>,
    /// Entries older than this id (the last id of the previous page).
    pub before: Option<i64>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub org_id: Option<i64>,
    pub detail: String,
    pub ip: String,
    pub request_id: String,
}

/// The group's audit log, newest first. Audit administrators only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditEntryDto>), (status = 403, body = ApiErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AuditParams>,
) -> AppResult<Json<Vec<AuditEntryDto>>> {
    auth.require_group(Action::ReadAudit)?;
    let rows = state
        .store
        .audit_log(
            auth.principal().tenant_id,
            &AuditFilter { username: q.user, action_prefix: q.action, before: q.before, limit: q.limit.unwrap_or(100) },
        )
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditEntryDto {
                id: r.id,
                at: r.at,
                user_id: r.user_id,
                username: r.username,
                action: r.action,
                target_kind: r.target_kind,
                target_id: r.target_id,
                org_id: r.org_id,
                detail: r.detail,
                ip: r.ip,
                request_id: r.request_id,
            })
            .collect(),
    ))
}
