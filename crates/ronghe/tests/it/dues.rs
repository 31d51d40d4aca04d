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
