//! Signing in and out, lockout, idle timeout, cookies and CSRF.

use axum::http::StatusCode;
use ronghe_store::{SessionInfo, LOCKOUT_AFTER};

use crate::both;
use crate::support::PASSWORD;

both!(sign_in_sets_a_safe_cookie_and_me_answers, |app| async move {
    let mut c = app.anon();
    let r = c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["username"], "sec1");
    assert_eq!(me["roles"][0]["role"], "secretary");
    assert_eq!(me["org_ids"], serde_json::json!([app.fx.b1.id]));
    assert_eq!(me["member_id"], app.fx.m1b);
});

both!(bad_credentials_are_401_and_unknown_users_look_the_same, |app| async move {
    let mut c = app.anon();
    for (u, p) in [("sec1", "wrong"), ("nobody", "wrong")] {
        let r = c.post_json("/api/v1/session", serde_json::json!({"username": u, "password": p})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{u}");
        assert_eq!(r.json()["error"]["code"], "error.unauthorized");
    }
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
});

both!(repeated_failures_lock_the_account, |app| async move {
    let mut c = app.anon();
    for _ in 0..LOCKOUT_AFTER - 1 {
        let r = c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": "nope"})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": "nope"})).await;
    assert_eq!(r.status, StatusCode::LOCKED);
    // Even the right password is refused while locked.
    let r = c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::LOCKED);
    // The page says so in the user's language.
    let r = c.post_form_raw("/login", &[("username", "sec1"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("已锁定"), "{}", r.text);
    // Another account is unaffected.
    app.login("sec2").await;
});

both!(sign_in_through_the_page_and_out, |app| async move {
    let mut c = app.anon();
    let r = c.get("/orgs").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/orgs");
    let r = c.post_form_raw("/login", &[("username", "sec1"), ("password", "wrong"), ("next", "/orgs")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("用户名或密码不正确"));
    assert!(r.text.contains("value=\"sec1\""), "the typed username is kept");
    let r = c.post_form_raw("/login", &[("username", "sec1"), ("password", PASSWORD), ("next", "/orgs")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/orgs");
    // A next that leaves the site is ignored.
    let mut d = app.anon();
    let r =
        d.post_form_raw("/login", &[("username", "sec1"), ("password", PASSWORD), ("next", "//evil.example/")]).await;
    assert_eq!(r.location(), format!("/orgs/{}", app.fx.b1.id));
    // Sign out needs the CSRF token, then ends the session.
    let page = c.get("/orgs").await;
    let csrf = extract_csrf(&page.text);
    let r = c.post_form_raw("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/orgs").await.status, StatusCode::SEE_OTHER);
});

/// The CSRF token a page embeds in its forms.
pub fn extract_csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token");
    html[at + 20..].chars().take_while(|c| *c != '"').collect()
}

both!(forms_without_the_csrf_token_change_nothing, |app| async move {
    let mut c = app.login("admin").await;
    let before = app.store.org(app.fx.b1.id).await.unwrap();
    let fields = [
        ("code", "X1"),
        ("name", "改名"),
        ("unit_name", ""),
        ("established_on", ""),
        ("term_start", ""),
        ("term_end", ""),
    ];
    let r = c.post_form_raw(&format!("/orgs/{}/edit", app.fx.b1.id), &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("页面已过期"));
    let mut bad = fields.to_vec();
    bad.push(("_csrf", "0000"));
    let r = c.post_form_raw(&format!("/orgs/{}/edit", app.fx.b1.id), &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.store.org(app.fx.b1.id).await.unwrap().name, before.name);
    // With the token it goes through.
    let r = c.post_form(&format!("/orgs/{}/edit", app.fx.b1.id), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(app.store.org(app.fx.b1.id).await.unwrap().name, "改名");
});

both!(idle_sessions_expire, |app| async move {
    let mut c = app.login("sec1").await;
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::OK);
    let token = c.cookie.clone().unwrap().trim_start_matches("ronghe_session=").to_string();
    app.store.age_session(&token, 31 * 60 * 1000).await.unwrap();
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let gone: Option<SessionInfo> = app.store.session(&token, i64::MAX).await.unwrap();
    assert!(gone.is_none(), "the expired session is deleted");
});

both!(api_writes_need_json_or_the_csrf_header, |app| async move {
    let mut c = app.login("sec1").await;
    let req = axum::http::Request::post(format!("/api/v1/orgs/{}/members", app.fx.b1.id))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("name=x"))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
});
