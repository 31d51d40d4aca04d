//! Member development through the API: an application taken at a branch,
//! every step to full membership with the refusals on the way, the roster
//! and roll-ups it updates, who may see and do what, packs kept per stage,
//! and the pipeline's counts and overdue warnings.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use ronghe_store::Actor;
use serde_json::{json, Value};

use crate::both;
use crate::support::{id_number, today, Client};

fn day(offset: i64) -> NaiveDate {
    today() + Duration::days(offset)
}

/// An applicant born in 1995, different for each `n`.
fn applicant(name: &str, n: u32, applied_on: NaiveDate) -> Value {
    json!({
        "name": name,
        "id_number": ronghe_domain::id_number::synthesize(
            410802, NaiveDate::from_ymd_opt(1995, 3, 1).unwrap() + Duration::days(i64::from(n)), 3).as_str(),
        "ethnicity": "汉族",
        "education": "大学本科",
        "post": "综采队技术员",
        "unit": "一矿",
        "phone": "13800138001",
        "applied_on": applied_on.to_string(),
    })
}

async fn apply(c: &mut Client, org: i64, body: Value) -> i64 {
    let r = c.post_json(&format!("/api/v1/orgs/{org}/development"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["person"]["id"].as_i64().unwrap()
}

async fn step(c: &mut Client, id: i64, code: &str, on: NaiveDate, extra: Value) -> crate::support::Resp {
    let mut body = json!({"step": code, "on": on.to_string()});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    c.post_json(&format!("/api/v1/members/{id}/development/steps"), body).await
}

async fn ok(c: &mut Client, id: i64, code: &str, on: NaiveDate, extra: Value) {
    let r = step(c, id, code, on, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{code} on {on}: {}", r.text);
}

fn refusal(r: &crate::support::Resp) -> (String, String) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let e = r.json();
    (
        e["error"]["code"].as_str().unwrap_or_default().to_string(),
        e["error"]["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn votes(ids: &[(i64, &str)]) -> Value {
    json!({"votes": ids.iter().map(|(id, c)| json!({"member_id": id, "choice": c})).collect::<Vec<_>>()})
}

both!(an_applicant_becomes_a_full_member_step_by_step, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    let t0 = day(-900);
    let id = apply(&mut sec, fx.b1.id, applicant("陈发展", 1, t0)).await;
    // Not on the roster while an applicant.
    assert_eq!(sec.get(&format!("/api/v1/members/{id}")).await.status, StatusCode::NOT_FOUND);

    let r = step(&mut sec, id, "talk", t0 - Duration::days(1), json!({})).await;
    assert!(refusal(&r).1.contains(&t0.to_string()), "{}", r.text);
    ok(&mut sec, id, "talk", t0 + Duration::days(10), json!({"acted_by": "支部书记 李四"})).await;
    let activist = t0 + Duration::days(30);
    ok(&mut sec, id, "activist", activist, json!({})).await;
    // Filing is the higher committee's: the branch secretary may not.
    let r = step(&mut sec, id, "activist_filed", activist + Duration::days(5), json!({})).await;
    assert!(refusal(&r).1.contains("上级党委"), "{}", r.text);
    ok(&mut admin, id, "activist_filed", activist + Duration::days(5), json!({})).await;
    // Contacts must be full members: three are too many.
    let r =
        step(&mut sec, id, "contacts", activist + Duration::days(6), json!({"contacts": [fx.m1, fx.m1b, fx.mg]})).await;
    assert!(refusal(&r).1.contains("1 至 2"), "{}", r.text);
    ok(&mut sec, id, "contacts", activist + Duration::days(6), json!({"contacts": [fx.m1]})).await;
    ok(&mut sec, id, "activist_review", activist + Duration::days(180), json!({})).await;
    // A development target needs a year as activist: the message names the
    // earliest day and the regulation.
    let r = step(&mut sec, id, "target", activist + Duration::days(300), json!({})).await;
    let (_, message) = refusal(&r);
    let earliest = activist.checked_add_months(chrono::Months::new(12)).unwrap();
    assert!(message.contains(&earliest.to_string()) && message.contains("发展党员工作细则"), "{message}");
    let target = earliest;
    ok(&mut sec, id, "target", target, json!({})).await;
    ok(&mut admin, id, "target_filed", target + Duration::days(3), json!({})).await;
    ok(&mut sec, id, "introducers", target + Duration::days(5), json!({"introducers": [fx.m1, fx.m1b]})).await;
    ok(&mut sec, id, "political_review", target + Duration::days(10), json!({})).await;
    let r =
        step(&mut sec, id, "training", target + Duration::days(20), json!({"training_days": 2, "training_hours": 16}))
            .await;
    assert_eq!(refusal(&r).0, "dev.training_too_short");
    ok(&mut sec, id, "training", target + Duration::days(20), json!({"training_days": 3})).await;
    ok(&mut sec, id, "committee_review", target + Duration::days(25), json!({})).await;
    ok(&mut admin, id, "pre_review", target + Duration::days(30), json!({})).await;
    ok(&mut sec, id, "application_form", target + Duration::days(35), json!({})).await;
    // The vote: three full members in the branch's subtree are entitled;
    // one for is not more than half, and a non-member cannot vote.
    let voted = target + Duration::days(40);
    let r = step(&mut sec, id, "branch_vote", voted, votes(&[(fx.m1, "agree"), (fx.m1b, "disagree")])).await;
    let (code, message) = refusal(&r);
    assert_eq!(code, "dev.vote_failed", "{message}");
    assert!(message.contains('3'), "{message}");
    let r = step(&mut sec, id, "branch_vote", voted, votes(&[(fx.m2, "agree")])).await;
    assert_eq!(refusal(&r).0, "dev.not_entitled");
    ok(&mut sec, id, "branch_vote", voted, votes(&[(fx.m1, "agree"), (fx.m1b, "agree"), (fx.mg, "abstain")])).await;
    ok(&mut admin, id, "higher_talk", voted + Duration::days(10), json!({})).await;
    let before = app.store.rollup(fx.b1.id).await.unwrap();
    // Approval later than three months after the vote is refused.
    let r = step(&mut admin, id, "approval", voted + Duration::days(100), json!({})).await;
    assert_eq!(refusal(&r).0, "dev.approval_too_late");
    ok(&mut admin, id, "approval", voted + Duration::days(20), json!({})).await;

    // Approved: a probationary member on the roster, with the same id,
    // joining on the day of the branch resolution; the roll-ups count them.
    let m = sec.get(&format!("/api/v1/members/{id}")).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text);
    let m = m.json();
    assert_eq!(
        (m["category"].as_str(), m["join_date"].as_str()),
        (Some("probationary"), Some(voted.to_string().as_str()))
    );
    let after = app.store.rollup(fx.b1.id).await.unwrap();
    assert_eq!(after.total(), before.total() + 1);
    assert_eq!(after.get("category", "probationary"), before.get("category", "probationary") + 1);

    ok(&mut admin, id, "approval_filed", voted + Duration::days(25), json!({})).await;
    ok(&mut sec, id, "placement", voted + Duration::days(26), json!({})).await;
    ok(&mut sec, id, "oath", voted + Duration::days(30), json!({})).await;
    ok(&mut sec, id, "probation_review", voted + Duration::days(180), json!({})).await;
    ok(&mut sec, id, "conversion_request", voted + Duration::days(340), json!({})).await;
    let ends = voted.checked_add_months(chrono::Months::new(12)).unwrap();
    let all_for = votes(&[(fx.m1, "agree"), (fx.m1b, "agree"), (fx.mg, "agree")]);
    let r = step(&mut sec, id, "conversion_vote", ends - Duration::days(1), all_for.clone()).await;
    let (code, message) = refusal(&r);
    assert_eq!(code, "dev.probation_not_over");
    assert!(message.contains(&ends.to_string()), "{message}");
    ok(&mut sec, id, "conversion_vote", ends, all_for).await;
    ok(&mut admin, id, "conversion_approval", ends + Duration::days(7), json!({})).await;
    let m = sec.get(&format!("/api/v1/members/{id}")).await.json();
    assert_eq!(
        (m["category"].as_str(), m["conversion_date"].as_str()),
        (Some("full"), Some(ends.to_string().as_str()))
    );
    let converted = app.store.rollup(fx.b1.id).await.unwrap();
    assert_eq!(converted.get("category", "full"), before.get("category", "full") + 1);
    assert_eq!(converted.get("category", "probationary"), before.get("category", "probationary"));
    ok(&mut sec, id, "archive", ends + Duration::days(10), json!({})).await;

    // The record: all 25 steps taken, nothing next.
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    assert_eq!(d["steps"].as_array().unwrap().len(), 25, "{d}");
    assert_eq!(d["person"]["outcome"], "archived");
    assert!(d["next"].as_array().unwrap().is_empty());
    let vote = d["steps"].as_array().unwrap().iter().find(|s| s["step"] == "branch_vote").unwrap();
    assert_eq!((vote["facts"]["eligible"].as_u64(), vote["facts"]["agree"].as_u64()), (Some(3), Some(2)), "{vote}");
    let r = step(&mut sec, id, "archive", ends + Duration::days(11), json!({})).await;
    assert_eq!(refusal(&r).0, "dev.closed");
    // Each step is audited.
    let audited = app.raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = 'development.step'").await;
    assert_eq!(audited.trim(), "24", "one audit row a step after the application's own");
});

both!(the_record_says_what_may_come_next_and_why_not, |app| async move {
    let mut sec = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    let applied = day(-100);
    let id = apply(&mut sec, app.fx.b1.id, applicant("周申请", 2, applied)).await;
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    assert_eq!(d["person"]["stage"], "applicant");
    assert_eq!(d["steps"][0]["step"], "application");
    let next = d["next"].as_array().unwrap();
    assert_eq!(next.len(), 1, "{d}");
    assert_eq!((next[0]["step"].as_str(), next[0]["allowed"].as_bool()), (Some("talk"), Some(true)));
    // The talk was due a month after the application: overdue now.
    let due = applied.checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(
        (d["deadlines"][0]["due"].as_str(), d["deadlines"][0]["overdue"].as_bool()),
        (Some(due.to_string().as_str()), Some(true))
    );
    let activist = day(-60);
    ok(&mut sec, id, "talk", day(-70), json!({})).await;
    ok(&mut sec, id, "activist", activist, json!({})).await;
    ok(&mut admin, id, "activist_filed", day(-59), json!({})).await;
    ok(&mut sec, id, "contacts", day(-58), json!({"contacts": [app.fx.m1]})).await;
    // Next: the half-yearly review (allowed) and the target, refused until
    // a year after the activist was chosen, saying when and by which rule.
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    let next = d["next"].as_array().unwrap();
    let codes: Vec<&str> = next.iter().filter_map(|n| n["step"].as_str()).collect();
    assert_eq!(codes, ["activist_review", "target"], "{d}");
    assert_eq!(next[0]["allowed"], true);
    let target = &next[1];
    assert_eq!(target["allowed"], false);
    let earliest = activist.checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(target["why_not"]["key"], "dev.activist_too_short");
    assert!(target["why_not"]["message"].as_str().unwrap().contains(&earliest.to_string()), "{target}");
    assert!(target["why_not"]["rule"].as_str().unwrap().contains("2014"), "{target}");
    // Steps are recorded once taken, never ahead.
    let r = step(&mut sec, id, "activist_review", day(1), json!({})).await;
    assert_eq!(refusal(&r).0, "dev.future_date");
    // Two people reading the same version: the second write is refused.
    let version = d["person"]["version"].as_i64().unwrap();
    ok(&mut sec, id, "activist_review", day(-1), json!({"version": version})).await;
    let r = step(&mut sec, id, "activist_review", day(0), json!({"version": version})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
});

both!(an_application_is_checked_like_a_roster_record_and_writes_nothing_when_refused, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let count = || app.raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM candidates");
    let before = count().await;
    let mut bad = applicant("", 3, day(-1));
    bad["id_number"] = json!("110101199003071234");
    let r = sec.post_json(&format!("/api/v1/orgs/{}/development", fx.b1.id), bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"name".to_string()) && fields.contains(&"id_number".to_string()), "{fields:?}");
    // Under eighteen on the day of application: the pack's rule, with dates.
    let young = ronghe_domain::id_number::synthesize(410802, day(-17 * 365), 5);
    let mut body = applicant("少年", 4, day(-1));
    body["id_number"] = json!(young.as_str());
    let r = sec.post_json(&format!("/api/v1/orgs/{}/development", fx.b1.id), body).await;
    assert_eq!(refusal(&r).0, "dev.too_young");
    // Someone already on the roster.
    let mut body = applicant("张三", 5, day(-1));
    body["id_number"] = json!(id_number(1));
    let r = sec.post_json(&format!("/api/v1/orgs/{}/development", fx.b1.id), body).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Applications are taken by branches, in the secretary's own subtree.
    let mut admin = app.login("admin").await;
    let r = admin.post_json(&format!("/api/v1/orgs/{}/development", fx.u1.id), applicant("甲", 6, day(-1))).await;
    assert_eq!(refusal(&r).0, "dev.branch_only");
    let r = sec.post_json(&format!("/api/v1/orgs/{}/development", fx.b2.id), applicant("乙", 7, day(-1))).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.text);
    assert_eq!(count().await, before);
    // The same person twice.
    apply(&mut sec, fx.b1.id, applicant("丙", 8, day(-1))).await;
    let r = sec.post_json(&format!("/api/v1/orgs/{}/development", fx.b1.id), applicant("丙", 8, day(-1))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
});

both!(people_in_development_share_the_members_ids, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let a = apply(&mut sec, fx.b1.id, applicant("丁", 9, day(-1))).await;
    // A member added afterwards gets an id of their own, not the applicant's.
    let m = app
        .store
        .create_member(
            &Actor::system(fx.root.tenant_id, "test"),
            fx.b1.id,
            crate::support::member_input("戊", 77).validate(today()).unwrap(),
        )
        .await
        .unwrap();
    assert_ne!(a, m);
    let b = apply(&mut sec, fx.b1.id, applicant("己", 10, day(-1))).await;
    assert!(b != m && b != a);
    // The member's development record: none (joined before records).
    let d = sec.get(&format!("/api/v1/members/{m}/development")).await.json();
    assert_eq!((d["person"]["outcome"].as_str(), d["steps"].as_array().map(Vec::len)), (Some("member"), Some(0)));
});

