//! Decision governance through the API: a topic taken through the procedure
//! list with every rule refusing in its turn (prior steps, artefacts, steps
//! not asked of the item, the committee's quorum and named votes, dates in
//! order), a topic the committee rejects, returns, execution tasks and
//! supervision, the sealed archive in the meetings' chain (and a change
//! behind the application's back found), the metrics on a hand-built
//! fixture with the topics on each side, and scope.

use axum::http::StatusCode;
use chrono::{Datelike, Duration};
use ronghe_domain::org::OfficerRole;
use ronghe_store::Actor;
use serde_json::{json, Value};

use crate::both;
use crate::support::{today, Client, Resp, TestApp};

/// The day the tests count back from: today, or the last day of last year
/// early in a year, so that a test's steps and decisions fall in one year.
fn base() -> chrono::NaiveDate {
    let t = today();
    if t.ordinal() > 60 {
        t
    } else {
        chrono::NaiveDate::from_ymd_opt(t.year() - 1, 12, 31).unwrap()
    }
}

fn ago(days: i64) -> String {
    (base() - Duration::days(days)).to_string()
}

/// The error code of a 422.
fn code(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    r.json()["error"]["code"].as_str().unwrap_or_default().to_string()
}

fn message(r: &Resp) -> String {
    r.json()["error"]["message"].as_str().unwrap_or_default().to_string()
}

/// Gives unit 1 a committee of three (m1, m1b, mg): its members vote.
async fn committee(app: &TestApp) -> [i64; 3] {
    let fx = &app.fx;
    let actor = Actor::system(fx.root.tenant_id, "test");
    let term = (Some(today() - Duration::days(400)), Some(today() + Duration::days(1000)));
    for (m, role) in
        [(fx.m1, OfficerRole::Secretary), (fx.m1b, OfficerRole::Organisation), (fx.mg, OfficerRole::Publicity)]
    {
        app.store.add_officer(&actor, fx.u1.id, m, role, term).await.unwrap();
    }
    [fx.m1, fx.m1b, fx.mg]
}

