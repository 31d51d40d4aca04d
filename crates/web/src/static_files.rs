//! The stylesheet, scripts and vendored libraries, compiled into the
//! binary so that a deployment is one file and no page loads anything from
//! the internet.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { path: "app.css", mime: "text/css; charset=utf-8", body: include_bytes!("../static/app.css") },
    Asset { path: "app.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../static/app.js") },
    Asset {
        path: "vendor/htmx/htmx.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/vendor/htmx/htmx.min.js"),
    },
];

async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => {
            ([(header::CONTENT_TYPE, a.mime), (header::CACHE_CONTROL, "public, max-age=3600")], a.body).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(asset))
}
