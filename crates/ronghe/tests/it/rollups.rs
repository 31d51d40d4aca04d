//! The maintained roll-ups equal the recursive query over raw rows, on
//! random trees after random inserts, edits, status changes and moves.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ronghe_domain::members::Status;
use ronghe_domain::org::OrgKind;
use ronghe_store::{Actor, NewOrg, Org};

use crate::both;
use crate::support::{id_number, member_input, today, TestApp};

async fn check_all(app: &TestApp, step: usize) {
    for org in app.store.subtree_orgs(&app.fx.root.path).await.unwrap() {
        let kept = app.store.rollup(org.id).await.unwrap();
        let naive = app.store.naive_rollup(org.id).await.unwrap();
        assert_eq!(kept, naive, "after step {step}, organisation {} ({})", org.id, org.code);
    }
}

both!(rollups_equal_the_recursive_query_after_random_changes, |app| async move {
    let mut rng = StdRng::seed_from_u64(if app.backend == crate::support::Backend::Sqlite { 11 } else { 12 });
    let actor = Actor::system(app.fx.root.tenant_id, "test");
    let mut orgs: Vec<Org> = vec![
        app.fx.root.clone(),
        app.fx.u1.clone(),
        app.fx.u2.clone(),
        app.fx.b1.clone(),
        app.fx.b2.clone(),
        app.fx.g1.clone(),
    ];
    // A random tree under the fixture: committees, general branches, branches, groups.
    for i in 0..24 {
        let parent = orgs[rng.gen_range(0..orgs.len())].clone();
        let kinds: Vec<OrgKind> = OrgKind::ALL.into_iter().filter(|k| k.may_sit_under(Some(parent.kind))).collect();
        if kinds.is_empty() {
            continue;
        }
        let kind = kinds[rng.gen_range(0..kinds.len())];
        let new = NewOrg::under(parent.id, kind, format!("R{i}"), format!("随机{i}"));
        orgs.push(app.store.create_org(&actor, &new).await.unwrap());
    }
    let mut members: Vec<i64> = vec![app.fx.m1, app.fx.m1b, app.fx.m2, app.fx.mg];
    let mut n = 1000u32;
    for step in 0..160 {
        // Organisations move, so read them fresh.
        let current = app.store.subtree_orgs(&app.fx.root.path).await.unwrap();
        let enrolling: Vec<&Org> = current.iter().filter(|o| o.kind.holds_members()).collect();
        match rng.gen_range(0..10) {
            0..=3 => {
                // Add a few members at once (as an import does).
                let batch: Vec<(i64, ronghe_domain::members::MemberDraft)> = (0..rng.gen_range(1..4))
                    .map(|_| {
                        n += 1;
                        let mut input = member_input("随机党员", n);
                        input.category = ["正式党员", "预备党员"][rng.gen_range(0..2)].into();
                        if input.category == "预备党员" {
                            input.conversion_date.clear();
                        }
                        input.education = ["", "本科", "大专", "硕士"][rng.gen_range(0..4)].into();
                        let org = enrolling[rng.gen_range(0..enrolling.len())].id;
                        (org, input.validate(today()).unwrap())
                    })
                    .collect();
                members.extend(app.store.insert_members(&actor, &batch, "member.create").await.unwrap());
            }
            4..=5 => {
                let id = members[rng.gen_range(0..members.len())];
                let status = Status::ALL[rng.gen_range(0..Status::ALL.len())];
                app.store.change_member_status(&actor, id, status, today(), "").await.unwrap();
            }
            6..=7 => {
                // An edit that may change organisation, category, education and birth year.
                let id = members[rng.gen_range(0..members.len())];
                let rec = app.store.member(id).await.unwrap();
                let (clear_id, _) = app.store.reveal_member(&actor, id).await.unwrap();
                let mut input = member_input(&rec.row.name, 0);
                input.id_number = clear_id;
                input.category = ["正式党员", "预备党员"][rng.gen_range(0..2)].into();
                if input.category == "预备党员" {
                    input.conversion_date.clear();
                }
                input.education = ["", "本科", "博士"][rng.gen_range(0..3)].into();
                let org = enrolling[rng.gen_range(0..enrolling.len())].id;
                let draft = input.validate(today()).unwrap();
                app.store.update_member(&actor, id, rec.row.version, org, &draft).await.unwrap();
            }
            _ => {
                // Move an organisation somewhere it may sit, not into itself.
                let org = &current[rng.gen_range(1..current.len())];
                let targets: Vec<&Org> = current
                    .iter()
                    .filter(|t| {
                        !t.path.starts_with(&org.path)
                            && org.kind.may_sit_under(Some(t.kind))
                            && Some(t.id) != org.parent_id
                    })
                    .collect();
                if let Some(t) = targets.get(rng.gen_range(0..targets.len().max(1))) {
                    app.store.move_org(&actor, org.id, t.id).await.unwrap();
                }
            }
        }
        if step % 20 == 19 {
            check_all(&app, step).await;
        }
    }
    check_all(&app, 160).await;
    // The root's figures are the fixture's plus what was added, less who left.
    let root = app.store.rollup(app.fx.root.id).await.unwrap();
    assert!(root.total() > 4);
    assert_eq!(root.total(), app.store.naive_rollup(app.fx.root.id).await.unwrap().total());
    let _ = id_number;
});