async fn submit(c: &mut Client, org: i64, item: &str, title: &str, on: &str) -> i64 {
    let r = c
        .post_json(
            &format!("/api/v1/orgs/{org}/topics"),
            json!({"item_code": item, "title": title, "summary": "议题概要", "proposer": "计划发展部", "submitted_on": on}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["topic"]["id"].as_i64().unwrap()
}

async fn step(c: &mut Client, topic: i64, body: Value) -> Resp {
    c.post_json(&format!("/api/v1/topics/{topic}/steps"), body).await
}

async fn ok_step(c: &mut Client, topic: i64, body: Value) -> Value {
    let r = step(c, topic, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

fn risks() -> Value {
    json!([{"risk": "电价波动", "likelihood": 3, "impact": 4, "mitigation": "签订长协", "owner": "财务部"}])
}

fn findings() -> Value {
    json!([
        {"check": "direction", "finding": "符合国家能源战略"},
        {"check": "policy", "finding": "符合投资管理办法"},
        {"check": "interests", "finding": "不损害职工权益"},
    ])
}

fn votes(who: &[i64], choices: &[&str]) -> Value {
    who.iter()
        .zip(choices)
        .map(|(m, v)| json!({"member_id": m, "vote": v, "reason": if *v == "agree" { "" } else { "理由" }}))
        .collect()
}

/// Takes a topic of an item with pre-study and experts (I02) to its decision.
async fn prestudied(c: &mut Client, topic: i64, cm: &[i64; 3], from: i64, approved: bool) {
    ok_step(c, topic, json!({"step": "research", "done_on": ago(from - 1), "body": "调研报告"})).await;
    ok_step(
        c,
        topic,
        json!({"step": "expert_review", "done_on": ago(from - 2),
        "opinions": [{"expert": "王工", "opinion": "可行"}]}),
    )
    .await;
    ok_step(c, topic, json!({"step": "risk_assessment", "done_on": ago(from - 2), "risks": risks()})).await;
    ok_step(c, topic, json!({"step": "political_review", "done_on": ago(from - 3), "findings": findings()})).await;
    ok_step(
        c,
        topic,
        json!({"step": "discussion", "done_on": ago(from - 4), "body": "纪要",
        "votes": votes(cm, &["agree", "agree", "abstain"])}),
    )
    .await;
    ok_step(c, topic, json!({"step": "feedback", "done_on": ago(from - 4), "body": "同意提交董事会"})).await;
    let outcome = if approved { "approved" } else { "rejected" };
    ok_step(c, topic, json!({"step": "decision", "done_on": ago(from - 5), "body": "董事会决议", "outcome": outcome}))
        .await;
}

both!(a_topic_passes_every_step_in_order_and_its_archive_is_sealed, |app| async move {
    let fx = app.fx.clone();
    let cm = committee(&app).await;
    let mut admin = app.login("admin").await;
    let t = submit(&mut admin, fx.u1.id, "I02", "电厂二期扩建项目", &ago(20)).await;
    let shown = admin.get(&format!("/api/v1/topics/{t}")).await.json();
    assert_eq!(shown["topic"]["status"], "open");
    assert_eq!(shown["completeness"]["held"], 0);
    let states: Vec<(&str, &str)> = shown["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["code"].as_str().unwrap(), s["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states[0], ("submit", "done"));
    assert_eq!(states[1], ("research", "ready"));
    assert!(states.iter().all(|s| s.0 != "workers_review"), "I02 goes without the workers' congress: {states:?}");

    // The decision waits for the steps before it, named.
    let r = step(&mut admin, t, json!({"step": "decision", "body": "决议", "outcome": "approved"})).await;
    assert_eq!(code(&r), "decision.prior_missing");
    assert!(message(&r).contains("意见反馈") && message(&r).contains("专家论证"), "{}", message(&r));
    // A research step without its report.
    let r = step(&mut admin, t, json!({"step": "research", "done_on": ago(19), "body": "  "})).await;
    assert_eq!(code(&r), "decision.artefact_missing");
    assert!(message(&r).contains("调研报告"), "{}", message(&r));
    // Not before the submission.
    let r = step(&mut admin, t, json!({"step": "research", "done_on": ago(25), "body": "调研报告"})).await;
    assert_eq!(code(&r), "decision.before_prior");
    // Not in the future.
    let r = step(
        &mut admin,
        t,
        json!({"step": "research", "done_on": (today() + Duration::days(1)).to_string(), "body": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok_step(&mut admin, t, json!({"step": "research", "done_on": ago(19), "body": "调研报告"})).await;
    assert_eq!(code(&step(&mut admin, t, json!({"step": "research", "body": "again"})).await), "decision.step_done");
    assert_eq!(code(&step(&mut admin, t, json!({"step": "no_such_step"})).await), "decision.unknown_step");
    assert_eq!(
        code(&step(&mut admin, t, json!({"step": "workers_review", "body": "纪要"})).await),
        "decision.step_not_required"
    );
    // The political review waits for the risk assessment.
    let r = step(&mut admin, t, json!({"step": "political_review", "findings": findings()})).await;
    assert_eq!(code(&r), "decision.prior_missing");
    // A register line scored outside 1–5 proves no register.
    let bad = json!([{"risk": "电价", "likelihood": 9, "impact": 4, "mitigation": "长协", "owner": "财务部"}]);
    let r = step(&mut admin, t, json!({"step": "risk_assessment", "done_on": ago(18), "risks": bad})).await;
    assert_eq!(code(&r), "decision.risk_score");
    assert!(message(&r).contains("第 1 条风险"), "the row is named: {}", message(&r));
    // A register with no lines is no register.
    let r = step(&mut admin, t, json!({"step": "risk_assessment", "done_on": ago(18), "risks": []})).await;
    assert_eq!(code(&r), "decision.artefact_missing");
    ok_step(&mut admin, t, json!({"step": "risk_assessment", "done_on": ago(18), "risks": risks()})).await;
    ok_step(
        &mut admin,
        t,
        json!({"step": "expert_review", "done_on": ago(18),
        "opinions": [{"expert": "王工", "opinion": "技术可行"}, {"expert": "", "opinion": ""}]}),
    )
    .await;
    // Two of the three checks are not a political review.
    let two = json!([{"check": "direction", "finding": "符合"}, {"check": "policy", "finding": "符合"}]);
    let r = step(&mut admin, t, json!({"step": "political_review", "done_on": ago(17), "findings": two})).await;
    assert_eq!(code(&r), "decision.finding_missing");
    assert!(message(&r).contains("查职工利益"), "the check is named: {}", message(&r));
    ok_step(&mut admin, t, json!({"step": "political_review", "done_on": ago(17), "findings": findings()})).await;

    // The discussion: only the committee votes, by name, with a quorum.
    let r = step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(16), "body": "纪要",
        "votes": votes(&[fx.m2], &["agree"])}),
    )
    .await;
    assert_eq!(code(&r), "decision.not_on_committee");
    // Nor one whose term on it has not begun by the day of the vote.
    let actor = Actor::system(fx.root.tenant_id, "test");
    let later = (Some(today() + Duration::days(1)), None);
    app.store.add_officer(&actor, fx.u1.id, fx.m2, OfficerRole::Youth, later).await.unwrap();
    let r = step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(16), "body": "纪要",
        "votes": votes(&[cm[0], cm[1], fx.m2], &["agree", "agree", "agree"])}),
    )
    .await;
    assert_eq!(code(&r), "decision.not_on_committee");
    let r = step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(16), "body": "纪要",
        "votes": votes(&cm[..1], &["agree"])}),
    )
    .await;
    assert_eq!(code(&r), "decision.not_quorate");
    let r = step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(16), "body": "",
        "votes": votes(&cm, &["agree", "agree", "disagree"])}),
    )
    .await;
    assert_eq!(code(&r), "decision.artefact_missing", "minutes are required");
    let r = step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(16), "body": "纪要",
        "votes": votes(&[cm[0], cm[0]], &["agree", "agree"])}),
    )
    .await;
    assert_eq!(code(&r), "dev.named_twice");
    let v = ok_step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(16), "body": "全程纪要",
        "votes": votes(&cm, &["agree", "agree", "disagree"])}),
    )
    .await;
    let named = &v["steps"].as_array().unwrap().iter().find(|s| s["code"] == "discussion").unwrap()["record"]
        ["content"]["votes"];
    assert_eq!(named.as_array().unwrap().len(), 3);
    assert_eq!(named[2]["vote"], "disagree");
    assert_eq!(named[2]["reason"], "理由");
    assert_eq!(v["topic"]["status"], "open", "two of three agreed: passed");
    let tally = &v["steps"].as_array().unwrap().iter().find(|s| s["code"] == "discussion").unwrap()["record"]
        ["content"]["tally"];
    assert_eq!(
        (tally["entitled"].as_i64(), tally["agree"].as_i64(), tally["passed"].as_bool()),
        (Some(3), Some(2), Some(true))
    );

    ok_step(&mut admin, t, json!({"step": "feedback", "done_on": ago(15), "body": "反馈董事会"})).await;
    // A decision needs its outcome.
    let r = step(&mut admin, t, json!({"step": "decision", "done_on": ago(14), "body": "董事会决议"})).await;
    assert_eq!(code(&r), "decision.artefact_missing");
    let v = ok_step(
        &mut admin,
        t,
        json!({"step": "decision", "done_on": ago(14), "body": "董事会决议", "outcome": "approved"}),
    )
    .await;
    assert_eq!(v["topic"]["status"], "executing");
    assert_eq!(v["topic"]["decided_on"], ago(14));

    // Execution: tasks with owners and days; one is already overdue.
    let r = step(
        &mut admin,
        t,
        json!({"step": "execution", "done_on": ago(13), "tasks": [{"title": "签订合同", "owner": "计划部"}]}),
    )
    .await;
    assert_eq!(code(&r), "decision.task_incomplete", "a task needs its day");
    let v = ok_step(
        &mut admin,
        t,
        json!({"step": "execution", "done_on": ago(13), "tasks": [
            {"title": "签订EPC合同", "owner": "计划发展部", "due_on": ago(3)},
            {"title": "开工准备", "owner": "工程部", "due_on": (today() + Duration::days(30)).to_string()},
        ]}),
    )
    .await;
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!((tasks[0]["overdue"].as_bool(), tasks[1]["overdue"].as_bool()), (Some(true), Some(false)));
    let list = admin.get(&format!("/api/v1/orgs/{}/topics", fx.root.id)).await.json();
    assert_eq!(list["overdue_tasks"][0]["title"], "签订EPC合同");
    assert_eq!(list["overdue_tasks"][0]["topic_id"], t);
    assert_eq!(list["overdue_total"], 1, "the count is of the records, not of the rows shown");

    let supervision = v["steps"].as_array().unwrap().iter().find(|s| s["code"] == "supervision").unwrap().clone();
    assert_eq!(
        (supervision["state"].as_str(), supervision["waiting_for"][0][1].as_str()),
        (Some("waiting"), Some("任务全部办结"))
    );
    // A task is not closed before it was assigned.
    let early = admin
        .post_json(
            &format!("/api/v1/topics/{t}/tasks/{}/close", tasks[0]["id"]),
            json!({"result": "x", "done_on": ago(20)}),
        )
        .await;
    assert_eq!(code(&early), "decision.before_prior");
    // Supervision closes only when every task is closed.
    let r = step(&mut admin, t, json!({"step": "supervision", "done_on": ago(0)})).await;
    assert_eq!(code(&r), "decision.artefact_missing");
    assert!(message(&r).contains("任务全部办结"), "{}", message(&r));
    for k in tasks {
        let path = format!("/api/v1/topics/{t}/tasks/{}/close", k["id"]);
        let r = admin.post_json(&path, json!({"result": "已完成", "done_on": ago(1)})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(admin.post_json(&path, json!({"result": "again"})).await.status, StatusCode::CONFLICT);
    }
    let v = ok_step(&mut admin, t, json!({"step": "supervision", "done_on": ago(0)})).await;
    assert_eq!(v["topic"]["status"], "closed");
    assert_eq!(v["completeness"]["held"], v["completeness"]["required"]);
    let seal = v["seal"].as_array().expect("sealed");
    assert_eq!(seal[1].as_str().unwrap().len(), 64, "an SM3 hash");
    assert_eq!(code(&step(&mut admin, t, json!({"step": "execution"})).await), "decision.closed");

    // The topic joined the chain the meetings use; a change behind the
    // application's back is refused, and found when the triggers are gone.
    let (checked, problems) = app.store.verify_life_seals().await.unwrap();
    assert_eq!((checked, problems.len()), (1, 0), "{problems:?}");
    assert!(app.raw_exec(&format!("UPDATE topic_steps SET content = '{{}}' WHERE topic_id = {t}")).await.is_err());
    assert!(app.raw_exec(&format!("DELETE FROM topic_tasks WHERE topic_id = {t}")).await.is_err());
    let drop = match app.backend {
        crate::support::Backend::Sqlite => "DROP TRIGGER topic_steps_sealed_no_update",
        crate::support::Backend::Postgres => "DROP TRIGGER topic_steps_sealed_no_change ON topic_steps",
    };
    app.raw_exec(drop).await.unwrap();
    app.raw_exec(&format!(
        "UPDATE topic_steps SET content = '{{\"body\":\"改过的纪要\"}}' WHERE topic_id = {t} AND step = 'discussion'"
    ))
    .await
    .unwrap();
    let (_, problems) = app.store.verify_life_seals().await.unwrap();
    let named: Vec<(&str, i64, &str)> = problems.iter().map(|p| (p.record, p.record_id, p.problem)).collect();
    assert_eq!(named, [("topic", t, "seal.record_changed")]);
});