both!(development_is_seen_by_the_subtree_and_the_person, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let id = apply(&mut sec, fx.b1.id, applicant("庚", 11, day(-3))).await;
    let path = format!("/api/v1/members/{id}/development");
    for (user, status) in [
        ("sec1", StatusCode::OK),
        ("committee1", StatusCode::OK),
        ("admin", StatusCode::OK),
        ("sec2", StatusCode::NOT_FOUND),
        ("member1", StatusCode::FORBIDDEN),
        ("auditor", StatusCode::NOT_FOUND),
    ] {
        let r = app.login(user).await.get(&path).await;
        assert_eq!(r.status, status, "{user}: {}", r.text);
    }
    assert_eq!(app.anon().get(&path).await.status, StatusCode::UNAUTHORIZED);
    // A member sees their own record.
    let r = app.login("member1").await.get(&format!("/api/v1/members/{}/development", fx.m1)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Committee members read; they do not record.
    let mut committee = app.login("committee1").await;
    let r = step(&mut committee, id, "talk", day(-1), json!({})).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.text);
    let r = committee.get(&format!("/api/v1/orgs/{}/development", fx.u1.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["people"].as_array().unwrap().len(), 1);
});

both!(the_pipeline_counts_each_stage_and_warns_of_overdue_steps, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    // One applicant waiting too long for the talk, one talked to in time,
    // one activist in b2.
    let late = apply(&mut sec, fx.b1.id, applicant("辛", 12, day(-60))).await;
    let fine = apply(&mut sec, fx.b1.id, applicant("壬", 13, day(-5))).await;
    let other = apply(&mut admin, fx.b2.id, applicant("癸", 14, day(-40))).await;
    ok(&mut admin, other, "talk", day(-30), json!({})).await;
    ok(&mut admin, other, "activist", day(-20), json!({})).await;
    let p = admin.get(&format!("/api/v1/orgs/{}/development", fx.root.id)).await.json();
    let stage = |p: &Value, s: &str| {
        let st = p["stages"].as_array().unwrap().iter().find(|x| x["stage"] == s).unwrap().clone();
        (st["people"].as_u64().unwrap(), st["overdue"].as_u64().unwrap())
    };
    assert_eq!(stage(&p, "applicant"), (2, 1), "{p}");
    assert_eq!(stage(&p, "activist"), (1, 0), "{p}");
    assert_eq!(p["overdue"], 1);
    let overdue: Vec<i64> = p["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| !x["overdue"].as_array().unwrap().is_empty())
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(overdue, [late]);
    // A branch's board shows its own people only.
    let b1 = sec.get(&format!("/api/v1/orgs/{}/development", fx.b1.id)).await.json();
    let ids: Vec<i64> = b1["people"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&late) && ids.contains(&fine) && !ids.contains(&other));
    // The board page lists them, with the overdue warning.
    let page = sec.get(&format!("/orgs/{}/development", fx.b1.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("辛") && page.text.contains("逾期"), "{}", page.text);
    // The lists the board reads (decoded by serde on SQLite: `rows`)
    // hold each person and step as they read on their own, in order.
    let people = app.store.subtree_candidates(&fx.root.path).await.unwrap();
    assert_eq!(people.len(), 3);
    let mut steps = Vec::new();
    for person in &people {
        let alone = app.store.candidate(person.id).await.unwrap().row;
        assert_eq!(serde_json::to_value(person).unwrap(), serde_json::to_value(&alone).unwrap());
        let mut own = app.store.development_steps(person.id).await.unwrap();
        own.sort_by_key(|s| (s.on_date, s.step_no));
        steps.extend(own.into_iter().map(|s| (s.candidate_id, s.step, s.on_date)));
    }
    steps.sort_by_key(|s| s.0);
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    assert_eq!(app.store.development_steps_of(&ids).await.unwrap(), steps);
    let first: Vec<_> = steps.iter().filter(|s| s.0 == ids[0]).cloned().collect();
    assert!(!first.is_empty());
    assert_eq!(app.store.development_steps_of(&ids[..1]).await.unwrap(), first);
    assert!(app.store.development_steps_of(&[]).await.unwrap().is_empty());
});

