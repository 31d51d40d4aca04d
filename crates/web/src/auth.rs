//! Who is asking. [`context`] runs first on every request: it reads the
//! session cookie, loads the session from the database (so any app node can
//! serve any request) and the user's role bindings from the node's cache when
//! the session's `auth_version` says they are current, picks the language,
//! and refuses a state-changing browser request whose CSRF token does not
//! match the session's.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ronghe_domain::auth::{Action, Principal};
use ronghe_domain::Lang;
use ronghe_store::Actor;

use crate::error::AppError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "ronghe_session";
pub const LANG_COOKIE: &str = "ronghe_lang";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Arc<Principal>,
    pub token: String,
    pub csrf: String,
}

/// Per-request context, put in the request's extensions by [`context`].
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub user: Option<Arc<SignedIn>>,
    pub lang: Lang,
    pub request_id: String,
    pub ip: String,
}

impl RequestCtx {
    /// The actor for the audit log.
    pub fn actor(&self) -> Actor {
        let (user_id, username, tenant_id) = match &self.user {
            Some(u) => (Some(u.principal.user_id), u.principal.username.clone(), u.principal.tenant_id),
            None => (None, String::new(), 0),
        };
        Actor { user_id, username, tenant_id, ip: self.ip.clone(), request_id: self.request_id.clone() }
    }
}

/// The language chosen with the switch (a cookie), else the browser's.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    cookie_value(headers, LANG_COOKIE)
        .map(Lang::from_tag)
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

pub fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|kv| {
            let (k, val) = kv.trim().split_once('=')?;
            (k == name).then_some(val)
        })
    })
}

/// Loads the session and language, then applies the CSRF rule.
pub async fn context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default();
    let lang = lang_of(headers);
    let mut user = None;
    if let Some(token) = cookie_value(headers, SESSION_COOKIE).map(str::to_string) {
        match load_user(&state, &token).await {
            Ok(u) => user = u.map(Arc::new),
            Err(e) => return e.into_response(),
        }
    }
    let ctx = RequestCtx { user, lang, request_id, ip };
    req.extensions_mut().insert(ctx.clone());

    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") {
        // A browser cannot send a cross-site JSON request without a CORS
        // preflight, which this server never grants; a form can only send
        // form encodings. So a JSON content type (or the CSRF header) is
        // what makes a cookie-authenticated API call safe.
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let header_ok = ctx.user.as_ref().is_some_and(|u| header_token(&req) == Some(u.csrf.as_str()));
        let bodiless =
            req.headers().get(header::CONTENT_LENGTH).is_none_or(|v| v == "0") && *req.method() == Method::DELETE;
        if json || header_ok || bodiless || ctx.user.is_none() {
            return next.run(req).await;
        }
        return AppError::Forbidden.into_response();
    }
    if path == "/login" {
        return next.run(req).await;
    }
    let Some(u) = ctx.user.clone() else {
        return AppError::Unauthorized.into_response();
    };
    // The token comes in a header (htmx), the query (multipart uploads) or
    // the urlencoded form body, which is read here and put back.
    let mut token = header_token(&req).map(str::to_string).or_else(|| query_token(req.uri().query()));
    if token.is_none() && is_urlencoded(&req) {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => return AppError::BadRequest("error.body_too_large").into_response(),
        };
        token = form_token(&bytes);
        req = Request::from_parts(parts, Body::from(bytes));
    }
    if token.as_deref().is_some_and(|t| constant_time_eq(t.as_bytes(), u.csrf.as_bytes())) {
        next.run(req).await
    } else {
        AppError::BadRequest("error.csrf").into_response()
    }
}

async fn load_user(state: &AppState, token: &str) -> Result<Option<SignedIn>, AppError> {
    let idle = state.config.idle_timeout.as_millis() as i64;
    let Some(s) = state.store.session(token, idle).await? else {
        return Ok(None);
    };
    let principal = match state.principals.get(&s.user_id, s.auth_version) {
        Some(p) => p,
        None => {
            let (version, p) = state.store.versioned_principal(s.user_id).await?;
            let p = Arc::new(p);
            state.principals.put(s.user_id, version, p.clone());
            p
        }
    };
    Ok(Some(SignedIn { principal, token: token.to_string(), csrf: s.csrf_token }))
}

fn header_token(req: &Request) -> Option<&str> {
    req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok())
}

fn query_token(q: Option<&str>) -> Option<String> {
    q?.split('&').find_map(|kv| kv.strip_prefix("_csrf=").map(str::to_string))
}

fn form_token(body: &[u8]) -> Option<String> {
    serde_urlencoded_pairs(body).into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{}", String::from_utf8_lossy(body)).parse().unwrap_or_default(),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}

fn is_urlencoded(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed-in user, for handlers that need one. Without a session the
/// request is refused: a page redirects to sign-in, the API answers 401.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: Arc<SignedIn>,
    pub ctx: RequestCtx,
}

impl Auth {
    pub fn principal(&self) -> &Principal {
        &self.user.principal
    }

    pub fn lang(&self) -> Lang {
        self.ctx.lang
    }

    pub fn actor(&self) -> Actor {
        self.ctx.actor()
    }

    /// Refuses unless the user may take `action` on the organisation at
    /// `path`. Outside their scope entirely, the thing is "not found".
    pub fn require(&self, action: Action, path: &str) -> Result<(), AppError> {
        let p = self.principal();
        if p.can(action, path) {
            Ok(())
        } else if p.can(Action::ReadOrg, path) || p.can(Action::ReadRoster, path) {
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Refuses unless the user may take `action` for the whole group: the
    /// audit log and account administration belong to the tenant, so only
    /// a role bound at the root reaches them.
    pub fn require_group(&self, action: Action) -> Result<(), AppError> {
        if self.principal().can(action, &format!("/{}/", self.principal().tenant_id)) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Like [`Auth::require`] for actions not tied to one organisation.
    pub fn require_somewhere(&self, action: Action) -> Result<(), AppError> {
        if self.principal().can_somewhere(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<RequestCtx>().cloned().ok_or(AppError::Unauthorized)?;
        let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
        Ok(Auth { user, ctx })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request context missing")))
    }
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        state.config.session_max_age.as_secs()
    )
}

/// The `Set-Cookie` value that ends one.
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
