//! Learning through the API: heartbeats credited on the server's clock
//! (replays, skewed clocks and hidden pages credit nothing), offline
//! training recorded by the organiser, and a member's year against the
//! requirement (32 class hours, 56 for officers).

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{json, Value};

use crate::both;
use crate::support::{today, Client};

async fn course_at(c: &mut Client, org: i64, minutes: i64) -> i64 {
    let body = json!({"title": "学习贯彻党章", "category": "党章党规",
        "lessons": [{"title": "第一讲", "kind": "text", "body": "党章是立党治党管党的总章程。", "minutes": minutes}]});
    let r = c.post_json(&format!("/api/v1/orgs/{org}/courses"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json().as_i64().unwrap()
}

async fn first_lesson(app: &crate::support::TestApp, course: i64) -> i64 {
    app.store.course_lessons(course).await.unwrap()[0].id
}

fn beat(tab: &str, seq: i64, offset_ms: i64, visible: bool) -> Value {
    json!({"tab": tab, "seq": seq, "client_ms": chrono::Utc::now().timestamp_millis() + offset_ms, "visible": visible, "active": true})
}

both!(heartbeats_credit_only_honest_time, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    let course = course_at(&mut admin, fx.root.id, 10).await;
    let lesson = first_lesson(&app, course).await;
    let mut member = app.login("member1").await;
    let path = format!("/api/v1/lessons/{lesson}/heartbeat");
    let r = member.post_json(&path, beat("a", 1, 0, true)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["credited_seconds"], 0, "the first beat starts the clock");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = member.post_json(&path, beat("a", 2, 0, true)).await.json();
    // The server's clock: two seconds and a bit (more on a loaded machine).
    let first = r["credited_seconds"].as_i64().unwrap();
    assert!((2..=4).contains(&first), "{r}");
    // A replay of the same beat, a beat from a clock far ahead: nothing.
    let r = member.post_json(&path, beat("a", 2, 0, true)).await.json();
    assert_eq!((r["credited_seconds"].as_i64(), r["ignored"].as_str()), (Some(0), Some("replayed")));
    let r = member.post_json(&path, beat("a", 3, 600_000, true)).await.json();
    assert_eq!(r["ignored"], "future");
    // A hidden tab earns nothing, however long.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = member.post_json(&path, beat("a", 4, 0, false)).await.json();
    assert_eq!((r["credited_seconds"].as_i64(), r["lesson_seconds"].as_i64()), (Some(0), Some(first)));
    // A second tab shares the learner's clock: no double counting.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let a = member.post_json(&path, beat("a", 5, 0, true)).await.json();
    let b = member.post_json(&path, beat("b", 1, 0, true)).await.json();
    assert!((1..=3).contains(&a["credited_seconds"].as_i64().unwrap()), "{a}");
    assert_eq!(b["credited_seconds"], 0, "the other tab adds nothing: {b}");
    // The hours drill down to the lesson they were earned on.
    let year = member.get(&format!("/api/v1/members/{}/study", fx.m1)).await.json();
    assert_eq!(year["lessons"][0]["lesson_id"].as_i64(), Some(lesson), "{year}");
    assert!(year["lessons"][0]["seconds"].as_i64().unwrap() >= first);
    // Lessons are offered down the tree: not to another unit's members.
    let other = course_at(&mut admin, fx.u2.id, 10).await;
    let other_lesson = first_lesson(&app, other).await;
    let r = member.post_json(&format!("/api/v1/lessons/{other_lesson}/heartbeat"), beat("a", 6, 0, true)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(member.get(&format!("/lessons/{other_lesson}")).await.status, StatusCode::NOT_FOUND);
    let page = member.get(&format!("/lessons/{lesson}")).await;
    assert!(page.text.contains("data-heartbeat") && page.text.contains("党章是立党治党管党的总章程"), "{}", page.text);
});

both!(a_members_year_counts_online_and_offline_hours_against_the_requirement, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let held = (today() - Duration::days(3)).to_string();
    let path = format!("/api/v1/orgs/{}/trainings", fx.b1.id);
    let r = sec
        .post_json(&path, json!({"title": "党校轮训", "held_on": held, "hours": "3.25", "attendees": [fx.m1]}))
        .await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "hours", "{}", r.text);
    let r = sec
        .post_json(&path, json!({"title": "党校轮训", "held_on": held, "hours": "3.5", "attendees": [fx.m1, fx.m2]}))
        .await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "attendees", "{}", r.text);
    let r = sec
        .post_json(&path, json!({"title": "党校轮训", "held_on": held, "hours": "3.5", "attendees": [fx.m1, fx.m1b]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    sec.post_json(&path, json!({"title": "专题学习", "held_on": held, "hours": "24", "attendees": [fx.m1]})).await;
    let mut member = app.login("member1").await;
    let s = member.get(&format!("/api/v1/members/{}/study", fx.m1)).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    let s = s.json();
    assert_eq!((s["hours"]["offline"].as_f64(), s["hours"]["total"].as_f64()), (Some(27.5), Some(27.5)), "{s}");
    assert_eq!((s["required_hours"].as_u64(), s["remaining_hours"].as_f64()), (Some(32), Some(4.5)));
    assert!(s["rule"].as_str().unwrap().contains("党员教育管理工作条例"));
    // The branch secretary is an officer: 56.
    let s = sec.get(&format!("/api/v1/members/{}/study", fx.m1b)).await.json();
    assert_eq!(
        (s["officer"].as_bool(), s["required_hours"].as_u64(), s["remaining_hours"].as_f64()),
        (Some(true), Some(56), Some(52.5))
    );
    // Who may read whose year.
    for (user, status) in [("member1", 403), ("committee1", 200), ("admin", 200), ("sec2", 404)] {
        let got = app.login(user).await.get(&format!("/api/v1/members/{}/study", fx.m1b)).await.status;
        assert_eq!(got.as_u16(), status, "{user}");
    }
    let home = member.get("/learn").await;
    assert!(home.text.contains("27.5") && home.text.contains("党校轮训"), "{}", home.text);
    // The figures drill down to their records: each training with its hours.
    let detail = member.get(&format!("/members/{}/study", fx.m1)).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(
        detail.text.contains("党校轮训") && detail.text.contains("专题学习") && detail.text.contains("24.0"),
        "{}",
        detail.text
    );
    for (user, status) in [("member1", 403), ("committee1", 200), ("sec2", 404)] {
        let got = app.login(user).await.get(&format!("/members/{}/study", fx.m1b)).await.status;
        assert_eq!(got.as_u16(), status, "{user}");
    }
});

both!(a_subtrees_report_and_required_courses_with_their_reminders, |app| async move {
    let fx = app.fx.clone();
    let mut admin = app.login("admin").await;
    let due = (today() + Duration::days(5)).to_string();
    let body = json!({"title": "必修：安全生产责任", "required_by": due,
        "lessons": [{"title": "一", "kind": "text", "body": "…", "minutes": 1}]});
    let r = admin.post_json(&format!("/api/v1/orgs/{}/courses", fx.u1.id), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let course = r.json().as_i64().unwrap();
    let lesson = first_lesson(&app, course).await;
    // member1 studies the minute-long lesson (two beats a minute apart are
    // capped at 60 seconds: exactly the lesson's length).
    let actor = ronghe_store::Actor::system(fx.root.tenant_id, "test");
    app.store.insert_study_time(actor.tenant_id, &[(fx.m1, lesson, today(), 60)]).await.unwrap();
    // A second course, required of the branch's officers only; a role that
    // is not one is refused, naming the field.
    let officers = |of: &str| {
        json!({"title": "必修：支部书记履职", "required_by": due, "required_of": of,
        "lessons": [{"title": "一", "kind": "text", "body": "…", "minutes": 1}]})
    };
    let r = admin.post_json(&format!("/api/v1/orgs/{}/courses", fx.b1.id), officers("leaders")).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "required_of", "{}", r.text);
    let r = admin.post_json(&format!("/api/v1/orgs/{}/courses", fx.b1.id), officers("officers")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mut sec = app.login("sec1").await;
    sec.post_json(
        &format!("/api/v1/orgs/{}/trainings", fx.b1.id),
        json!({"title": "集中轮训", "held_on": today().to_string(), "hours": "32", "attendees": [fx.m1]}),
    )
    .await;
    let r = sec.get(&format!("/api/v1/orgs/{}/study", fx.b1.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rep = r.json();
    assert_eq!(rep["members"], 3, "{rep}");
    assert_eq!(rep["met"], 1, "member1 has 32 hours: {rep}");
    let course_of = |title: &str| {
        rep["required_courses"].as_array().unwrap().iter().find(|c| c["title"] == title).cloned().unwrap()
    };
    assert_eq!(course_of("必修：安全生产责任")["completed"], 1);
    // Required of officers: counted over the officers alone (the secretary).
    let of_officers = course_of("必修：支部书记履职");
    assert_eq!((of_officers["required_of"].as_str(), of_officers["members"].as_u64()), (Some("officers"), Some(1)));
    let row = |id: i64| rep["rows"].as_array().unwrap().iter().find(|r| r["member_id"] == id).cloned().unwrap();
    assert_eq!((row(fx.m1)["required_done"].as_u64(), row(fx.m1b)["required_done"].as_u64()), (Some(1), Some(0)));
    assert_eq!((row(fx.m1)["required_total"].as_u64(), row(fx.m1b)["required_total"].as_u64()), (Some(1), Some(2)));
    assert_eq!(row(fx.m1b)["required"], 56);
    let xlsx = sec.get(&format!("/orgs/{}/study/export.xlsx", fx.b1.id)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(&xlsx.bytes[..2], b"PK");
    // Reminders: the secretary (m1b), who has not finished, is reminded; member1 is not.
    let state = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
    ronghe_web::app::reminders::run(&state, &[], today()).await.unwrap();
    let reminders = sec.get("/reminders").await.text;
    assert!(reminders.contains("必修：安全生产责任") && reminders.contains("必修：支部书记履职"), "{reminders}");
    let mut member = app.login("member1").await;
    let reminders = member.get("/reminders").await.text;
    assert!(!reminders.contains("必修：安全生产责任") && !reminders.contains("必修：支部书记履职"), "{reminders}");
});

both!(a_secretary_adds_a_course_through_the_page, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let r = sec.multipart(&format!("/orgs/{}/courses", fx.b1.id), &[("title", ""), ("title_1", "第一课")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("标题"), "the field is named: {}", r.text);
    let form = [
        ("title", "班组安全党课"),
        ("category", "融合实践"),
        ("required_by", ""),
        ("title_1", "第一课：责任区"),
        ("minutes_1", "30"),
        ("body_1", "党员责任区的划分和职责。"),
        ("title_2", ""),
    ];
    assert_eq!(sec.multipart(&format!("/orgs/{}/courses", fx.b1.id), &form, &[]).await.status, StatusCode::SEE_OTHER);
    let learn = app.login("member1").await.get("/learn").await;
    assert!(learn.text.contains("班组安全党课"), "{}", learn.text);
    // Not offered to another unit's members.
    assert!(!app.login("sec2").await.get("/learn").await.text.contains("班组安全党课"));
});

both!(an_exam_is_drawn_taken_marked_and_reviewed, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let q = |kind: &str, stem: &str, options: Value, answer: &str| json!({"category": "党章", "kind": kind, "stem": stem, "options": options, "answer": answer});
    // One bad question: nothing goes in, and its number is named.
    let bad = json!({"questions": [q("single", "一", json!(["甲", "乙"]), "A"), q("single", "二", json!(["甲", "乙"]), "C")]});
    let r = sec.post_json(&format!("/api/v1/orgs/{}/questions", fx.b1.id), bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("第 2 题"), "{}", r.text);
    let good = json!({"questions": [
        q("single", "党的最高理想是？", json!(["实现共产主义", "发展经济"]), "A"),
        q("multiple", "党员的义务包括？", json!(["学习", "执行决定", "逃避责任"]), "AB"),
        q("true_false", "预备期为一年。", json!([]), "true"),
        q("fill_in", "全心全意为人民____。", json!([]), "服务"),
    ]});
    let r = sec.post_json(&format!("/api/v1/orgs/{}/questions", fx.b1.id), good).await;
    assert_eq!((r.status, r.json().as_u64()), (StatusCode::CREATED, Some(4)), "{}", r.text);
    let exam = |count: usize| {
        json!({"title": "党章知识测试", "time_limit_minutes": 30, "max_attempts": 1, "pass_score": 6,
               "rules": [{"kind": "single", "count": count, "points": 4}, {"kind": "multiple", "count": 1, "points": 3},
                         {"kind": "true_false", "count": 1, "points": 2}, {"kind": "fill_in", "count": 1, "points": 1}]})
    };
    let r = sec.post_json(&format!("/api/v1/orgs/{}/exams", fx.b1.id), exam(2)).await;
    assert_eq!(r.json()["error"]["code"], "exam.short_bank", "{}", r.text);
    let r = sec.post_json(&format!("/api/v1/orgs/{}/exams", fx.b1.id), exam(1)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let exam_id = r.json().as_i64().unwrap();
    // The member starts: four questions, no answers shown.
    let mut member = app.login("member1").await;
    let a = member.post_json(&format!("/api/v1/exams/{exam_id}/attempts"), json!({})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = a.json();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["questions"].as_array().unwrap().len(), 4);
    assert!(a["questions"].as_array().unwrap().iter().all(|q| q["answer"].is_null()), "{a}");
    // Starting again resumes the same attempt.
    let again = member.post_json(&format!("/api/v1/exams/{exam_id}/attempts"), json!({})).await.json();
    assert_eq!(again["id"], id);
    let answers: serde_json::Map<String, Value> = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let r = match q["kind"].as_str().unwrap() {
                "single" => "A",
                "multiple" => "A",
                "true_false" => "true",
                _ => " 服务 ",
            };
            (q["id"].as_i64().unwrap().to_string(), json!(r))
        })
        .collect();
    let r = member.post_json(&format!("/api/v1/attempts/{id}/submit"), json!({"responses": answers})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let marked = r.json();
    // 4 + 2 + 1: the multiple choice missed an option.
    assert_eq!(
        (marked["score"].as_i64(), marked["total"].as_i64(), marked["passed"].as_bool()),
        (Some(7), Some(10), Some(true))
    );
    let multi = marked["questions"].as_array().unwrap().iter().find(|q| q["kind"] == "multiple").unwrap().clone();
    assert_eq!((multi["right"].as_bool(), multi["answer"].as_str()), (Some(false), Some("AB")));
    let r = member.post_json(&format!("/api/v1/attempts/{id}/submit"), json!({"responses": {}})).await;
    assert_eq!(r.json()["error"]["code"], "exam.already_submitted");
    // One try only; someone else's attempt is not found.
    let r = member.post_json(&format!("/api/v1/exams/{exam_id}/attempts"), json!({})).await;
    assert_eq!(r.json()["error"]["code"], "exam.no_attempts_left");
    assert_eq!(sec.get(&format!("/api/v1/attempts/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(member.get(&format!("/api/v1/attempts/{id}")).await.json()["score"], 7);
});

both!(a_question_bank_is_imported_from_a_spreadsheet_all_or_none, |app| async move {
    let fx = app.fx.clone();
    let sheet = |rows: &[[&str; 6]]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let s = book.add_worksheet();
        for (c, h) in ["题型", "分类", "题干", "选项A", "选项B", "答案"].iter().enumerate() {
            s.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                s.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let mut sec = app.login("sec1").await;
    let send = |bytes: Vec<u8>, csrf: String| {
        axum::http::Request::post(format!("/api/v1/orgs/{}/questions/import", fx.b1.id))
            .header("x-csrf-token", csrf)
            .body(axum::body::Body::from(bytes))
            .unwrap()
    };
    // Row 3's answer names an option that is not there: nothing goes in.
    let bad =
        sheet(&[["单选", "党章", "党的宗旨是？", "为人民服务", "发展", "A"], ["单选", "党章", "二", "甲", "乙", "C"]]);
    let r = sec.send(send(bad, sec.csrf.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("表格第 3 行"), "{}", r.text);
    assert!(app.store.question_bank(fx.b1.id).await.unwrap().is_empty());
    let good = sheet(&[
        ["单选", "党章", "党的宗旨是？", "为人民服务", "发展", "A"],
        ["判断", "党章", "预备期为一年。", "", "", "对"],
    ]);
    let r = sec.send(send(good, sec.csrf.clone())).await;
    assert_eq!((r.status, r.json().as_u64()), (StatusCode::CREATED, Some(2)), "{}", r.text);
    let bank = app.store.question_bank(fx.b1.id).await.unwrap();
    assert_eq!(bank[1].answer, "true");
});

/// A small MP4 (an ISO media header, then bytes enough for three chunks).
fn mp4(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2mp41".to_vec();
    v.extend((0..len).map(|i| (i * 7 % 251) as u8));
    v
}

both!(lesson_files_are_checked_and_served_with_range_requests, |app| async move {
    use axum::http::{header, Request};
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let upload = |name: &str, bytes: Vec<u8>, csrf: String| {
        Request::post(format!("/api/v1/orgs/{}/media?file_name={}", fx.b1.id, crate::support::urlencode(name)))
            .header("x-csrf-token", csrf)
            .body(axum::body::Body::from(bytes))
            .unwrap()
    };
    // A program renamed .mp4, a PDF named .mp4, an empty file: refused.
    for (name, bytes) in [("课.mp4", b"MZ\x90\0program".to_vec()), ("课.mp4", b"%PDF-1.7".to_vec()), ("课.mp4", vec![])]
    {
        let r = sec.send(upload(name, bytes, sec.csrf.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    }
    assert_eq!(app.raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM media").await, "0", "nothing kept");
    let video = mp4(700_000);
    let r = sec.send(upload("第一课：责任区.mp4", video.clone(), sec.csrf.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let m = r.json();
    assert_eq!((m["kind"].as_str(), m["size"].as_u64()), (Some("video"), Some(video.len() as u64)));
    let media = m["id"].as_i64().unwrap();
    // A lesson made of it; a file from another unit cannot be named.
    let course = json!({"title": "责任区视频课", "lessons": [{"title": "视频", "media_id": media, "minutes": 12}]});
    let r = app.login("admin").await.post_json(&format!("/api/v1/orgs/{}/courses", fx.u2.id), course.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = sec.post_json(&format!("/api/v1/orgs/{}/courses", fx.b1.id), course).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let lesson = &app.store.course_lessons(r.json().as_i64().unwrap()).await.unwrap()[0];
    assert_eq!((lesson.kind.as_str(), lesson.media_id), ("video", Some(media)));
    let mut member = app.login("member1").await;
    let page = member.get(&format!("/lessons/{}", lesson.id)).await;
    assert!(
        page.text
            .contains(&format!("<video class=\"lesson-media\" controls preload=\"metadata\" src=\"/media/{media}\"")),
        "{}",
        page.text
    );
    // The whole file, then ranges: across a chunk boundary, the tail, past the end.
    let whole = member.get(&format!("/media/{media}")).await;
    assert_eq!((whole.status, whole.bytes == video), (StatusCode::OK, true));
    assert_eq!(whole.headers[header::ACCEPT_RANGES], "bytes");
    assert_eq!(whole.headers[header::CONTENT_TYPE], "video/mp4");
    let range = |spec: &str| {
        Request::get(format!("/media/{media}")).header(header::RANGE, spec).body(axum::body::Body::empty()).unwrap()
    };
    let r = member.send(range("bytes=262140-524300")).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers[header::CONTENT_RANGE], format!("bytes 262140-524300/{}", video.len()));
    assert_eq!(r.bytes, video[262_140..=524_300]);
    let r = member.send(range("bytes=-10")).await;
    assert_eq!(r.bytes, video[video.len() - 10..]);
    let r = member.send(range("bytes=0-")).await;
    assert_eq!((r.status, r.bytes.len()), (StatusCode::PARTIAL_CONTENT, video.len()));
    let r = member.send(range(&format!("bytes={}-", video.len()))).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.headers[header::CONTENT_RANGE], format!("bytes */{}", video.len()));
    // Cached copies are revalidated by the file's digest.
    let etag = whole.headers[header::ETAG].to_str().unwrap().to_string();
    let r = member
        .send(
            Request::get(format!("/media/{media}"))
                .header(header::IF_NONE_MATCH, &etag)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    // Another unit's member: not found.
    assert_eq!(app.login("sec2").await.get(&format!("/media/{media}")).await.status, StatusCode::NOT_FOUND);
});

both!(a_course_page_form_takes_lesson_files_and_a_refused_form_keeps_none, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let path = format!("/orgs/{}/courses", fx.b1.id);
    let fields =
        [("title", "音频党课"), ("title_1", "第一讲"), ("minutes_1", "20"), ("title_2", "第二讲"), ("minutes_2", "0")];
    let audio = b"ID3\x04\0\0\0\0\0\0audio".to_vec();
    // The second lesson has no length: refused, and the first lesson's file is not kept.
    let r = sec.multipart(&path, &fields, &[("file_1", "第一讲.mp3", &audio)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // A file whose bytes are not what its name says: refused the same way.
    let r = sec.multipart(&path, &fields[..3], &[("file_1", "第一讲.mp3", b"not audio")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("音频"), "the message says what files are taken: {}", r.text);
    assert_eq!(app.raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM media").await, "0");
    let r = sec.multipart(&path, &fields[..3], &[("file_1", "第一讲.mp3", &audio)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(app.raw_text("SELECT kind FROM lessons WHERE media_id IS NOT NULL").await, "audio");
});

both!(study_rankings_show_only_where_an_organisation_switches_them_on, |app| async move {
    let fx = app.fx.clone();
    let mut member = app.login("member1").await;
    let path = format!("/api/v1/orgs/{}/study/ranking", fx.b1.id);
    let r = member.get(&path).await;
    assert_eq!(r.json()["error"]["code"], "learn.ranking_off", "{}", r.text);
    assert!(!member.get("/learn").await.text.contains("/study/ranking"));
    // Members cannot switch it on; their secretary can.
    let r = member.json(axum::http::Method::PUT, &path, json!({"on": true})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut sec = app.login("sec1").await;
    assert_eq!(sec.json(axum::http::Method::PUT, &path, json!({"on": true})).await.status, StatusCode::NO_CONTENT);
    let r = member.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = r.json()["rows"].as_array().unwrap().clone();
    assert!(!rows.is_empty() && rows.windows(2).all(|w| w[0]["hours"].as_f64() >= w[1]["hours"].as_f64()));
    assert!(member.get("/learn").await.text.contains(&format!("/orgs/{}/study/ranking", fx.b1.id)));
    assert!(member.get(&format!("/orgs/{}/study/ranking", fx.b1.id)).await.text.contains("学习排行"));
    // Outside the subtree it is not there at all; switched off, it is gone.
    assert_eq!(app.login("sec2").await.get(&path).await.status, StatusCode::NOT_FOUND);
    let r = sec.post_form(&format!("/orgs/{}/study/ranking", fx.b1.id), &[("on", "0")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(member.get(&path).await.json()["error"]["code"], "learn.ranking_off");
});

both!(exams_are_set_taken_and_reviewed_through_the_pages, |app| async move {
    let fx = app.fx.clone();
    let mut sec = app.login("sec1").await;
    let q = |kind: &str, stem: &str, options: Value, answer: &str| json!({"kind": kind, "stem": stem, "options": options, "answer": answer});
    let bank = json!({"questions": [
        q("single", "党的最高理想是？", json!(["实现共产主义", "发展经济"]), "A"),
        q("true_false", "预备期为一年。", json!([]), "true"),
        q("fill_in", "全心全意为人民____。", json!([]), "服务"),
    ]});
    assert_eq!(sec.post_json(&format!("/api/v1/orgs/{}/questions", fx.b1.id), bank).await.status, StatusCode::CREATED);
    let manage = sec.get(&format!("/orgs/{}/exams", fx.b1.id)).await;
    assert!(manage.text.contains("题库") && manage.text.contains("新建考试"), "{}", manage.text);
    // The form asks for more true-or-false questions than the bank holds: refused, named.
    let mut form = vec![
        ("title", "支部知识测试"),
        ("time_limit_minutes", "20"),
        ("max_attempts", "2"),
        ("pass_score", "6"),
        ("count_single", "1"),
        ("points_single", "4"),
        ("count_true_false", "2"),
        ("points_true_false", "3"),
        ("count_fill_in", "1"),
        ("points_fill_in", "3"),
    ];
    let r = sec.post_form(&format!("/orgs/{}/exams", fx.b1.id), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("题库只有 1 道"), "{}", r.text);
    // The form comes back as it was sent.
    assert!(
        r.text.contains("value=\"支部知识测试\"")
            && r.text.contains("name=\"count_true_false\" type=\"number\" min=\"0\" max=\"1\" value=\"2\""),
        "{}",
        r.text
    );
    form[6] = ("count_true_false", "1");
    assert_eq!(sec.post_form(&format!("/orgs/{}/exams", fx.b1.id), &form).await.status, StatusCode::SEE_OTHER);
    let exam = app.raw_text("SELECT CAST(id AS TEXT) FROM exams").await;
    // The member finds it, starts, answers and sees the review.
    let mut member = app.login("member1").await;
    assert!(member.get("/learn").await.text.contains(&format!("/exams/{exam}")));
    let r = member.post_form(&format!("/exams/{exam}/start"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let attempt = r.location().trim_start_matches("/attempts/").to_string();
    let paper = member.get(&format!("/attempts/{attempt}")).await;
    assert!(paper.text.contains("党的最高理想是？") && paper.text.contains("data-countdown"), "{}", paper.text);
    assert!(!paper.text.contains("正确答案"), "no answers before submission");
    let answers: Vec<(String, &str)> = app
        .store
        .question_bank(fx.b1.id)
        .await
        .unwrap()
        .iter()
        .map(|q| {
            let answer = match q.kind {
                ronghe_domain::exams::QuestionKind::Single => "A",
                ronghe_domain::exams::QuestionKind::TrueFalse => "false",
                _ => "服务",
            };
            (format!("q_{}", q.id), answer)
        })
        .collect();
    let pairs: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let r = member.post_form(&format!("/attempts/{attempt}/submit"), &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let review = member.get(&format!("/attempts/{attempt}")).await;
    assert!(review.text.contains("7 / 10") && review.text.contains("正确答案"), "{}", review.text);
    // The secretary's report counts it and drills down to the member.
    let report = sec.get(&format!("/api/v1/orgs/{}/study", fx.b1.id)).await.json();
    assert_eq!((report["exams"][0]["takers"].as_u64(), report["exams"][0]["passed"].as_u64()), (Some(1), Some(1)));
    let results = sec.get(&format!("/orgs/{}/exams/{exam}/results", fx.b1.id)).await;
    assert!(results.text.contains("7 / 10") && results.text.contains("合格"), "{}", results.text);
    let api = sec.get(&format!("/api/v1/orgs/{}/exams/{exam}/results", fx.b1.id)).await.json();
    assert_eq!(api["results"][0]["best"], 7);
    // One more who failed (best 4 of two) and one still at their paper: the
    // summary counts what the drill-down lists, in every subtree.
    let tenant = fx.root.tenant_id;
    for (member, no, score) in [(fx.m1b, 1, "3"), (fx.m1b, 2, "4"), (fx.mg, 1, "NULL")] {
        app.raw_exec(&format!(
            "INSERT INTO exam_attempts (tenant_id, exam_id, member_id, paper, started_at, score, total, attempt_no)
             VALUES ({tenant}, {exam}, {member}, '[]', 1, {score}, 10, {no})"
        ))
        .await
        .unwrap();
    }
    for (o, counts) in [(&fx.b1, (2, 1)), (&fx.g1, (0, 0))] {
        let summary = sec.get(&format!("/api/v1/orgs/{}/exams", o.id)).await.json();
        let results = app.store.exam_results(exam.parse().unwrap(), &o.path).await.unwrap();
        let takers = results.iter().filter(|r| r.best.is_some()).count() as u64;
        let passed = results.iter().filter(|r| r.best.is_some_and(|b| b >= 6)).count() as u64;
        let shown = (summary[0]["takers"].as_u64().unwrap(), summary[0]["passed"].as_u64().unwrap());
        assert_eq!(shown, (takers, passed), "{}", o.code);
        assert_eq!(shown, counts, "{}", o.code);
    }
    // A second exam with a lower pass score: each exam is counted against
    // its own (4 fails the first and passes this one), and the one nobody in
    // a subtree took shows nobody.
    let second = app
        .raw_text(&format!(
            "INSERT INTO exams (tenant_id, org_id, title, rules, time_limit_minutes, max_attempts, pass_score, created_at)
             VALUES ({tenant}, {}, '补考', '[]', 30, 2, 4, 1) RETURNING CAST(id AS TEXT)",
            fx.b1.id
        ))
        .await;
    app.raw_exec(&format!(
        "INSERT INTO exam_attempts (tenant_id, exam_id, member_id, paper, started_at, score, total, attempt_no)
         VALUES ({tenant}, {second}, {}, '[]', 1, 4, 10, 1)",
        fx.m1b
    ))
    .await
    .unwrap();
    let summary = sec.get(&format!("/api/v1/orgs/{}/exams", fx.b1.id)).await.json();
    let counts = |s: &serde_json::Value, id: &str| {
        let id: i64 = id.trim().parse().unwrap();
        let row = s.as_array().unwrap().iter().find(|e| e["exam"]["id"].as_i64() == Some(id)).unwrap().clone();
        (row["takers"].as_u64().unwrap(), row["passed"].as_u64().unwrap())
    };
    assert_eq!(counts(&summary, second.trim()), (1, 1));
    assert_eq!(counts(&summary, &exam), (2, 1));
    let summary = sec.get(&format!("/api/v1/orgs/{}/exams", fx.g1.id)).await.json();
    assert_eq!(counts(&summary, second.trim()), (0, 0));
    // Read again with nothing changed: from the node's cache (the study
    // figure version, which the attempts above moved).
    let before = crate::support::cache_hits(&mut sec, "exams").await;
    let manage = sec.get(&format!("/orgs/{}/exams", fx.b1.id)).await;
    assert_eq!(crate::support::cache_hits(&mut sec, "exams").await, before + 1);
    // Each count leads to the members it counts (the title and both numbers).
    let drill = format!("href=\"/orgs/{}/exams/{exam}/results\"", fx.b1.id);
    assert_eq!(manage.text.matches(&drill).count(), 3, "{}", manage.text);
    // Another unit's member sees neither the results, the exam nor the attempt.
    let mut other = app.login("sec2").await;
    for path in
        [format!("/orgs/{}/exams/{exam}/results", fx.b1.id), format!("/exams/{exam}"), format!("/attempts/{attempt}")]
    {
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(other.post_form(&format!("/exams/{exam}/start"), &[]).await.status, StatusCode::NOT_FOUND);
    // The same through the API: the exam, the attempt, its submission, the results.
    assert_eq!(
        other.post_json(&format!("/api/v1/exams/{exam}/attempts"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(&format!("/api/v1/attempts/{attempt}")).await.status, StatusCode::NOT_FOUND);
    let r = other.post_json(&format!("/api/v1/attempts/{attempt}/submit"), json!({"responses": {}})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = other.get(&format!("/api/v1/orgs/{}/exams/{exam}/results", fx.b1.id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An exam offered by a branch has no results at another unit, even for the group's administrator.
    let r = app.login("admin").await.get(&format!("/api/v1/orgs/{}/exams/{exam}/results", fx.u2.id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

both!(cached_study_reports_equal_a_fresh_computation_after_random_changes, |app| async move {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use ronghe_domain::members::Status;
    use ronghe_domain::org::{OfficerRole, OrgKind};
    use ronghe_store::{Actor, NewOrg};
    use ronghe_web::app::learning::{compute_report, report_at};

    let fx = app.fx.clone();
    let mut rng = StdRng::seed_from_u64(if app.backend == crate::support::Backend::Sqlite { 31 } else { 32 });
    let actor = Actor::system(fx.root.tenant_id, "test");
    app.store.create_org(&actor, &NewOrg::under(fx.u2.id, OrgKind::Branch, "S1", "学习缓存支部")).await.unwrap();
    let mut admin = app.login("admin").await;
    let mut lessons = vec![first_lesson(&app, course_at(&mut admin, fx.root.id, 2).await).await];
    // An exam offered by the root, whose attempts the steps below record.
    let bank =
        json!({"questions": [{"kind": "true_false", "stem": "预备期为一年。", "options": [], "answer": "true"}]});
    assert_eq!(
        admin.post_json(&format!("/api/v1/orgs/{}/questions", fx.root.id), bank).await.status,
        StatusCode::CREATED
    );
    let form = [
        ("title", "缓存测试"),
        ("time_limit_minutes", "20"),
        ("max_attempts", "3"),
        ("pass_score", "2"),
        ("count_true_false", "1"),
        ("points_true_false", "3"),
    ];
    let r = admin.post_form(&format!("/orgs/{}/exams", fx.root.id), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let exam = app.raw_text("SELECT CAST(MAX(id) AS TEXT) FROM exams").await;

    let caching = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
    let year = chrono::Datelike::year(&today());
    // The minute the reports are read at: it turns only when a step says so.
    let mut now_ms = chrono::Utc::now().timestamp_millis();
    let mut members: Vec<i64> = vec![fx.m1, fx.m1b, fx.m2, fx.mg];
    let mut n = 7000u32;
    let mut revision = 0;
    for step in 0..40 {
        let orgs = app.store.subtree_orgs(&fx.root.path).await.unwrap();
        let holders: Vec<_> = orgs.iter().filter(|o| o.kind.holds_members()).cloned().collect();
        // Read every subtree through the caching node before the change.
        let mut before = Vec::new();
        for o in &orgs {
            before.push(serde_json::to_value(&*report_at(&caching, o, year, now_ms).await.unwrap()).unwrap());
        }
        if step == 0 {
            // Read again with nothing changed: every report from the cache.
            let hits = caching.study.hits.load(std::sync::atomic::Ordering::Relaxed);
            for o in &orgs {
                report_at(&caching, o, year, now_ms).await.unwrap();
            }
            assert_eq!(caching.study.hits.load(std::sync::atomic::Ordering::Relaxed), hits + orgs.len() as u64);
        }
        let what = rng.gen_range(0..10);
        let mut online_only = false;
        match what {
            0 => {
                // Online study time: heartbeats write it, and the report
                // keeps its minute until the minute turns.
                let rows: Vec<_> = (0..3)
                    .map(|_| {
                        let m = members[rng.gen_range(0..members.len())];
                        (m, lessons[rng.gen_range(0..lessons.len())], today(), rng.gen_range(30..3000))
                    })
                    .collect();
                app.store.insert_study_time(fx.root.tenant_id, &rows).await.unwrap();
                online_only = true;
            }
            1 => {
                let o = &holders[rng.gen_range(0..holders.len())];
                let attendees: Vec<i64> = members.iter().copied().filter(|_| rng.gen_range(0..2) == 0).collect();
                let within = app.store.members_in(&o.path, &attendees).await.unwrap();
                let hours = rng.gen_range(1..400);
                app.store.record_training(&actor, o.id, "轮训", today(), hours, &within).await.unwrap();
            }
            2 => {
                // A required course somewhere in the tree.
                let o = &orgs[rng.gen_range(0..orgs.len())];
                let of = ["members", "officers"][rng.gen_range(0..2)];
                let body = json!({"title": format!("必修{step}"), "required_by": (today() + Duration::days(30)).to_string(),
                    "required_of": of, "lessons": [{"title": "一", "kind": "text", "body": "…", "minutes": rng.gen_range(1..3)}]});
                let r = admin.post_json(&format!("/api/v1/orgs/{}/courses", o.id), body).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                lessons.push(first_lesson(&app, r.json().as_i64().unwrap()).await);
            }
            3 => {
                let o = holders[rng.gen_range(0..holders.len())].id;
                let batch: Vec<_> = (0..2)
                    .map(|_| {
                        n += 1;
                        (o, crate::support::member_input("学习党员", n).validate(today()).unwrap())
                    })
                    .collect();
                members.extend(app.store.insert_members(&actor, &batch, "member.create").await.unwrap());
            }
            4 => {
                let id = members[rng.gen_range(0..members.len())];
                let status = [Status::Deceased, Status::Normal, Status::Left][rng.gen_range(0..3)];
                app.store.change_member_status(&actor, id, status, today(), "").await.unwrap();
            }
            5 => {
                // An office taken or given up.
                let o = holders.iter().find(|o| o.kind == OrgKind::Branch).unwrap();
                let current = app.store.officers(o.id).await.unwrap();
                match current.first().filter(|_| rng.gen_range(0..2) == 0) {
                    Some(f) => app.store.remove_officer(&actor, o.id, f.id).await.unwrap(),
                    None => {
                        let m = members[rng.gen_range(0..members.len())];
                        app.store.add_officer(&actor, o.id, m, OfficerRole::Organisation, (None, None)).await.unwrap();
                    }
                }
            }
            6 => {
                let o = orgs.iter().find(|o| o.kind == OrgKind::Branch && o.id != fx.b1.id).unwrap();
                let to = if o.path.starts_with(&fx.u1.path) { fx.u2.id } else { fx.u1.id };
                app.store.move_org(&actor, o.id, to).await.unwrap();
            }
            7 => {
                // An exam attempt submitted with a random score.
                let m = members[rng.gen_range(0..members.len())];
                let score = rng.gen_range(0..4);
                let now = chrono::Utc::now().timestamp_millis();
                app.raw_exec(&format!(
                    "INSERT INTO exam_attempts (tenant_id, exam_id, member_id, paper, started_at, submitted_at, score, total)
                     VALUES ({}, {exam}, {m}, '[]', {now}, {now}, {score}, 3)",
                    fx.root.tenant_id
                ))
                .await
                .unwrap();
            }
            8 => {
                let o = &orgs[rng.gen_range(0..orgs.len())];
                let on = app.store.rankings_on(&[o.id]).await.unwrap().is_empty();
                app.store.set_ranking(&actor, o.id, on).await.unwrap();
            }
            _ => {
                // A revised pack: the requirement rises.
                revision += 1;
                let text = ronghe_domain::learning::DEFAULT_LEARNING_PACK
                    .replace("version = \"2019.1\"", &format!("version = \"2019.{}\"", revision + 1))
                    .replace(
                        "effective_from = \"2019-05-06\"",
                        &format!("effective_from = \"2019-05-{:02}\"", revision + 6),
                    )
                    .replace("member_required = 32", &format!("member_required = {}", 32 + revision));
                app.store.load_rules(&actor, &text).await.unwrap();
            }
        }
        if online_only {
            // Within the minute, the node answers what it read before.
            for (o, was) in orgs.iter().zip(&before) {
                let got = serde_json::to_value(&*report_at(&caching, o, year, now_ms).await.unwrap()).unwrap();
                assert_eq!(&got, was, "step {step}: organisation {} within the minute", o.code);
            }
            now_ms += 60_000;
        }
        let fresh = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
        for o in &orgs {
            let o = app.store.org(o.id).await.unwrap();
            let got = serde_json::to_value(&*report_at(&caching, &o, year, now_ms).await.unwrap()).unwrap();
            let minute = now_ms.div_euclid(60_000) * 60_000;
            let want = serde_json::to_value(compute_report(&fresh, &o, year, today(), minute).await.unwrap()).unwrap();
            assert_eq!(got, want, "step {step} (change {what}), organisation {}", o.code);
        }
    }
});

both!(a_long_study_report_lists_its_members_a_page_at_a_time, |app| async move {
    let fx = app.fx.clone();
    let actor = ronghe_store::Actor::system(fx.root.tenant_id, "test");
    let batch: Vec<_> = (0..120)
        .map(|n| (fx.b1.id, crate::support::member_input("分页党员", 9000 + n).validate(today()).unwrap()))
        .collect();
    app.store.insert_members(&actor, &batch, "member.create").await.unwrap();
    let all = app.store.subtree_study(&fx.b1.path, today(), today()).await.unwrap().len();
    let mut sec = app.login("sec1").await;
    // The members a page lists, by their study links.
    let listed = |text: &str| -> Vec<String> {
        text.split("href=\"/members/")
            .filter_map(|rest| rest.split_once("/study?year=").map(|(id, _)| id.to_string()))
            .filter(|id| id.chars().all(|c| c.is_ascii_digit()))
            .collect()
    };
    let first = sec.get(&format!("/orgs/{}/study", fx.b1.id)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.text.contains(&format!("第 1–100 人，共 {all} 人")), "{}", first.text);
    assert!(first.text.contains("&amp;from=100\">下一页"), "{}", first.text);
    assert!(!first.text.contains("上一页"));
    let page1 = listed(&first.text);
    assert_eq!(page1.len(), 100);
    // An empty field is the first page.
    assert_eq!(listed(&sec.get(&format!("/orgs/{}/study?from=", fx.b1.id)).await.text), page1);
    // The second page holds the rest and leads back; a page past the end
    // shows the last one.
    for from in ["100", "9999"] {
        let second = sec.get(&format!("/orgs/{}/study?from={from}", fx.b1.id)).await;
        assert!(second.text.contains(&format!("第 101–{all} 人，共 {all} 人")), "{}", second.text);
        assert!(second.text.contains("&amp;from=0\">‹ 上一页") && !second.text.contains("下一页"), "{}", second.text);
        let page2 = listed(&second.text);
        assert_eq!(page2.len(), all - 100);
        let mut both: Vec<&String> = page1.iter().chain(&page2).collect();
        both.sort();
        both.dedup();
        assert_eq!(both.len(), all, "the pages list every member once");
    }
    // Every member is in the export.
    use calamine::Reader;
    let book = sec.get(&format!("/orgs/{}/study/export.xlsx", fx.b1.id)).await;
    assert_eq!(book.status, StatusCode::OK);
    let mut xlsx = calamine::Xlsx::new(std::io::Cursor::new(book.bytes.clone())).unwrap();
    let sheet = xlsx.worksheet_range_at(0).unwrap().unwrap();
    let listed = sheet.rows().filter(|r| r.iter().any(|c| c.to_string().starts_with("分页党员"))).count();
    assert_eq!(listed, 120);
});

both!(course_completions_read_by_study_equal_those_read_member_by_member, |app| async move {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use ronghe_domain::org::OfficerRole;

    let fx = app.fx.clone();
    let mut rng = StdRng::seed_from_u64(if app.backend == crate::support::Backend::Sqlite { 41 } else { 42 });
    let actor = ronghe_store::Actor::system(fx.root.tenant_id, "test");
    let mut admin = app.login("admin").await;
    let batch: Vec<_> = (0..30)
        .map(|n| {
            let org = [fx.b1.id, fx.b2.id, fx.g1.id][n % 3];
            (org, crate::support::member_input("完成党员", 9500 + n as u32).validate(today()).unwrap())
        })
        .collect();
    let mut members = app.store.insert_members(&actor, &batch, "member.create").await.unwrap();
    members.extend([fx.m1, fx.m1b, fx.m2, fx.mg]);
    app.store.add_officer(&actor, fx.b1.id, members[0], OfficerRole::Organisation, (None, None)).await.unwrap();
    app.store
        .change_member_status(&actor, members[1], ronghe_domain::members::Status::Left, today(), "")
        .await
        .unwrap();
    // Required courses of one to three lessons, of members or of officers,
    // offered at the root and at a unit.
    for (i, (org, of)) in [(fx.root.id, "members"), (fx.u1.id, "members"), (fx.root.id, "officers")].iter().enumerate()
    {
        let lessons: Vec<_> = (0..=i)
            .map(|k| json!({"title": format!("第{k}讲"), "kind": "text", "body": "…", "minutes": 1 + k}))
            .collect();
        let body = json!({"title": format!("必修{i}"), "required_by": (today() + Duration::days(9)).to_string(),
            "required_of": of, "lessons": lessons});
        let r = admin.post_json(&format!("/api/v1/orgs/{org}/courses"), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let lessons: Vec<(i64, i64)> = {
        let mut out = Vec::new();
        for c in app.store.courses_for(&fx.b1.path).await.unwrap() {
            for l in app.store.course_lessons(c.id).await.unwrap() {
                out.push((l.id, l.minutes));
            }
        }
        out
    };
    // Study time on several days, some of it short of a lesson's length.
    let mut rows = Vec::new();
    for &m in &members {
        for &(lesson, minutes) in &lessons {
            match rng.gen_range(0..4) {
                0 => {}
                1 => rows.push((m, lesson, today(), minutes * 60 - 1)),
                2 => rows.push((m, lesson, today(), minutes * 60)),
                _ => {
                    rows.push((m, lesson, today() - Duration::days(1), minutes * 30));
                    rows.push((m, lesson, today(), minutes * 30 + rng.gen_range(0..2)));
                }
            }
        }
    }
    app.store.insert_study_time(fx.root.tenant_id, &rows).await.unwrap();
    let (from, to) = (today() - Duration::days(365), today());
    let mut some = 0;
    for o in app.store.subtree_orgs(&fx.root.path).await.unwrap() {
        for c in app.store.courses_for(&o.path).await.unwrap() {
            let mut by_member = app.store.course_completions(&o.path, &c, from, to, false).await.unwrap();
            let mut by_study = app.store.course_completions(&o.path, &c, from, to, true).await.unwrap();
            by_member.sort();
            by_study.sort();
            assert_eq!(by_member, by_study, "course {} in {}", c.title, o.code);
            some += by_member.len();
        }
    }
    assert!(some > 0, "someone completed a course");
    // Past 5,000 members the root's report reads completions by study time
    // (the subtree holds all its tenant): the same members.
    // Identity numbers born in the 1980s (the fixture's join date needs adults).
    let crowd: Vec<_> = (0..5_000u32)
        .map(|k| 20_000 + k / 2_000 * 5_000 + k % 2_000)
        .map(|n| (fx.b2.id, crate::support::member_input("大支部党员", n).validate(today()).unwrap()))
        .collect();
    app.store.insert_members(&actor, &crowd, "member.create").await.unwrap();
    assert!(app.store.subtree_size(fx.root.id).await.unwrap() > 5_000);
    let report = app.store.required_completions(&fx.root.path, from, to).await.unwrap();
    assert_eq!(report.len(), 2, "the root offers two of the three courses");
    for (c, mut done) in report {
        let mut by_member = app.store.course_completions(&fx.root.path, &c, from, to, false).await.unwrap();
        by_member.sort();
        done.sort();
        assert_eq!(done, by_member, "course {} at the root", c.title);
    }
});
