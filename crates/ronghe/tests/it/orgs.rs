//! The organisation tree and page: rules that fail, forms, moves.

use axum::http::StatusCode;

use crate::both;
use crate::support::member_input;

/// The new-organisation form: kind, code, name, unit, established, term start, term end.
fn org_form(v: [&str; 7]) -> Vec<(&str, &str)> {
    ["kind", "code", "name", "unit_name", "established_on", "term_start", "term_end"].into_iter().zip(v).collect()
}

both!(the_org_page_shows_the_rules_that_fail_with_their_sources, |app| async move {
    let mut c = app.login("admin").await;
    // b2 has one full member and no secretary.
    let page = c.get(&format!("/orgs/{}", app.fx.b2.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("正式党员 1 名，少于 3 名"), "{}", page.text);
    assert!(page.text.contains("未配备书记"));
    assert!(page.text.contains("中国共产党支部工作条例"));
    let api = c.get(&format!("/api/v1/orgs/{}", app.fx.b2.id)).await.json();
    let rules: Vec<&str> = api["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, vec!["rule.branch_too_few_full", "rule.no_secretary"]);
    // Adding two members fixes the first; it is computed, not stored.
    for n in [300, 301] {
        let r = c
            .post_json(
                &format!("/api/v1/orgs/{}/members", app.fx.b2.id),
                serde_json::to_value(member_input("补充", n)).unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let api = c.get(&format!("/api/v1/orgs/{}", app.fx.b2.id)).await.json();
    assert_eq!(api["full_members"], 3);
    let rules: Vec<&str> = api["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, vec!["rule.no_secretary"]);
});

both!(a_term_ending_soon_is_warned, |app| async move {
    let mut c = app.login("admin").await;
    let end = (crate::support::today() + chrono::Duration::days(30)).to_string();
    let start = (crate::support::today() - chrono::Duration::days(1000)).to_string();
    let r = c
        .post_form(
            &format!("/orgs/{}/edit", app.fx.b1.id),
            &[
                ("code", "B1"),
                ("name", "综采一队党支部"),
                ("unit_name", "一矿"),
                ("established_on", "2000-01-01"),
                ("term_start", &start),
                ("term_end", &end),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let api = c.get(&format!("/api/v1/orgs/{}", app.fx.b1.id)).await.json();
    let f = &api["findings"][0];
    assert_eq!(f["rule"], "rule.term_ending");
    assert_eq!(f["severity"], "warning");
    assert!(f["message"].as_str().unwrap().contains("30"));
});

both!(the_term_end_defaults_from_the_rule_pack, |app| async move {
    let mut c = app.login("admin").await;
    let r = c
        .post_form(
            &format!("/orgs/{}/children", app.fx.u1.id),
            &org_form(["branch", "NEW-1", "通风队党支部", "一矿", "2020/3/5", "2025年1月10日", ""]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let org = app.store.org(id).await.unwrap();
    assert_eq!(org.term_end.unwrap().to_string(), "2028-01-10", "branch terms are three years");
    assert_eq!(org.established_on.unwrap().to_string(), "2020-03-05");
    assert_eq!(org.path, format!("{}{id}/", app.fx.u1.path));
});

both!(org_forms_report_errors_at_the_field, |app| async move {
    let mut c = app.login("admin").await;
    let r = c
        .post_form(
            &format!("/orgs/{}/children", app.fx.u1.id),
            &org_form(["branch", "一矿", "", "", "yesterday", "", ""]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("组织代码只能包含字母"));
    assert!(r.text.contains("日期无法识别"));
    assert!(r.text.contains("value=\"yesterday\""));
    // A code in use.
    let r = c
        .post_form(&format!("/orgs/{}/children", app.fx.u1.id), &org_form(["branch", "B2", "重名", "", "", "", ""]))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("该组织代码已被使用"));
    // A group cannot sit under a committee.
    let r = c
        .post_form(&format!("/orgs/{}/children", app.fx.u1.id), &org_form(["group", "GX", "小组", "", "", "", ""]))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(moving_a_subtree_moves_its_members_and_scopes, |app| async move {
    let f = app.fx.clone();
    let mut committee = app.login("committee1").await;
    assert_eq!(committee.get(&format!("/api/v1/orgs/{}", f.g1.id)).await.status, StatusCode::OK);
    // The branch secretary's bindings are cached by this node before the move.
    let mut sec = app.login("sec1").await;
    assert_eq!(sec.get(&format!("/api/v1/orgs/{}/members", f.b1.id)).await.status, StatusCode::OK);
    let mut admin = app.login("admin").await;
    let before_u1 = admin.get(&format!("/api/v1/orgs/{}", f.u1.id)).await.json();
    assert_eq!(before_u1["full_members"], 3);
    let r = admin.post_form(&format!("/orgs/{}/move", f.b1.id), &[("parent_id", &f.u2.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let g1 = app.store.org(f.g1.id).await.unwrap();
    assert_eq!(g1.path, format!("{}{}/{}/", f.u2.path, f.b1.id, f.g1.id));
    assert_eq!(g1.depth, 3);
    // Counts follow the records.
    assert_eq!(admin.get(&format!("/api/v1/orgs/{}", f.u1.id)).await.json()["full_members"], 0);
    assert_eq!(admin.get(&format!("/api/v1/orgs/{}", f.u2.id)).await.json()["full_members"], 4);
    // The old unit's committee no longer sees it; the branch secretary still
    // does, at the branch's new path (their cached bindings were refreshed).
    assert_eq!(committee.get(&format!("/api/v1/orgs/{}", f.g1.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sec.get(&format!("/api/v1/orgs/{}/members", f.b1.id)).await.status, StatusCode::OK);
    assert_eq!(sec.get(&format!("/api/v1/orgs/{}", f.g1.id)).await.status, StatusCode::OK);
});

both!(the_tree_loads_children_lazily, |app| async move {
    let mut c = app.login("admin").await;
    let page = c.get("/orgs").await;
    assert!(page.text.contains("测试集团党委"));
    let r = c.get_htmx(&format!("/orgs/{}/tree", app.fx.root.id)).await;
    assert!(r.text.contains("一矿党委") && r.text.contains("电厂党委"));
    assert!(!r.text.contains("<html"));
    // A member's tree holds their own branch only.
    let mut m = app.login("member1").await;
    let page = m.get("/orgs").await;
    assert!(page.text.contains("综采一队党支部"));
    let r = m.get_htmx(&format!("/orgs/{}/tree", app.fx.root.id)).await;
    assert!(r.text.contains("一矿党委") && !r.text.contains("电厂党委"), "{}", r.text);
});

both!(officers_are_appointed_from_the_members, |app| async move {
    let mut c = app.login("admin").await;
    let r = c
        .post_form(
            &format!("/orgs/{}/officers", app.fx.b2.id),
            &[("member_id", &app.fx.m2.to_string()), ("role", "secretary"), ("term_start", ""), ("term_end", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let api = c.get(&format!("/api/v1/orgs/{}", app.fx.b2.id)).await.json();
    let rules: Vec<&str> = api["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"rule.no_secretary"));
    // A committee's form takes a name, found in its subtree.
    let u1 = app.fx.u1.id;
    let r = c
        .post_form(
            &format!("/orgs/{u1}/officers"),
            &[("member_name", "张三"), ("role", "secretary"), ("term_start", ""), ("term_end", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.officers(u1).await.unwrap()[0].member_id, app.fx.m1);
    let r = c
        .post_form(
            &format!("/orgs/{u1}/officers"),
            &[("member_name", "王五"), ("role", "member"), ("term_start", ""), ("term_end", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "王五 is in the other unit");
    // Someone from another branch cannot be appointed.
    let r = c
        .post_form(
            &format!("/orgs/{}/officers", app.fx.b2.id),
            &[("member_id", &app.fx.m1.to_string()), ("role", "youth"), ("term_start", ""), ("term_end", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});

both!(a_revised_rule_pack_takes_effect_from_its_date, |app| async move {
    let mut c = app.login("admin").await;
    let rules = |v: &serde_json::Value| -> Vec<String> {
        v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
    };
    assert!(rules(&c.get(&format!("/api/v1/orgs/{}", app.fx.b1.id)).await.json()).is_empty());
    let actor = ronghe_store::Actor::system(app.fx.root.tenant_id, "test");
    let shipped = ronghe_domain::org::rules_default_text();
    // A pack that starts tomorrow changes nothing today.
    let tomorrow = (crate::support::today() + chrono::Duration::days(1)).to_string();
    let future = shipped
        .replace("version = \"2018.1\"", "version = \"future\"")
        .replace("effective_from = \"2018-10-28\"", &format!("effective_from = \"{tomorrow}\""))
        .replace("min_full_members = 3", "min_full_members = 9");
    app.store.load_org_rules(&actor, &future).await.unwrap();
    assert!(rules(&c.get(&format!("/api/v1/orgs/{}", app.fx.b1.id)).await.json()).is_empty());
    // One in force from yesterday applies at once, with its own numbers.
    let yesterday = (crate::support::today() - chrono::Duration::days(1)).to_string();
    let revised = shipped
        .replace("version = \"2018.1\"", "version = \"local-2026\"")
        .replace("effective_from = \"2018-10-28\"", &format!("effective_from = \"{yesterday}\""))
        .replace("min_full_members = 3", "min_full_members = 4");
    app.store.load_org_rules(&actor, &revised).await.unwrap();
    let v = c.get(&format!("/api/v1/orgs/{}", app.fx.b1.id)).await.json();
    assert_eq!(rules(&v), vec!["rule.branch_too_few_full"]);
    assert!(v["findings"][0]["message"].as_str().unwrap().contains("少于 4 名"));
    // A pack that does not parse is refused.
    assert!(app.store.load_org_rules(&actor, "kind = 1").await.is_err());
});

both!(an_org_with_hundreds_of_children_lists_the_first_hundred, |app| async move {
    let f = app.fx.clone();
    let actor = ronghe_store::Actor::system(f.root.tenant_id, "test");
    for i in 0..101 {
        let new = ronghe_store::NewOrg {
            unit_name: "电厂".into(),
            ..ronghe_store::NewOrg::under(
                f.u2.id,
                ronghe_domain::org::OrgKind::Branch,
                format!("U2-{i:03}"),
                format!("第{i:03}党支部"),
            )
        };
        app.store.create_org(&actor, &new).await.unwrap();
    }
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/orgs/{}", f.u2.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("显示前 100 个，共 102 个"), "{}", page.text);
    assert!(page.text.contains("<strong>102</strong>"), "the count is of all the children");
    assert!(!page.text.contains("第100党支部"), "B2 and the first 99 new branches, by code");
    let all = admin.get(&format!("/orgs/{}?children=all", f.u2.id)).await;
    assert!(all.text.contains("第100党支部") && !all.text.contains("显示前 100 个"));
    // The API's children are never cut short.
    let api = admin.get(&format!("/api/v1/orgs/{}/children", f.u2.id)).await.json();
    assert_eq!(api.as_array().unwrap().len(), 102);
});

/// The `<option>`s of a form's organisation field that name an
/// organisation, by code, in the order listed.
fn listed_codes(html: &str, field: &str) -> Vec<String> {
    let start = html.find(&format!("<select id=\"{field}\"")).map_or(0, |i| i);
    let select = &html[start..];
    let select = &select[..select.find("</select>").unwrap_or(select.len())];
    select
        .split("<option value=\"")
        .skip(1)
        .filter(|o| o.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .filter_map(|o| o.split('（').nth(1)?.split('）').next().map(str::to_string))
        .collect()
}

both!(an_organisation_field_over_a_large_tree_lists_the_first_and_finds_the_rest, |app| async move {
    let f = &app.fx;
    let mut c = app.login("admin").await;
    for n in 0..205 {
        let (code, name) = (format!("T{n:03}"), format!("测试支部{n:03}"));
        let r = c
            .post_form(&format!("/orgs/{}/children", f.u2.id), &org_form(["branch", &code, &name, "", "", "", ""]))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    }
    // The root's new-member form: the first 200 branches and groups in tree
    // order, and a search beside them.
    let page = c.get(&format!("/orgs/{}/members/new", f.root.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let codes = listed_codes(&page.text, "org_id");
    assert_eq!(codes.len(), 200, "{codes:?}");
    assert!(page.text.contains("此处列出前 200 个"));
    assert!(page.text.contains("name=\"org_q\""));
    // Without scripts the search reloads the form with the matches; by
    // code or name, case-blind.
    let page = c.get(&format!("/orgs/{}/members/new?org_q=t204", f.root.id)).await;
    assert_eq!(listed_codes(&page.text, "org_id"), vec!["T204"]);
    let page = c.get(&format!("/orgs/{}/members/new?org_q={}", f.root.id, crate::support::urlencode("支部20"))).await;
    assert_eq!(listed_codes(&page.text, "org_id"), vec!["T200", "T201", "T202", "T203", "T204"]);
    // As it is typed: the options alone, the chosen one kept first.
    let r = c.get(&format!("/orgs/{}/members/org-options?org_q=T20&org_id={}", f.root.id, f.b1.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.starts_with("<option value=\"\">"), "{}", r.text);
    assert!(r.text.contains(&format!("<option value=\"{}\" selected>", f.b1.id)), "{}", r.text);
    assert_eq!(
        listed_codes(&format!("<select id=\"org_id\">{}</select>", r.text), "org_id")[1..],
        ["T200", "T201", "T202", "T203", "T204"]
    );
    let r = c.get(&format!("/orgs/{}/members/org-options?org_q=nothing-like-it", f.root.id)).await;
    assert!(r.text.contains("没有相符的组织"));
    // A form sent back with an error keeps a choice the first 200 leave out.
    let t204 = app.raw_text("SELECT CAST(id AS TEXT) FROM orgs WHERE code = 'T204'").await;
    let mut input = crate::support::member_input("", 900);
    input.name = String::new();
    let sent = crate::support::member_form(&input, t204.parse().unwrap());
    let r = c.post_form(&format!("/orgs/{}/members", f.root.id), &crate::support::as_pairs(&sent)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains(&format!("<option value=\"{t204}\" selected>")), "{}", r.text);
    // Moving: never into its own subtree, nor to where it is.
    let page = c.get(&format!("/orgs/{}/edit?parent_q=B1", f.b1.id)).await;
    assert!(listed_codes(&page.text, "parent_id").is_empty());
    assert!(page.text.contains("没有相符的组织"));
    let r = c.get(&format!("/orgs/{}/move-options?parent_q=u", f.b1.id)).await;
    assert_eq!(listed_codes(&format!("<select id=\"parent_id\">{}</select>", r.text), "parent_id"), vec!["U2"]);
    // A small scope keeps a plain list: the branch secretary's.
    let mut sec = app.login("sec1").await;
    let page = sec.get(&format!("/orgs/{}/members/new", f.b1.id)).await;
    assert_eq!(listed_codes(&page.text, "org_id"), vec!["B1", "G1"]);
    assert!(!page.text.contains("name=\"org_q\""));
    // Another scope's options are not for asking.
    let r = sec.get(&format!("/orgs/{}/members/org-options?org_q=T", f.root.id)).await;
    assert!(r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN, "{}", r.status);
    // Nor where another branch may move, nor, for a member, whom their own branch enrols.
    // Outside the caller's scope an organisation is not found; inside it,
    // without the right to change it, forbidden.
    let r = sec.get(&format!("/orgs/{}/move-options?parent_q=U", f.b2.id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = sec.get(&format!("/orgs/{}/move-options?parent_q=U", f.b1.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut member = app.login("member1").await;
    let r = member.get(&format!("/orgs/{}/members/org-options", f.b1.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});
