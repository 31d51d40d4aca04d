//! The harness: a fresh database with a small fixture tree, users for every
//! role, and a client that keeps a session cookie and CSRF token.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use ronghe_domain::auth::Role;
use ronghe_domain::members::MemberInput;
use ronghe_domain::org::{OfficerRole, OrgKind};
use ronghe_store::{Actor, ConnectOptions, DataKey, NewOrg, NewUser, Org, Store};
use tower::ServiceExt;

pub const PASSWORD: &str = "Test-Passw0rd!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body against each backend: `both!(name, |app| async move { … })`.
#[macro_export]
macro_rules! both {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::new($crate::support::Backend::Sqlite).await;
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::support::TestApp::maybe($crate::support::Backend::Postgres).await else {
                    return;
                };
                $body.await
            }
        }
    };
}

/// The fixture: ids of the organisations and members tests refer to.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub root: Org,
    /// Unit committees under the root.
    pub u1: Org,
    pub u2: Org,
    /// Branches: b1 under u1, b2 under u2; g1 is a party group in b1.
    pub b1: Org,
    pub b2: Org,
    pub g1: Org,
    /// Members: m1 in b1 (member1's own record), m1b also in b1, m2 in b2, mg in g1.
    pub m1: i64,
    pub m1b: i64,
    pub m2: i64,
    pub mg: i64,
}

