//! The roster: adding with errors next to the field, search, pages,
//! editing with stale versions, status history, personal data at rest.

use axum::http::StatusCode;

use crate::both;
use crate::support::{as_pairs, member_form, member_input, Backend};

both!(a_bad_form_keeps_what_was_typed_and_says_what_is_wrong, |app| async move {
    let mut c = app.login("sec1").await;
    let mut input = member_input("钱七", 50);
    input.id_number = "11010519491231002".into(); // 17 characters
    input.join_date = "2030-01-01".into();
    input.post = "掘进工".into();
    let r =
        c.post_form(&format!("/orgs/{}/members", app.fx.b1.id), &as_pairs(&member_form(&input, app.fx.b1.id))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("身份证号码应为 18 位"), "{}", r.text);
    assert!(r.text.contains("日期不能晚于今天"));
    assert!(r.text.contains("value=\"钱七\""), "the name is kept");
    assert!(r.text.contains("value=\"掘进工\""), "the post is kept");
    // The error sits in the id_number field's block.
    let field = r.text.find("name=\"id_number\"").unwrap();
    let error = r.text.find("身份证号码应为 18 位").unwrap();
    assert!(error > field && error - field < 400, "the message is next to its field: {field} {error}");
    let page = app
        .store
        .list_members(&ronghe_store::MemberFilter {
            root_path: app.fx.b1.path.clone(),
            q: Some("钱七".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(page.rows.is_empty(), "nothing was written");
    // In English too.
    let r = c
        .send(
            axum::http::Request::post(format!("/orgs/{}/members", app.fx.b1.id))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", format!("{}; ronghe_lang=en", c.cookie.clone().unwrap()))
                .body(axum::body::Body::from(
                    as_pairs(&member_form(&input, app.fx.b1.id))
                        .iter()
                        .map(|(k, v)| format!("{k}={}", crate::support::urlencode(v)))
                        .chain([format!("_csrf={}", c.csrf)])
                        .collect::<Vec<_>>()
                        .join("&"),
                ))
                .unwrap(),
        )
        .await;
    assert!(r.text.contains("An ID number has 18 characters"), "{}", r.text);
});

both!(a_member_added_through_the_form_is_listed_and_found, |app| async move {
    let mut c = app.login("sec1").await;
    let input = member_input("欧阳明", 60);
    let r =
        c.post_form(&format!("/orgs/{}/members", app.fx.b1.id), &as_pairs(&member_form(&input, app.fx.g1.id))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = c.get(&format!("/orgs/{}/members", app.fx.b1.id)).await;
    assert!(page.text.contains("欧阳明"));
    // Search by a part of the name, and by pinyin initials.
    for q in ["欧阳", "oym"] {
        let r = c.get_htmx(&format!("/orgs/{}/members?q={}", app.fx.b1.id, crate::support::urlencode(q))).await;
        assert!(r.text.contains("欧阳明"), "{q}");
        assert!(!r.text.contains("张三"), "{q} filters");
        assert!(!r.text.contains("<html"), "htmx gets the rows only");
    }
    // Lists mask personal data.
    assert!(!page.text.contains(&input.id_number));
    assert!(page.text.contains("138****8000"));
});

both!(duplicate_id_numbers_are_refused_at_the_field, |app| async move {
    let mut c = app.login("admin").await;
    let input = member_input("重复", 1); // the fixture's 张三 has number 1
    let r =
        c.post_form(&format!("/orgs/{}/members", app.fx.b2.id), &as_pairs(&member_form(&input, app.fx.b2.id))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("该身份证号码的党员已在名册中"));
    let r = c.post_json(&format!("/api/v1/orgs/{}/members", app.fx.b2.id), serde_json::to_value(&input).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "id_number");
});

both!(members_are_enrolled_in_branches_or_groups_only, |app| async move {
    let mut c = app.login("admin").await;
    let r = c
        .post_json(
            &format!("/api/v1/orgs/{}/members", app.fx.u1.id),
            serde_json::to_value(member_input("委员会", 70)).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["code"], "member.org_not_branch");
});

both!(keyset_pages_cover_the_roster_once, |app| async move {
    let mut c = app.login("admin").await;
    for n in 0..57u32 {
        let name = format!("测试{n:02}");
        let r = c
            .post_json(
                &format!("/api/v1/orgs/{}/members", app.fx.b2.id),
                serde_json::to_value(member_input(&name, 200 + n)).unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = c.get(&format!("/api/v1/orgs/{}/members?limit=10&cursor={cursor}", app.fx.root.id)).await.json();
        for m in r["items"].as_array().unwrap() {
            seen.push(m["id"].as_i64().unwrap());
        }
        match r["next_cursor"].as_str() {
            Some(n) => cursor = n.to_string(),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 61, "57 new and the fixture's 4");
    assert_eq!(unique.len(), seen.len(), "no member twice");
    // Filters: category.
    let r = c.get(&format!("/api/v1/orgs/{}/members?category=probationary", app.fx.root.id)).await.json();
    assert_eq!(r["items"].as_array().unwrap().len(), 0);
});

both!(edits_refuse_a_stale_version_and_keep_history, |app| async move {
    let mut c = app.login("sec1").await;
    let m = c.get(&format!("/api/v1/members/{}", app.fx.m1)).await.json();
    let version = m["version"].as_i64().unwrap();
    let mut body = serde_json::to_value(member_input("张三丰", 1)).unwrap();
    body["version"] = version.into();
    let r = c.json(axum::http::Method::PUT, &format!("/api/v1/members/{}", app.fx.m1), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["name"], "张三丰");
    // The same old version again: someone saved in between.
    body["name"] = "张三".into();
    let r = c.json(axum::http::Method::PUT, &format!("/api/v1/members/{}", app.fx.m1), body).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(app.store.member(app.fx.m1).await.unwrap().row.name, "张三丰");

    // A status change is dated and kept.
    let r = c
        .post_form(
            &format!("/members/{}/status", app.fx.m1),
            &[("status", "lost_contact"), ("since", "2026-01-15"), ("reason", "外出务工")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let history = app.store.status_history(app.fx.m1).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].status.code(), "lost_contact");
    assert_eq!(history[1].since.to_string(), "2026-01-15");
    let page = c.get(&format!("/members/{}", app.fx.m1)).await;
    assert!(page.text.contains("外出务工") && page.text.contains("失去联系"));
    // A future date is refused.
    let r = c
        .post_form(
            &format!("/members/{}/status", app.fx.m1),
            &[("status", "normal"), ("since", "2099-01-01"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(personal_data_is_encrypted_at_rest_and_every_view_is_audited, |app| async move {
    let id = crate::support::id_number(1);
    let mut c = app.login("sec1").await;
    let before = app.store.audit_count(app.fx.root.tenant_id).await.unwrap();
    let r = c.post_json(&format!("/api/v1/members/{}/personal-data", app.fx.m1), serde_json::json!({})).await;
    assert_eq!(r.json()["id_number"], id);
    assert_eq!(r.json()["phone"], "13800138000");
    let log = app
        .store
        .audit_log(app.fx.root.tenant_id, &ronghe_store::AuditFilter { limit: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(log[0].action, "member.view_personal_data");
    assert_eq!(log[0].username, "sec1");
    assert_eq!(log[0].target_id, app.fx.m1.to_string());
    assert_eq!(app.store.audit_count(app.fx.root.tenant_id).await.unwrap(), before + 1);

    // Nothing in the members table holds the clear number.
    let clear = app
        .raw_text(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM members WHERE id_number_masked = '{id}' OR id_number_index = '{id}' OR name = '{id}'"
        ))
        .await;
    assert_eq!(clear, "0");
    if app.backend == Backend::Sqlite {
        // Nor does any byte of the database file.
        let path = app.raw_url.trim_start_matches("sqlite://").to_string();
        app.store.close().await;
        for suffix in ["", "-wal"] {
            let bytes = std::fs::read(format!("{path}{suffix}")).unwrap_or_default();
            assert!(!bytes.windows(id.len()).any(|w| w == id.as_bytes()), "clear ID number found in {path}{suffix}");
            assert!(!bytes.windows(11).any(|w| w == b"13800138000"), "clear phone found");
        }
    }
});

both!(large_subtrees_are_paged_through_the_pinyin_index, |app| async move {
    // More than 5,000 members switches the roster to its large-subtree plan.
    let actor = ronghe_store::Actor::system(app.fx.root.tenant_id, "test");
    let names = ["钱一", "孙二", "周三", "吴四", "郑五"];
    let batch: Vec<(i64, ronghe_domain::members::MemberDraft)> = (0..5_100u32)
        .map(|i| {
            let mut input = member_input(names[i as usize % names.len()], 10_000 + i);
            input.join_date = "2015-07-01".into();
            input.conversion_date = "2016-07-01".into();
            (app.fx.b2.id, input.validate(crate::support::today()).unwrap())
        })
        .collect();
    app.store.insert_members(&actor, &batch, "member.create").await.unwrap();
    let mut c = app.login("admin").await;
    let mut seen = std::collections::HashSet::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let r = c.get(&format!("/api/v1/orgs/{}/members?limit=500&cursor={cursor}", app.fx.root.id)).await.json();
        let items = r["items"].as_array().unwrap();
        let initials: Vec<&str> = items.iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert!(!initials.is_empty());
        for m in items {
            assert!(seen.insert(m["id"].as_i64().unwrap()), "no member twice");
        }
        pages += 1;
        match r["next_cursor"].as_str() {
            Some(n) => cursor = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5_104);
    assert_eq!(pages, 11);
    // Pinyin initials search on the large plan: 周三 is zs, like the fixture's 张三.
    let r = c.get(&format!("/api/v1/orgs/{}/members?q=zs&limit=500", app.fx.root.id)).await.json();
    assert_eq!(r["items"].as_array().unwrap().len(), 500);
    assert!(r["items"].as_array().unwrap().iter().all(|m| ["周三", "张三"].contains(&m["name"].as_str().unwrap())));
    // The small plan for a branch gives the same members as the large one.
    let b1 = c.get(&format!("/api/v1/orgs/{}/members", app.fx.b1.id)).await.json();
    assert_eq!(b1["items"].as_array().unwrap().len(), 3);
});

// On SQLite a roster page, a member's record and an organisation are each
// decoded by serde from the reader's rows (`rows::fetch_list!`), on
// PostgreSQL by SQLx: either way each keeps every value as written (awkward text,
// empty optional fields and all), and each line of the page equals the
// member read on their own.
both!(a_page_and_its_records_keep_every_value_as_written, |app| async move {
    let actor = ronghe_store::Actor::system(app.fx.root.tenant_id, "test");
    let awkward = ["引号\"与反斜杠\\", "<td>&amp;</td>", "😀 表情", "tab\tand 'single'", "末尾空格 "];
    for (i, text) in awkward.iter().enumerate() {
        let mut input = member_input(&format!("怪字{i}"), 900 + i as u32);
        input.post = (*text).into();
        input.unit = text.chars().rev().collect();
        if i % 2 == 0 {
            input.education = String::new();
            input.phone = String::new();
        }
        if i == 1 {
            input.category = "预备党员".into();
            input.conversion_date = String::new();
        }
        let d = input.validate(crate::support::today()).unwrap();
        let id = app.store.create_member(&actor, app.fx.b1.id, d.clone()).await.unwrap();
        let rec = app.store.member(id).await.unwrap();
        // As validation left them (it folds a tab into a space and trims).
        assert_eq!((&rec.row.name, &rec.row.post, &rec.row.unit), (&d.name, &d.post, &d.unit));
        assert_eq!((rec.row.birth_date, rec.row.join_date), (d.birth_date, d.join_date));
        assert_eq!((rec.row.category, rec.row.conversion_date), (d.category, d.conversion_date));
        assert_eq!(rec.row.education.0.is_none(), i % 2 == 0);
        assert_eq!(rec.row.phone_masked.is_none(), i % 2 == 0);
        assert_eq!((rec.org_path.as_str(), rec.tenant_id), (app.fx.b1.path.as_str(), app.fx.b1.tenant_id));
    }
    let b1 = app.store.org(app.fx.b1.id).await.unwrap();
    assert_eq!(serde_json::to_value(&b1).unwrap(), serde_json::to_value(&app.fx.b1).unwrap());
    let page = app
        .store
        .list_members(&ronghe_store::MemberFilter {
            root_path: app.fx.root.path.clone(),
            include_inactive: true,
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 4 + awkward.len(), "every member, on one page");
    let mut seen = Vec::new();
    for row in &page.rows {
        let alone = app.store.member(row.id).await.unwrap().row;
        assert_eq!(serde_json::to_value(row).unwrap(), serde_json::to_value(&alone).unwrap());
        seen.push((row.name_initials.clone(), row.id));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "in the roster's order");
    assert!(page.rows.iter().any(|r| r.post == awkward[0] && r.education.0.is_none() && r.phone_masked.is_none()));
    // The organisations a form offers, likewise.
    let picks = app
        .store
        .pick_orgs(
            &app.fx.root.path,
            &ronghe_store::OrgPick {
                kinds: &ronghe_domain::org::OrgKind::ALL,
                query: "",
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(picks.len() >= 6, "{picks:?}");
    for o in &picks {
        let alone = app.store.org(o.id).await.unwrap();
        assert_eq!(serde_json::to_value(o).unwrap(), serde_json::to_value(&alone).unwrap());
    }
    assert!(picks.windows(2).all(|w| w[0].path < w[1].path), "in tree order");
});

/// `member_name_chars` holds each character of each of the tenant's
/// members' names once, beside the member's name and initials, and nothing
/// else: every row names a character of its member's current name (the key
/// makes them distinct), and there are as many as the names have distinct
/// characters, counted from the roster.
async fn assert_name_chars_are_the_characters(app: &crate::support::TestApp) {
    let tenant = app.fx.root.tenant_id;
    let expected: usize = pages_of(app, &app.fx.root.path, "", 10_000, usize::MAX, true)
        .await
        .iter()
        .map(|r| r.name.chars().collect::<std::collections::HashSet<_>>().len())
        .sum();
    let counts = app
        .raw_text(&format!(
            "SELECT CAST((SELECT COUNT(*) FROM member_name_chars WHERE tenant_id = {tenant}) AS TEXT) || ' '
                 || CAST((SELECT COUNT(*) FROM member_name_chars c JOIN members m
                           ON m.id = c.member_id AND m.tenant_id = c.tenant_id
                          WHERE c.tenant_id = {tenant} AND c.name = m.name AND c.name_initials = m.name_initials
                            AND length(c.ch) = 1 AND m.name LIKE '%' || c.ch || '%') AS TEXT)"
        ))
        .await;
    assert_eq!(counts, format!("{expected} {expected}"), "rows, rows that are their member's characters");
}

/// Up to `pages` pages of `limit` listed members of the subtree at `path`
/// whose names hold `q` (every one when it is empty), following the cursor;
/// those who left too when `include_inactive`.
async fn pages_of(
    app: &crate::support::TestApp,
    path: &str,
    q: &str,
    limit: i64,
    pages: usize,
    include_inactive: bool,
) -> Vec<ronghe_store::MemberRow> {
    let mut rows = Vec::new();
    let mut after = None;
    for _ in 0..pages {
        let page = app
            .store
            .list_members(&ronghe_store::MemberFilter {
                root_path: path.to_string(),
                q: (!q.is_empty()).then(|| q.to_string()),
                after,
                limit,
                include_inactive,
                ..Default::default()
            })
            .await
            .unwrap();
        rows.extend(page.rows);
        after = page.next.as_deref().and_then(ronghe_store::decode_cursor);
        if after.is_none() {
            break;
        }
    }
    rows
}

// A search by part of a name in a large subtree walks the rows of its
// rarest character (`member_name_chars`) in the roster's order, or reads the
// subtree's members when it holds fewer than that walk would read; either
// way a page is what a scan of every name finds, in the roster's order,
// after renames and a delete.
both!(a_search_by_part_of_a_name_finds_what_a_scan_finds, |app| async move {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let actor = ronghe_store::Actor::system(app.fx.root.tenant_id, "test");
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "欧阳", "司马"];
    let given = ["小", "建", "国", "明", "红", "晓", "志", "华"];
    // Every name holds 明, so the tenant has more of its names than a
    // search counts; the other characters below have fewer. A third of
    // them make the unit a large subtree.
    let count = 20_400;
    assert!(i64::from(count) > ronghe_store::Store::NAME_CHARS_COUNTED * 3);
    let batch: Vec<(i64, ronghe_domain::members::MemberDraft)> = (0..count)
        .map(|i| {
            let s = surnames[rng.gen_range(0..surnames.len())];
            let g = given[rng.gen_range(0..given.len())];
            let name = if i % 2 == 0 { format!("{s}{g}明") } else { format!("{s}明{g}") };
            let mut input = member_input(&name, 10_000 + i);
            input.join_date = "2015-07-01".into();
            input.conversion_date = "2016-07-01".into();
            let org = if i % 3 == 0 { app.fx.g1.id } else { app.fx.b2.id };
            (org, input.validate(crate::support::today()).unwrap())
        })
        .collect();
    let versions = || async {
        let tenant = app.fx.root.tenant_id;
        let dues = app.store.figure_version(tenant, ronghe_store::Figures::Dues).await.unwrap();
        (dues, app.store.figure_version(tenant, ronghe_store::Figures::Study).await.unwrap())
    };
    let before = versions().await;
    // A bulk insert that fails on its last member (an identity number the
    // batch holds already) writes nothing; on SQLite the row that made the
    // per-member triggers stand aside went with it (migration 0031).
    let mut failing = batch[..ronghe_store::Store::BULK_ROWS].to_vec();
    failing.push(batch[0].clone());
    let refused = app.store.insert_members(&actor, &failing, "member.create").await;
    assert!(matches!(refused, Err(ronghe_store::StoreError::Conflict("conflict.id_number"))), "{refused:?}");
    assert_eq!(versions().await, before, "nothing written");
    let ids = app.store.insert_members(&actor, &batch, "member.create").await.unwrap();
    assert_name_chars_are_the_characters(&app).await;
    let after = versions().await;
    assert!(after.0 > before.0 && after.1 > before.1, "the dues and study figures moved: {before:?} → {after:?}");
    if app.backend == Backend::Sqlite {
        assert_eq!(app.raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM members_bulk_insert").await, "0");
    }
    // And a member added alone after them fires the triggers again.
    let mut single = member_input("单明", 10_000 + count);
    single.join_date = "2015-07-01".into();
    single.conversion_date = "2016-07-01".into();
    let single = single.validate(crate::support::today()).unwrap();
    app.store.insert_members(&actor, &[(app.fx.b2.id, single)], "member.create").await.unwrap();
    assert_name_chars_are_the_characters(&app).await;
    let alone = versions().await;
    assert!(alone.0 > after.0 && alone.1 > after.1, "one member moved them too: {after:?} → {alone:?}");
    // Renames, and one who left (not listed unless asked for).
    for (k, id) in ids.iter().step_by(997).enumerate() {
        let rec = app.store.member(*id).await.unwrap();
        let (clear_id, _) = app.store.reveal_member(&actor, *id).await.unwrap();
        // One with Latin letters: every plan matches them by case.
        let name = if k == 4 { "阿Anna·明".to_string() } else { format!("新名{}", ["甲", "乙", "丙"][k % 3]) };
        let mut input = member_input(&name, 0);
        input.id_number = clear_id;
        input.join_date = "2015-07-01".into();
        input.conversion_date = "2016-07-01".into();
        let draft = input.validate(crate::support::today()).unwrap();
        app.store.update_member(&actor, *id, rec.row.version, rec.row.org_id, &draft).await.unwrap();
    }
    app.store
        .change_member_status(&actor, ids[1], ronghe_domain::members::Status::Deceased, crate::support::today(), "")
        .await
        .unwrap();
    assert_name_chars_are_the_characters(&app).await;

    // The scan: every member of the tenant, in the roster's order; those
    // listed unless asked for.
    let every: Vec<_> = pages_of(&app, &app.fx.root.path, "", 10_000, usize::MAX, true)
        .await
        .into_iter()
        .map(|r| (r.name, r.id, r.org_id, r.status))
        .collect();
    let all: Vec<(String, i64, i64)> =
        every.iter().filter(|m| m.3.is_active()).map(|(name, id, org, _)| (name.clone(), *id, *org)).collect();
    assert_eq!(all.len(), count as usize + 4 + 1 - 1, "the fixture's four, the batch, one alone, less who died");
    assert!(app.store.subtree_size_hint(app.fx.u1.id).await.unwrap() > 5_000, "the unit is a large subtree");
    // How many of the tenant's names hold a character, as the search counts
    // them to choose its plan.
    let holding = |ch: char| every.iter().filter(|(name, ..)| name.contains(ch)).count() as i64;
    let cap = ronghe_store::Store::NAME_CHARS_COUNTED;
    assert!(holding('明') > cap, "明 is counted up to the cap");
    for needle in ["明", "小明", "欧阳", "司马明华", "明华", "新名", "新名乙", "三", "无此人", "阳小", "Anna·", "anna·"]
    {
        let (ch, counted) = app.store.rarest_name_char(app.fx.root.tenant_id, needle).await.unwrap();
        let fewest = needle.chars().map(holding).min().unwrap();
        assert_eq!(counted, fewest.min(cap + 1), "{needle}: its rarest character's names in the tenant");
        assert_eq!(holding(ch.chars().next().unwrap()).min(cap + 1), counted, "{needle}: {ch} is that character");
        let expected: Vec<i64> =
            all.iter().filter(|(name, _, _)| name.contains(needle)).map(|(_, id, _)| *id).collect();
        // Two pages of 50 through the cursor, and the whole list on one.
        let got: Vec<i64> =
            pages_of(&app, &app.fx.root.path, needle, 50, 2, false).await.iter().map(|r| r.id).collect();
        assert_eq!(got, expected.iter().take(100).copied().collect::<Vec<_>>(), "{needle}: the first pages");
        let whole = pages_of(&app, &app.fx.root.path, needle, 10_000, 1, false).await;
        let first: Vec<i64> = expected.iter().take(10_000).copied().collect();
        assert_eq!(whole.iter().map(|r| r.id).collect::<Vec<_>>(), first, "{needle}: every one, up to a page");
        // A large unit of the tenant (its branch and group hold a third of
        // the batch), through the plan its size and the string choose.
        let in_u1 = [app.fx.b1.id, app.fx.g1.id];
        let expected: Vec<i64> = all
            .iter()
            .filter(|(name, _, org)| name.contains(needle) && in_u1.contains(org))
            .map(|(_, id, _)| *id)
            .collect();
        let page = pages_of(&app, &app.fx.u1.path, needle, 100, 1, false).await;
        let first: Vec<i64> = expected.iter().take(100).copied().collect();
        assert_eq!(page.iter().map(|r| r.id).collect::<Vec<_>>(), first, "{needle}: a unit's");
        // The unit's whole list on one page: a walk would read more than
        // the unit has members for a common character, so it is read whole.
        let whole = pages_of(&app, &app.fx.u1.path, needle, 10_000, 1, false).await;
        assert_eq!(whole.iter().map(|r| r.id).collect::<Vec<_>>(), expected, "{needle}: every one of a unit's");
        // And through the cursor, 3,000 a page.
        let paged = pages_of(&app, &app.fx.u1.path, needle, 3_000, usize::MAX, false).await;
        assert_eq!(paged.iter().map(|r| r.id).collect::<Vec<_>>(), expected, "{needle}: a unit's, page by page");
    }
    // A member deleted by hand takes their names' rows with them.
    let gone = ids[2];
    for sql in [
        format!("DELETE FROM member_status_history WHERE member_id = {gone}"),
        format!("DELETE FROM members WHERE id = {gone}"),
    ] {
        app.raw_exec(&sql).await.unwrap();
    }
    assert_name_chars_are_the_characters(&app).await;
    let found: Vec<i64> =
        pages_of(&app, &app.fx.root.path, "明", 10_000, usize::MAX, true).await.iter().map(|r| r.id).collect();
    assert!(!found.contains(&gone) && found.contains(&ids[3]), "the deleted member is not found, the next one is");
});