// An import large enough for SQLite's bulk path (which widens its
// connection's page cache for the length of it) goes in whole or not at
// all, is counted in the roll-ups, and leaves that connection fit for
// the writes after it.
both!(a_large_import_goes_in_whole_or_not_at_all, |app| async move {
    let actor = Actor::system(app.fx.root.tenant_id, "test");
    let members = "SELECT CAST(COUNT(*) AS TEXT) FROM members";
    let count_before = app.raw_text(members).await;
    let before = app.store.rollup(app.fx.root.id).await.unwrap();
    let drafts = |from: u32| -> Vec<(i64, ronghe_domain::members::MemberDraft)> {
        (0..10_000u32)
            .map(|i| {
                let org = if i % 2 == 0 { app.fx.b1.id } else { app.fx.b2.id };
                // Born by 1988 (`id_number` counts days from 1980), so of age when they joined.
                let n = from + i / 3_000 * 5_000 + i % 3_000;
                (org, member_input("批量党员", n).validate(today()).unwrap())
            })
            .collect()
    };
    let mut batch = drafts(100_000);
    // The last repeats the first one's identity number, which the unique
    // index refuses after 10,000 rows have gone in.
    batch.push((app.fx.b2.id, batch[0].1.clone()));
    let refused = app.store.insert_members(&actor, &batch, "member.import").await;
    assert!(matches!(refused, Err(ronghe_store::StoreError::Conflict("conflict.id_number"))), "{refused:?}");
    assert_eq!(app.raw_text(members).await, count_before, "nothing written");
    assert_eq!(app.store.rollup(app.fx.root.id).await.unwrap(), before);
    batch.pop();
    // Another import dropped part-way, as when its request times out or its
    // client goes: all of it or none of it is there.
    let cut = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        app.store.insert_members(&actor, &drafts(200_000), "member.import"),
    )
    .await;
    let finished = match cut {
        Ok(ids) => ids.unwrap().len(),
        Err(_) => 0,
    };
    let expected: i64 = count_before.trim().parse::<i64>().unwrap() + finished as i64;
    assert_eq!(app.raw_text(members).await, expected.to_string(), "all or nothing of the dropped import");
    assert_eq!(app.store.rollup(app.fx.root.id).await.unwrap().total(), before.total() + finished as i64);
    let ids = app.store.insert_members(&actor, &batch, "member.import").await.unwrap();
    assert_eq!(ids.len(), 10_000);
    assert_eq!(app.store.rollup(app.fx.root.id).await.unwrap().total(), before.total() + finished as i64 + 10_000);
    check_all(&app, 0).await;
    // Every connection of the pool, that one among them, still writes.
    for i in 0..40 {
        let draft = member_input("其后党员", 40_000 + i).validate(today()).unwrap();
        app.store.insert_members(&actor, &[(app.fx.b1.id, draft)], "member.create").await.unwrap();
    }
    check_all(&app, 1).await;
});