both!(a_topic_the_committee_does_not_pass_ends_rejected_and_sealed, |app| async move {
    let fx = app.fx.clone();
    let cm = committee(&app).await;
    let mut admin = app.login("admin").await;
    let t = submit(&mut admin, fx.u1.id, "I02", "高耗能扩建项目", &ago(10)).await;
    ok_step(&mut admin, t, json!({"step": "research", "done_on": ago(9), "body": "调研报告"})).await;
    ok_step(
        &mut admin,
        t,
        json!({"step": "expert_review", "done_on": ago(9), "opinions": [{"expert": "李工", "opinion": "能耗偏高"}]}),
    )
    .await;
    ok_step(&mut admin, t, json!({"step": "risk_assessment", "done_on": ago(8), "risks": risks()})).await;
    ok_step(&mut admin, t, json!({"step": "political_review", "done_on": ago(8), "findings": findings()})).await;
    // One agrees, one disagrees, one abstains: not more than half of three.
    let v = ok_step(
        &mut admin,
        t,
        json!({"step": "discussion", "done_on": ago(7), "body": "纪要：不符合节能降碳要求",
        "votes": votes(&cm, &["agree", "disagree", "abstain"])}),
    )
    .await;
    assert_eq!(v["topic"]["status"], "rejected");
    assert_eq!(v["topic"]["closed_on"], ago(7));
    assert!(v["topic"]["decided_on"].is_null(), "the deciding body never acted");
    assert!(v["seal"].is_array(), "a rejected topic's archive is sealed too");
    assert_eq!(code(&step(&mut admin, t, json!({"step": "feedback", "body": "x"})).await), "decision.closed");
    assert!(app.raw_exec(&format!("UPDATE topics SET status = 'open' WHERE id = {t}")).await.is_err());
    // Not decided: no metric counts it.
    let m = admin.get(&format!("/api/v1/orgs/{}/decisions/metrics?year={}", fx.u1.id, base().year())).await.json();
    assert_eq!(m["compliance"]["denominator"], 0);
    assert!(m["compliance"]["rate"].is_null());
    assert_eq!(m["prestudy_rejections"], json!([t]), "counted apart, as the pre-study's own result");
    // Its archive owes what came up to the discussion, and it holds it.
    assert_eq!(v["completeness"]["held"], v["completeness"]["required"], "{}", v["completeness"]);
    let feedback = v["steps"].as_array().unwrap().iter().find(|s| s["code"] == "feedback").unwrap();
    assert_eq!(feedback["state"], "not_reached");
    // The deciding body may also reject: decided, sealed, counted.
    let t2 = submit(&mut admin, fx.u1.id, "I02", "技改项目", &ago(10)).await;
    prestudied(&mut admin, t2, &cm, 10, false).await;
    let v = admin.get(&format!("/api/v1/topics/{t2}")).await.json();
    assert_eq!((v["topic"]["status"].as_str(), v["seal"].is_array()), (Some("rejected"), true));
    let m = admin.get(&format!("/api/v1/orgs/{}/decisions/metrics?year={}", fx.u1.id, base().year())).await.json();
    assert_eq!(m["compliance"]["denominator_topics"], json!([t2]));
    let (checked, problems) = app.store.verify_life_seals().await.unwrap();
    assert_eq!((checked, problems.len()), (2, 0));
});

