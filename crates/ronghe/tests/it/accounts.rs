//! The three MLPS administrators at work: the system administrator creates
//! accounts, the security administrator binds roles and lifts lockouts,
//! and neither can do the other's part.

use axum::http::StatusCode;
use ronghe_store::LOCKOUT_AFTER;

use crate::both;
use crate::support::PASSWORD;

const NEW_PASSWORD: &str = "Branch-Sec-2026";

both!(accounts_are_made_by_one_administrator_and_given_roles_by_another, |app| async move {
    let mut sys = app.login("sysadmin").await;
    // The password policy applies.
    let r =
        sys.post_form("/accounts", &[("username", "wang.fang"), ("display_name", "王芳"), ("password", "short")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("密码至少 10 位"));
    assert!(r.text.contains("value=\"wang.fang\""), "the username is kept");
    let r = sys
        .post_form("/accounts", &[("username", "wang.fang"), ("display_name", "王芳"), ("password", NEW_PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = sys
        .post_form("/accounts", &[("username", "wang.fang"), ("display_name", "王芳"), ("password", NEW_PASSWORD)])
        .await;
    assert!(r.text.contains("该用户名已被使用"));
    let user = app.store.user_by_name("wang.fang").await.unwrap();
    // A new account has no roles: it can sign in but reach nothing.
    let mut new = app.login_with("wang.fang", NEW_PASSWORD).await;
    assert_eq!(new.get(&format!("/orgs/{}/members", app.fx.b2.id)).await.status, StatusCode::NOT_FOUND);
    // The system administrator cannot grant roles.
    let grant = [("role", "secretary"), ("org_code", "B2")];
    let r = sys.post_form(&format!("/accounts/{}/roles", user.id), &grant).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut sec = app.login("secadmin").await;
    let r = sec.post_form(&format!("/accounts/{}/roles", user.id), &grant).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        new.get(&format!("/orgs/{}/members", app.fx.b2.id)).await.status,
        StatusCode::OK,
        "roles take effect at once"
    );
    // 三员分立: no administrator role on an account with other roles.
    let r =
        sec.post_form(&format!("/accounts/{}/roles", user.id), &[("role", "audit_admin"), ("org_code", "ROOT")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("三员分立"));
    // Nor can the security administrator change their own roles.
    let me = app.store.user_by_name("secadmin").await.unwrap();
    let r =
        sec.post_form(&format!("/accounts/{}/roles", me.id), &[("role", "group_admin"), ("org_code", "ROOT")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Revoking takes effect at once too.
    let binding = app
        .store
        .role_bindings(app.fx.root.tenant_id)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.user_id == user.id)
        .unwrap();
    let r = sec.post_form(&format!("/accounts/{}/roles/{}/delete", user.id, binding.id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(new.get(&format!("/orgs/{}/members", app.fx.b2.id)).await.status, StatusCode::NOT_FOUND);
    // Each step is in the audit log.
    let mut auditor = app.login("auditor").await;
    let log = auditor.get("/api/v1/audit?action=user.").await.json();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(&actions[..3], &["user.role.revoke", "user.role.grant", "user.create"]);
});

both!(only_the_right_administrator_reaches_each_account_action, |app| async move {
    let sec1 = app.store.user_by_name("sec1").await.unwrap();
    for (user, create, grant, unlock) in [
        ("admin", 403, 403, 403),
        ("sec1", 403, 403, 403),
        ("member1", 403, 403, 403),
        ("auditor", 403, 403, 403),
        ("sysadmin", 422, 403, 403),
        ("secadmin", 403, 303, 303),
    ] {
        let mut c = app.login(user).await;
        let r = c.post_form("/accounts", &[("username", "x"), ("display_name", "x"), ("password", "x")]).await;
        assert_eq!(r.status.as_u16(), create, "create as {user}");
        let r = c.post_form(&format!("/accounts/{}/roles", sec1.id), &[("role", "member"), ("org_code", "B1")]).await;
        assert_eq!(r.status.as_u16(), grant, "grant as {user}");
        let r = c.post_form(&format!("/accounts/{}/unlock", sec1.id), &[]).await;
        assert_eq!(r.status.as_u16(), unlock, "unlock as {user}");
    }
    let mut anon = app.anon();
    assert_eq!(anon.post_form("/accounts", &[]).await.status, StatusCode::SEE_OTHER);
});

both!(the_security_administrator_lifts_a_lockout, |app| async move {
    let mut c = app.anon();
    for _ in 0..LOCKOUT_AFTER {
        c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": "wrong"})).await;
    }
    let r = c.post_json("/api/v1/session", serde_json::json!({"username": "sec1", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::LOCKED);
    let mut sec = app.login("secadmin").await;
    let page = sec.get("/account").await;
    assert!(page.text.contains("解除锁定"));
    let user = app.store.user_by_name("sec1").await.unwrap();
    assert_eq!(sec.post_form(&format!("/accounts/{}/unlock", user.id), &[]).await.status, StatusCode::SEE_OTHER);
    app.login("sec1").await;
});

both!(anyone_changes_their_own_password_and_other_sessions_end, |app| async move {
    let mut here = app.login("member1").await;
    let mut elsewhere = app.login("member1").await;
    let new = "Another-Pass-2026";
    // The policy, the confirmation and the current password are checked.
    for (current, pw, confirm, says) in [
        (PASSWORD, "short", "short", "密码至少 10 位"),
        (PASSWORD, new, "Different-2026", "两次输入的新密码不一致"),
        ("wrong", new, new, "当前密码不正确"),
    ] {
        let r = here.post_form("/account/password", &[("current", current), ("new", pw), ("confirm", confirm)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains(says), "{says}");
    }
    let r = here.post_form("/account/password", &[("current", PASSWORD), ("new", new), ("confirm", new)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("密码已修改"));
    // This session goes on; the other one ended; the new password works.
    assert_eq!(here.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(elsewhere.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    app.login_with("member1", new).await;
    let mut anon = app.anon();
    let r = anon.post_json("/api/v1/session", serde_json::json!({"username": "member1", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

both!(a_role_revoked_on_one_node_is_gone_on_every_node, |app| async move {
    // Two app nodes; each caches the role bindings of the users it serves.
    let other = app.node();
    let mut sec1 = app.login("sec1").await;
    let b1 = format!("/orgs/{}/members", app.fx.b1.id);
    assert_eq!(sec1.get(&b1).await.status, StatusCode::OK);
    let mut sec1_elsewhere = sec1.clone().via(&other);
    assert_eq!(sec1_elsewhere.get(&b1).await.status, StatusCode::OK);

    let user = app.store.user_by_name("sec1").await.unwrap();
    let binding = app
        .store
        .role_bindings(app.fx.root.tenant_id)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.user_id == user.id && b.role == ronghe_domain::auth::Role::Secretary)
        .unwrap();
    let mut secadmin = app.login("secadmin").await.via(&other);
    let r = secadmin.post_form(&format!("/accounts/{}/roles/{}/delete", user.id, binding.id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Both nodes see it on the next request, with no waiting.
    assert_eq!(sec1.get(&b1).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sec1_elsewhere.get(&b1).await.status, StatusCode::NOT_FOUND);
    // A grant made through the first node reaches the second.
    let mut secadmin = secadmin.via(&app.router);
    let r =
        secadmin.post_form(&format!("/accounts/{}/roles", user.id), &[("role", "secretary"), ("org_code", "B1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(sec1_elsewhere.get(&b1).await.status, StatusCode::OK);
});
