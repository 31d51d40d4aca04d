//! The API surface: the OpenAPI document, health, metrics, errors.

use axum::http::StatusCode;

use crate::both;

both!(the_openapi_document_describes_the_fixed_paths, |app| async move {
    let mut c = app.anon();
    let doc = c.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/orgs/{id}",
        "/api/v1/orgs/{id}/children",
        "/api/v1/orgs/{id}/members",
        "/api/v1/members/{id}",
        "/api/v1/members/{id}/personal-data",
        "/api/v1/orgs/{id}/members/import",
        "/api/v1/audit",
        "/api/v1/dues/quote",
        "/api/v1/members/{id}/dues",
        "/api/v1/members/{id}/dues/standard",
        "/api/v1/members/{id}/dues/payments",
        "/api/v1/members/{id}/dues/payments/{payment}/void",
        "/api/v1/orgs/{id}/dues",
        "/api/v1/orgs/{id}/dues/import",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    assert!(doc["paths"]["/api/v1/session"]["post"]["responses"]["401"].is_object());
    assert!(doc["components"]["schemas"]["MemberDto"].is_object());
});

both!(health_and_metrics, |app| async move {
    let mut c = app.login("admin").await;
    assert_eq!(c.get("/healthz").await.text, "ok");
    c.get(&format!("/api/v1/orgs/{}", app.fx.root.id)).await;
    let m = c.get("/metrics").await;
    assert!(m.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(
        m.text.contains("ronghe_http_requests_total{method=\"GET\",route=\"/api/v1/orgs/{id}\",status=\"200\"} 1"),
        "{}",
        m.text
    );
    assert!(m.text.contains("ronghe_http_request_duration_seconds_bucket"));
});

both!(api_errors_are_json_in_the_callers_language, |app| async move {
    let mut c = app.login("admin").await;
    let req = axum::http::Request::post(format!("/api/v1/orgs/{}/members", app.fx.b1.id))
        .header("content-type", "application/json")
        .header("accept-language", "en-US,en;q=0.9")
        .body(axum::body::Body::from(r#"{"name": "", "id_number": "123"}"#))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["error"]["code"], "error.invalid");
    let fields: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"id_number") && fields.contains(&"category"), "{fields:?}");
    assert!(e["error"]["fields"][0]["message"].as_str().unwrap().is_ascii());
    assert!(r.headers.contains_key("x-request-id"));
    assert_eq!(c.get("/api/v1/orgs/999999").await.status, StatusCode::NOT_FOUND);
});

both!(pages_render_in_english_with_the_switch, |app| async move {
    let mut c = app.login("sec1").await;
    let r = c.get(&format!("/lang/en?next=/orgs/{}", app.fx.b1.id)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let req = axum::http::Request::get(format!("/orgs/{}", app.fx.b1.id))
        .header("cookie", format!("{}; {cookie}", c.cookie.clone().unwrap()))
        .body(axum::body::Body::empty())
        .unwrap();
    let page = c.send(req).await;
    assert!(page.text.contains("lang=\"en\""));
    assert!(page.text.contains("Full members"));
    let zh = c.get(&format!("/orgs/{}", app.fx.b1.id)).await;
    assert!(zh.text.contains("lang=\"zh-CN\"") && zh.text.contains("正式党员"));
});