both!(each_person_stays_on_the_pack_their_stage_started_under, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    let id = apply(&mut sec, fx.b1.id, applicant("子", 15, day(-700))).await;
    let mut on = day(-690);
    for code in ["talk", "activist"] {
        ok(&mut sec, id, code, on, json!({})).await;
        on += Duration::days(1);
    }
    ok(&mut admin, id, "activist_filed", on, json!({})).await;
    ok(&mut sec, id, "contacts", on, json!({"contacts": [fx.m1]})).await;
    let target_on = day(-300);
    ok(&mut sec, id, "target", target_on, json!({})).await;
    // A revision in force from the day after: training of four days or
    // 32 hours. The person's target stage began under the 2014 pack.
    let revised = ronghe_domain::development::DEFAULT_DEVELOPMENT_PACK
        .replace("version = \"2014.1\"", "version = \"2026.5\"")
        .replace("effective_from = \"2014-05-28\"", &format!("effective_from = \"{}\"", target_on + Duration::days(1)))
        .replace("min_training_days = 3", "min_training_days = 4")
        .replace("min_training_hours = 24", "min_training_hours = 32");
    app.store.load_rules(&Actor::system(fx.root.tenant_id, "test"), &revised).await.unwrap();
    ok(&mut admin, id, "target_filed", day(-290), json!({})).await;
    ok(&mut sec, id, "introducers", day(-280), json!({"introducers": [fx.m1, fx.m1b]})).await;
    ok(&mut sec, id, "political_review", day(-270), json!({})).await;
    ok(&mut sec, id, "training", day(-260), json!({"training_hours": 24})).await;
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    assert_eq!(d["person"]["pack_version"], "2014.1");
    // Someone whose target stage starts under the revision needs 32 hours.
    let late = apply(&mut sec, fx.b1.id, applicant("丑", 16, day(-700))).await;
    let mut on = day(-690);
    for code in ["talk", "activist"] {
        ok(&mut sec, late, code, on, json!({})).await;
        on += Duration::days(1);
    }
    ok(&mut admin, late, "activist_filed", on, json!({})).await;
    ok(&mut sec, late, "contacts", on, json!({"contacts": [fx.m1]})).await;
    ok(&mut sec, late, "target", day(-200), json!({})).await;
    ok(&mut admin, late, "target_filed", day(-190), json!({})).await;
    ok(&mut sec, late, "introducers", day(-180), json!({"introducers": [fx.m1, fx.m1b]})).await;
    ok(&mut sec, late, "political_review", day(-170), json!({})).await;
    let r = step(&mut sec, late, "training", day(-160), json!({"training_hours": 24})).await;
    let (code, message) = refusal(&r);
    assert_eq!(code, "dev.training_too_short");
    assert!(message.contains("32"), "{message}");
    ok(&mut sec, late, "training", day(-160), json!({"training_hours": 32})).await;
    let d = sec.get(&format!("/api/v1/members/{late}/development")).await.json();
    assert_eq!(d["person"]["pack_version"], "2026.5");
});

