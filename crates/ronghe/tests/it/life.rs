//! Organisational life through the API: planning with the roster's
//! attendees, sign-in with the room's code and by the recorder, minutes,
//! resolutions checked for quorum and majority, sealing into the SM3 chain
//! (and a change behind the application's back found by verification),
//! and compliance for a subtree at the edges of its periods.

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate};
use ronghe_domain::org::OrgKind;
use ronghe_store::{Actor, NewOrg};
use serde_json::{json, Value};

use crate::both;
use crate::support::{today, Client, Resp};

fn day(offset: i64) -> NaiveDate {
    today() + Duration::days(offset)
}

fn code(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    r.json()["error"]["code"].as_str().unwrap_or_default().to_string()
}

async fn plan(c: &mut Client, org: i64, kind: &str, on: NaiveDate) -> Value {
    let r = c
        .post_json(
            &format!("/api/v1/orgs/{org}/meetings"),
            json!({"kind": kind, "topic": format!("{kind} {on}"), "planned_on": on.to_string(), "starts_at": "15:00",
                   "place": "会议室", "agenda": "学习；讨论", "host": "李四", "recorder": "李四"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

/// Plans and holds a meeting with everyone present: its id.
async fn hold(c: &mut Client, org: i64, kind: &str, on: NaiveDate) -> i64 {
    let m = plan(c, org, kind, on).await;
    record_held(c, &m, on).await
}

/// Records a planned meeting (as `plan` gave it) held on a day with
/// everyone present: its id.
async fn record_held(c: &mut Client, m: &Value, on: NaiveDate) -> i64 {
    let id = m["meeting"]["id"].as_i64().unwrap();
    let marks: Vec<Value> = m["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!({"member_id": a["member_id"], "present": true}))
        .collect();
    let r = c.post_json(&format!("/api/v1/meetings/{id}/attendance"), json!({"marks": marks})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = c
        .post_json(&format!("/api/v1/meetings/{id}/minutes"), json!({"held_on": on.to_string(), "minutes": "会议纪要"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    id
}

both!(a_meeting_is_planned_signed_in_minuted_voted_and_sealed, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let m = plan(&mut sec, fx.b1.id, "branch_general", day(0)).await;
    let id = m["meeting"]["id"].as_i64().unwrap();
    // Everyone in good standing in the branch and its groups is expected.
    let mut expected: Vec<i64> =
        m["attendees"].as_array().unwrap().iter().map(|a| a["member_id"].as_i64().unwrap()).collect();
    expected.sort_unstable();
    let mut want = vec![fx.m1, fx.m1b, fx.mg];
    want.sort_unstable();
    assert_eq!(expected, want);
    assert_eq!(m["entitled"], 3);
    // The room's code: a member signs in with it; a wrong one is refused.
    let r = sec.post_json(&format!("/api/v1/meetings/{id}/signin-code"), json!({})).await;
    let room = r.json()["code"].as_str().unwrap().to_string();
    assert_eq!(room.len(), 6);
    let mut member = app.login("member1").await;
    let wrong = if room == "000000" { "111111" } else { "000000" };
    assert_eq!(
        code(&member.post_json(&format!("/api/v1/meetings/{id}/sign-in"), json!({"code": wrong})).await),
        "meeting.bad_code"
    );
    let r = member.post_json(&format!("/api/v1/meetings/{id}/sign-in"), json!({"code": room})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // The member sees the meeting (they were expected), not the code.
    let seen = member.get(&format!("/api/v1/meetings/{id}")).await.json();
    assert!(seen["meeting"]["signin_code"].is_null());
    let me = seen["attendees"].as_array().unwrap().iter().find(|a| a["member_id"] == fx.m1).unwrap().clone();
    assert_eq!((me["present"].as_i64(), me["signed_by"].as_str()), (Some(1), Some("self")));
    // The recorder marks the others: one present, one absent (no reason yet).
    let marks = json!({"marks": [{"member_id": fx.m1b, "present": true}, {"member_id": fx.mg, "present": false}]});
    assert_eq!(sec.post_json(&format!("/api/v1/meetings/{id}/attendance"), marks).await.status, StatusCode::OK);
    let r = sec
        .post_json(&format!("/api/v1/meetings/{id}/minutes"), json!({"held_on": day(1).to_string(), "minutes": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not in the future");
    let r = sec
        .post_json(
            &format!("/api/v1/meetings/{id}/minutes"),
            json!({"held_on": day(0).to_string(), "minutes": "一、传达学习……二、讨论……"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A vote: an absent member cannot vote; two of three present is quorate
    // and two for passes (more than half of the three entitled).
    let vote = |votes: Value| json!({"text": "同意推荐张某为入党积极分子", "votes": votes});
    let r = sec
        .post_json(
            &format!("/api/v1/meetings/{id}/resolutions"),
            vote(json!([{"member_id": fx.mg, "choice": "agree"}])),
        )
        .await;
    assert_eq!(code(&r), "meeting.voter_absent");
    let r = sec
        .post_json(
            &format!("/api/v1/meetings/{id}/resolutions"),
            vote(json!([{"member_id": fx.m1, "choice": "agree"}, {"member_id": fx.m1b, "choice": "agree"}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let res = &r.json()["resolutions"][0];
    assert_eq!(
        (res["entitled"].as_i64(), res["present"].as_i64(), res["agree"].as_i64(), res["passed"].as_i64()),
        (Some(3), Some(2), Some(2), Some(1))
    );
    // Sealing needs everyone accounted for.
    let r = sec.post_json(&format!("/api/v1/meetings/{id}/seal"), json!({})).await;
    assert_eq!(code(&r), "meeting.absence_reason_missing");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("赵六"), "{}", r.text);
    let marks = json!({"marks": [{"member_id": fx.mg, "present": false, "absence_reason": "井下当班"}]});
    sec.post_json(&format!("/api/v1/meetings/{id}/attendance"), marks).await;
    let r = sec.post_json(&format!("/api/v1/meetings/{id}/seal"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let sealed = r.json();
    assert_eq!(sealed["meeting"]["status"], "sealed");
    assert_eq!(sealed["seal"][0], 1);
    assert_eq!(sealed["seal"][1].as_str().unwrap().len(), 64);
    // Sealed: nothing changes, through the application or directly.
    let r = sec
        .post_json(&format!("/api/v1/meetings/{id}/minutes"), json!({"held_on": day(0).to_string(), "minutes": "改"}))
        .await;
    assert_eq!(code(&r), "meeting.sealed");
    assert!(app.raw_exec(&format!("UPDATE meetings SET minutes = '改' WHERE id = {id}")).await.is_err());
    assert!(app.raw_exec(&format!("UPDATE meeting_attendees SET present = 1 WHERE meeting_id = {id}")).await.is_err());
    // A correction is a new record pointing at the old one.
    let r = sec.post_json(&format!("/api/v1/meetings/{id}/correction"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["meeting"]["corrects"], id);
    let (checked, problems) = app.store.verify_life_seals().await.unwrap();
    assert_eq!((checked, problems.len()), (1, 0));
    // The minutes as the Word form secretaries file, and the year's record book.
    let docx = sec.get(&format!("/meetings/{id}/minutes.docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.headers["content-type"].to_str().unwrap().contains("wordprocessingml"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes.clone())).unwrap();
    let mut doc = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
    assert!(
        doc.contains("一、传达学习") && doc.contains("井下当班") && doc.contains("同意推荐张某为入党积极分子"),
        "{doc}"
    );
    let book = sec.get(&format!("/orgs/{}/life/book.xlsx?year={}", fx.b1.id, today().year())).await;
    assert_eq!(book.status, StatusCode::OK);
    use calamine::Reader;
    let mut xlsx = calamine::Xlsx::new(std::io::Cursor::new(book.bytes.clone())).unwrap();
    let sheet = xlsx.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(
        cells.iter().any(|c| c.contains("支部党员大会")) && cells.iter().any(|c| c.contains("井下当班")),
        "{cells:?}"
    );
});

both!(a_change_behind_the_applications_back_is_found_and_named, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let mut ids = Vec::new();
    for offset in [-30, -20, -10] {
        let id = hold(&mut sec, fx.b1.id, "theme_day", day(offset)).await;
        assert_eq!(sec.post_json(&format!("/api/v1/meetings/{id}/seal"), json!({})).await.status, StatusCode::OK);
        ids.push(id);
    }
    let other = hold(&mut sec, fx.g1.id, "group", day(-5)).await;
    sec.post_json(&format!("/api/v1/meetings/{other}/seal"), json!({})).await;
    let (checked, problems) = app.store.verify_life_seals().await.unwrap();
    assert_eq!((checked, problems.len()), (4, 0));
    // Someone with database access removes the guard and edits the minutes
    // of the middle meeting, and an attendance row of the group's.
    let drop = match app.backend {
        crate::support::Backend::Sqlite => {
            vec!["DROP TRIGGER meetings_sealed_no_update", "DROP TRIGGER meeting_attendees_sealed_no_update"]
        }
        crate::support::Backend::Postgres => vec![
            "DROP TRIGGER meetings_sealed_no_change ON meetings",
            "DROP TRIGGER meeting_attendees_sealed_no_change ON meeting_attendees",
        ],
    };
    for sql in drop {
        app.raw_exec(sql).await.unwrap();
    }
    app.raw_exec(&format!("UPDATE meetings SET minutes = '另一版本' WHERE id = {}", ids[1])).await.unwrap();
    app.raw_exec(&format!("UPDATE meeting_attendees SET present = 0 WHERE meeting_id = {other}")).await.unwrap();
    let (_, problems) = app.store.verify_life_seals().await.unwrap();
    let named: Vec<(i64, &str)> = problems.iter().map(|p| (p.record_id, p.problem)).collect();
    assert_eq!(named, [(ids[1], "seal.record_changed"), (other, "seal.record_changed")], "{problems:?}");
});

both!(compliance_counts_each_obligation_at_the_edges_of_its_periods, |app| async move {
    let fx = app.fx.clone();
    let year = today().year() - 1;
    let d = |m: u32, dd: u32| NaiveDate::from_ymd_opt(year, m, dd).unwrap();
    let mut sec = app.login("sec1").await;
    // In the fourth quarter: a general meeting on the last day, one theme
    // day (in October), a lecture on 1 October; the group meets in November
    // only. A theme day on 30 September belongs to the third quarter.
    hold(&mut sec, fx.b1.id, "branch_general", d(12, 31)).await;
    hold(&mut sec, fx.b1.id, "theme_day", d(10, 15)).await;
    hold(&mut sec, fx.b1.id, "theme_day", d(9, 30)).await;
    hold(&mut sec, fx.b1.id, "lecture", d(10, 1)).await;
    hold(&mut sec, fx.g1.id, "group", d(11, 20)).await;
    hold(&mut sec, fx.b1.id, "life_meeting", d(3, 5)).await;
    // A branch founded on 15 November owes December's theme day only.
    let actor = Actor::system(fx.root.tenant_id, "test");
    let late = app
        .store
        .create_org(
            &actor,
            &NewOrg {
                established_on: Some(d(11, 15)), ..NewOrg::under(fx.u1.id, OrgKind::Branch, "B3", "新设党支部")
            },
        )
        .await
        .unwrap();
    let mut committee = app.login("committee1").await;
    let r = committee.get(&format!("/api/v1/orgs/{}/life/compliance?year={year}&quarter=4", fx.u1.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let c = r.json();
    let kind = |k: &str| c["kinds"].as_array().unwrap().iter().find(|x| x["kind"] == k).cloned().unwrap_or(Value::Null);
    let counts = |k: &str| {
        let x = kind(k);
        (x["required"].as_u64().unwrap(), x["held"].as_u64().unwrap(), x["missing"].as_u64().unwrap())
    };
    assert_eq!(counts("branch_general"), (1, 1, 0), "b3 was founded mid-quarter: {c}");
    assert_eq!(kind("branch_general")["rate"], 1.0);
    assert_eq!(counts("theme_day"), (4, 1, 3));
    let missed = kind("theme_day")["missed"].as_array().unwrap().clone();
    let b1_missed: Vec<&str> = missed.iter().find(|m| m["org_id"] == fx.b1.id).unwrap()["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(b1_missed, [format!("{year}-11"), format!("{year}-12")]);
    assert!(missed.iter().any(|m| m["org_id"] == late.id && m["periods"][0] == format!("{year}-12")));
    assert_eq!(counts("lecture"), (1, 1, 0));
    assert_eq!(counts("group"), (3, 1, 2));
    // The year's meetings fall due in the fourth quarter.
    assert_eq!(counts("life_meeting"), (1, 1, 0));
    assert_eq!(counts("appraisal"), (1, 0, 1));
    assert!(
        kind("branch_committee").is_null() || counts("branch_committee").0 == 0,
        "no branch has seven full members"
    );
    assert!(kind("theme_day")["source"].as_str().unwrap().contains("支部工作条例"));
    // The third quarter: the theme day of 30 September counts there.
    let q3 = committee.get(&format!("/api/v1/orgs/{}/life/compliance?year={year}&quarter=3", fx.u1.id)).await.json();
    let theme = q3["kinds"].as_array().unwrap().iter().find(|x| x["kind"] == "theme_day").unwrap().clone();
    assert_eq!((theme["required"].as_u64(), theme["held"].as_u64()), (Some(3), Some(1)));
    assert!(q3["kinds"].as_array().unwrap().iter().all(|x| x["kind"] != "life_meeting"));
    // Outside the subtree: not found.
    let r = app.login("sec2").await.get(&format!("/api/v1/orgs/{}/life/compliance", fx.b1.id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

both!(who_may_plan_read_and_sign_in, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let id = plan(&mut sec, fx.b1.id, "lecture", day(0)).await["meeting"]["id"].as_i64().unwrap();
    for (user, status) in [("member1", 200), ("committee1", 200), ("admin", 200), ("sec2", 404), ("auditor", 404)] {
        let got = app.login(user).await.get(&format!("/api/v1/meetings/{id}")).await.status;
        assert_eq!(got.as_u16(), status, "{user}");
    }
    let mut member = app.login("member1").await;
    let body = json!({"kind": "lecture", "topic": "x", "planned_on": day(0).to_string()});
    assert_eq!(
        member.post_json(&format!("/api/v1/orgs/{}/meetings", fx.b1.id), body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(member.post_json(&format!("/api/v1/meetings/{id}/seal"), json!({})).await.status, StatusCode::FORBIDDEN);
    // Another unit's secretary writes nothing into it: every write answers
    // not found, before any check of the body.
    let mut outsider = app.login("sec2").await;
    for (path, body) in [
        ("attendance", json!({"marks": []})),
        ("signin-code", json!({})),
        ("sign-in", json!({"code": "000000"})),
        ("minutes", json!({"held_on": day(0).to_string(), "minutes": "x"})),
        ("resolutions", json!({"text": "x", "votes": []})),
        ("ratings", json!({"ratings": []})),
        ("seal", json!({})),
        ("correction", json!({"reason": "x"})),
        ("cancel", json!({"reason": "x"})),
    ] {
        let got = outsider.post_json(&format!("/api/v1/meetings/{id}/{path}"), body).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{path}: {}", got.text);
    }
    let upload = axum::http::Request::post(format!("/api/v1/meetings/{id}/files?file_name=a.pdf"))
        .header("x-csrf-token", outsider.csrf.clone())
        .body(axum::body::Body::from("%PDF-1.4"))
        .unwrap();
    assert_eq!(outsider.send(upload).await.status, StatusCode::NOT_FOUND);
    // Minutes sent against a stale version come back with the text typed, not lost.
    let r = sec
        .post_form(
            &format!("/meetings/{id}/minutes"),
            &[("version", "0"), ("held_on", &day(0).to_string()), ("minutes", "第一项：学习党章。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("第一项：学习党章。"), "{}", r.text);
    // A planned meeting is cancelled with its reason, once; then nothing is written to it.
    assert_eq!(
        code(&sec.post_json(&format!("/api/v1/meetings/{id}/cancel"), json!({"reason": " "})).await),
        "meeting.cancel_reason_required"
    );
    let r = sec.post_json(&format!("/api/v1/meetings/{id}/cancel"), json!({"reason": "与安全检查冲突"})).await;
    assert_eq!(r.json()["meeting"]["status"], "cancelled", "{}", r.text);
    assert_eq!(
        code(&sec.post_json(&format!("/api/v1/meetings/{id}/cancel"), json!({"reason": "x"})).await),
        "meeting.cancel_planned_only"
    );
    let r = sec.post_json(&format!("/api/v1/meetings/{id}/resolutions"), json!({"text": "x", "votes": []})).await;
    assert_ne!(r.status, StatusCode::OK);
    // Meetings fit their organisations: a group meeting at a branch is refused.
    let r = sec
        .post_json(
            &format!("/api/v1/orgs/{}/meetings", fx.b1.id),
            json!({"kind": "group", "topic": "x", "planned_on": day(0).to_string()}),
        )
        .await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "kind");
    let r = sec.post_json(&format!("/api/v1/orgs/{}/meetings", fx.b1.id), json!({"kind": "lecture"})).await;
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str().map(str::to_string))
        .collect();
    assert!(fields.iter().any(|f| f == "topic") && fields.iter().any(|f| f == "planned_on"), "{fields:?}");
});

both!(reminders_go_out_once_for_meetings_falling_due, |app| async move {
    use ronghe_web::notify::{Sender, Smtp, Webhook};
    use std::sync::{Arc, Mutex};
    let fx = app.fx.clone();
    let year = today().year() - 1;
    let on = NaiveDate::from_ymd_opt(year, 12, 25).unwrap();
    // b1 held December's theme day; b2 did not.
    let mut sec = app.login("sec1").await;
    hold(&mut sec, fx.b1.id, "theme_day", NaiveDate::from_ymd_opt(year, 12, 10).unwrap()).await;
    // A webhook and an SMTP relay that keep what they receive.
    let hooks: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = hooks.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().push(v);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let mails: Arc<Mutex<Vec<String>>> = Arc::default();
    let relay = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_addr = relay.local_addr().unwrap().to_string();
    let got = mails.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        loop {
            let (s, _) = relay.accept().await.unwrap();
            let got = got.clone();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 relay\r\n").await.unwrap();
                let mut data = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            got.lock().unwrap().push(std::mem::take(&mut data));
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                    } else if line == "DATA" {
                        in_data = true;
                        w.write_all(b"354 go on\r\n").await.unwrap();
                    } else if line == "QUIT" {
                        break;
                    } else {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    let sec1_user: i64 =
        app.raw_text("SELECT CAST(id AS TEXT) FROM users WHERE username = 'sec1'").await.parse().unwrap();
    app.store.set_user_email(sec1_user, Some("sec1@example.com")).await.unwrap();
    let state = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
    let senders: Vec<Box<dyn Sender>> =
        vec![Box::new(Webhook::new(hook_url)), Box::new(Smtp { relay: relay_addr, from: "ronghe@example.com".into() })];
    let report = ronghe_web::app::reminders::run(&state, &senders, on).await.unwrap();
    assert!(report.created > 0);
    let keys: Vec<String> = hooks.lock().unwrap().iter().map(|v| v["key"].as_str().unwrap().to_string()).collect();
    let month = format!("{year}-12");
    assert!(keys.contains(&format!("life:{}:theme_day:{month}", fx.b2.id)), "{keys:?}");
    assert!(!keys.contains(&format!("life:{}:theme_day:{month}", fx.b1.id)), "held, so not reminded: {keys:?}");
    assert!(keys.contains(&format!("life:{}:group:{month}", fx.g1.id)), "{keys:?}");
    assert_eq!(report.sent[0], ("webhook", keys.len(), 0));
    // Email only to those with an address: sec1's reminders.
    let sec1_count = hooks.lock().unwrap().iter().filter(|v| v["username"] == "sec1").count();
    assert_eq!(report.sent[1], ("email", sec1_count, 0));
    let mail = mails.lock().unwrap().first().cloned().unwrap_or_default();
    assert!(mail.contains("To: <sec1@example.com>") && mail.contains("=?UTF-8?B?"), "{mail}");
    // Once: the same day again records and sends nothing new.
    let again = ronghe_web::app::reminders::run(&state, &senders, on).await.unwrap();
    assert_eq!((again.created, again.sent[0].1), (0, 0));
    // In the platform: sec1's list, then read.
    let page = sec.get("/reminders").await;
    assert!(page.text.contains("即将到期") && page.text.contains("unread"), "{}", page.text);
    assert_eq!(sec.post_form("/reminders/read", &[]).await.status, StatusCode::SEE_OTHER);
    assert!(!sec.get("/reminders").await.text.contains("class=\"unread\""));
});

both!(a_monthly_schedule_and_the_appraisals_ratings, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    // The theme day on the 31st: the last day of months that are shorter.
    let year = today().year() + 1;
    let body = |day: u32| json!({"kind": "theme_day", "topic": "主题党日", "day_of_month": day, "from_month": format!("{year}-01"), "months": 3});
    let r = sec.post_json(&format!("/api/v1/orgs/{}/meetings/schedule", fx.b1.id), body(0)).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "day_of_month", "{}", r.text);
    let r = sec.post_json(&format!("/api/v1/orgs/{}/meetings/schedule", fx.b1.id), body(31)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ids: Vec<i64> = r.json().as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    let mut days = Vec::new();
    for id in &ids {
        days.push(
            sec.get(&format!("/api/v1/meetings/{id}")).await.json()["meeting"]["planned_on"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let feb = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { "29" } else { "28" };
    assert_eq!(days, [format!("{year}-01-31"), format!("{year}-02-{feb}"), format!("{year}-03-31")]);
    // 民主评议: the branch rates each member; only at an appraisal.
    let lecture = plan(&mut sec, fx.b1.id, "lecture", day(0)).await["meeting"]["id"].as_i64().unwrap();
    let rate = |ratings: Value| json!({"ratings": ratings});
    let r = sec
        .post_json(
            &format!("/api/v1/meetings/{lecture}/ratings"),
            rate(json!([{"member_id": fx.m1, "rating": "excellent"}])),
        )
        .await;
    assert_eq!(code(&r), "meeting.ratings_appraisal_only");
    let id = hold(&mut sec, fx.b1.id, "appraisal", day(0)).await;
    let r = sec
        .post_json(&format!("/api/v1/meetings/{id}/ratings"), rate(json!([{"member_id": fx.m1, "rating": "superb"}])))
        .await;
    assert_eq!(code(&r), "meeting.bad_rating");
    let r = sec
        .post_json(
            &format!("/api/v1/meetings/{id}/ratings"),
            rate(json!([{"member_id": fx.m1, "rating": "excellent"}, {"member_id": fx.m1b, "rating": "qualified"}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ratings: Vec<(i64, String)> = r.json()["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rating"] != "")
        .map(|a| (a["member_id"].as_i64().unwrap(), a["rating"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(ratings.len(), 2);
    // Sealed, the ratings are part of the record the chain covers.
    assert_eq!(sec.post_json(&format!("/api/v1/meetings/{id}/seal"), json!({})).await.status, StatusCode::OK);
    assert_eq!(app.store.verify_life_seals().await.unwrap().1.len(), 0);
    let r = sec
        .post_json(
            &format!("/api/v1/meetings/{id}/ratings"),
            rate(json!([{"member_id": fx.m1, "rating": "qualified"}])),
        )
        .await;
    assert_eq!(code(&r), "meeting.sealed");
    let drop = match app.backend {
        crate::support::Backend::Sqlite => "DROP TRIGGER meeting_attendees_sealed_no_update",
        crate::support::Backend::Postgres => "DROP TRIGGER meeting_attendees_sealed_no_change ON meeting_attendees",
    };
    app.raw_exec(drop).await.unwrap();
    app.raw_exec(&format!(
        "UPDATE meeting_attendees SET rating = 'unqualified' WHERE meeting_id = {id} AND member_id = {}",
        fx.m1
    ))
    .await
    .unwrap();
    let problems = app.store.verify_life_seals().await.unwrap().1;
    assert_eq!(problems.iter().map(|p| p.record_id).collect::<Vec<_>>(), [id]);
});

both!(attendees_are_notified_and_photos_are_sealed_with_the_record, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let m = plan(&mut sec, fx.b1.id, "theme_day", day(0)).await;
    let id = m["meeting"]["id"].as_i64().unwrap();
    // member1 (expected, with an account) has the notice.
    let mut member = app.login("member1").await;
    let page = member.get("/reminders").await;
    assert!(page.text.contains("会议通知") && page.text.contains(&format!("/meetings/{id}")), "{}", page.text);
    // A photo of the room goes with the record.
    let photo = b"\x89PNG\r\n\x1a\n fake image bytes".to_vec();
    let csrf = sec.csrf.clone();
    let upload = |name: &str, bytes: Vec<u8>| {
        axum::http::Request::post(format!("/api/v1/meetings/{id}/files?file_name={}", crate::support::urlencode(name)))
            .header("x-csrf-token", csrf.clone())
            .body(axum::body::Body::from(bytes))
            .unwrap()
    };
    let r = sec.send(upload("会场.png", photo.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let file = r.json()["files"][0]["id"].as_i64().unwrap();
    let r = sec.send(upload("空.txt", vec![])).await;
    assert_eq!(code(&r), "dev.document_empty");
    let got = member.get(&format!("/meetings/{id}/files/{file}")).await;
    assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, photo.as_slice()));
    assert_eq!(got.headers["content-type"], "image/png");
    // Held and sealed: the file is covered; no more files after.
    let marks: Vec<Value> = m["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!({"member_id": a["member_id"], "present": true}))
        .collect();
    sec.post_json(&format!("/api/v1/meetings/{id}/attendance"), json!({"marks": marks})).await;
    sec.post_json(&format!("/api/v1/meetings/{id}/minutes"), json!({"held_on": day(0).to_string(), "minutes": "纪要"}))
        .await;
    assert_eq!(sec.post_json(&format!("/api/v1/meetings/{id}/seal"), json!({})).await.status, StatusCode::OK);
    assert_eq!(code(&sec.send(upload("后补.png", photo.clone())).await), "meeting.sealed");
    assert!(app.store.verify_life_seals().await.unwrap().1.is_empty());
    let drop = match app.backend {
        crate::support::Backend::Sqlite => "DROP TRIGGER meeting_files_sealed_no_update",
        crate::support::Backend::Postgres => "DROP TRIGGER meeting_files_sealed_no_change ON meeting_files",
    };
    app.raw_exec(drop).await.unwrap();
    app.raw_exec(&format!("UPDATE meeting_files SET file_name = '换.png' WHERE id = {file}")).await.unwrap();
    assert_eq!(app.store.verify_life_seals().await.unwrap().1.iter().map(|p| p.record_id).collect::<Vec<_>>(), [id]);
});

// A node caches a subtree's compliance under the tenant's figure version,
// which triggers keep. After random meetings held, members added and gone,
// organisations moved and refounded and a revised pack, what the caching
// node serves equals what a node that has never seen the subtree computes.
both!(cached_compliance_equals_a_fresh_computation_after_random_changes, |app| async move {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use ronghe_domain::members::Status;
    use ronghe_store::OrgUpdate;

    let fx = app.fx.clone();
    let mut rng = StdRng::seed_from_u64(if app.backend == crate::support::Backend::Sqlite { 21 } else { 22 });
    let actor = Actor::system(fx.root.tenant_id, "test");
    for (i, (parent, kind)) in
        [(fx.u1.id, OrgKind::Branch), (fx.u2.id, OrgKind::Branch), (fx.b2.id, OrgKind::Group)].into_iter().enumerate()
    {
        app.store.create_org(&actor, &NewOrg::under(parent, kind, format!("C{i}"), format!("缓存{i}"))).await.unwrap();
    }
    let today = today();
    let quarters = {
        let q = (today.month() - 1) / 3 + 1;
        let prev = if q == 1 { (today.year() - 1, 4) } else { (today.year(), q - 1) };
        [(today.year(), q), prev]
    };
    let mut sec = app.login("admin").await;
    let caching = app.node();
    let mut cached = app.login("admin").await.via(&caching);
    let mut members: Vec<i64> = vec![fx.m1, fx.m1b, fx.m2, fx.mg];
    let mut n = 5000u32;
    let mut revision = 0;
    let mut planned: Vec<(Value, NaiveDate)> = Vec::new();
    for step in 0..36 {
        let orgs = app.store.subtree_orgs(&fx.root.path).await.unwrap();
        let holders: Vec<_> = orgs.iter().filter(|o| o.kind.holds_members()).cloned().collect();
        // Read every subtree through the caching node before the change, so
        // that what it serves after it comes from its cache unless the
        // version moved.
        for o in &orgs {
            for (y, q) in quarters {
                let r = cached.get(&format!("/api/v1/orgs/{}/life/compliance?year={y}&quarter={q}", o.id)).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            }
        }
        if step == 0 {
            // Read again with nothing changed: every figure from the cache.
            let before = crate::support::cache_hits(&mut cached, "compliance").await;
            for o in &orgs {
                cached
                    .get(&format!(
                        "/api/v1/orgs/{}/life/compliance?year={}&quarter={}",
                        o.id, quarters[0].0, quarters[0].1
                    ))
                    .await;
            }
            assert_eq!(crate::support::cache_hits(&mut cached, "compliance").await, before + orgs.len() as u64);
        }
        let what = rng.gen_range(0..10);
        match what {
            0..=3 => {
                let o = &holders[rng.gen_range(0..holders.len())];
                let kinds: &[&str] = if o.kind == OrgKind::Group {
                    &["group"]
                } else {
                    &["branch_general", "branch_committee", "lecture", "theme_day"]
                };
                let kind = kinds[rng.gen_range(0..kinds.len())];
                let on = today - Duration::days(rng.gen_range(0..150));
                let m = plan(&mut sec, o.id, kind, on).await;
                // Held now, or in a later step: then recording it is the
                // step's only change (an update of the meeting's row).
                if rng.gen_range(0..2) == 0 {
                    record_held(&mut sec, &m, on).await;
                } else {
                    planned.push((m, on));
                }
            }
            4 => {
                // Full members enough to make a branch owe committee meetings.
                let o = holders[rng.gen_range(0..holders.len())].id;
                let batch: Vec<_> = (0..4)
                    .map(|_| {
                        n += 1;
                        (o, crate::support::member_input("缓存党员", n).validate(today).unwrap())
                    })
                    .collect();
                members.extend(app.store.insert_members(&actor, &batch, "member.create").await.unwrap());
            }
            5 => {
                let id = members[rng.gen_range(0..members.len())];
                let status = [Status::Deceased, Status::Normal, Status::Left][rng.gen_range(0..3)];
                app.store.change_member_status(&actor, id, status, today, "").await.unwrap();
            }
            6 => {
                let o = orgs.iter().find(|o| o.kind == OrgKind::Branch && o.id != fx.b1.id).unwrap();
                let to = if o.path.starts_with(&fx.u1.path) { fx.u2.id } else { fx.u1.id };
                app.store.move_org(&actor, o.id, to).await.unwrap();
            }
            7 => {
                let o = &holders[rng.gen_range(0..holders.len())];
                let founded = (rng.gen_range(0..2) == 0).then(|| today - Duration::days(rng.gen_range(0..200)));
                let u = OrgUpdate {
                    code: o.code.clone(),
                    name: format!("{}·改", o.name),
                    unit_name: o.unit_name.clone(),
                    established_on: founded,
                    term_start: o.term_start,
                    term_end: o.term_end,
                };
                app.store.update_org(&actor, o.id, &u).await.unwrap();
            }
            8 => {
                // A revised pack: more warning days turn pending periods yellow.
                revision += 1;
                let text = ronghe_domain::meetings::DEFAULT_MEETINGS_PACK
                    .replace("version = \"2019.1\"", &format!("version = \"2019.{}\"", revision + 1))
                    .replace(
                        "effective_from = \"2019-01-01\"",
                        &format!("effective_from = \"2019-01-{:02}\"", revision + 1),
                    )
                    .replace("warn_days = 10", &format!("warn_days = {}", 10 + 20 * revision));
                app.store.load_rules(&actor, &text).await.unwrap();
            }
            _ => match planned.pop() {
                Some((m, on)) => {
                    record_held(&mut sec, &m, on).await;
                }
                None => {
                    // A meeting planned only: nothing owed changes.
                    let o = holders.iter().find(|o| o.kind == OrgKind::Branch).unwrap();
                    plan(&mut sec, o.id, "lecture", today + Duration::days(3)).await;
                }
            },
        }
        let mut fresh = app.login("admin").await.via(&app.node());
        for o in &orgs {
            for (y, q) in quarters {
                let path = format!("/api/v1/orgs/{}/life/compliance?year={y}&quarter={q}", o.id);
                let got = cached.get(&path).await.json();
                let want = fresh.get(&path).await.json();
                assert_eq!(got, want, "step {step} (change {what}), organisation {} {y}Q{q}", o.code);
            }
        }
    }
});
