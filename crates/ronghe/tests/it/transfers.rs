//! Transfers of membership through the API: within the group, out of it
//! and into it; who may take each action; letters that expire and are
//! issued again; the roster and roll-ups changing only on receipt; and the
//! alert for members out of contact long enough to be suspended.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use ronghe_domain::members::Status;
use ronghe_store::Actor;
use serde_json::{json, Value};

use crate::both;
use crate::support::{id_number, member_input, today, Client, Resp};

fn day(offset: i64) -> NaiveDate {
    today() + Duration::days(offset)
}

async fn act(c: &mut Client, id: i64, action: &str, on: NaiveDate, extra: Value) -> Resp {
    let mut body = json!({"action": action, "on": on.to_string()});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    c.post_json(&format!("/api/v1/transfers/{id}/actions"), body).await
}

async fn ok(c: &mut Client, id: i64, action: &str, on: NaiveDate, extra: Value) -> Value {
    let r = act(c, id, action, on, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{action} on {on}: {}", r.text);
    r.json()
}

fn code(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    r.json()["error"]["code"].as_str().unwrap_or_default().to_string()
}

both!(a_member_moves_within_the_group_only_when_received, |app| async move {
    let fx = app.fx.clone();
    let mut sec1 = app.login("sec1").await;
    let mut sec2 = app.login("sec2").await;
    let mut admin = app.login("admin").await;
    let r = sec1
        .post_json(
            &format!("/api/v1/members/{}/transfers", fx.m1),
            json!({"kind": "internal", "to_org_code": "B2", "reason": "工作调动", "on": day(-10).to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let t = r.json();
    let id = t["transfer"]["id"].as_i64().unwrap();
    assert_eq!(t["transfer"]["state"], "requested");
    // A second transfer of the same member waits for this one.
    let r = sec1
        .post_json(&format!("/api/v1/members/{}/transfers", fx.m1), json!({"kind": "outbound", "to_name": "外单位"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Approval and the letter are the committee above the branch's.
    assert_eq!(act(&mut sec1, id, "approve", day(-9), json!({})).await.status, StatusCode::FORBIDDEN);
    ok(&mut admin, id, "approve", day(-9), json!({})).await;
    let r = act(&mut admin, id, "issue_letter", day(-8), json!({"valid_days": 91})).await;
    assert_eq!(code(&r), "transfer.validity_out_of_range");
    let t = ok(&mut admin, id, "issue_letter", day(-8), json!({"valid_days": 30})).await;
    let year = chrono::Datelike::year(&day(-8));
    assert_eq!(t["transfer"]["letter_number"], format!("{year}-0001"));
    assert_eq!(t["letter_expires"], (day(-8) + Duration::days(29)).to_string());
    // Still the old branch's member until the new one receives.
    let before_b1 = app.store.rollup(fx.b1.id).await.unwrap().total();
    let before_b2 = app.store.rollup(fx.b2.id).await.unwrap().total();
    assert_eq!(app.store.member(fx.m1).await.unwrap().row.org_id, fx.b1.id);
    assert_eq!(act(&mut sec1, id, "receive", day(-5), json!({})).await.status, StatusCode::FORBIDDEN);
    ok(&mut sec2, id, "receive", day(-5), json!({})).await;
    assert_eq!(app.store.member(fx.m1).await.unwrap().row.org_id, fx.b2.id);
    assert_eq!(app.store.rollup(fx.b1.id).await.unwrap().total(), before_b1 - 1);
    assert_eq!(app.store.rollup(fx.b2.id).await.unwrap().total(), before_b2 + 1);
    let t = ok(&mut sec2, id, "report", day(-4), json!({})).await;
    assert_eq!(t["transfer"]["state"], "reported");
    assert!(t["next"].as_array().unwrap().is_empty());
    let actions: Vec<&str> = t["events"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["request", "approve", "issue_letter", "receive", "report"]);
    // The printed letter names both ends and the number.
    let letter = admin.get(&format!("/transfers/{id}/letter")).await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.text.contains(&format!("{year}-0001")) && letter.text.contains("运行一值党支部"), "{}", letter.text);
});

both!(an_expired_letter_is_refused_and_issued_again, |app| async move {
    let fx = app.fx.clone();
    let mut sec1 = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    let r = sec1
        .post_json(
            &format!("/api/v1/members/{}/transfers", fx.m1b),
            json!({"kind": "internal", "to_org_id": fx.b2.id, "on": day(-50).to_string()}),
        )
        .await;
    let id = r.json()["transfer"]["id"].as_i64().unwrap();
    ok(&mut admin, id, "approve", day(-45), json!({})).await;
    ok(&mut admin, id, "issue_letter", day(-40), json!({"valid_days": 30})).await;
    let expires = day(-40) + Duration::days(29);
    // Actions cannot go back before the last one.
    assert_eq!(code(&act(&mut admin, id, "receive", day(-41), json!({})).await), "transfer.before_last");
    let r = act(&mut admin, id, "receive", day(0), json!({})).await;
    assert_eq!(code(&r), "transfer.letter_expired");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains(&expires.to_string()), "{}", r.text);
    // The subtree's list warns of it.
    let o = sec1.get(&format!("/api/v1/orgs/{}/transfers", fx.u1.id)).await;
    assert_eq!(o.status, StatusCode::NOT_FOUND, "a branch secretary reads their own subtree only");
    let o = admin.get(&format!("/api/v1/orgs/{}/transfers", fx.b1.id)).await.json();
    let listed = o["transfers"].as_array().unwrap().iter().find(|t| t["transfer"]["id"] == id).unwrap().clone();
    assert_eq!(listed["warnings"][0]["key"], "transfer.warn_expired", "{listed}");
    assert_eq!(o["warnings"], 1);
    // A new letter, a new number; then it is received.
    let t = ok(&mut admin, id, "issue_letter", day(-1), json!({})).await;
    assert!(t["transfer"]["letter_number"].as_str().unwrap().ends_with("-0002"), "{t}");
    ok(&mut admin, id, "receive", day(0), json!({})).await;
});

both!(a_member_leaves_the_group_when_the_receipt_comes_back, |app| async move {
    let fx = app.fx.clone();
    let mut sec1 = app.login("sec1").await;
    let mut admin = app.login("admin").await;
    let r = sec1
        .post_json(
            &format!("/api/v1/members/{}/transfers", fx.mg),
            json!({"kind": "outbound", "to_name": "某市机关工委某局机关党支部", "reason": "调离本企业"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["transfer"]["id"].as_i64().unwrap();
    let before = app.store.rollup(fx.b1.id).await.unwrap().total();
    ok(&mut admin, id, "approve", day(0), json!({})).await;
    ok(&mut admin, id, "issue_letter", day(0), json!({})).await;
    assert_eq!(app.store.member(fx.mg).await.unwrap().row.status, Status::Normal);
    // The sending branch records the receipt: the member is transferred out.
    ok(&mut sec1, id, "receive", day(0), json!({})).await;
    let m = app.store.member(fx.mg).await.unwrap();
    assert_eq!(m.row.status, Status::TransferredOut);
    assert_eq!(app.store.rollup(fx.b1.id).await.unwrap().total(), before - 1);
    let history = app.store.status_history(fx.mg).await.unwrap();
    assert_eq!(history.last().map(|h| h.status), Some(Status::TransferredOut));
    // Nothing follows; reporting is the other organisation's business.
    assert_eq!(code(&act(&mut sec1, id, "report", day(0), json!({})).await), "transfer.not_now");
    // A member no longer in good standing cannot be transferred again.
    let r = sec1
        .post_json(&format!("/api/v1/members/{}/transfers", fx.mg), json!({"kind": "outbound", "to_name": "x"}))
        .await;
    assert_eq!(code(&r), "transfer.member_not_active");
});

both!(a_member_joins_from_outside_with_a_checked_record, |app| async move {
    let fx = app.fx.clone();
    let mut sec2 = app.login("sec2").await;
    let body = json!({"person_name": "钱七", "from_name": "某县委组织部", "letter_number": "县组转〔2026〕12号",
        "letter_issued_on": day(-3).to_string(), "letter_valid_days": 30});
    let r = sec2.post_json(&format!("/api/v1/orgs/{}/transfers/inbound", fx.b2.id), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let t = r.json();
    let id = t["transfer"]["id"].as_i64().unwrap();
    assert_eq!(t["transfer"]["state"], "letter_issued");
    let before = app.store.rollup(fx.b2.id).await.unwrap().total();
    // Receiving needs the member's record, checked like any other.
    assert_eq!(act(&mut sec2, id, "receive", day(0), json!({})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut dup = serde_json::to_value(member_input("钱七", 1)).unwrap();
    dup["id_number"] = json!(id_number(1));
    let r = act(&mut sec2, id, "receive", day(0), json!({"member": dup})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "id_number");
    let member = serde_json::to_value(member_input("钱七", 321)).unwrap();
    let t = ok(&mut sec2, id, "receive", day(0), json!({"member": member})).await;
    let m = t["transfer"]["member_id"].as_i64().unwrap();
    assert_eq!(app.store.member(m).await.unwrap().row.org_id, fx.b2.id);
    assert_eq!(app.store.rollup(fx.b2.id).await.unwrap().total(), before + 1);
    ok(&mut sec2, id, "report", day(0), json!({})).await;
    // Registering letters is the receiving branch's: not another's.
    let mut sec1 = app.login("sec1").await;
    let r = sec1
        .post_json(
            &format!("/api/v1/orgs/{}/transfers/inbound", fx.b2.id),
            json!({"person_name": "x", "from_name": "y", "letter_number": "1", "letter_issued_on": day(0).to_string(), "letter_valid_days": 30}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Missing letter details are named.
    let r = sec2.post_json(&format!("/api/v1/orgs/{}/transfers/inbound", fx.b2.id), json!({"person_name": "x"})).await;
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"from_name".into()) && fields.contains(&"letter_number".into()), "{fields:?}");
});

both!(a_request_names_what_is_wrong_and_can_be_withdrawn, |app| async move {
    let fx = app.fx.clone();
    let mut sec1 = app.login("sec1").await;
    let path = format!("/api/v1/members/{}/transfers", fx.m1);
    let r = sec1.post_json(&path, json!({"kind": "internal", "to_org_code": "NOPE"})).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "to_org_code");
    let r = sec1.post_json(&path, json!({"kind": "internal", "to_org_code": "B1"})).await;
    assert!(r.json()["error"]["fields"][0]["message"].as_str().unwrap().contains("现在所在的组织"), "{}", r.text);
    let r = sec1.post_json(&path, json!({"kind": "internal", "to_org_code": "U2"})).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "to_org_code", "{}", r.text);
    assert!(r.text.contains("党支部或党小组"), "{}", r.text);
    let r = sec1.post_json(&path, json!({"kind": "outbound"})).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "to_name");
    let r = sec1.post_json(&path, json!({"kind": "internal", "to_org_code": "B2"})).await;
    let id = r.json()["transfer"]["id"].as_i64().unwrap();
    assert_eq!(code(&act(&mut sec1, id, "cancel", day(0), json!({})).await), "transfer.reason_required");
    let t = ok(&mut sec1, id, "cancel", day(0), json!({"note": "本人不再调动"})).await;
    assert_eq!(t["transfer"]["state"], "cancelled");
    // Withdrawn: a new request may be made.
    let r = sec1.post_json(&path, json!({"kind": "internal", "to_org_code": "B2"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Readers: both ends' rosters and the member; not others.
    let id = r.json()["transfer"]["id"].as_i64().unwrap();
    for (user, status) in [("sec2", 200), ("committee1", 200), ("member1", 200), ("auditor", 404)] {
        let got = app.login(user).await.get(&format!("/api/v1/transfers/{id}")).await.status;
        assert_eq!(got.as_u16(), status, "{user}");
    }
});

both!(members_out_of_contact_for_six_months_are_flagged_for_suspension, |app| async move {
    let fx = app.fx.clone();
    let actor = Actor::system(fx.root.tenant_id, "test");
    app.store.change_member_status(&actor, fx.m2, Status::LostContact, day(-200), "外出务工").await.unwrap();
    app.store.change_member_status(&actor, fx.mg, Status::LostContact, day(-30), "外出务工").await.unwrap();
    let mut admin = app.login("admin").await;
    let o = admin.get(&format!("/api/v1/orgs/{}/transfers", fx.root.id)).await.json();
    let flagged: Vec<i64> =
        o["lost_contact"].as_array().unwrap().iter().map(|l| l["member_id"].as_i64().unwrap()).collect();
    assert_eq!(flagged, [fx.m2], "{o}");
    let due = (day(-200)).checked_add_months(chrono::Months::new(6)).unwrap();
    assert_eq!(o["lost_contact"][0]["suspension_due"], due.to_string());
    assert!(o["lost_contact_rule"].as_str().unwrap().contains("党员教育管理工作条例"));
    let page = admin.get(&format!("/orgs/{}/transfers", fx.root.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("王五"), "{}", page.text);
});

both!(members_away_longer_than_six_months_are_due_a_transfer, |app| async move {
    let fx = app.fx.clone();
    let mut sec1 = app.login("sec1").await;
    let path = format!("/api/v1/members/{}/away", fx.m1);
    // Where is required; coming back before leaving is named.
    let r = sec1.post_json(&path, json!({"left_on": day(-10).to_string()})).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "place");
    let r = sec1
        .post_json(&path, json!({"left_on": day(-10).to_string(), "expected_back": day(-20).to_string(), "place": "x"}))
        .await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "expected_back");
    let left = day(-200);
    let r = sec1
        .post_json(
            &path,
            json!({"left_on": left.to_string(), "place": "广东省深圳市", "work": "电工", "contact": "13800000000", "certificate": "流动证 001"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let away = r.json()[0]["id"].as_i64().unwrap();
    // One stay at a time.
    let r = sec1.post_json(&path, json!({"left_on": day(-5).to_string(), "place": "y"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let b2 = sec1
        .post_json(
            &format!("/api/v1/members/{}/away", fx.m1b),
            json!({"left_on": day(-30).to_string(), "place": "郑州"}),
        )
        .await;
    assert_eq!(b2.status, StatusCode::CREATED, "{}", b2.text);
    // Away more than six months: the transfer is due from six months on.
    let o = sec1.get(&format!("/api/v1/orgs/{}/transfers", fx.b1.id)).await.json();
    let listed: Vec<(i64, Option<String>)> = o["away"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["member_id"].as_i64().unwrap(), a["transfer_due"].as_str().map(str::to_string)))
        .collect();
    let due = left.checked_add_months(chrono::Months::new(6)).unwrap().to_string();
    assert_eq!(listed, [(fx.m1, Some(due)), (fx.m1b, None)], "{o}");
    // Back home: off the list.
    let r = sec1
        .post_json(&format!("/api/v1/members/{}/away/{away}/return", fx.m1), json!({"on": day(-1).to_string()}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()[0]["returned_on"], day(-1).to_string());
    let o = sec1.get(&format!("/api/v1/orgs/{}/transfers", fx.b1.id)).await.json();
    assert_eq!(o["away"].as_array().unwrap().len(), 1);
    let r = sec1.post_json(&format!("/api/v1/members/{}/away/{away}/return", fx.m1), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "already back");
    // Another branch's secretary may not record it.
    let r = app.login("sec2").await.post_json(&path, json!({"left_on": day(-5).to_string(), "place": "z"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = sec1.get(&format!("/members/{}/transfers", fx.m1)).await;
    assert!(page.text.contains("广东省深圳市"), "{}", page.text);
});

// The subtree's list (read through the reader on SQLite, decoded by serde;
// by SQLx on PostgreSQL) puts transfers under way first, then the rest
// newest first, and each row is the one the member's own list holds and
// the one read alone (by SQLx on both backends).
both!(a_subtree_lists_transfers_under_way_first, |app| async move {
    let fx = app.fx.clone();
    let mut sec1 = app.login("sec1").await;
    let mut sec2 = app.login("sec2").await;
    let request = |who: i64, to: &str| {
        (
            format!("/api/v1/members/{who}/transfers"),
            json!({"kind": "internal", "to_org_code": to, "reason": "工作调动", "on": day(-3).to_string()}),
        )
    };
    let (path, body) = request(fx.m1, "B2");
    let open = sec1.post_json(&path, body).await.json()["transfer"]["id"].as_i64().unwrap();
    let (path, body) = request(fx.m2, "B1");
    let ended = sec2.post_json(&path, body).await.json()["transfer"]["id"].as_i64().unwrap();
    assert!(ended > open);
    ok(&mut sec2, ended, "cancel", day(0), json!({"note": "本人不再调动"})).await;
    let rows = app.store.subtree_transfers(&fx.root.path, day(-365)).await.unwrap();
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    assert_eq!(ids, [open, ended], "under way first, whatever the ids");
    for (row, member) in rows.iter().zip([fx.m1, fx.m2]) {
        let own = app.store.member_transfers(member).await.unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(serde_json::to_value(row).unwrap(), serde_json::to_value(&own[0]).unwrap());
        let alone = app.store.transfer(row.id).await.unwrap();
        assert_eq!(serde_json::to_value(row).unwrap(), serde_json::to_value(&alone).unwrap());
    }
    assert_eq!(rows[1].state, "cancelled");
    assert_eq!(rows[0].to_path.as_deref(), Some(fx.b2.path.as_str()));
    assert_eq!(rows[1].letter_number, None);
});