both!(documents_are_filed_with_a_step_and_read_back_in_scope, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let id = apply(&mut sec, fx.b1.id, applicant("寅", 17, day(-3))).await;
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    let step_id = d["steps"][0]["id"].as_i64().unwrap();
    let letter = "入党申请书\n敬爱的党组织：……".as_bytes();
    let r = sec
        .send(
            axum::http::Request::post(format!(
                "/api/v1/members/{id}/development/documents?file_name={}&step_id={step_id}",
                crate::support::urlencode("入党申请书.txt")
            ))
            .header("x-csrf-token", sec.csrf.clone())
            .body(axum::body::Body::from(letter.to_vec()))
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let doc = r.json()["id"].as_i64().unwrap();
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    assert_eq!(d["steps"][0]["documents"][0]["file_name"], "入党申请书.txt");
    let got = sec.get(&format!("/members/{id}/development/documents/{doc}")).await;
    assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, letter));
    let r = app.login("sec2").await.get(&format!("/members/{id}/development/documents/{doc}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The printed record sheet lists all 25 steps.
    let sheet = sec.get(&format!("/members/{id}/development/print")).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.text.contains("发展党员工作纪实表") && sheet.text.contains("材料归档"));
});

both!(an_administrator_moves_a_person_to_another_pack_with_a_reason, |app| async move {
    let fx = app.fx.clone();
    let revised = ronghe_domain::development::DEFAULT_DEVELOPMENT_PACK
        .replace("version = \"2014.1\"", "version = \"2026.5\"")
        .replace("effective_from = \"2014-05-28\"", "effective_from = \"2026-05-01\"");
    app.store.load_rules(&Actor::system(fx.root.tenant_id, "test"), &revised).await.unwrap();
    let mut sec = app.login("sec1").await;
    let id = apply(&mut sec, fx.b1.id, applicant("卯", 18, day(-900))).await;
    let path = format!("/api/v1/members/{id}/development/pack");
    let body = |version: &str, reason: &str| json!({"version": version, "reason": reason});
    let r = sec.json(axum::http::Method::PUT, &path, body("2026.5", "新细则")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a secretary does not move people between packs");
    let mut admin = app.login("admin").await;
    let r = admin.json(axum::http::Method::PUT, &path, body("2026.5", " ")).await;
    assert_eq!(refusal(&r).0, "dev.reason_required");
    let r = admin.json(axum::http::Method::PUT, &path, body("1999.1", "x")).await;
    assert_eq!(refusal(&r).0, "dev.unknown_pack");
    let r = admin.json(axum::http::Method::PUT, &path, body("2026.5", "按新细则执行")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["person"]["pack_version"], "2026.5");
    let audited = app.raw_text("SELECT detail FROM audit_log WHERE action = 'development.pack'").await;
    assert!(audited.contains("按新细则执行") && audited.contains("2014.1"), "{audited}");
    // The next step within the stage runs under the pack moved to.
    ok(&mut sec, id, "talk", day(-890), json!({})).await;
    let d = sec.get(&format!("/api/v1/members/{id}/development")).await.json();
    assert_eq!(d["steps"][1]["pack_version"], "2026.5");
});

both!(overdue_steps_and_stuck_transfers_become_the_secretarys_reminders, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    // Talks due a month after applying: one passed, one within ten days, one not near.
    for (name, n, applied) in [("迟谈", 40, -60), ("将谈", 41, -25), ("刚交", 42, -2)] {
        apply(&mut sec, fx.b1.id, applicant(name, n, day(applied))).await;
    }
    // A transfer out of b1 whose letter expired.
    let r = sec
        .post_json(
            &format!("/api/v1/members/{}/transfers", fx.m1),
            json!({"kind": "internal", "to_org_code": "B2", "on": day(-50).to_string()}),
        )
        .await;
    let t = r.json()["transfer"]["id"].as_i64().unwrap();
    for (action, on, extra) in [("approve", -45, json!({})), ("issue_letter", -40, json!({"valid_days": 30}))] {
        let mut body = json!({"action": action, "on": day(on).to_string()});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        assert_eq!(admin.post_json(&format!("/api/v1/transfers/{t}/actions"), body).await.status, StatusCode::OK);
    }
    let state = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
    let report = ronghe_web::app::reminders::run(&state, &[], today()).await.unwrap();
    assert!(report.created >= 3, "{report:?}");
    let page = sec.get("/reminders").await.text;
    assert!(page.contains("迟谈") && page.contains("已逾期"), "{page}");
    assert!(page.contains("将谈"), "due within ten days: {page}");
    assert!(!page.contains("刚交"), "not yet near its deadline: {page}");
    assert!(page.contains(&format!("/transfers/{t}")), "{page}");
});