pub struct TestApp {
    pub store: Store,
    /// A URL for direct SQL (tests that go behind the application's back),
    /// and the PostgreSQL schema if any.
    pub raw_url: String,
    pub schema: Option<String>,
    pub router: Router,
    pub fx: Fixture,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A valid identity number, different for each `n`.
pub fn id_number(n: u32) -> String {
    let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + chrono::Duration::days(i64::from(n % 5000));
    ronghe_domain::id_number::synthesize(410802, birth, n / 5000 * 2 + 1).as_str().to_string()
}

/// How many lookups in a node's cache found their value (`/metrics`).
pub async fn cache_hits(c: &mut Client, cache: &str) -> u64 {
    let text = c.get("/metrics").await.text;
    let line = format!("ronghe_cache_lookups_total{{cache=\"{cache}\",outcome=\"hit\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&line)).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

pub fn member_input(name: &str, n: u32) -> MemberInput {
    MemberInput {
        name: name.into(),
        gender: String::new(),
        ethnicity: "汉族".into(),
        birth_date: String::new(),
        id_number: id_number(n),
        education: "大学本科".into(),
        post: "采煤机司机".into(),
        unit: "一矿".into(),
        phone: "13800138000".into(),
        category: "正式党员".into(),
        join_date: "2010-07-01".into(),
        conversion_date: "2011-07-01".into(),
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::maybe(backend).await.expect("backend available")
    }

    /// The app on `backend`, or `None` when PostgreSQL is not configured.
    pub async fn maybe(backend: Backend) -> Option<TestApp> {
        let key = DataKey::generate();
        let (store, dir, raw_url, schema) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("t.sqlite3").display());
                let store = Store::connect(ConnectOptions { url: url.clone(), create: true, max_connections: 4, key })
                    .await
                    .unwrap();
                (store, Some(dir), url, None)
            }
            Backend::Postgres => {
                let Ok(url) = std::env::var("RONGHE_TEST_PG") else {
                    assert!(
                        std::env::var("RONGHE_REQUIRE_PG").is_err(),
                        "RONGHE_REQUIRE_PG is set but RONGHE_TEST_PG is not"
                    );
                    return None;
                };
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_micros() % 1_000_000
                );
                let mut conn =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.expect("connect to RONGHE_TEST_PG");
                sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.unwrap();
                let store = Store::connect_pg_schema(&url, &schema, key).await.unwrap();
                (store, None, url, Some(schema))
            }
        };
        store.migrate().await.unwrap();
        let fx = fixture(&store).await;
        let state = ronghe_web::AppState::new(store.clone(), ronghe_web::WebConfig::default());
        let router = ronghe_web::router(state);
        Some(TestApp { store, raw_url, schema, router, fx, backend, _dir: dir })
    }

    /// Runs SQL directly against the database, as someone with database
    /// access but not the application would. Returns the error text, if any.
    pub async fn raw_exec(&self, sql: &str) -> Result<u64, String> {
        use sqlx::Connection;
        match &self.schema {
            None => {
                let mut c = sqlx::SqliteConnection::connect(&self.raw_url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            }
            Some(schema) => {
                let mut c = sqlx::PgConnection::connect(&self.raw_url).await.unwrap();
                sqlx::query(&format!("SET search_path TO {schema}")).execute(&mut c).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            }
        }
    }

    /// One text value from direct SQL.
    pub async fn raw_text(&self, sql: &str) -> String {
        use sqlx::Connection;
        match &self.schema {
            None => {
                let mut c = sqlx::SqliteConnection::connect(&self.raw_url).await.unwrap();
                sqlx::query_scalar::<_, String>(sql).fetch_one(&mut c).await.unwrap()
            }
            Some(schema) => {
                let mut c = sqlx::PgConnection::connect(&self.raw_url).await.unwrap();
                sqlx::query(&format!("SET search_path TO {schema}")).execute(&mut c).await.unwrap();
                sqlx::query_scalar::<_, String>(sql).fetch_one(&mut c).await.unwrap()
            }
        }
    }

    /// Another app node over the same database: its own caches, as behind a
    /// load balancer.
    pub fn node(&self) -> Router {
        ronghe_web::router(ronghe_web::AppState::new(self.store.clone(), ronghe_web::WebConfig::default()))
    }

    pub fn anon(&self) -> Client {
        Client { router: self.router.clone(), cookie: None, csrf: String::new() }
    }

    /// Signs in through the API and returns a client holding the session.
    pub async fn login(&self, username: &str) -> Client {
        self.login_with(username, PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Client {
        let mut c = self.anon();
        let r = c.post_json("/api/v1/session", serde_json::json!({"username": username, "password": password})).await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.text);
        let me: serde_json::Value = r.json();
        c.csrf = me["csrf_token"].as_str().unwrap().to_string();
        c
    }
}

async fn org(store: &Store, actor: &Actor, parent: Option<&Org>, kind: OrgKind, code: &str, name: &str) -> Org {
    let today = today();
    store
        .create_org(
            actor,
            &NewOrg {
                parent_id: parent.map(|p| p.id),
                kind,
                code: code.into(),
                name: name.into(),
                unit_name: format!("{name}所在单位"),
                established_on: NaiveDate::from_ymd_opt(2000, 1, 1),
                term_start: Some(today - chrono::Duration::days(365)),
                term_end: Some(today + chrono::Duration::days(700)),
            },
        )
        .await
        .unwrap()
}

async fn member(store: &Store, actor: &Actor, org: &Org, name: &str, n: u32) -> i64 {
    let d = member_input(name, n).validate(today()).unwrap();
    store.create_member(actor, org.id, d).await.unwrap()
}

async fn fixture(store: &Store) -> Fixture {
    let mut actor = Actor::system(0, "test");
    let root = org(store, &actor, None, OrgKind::Committee, "ROOT", "测试集团党委").await;
    actor.tenant_id = root.tenant_id;
    let u1 = org(store, &actor, Some(&root), OrgKind::Committee, "U1", "一矿党委").await;
    let u2 = org(store, &actor, Some(&root), OrgKind::Committee, "U2", "电厂党委").await;
    let b1 = org(store, &actor, Some(&u1), OrgKind::Branch, "B1", "综采一队党支部").await;
    let b2 = org(store, &actor, Some(&u2), OrgKind::Branch, "B2", "运行一值党支部").await;
    let g1 = org(store, &actor, Some(&b1), OrgKind::Group, "G1", "综采一队第一党小组").await;
    let m1 = member(store, &actor, &b1, "张三", 1).await;
    let m1b = member(store, &actor, &b1, "李四", 2).await;
    let m2 = member(store, &actor, &b2, "王五", 3).await;
    let mg = member(store, &actor, &g1, "赵六", 4).await;
    store.add_officer(&actor, b1.id, m1b, OfficerRole::Secretary, (b1.term_start, b1.term_end)).await.unwrap();
    let users: [(&str, Role, &Org, Option<i64>); 8] = [
        ("admin", Role::GroupAdmin, &root, None),
        ("sec1", Role::Secretary, &b1, Some(m1b)),
        ("sec2", Role::Secretary, &b2, Some(m2)),
        ("member1", Role::Member, &b1, Some(m1)),
        ("committee1", Role::CommitteeMember, &u1, None),
        ("sysadmin", Role::SystemAdmin, &root, None),
        ("secadmin", Role::SecurityAdmin, &root, None),
        ("auditor", Role::AuditAdmin, &root, None),
    ];
    for (username, role, o, member_id) in users {
        store
            .create_user(
                &actor,
                &NewUser {
                    tenant_id: root.tenant_id,
                    username: username.into(),
                    display_name: username.into(),
                    password: PASSWORD.into(),
                    member_id,
                    roles: vec![(role, o.id)],
                },
            )
            .await
            .unwrap();
    }
    Fixture { root, u1, u2, b1, b2, g1, m1, m1b, m2, mg }
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A browser-like client: keeps the session cookie and the CSRF token.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: String,
}

impl Client {
    /// The same session, sent to another app node from now on.
    pub fn via(mut self, node: &Router) -> Client {
        self.router = node.clone();
        self
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        if let Some(c) = &self.cookie {
            if !req.headers().contains_key(header::COOKIE) {
                req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
            }
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            if pair.starts_with("ronghe_session=") {
                self.cookie = if pair == "ronghe_session=" { None } else { Some(pair.to_string()) };
            }
        }
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, text: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn get_htmx(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).header("hx-request", "true").body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&mut self, path: &str, body: serde_json::Value) -> Resp {
        self.json(Method::POST, path, body).await
    }

    pub async fn json(&mut self, method: Method, path: &str, body: serde_json::Value) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Posts a form as a browser would, with the session's CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let csrf = self.csrf.clone();
        let mut pairs = fields.to_vec();
        pairs.push(("_csrf", csrf.as_str()));
        self.post_form_raw(path, &pairs).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body: String =
            fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Uploads a file as the import page's form does.
    pub async fn upload(&mut self, path: &str, file_name: &str, bytes: &[u8]) -> Resp {
        self.upload_with(path, file_name, bytes, &[]).await
    }

    /// A multipart form: the file and text fields.
    pub async fn upload_with(&mut self, path: &str, file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Resp {
        self.multipart(path, fields, &[("file", file_name, bytes)]).await
    }

    /// A multipart form with any number of files: (field, file name, bytes).
    pub async fn multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Resp {
        let boundary = "----ronghe-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (field, file_name, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        let req = Request::post(format!("{path}{sep}_csrf={}", self.csrf))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The form fields of a member, as the member form posts them.
pub fn member_form(input: &MemberInput, org_id: i64) -> Vec<(&'static str, String)> {
    vec![
        ("org_id", org_id.to_string()),
        ("name", input.name.clone()),
        ("gender", input.gender.clone()),
        ("ethnicity", input.ethnicity.clone()),
        ("birth_date", input.birth_date.clone()),
        ("id_number", input.id_number.clone()),
        ("education", input.education.clone()),
        ("post", input.post.clone()),
        ("unit", input.unit.clone()),
        ("phone", input.phone.clone()),
        ("category", input.category.clone()),
        ("join_date", input.join_date.clone()),
        ("conversion_date", input.conversion_date.clone()),
        ("version", "0".into()),
    ]
}

pub fn as_pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
