//! The audit log: every write and every view of personal data, readable by
//! the audit administrator only, and impossible to change.

use axum::http::StatusCode;

use crate::both;
use crate::support::member_input;

both!(writes_and_views_are_logged_for_the_auditor, |app| async move {
    let mut sec = app.login("sec1").await;
    let r = sec
        .post_json(
            &format!("/api/v1/orgs/{}/members", app.fx.b1.id),
            serde_json::to_value(member_input("审计", 900)).unwrap(),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    sec.post_form(&format!("/members/{id}/reveal"), &[]).await;
    let mut auditor = app.login("auditor").await;
    let log = auditor.get("/api/v1/audit?user=sec1").await.json();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(&actions[..3], &["member.view_personal_data", "member.create", "session.create"], "{actions:?}");
    assert_eq!(log[1]["target_id"], id.to_string());
    assert!(!log[1]["request_id"].as_str().unwrap().is_empty(), "tied to the request");
    let page = auditor.get("/audit?action=member.").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("member.view_personal_data"));
    assert!(!page.text.contains("session.create"));
});

both!(the_audit_log_cannot_be_changed_behind_the_application, |app| async move {
    assert!(app.store.audit_count(app.fx.root.tenant_id).await.unwrap() > 0);
    let e = app.raw_exec("UPDATE audit_log SET username = 'someone else'").await.unwrap_err();
    assert!(e.contains("append-only"), "{e}");
    let e = app.raw_exec("DELETE FROM audit_log").await.unwrap_err();
    assert!(e.contains("append-only"), "{e}");
});

both!(failed_sign_ins_are_logged, |app| async move {
    let mut c = app.anon();
    c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": "x"})).await;
    let log = app
        .store
        .audit_log(app.fx.root.tenant_id, &ronghe_store::AuditFilter { limit: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(log[0].action, "session.failed");
    assert_eq!(log[0].username, "sec1");
});
