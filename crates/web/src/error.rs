//! Errors as handlers return them. A handler returns [`AppError`] with `?`;
//! the response carries an [`ErrorInfo`] extension and no body, and
//! [`render_errors`] turns it into a page (for the browser) or JSON (under
//! `/api`) in the user's language, with the request id for support.
//!
//! Use `NotFound` for anything outside the caller's scope that they must not
//! learn exists, `Forbidden` when they can see it but not do this, and
//! `Invalid` with field errors for a form or body that fails validation.
//! Internal errors are logged with their cause and shown only as a request id.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ronghe_domain::i18n::{t, tf};
use ronghe_domain::members::FieldError;
use ronghe_store::StoreError;
use serde::Serialize;

use crate::auth::lang_of;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A request that cannot be processed; the key names why.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Field-level problems with a submitted record.
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    /// A rule of a rule pack refuses the request: the message key, its
    /// parameters (dates, limits, the regulation) and the field it concerns.
    #[error("refused: {key}")]
    Refused { field: &'static str, key: &'static str, params: Vec<(&'static str, String)> },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A refusal by a rule: the field it concerns, the catalogue key of the
    /// message and the message's parameters.
    pub fn refused(field: &'static str, key: &'static str, params: Vec<(&'static str, String)>) -> AppError {
        AppError::Refused { field, key, params }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(k) => AppError::Conflict(k),
            StoreError::Invalid(k) => AppError::BadRequest(k),
            StoreError::Other(e) => AppError::Internal(e),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// What went wrong, attached to the response for [`render_errors`].
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub key: &'static str,
    pub fields: Vec<FieldError>,
    /// Parameters of `key`'s message (for refusals by a rule).
    pub params: Vec<(&'static str, String)>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut params = vec![];
        let (status, key, fields) = match self {
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "error.unauthorized", vec![]),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "error.forbidden", vec![]),
            AppError::NotFound => (StatusCode::NOT_FOUND, "error.not_found", vec![]),
            AppError::BadRequest(k) => (StatusCode::BAD_REQUEST, k, vec![]),
            AppError::Conflict(k) => (StatusCode::CONFLICT, k, vec![]),
            AppError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid", f),
            AppError::Refused { field, key, params: p } => {
                params = p;
                (StatusCode::UNPROCESSABLE_ENTITY, key, vec![FieldError { field, key }])
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal", vec![])
            }
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorInfo { key, fields, params });
        res
    }
}

/// The JSON body of an API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorDetail {
    /// A stable code, e.g. `error.not_found` or `id_number.checksum`.
    pub code: String,
    /// The code's message in the request's language.
    pub message: String,
    /// Field-level problems, for `error.invalid`.
    pub fields: Vec<ApiFieldError>,
    pub request_id: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Renders error responses in the request's language.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let is_api = req.uri().path().starts_with("/api/");
    let next_url = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let res = next.run(req).await;
    let Some(info) = res.extensions().get::<ErrorInfo>().cloned() else {
        return res;
    };
    let status = res.status();
    let params: Vec<(&str, &str)> = info.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let message = |key: &str| if params.is_empty() { t(lang, key).to_string() } else { tf(lang, key, &params) };
    if is_api {
        let body = ApiErrorBody {
            error: ApiErrorDetail {
                code: info.key.to_string(),
                message: message(info.key),
                fields: info
                    .fields
                    .iter()
                    .map(|f| ApiFieldError { field: f.field.into(), code: f.key.into(), message: message(f.key) })
                    .collect(),
                request_id,
            },
        };
        return (status, axum::Json(body)).into_response();
    }
    if status == StatusCode::UNAUTHORIZED {
        let to = format!("/login?next={}", urlencode(&next_url));
        return Redirect::to(&to).into_response();
    }
    let page = crate::views::error_page(lang, status, &message(info.key), &request_id);
    let mut out = (status, Html(page)).into_response();
    out.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
    out
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn urlencode_keeps_paths_readable() {
        assert_eq!(super::urlencode("/orgs/1/members?q=张"), "/orgs/1/members%3Fq%3D%E5%BC%A0");
    }
}