both!(a_returned_topic_goes_back_with_its_reasons_and_waits, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    let t = submit(&mut admin, fx.u1.id, "S05", "2026年度投资计划", &ago(5)).await;
    let r = admin.post_json(&format!("/api/v1/topics/{t}/return"), json!({"reason": " "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Acting on what an older page showed is refused: someone acted since.
    let seen = admin.get(&format!("/api/v1/topics/{t}")).await.json()["topic"]["version"].as_i64().unwrap();
    ok_step(&mut admin, t, json!({"step": "research", "done_on": ago(4), "body": "调研报告", "version": seen})).await;
    let r = admin.post_json(&format!("/api/v1/topics/{t}/return"), json!({"reason": "x", "version": seen})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = admin.post_json(&format!("/api/v1/topics/{t}/return"), json!({"reason": "投资测算依据不足，请补充"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["topic"]["status"], "returned");
    assert_eq!(v["returns"][0]["reason"], "投资测算依据不足，请补充");
    assert_eq!(
        code(&step(&mut admin, t, json!({"step": "risk_assessment", "risks": risks()})).await),
        "decision.returned"
    );
    let r = admin.post_json(&format!("/api/v1/topics/{t}/return"), json!({"reason": "again"})).await;
    assert_eq!(code(&r), "decision.return_open_only");
    let r = admin
        .post_json(
            &format!("/api/v1/topics/{t}/resubmit"),
            json!({"response": "已补充测算", "summary": "补充后的概要"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!((v["topic"]["status"].as_str(), v["topic"]["summary"].as_str()), (Some("open"), Some("补充后的概要")));
    assert_eq!(v["returns"][0]["response"], "已补充测算");
    assert_eq!(v["returns"][0]["resubmitted_on"], today().to_string());
    ok_step(&mut admin, t, json!({"step": "risk_assessment", "risks": risks()})).await;
    // Unknown items are refused at submission, naming the item.
    let r = admin
        .post_json(
            &format!("/api/v1/orgs/{}/topics", fx.u1.id),
            json!({"item_code": "Z99", "title": "x", "summary": "y"}),
        )
        .await;
    assert_eq!(code(&r), "decision.unknown_item");
    let r = admin.post_json(&format!("/api/v1/orgs/{}/topics", fx.u1.id), json!({"item_code": "", "title": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"title") && fields.contains(&"item_code"), "{fields:?}");
    // The classifier suggests the matching item for a title.
    let s = admin
        .get(&format!(
            "/api/v1/orgs/{}/decisions/suggest?title={}",
            fx.u1.id,
            crate::support::urlencode("冯营电厂二期扩建项目")
        ))
        .await
        .json();
    assert_eq!(s[0]["code"], "I02", "{s}");
    assert_eq!(s[0]["prestudy"], true);
});

both!(the_metrics_count_decided_topics_and_name_them, |app| async move {
    let fx = app.fx.clone();
    let cm = committee(&app).await;
    let mut admin = app.login("admin").await;
    // A: pre-studied, complete, in order; 5 days from submission to decision.
    let a = submit(&mut admin, fx.u1.id, "I02", "电厂扩建", &ago(35)).await;
    prestudied(&mut admin, a, &cm, 35, true).await;
    // B: a decision recorded after the fact (补录): no pre-study, no archive.
    let b = submit(&mut admin, fx.u1.id, "I02", "应急抢险资金", &ago(12)).await;
    let r = step(
        &mut admin,
        b,
        json!({"step": "decision", "done_on": ago(10), "body": "决议", "outcome": "approved",
        "backfill_reason": "  "}),
    )
    .await;
    assert_eq!(code(&r), "decision.prior_missing", "a blank reason is no backfill");
    let r = step(&mut admin, b, json!({"step": "research", "body": "调研", "backfill_reason": "补录"})).await;
    assert_eq!(code(&r), "decision.backfill_decision_only");
    ok_step(
        &mut admin,
        b,
        json!({"step": "decision", "done_on": ago(10), "body": "会后补录决议", "outcome": "approved",
        "backfill_reason": "紧急抢险，会后补录"}),
    )
    .await;
    // What the backfilled decision skipped stays skipped: no pre-study dated before it now.
    let r = step(&mut admin, b, json!({"step": "research", "done_on": ago(11), "body": "补做的调研"})).await;
    assert_eq!(code(&r), "decision.too_late");
    assert!(message(&r).contains("决策机构决定"), "{}", message(&r));
    // C: an appointment (P01) needs no pre-study: complete and in order.
    let c = submit(&mut admin, fx.u1.id, "P01", "任命副总经理", &ago(8)).await;
    ok_step(&mut admin, c, json!({"step": "research", "done_on": ago(7), "body": "考察报告"})).await;
    ok_step(&mut admin, c, json!({"step": "risk_assessment", "done_on": ago(6), "risks": risks()})).await;
    ok_step(
        &mut admin,
        c,
        json!({"step": "decision", "done_on": ago(4), "body": "党委决定任命", "outcome": "approved"}),
    )
    .await;
    // D: still open, and E: decided in the other unit's subtree.
    submit(&mut admin, fx.u1.id, "I02", "未决议题", &ago(3)).await;
    let e = submit(&mut admin, fx.u2.id, "P01", "任命总工程师", &ago(9)).await;
    ok_step(&mut admin, e, json!({"step": "research", "done_on": ago(9), "body": "考察"})).await;
    ok_step(&mut admin, e, json!({"step": "risk_assessment", "done_on": ago(9), "risks": risks()})).await;
    ok_step(&mut admin, e, json!({"step": "decision", "done_on": ago(9), "body": "决定", "outcome": "approved"})).await;

    let year = base().year();
    let m = admin.get(&format!("/api/v1/orgs/{}/decisions/metrics?year={year}", fx.u1.id)).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text);
    let m = m.json();
    assert_eq!(
        (ids(&m, "prestudy_rate", "numerator"), ids(&m, "prestudy_rate", "denominator")),
        (vec![a], sorted(&[a, b]))
    );
    assert_eq!(
        (m["prestudy_rate"]["numerator"].as_i64(), m["prestudy_rate"]["denominator"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(m["prestudy_rate"]["rate"], 0.5);
    assert_eq!(m["archive_completeness"]["numerator"], 2);
    assert_eq!(m["archive_completeness"]["denominator"], 3);
    assert_eq!(ids(&m, "archive_completeness", "numerator"), sorted(&[a, c]));
    assert_eq!(ids(&m, "archive_completeness", "denominator"), sorted(&[a, b, c]));
    assert_eq!(ids(&m, "compliance", "numerator"), sorted(&[a, c]));
    // Cycle: A 5 days, B 2, C 4 → median 4, total 11 over 3.
    assert_eq!(m["cycle_time"]["median_days"], 4.0);
    assert_eq!((m["cycle_time"]["numerator"].as_i64(), m["cycle_time"]["denominator"].as_i64()), (Some(11), Some(3)));
    // The root's subtree holds E as well.
    let root = admin.get(&format!("/api/v1/orgs/{}/decisions/metrics?year={year}", fx.root.id)).await.json();
    assert_eq!(root["compliance"]["denominator"], 4);
    assert_eq!(root["compliance"]["numerator"], 3);
    // A quarter holds the topics decided in it.
    let q = (base().month() - 1) / 3 + 1;
    let in_q = |d: &str| d[..4] == year.to_string() && (d[5..7].parse::<u32>().unwrap() - 1) / 3 + 1 == q;
    let expect = [ago(30), ago(10), ago(4)].iter().filter(|d| in_q(d)).count();
    let m = admin.get(&format!("/api/v1/orgs/{}/decisions/metrics?year={year}&quarter={q}", fx.u1.id)).await.json();
    assert_eq!(m["compliance"]["denominator"].as_u64(), Some(expect as u64), "{m}");
    assert_eq!(m["quarter"], q);
    // Another year has nothing.
    let before = admin.get(&format!("/api/v1/orgs/{}/decisions/metrics?year={}", fx.u1.id, year - 1)).await.json();
    assert_eq!(before["archive_completeness"]["denominator"], 0);
});

/// The topic ids on one side of a metric, sorted.
fn ids(m: &Value, metric: &str, side: &str) -> Vec<i64> {
    let mut v: Vec<i64> =
        m[metric][format!("{side}_topics")].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    v.sort_unstable();
    v
}

fn sorted(v: &[i64]) -> Vec<i64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

both!(topics_are_seen_and_written_only_within_scope, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    let t = submit(&mut admin, fx.u1.id, "S05", "年度投资计划", &ago(2)).await;
    // Another unit's secretary does not learn it exists.
    let mut sec2 = app.login("sec2").await;
    assert_eq!(sec2.get(&format!("/api/v1/topics/{t}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(step(&mut sec2, t, json!({"step": "research", "body": "x"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sec2.get(&format!("/api/v1/orgs/{}/decisions/metrics", fx.u1.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sec2.get(&format!("/api/v1/orgs/{}/topics", fx.u1.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sec2.get(&format!("/orgs/{}/decisions", fx.u1.id)).await.status, StatusCode::NOT_FOUND);
    // Nor from its own branch's list, which holds its subtree's topics only.
    let theirs = submit(&mut admin, fx.b2.id, "S05", "支部年度计划", &ago(1)).await;
    let own = sec2.get(&format!("/api/v1/orgs/{}/topics", fx.b2.id)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let ids: Vec<i64> = own.json()["topics"].as_array().unwrap().iter().filter_map(|x| x["id"].as_i64()).collect();
    assert_eq!(ids, [theirs], "{}", own.text);
    // The unit's committee member reads but does not write.
    let mut committee = app.login("committee1").await;
    assert_eq!(committee.get(&format!("/api/v1/topics/{t}")).await.status, StatusCode::OK);
    assert_eq!(committee.get(&format!("/api/v1/orgs/{}/topics", fx.u1.id)).await.status, StatusCode::OK);
    assert_eq!(step(&mut committee, t, json!({"step": "research", "body": "x"})).await.status, StatusCode::FORBIDDEN);
    let r = committee.post_json(&format!("/api/v1/topics/{t}/return"), json!({"reason": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A member and the three administrators see no topics.
    for user in ["member1", "sysadmin", "auditor"] {
        let mut c = app.login(user).await;
        let s = c.get(&format!("/api/v1/topics/{t}")).await.status;
        assert!(s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN, "{user}: {s}");
    }
    // Every write is audited.
    let who = app
        .raw_text(&format!("SELECT username FROM audit_log WHERE action = 'topic.submit' AND target_id = '{t}'"))
        .await;
    assert_eq!(who, "admin");
});

both!(returns_and_overdue_tasks_reach_the_people_concerned, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    // A return reaches whoever submitted the topic.
    let r = submit(&mut admin, fx.b1.id, "S05", "年度投资计划", &ago(3)).await;
    let ret = admin.post_json(&format!("/api/v1/topics/{r}/return"), json!({"reason": "请补充测算依据"})).await;
    assert_eq!(ret.status, StatusCode::OK, "{}", ret.text);
    let page = admin.get("/reminders").await.text;
    assert!(page.contains("议题被退回：年度投资计划") && page.contains("请补充测算依据"), "{page}");
    // A task past its day reminds the branch's secretary, once.
    let t = submit(&mut admin, fx.b1.id, "P01", "任命车间主任", &ago(20)).await;
    ok_step(&mut admin, t, json!({"step": "research", "done_on": ago(19), "body": "考察报告"})).await;
    ok_step(&mut admin, t, json!({"step": "risk_assessment", "done_on": ago(18), "risks": risks()})).await;
    ok_step(&mut admin, t, json!({"step": "decision", "done_on": ago(17), "body": "决定", "outcome": "approved"}))
        .await;
    ok_step(
        &mut admin,
        t,
        json!({"step": "execution", "done_on": ago(16),
        "tasks": [{"title": "办理任职手续", "owner": "组织部", "due_on": ago(2)}]}),
    )
    .await;
    let state = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
    let first = ronghe_web::app::reminders::run(&state, &[], today()).await.unwrap();
    let again = ronghe_web::app::reminders::run(&state, &[], today()).await.unwrap();
    assert!(first.created >= 1 && again.created == 0, "{first:?} {again:?}");
    let mut sec = app.login("sec1").await;
    let page = sec.get("/reminders").await.text;
    assert!(page.contains("决策执行任务逾期：办理任职手续"), "{page}");
    // The root's list: the topics newest first, the overdue task with its
    // topic and branch, and the count beside it.
    let list = admin.get(&format!("/api/v1/orgs/{}/topics", fx.root.id)).await.json();
    let ids: Vec<i64> = list["topics"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [r, t], "submitted {} and {} days ago", 3, 20);
    assert_eq!(list["topics"][1]["decided_on"], ago(17));
    assert_eq!(list["topics"][0]["decided_on"], Value::Null);
    assert_eq!(list["overdue_total"], 1);
    let task = &list["overdue_tasks"][0];
    assert_eq!((task["topic_id"].as_i64(), task["title"].as_str()), (Some(t), Some("办理任职手续")));
    assert_eq!((task["topic_title"].as_str(), task["org_id"].as_i64()), (Some("任命车间主任"), Some(fx.b1.id)));
    assert_eq!(task["due_on"], ago(2));
});

both!(a_topic_keeps_the_pack_it_was_submitted_under, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    let t = submit(&mut admin, fx.u1.id, "I02", "电厂扩建", &ago(5)).await;
    // A revised pack, in force from before the submission, that drops the
    // experts from I02: the open topic still owes them under its own pack.
    let revised = ronghe_domain::decisions::DEFAULT_DECISIONS_PACK
        .replace("version = \"2024.1\"", "version = \"2026.1\"")
        .replace("effective_from = \"2024-01-01\"", "effective_from = \"2024-06-01\"");
    let mut pack = ronghe_domain::decisions::DecisionsRulePack::parse(&revised).unwrap();
    pack.items.iter_mut().filter(|i| i.code == "I02").for_each(|i| i.expert = false);
    let text = toml::to_string(&pack).unwrap();
    app.store.load_rules(&Actor::system(fx.root.tenant_id, "test"), &text).await.unwrap();
    let v = admin.get(&format!("/api/v1/topics/{t}")).await.json();
    assert_eq!(v["topic"]["pack_version"], "2024.1");
    assert!(v["steps"].as_array().unwrap().iter().any(|s| s["code"] == "expert_review"), "still owed");
    // A topic submitted now runs under the revision, without the experts.
    let u = submit(&mut admin, fx.u1.id, "I02", "另一扩建", &ago(0)).await;
    let v = admin.get(&format!("/api/v1/topics/{u}")).await.json();
    assert_eq!(v["topic"]["pack_version"], "2026.1");
    assert!(!v["steps"].as_array().unwrap().iter().any(|s| s["code"] == "expert_review"));
});

/// Posts a form as the client, in English.
async fn post_form_en(c: &mut Client, path: &str, fields: &[(&str, &str)]) -> Resp {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::support::urlencode(v)))
        .chain([format!("_csrf={}", c.csrf)])
        .collect::<Vec<_>>()
        .join("&");
    let req = axum::http::Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("{}; ronghe_lang=en", c.cookie.clone().unwrap()))
        .body(axum::body::Body::from(body))
        .unwrap();
    c.send(req).await
}

both!(a_refused_step_form_comes_back_with_what_was_typed_and_why, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    let t = submit(&mut admin, fx.u1.id, "I02", "电厂扩建", &ago(5)).await;
    ok_step(&mut admin, t, json!({"step": "research", "done_on": ago(4), "body": "调研报告"})).await;
    // A risk row half filled: the page says which row, keeps the typed text, and writes nothing.
    let fields = [
        ("step", "risk_assessment"),
        ("done_on", &ago(3)),
        ("risks[0].risk", "电价波动"),
        ("risks[0].likelihood", "3"),
        ("risks[0].impact", "4"),
        ("risks[0].mitigation", "签订长协"),
        ("risks[0].owner", "财务部"),
        ("risks[1].risk", "煤价上涨风险"),
        ("risks[1].likelihood", "2"),
        ("risks[1].impact", "2"),
        ("risks[1].mitigation", ""),
        ("risks[1].owner", ""),
    ];
    let r = admin.post_form(&format!("/topics/{t}/steps"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("第 2 条风险") && r.text.contains("煤价上涨风险"), "{}", r.text);
    let v = admin.get(&format!("/api/v1/topics/{t}")).await.json();
    assert!(v["steps"].as_array().unwrap().iter().all(|s| s["code"] != "risk_assessment" || s["state"] == "ready"));
    // In English: the message and the page in English, no catalogue keys.
    let r = post_form_en(&mut admin, &format!("/topics/{t}/steps"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Risk 2: give the risk, its mitigation and its owner"), "{}", r.text);
    assert!(!r.text.contains("decisions.") && !r.text.contains("decision."), "a catalogue key shows: {}", r.text);
    // The steps a refusal names are named in English too.
    let r = post_form_en(&mut admin, &format!("/topics/{t}/steps"), &[("step", "political_review")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("First complete: Risk assessment"), "{}", r.text);
    // A form for a step no longer on the page (someone recorded it first):
    // the reason shows at the top.
    ok_step(&mut admin, t, json!({"step": "risk_assessment", "done_on": ago(3), "risks": risks()})).await;
    let r = admin.post_form(&format!("/topics/{t}/steps"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("class=\"alert error\"") && r.text.contains("这一步骤已经记录过"), "{}", r.text);
    // A stale page: the version it showed is refused.
    let r = admin.post_form(&format!("/topics/{t}/return"), &[("reason", "请补充"), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("他人已更新了这个议题"), "{}", r.text);
    assert!(admin.get(&format!("/api/v1/topics/{t}")).await.json()["returns"].as_array().unwrap().is_empty());
    // Picking a suggested matter without scripts fills the form in and writes nothing.
    let before =
        admin.get(&format!("/api/v1/orgs/{}/topics", fx.u1.id)).await.json()["topics"].as_array().unwrap().len();
    let r = admin
        .post_form(
            &format!("/orgs/{}/decisions", fx.u1.id),
            &[("title", "二期扩建"), ("summary", "概要"), ("pick", "I02")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("value=\"I02\" selected"), "the pick is selected: {}", r.text);
    let after =
        admin.get(&format!("/api/v1/orgs/{}/topics", fx.u1.id)).await.json()["topics"].as_array().unwrap().len();
    assert_eq!(before, after);
});

// A node keeps a subtree's metrics under the tenant's `decisions` figure
// version, which triggers keep. After topics submitted, steps recorded, a
// decision, a pre-study's rejection and a unit moved, what the caching
// node serves equals what a node that has never seen the subtree computes;
// with nothing changed, it serves them from its cache.
both!(cached_decision_metrics_equal_a_fresh_computation_after_changes, |app| async move {
    let fx = app.fx.clone();
    let cm = committee(&app).await;
    let year = base().year();
    let mut admin = app.login("admin").await;
    let caching = app.node();
    let mut cached = app.login("admin").await.via(&caching);
    let orgs = [fx.root.id, fx.u1.id, fx.u2.id, fx.b1.id];
    let metrics = |id: i64| format!("/api/v1/orgs/{id}/decisions/metrics?year={year}");
    // What the caching node serves for every organisation and the first
    // quarter, against a node that has never seen them.
    async fn same(app: &TestApp, cached: &mut Client, paths: &[String], when: &str) {
        let mut fresh = app.login("admin").await.via(&app.node());
        for p in paths {
            let (a, b) = (cached.get(p).await, fresh.get(p).await);
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
            assert_eq!(a.json(), b.json(), "{p} after {when}");
        }
    }
    let mut paths: Vec<String> = orgs.iter().map(|id| metrics(*id)).collect();
    paths.push(format!("/api/v1/orgs/{}/decisions/metrics?year={year}&quarter=1", fx.root.id));
    same(&app, &mut cached, &paths, "nothing").await;
    let before = crate::support::cache_hits(&mut cached, "decisions").await;
    for p in &paths {
        cached.get(p).await;
    }
    assert_eq!(crate::support::cache_hits(&mut cached, "decisions").await, before + paths.len() as u64);

    let a = submit(&mut admin, fx.u1.id, "I02", "电厂扩建", &ago(35)).await;
    same(&app, &mut cached, &paths, "a topic submitted").await;
    prestudied(&mut admin, a, &cm, 35, true).await;
    let m = cached.get(&metrics(fx.root.id)).await.json();
    assert_eq!(m["compliance"]["denominator"], 1, "the decision shows on the caching node: {m}");
    same(&app, &mut cached, &paths, "a decision").await;
    let e = submit(&mut admin, fx.u2.id, "P01", "任命总工程师", &ago(9)).await;
    ok_step(&mut admin, e, json!({"step": "research", "done_on": ago(9), "body": "考察"})).await;
    same(&app, &mut cached, &paths, "a step").await;
    ok_step(&mut admin, e, json!({"step": "risk_assessment", "done_on": ago(9), "risks": risks()})).await;
    ok_step(&mut admin, e, json!({"step": "decision", "done_on": ago(8), "body": "决定", "outcome": "approved"})).await;
    same(&app, &mut cached, &paths, "a second decision").await;
    let r = submit(&mut admin, fx.u1.id, "I02", "高耗能扩建项目", &ago(10)).await;
    ok_step(&mut admin, r, json!({"step": "research", "done_on": ago(9), "body": "调研报告"})).await;
    ok_step(
        &mut admin,
        r,
        json!({"step": "expert_review", "done_on": ago(9), "opinions": [{"expert": "李工", "opinion": "能耗偏高"}]}),
    )
    .await;
    ok_step(&mut admin, r, json!({"step": "risk_assessment", "done_on": ago(8), "risks": risks()})).await;
    ok_step(&mut admin, r, json!({"step": "political_review", "done_on": ago(8), "findings": findings()})).await;
    ok_step(
        &mut admin,
        r,
        json!({"step": "discussion", "done_on": ago(7), "body": "纪要", "votes": votes(&cm, &["agree", "disagree", "abstain"])}),
    )
    .await;
    let m = cached.get(&metrics(fx.u1.id)).await.json();
    assert_eq!(m["prestudy_rejections"], json!([r]), "{m}");
    same(&app, &mut cached, &paths, "a pre-study's rejection").await;
    // The second unit moves under the first: its decision joins the first's.
    let moved = admin.post_form(&format!("/orgs/{}/move", fx.u2.id), &[("parent_id", &fx.u1.id.to_string())]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    let m = cached.get(&metrics(fx.u1.id)).await.json();
    assert_eq!(m["compliance"]["denominator"], 2, "{m}");
    same(&app, &mut cached, &paths, "a move").await;
});
