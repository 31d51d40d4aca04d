//! The `ronghe` binary's commands, run as a user would run them.

use std::process::{Command, Output};

fn ronghe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ronghe"))
        .args(args)
        .env("RONGHE_LOG", "warn")
        .env_remove("RONGHE_DB")
        .env_remove("RONGHE_DATA_KEY")
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn config_example_is_printed() {
    let o = ronghe(&["config", "example"]);
    assert!(o.status.success());
    let t = text(&o);
    assert!(t.contains("[database]") && t.contains("RONGHE_DB") && t.contains("idle_timeout_minutes"));
}

#[test]
fn a_missing_sqlite_file_is_refused_without_create() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nope.sqlite3").display());
    let o = ronghe(&["serve", "--db", &url, "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("does not exist (pass --create"), "{}", text(&o));
    assert!(!dir.path().join("nope.sqlite3").exists());
    let o = ronghe(&["migrate", "--db", &url, "--create"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(dir.path().join("nope.sqlite3").exists());
    assert!(dir.path().join("nope.sqlite3.key").exists(), "a data key is made beside a new database");
}

#[test]
fn demo_export_import_and_user_add() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = ronghe(&["demo", "--data", data.to_str().unwrap(), "--members", "400", "--build-only"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    for account in ["admin", "sec-a", "sec-b", "member-a", "ronghe-demo"] {
        assert!(out.contains(account), "{account} in {out}");
    }
    let db = format!("sqlite://{}", data.join("ronghe-demo.sqlite3").display());

    // Decision governance: the expansion project the party committee's
    // pre-study voted down (sealed), decisions recorded after the fact, and
    // execution tasks past their day.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&db).await.unwrap();
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        let rejected = count(
            "SELECT COUNT(*) FROM topics t JOIN life_seals s ON s.topic_id = t.id
             WHERE t.status = 'rejected' AND t.title LIKE '%扩建%' AND t.decided_on IS NULL",
        );
        assert_eq!(rejected.fetch_one(&mut c).await.unwrap(), 1, "the expansion project rejected at pre-study, sealed");
        let backfilled =
            count("SELECT COUNT(*) FROM topic_steps WHERE step = 'decision' AND backfill_reason IS NOT NULL");
        assert!(backfilled.fetch_one(&mut c).await.unwrap() >= 1, "a decision recorded after the fact");
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let overdue: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM topic_tasks k JOIN topics t ON t.id = k.topic_id
             WHERE t.status = 'executing' AND k.done_on IS NULL AND k.due_on < $1",
        )
        .bind(today)
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert!(overdue >= 1, "an execution task past its day");
        let closed = count("SELECT COUNT(*) FROM topics WHERE status = 'closed' AND sealed_at IS NOT NULL");
        assert!(closed.fetch_one(&mut c).await.unwrap() >= 1, "a topic supervised to the end and sealed");
    });
    let o = ronghe(&["verify", "--db", &db]);
    assert!(o.status.success() && text(&o).contains("every chain holds"), "the sealed topics verify: {}", text(&o));

    // Export a branch, masked and in full.
    let csv = dir.path().join("zc1.csv");
    let o = ronghe(&["export", "members", "--db", &db, "--org", "DL-ZC1", "--out", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let masked = std::fs::read_to_string(&csv).unwrap();
    assert!(masked.contains("姓名") && masked.contains("********"));
    let xlsx = dir.path().join("zc1.xlsx");
    let o = ronghe(&["export", "members", "--db", &db, "--org", "DL-ZC1", "--out", xlsx.to_str().unwrap(), "--full"]);
    assert!(o.status.success(), "{}", text(&o));

    // Re-importing the full export: every row is already there, nothing is written.
    let o = ronghe(&["import", "members", "--db", &db, "--org", "DL-ZC1", xlsx.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("该身份证号码的党员已在名册中"));

    // A file with one bad row names it; nothing is written.
    let good = ronghe_domain::id_number::synthesize(410802, chrono::NaiveDate::from_ymd_opt(1990, 5, 6).unwrap(), 11);
    let file = dir.path().join("new.csv");
    std::fs::write(
        &file,
        format!("name,gender,ethnicity,id_number,category,join_date\n新人甲,男,汉族,{},full,2020-07-01\n新人乙,男,汉族,123,full,2020-07-01\n", good.as_str()),
    )
    .unwrap();
    let o = ronghe(&["import", "members", "--db", &db, "--org", "DL-ZC1", "--lang", "en", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.contains("Row 3") && t.contains("id_number") && t.contains("18 characters"), "{t}");
    // The good row alone goes in.
    std::fs::write(
        &file,
        format!(
            "name,gender,ethnicity,id_number,category,join_date\n新人甲,男,汉族,{},full,2020-07-01\n",
            good.as_str()
        ),
    )
    .unwrap();
    let o = ronghe(&["import", "members", "--db", &db, "--org", "DL-ZC1", "--lang", "en", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("1 members imported"));

    // Accounts: the password policy applies outside the demo.
    let add = |pw: &str| {
        Command::new(env!("CARGO_BIN_EXE_ronghe"))
            .args(["user", "add", "--db", &db, "--username", "li.ming", "--name", "李明", "--role", "secretary@DL-ZC1"])
            .env("RONGHE_PASSWORD", pw)
            .env("RONGHE_LOG", "warn")
            .output()
            .unwrap()
    };
    let o = add("short");
    assert!(!o.status.success());
    assert!(text(&o).contains("密码至少 10 位"));
    let o = add("Coal-Mine-2026!");
    assert!(o.status.success(), "{}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_ronghe"))
        .args([
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "x.y",
            "--name",
            "X",
            "--role",
            "audit_admin@ZYJM",
            "--role",
            "secretary@DL-ZC1",
        ])
        .env("RONGHE_PASSWORD", "Coal-Mine-2026!")
        .output()
        .unwrap();
    assert!(!o.status.success(), "the audit administrator holds no other role");

    // The demo's sealed meetings verify; a change behind the application's
    // back (the guard dropped first) is found and the meeting named.
    let o = ronghe(&["verify", "--db", &db]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("every chain holds"), "{}", text(&o));
    let tampered: i64 = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&db).await.unwrap();
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM meetings WHERE status = 'sealed' ORDER BY id LIMIT 1 OFFSET 3")
                .fetch_one(&mut c)
                .await
                .unwrap();
        assert!(sqlx::query("UPDATE meetings SET minutes = 'x' WHERE id = $1").bind(id).execute(&mut c).await.is_err());
        sqlx::query("DROP TRIGGER meetings_sealed_no_update").execute(&mut c).await.unwrap();
        sqlx::query("UPDATE meetings SET minutes = minutes || '（补记）' WHERE id = $1")
            .bind(id)
            .execute(&mut c)
            .await
            .unwrap();
        id
    });
    let o = ronghe(&["verify", "--db", &db]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains(&format!("meeting {tampered} ")) && t.contains("changed after it was sealed"), "{t}");
    assert!(t.contains("1 of "), "only that one: {t}");

    // A revised development pack: printed, edited, loaded as data.
    let o = ronghe(&["rules", "default", "--kind", "development"]);
    assert!(o.status.success());
    let revised = String::from_utf8_lossy(&o.stdout)
        .replace("version = \"2014.1\"", "version = \"2026.5\"")
        .replace("effective_from = \"2014-05-28\"", "effective_from = \"2026-05-01\"");
    let pack = dir.path().join("dev.toml");
    std::fs::write(&pack, &revised).unwrap();
    let o = ronghe(&["rules", "load", "--db", &db, pack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("development rules 2026.5 in force from 2026-05-01"), "{}", text(&o));
    std::fs::write(&pack, revised.replace("[probation]", "[probation_typo]")).unwrap();
    let o = ronghe(&["rules", "load", "--db", &db, pack.to_str().unwrap()]);
    assert!(!o.status.success(), "a pack that does not parse is refused");
}
