//! Every route, for every role, inside and outside its subtree. The
//! expected statuses are written out by hand, not derived from the code
//! under test.

use axum::http::{Method, StatusCode};

use crate::both;
use crate::support::{as_pairs, member_form, member_input, Client, TestApp};

const USERS: [&str; 8] = ["anon", "admin", "sec1", "member1", "committee1", "sysadmin", "secadmin", "auditor"];

/// Expected status per user, in the order of [`USERS`].
type Row = [u16; 8];

async fn clients(app: &TestApp) -> Vec<Client> {
    let mut out = vec![app.anon()];
    for u in &USERS[1..] {
        out.push(app.login(u).await);
    }
    out
}

fn check(failures: &mut Vec<String>, what: &str, user: &str, got: StatusCode, want: u16) {
    // A page that needs a sign-in redirects; the API answers 401.
    if got.as_u16() != want {
        failures.push(format!("{what} as {user}: got {got}, want {want}"));
    }
}

both!(every_get_route_for_every_role, |app| async move {
    let f = &app.fx;
    let (root, u1, b1, b2, g1) = (f.root.id, f.u1.id, f.b1.id, f.b2.id, f.g1.id);
    let (m1, m1b, m2) = (f.m1, f.m1b, f.m2);
    //                                   anon admin sec1 mem1 comm sys  sec  aud
    let table: Vec<(String, Row)> = vec![
        ("/orgs".into(), [303, 200, 200, 200, 200, 403, 403, 403]),
        (format!("/orgs/{root}"), [303, 200, 404, 200, 404, 404, 404, 404]),
        (format!("/orgs/{u1}"), [303, 200, 404, 200, 200, 404, 404, 404]),
        (format!("/orgs/{b1}"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/orgs/{g1}"), [303, 200, 200, 404, 200, 404, 404, 404]),
        (format!("/orgs/{b2}"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/tree"), [303, 303, 303, 303, 303, 404, 404, 404]),
        (format!("/orgs/{b2}/tree"), [303, 303, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/edit"), [303, 200, 403, 403, 403, 404, 404, 404]),
        (format!("/orgs/{b2}/edit"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/children/new"), [303, 200, 403, 403, 403, 404, 404, 404]),
        (format!("/orgs/{b1}/members"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/members"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{root}/members"), [303, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/members/export?format=csv"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/members/export?format=csv"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/members/new"), [303, 200, 200, 403, 403, 404, 404, 404]),
        (format!("/orgs/{b2}/members/new"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/import"), [303, 200, 200, 403, 403, 404, 404, 404]),
        (format!("/orgs/{b2}/import"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/import/template"), [303, 200, 200, 403, 403, 404, 404, 404]),
        (format!("/orgs/{b2}/import/template"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/members/{m1b}"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/members/{m2}"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}/edit"), [303, 200, 200, 403, 403, 404, 404, 404]),
        (format!("/members/{m2}/edit"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/dues"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/dues"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/dues/export"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/dues/export"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/dues/import"), [303, 200, 200, 403, 403, 404, 404, 404]),
        (format!("/orgs/{b2}/dues/import"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}/dues"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/members/{m1b}/dues"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/members/{m2}/dues"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/development"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/development"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}/development"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/members/{m1b}/development"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/members/{m2}/development"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}/development/print"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/members/{m2}/development/print"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/transfers"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/transfers"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}/transfers"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/members/{m2}/transfers"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/life"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/life"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/life/book.xlsx"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/life/book.xlsx"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/members/{m1}/meetings"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/members/{m1b}/meetings"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/members/{m2}/meetings"), [303, 200, 404, 404, 404, 404, 404, 404]),
        ("/audit".into(), [303, 403, 403, 403, 403, 403, 403, 200]),
        ("/account".into(), [303, 200, 200, 200, 200, 200, 200, 200]),
        // Everyone signed in has their own reminders (empty for most).
        ("/reminders".into(), [303, 200, 200, 200, 200, 200, 200, 200]),
        ("/members/999999".into(), [303, 404, 404, 404, 404, 404, 404, 404]),
        // The API: 401 without a session.
        ("/api/v1/me".into(), [401, 200, 200, 200, 200, 200, 200, 200]),
        (format!("/api/v1/orgs/{root}"), [401, 200, 404, 200, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}"), [401, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{u1}/children"), [401, 200, 404, 200, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/children"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/members"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/members"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{root}/members"), [401, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/api/v1/members/{m1}"), [401, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m1b}"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m2}"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/dues"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{root}/dues"), [401, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/api/v1/members/{m1}/dues"), [401, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m1b}/dues"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m2}/dues"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/development"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{root}/development"), [401, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/api/v1/members/{m1}/development"), [401, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m1b}/development"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m2}/development"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/transfers"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{root}/transfers"), [401, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/life/compliance"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{root}/life/compliance?year=2025&quarter=4"), [401, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/meetings"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/meetings"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/members/{m1}/study"), [401, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m1b}/study"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/members/{m2}/study"), [401, 200, 404, 404, 404, 404, 404, 404]),
        ("/learn".into(), [303, 403, 200, 200, 403, 403, 403, 403]),
        (format!("/members/{m1}/study"), [303, 200, 200, 200, 200, 404, 404, 404]),
        (format!("/members/{m1b}/study"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/members/{m2}/study"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/study"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/study"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{root}/study"), [401, 200, 404, 403, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/exams"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/exams"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/exams"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/exams"), [401, 200, 404, 404, 404, 404, 404, 404]),
        // Rankings are off until switched on: refused (422) to those who
        // could see one, not found to everyone else.
        (format!("/orgs/{b1}/study/ranking"), [303, 422, 422, 422, 422, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/study/ranking"), [401, 422, 422, 422, 422, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/study/ranking"), [401, 422, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{u1}/decisions"), [303, 200, 404, 403, 200, 404, 404, 404]),
        (
            format!("/orgs/{b1}/decisions?year=2025&metric=compliance&side=denominator"),
            [303, 200, 200, 403, 200, 404, 404, 404],
        ),
        (format!("/orgs/{b2}/decisions"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/orgs/{b1}/decisions/suggest?title=x"), [303, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/orgs/{b2}/decisions/suggest?title=x"), [303, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{u1}/decisions/metrics"), [401, 200, 404, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/decisions/metrics?year=2025"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/decisions/metrics"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/topics"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/topics"), [401, 200, 404, 404, 404, 404, 404, 404]),
        (format!("/api/v1/orgs/{b1}/decisions/suggest?title=x"), [401, 200, 200, 403, 200, 404, 404, 404]),
        (format!("/api/v1/orgs/{b2}/decisions/suggest?title=x"), [401, 200, 404, 404, 404, 404, 404, 404]),
        ("/api/v1/audit".into(), [401, 403, 403, 403, 403, 403, 403, 200]),
        // Open to all.
        ("/healthz".into(), [200, 200, 200, 200, 200, 200, 200, 200]),
        ("/livez".into(), [200, 200, 200, 200, 200, 200, 200, 200]),
        ("/api/openapi.json".into(), [200, 200, 200, 200, 200, 200, 200, 200]),
        ("/login".into(), [200, 303, 303, 303, 303, 303, 303, 303]),
    ];
    let mut clients = clients(&app).await;
    let mut failures = Vec::new();
    for (path, want) in &table {
        for (i, c) in clients.iter_mut().enumerate() {
            let got = c.get(path).await.status;
            check(&mut failures, path, USERS[i], got, want[i]);
        }
    }
    assert!(failures.is_empty(), "{} permission failures:\n{}", failures.len(), failures.join("\n"));
});

both!(every_write_route_for_every_role, |app| async move {
    let f = app.fx.clone();
    let mut clients = clients(&app).await;
    // A meeting planned at b1, for its routes.
    let r = clients[1]
        .post_json(
            &format!("/api/v1/orgs/{}/meetings", f.b1.id),
            serde_json::json!({"kind": "lecture", "topic": "党课", "planned_on": crate::support::today().to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let meeting = r.json()["meeting"]["id"].as_i64().unwrap();
    // A topic before b1's committee, for its routes.
    let r = clients[1]
        .post_json(
            &format!("/api/v1/orgs/{}/topics", f.b1.id),
            serde_json::json!({"item_code": "S05", "title": "年度投资计划", "summary": "概要"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let topic = r.json()["topic"]["id"].as_i64().unwrap();
    // A transfer under way, for its routes.
    let r = clients[1]
        .post_json(
            &format!("/api/v1/members/{}/transfers", f.m1),
            serde_json::json!({"kind": "internal", "to_org_id": f.b2.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let transfer = r.json()["transfer"]["id"].as_i64().unwrap();
    // A person in development in each branch, for the steps' routes.
    let mut candidates = Vec::new();
    for (org, n) in [(f.b1.id, 9001), (f.b2.id, 9002)] {
        let body = serde_json::json!({"name": "申请人", "id_number": crate::support::id_number(n), "ethnicity": "汉族",
            "applied_on": crate::support::today().to_string()});
        let r = clients[1].post_json(&format!("/api/v1/orgs/{org}/development"), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        candidates.push(r.json()["person"]["id"].as_i64().unwrap());
    }
    let mut failures = Vec::new();
    let mut n = 100;
    // (what, expected per user, request)
    for (i, c) in clients.iter_mut().enumerate() {
        let user = USERS[i];
        let page_want = |v: Row| v[i];
        // Add a member through the form, inside and outside the subtree.
        for (org, want) in
            [(f.b1.id, [303, 303, 303, 403, 403, 404, 404, 404]), (f.b2.id, [303, 303, 404, 404, 404, 404, 404, 404])]
        {
            n += 1;
            let form = member_form(&member_input("新党员", n), org);
            let got = c.post_form(&format!("/orgs/{org}/members"), &as_pairs(&form)).await.status;
            // Without a session the CSRF guard answers first: sign in.
            let want = if user == "anon" { 303 } else { page_want(want) };
            check(&mut failures, &format!("POST /orgs/{org}/members"), user, got, want);
        }
        // The same through the API.
        for (org, want) in
            [(f.b1.id, [401, 201, 201, 403, 403, 404, 404, 404]), (f.b2.id, [401, 201, 404, 404, 404, 404, 404, 404])]
        {
            n += 1;
            let body = serde_json::to_value(member_input("接口党员", n)).unwrap();
            let got = c.post_json(&format!("/api/v1/orgs/{org}/members"), body).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/members"), user, got, want[i]);
        }
        // Reveal personal data.
        for (m, want) in
            [(f.m1, [303, 200, 200, 403, 403, 404, 404, 404]), (f.m2, [303, 200, 404, 404, 404, 404, 404, 404])]
        {
            let got = c.post_form(&format!("/members/{m}/reveal"), &[]).await.status;
            check(&mut failures, &format!("POST /members/{m}/reveal"), user, got, want[i]);
        }
        for (m, want) in
            [(f.m1, [401, 200, 200, 403, 403, 404, 404, 404]), (f.m2, [401, 200, 404, 404, 404, 404, 404, 404])]
        {
            let got =
                c.json(Method::POST, &format!("/api/v1/members/{m}/personal-data"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{m}/personal-data"), user, got, want[i]);
        }
        // The dues calculator: the national standard is public; signed-in
        // users get their group's pack.
        let got = c
            .json(
                Method::POST,
                "/api/v1/dues/quote",
                serde_json::json!({"category": "employed", "monthly_income_fen": 450000}),
            )
            .await
            .status;
        check(&mut failures, "POST /api/v1/dues/quote", user, got, 200);
        // Recording dues payments: the secretary and the group admin; a
        // member cannot record their own, a committee member only reads.
        for (m, want) in
            [(f.m1, [401, 200, 200, 403, 403, 404, 404, 404]), (f.m2, [401, 200, 404, 404, 404, 404, 404, 404])]
        {
            let body = serde_json::json!({"kind": "voluntary", "amount_fen": 100});
            let got = c.json(Method::POST, &format!("/api/v1/members/{m}/dues/payments"), body).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{m}/dues/payments"), user, got, want[i]);
            let body = serde_json::json!({"year": 2026, "from_month": 1, "category": "student"});
            let got = c.json(Method::PUT, &format!("/api/v1/members/{m}/dues/standard"), body).await.status;
            check(&mut failures, &format!("PUT /api/v1/members/{m}/dues/standard"), user, got, want[i]);
        }
        // The dues pages' forms: a standard, a payment, a void (of a payment
        // that does not exist: 404 once past the permission check).
        let today = crate::support::today().to_string();
        for (m, want) in
            [(f.m1, [303, 303, 303, 403, 403, 404, 404, 404]), (f.m2, [303, 303, 404, 404, 404, 404, 404, 404])]
        {
            let std_form = [("year", "2026"), ("from_month", "1"), ("category", "student")];
            let got = c.post_form(&format!("/members/{m}/dues/standard"), &std_form).await.status;
            check(&mut failures, &format!("POST /members/{m}/dues/standard"), user, got, want[i]);
            let pay_form = [("kind", "voluntary"), ("amount", "1"), ("paid_on", today.as_str())];
            let got = c.post_form(&format!("/members/{m}/dues/payments"), &pay_form).await.status;
            check(&mut failures, &format!("POST /members/{m}/dues/payments"), user, got, want[i]);
            // Where writing is allowed, the missing payment is not found.
            let void_want = if want[i] == 303 && user != "anon" { 404 } else { want[i] };
            let got = c.post_form(&format!("/members/{m}/dues/payments/999999/void"), &[("reason", "x")]).await.status;
            check(&mut failures, &format!("POST /members/{m}/dues/payments/999999/void"), user, got, void_want);
        }
        // The payroll upload page (a file without an income column: 422 once
        // past the permission check).
        for (org, want) in
            [(f.b1.id, [303, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [303, 422, 404, 404, 404, 404, 404, 404])]
        {
            let fields = [("year", "2026"), ("from_month", "1"), ("category", "employed")];
            let got = c
                .upload_with(&format!("/orgs/{org}/dues/import"), "p.csv", "姓名,身份证号码\n".as_bytes(), &fields)
                .await
                .status;
            check(&mut failures, &format!("POST /orgs/{org}/dues/import"), user, got, want[i]);
        }
        // Confirming a payroll draft that does not exist: 404 once past the
        // permission check.
        for (org, want) in
            [(f.b1.id, [303, 404, 404, 403, 403, 404, 404, 404]), (f.b2.id, [303, 404, 404, 404, 404, 404, 404, 404])]
        {
            let form = [("year", "2026"), ("from_month", "1"), ("category", "employed")];
            let got = c.post_form(&format!("/orgs/{org}/dues/import/999999/commit"), &form).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/dues/import/999999/commit"), user, got, want[i]);
        }
        // Voiding a payment (one that does not exist: 404 once past the
        // permission check).
        for (m, want) in
            [(f.m1, [401, 404, 404, 403, 403, 404, 404, 404]), (f.m2, [401, 404, 404, 404, 404, 404, 404, 404])]
        {
            let path = format!("/api/v1/members/{m}/dues/payments/999999/void");
            let got = c.post_json(&path, serde_json::json!({"reason": "x"})).await.status;
            check(&mut failures, &format!("POST {path}"), user, got, want[i]);
        }
        // Payroll import through the API (a file without an income column:
        // 422 once past the permission check).
        for (org, want) in
            [(f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404])]
        {
            let path = format!("/api/v1/orgs/{org}/dues/import?file_name=p.csv&year=2026&from_month=1&dry_run=true");
            let req = axum::http::Request::post(&path)
                .header("content-type", "text/csv")
                .header("x-csrf-token", c.csrf.as_str())
                .body(axum::body::Body::from("姓名,身份证号码\n"))
                .unwrap();
            let got = c.send(req).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/dues/import"), user, got, want[i]);
        }
        // Taking an application, through the form and the API.
        for (org, want) in
            [(f.b1.id, [303, 303, 303, 403, 403, 404, 404, 404]), (f.b2.id, [303, 303, 404, 404, 404, 404, 404, 404])]
        {
            n += 1;
            let id = crate::support::id_number(n);
            let today = crate::support::today().to_string();
            let form = [
                ("name", "表单申请人"),
                ("id_number", id.as_str()),
                ("ethnicity", "汉族"),
                ("applied_on", today.as_str()),
            ];
            let got = c.post_form(&format!("/orgs/{org}/development"), &form).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/development"), user, got, want[i]);
        }
        for (org, want) in
            [(f.b1.id, [401, 201, 201, 403, 403, 404, 404, 404]), (f.b2.id, [401, 201, 404, 404, 404, 404, 404, 404])]
        {
            n += 1;
            let body = serde_json::json!({"name": "接口申请人", "id_number": crate::support::id_number(n), "ethnicity": "汉族",
                "applied_on": crate::support::today().to_string()});
            let got = c.post_json(&format!("/api/v1/orgs/{org}/development"), body).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/development"), user, got, want[i]);
        }
        // Recording a step (out of order: 422 once past the permission
        // check), through the API and the form; filing a document.
        for (person, api, page, doc) in [
            (
                candidates[0],
                [401, 422, 422, 403, 403, 404, 404, 404],
                [303, 422, 422, 403, 403, 404, 404, 404],
                [401, 201, 201, 403, 403, 404, 404, 404],
            ),
            (
                candidates[1],
                [401, 422, 404, 404, 404, 404, 404, 404],
                [303, 422, 404, 404, 404, 404, 404, 404],
                [401, 201, 404, 404, 404, 404, 404, 404],
            ),
        ] {
            let today = crate::support::today().to_string();
            let body = serde_json::json!({"step": "archive", "on": today});
            let got = c.post_json(&format!("/api/v1/members/{person}/development/steps"), body).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{person}/development/steps"), user, got, api[i]);
            let form = [("step", "archive"), ("on", today.as_str())];
            let got = c.post_form(&format!("/members/{person}/development/steps"), &form).await.status;
            check(&mut failures, &format!("POST /members/{person}/development/steps"), user, got, page[i]);
            let req =
                axum::http::Request::post(format!("/api/v1/members/{person}/development/documents?file_name=note.txt"))
                    .header("x-csrf-token", c.csrf.clone())
                    .body(axum::body::Body::from("谈话记录"))
                    .unwrap();
            let got = c.send(req).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{person}/development/documents"), user, got, doc[i]);
        }
        // Moving a person to another pack: group administrators only.
        for (person, api, page) in [
            (candidates[0], [401, 200, 403, 403, 403, 404, 404, 404], [303, 303, 403, 403, 403, 404, 404, 404]),
            (candidates[1], [401, 200, 404, 404, 404, 404, 404, 404], [303, 303, 404, 404, 404, 404, 404, 404]),
        ] {
            let body = serde_json::json!({"version": "2014.1", "reason": "核对"});
            let got = c.json(Method::PUT, &format!("/api/v1/members/{person}/development/pack"), body).await.status;
            check(&mut failures, &format!("PUT /api/v1/members/{person}/development/pack"), user, got, api[i]);
            let form = [("version", "2014.1"), ("reason", "核对")];
            let got = c.post_form(&format!("/members/{person}/development/pack"), &form).await.status;
            check(&mut failures, &format!("POST /members/{person}/development/pack"), user, got, page[i]);
        }
        // Transfers: asking (a bad kind: 422 once past the permission
        // check), registering a letter from outside (missing details: 422).
        for (m, api, page) in [
            (f.m1, [401, 422, 422, 403, 403, 404, 404, 404], [303, 422, 422, 403, 403, 404, 404, 404]),
            (f.m2, [401, 422, 404, 404, 404, 404, 404, 404], [303, 422, 404, 404, 404, 404, 404, 404]),
        ] {
            let got =
                c.post_json(&format!("/api/v1/members/{m}/transfers"), serde_json::json!({"kind": "x"})).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{m}/transfers"), user, got, api[i]);
            let got = c.post_form(&format!("/members/{m}/transfers"), &[("kind", "x")]).await.status;
            check(&mut failures, &format!("POST /members/{m}/transfers"), user, got, page[i]);
        }
        for (org, api, page) in [
            (f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404], [303, 422, 422, 403, 403, 404, 404, 404]),
            (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404], [303, 422, 404, 404, 404, 404, 404, 404]),
        ] {
            let got = c.post_json(&format!("/api/v1/orgs/{org}/transfers/inbound"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/transfers/inbound"), user, got, api[i]);
            let got = c.post_form(&format!("/orgs/{org}/transfers/inbound"), &[("person_name", "x")]).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/transfers/inbound"), user, got, page[i]);
        }
        // Members away: recording a stay (no place: 422 once past the
        // permission check) and a return (of a stay that does not exist: 404).
        for (m, api, page) in [
            (f.m1, [401, 422, 422, 403, 403, 404, 404, 404], [303, 422, 422, 403, 403, 404, 404, 404]),
            (f.m2, [401, 422, 404, 404, 404, 404, 404, 404], [303, 422, 404, 404, 404, 404, 404, 404]),
        ] {
            let got = c.post_json(&format!("/api/v1/members/{m}/away"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{m}/away"), user, got, api[i]);
            let got = c.post_form(&format!("/members/{m}/away"), &[("place", "")]).await.status;
            check(&mut failures, &format!("POST /members/{m}/away"), user, got, page[i]);
            let want = if api[i] == 422 { 404 } else { api[i] };
            let got =
                c.post_json(&format!("/api/v1/members/{m}/away/999999/return"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/members/{m}/away/999999/return"), user, got, want);
        }
        // A transfer of m1 (b1 → b2): read by both ends and the member;
        // an action it cannot take yet is 422 for any reader.
        let tp = format!("/transfers/{transfer}");
        check(&mut failures, &tp, user, c.get(&tp).await.status, [303, 200, 200, 200, 200, 404, 404, 404][i]);
        let api_tp = format!("/api/v1/transfers/{transfer}");
        check(&mut failures, &api_tp, user, c.get(&api_tp).await.status, [401, 200, 200, 200, 200, 404, 404, 404][i]);
        let got = c.post_json(&format!("{api_tp}/actions"), serde_json::json!({"action": "report"})).await.status;
        check(&mut failures, &format!("POST {api_tp}/actions"), user, got, [401, 422, 422, 422, 422, 404, 404, 404][i]);
        let got = c.post_form(&format!("{tp}/actions"), &[("action", "report")]).await.status;
        check(&mut failures, &format!("POST {tp}/actions"), user, got, [303, 422, 422, 422, 422, 404, 404, 404][i]);
        // Planning a meeting (a bad kind: 422 once past the permission check).
        for (org, api, page) in [
            (f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404], [303, 422, 422, 403, 403, 404, 404, 404]),
            (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404], [303, 422, 404, 404, 404, 404, 404, 404]),
        ] {
            let got =
                c.post_json(&format!("/api/v1/orgs/{org}/meetings"), serde_json::json!({"kind": "x"})).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/meetings"), user, got, api[i]);
            let got = c.post_form(&format!("/orgs/{org}/life"), &[("kind", "x")]).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/life"), user, got, page[i]);
        }
        // A monthly schedule (no day: 422 once past the permission check).
        for (org, want) in
            [(f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404])]
        {
            let body = serde_json::json!({"kind": "theme_day", "topic": "x", "from_month": "2030-01", "months": 1});
            let got = c.post_json(&format!("/api/v1/orgs/{org}/meetings/schedule"), body).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/meetings/schedule"), user, got, want[i]);
        }
        // A meeting of b1: read by its readers and the people expected; sealing
        // a meeting not yet held is 422 for those who may seal; signing in
        // with a wrong code is 422 for anyone who may read it.
        let mp = format!("/meetings/{meeting}");
        check(&mut failures, &mp, user, c.get(&mp).await.status, [303, 200, 200, 200, 200, 404, 404, 404][i]);
        let docx = format!("{mp}/minutes.docx");
        check(&mut failures, &docx, user, c.get(&docx).await.status, [303, 200, 200, 200, 200, 404, 404, 404][i]);
        let api_mp = format!("/api/v1/meetings/{meeting}");
        check(&mut failures, &api_mp, user, c.get(&api_mp).await.status, [401, 200, 200, 200, 200, 404, 404, 404][i]);
        let got = c.post_json(&format!("{api_mp}/seal"), serde_json::json!({})).await.status;
        check(&mut failures, &format!("POST {api_mp}/seal"), user, got, [401, 422, 422, 403, 403, 404, 404, 404][i]);
        let got = c.post_form(&format!("{mp}/seal"), &[]).await.status;
        check(&mut failures, &format!("POST {mp}/seal"), user, got, [303, 422, 422, 403, 403, 404, 404, 404][i]);
        // An empty file: 422 for those who may write, 403 for readers.
        let req = axum::http::Request::post(format!("{api_mp}/files?file_name=x.png"))
            .header("x-csrf-token", c.csrf.clone())
            .body(axum::body::Body::empty())
            .unwrap();
        let got = c.send(req).await.status;
        check(&mut failures, &format!("POST {api_mp}/files"), user, got, [401, 422, 422, 403, 403, 404, 404, 404][i]);
        // Ratings at a lecture: 422 for those who may write, 403 for readers.
        let got = c.post_json(&format!("{api_mp}/ratings"), serde_json::json!({"ratings": []})).await.status;
        check(&mut failures, &format!("POST {api_mp}/ratings"), user, got, [401, 422, 422, 403, 403, 404, 404, 404][i]);
        let got = c.post_json(&format!("{api_mp}/sign-in"), serde_json::json!({"code": "x"})).await.status;
        check(&mut failures, &format!("POST {api_mp}/sign-in"), user, got, [401, 422, 422, 422, 422, 404, 404, 404][i]);
        // Decision topics: submitting without a title, a step out of order,
        // a return without reasons, a resubmission of an open topic and
        // closing a task that is not there: 422 once past the permission check.
        for (org, want) in
            [(f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404])]
        {
            let got = c.post_json(&format!("/api/v1/orgs/{org}/topics"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/topics"), user, got, want[i]);
        }
        for (org, want) in
            [(f.b1.id, [303, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [303, 422, 404, 404, 404, 404, 404, 404])]
        {
            let got = c.post_form(&format!("/orgs/{org}/decisions"), &[("title", "")]).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/decisions"), user, got, want[i]);
        }
        let page = format!("/topics/{topic}");
        check(&mut failures, &page, user, c.get(&page).await.status, [303, 200, 200, 403, 200, 404, 404, 404][i]);
        let forms: [(&str, &[(&str, &str)]); 4] = [
            ("steps", &[("step", "decision"), ("body", "x"), ("outcome", "approved")]),
            ("return", &[("reason", "")]),
            ("resubmit", &[("response", "")]),
            ("tasks/1/close", &[("result", "")]),
        ];
        for (what, fields) in forms {
            let got = c.post_form(&format!("{page}/{what}"), fields).await.status;
            check(
                &mut failures,
                &format!("POST {page}/{what}"),
                user,
                got,
                [303, 422, 422, 403, 403, 404, 404, 404][i],
            );
        }
        let tp = format!("/api/v1/topics/{topic}");
        check(&mut failures, &tp, user, c.get(&tp).await.status, [401, 200, 200, 403, 200, 404, 404, 404][i]);
        let writes = [
            ("steps", serde_json::json!({"step": "decision", "body": "x", "outcome": "approved"})),
            ("return", serde_json::json!({"reason": ""})),
            ("resubmit", serde_json::json!({"response": ""})),
            ("tasks/1/close", serde_json::json!({"result": ""})),
        ];
        for (what, body) in writes {
            let got = c.post_json(&format!("{tp}/{what}"), body).await.status;
            check(&mut failures, &format!("POST {tp}/{what}"), user, got, [401, 422, 422, 403, 403, 404, 404, 404][i]);
        }
        // Courses and offline training (no title: 422 once past the permission check).
        for (org, want) in
            [(f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404])]
        {
            let got = c.post_json(&format!("/api/v1/orgs/{org}/courses"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/courses"), user, got, want[i]);
            let got = c.post_json(&format!("/api/v1/orgs/{org}/trainings"), serde_json::json!({})).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/trainings"), user, got, want[i]);
            // An empty upload: 422 once past the permission check.
            let req = axum::http::Request::post(format!("/api/v1/orgs/{org}/questions/import"))
                .header("x-csrf-token", c.csrf.clone())
                .body(axum::body::Body::empty())
                .unwrap();
            let got = c.send(req).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/questions/import"), user, got, want[i]);
            for what in ["questions", "exams"] {
                let got = c
                    .post_json(&format!("/api/v1/orgs/{org}/{what}"), serde_json::json!({"questions": []}))
                    .await
                    .status;
                check(&mut failures, &format!("POST /api/v1/orgs/{org}/{what}"), user, got, want[i]);
            }
            let page = if user == "anon" { 303 } else { want[i] };
            let got = c.multipart(&format!("/orgs/{org}/courses"), &[("title", "")], &[]).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/courses"), user, got, page);
            let got = c.post_form(&format!("/orgs/{org}/exams"), &[("title", "")]).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/exams"), user, got, page);
            let got = c.upload(&format!("/orgs/{org}/questions/import"), "bank.xlsx", b"not a workbook").await.status;
            check(&mut failures, &format!("POST /orgs/{org}/questions/import"), user, got, page);
            // An empty lesson file: 422 once past the permission check.
            let req = axum::http::Request::post(format!("/api/v1/orgs/{org}/media?file_name=a.mp4"))
                .header("x-csrf-token", c.csrf.clone())
                .body(axum::body::Body::empty())
                .unwrap();
            let got = c.send(req).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/media"), user, got, want[i]);
            // Switching the ranking (off, as it is): 204 for those who may.
            let ok = want.map(|w| if w == 422 { 204 } else { w });
            let got = c
                .json(Method::PUT, &format!("/api/v1/orgs/{org}/study/ranking"), serde_json::json!({"on": false}))
                .await
                .status;
            check(&mut failures, &format!("PUT /api/v1/orgs/{org}/study/ranking"), user, got, ok[i]);
            let got = c.post_form(&format!("/orgs/{org}/study/ranking"), &[("on", "0")]).await.status;
            let page_ok = if user == "anon" || ok[i] == 204 { 303 } else { ok[i] };
            check(&mut failures, &format!("POST /orgs/{org}/study/ranking"), user, got, page_ok);
        }
        // Status changes.
        for (m, want) in
            [(f.mg, [303, 303, 303, 404, 403, 404, 404, 404]), (f.m2, [303, 303, 404, 404, 404, 404, 404, 404])]
        {
            let got = c
                .post_form(
                    &format!("/members/{m}/status"),
                    &[("status", "normal"), ("since", "2024-01-01"), ("reason", "")],
                )
                .await
                .status;
            check(&mut failures, &format!("POST /members/{m}/status"), user, got, want[i]);
        }
        // Edit an organisation; add a child; appoint an officer.
        let org_fields = [
            ("code", "B1X"),
            ("name", "综采一队党支部"),
            ("unit_name", ""),
            ("established_on", ""),
            ("term_start", ""),
            ("term_end", ""),
        ];
        for (org, want) in
            [(f.b1.id, [303, 303, 403, 403, 403, 404, 404, 404]), (f.b2.id, [303, 303, 404, 404, 404, 404, 404, 404])]
        {
            let code = format!("C{org}{i}");
            let mut fields = org_fields.to_vec();
            fields[0].1 = &code;
            let got = c.post_form(&format!("/orgs/{org}/edit"), &fields).await.status;
            check(&mut failures, &format!("POST /orgs/{org}/edit"), user, got, want[i]);
        }
        for (parent, want) in
            [(f.u1.id, [303, 303, 404, 403, 403, 404, 404, 404]), (f.u2.id, [303, 303, 404, 404, 404, 404, 404, 404])]
        {
            let code = format!("N{parent}{i}");
            let got = c
                .post_form(
                    &format!("/orgs/{parent}/children"),
                    &[
                        ("kind", "branch"),
                        ("code", &code),
                        ("name", "新支部"),
                        ("unit_name", ""),
                        ("established_on", ""),
                        ("term_start", ""),
                        ("term_end", ""),
                    ],
                )
                .await
                .status;
            check(&mut failures, &format!("POST /orgs/{parent}/children"), user, got, want[i]);
        }
        for (org, member, want) in [
            (f.b1.id, f.m1, [303, 303, 403, 403, 403, 404, 404, 404]),
            (f.b2.id, f.m2, [303, 303, 404, 404, 404, 404, 404, 404]),
        ] {
            let got = c
                .post_form(
                    &format!("/orgs/{org}/officers"),
                    &[("member_id", &member.to_string()), ("role", "youth"), ("term_start", ""), ("term_end", "")],
                )
                .await
                .status;
            check(&mut failures, &format!("POST /orgs/{org}/officers"), user, got, want[i]);
        }
        // Import (checking only: an empty upload).
        for (org, want) in
            [(f.b1.id, [303, 400, 400, 403, 403, 404, 404, 404]), (f.b2.id, [303, 400, 404, 404, 404, 404, 404, 404])]
        {
            let got = c.upload(&format!("/orgs/{org}/import"), "empty.csv", b"").await.status;
            check(&mut failures, &format!("POST /orgs/{org}/import"), user, got, want[i]);
        }
        for (org, want) in
            [(f.b1.id, [401, 422, 422, 403, 403, 404, 404, 404]), (f.b2.id, [401, 422, 404, 404, 404, 404, 404, 404])]
        {
            let req =
                axum::http::Request::post(format!("/api/v1/orgs/{org}/members/import?file_name=x.csv&dry_run=true"))
                    .header("x-csrf-token", c.csrf.clone())
                    .body(axum::body::Body::from("姓名\n"))
                    .unwrap();
            let got = c.send(req).await.status;
            check(&mut failures, &format!("POST /api/v1/orgs/{org}/members/import"), user, got, want[i]);
        }
        // Rewrite a member through the API.
        for (m, n, want) in
            [(f.m1, 1, [401, 200, 200, 403, 403, 404, 404, 404]), (f.m2, 3, [401, 200, 404, 404, 404, 404, 404, 404])]
        {
            let version = app.store.member(m).await.unwrap().row.version;
            let mut body = serde_json::to_value(member_input("改写", n)).unwrap();
            body["version"] = version.into();
            let got = c.json(Method::PUT, &format!("/api/v1/members/{m}"), body).await.status;
            check(&mut failures, &format!("PUT /api/v1/members/{m}"), user, got, want[i]);
        }
        // Remove an officer (appointed afresh for each attempt).
        for (org, member, want) in [
            (&f.b1, f.m1, [303, 303, 403, 403, 403, 404, 404, 404]),
            (&f.b2, f.m2, [303, 303, 404, 404, 404, 404, 404, 404]),
        ] {
            let actor = ronghe_store::Actor::system(f.root.tenant_id, "test");
            let officer = app
                .store
                .add_officer(&actor, org.id, member, ronghe_domain::org::OfficerRole::Member, (None, None))
                .await
                .unwrap();
            let got = c.post_form(&format!("/orgs/{}/officers/{officer}/delete", org.id), &[]).await.status;
            check(&mut failures, &format!("POST /orgs/{}/officers/{officer}/delete", org.id), user, got, want[i]);
        }
        // Sign out through the API: anyone, always.
        let mut other = c.clone();
        let got = other.json(Method::DELETE, "/api/v1/session", serde_json::json!(null)).await.status;
        check(&mut failures, "DELETE /api/v1/session", user, got, 204);
    }
    assert!(failures.is_empty(), "{} permission failures:\n{}", failures.len(), failures.join("\n"));
});

both!(an_upload_waiting_for_confirmation_belongs_to_its_uploader, |app| async move {
    let f = &app.fx;
    let file = format!(
        "姓名,民族,身份证号码,党员类别,入党日期\n确认人,汉族,{},正式党员,2015-07-01\n",
        crate::support::id_number(950)
    );
    let mut admin = app.login("admin").await;
    let r = admin.upload(&format!("/orgs/{}/import", f.b1.id), "r.csv", file.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let at = r.text.find("/commit").unwrap();
    let start = r.text[..at].rfind('"').unwrap() + 1;
    let commit = r.text[start..at + 7].to_string();
    // The branch secretary may import into b1, but not confirm someone else's upload.
    let mut sec = app.login("sec1").await;
    assert_eq!(sec.post_form(&commit, &[]).await.status, StatusCode::NOT_FOUND);
    let mut member = app.login("member1").await;
    assert_eq!(member.post_form(&commit, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.post_form(&commit, &[]).await.status, StatusCode::OK);
});

both!(moving_an_organisation_needs_scope_at_both_ends, |app| async move {
    let f = &app.fx;
    let mut sec = app.login("sec1").await;
    let r = sec.post_form(&format!("/orgs/{}/move", f.g1.id), &[("parent_id", &f.b2.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut admin = app.login("admin").await;
    let r = admin.post_form(&format!("/orgs/{}/move", f.b1.id), &[("parent_id", &f.b1.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "not under itself");
});
