//! Party dues: the quote API against hand-computed amounts, and rule packs
//! loaded as data.

use axum::http::{Method, StatusCode};
use ronghe_store::Actor;

use crate::both;

both!(the_quote_matches_hand_computed_amounts, |app| async move {
    let mut c = app.login("member1").await;
    // (category, income in fen, rate ‰, dues in fen)
    for (category, income, rate, fen) in [
        ("employed", 300000, Some(5), 1500),
        ("employed", 300001, Some(10), 3000),
        ("employed", 1000000, Some(15), 15000),
        ("employed", 1000001, Some(20), 20000),
        ("retired", 500000, Some(5), 2500),
        ("retired", 500001, Some(10), 5000),
        ("student", 0, None, 20),
    ] {
        let r = c
            .post_json("/api/v1/dues/quote", serde_json::json!({"category": category, "monthly_income_fen": income}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let q = r.json();
        assert_eq!(q["rate_permille"].as_i64(), rate, "{category} {income}");
        assert_eq!(q["monthly_dues_fen"], fen, "{category} {income}");
        assert!(q["source"].as_str().unwrap().contains("中组发〔2008〕3号"));
    }
});

both!(a_bad_quote_names_the_field_in_the_callers_language, |app| async move {
    let mut c = app.anon();
    let r = c.post_json("/api/v1/dues/quote", serde_json::json!({"category": "pensioner"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["error"]["fields"][0]["field"], "category");
    assert!(e["error"]["fields"][0]["message"].as_str().unwrap().contains("离退休"), "{e}");
    let r = c
        .send(
            axum::http::Request::post("/api/v1/dues/quote")
                .header("content-type", "application/json")
                .header("accept-language", "en")
                .body(axum::body::Body::from(r#"{"category": "employed"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["error"]["fields"][0]["field"], "monthly_income_fen");
    assert!(e["error"]["fields"][0]["message"].as_str().unwrap().contains("monthly income"), "{e}");
});

both!(a_revised_dues_pack_applies_from_its_date_to_its_group, |app| async move {
    let actor = Actor::system(app.fx.root.tenant_id, "test");
    // A revision from 2030: the lowest bracket pays 0.4%.
    let revised = ronghe_domain::dues::DEFAULT_DUES_PACK
        .replace("version = \"2008.1\"", "version = \"2030.1\"")
        .replace("effective_from = \"2008-04-01\"", "effective_from = \"2030-01-01\"")
        .replace("{ up_to_fen = 300000, rate_permille = 5 }", "{ up_to_fen = 300000, rate_permille = 4 }");
    let header = app.store.load_rules(&actor, &revised).await.unwrap();
    assert_eq!((header.kind.as_str(), header.version.as_str()), ("dues", "2030.1"));
    let body = |on: &str| serde_json::json!({"category": "employed", "monthly_income_fen": 200000, "on": on});
    let mut member = app.login("member1").await;
    let now = member.json(Method::POST, "/api/v1/dues/quote", body("2026-06-30")).await.json();
    assert_eq!((now["rate_permille"].as_i64(), now["rule_pack"].as_str()), (Some(5), Some("2008.1")));
    let later = member.json(Method::POST, "/api/v1/dues/quote", body("2030-01-01")).await.json();
    assert_eq!((later["rate_permille"].as_i64(), later["monthly_dues_fen"].as_i64()), (Some(4), Some(800)));
    // Without a group, the national standard.
    let anon = app.anon().json(Method::POST, "/api/v1/dues/quote", body("2030-01-01")).await.json();
    assert_eq!(anon["rate_permille"], 5);
    // A pack that does not hold together is refused, and nothing is stored.
    let broken =
        revised.replace("version = \"2030.1\"", "version = \"2031.1\"").replace("  { rate_permille = 20 },\n", "");
    assert!(app.store.load_rules(&actor, &broken).await.is_err());
    assert!(app
        .store
        .load_rules(&actor, "kind = \"meetings\"\nversion = \"1\"\neffective_from = \"2030-01-01\"")
        .await
        .is_err());
    let latest = member.json(Method::POST, "/api/v1/dues/quote", body("2031-06-01")).await.json();
    assert_eq!(latest["rule_pack"], "2030.1");
});

/// This month and the `n`th month before it, as `YYYY-MM`.
fn months_back(n: u32) -> String {
    use chrono::Datelike;
    let today = crate::support::today();
    let total = today.year() * 12 + today.month0() as i32 - n as i32;
    format!("{:04}-{:02}", total / 12, total % 12 + 1)
}

both!(standards_payments_and_arrears_follow_the_records, |app| async move {
    use chrono::Datelike;
    let f = app.fx.clone();
    let today = crate::support::today();
    let year = today.year();
    let mut sec = app.login("sec1").await;
    // A standard from January: 4,500 yuan a month → 1% = 45 yuan.
    let r = sec
        .json(
            Method::PUT,
            &format!("/api/v1/members/{}/dues/standard", f.m1),
            serde_json::json!({"year": year, "from_month": 1, "category": "employed", "monthly_income_fen": 450000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let d = r.json();
    assert_eq!(d["standards"][0]["monthly_dues_fen"], 4500);
    assert_eq!(d["standards"][0]["pack_version"], "2008.1");
    let months = d["months"].as_array().unwrap().len() as i64;
    assert_eq!(months, i64::from(today.month()));
    assert_eq!(d["owed_fen"], 4500 * (months - 1), "every month so far is owed, except this one, still open");

    // Paying this month and the one six months back is fine; seven is too old.
    let pay = |period: String, amount: i64| serde_json::json!({"period": period, "amount_fen": amount});
    let path = format!("/api/v1/members/{}/dues/payments", f.m1);
    assert_eq!(sec.post_json(&path, pay(months_back(0), 4500)).await.status, StatusCode::OK);
    let r = sec.post_json(&path, pay(months_back(7), 4500)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["error"]["code"], "dues.back_payment_too_old");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&months_back(7)) && msg.contains("6 个月") && msg.contains("中组发〔2008〕3号"), "{msg}");
    // A refused payment writes nothing.
    let d = sec.get(&format!("/api/v1/members/{}/dues?year={year}", f.m1)).await.json();
    assert_eq!(d["payments"].as_array().unwrap().len(), 1);
    // Before joining (the fixture's members joined in 2010).
    let r = sec.post_json(&path, pay("2009-12".into(), 100)).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "period");
    // A voluntary extra payment is kept apart from the monthly dues.
    let r =
        sec.post_json(&path, serde_json::json!({"kind": "voluntary", "amount_fen": 100000, "payer": "家属代交"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let d = r.json();
    assert_eq!(d["voluntary_fen"], 100000);
    assert_eq!(d["owed_fen"], 4500 * (months - 1));

    // The member sees their own year; the branch's figures drill down to them.
    let mut member = app.login("member1").await;
    let own = member.get(&format!("/api/v1/members/{}/dues?year={year}", f.m1)).await.json();
    assert_eq!(own["owed_fen"], 4500 * (months - 1));
    let mut committee = app.login("committee1").await;
    let u1 = committee.get(&format!("/api/v1/orgs/{}/dues?year={year}", f.u1.id)).await.json();
    assert_eq!(u1["regular_fen"], 4500);
    assert_eq!(u1["voluntary_fen"], 100000);
    let arrears = u1["arrears"].as_array().unwrap();
    if months > 1 {
        assert_eq!(arrears.len(), 1);
        assert_eq!(arrears[0]["member_id"], f.m1);
        assert_eq!(arrears[0]["owed_fen"], 4500 * (months - 1));
    }
    // The other members of the unit have no standard yet, and say so.
    let without: Vec<i64> =
        u1["without_standard"].as_array().unwrap().iter().map(|a| a["member_id"].as_i64().unwrap()).collect();
    assert!(without.contains(&f.m1b) && without.contains(&f.mg) && !without.contains(&f.m1), "{without:?}");
    assert_eq!(u1["without_standard_count"].as_u64(), Some(without.len() as u64), "a short list is whole");
    assert_eq!(u1["arrears_count"].as_u64(), Some(arrears.len() as u64));
    // Each write is in the audit log.
    let mut auditor = app.login("auditor").await;
    let log = auditor.get("/api/v1/audit?action=dues.").await.json();
    assert_eq!(log.as_array().unwrap().len(), 3, "{log}");
});

both!(the_dues_page_keeps_a_refused_payment_and_says_why, |app| async move {
    use chrono::Datelike;
    let f = app.fx.clone();
    let today = crate::support::today();
    let (year, this_month, paid_on) = (today.year().to_string(), months_back(0), today.to_string());
    let mut sec = app.login("sec1").await;
    let page = sec.get(&format!("/members/{}/dues", f.m1)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("本年度尚未核定党费标准"));
    let r = sec
        .post_form(
            &format!("/members/{}/dues/standard", f.m1),
            &[("year", year.as_str()), ("from_month", "1"), ("category", "retired"), ("monthly_income", "5,000.01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = sec.get(&format!("/members/{}/dues?year={year}", f.m1)).await;
    assert!(page.text.contains("50.00"), "5,000.01 yuan of pension at 1%");
    let r = sec
        .post_form(
            &format!("/members/{}/dues/payments", f.m1),
            &[
                ("kind", "regular"),
                ("period", this_month.as_str()),
                ("amount", "12.3.4"),
                ("paid_on", paid_on.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("金额格式不正确"), "{}", r.text);
    assert!(r.text.contains("value=\"12.3.4\""), "what was typed is kept");
    let r = sec
        .post_form(
            &format!("/members/{}/dues/payments", f.m1),
            &[("kind", "regular"), ("period", this_month.as_str()), ("amount", "50"), ("paid_on", paid_on.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // A payment made months ago and recorded only now is refused: back-dating
    // it would get round the back-payment limit.
    let long_ago = (today - chrono::Duration::days(70)).to_string();
    let r = sec
        .post_form(
            &format!("/members/{}/dues/payments", f.m1),
            &[("kind", "regular"), ("period", this_month.as_str()), ("amount", "50"), ("paid_on", long_ago.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("个月内登记"), "{}", r.text);
    let page = sec.get(&format!("/orgs/{}/dues?year={year}", f.b1.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(&this_month) && page.text.contains("50.00"), "{}", page.text);
    // The same figures as a spreadsheet.
    let r = sec.get(&format!("/orgs/{}/dues/export?year={year}", f.b1.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(r.bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["按月收缴", "欠缴名单", "未核定标准"]);
    let months = book.worksheet_range("按月收缴").unwrap();
    assert_eq!(months.get((0, 1)), Some(&Data::String("按月交纳（元）".into())));
    assert_eq!(months.get((1, 0)), Some(&Data::String(this_month.clone())));
    assert_eq!(months.get((1, 1)), Some(&Data::Float(50.0)));
});

both!(a_payroll_sets_standards_all_or_none, |app| async move {
    use crate::support::id_number;
    let f = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let path = format!("/orgs/{}/dues/import", f.b1.id);
    let opts = [("year", "2026"), ("from_month", "3"), ("category", "employed")];
    // Every problem at once, each at its row and column; nothing written.
    let bad = format!(
        "2026年3月工资表\n姓名,身份证号码,税后工资,党费类别\n张三,{},\"7,512.35\",\n李四,{},3200,退休\n王五,{},5000,\n钱七,{},5000,\n张三丰,{},4000,\n",
        id_number(1),
        id_number(2),
        id_number(3),
        id_number(99),
        id_number(4)
    );
    let r = sec.upload_with(&path, "payroll.csv", bad.as_bytes(), &opts).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("不在综采一队党支部"), "row 5: 王五 is in another branch");
    assert!(r.text.contains("名册中没有这个身份证号码的党员"), "row 6");
    assert!(r.text.contains("姓名与名册不一致（名册为：赵六）"), "row 7");
    let year = sec.get(&format!("/api/v1/members/{}/dues?year=2026", f.m1)).await.json();
    assert!(year["standards"].as_array().unwrap().is_empty(), "a file with problems sets nothing");

    // A good file: a preview, then the confirmation sets every standard.
    let good = format!(
        "姓名,身份证号码,税后工资,党费类别\n张三,{},\"7,512.35\",\n李四,{},3200,退休\n赵六,{},2800.5,\n",
        id_number(1),
        id_number(2),
        id_number(4)
    );
    let r = sec.upload_with(&path, "payroll.csv", good.as_bytes(), &opts).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("112.69"), "7,512.35 yuan at 1.5%: {}", r.text);
    let draft = r.text.split("/dues/import/").nth(1).and_then(|s| s.split('/').next()).unwrap().to_string();
    // The roster import cannot confirm a payroll's draft.
    let r = sec.post_form(&format!("/orgs/{}/import/{draft}/commit", f.b1.id), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = sec.post_form(&format!("{path}/{draft}/commit"), &opts).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    for (m, fen, category) in [(f.m1, 11269, "employed"), (f.m1b, 1600, "retired"), (f.mg, 1400, "employed")] {
        let year = sec.get(&format!("/api/v1/members/{m}/dues?year=2026")).await.json();
        let s = &year["standards"][0];
        assert_eq!((s["from_month"].as_i64(), s["monthly_dues_fen"].as_i64()), (Some(3), Some(fen)), "{year}");
        assert_eq!(s["category"], category);
    }
    // A later payroll for the same month replaces the standard, not adds one.
    let raise = format!("姓名,身份证号码,税后工资\n张三,{},10000\n", id_number(1));
    let r = sec.upload_with(&path, "raise.csv", raise.as_bytes(), &opts).await;
    let draft = r.text.split("/dues/import/").nth(1).and_then(|s| s.split('/').next()).unwrap().to_string();
    assert_eq!(sec.post_form(&format!("{path}/{draft}/commit"), &opts).await.status, StatusCode::SEE_OTHER);
    let year = sec.get(&format!("/api/v1/members/{}/dues?year=2026", f.m1)).await.json();
    assert_eq!(year["standards"].as_array().unwrap().len(), 1);
    assert_eq!(year["standards"][0]["monthly_dues_fen"], 15000);

    // The same through the API: problems located, nothing written; then a dry run; then for real.
    let api = |q: &str| format!("/api/v1/orgs/{}/dues/import?file_name=payroll.csv&year=2026&from_month=4{q}", f.b1.id);
    // A file body is not JSON, so the API asks for the CSRF header.
    let csrf = sec.csrf.clone();
    let send = |path: String, body: String| {
        axum::http::Request::post(path)
            .header("content-type", "text/csv")
            .header("x-csrf-token", csrf.as_str())
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let r = sec.send(send(api(""), bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rows: Vec<i64> = r.json()["problems"].as_array().unwrap().iter().map(|p| p["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, vec![5, 6, 7]);
    let r = sec.send(send(api("&dry_run=true"), good.clone())).await;
    assert_eq!((r.status, r.json()["imported"].as_i64()), (StatusCode::OK, Some(0)));
    let r = sec.send(send(api(""), good)).await;
    assert_eq!((r.status, r.json()["imported"].as_i64()), (StatusCode::OK, Some(3)));
    let year = sec.get(&format!("/api/v1/members/{}/dues?year=2026", f.m1)).await.json();
    let from: Vec<i64> =
        year["standards"].as_array().unwrap().iter().map(|s| s["from_month"].as_i64().unwrap()).collect();
    assert_eq!(from, vec![3, 4], "a standard from March and one from April");
});

both!(a_payment_recorded_in_error_is_voided_not_deleted, |app| async move {
    use chrono::Datelike;
    let f = app.fx.clone();
    let year = crate::support::today().year();
    let mut sec = app.login("sec1").await;
    let standard = serde_json::json!({"year": year, "from_month": 1, "category": "student"});
    sec.json(Method::PUT, &format!("/api/v1/members/{}/dues/standard", f.m1), standard).await;
    let pay = serde_json::json!({"period": months_back(0), "amount_fen": 20});
    let d = sec.post_json(&format!("/api/v1/members/{}/dues/payments", f.m1), pay.clone()).await.json();
    sec.post_json(&format!("/api/v1/members/{}/dues/payments", f.m1), pay).await;
    let before = sec.get(&format!("/api/v1/orgs/{}/dues?year={year}", f.b1.id)).await.json();
    assert_eq!(before["regular_fen"], 40, "recorded twice by mistake");
    let payment = d["payments"][0]["id"].as_i64().unwrap();
    let void = |reason: &str| serde_json::json!({ "reason": reason });
    let path = format!("/api/v1/members/{}/dues/payments/{payment}/void", f.m1);
    // A reason is required; a member cannot void their own; then the secretary does.
    let r = sec.post_json(&path, void(" ")).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("dues.void_reason_required"))
    );
    let mut member = app.login("member1").await;
    assert_eq!(member.post_json(&path, void("mine")).await.status, StatusCode::FORBIDDEN);
    let r = sec.post_json(&path, void("重复登记")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let voided = &r.json()["payments"].as_array().unwrap().iter().find(|p| p["id"] == payment).unwrap().clone();
    assert!(voided["voided_at"].is_i64() && voided["void_reason"] == "重复登记");
    let after = sec.get(&format!("/api/v1/orgs/{}/dues?year={year}", f.b1.id)).await.json();
    assert_eq!(after["regular_fen"], 20, "a void payment counts for nothing");
    // Voiding twice finds nothing to void; the page shows it struck through.
    assert_eq!(sec.post_json(&path, void("again")).await.status, StatusCode::NOT_FOUND);
    let page = sec.get(&format!("/members/{}/dues?year={year}", f.m1)).await;
    assert!(page.text.contains("已作废") && page.text.contains("重复登记"));
    let mut auditor = app.login("auditor").await;
    let log = auditor.get("/api/v1/audit?action=dues.payment.void").await.json();
    assert_eq!(log.as_array().unwrap().len(), 1);
});

// A node caches a subtree's dues year under the tenant's `dues` figure
// version, which triggers keep. After random standards, payments, voids,
// members added, gone and edited, and organisations moved and renamed, what
// the caching node serves equals what a node that has never seen the
// subtree computes.
both!(cached_dues_years_equal_a_fresh_computation_after_random_changes, |app| async move {
    use chrono::Datelike;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use ronghe_domain::members::Status;
    use ronghe_domain::org::OrgKind;
    use ronghe_store::OrgUpdate;

    let f = app.fx.clone();
    let mut rng = StdRng::seed_from_u64(if app.backend == crate::support::Backend::Sqlite { 31 } else { 32 });
    let actor = Actor::system(f.root.tenant_id, "test");
    let today = crate::support::today();
    let year = today.year();
    let mut admin = app.login("admin").await;
    let caching = app.node();
    let mut cached = app.login("admin").await.via(&caching);
    let mut members: Vec<i64> = vec![f.m1, f.m1b, f.m2, f.mg];
    let mut payments: Vec<(i64, i64)> = Vec::new();
    let mut n = 7000u32;
    for step in 0..40 {
        let orgs = app.store.subtree_orgs(&f.root.path).await.unwrap();
        for o in &orgs {
            let r = cached.get(&format!("/api/v1/orgs/{}/dues?year={year}", o.id)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        if step == 0 {
            // Read again with nothing changed: every figure from the cache.
            let before = crate::support::cache_hits(&mut cached, "dues").await;
            for o in &orgs {
                cached.get(&format!("/api/v1/orgs/{}/dues?year={year}", o.id)).await;
            }
            assert_eq!(crate::support::cache_hits(&mut cached, "dues").await, before + orgs.len() as u64);
        }
        let m = members[rng.gen_range(0..members.len())];
        let what = rng.gen_range(0..9);
        match what {
            0..=1 => {
                let from = rng.gen_range(1..=today.month());
                let body = serde_json::json!({"year": year, "from_month": from, "category": "employed",
                    "monthly_income_fen": rng.gen_range(2000..20000) * 100});
                let r = admin.json(Method::PUT, &format!("/api/v1/members/{m}/dues/standard"), body).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            }
            2..=3 => {
                let body = serde_json::json!({"period": months_back(rng.gen_range(0..4)), "amount_fen": rng.gen_range(1..9000)});
                let r = admin.post_json(&format!("/api/v1/members/{m}/dues/payments"), body).await;
                if r.status == StatusCode::OK {
                    let id = r.json()["payments"].as_array().unwrap().iter().filter_map(|p| p["id"].as_i64()).max();
                    payments.extend(id.map(|id| (m, id)));
                }
            }
            4 => {
                if let Some((m, p)) = payments.pop() {
                    let r = admin
                        .post_json(
                            &format!("/api/v1/members/{m}/dues/payments/{p}/void"),
                            serde_json::json!({"reason": "录错"}),
                        )
                        .await;
                    assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{}", r.text);
                }
            }
            5 => {
                let holders: Vec<i64> = orgs.iter().filter(|o| o.kind.holds_members()).map(|o| o.id).collect();
                let o = holders[rng.gen_range(0..holders.len())];
                n += 1;
                let draft = crate::support::member_input("会费党员", n).validate(today).unwrap();
                members.extend(app.store.insert_members(&actor, &[(o, draft)], "member.create").await.unwrap());
            }
            6 => {
                let status = [Status::Deceased, Status::Normal, Status::LostContact][rng.gen_range(0..3)];
                app.store.change_member_status(&actor, m, status, today, "").await.unwrap();
            }
            7 => {
                let b = orgs.iter().find(|o| o.id == f.b2.id).unwrap();
                let to = if b.path.starts_with(&f.u1.path) { f.u2.id } else { f.u1.id };
                app.store.move_org(&actor, b.id, to).await.unwrap();
            }
            _ => {
                let o = orgs.iter().filter(|o| o.kind == OrgKind::Branch).nth(rng.gen_range(0..2)).unwrap();
                let u = OrgUpdate {
                    code: o.code.clone(),
                    name: format!("{}·改", o.name),
                    unit_name: o.unit_name.clone(),
                    established_on: o.established_on,
                    term_start: o.term_start,
                    term_end: o.term_end,
                };
                app.store.update_org(&actor, o.id, &u).await.unwrap();
            }
        }
        let mut fresh = app.login("admin").await.via(&app.node());
        for o in &orgs {
            let path = format!("/api/v1/orgs/{}/dues?year={year}", o.id);
            let got = cached.get(&path).await.json();
            let want = fresh.get(&path).await.json();
            assert_eq!(got, want, "step {step} (change {what}), organisation {}", o.code);
        }
    }
});

/// A node on which every figure counts as slow to compute, or on which a
/// request does not wait for a first count at all.
fn node_with_patience(app: &crate::support::TestApp, slow_ms: u64, wait_ms: u64) -> axum::Router {
    use std::time::Duration;
    let config = ronghe_web::WebConfig {
        figure_patience: ronghe_web::cache::Patience {
            slow: Duration::from_millis(slow_ms),
            wait: Duration::from_millis(wait_ms),
            limit: Duration::from_secs(60),
        },
        ..Default::default()
    };
    ronghe_web::router(ronghe_web::AppState::new(app.store.clone(), config))
}

/// Asks for `path` until it answers a figure counted at the records'
/// current version (no `counted_at`, not 202).
async fn until_current(c: &mut crate::support::Client, path: &str) -> serde_json::Value {
    for _ in 0..400 {
        let r = c.get(path).await;
        if r.status == StatusCode::OK && r.json().get("counted_at").is_none() {
            return r.json();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{path} never came to the current count");
}

both!(a_slow_figure_is_shown_as_last_counted_while_it_is_recounted, |app| async move {
    use chrono::Datelike;
    let f = app.fx.clone();
    let year = crate::support::today().year();
    let node = node_with_patience(&app, 0, 30_000);
    let mut committee = app.login("committee1").await.via(&node);
    let api = format!("/api/v1/orgs/{}/dues?year={year}", f.u1.id);
    let page = format!("/orgs/{}/dues?year={year}", f.u1.id);
    let first = committee.get(&api).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.json().get("counted_at").is_none(), "a first count is waited for: {}", first.text);
    assert_eq!(first.json()["regular_fen"], 0);

    let mut sec = app.login("sec1").await;
    let standard =
        serde_json::json!({"year": year, "from_month": 1, "category": "employed", "monthly_income_fen": 450000});
    let r = sec.json(Method::PUT, &format!("/api/v1/members/{}/dues/standard", f.m1), standard).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let pay = serde_json::json!({"period": months_back(0), "amount_fen": 4500});
    let r = sec.post_json(&format!("/api/v1/members/{}/dues/payments", f.m1), pay).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The first view after the change shows the earlier count and says when
    // it was counted; the recount runs beside it and then shows.
    let shown = committee.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.text.contains("以下数字统计于"), "{}", shown.text);
    let now = until_current(&mut committee, &api).await;
    assert_eq!(now["regular_fen"], 4500);
    assert!(!committee.get(&page).await.text.contains("以下数字统计于"));

    // The API says the same of an earlier count.
    let payments = format!("/api/v1/members/{}/dues/payments", f.m1);
    let extra = |fen: i64| serde_json::json!({"kind": "voluntary", "amount_fen": fen});
    let r = sec.post_json(&payments, extra(100)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let earlier = committee.get(&api).await.json();
    assert_eq!(earlier["voluntary_fen"], 0, "{earlier}");
    let at = earlier["counted_at"].as_str().expect("counted_at");
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    assert_eq!(until_current(&mut committee, &api).await["voluntary_fen"], 100);

    // So does the export of an earlier count, in its first sheet's last row.
    let r = sec.post_json(&payments, extra(50)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = committee.get(&format!("/orgs/{}/dues/export?year={year}", f.u1.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(r.bytes)).unwrap();
    let months = book.worksheet_range("按月收缴").unwrap();
    let last = months.rows().next_back().unwrap()[0].to_string();
    assert!(last.starts_with("以下数字统计于"), "{last}");
    assert_eq!(until_current(&mut committee, &api).await["voluntary_fen"], 150);

    // A node on which the figure is quick computes it in the request and
    // never shows it as it was.
    let mut other = app.login("committee1").await.via(&node_with_patience(&app, 3_600_000, 30_000));
    assert_eq!(other.get(&api).await.json()["voluntary_fen"], 150);
    let r = sec.post_json(&payments, extra(200)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let d = other.get(&api).await.json();
    assert!(d.get("counted_at").is_none() && d["voluntary_fen"] == 350, "{d}");
});

both!(a_figure_counted_longer_than_a_request_waits_answers_202_and_then_itself, |app| async move {
    let f = app.fx.clone();
    let node = node_with_patience(&app, 0, 0);
    let mut committee = app.login("admin").await.via(&node);
    let page = committee.get(&format!("/orgs/{}/life", f.root.id)).await;
    assert_eq!(page.status, StatusCode::ACCEPTED, "{}", page.text);
    assert!(page.text.contains("正在统计") && page.text.contains(r#"http-equiv="refresh""#), "{}", page.text);
    assert!(
        page.text.contains(&format!(r#"<a href="/orgs/{}">测试集团党委</a>"#, f.root.id)),
        "a way back: {}",
        page.text
    );
    let api = format!("/api/v1/orgs/{}/dues?year=2020", f.root.id);
    let r = committee.get(&api).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("5"));
    assert_eq!(r.json()["counting"], true);
    // The count went on after the request, and is kept.
    let d = until_current(&mut committee, &api).await;
    assert_eq!((d["year"].as_i64(), d["arrears_count"].as_i64()), (Some(2020), Some(0)), "{d}");
    let mut page = committee.get(&format!("/orgs/{}/life", f.root.id)).await;
    for _ in 0..400 {
        if page.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        page = committee.get(&format!("/orgs/{}/life", f.root.id)).await;
    }
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("正在统计"));
});