// The import benchmark's floor (`ronghe bench import`) writes what an
// import writes, by the database alone: the same member rows but for the
// organisation and the altered blind index, the same status history, the
// same audit rows and the same roll-ups. The same people can be imported
// after it, and it refuses an organisation that already has members. The
// import is large enough for the bulk path (`COPY` on PostgreSQL, a staged
// `INSERT … SELECT` on SQLite), whose rows are the floor's, the characters
// of the names too.
both!(the_import_floor_writes_what_an_import_writes, |app| async move {
    use ronghe_domain::org::OrgKind;
    use ronghe_store::NewOrg;
    let actor = Actor::system(app.fx.root.tenant_id, "test");
    let branch = |code: &'static str| {
        let (store, actor, parent) = (&app.store, &actor, app.fx.u1.id);
        async move { store.create_org(actor, &NewOrg::under(parent, OrgKind::Branch, code, code)).await.unwrap() }
    };
    let (floor, imported) = (branch("FLOOR").await, branch("IMPORTED").await);
    // Names all different, so that equal sets of rows are equal rows; some
    // values empty or with what `COPY` has to escape.
    const ROWS: usize = 10_000;
    let chars: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥".chars().collect();
    let drafts: Vec<_> = (0..ROWS)
        .map(|i| {
            let name = format!("基线{}{}{}", chars[i / 484], chars[i / 22 % 22], chars[i % 22]);
            // Born by 1988 (`id_number` counts days from 1980), so of age when they joined.
            let mut input = member_input(&name, 50_000 + (i / 3_000 * 5_000 + i % 3_000) as u32);
            match i % 4 {
                0 => input.post = "采煤\\N机\t司机\\".into(),
                1 => (input.phone, input.education) = (String::new(), String::new()),
                2 => (input.category, input.conversion_date) = ("预备党员".into(), String::new()),
                _ => {}
            }
            input.validate(today()).unwrap()
        })
        .collect();
    app.store.bench_database_insert(&actor, floor.id, &drafts).await.unwrap();
    check_all(&app, 0).await;
    let with_org: Vec<_> = drafts.iter().map(|d| (imported.id, d.clone())).collect();
    let ids = app.store.insert_members(&actor, &with_org, "member.import").await.unwrap();
    check_all(&app, 1).await;
    // Each id is its draft's, and what was sealed opens as it went in.
    let revealed: std::collections::HashMap<i64, (String, Option<String>)> = app
        .store
        .reveal_members(&actor, imported.id, &ids)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, number, phone)| (id, (number, phone)))
        .collect();
    for (id, d) in ids.iter().zip(&drafts) {
        let phone = d.phone.as_ref().map(|p| p.as_str().to_string());
        assert_eq!(revealed[id], (d.id_number.as_str().to_string(), phone), "member {id}");
    }
    let refused = app.store.bench_database_insert(&actor, floor.id, &drafts[..1]).await;
    assert!(matches!(refused, Err(ronghe_store::StoreError::Invalid("bench.org_not_empty"))), "{refused:?}");

    let count = |sql: String| {
        let app = &app;
        async move { app.raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM ({sql}) AS x")).await }
    };
    // Statistics of the tables as filled, or PostgreSQL joins the audit rows
    // to their members by a nested loop (28 s a count, where 20 ms will do).
    for table in ["members", "member_status_history", "audit_log"] {
        app.raw_exec(&format!("ANALYZE {table}")).await.unwrap();
    }
    // Each kind of row of one organisation, without what differs by design.
    // On SQLite an integer column compared with text reads the text as a
    // number, so the member is found by its key; PostgreSQL wants the types
    // alike and hashes the join.
    let audited = match app.backend {
        crate::support::Backend::Sqlite => "m.id = a.target_id",
        crate::support::Backend::Postgres => "CAST(m.id AS TEXT) = a.target_id",
    };
    let audit_rows = format!(
        "SELECT m.name, a.user_id, a.username, a.action, a.target_kind, a.detail, a.ip, a.request_id FROM audit_log a \
         JOIN members m ON {audited} WHERE a.target_kind = 'member' AND a.org_id = {{org}} AND m.org_id = {{org}}"
    );
    // Each name's distinct characters.
    let characters: usize = drafts.iter().map(|d| d.name.chars().collect::<std::collections::HashSet<_>>().len()).sum();
    let kinds = [
        (
            "SELECT name, name_initials, gender, ethnicity, birth_date, id_number_masked, education, post, unit, \
             phone_masked, category, join_date, conversion_date, status, status_since, version FROM members m \
             WHERE m.org_id = {org}",
            ROWS,
        ),
        (
            "SELECT m.name, h.status, h.since, h.reason, h.recorded_by FROM member_status_history h \
             JOIN members m ON m.id = h.member_id WHERE m.org_id = {org}",
            ROWS,
        ),
        (audit_rows.as_str(), ROWS),
        (
            "SELECT c.ch, c.name_initials, c.name FROM member_name_chars c \
             JOIN members m ON m.id = c.member_id WHERE m.org_id = {org}",
            characters,
        ),
    ];
    for (kind, rows) in kinds {
        let of = |org: i64| kind.replace("{org}", &org.to_string());
        assert_eq!(count(of(floor.id)).await, rows.to_string(), "{kind}");
        assert_eq!(count(of(imported.id)).await, rows.to_string(), "{kind}");
        for (a, b) in [(floor.id, imported.id), (imported.id, floor.id)] {
            assert_eq!(count(format!("{} EXCEPT {}", of(a), of(b))).await, "0", "{a} holds rows {b} does not: {kind}");
        }
    }
});

