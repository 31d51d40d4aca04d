//! Ronghe's web layer: the server-rendered pages (`views`), the JSON API
//! under `/api/v1` (`api`), and the application services both call (`app`).
//!
//! Architecture Invariant: only this crate knows HTTP. Handlers are thin:
//! they authenticate, check scope with the domain's permission rules, call
//! the store or an `app` service, and render. Every route that touches an
//! organisation's data asks `Principal::can` for that organisation's path.

pub mod api;
pub mod app;
mod auth;
pub mod cache;
mod error;
mod i18n;
mod metrics;
pub mod notify;
mod static_files;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use ronghe_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::SESSION_COOKIE;
pub use metrics::Metrics;

/// Settings the web layer needs; the binary fills them from its config.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Sign the user out after this long without a request.
    pub idle_timeout: Duration,
    /// Sign the user out after this long in any case.
    pub session_max_age: Duration,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The largest request body accepted (spreadsheet uploads).
    pub max_body_bytes: usize,
    /// The largest lesson file accepted (PDF, video, audio).
    pub max_media_bytes: usize,
    pub request_timeout: Duration,
    /// How long a subtree's figure may take before it is shown as last
    /// counted while recounted, and how long a request waits for a first
    /// count (`app::counted_figure`).
    pub figure_patience: cache::Patience,
    /// Offset of local time from UTC, in hours, for "today" (China: +8).
    pub utc_offset_hours: i32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            idle_timeout: Duration::from_secs(30 * 60),
            session_max_age: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            max_body_bytes: 20 * 1024 * 1024,
            max_media_bytes: 200 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            figure_patience: cache::Patience {
                slow: Duration::from_secs(1),
                wait: Duration::from_secs(5),
                limit: Duration::from_secs(15 * 60),
            },
            utc_offset_hours: 8,
        }
    }
}

/// Rows per generation of each cache of subtree figures (two generations
/// are kept). A row is an organisation that missed a meeting or a member in
/// arrears, about a hundred bytes: some ten megabytes a generation at most.
/// A figure lists a bounded number of rows (`app::dues::LISTED`,
/// `app::life::MISSED_LISTED`), so even a national root's is kept.
const FIGURE_CACHE_ROWS: usize = 100_000;

/// Users per generation of the principal cache (two generations are kept):
/// a few kilobytes each, so tens of megabytes at most.
const PRINCIPAL_CACHE_GENERATION: usize = 20_000;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    pub principals: Arc<cache::PrincipalCache>,
    /// Subtrees' meeting compliance, by the tenant's `life` figure version.
    pub compliance: Arc<cache::VersionedCache<app::life::ComplianceKey, app::life::Compliance>>,
    /// Subtrees' dues years, by the tenant's `dues` figure version.
    pub dues: Arc<cache::VersionedCache<app::dues::SubtreeKey, app::dues::SubtreeYear>>,
    /// Subtrees' study reports, by the tenant's `study` figure version and the minute.
    pub study: Arc<cache::VersionedCache<app::learning::ReportKey, app::learning::StudyReport>>,
    /// Subtrees' exam summaries (who took and passed), by the tenant's `study` figure version.
    pub exams: Arc<cache::VersionedCache<String, Vec<app::exams::ExamSummary>>>,
    /// Subtrees' decision metrics, by the tenant's `decisions` figure version.
    pub decisions: Arc<cache::VersionedCache<app::decisions::MetricsKey, app::decisions::MetricsView>>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            principals: Arc::new(cache::PrincipalCache::new(PRINCIPAL_CACHE_GENERATION)),
            compliance: Arc::new(cache::VersionedCache::new(FIGURE_CACHE_ROWS)),
            dues: Arc::new(cache::VersionedCache::new(FIGURE_CACHE_ROWS)),
            study: Arc::new(cache::VersionedCache::new(FIGURE_CACHE_ROWS)),
            exams: Arc::new(cache::VersionedCache::new(FIGURE_CACHE_ROWS)),
            decisions: Arc::new(cache::VersionedCache::new(FIGURE_CACHE_ROWS)),
        }
    }

    /// Today's date where the users are.
    pub fn today(&self) -> chrono::NaiveDate {
        (chrono::Utc::now() + chrono::Duration::hours(self.config.utc_offset_hours.into())).date_naive()
    }

    /// A moment as people read it here: local date and time to the minute.
    pub fn local_minute(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        (at + chrono::Duration::hours(self.config.utc_offset_hours.into())).format("%Y-%m-%d %H:%M").to_string()
    }

    /// The year a page or query asks for, or this one; kept to years a
    /// date can hold.
    pub fn year_or_current(&self, year: Option<i32>) -> i32 {
        year.unwrap_or_else(|| chrono::Datelike::year(&self.today())).clamp(1900, 9998)
    }
}

/// The whole application: pages, API, static files, health and metrics,
/// with request ids, tracing, timeouts and body limits around them.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let timeout = state.config.request_timeout;
    let body_limit = state.config.max_body_bytes;
    // Pages and API go through the session context; static files, health
    // and metrics do not need it and skip the database round trip.
    // Lesson files are larger than any other upload: their routes alone
    // take bodies up to the media limit.
    let uploads = Router::new()
        .merge(views::media_upload_routes())
        .merge(api::media_upload_routes())
        .layer(DefaultBodyLimit::max(state.config.max_media_bytes.max(body_limit)));
    let app = Router::new()
        .merge(views::routes())
        .merge(api::routes())
        .merge(uploads)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::context));
    Router::new()
        .merge(app)
        .merge(static_files::routes())
        .merge(metrics::routes())
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
