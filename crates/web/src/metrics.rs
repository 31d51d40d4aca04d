//! Prometheus metrics: requests by route and status, a latency histogram,
//! and the process's resident memory. Counters live in this node; a
//! Prometheus server scrapes each node.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (method, route, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → (bucket counts, sum of seconds, count).
    latency: BTreeMap<String, ([u64; BUCKETS.len()], f64, u64)>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.requests.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        let h = m.latency.entry(route.to_string()).or_insert(([0; BUCKETS.len()], 0.0, 0));
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.0[i] += 1;
            }
        }
        h.1 += seconds;
        h.2 += 1;
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP ronghe_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE ronghe_http_requests_total counter\n");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "ronghe_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP ronghe_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE ronghe_http_request_duration_seconds histogram\n");
        for (route, (buckets, sum, count)) in &m.latency {
            for (b, n) in BUCKETS.iter().zip(buckets) {
                let _ =
                    writeln!(out, "ronghe_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {n}");
            }
            let _ =
                writeln!(out, "ronghe_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}");
            let _ = writeln!(out, "ronghe_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(out, "ronghe_http_request_duration_seconds_count{{route=\"{route}\"}} {count}");
        }
        if let Some(rss) = resident_bytes() {
            out.push_str("# HELP ronghe_process_resident_memory_bytes Resident memory of this node.\n");
            out.push_str("# TYPE ronghe_process_resident_memory_bytes gauge\n");
            let _ = writeln!(out, "ronghe_process_resident_memory_bytes {rss}");
        }
        out.push_str("# TYPE ronghe_build_info gauge\n");
        let _ = writeln!(out, "ronghe_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        out
    }
}

/// Resident set size from /proc (Linux only).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let res = next.run(req).await;
    state.metrics.record(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    use std::fmt::Write;
    use std::sync::atomic::Ordering::Relaxed;
    let mut out = state.metrics.render();
    out.push_str("# HELP ronghe_cache_lookups_total Lookups in this node's caches, by cache and outcome.\n");
    out.push_str("# TYPE ronghe_cache_lookups_total counter\n");
    for (cache, hits, misses) in [
        ("principals", &state.principals.hits, &state.principals.misses),
        ("compliance", &state.compliance.hits, &state.compliance.misses),
        ("dues", &state.dues.hits, &state.dues.misses),
        ("study", &state.study.hits, &state.study.misses),
        ("exams", &state.exams.hits, &state.exams.misses),
        ("decisions", &state.decisions.hits, &state.decisions.misses),
    ] {
        for (outcome, n) in [("hit", hits), ("miss", misses)] {
            let _ = writeln!(
                out,
                "ronghe_cache_lookups_total{{cache=\"{cache}\",outcome=\"{outcome}\"}} {}",
                n.load(Relaxed)
            );
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out)
}

/// Liveness and readiness: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ok".into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Liveness only: answers without touching the database. Also the
/// benchmarks' baseline, the most this server can answer on a machine.
async fn livez() -> &'static str {
    "ok"
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics)).route("/healthz", get(healthz)).route("/livez", get(livez))
}