// Figure versions are sums over an append-only log of changes; a reader
// folds a subject's rows into one past a threshold. Folding keeps the sum,
// and every change after it still moves the version.
both!(figure_versions_keep_their_sum_when_folded_and_move_with_every_change, |app| async move {
    use ronghe_store::Figures;
    let tenant = app.fx.root.tenant_id;
    let actor = Actor::system(tenant, "test");
    let sql =
        format!("SELECT CAST(COUNT(*) AS TEXT) FROM figure_changes WHERE tenant_id = {tenant} AND subject = 'dues'");
    let start = app.store.figure_version(tenant, Figures::Dues).await.unwrap();
    // Each status change is a change of what dues read.
    for i in 0..100 {
        let status = if i % 2 == 0 { Status::LostContact } else { Status::Normal };
        app.store.change_member_status(&actor, app.fx.m2, status, today(), "").await.unwrap();
    }
    assert!(app.raw_text(&sql).await.trim().parse::<i64>().unwrap() > 64);
    let v = app.store.figure_version(tenant, Figures::Dues).await.unwrap();
    assert_eq!(v, start + 100, "one change each");
    assert_eq!(app.raw_text(&sql).await.trim(), "1", "folded into one row");
    assert_eq!(app.store.figure_version(tenant, Figures::Dues).await.unwrap(), v, "folding kept the sum");
    app.store.change_member_status(&actor, app.fx.m2, Status::LostContact, today(), "").await.unwrap();
    assert_eq!(app.store.figure_version(tenant, Figures::Dues).await.unwrap(), v + 1);
    // The daily upkeep folds logs nobody reads, and leaves short ones alone.
    for i in 0..70 {
        let status = if i % 2 == 0 { Status::Normal } else { Status::LostContact };
        app.store.change_member_status(&actor, app.fx.m2, status, today(), "").await.unwrap();
    }
    assert!(app.store.fold_all_figure_changes().await.unwrap() >= 1);
    assert_eq!(app.raw_text(&sql).await.trim(), "1");
    assert_eq!(app.store.figure_version(tenant, Figures::Dues).await.unwrap(), v + 71);
    assert_eq!(app.store.fold_all_figure_changes().await.unwrap(), 0);
    // A write that changes nothing a dues figure reads leaves it alone.
    let life = app.store.figure_version(tenant, Figures::Life).await.unwrap();
    app.raw_exec(&format!("UPDATE members SET post = 'x' WHERE id = {}", app.fx.m2)).await.unwrap();
    assert_eq!(app.store.figure_version(tenant, Figures::Dues).await.unwrap(), v + 71);
    assert_eq!(app.store.figure_version(tenant, Figures::Life).await.unwrap(), life);
});

// On PostgreSQL, writers of one tenant do not queue on the figure versions:
// a transaction that changed what both figures read, still open, does not
// hold up another writer's change to them elsewhere in the tenant. (With a
// counter row per tenant, the second writer waited for the first to end.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_one_tenant_do_not_wait_on_each_others_figure_versions() {
    use sqlx::Connection;
    let Some(app) = crate::support::TestApp::maybe(crate::support::Backend::Postgres).await else { return };
    let mut open = sqlx::PgConnection::connect(&app.raw_url).await.unwrap();
    let schema = app.schema.clone().expect("a PostgreSQL test has its schema");
    sqlx::query(&format!("SET search_path TO {schema}")).execute(&mut open).await.unwrap();
    sqlx::query("BEGIN").execute(&mut open).await.unwrap();
    sqlx::query("UPDATE orgs SET name = name || '·' WHERE id = $1")
        .bind(app.fx.b1.id)
        .execute(&mut open)
        .await
        .unwrap();
    let actor = Actor::system(app.fx.root.tenant_id, "test");
    let other = app.store.change_member_status(&actor, app.fx.m2, Status::LostContact, today(), "");
    let done = tokio::time::timeout(std::time::Duration::from_secs(5), other).await;
    sqlx::query("ROLLBACK").execute(&mut open).await.unwrap();
    done.expect("the second writer waited for the first").unwrap();
}
