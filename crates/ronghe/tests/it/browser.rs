//! The main flow in headless Chromium: sign in, open the roster, add a
//! member, find them listed. Needs `chromium` and `chromedriver` (Debian's
//! packages); skipped without them unless RONGHE_REQUIRE_BROWSER=1.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

use crate::support::{id_number, Backend, TestApp, PASSWORD};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts chromedriver, or says why not.
fn chromedriver() -> Option<(Driver, u16)> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        assert!(
            std::env::var("RONGHE_REQUIRE_BROWSER").is_err(),
            "RONGHE_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("skipping the browser test: chromedriver is not installed");
        return None;
    };
    let port = free_port();
    let child =
        Command::new(path).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().ok()?;
    Some((Driver(child), port))
}

pub async fn browser(port: u16) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900", "--lang=zh-CN"]
        }),
    );
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer");
}

/// Serves the app on a free port, in the background.
pub async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = ronghe_web::AppState::new(app.store.clone(), ronghe_web::WebConfig::default());
    tokio::spawn(ronghe_web::serve(listener, state, std::future::pending()));
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_open_the_roster_add_a_member_and_find_them() {
    let Some((_driver, port)) = chromedriver() else { return };
    let app = TestApp::new(Backend::Sqlite).await;
    let base = serve(&app).await;
    let b = browser(port).await;
    let result = async {
        b.goto(&format!("{base}/")).await?;
        b.find(Locator::Css("#username")).await?.send_keys("sec1").await?;
        b.find(Locator::Css("#password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Css("form.form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".mainnav a")).await?;
        // Open the roster from the menu.
        b.find(Locator::LinkText("党员名册")).await?.click().await?;
        b.wait().for_element(Locator::Css("table.roster")).await?;
        assert!(b.source().await?.contains("李四"));
        b.find(Locator::LinkText("新增党员")).await?.click().await?;
        b.wait().for_element(Locator::Css("#name")).await?;
        let id = id_number(4321);
        for (field, value) in [
            ("#name", "浏览器测试"),
            ("#id_number", id.as_str()),
            ("#join_date", "2018-07-01"),
            ("#conversion_date", "2019-07-01"),
            ("#phone", "13912345678"),
        ] {
            b.find(Locator::Css(field)).await?.send_keys(value).await?;
        }
        b.find(Locator::Css(".member-form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::XPath("//h1[contains(., '浏览器测试')]")).await?;
        // Back to the roster: the new member is listed, and found by initials.
        b.goto(&format!("{base}/orgs/{}/members", app.fx.b1.id)).await?;
        assert!(b.source().await?.contains("浏览器测试"));
        b.find(Locator::Css("#q")).await?.send_keys("llqcs").await?;
        // htmx replaces the rows after a short pause in typing.
        let mut rows = 0;
        for _ in 0..50 {
            rows = b.find_all(Locator::Css("#rows tr")).await?.len();
            if rows == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(rows, 1, "the search narrowed the list");
        assert!(b.find(Locator::Css("#rows")).await?.text().await?.contains("浏览器测试"));
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.expect("the browser flow");
}
