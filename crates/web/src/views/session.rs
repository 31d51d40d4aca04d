//! Signing in and out, the language switch, and the account page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::Lang;
use ronghe_store::LoginOutcome;
use serde::Deserialize;

use super::{datetime, page, page_with, Chrome};
use crate::auth::{clear_session_cookie, session_cookie, Auth, RequestCtx, LANG_COOKIE};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Chrome,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only same-site paths are followed after sign-in.
fn safe_next(next: &str) -> Option<String> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then(|| next.to_string())
}

async fn login_form(ctx: RequestCtx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if let Some(u) = &ctx.user {
        return Ok(Redirect::to(&safe_next(&q.next).unwrap_or_else(|| super::landing(&u.principal))).into_response());
    }
    let tr = Tr(ctx.lang);
    page(LoginPage {
        page: Chrome::anonymous(ctx.lang, tr.t("login.title"), "/login"),
        username: String::new(),
        next: q.next,
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(State(state): State<AppState>, ctx: RequestCtx, Form(f): Form<LoginForm>) -> AppResult<Response> {
    let tr = Tr(ctx.lang);
    let outcome = state.store.login(&ctx.actor(), f.username.trim(), &f.password).await?;
    let error = match outcome {
        LoginOutcome::Ok { user_id, tenant_id } => {
            let max_age = state.config.session_max_age.as_millis() as i64;
            let (token, _csrf) = state.store.create_session(user_id, tenant_id, max_age).await?;
            let principal = state.store.principal(user_id).await?;
            let to = safe_next(&f.next).unwrap_or_else(|| super::landing(&principal));
            return Ok(([(header::SET_COOKIE, session_cookie(&state, &token))], Redirect::to(&to)).into_response());
        }
        LoginOutcome::BadCredentials => tr.t("login.bad_credentials").to_string(),
        LoginOutcome::Locked { until } => tr.tf("login.locked", &[("until", &datetime(until))]),
    };
    page_with(
        axum::http::StatusCode::UNAUTHORIZED,
        LoginPage {
            page: Chrome::anonymous(ctx.lang, tr.t("login.title"), "/login"),
            username: f.username,
            next: f.next,
            error: Some(error),
        },
    )
}

async fn logout(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    state.store.delete_session(&auth.user.token).await?;
    state
        .store
        .audit(&auth.actor(), ronghe_store::AuditEntry::new("session.delete", "user", auth.principal().user_id))
        .await?;
    Ok(([(header::SET_COOKIE, clear_session_cookie())], Redirect::to("/login")).into_response())
}

async fn switch_lang(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::from_tag(&code);
    let to = safe_next(&q.next).unwrap_or_else(|| "/".into());
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(safe_next("/orgs/5?x=1").as_deref(), Some("/orgs/5?x=1"));
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "", "orgs"] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
