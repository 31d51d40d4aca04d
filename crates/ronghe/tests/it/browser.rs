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

/// Clicks the button that submits a form and waits for the page it leads
/// to: until the button's page is gone (its element stale). Waiting for an
/// element of the next page alone can find it on the page being left.
async fn submit(b: &fantoccini::Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    let button = b.find(Locator::Css(css)).await?;
    button.click().await?;
    for _ in 0..200 {
        if button.is_enabled().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
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
        b.find(Locator::Css(".member-form .buttons button.primary")).await?.click().await?;
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

/// Member development through the pages: a branch takes an application,
/// and every step up to full membership is recorded with its form (the
/// people named, the training, the named votes), the higher committee's
/// steps by the group administrator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn take_an_applicant_to_full_membership() {
    use chrono::{Duration, Months};
    let Some((_driver, port)) = chromedriver() else { return };
    let app = TestApp::new(Backend::Sqlite).await;
    let base = serve(&app).await;
    let b = browser(port).await;
    let set = |css: &str, value: String| {
        let b = b.clone();
        let script = format!("document.querySelector({css:?}).value = arguments[0];");
        async move { b.execute(&script, vec![serde_json::json!(value)]).await.map(|_| ()) }
    };
    let result = async {
        b.goto(&format!("{base}/login")).await?;
        b.find(Locator::Css("#username")).await?.send_keys("admin").await?;
        b.find(Locator::Css("#password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Css("form.form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".mainnav a")).await?;
        b.goto(&format!("{base}/orgs/{}/development", app.fx.b1.id)).await?;
        b.find(Locator::Css("details.addform summary")).await?.click().await?;
        let today = crate::support::today();
        let t0 = today - Duration::days(900);
        b.find(Locator::Css("input[name=name]")).await?.send_keys("浏览器申请人").await?;
        b.find(Locator::Css("input[name=id_number]")).await?.send_keys(&id_number(4400)).await?;
        set("input[name=applied_on]", t0.to_string()).await?;
        b.find(Locator::Css("details.addform button.primary")).await?.click().await?;
        b.wait().for_element(Locator::Css("ol.timeline")).await?;
        let url = b.current_url().await?;
        let id: i64 = url.path().split('/').nth(2).and_then(|s| s.parse().ok()).expect("the person's page");

        // Each step a few days after the one before, with the waits the
        // rules ask for: a year as activist, a year of probation.
        let activist = t0 + Duration::days(30);
        let target = activist + Months::new(12);
        let voted = target + Duration::days(40);
        let ends = voted + Months::new(12);
        let mut plan: Vec<(&str, chrono::NaiveDate)> = vec![("talk", t0 + Duration::days(10)), ("activist", activist)];
        for (i, code) in ["activist_filed", "contacts"].iter().enumerate() {
            plan.push((code, activist + Duration::days(2 + i as i64)));
        }
        for (i, code) in [
            "target",
            "target_filed",
            "introducers",
            "political_review",
            "training",
            "committee_review",
            "pre_review",
            "application_form",
        ]
        .iter()
        .enumerate()
        {
            plan.push((code, target + Duration::days(i as i64 * 4)));
        }
        for (i, code) in
            ["branch_vote", "higher_talk", "approval", "approval_filed", "placement", "oath"].iter().enumerate()
        {
            plan.push((code, voted + Duration::days(i as i64 * 5)));
        }
        plan.push(("conversion_request", ends - Duration::days(20)));
        for (i, code) in ["conversion_vote", "conversion_approval", "archive"].iter().enumerate() {
            plan.push((code, ends + Duration::days(i as i64 * 5)));
        }
        for (n, (code, on)) in plan.into_iter().enumerate() {
            let form = format!("#step-{code}");
            b.wait().for_element(Locator::Css(&form)).await?;
            b.execute(&format!("document.querySelector('{form}').open = true;"), vec![]).await?;
            set(&format!("{form} input[name=on]"), on.to_string()).await?;
            match code {
                "contacts" => b.find(Locator::Css(&format!("{form} input[name=contacts]"))).await?.click().await?,
                "introducers" => {
                    for cb in
                        b.find_all(Locator::Css(&format!("{form} input[name=introducers]"))).await?.into_iter().take(2)
                    {
                        cb.click().await?;
                    }
                }
                "training" => {
                    b.find(Locator::Css(&format!("{form} input[name=training_days]"))).await?.send_keys("3").await?
                }
                "branch_vote" | "conversion_vote" => {
                    b.execute(
                        &format!(
                            "document.querySelectorAll('{form} select[name^=vote_]').forEach(s => s.value = 'agree');"
                        ),
                        vec![],
                    )
                    .await?;
                }
                _ => {}
            }
            b.find(Locator::Css(&format!("{form} button.primary"))).await?.click().await?;
            // The page comes back with the step on the timeline (a refusal
            // would come back with the message instead).
            let mut taken = 0;
            for _ in 0..100 {
                taken = b.find_all(Locator::Css("ol.timeline li")).await?.len();
                if taken == n + 2 {
                    break;
                }
                tokio::time::sleep(Duration::milliseconds(50).to_std().unwrap()).await;
            }
            assert_eq!(taken, n + 2, "{code} on {on} was not recorded: {}", b.source().await?);
        }
        // Full member now, with the date probation ended.
        b.goto(&format!("{base}/members/{id}")).await?;
        let page = b.source().await?;
        assert!(
            page.contains("浏览器申请人") && page.contains("正式党员") && page.contains(&ends.to_string()),
            "{page}"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.expect("the development flow");
}

/// Organisational life through the pages: the secretary plans a branch
/// general meeting, signs the members in, writes the minutes and seals it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_a_meeting_sign_members_in_write_minutes_and_seal() {
    let Some((_driver, port)) = chromedriver() else { return };
    let app = TestApp::new(Backend::Sqlite).await;
    let base = serve(&app).await;
    let b = browser(port).await;
    let result = async {
        b.goto(&format!("{base}/login")).await?;
        b.find(Locator::Css("#username")).await?.send_keys("sec1").await?;
        b.find(Locator::Css("#password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Css("form.form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".mainnav a")).await?;
        // From the menu to the branch's organisational life.
        b.find(Locator::LinkText("组织生活")).await?.click().await?;
        b.wait().for_element(Locator::Css("details.addform summary")).await?;
        b.find(Locator::Css("details.addform summary")).await?.click().await?;
        b.find(Locator::Css("select[name=kind] option[value=branch_general]")).await?.click().await?;
        b.find(Locator::Css("input[name=topic]")).await?.send_keys("第四季度支部党员大会").await?;
        submit(&b, "details.addform button.primary").await?;
        b.wait().for_element(Locator::Css("#attendance table")).await?;
        // Everyone came: tick each box and save.
        for cb in b.find_all(Locator::Css("#attendance input[type=checkbox]")).await? {
            cb.click().await?;
        }
        submit(&b, "#attendance button.primary").await?;
        b.wait().for_element(Locator::Css("#minutes textarea")).await?;
        let present = b.find(Locator::Css(".facts")).await?.text().await?;
        assert!(present.contains("3 / 3"), "{present}");
        b.find(Locator::Css("#minutes textarea"))
            .await?
            .send_keys("一、传达学习上级会议精神；二、讨论通过有关事项。")
            .await?;
        submit(&b, "#minutes button.primary").await?;
        b.wait().for_element(Locator::Css("#seal button.primary")).await?;
        submit(&b, "#seal button.primary").await?;
        b.wait().for_element(Locator::Css("dd.hash")).await?;
        let page = b.source().await?;
        assert!(page.contains("已封存") && page.contains("传达学习上级会议精神"), "{page}");
        // Sealed: no forms left to change it.
        assert!(b.find_all(Locator::Css("#minutes textarea")).await?.is_empty());
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.expect("the organisational-life flow");
    let (checked, problems) = app.store.verify_life_seals().await.unwrap();
    assert_eq!((checked, problems.len()), (1, 0));
}

/// Learning through the pages: a member opens a lesson, studies (moves the
/// mouse, scrolls) and sees the time studied grow; the heartbeat interval
/// is shortened by a rule pack so the test does not wait half minutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_a_lesson_study_and_see_the_time_grow() {
    let Some((_driver, port)) = chromedriver() else { return };
    let app = TestApp::new(Backend::Sqlite).await;
    let actor = ronghe_store::Actor::system(app.fx.root.tenant_id, "test");
    let fast = ronghe_domain::learning::DEFAULT_LEARNING_PACK
        .replace("version = \"2019.1\"", "version = \"test.1\"")
        .replace("interval_seconds = 30", "interval_seconds = 1")
        .replace("max_credit_seconds = 60", "max_credit_seconds = 2");
    app.store.load_rules(&actor, &fast).await.unwrap();
    let lesson = ronghe_store::NewLesson {
        title: "第一讲 党章总纲".into(),
        kind: "text",
        body: "中国共产党是中国工人阶级的先锋队……".into(),
        url: String::new(),
        minutes: 20,
        media_id: None,
    };
    let course = app.store.create_course(&actor, app.fx.root.id, "学习党章", "党章党规", "", &[lesson]).await.unwrap();
    let lesson_id = app.store.course_lessons(course).await.unwrap()[0].id;
    let base = serve(&app).await;
    let b = browser(port).await;
    let result = async {
        b.goto(&format!("{base}/login")).await?;
        b.find(Locator::Css("#username")).await?.send_keys("member1").await?;
        b.find(Locator::Css("#password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Css("form.form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".mainnav a")).await?;
        b.find(Locator::LinkText("学习")).await?.click().await?;
        b.wait().for_element(Locator::LinkText("学习党章")).await?.click().await?;
        b.wait().for_element(Locator::LinkText("第一讲 党章总纲")).await?.click().await?;
        b.wait().for_element(Locator::Css("#studied")).await?;
        // Study for a while: the reader is active between beats.
        let mut seconds = 0;
        for _ in 0..40 {
            b.execute("document.dispatchEvent(new MouseEvent('mousemove'));", vec![]).await?;
            tokio::time::sleep(Duration::from_millis(250)).await;
            let s = b.find(Locator::Css("#studied")).await?.attr("data-seconds").await?.unwrap_or_default();
            seconds = s.parse().unwrap_or(0);
            if seconds >= 3 {
                break;
            }
        }
        assert!(seconds >= 3, "the time studied grew to {seconds}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.expect("the learning flow");
    assert!(app.store.lesson_seconds(app.fx.m1, lesson_id).await.unwrap() >= 3);
}

/// Decision governance through the pages: a unit's secretary submits a
/// topic (the classifier suggesting its matter), and records research,
/// expert review, risk assessment, the political review, the committee's
/// discussion with named votes, feedback and the decision, each form on the
/// topic's page; the approved topic goes to execution with the votes listed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_a_topic_and_take_it_through_the_procedure_to_a_decision() {
    use ronghe_domain::org::OfficerRole;
    let Some((_driver, port)) = chromedriver() else { return };
    let app = TestApp::new(Backend::Sqlite).await;
    let fx = app.fx.clone();
    let actor = ronghe_store::Actor::system(fx.root.tenant_id, "test");
    // The unit's committee: three officers, and its secretary's account.
    for (member, role) in
        [(fx.m1, OfficerRole::Secretary), (fx.m1b, OfficerRole::DeputySecretary), (fx.mg, OfficerRole::Member)]
    {
        app.store.add_officer(&actor, fx.u1.id, member, role, (fx.u1.term_start, fx.u1.term_end)).await.unwrap();
    }
    app.store
        .create_user(
            &actor,
            &ronghe_store::NewUser {
                tenant_id: fx.root.tenant_id,
                username: "unitsec".into(),
                display_name: "一矿党委书记".into(),
                password: PASSWORD.into(),
                member_id: None,
                roles: vec![(ronghe_domain::auth::Role::Secretary, fx.u1.id)],
            },
        )
        .await
        .unwrap();
    let base = serve(&app).await;
    let b = browser(port).await;
    let set = |css: &str, value: &str| {
        let b = b.clone();
        let script = format!("document.querySelector({css:?}).value = arguments[0];");
        let value = serde_json::json!(value);
        async move { b.execute(&script, vec![value]).await.map(|_| ()) }
    };
    let result = async {
        b.goto(&format!("{base}/login")).await?;
        b.find(Locator::Css("#username")).await?.send_keys("unitsec").await?;
        b.find(Locator::Css("#password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Css("form.form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".mainnav a")).await?;
        // From the menu to the unit's decisions.
        b.find(Locator::LinkText("决策")).await?.click().await?;
        b.wait().for_element(Locator::Css("#submit form")).await?;
        assert!(b.current_url().await?.path().ends_with(&format!("/orgs/{}/decisions", fx.u1.id)));
        // The classifier suggests the matter from the title; pick it.
        b.find(Locator::Css("#title")).await?.send_keys("一矿选煤厂扩建项目").await?;
        b.find(Locator::Css("#submit button[hx-get]")).await?.click().await?;
        // The typed title also asks for suggestions once typing pauses, so the
        // list may be swapped again under the click: pick from the list that stays.
        let pick = Locator::Css("#suggestions button.pick[value=I02]");
        let mut picked_once = false;
        for _ in 0..50 {
            let idle = b.execute("return document.querySelector('.htmx-request') === null;", vec![]).await?;
            if idle == serde_json::json!(true) {
                if let Ok(button) = b.wait().for_element(pick).await {
                    if button.click().await.is_ok() {
                        picked_once = true;
                        break;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(picked_once, "the suggestion could not be picked");
        let picked = b.execute("return document.getElementById('item_code').value;", vec![]).await?;
        assert_eq!(picked, serde_json::json!("I02"));
        b.find(Locator::Css("#submit textarea[name=summary]"))
            .await?
            .send_keys("扩建选煤厂，年处理能力提高到 300 万吨。")
            .await?;
        b.find(Locator::Css("#submit input[name=proposer]")).await?.send_keys("规划发展部").await?;
        b.find(Locator::Css("#submit button.primary")).await?.click().await?;
        b.wait().for_element(Locator::Css("ol.procedure")).await?;
        assert!(b.current_url().await?.path().starts_with("/topics/"));
        let head = b.find(Locator::Css(".facts")).await?.text().await?;
        assert!(head.contains("I02") && head.contains("董事会") && head.contains("规划发展部"), "{head}");

        for code in
            ["research", "expert_review", "risk_assessment", "political_review", "discussion", "feedback", "decision"]
        {
            let form = format!("#step-{code} form");
            b.wait().for_element(Locator::Css(&format!("#step-{code}[data-state=ready] form"))).await?;
            let field = |name: &str| format!("{form} [name=\"{name}\"]");
            match code {
                "expert_review" => {
                    b.find(Locator::Css(&field("opinions[0].expert"))).await?.send_keys("王工（煤炭设计院）").await?;
                    b.find(Locator::Css(&field("opinions[0].opinion"))).await?.send_keys("技术方案可行").await?;
                    b.find(Locator::Css(&field("opinions[1].expert"))).await?.send_keys("李会计师").await?;
                    b.find(Locator::Css(&field("opinions[1].opinion"))).await?.send_keys("投资回收期合理").await?;
                }
                "risk_assessment" => {
                    b.find(Locator::Css(&field("risks[0].risk"))).await?.send_keys("煤价下行").await?;
                    set(&field("risks[0].likelihood"), "3").await?;
                    set(&field("risks[0].impact"), "4").await?;
                    b.find(Locator::Css(&field("risks[0].mitigation"))).await?.send_keys("签订长协").await?;
                    b.find(Locator::Css(&field("risks[0].owner"))).await?.send_keys("营销部").await?;
                }
                "political_review" => {
                    for (i, t) in
                        ["符合国家能源战略", "符合产业政策和上级部署", "不损害职工合法权益"].iter().enumerate()
                    {
                        b.find(Locator::Css(&field(&format!("findings[{i}].finding")))).await?.send_keys(t).await?;
                    }
                }
                "discussion" => {
                    b.find(Locator::Css(&field("body")))
                        .await?
                        .send_keys("党委会前置研究：同意提交董事会决策。")
                        .await?;
                    set(&field(&format!("vote_{}", fx.m1)), "agree").await?;
                    set(&field(&format!("vote_{}", fx.m1b)), "agree").await?;
                    set(&field(&format!("vote_{}", fx.mg)), "disagree").await?;
                    b.find(Locator::Css(&field(&format!("reason_{}", fx.mg)))).await?.send_keys("工期偏紧").await?;
                }
                "decision" => {
                    b.find(Locator::Css(&field("body"))).await?.send_keys("董事会决议：同意实施扩建。").await?;
                    set(&field("outcome"), "approved").await?;
                }
                "research" => {
                    b.find(Locator::Css(&field("body")))
                        .await?
                        .send_keys("调研报告：市场需求稳定，资源有保障。")
                        .await?
                }
                _ => b.find(Locator::Css(&field("body"))).await?.send_keys("已向董事会反馈党委意见。").await?,
            }
            b.find(Locator::Css(&format!("{form} button.primary"))).await?.click().await?;
            // The page comes back with the step done (a refusal would come
            // back with its message and the step still ready).
            let done = Locator::Css(&format!("#step-{code}[data-state=done]"));
            let mut ok = false;
            for _ in 0..100 {
                if !b.find_all(done).await?.is_empty() {
                    ok = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(ok, "{code} was not recorded: {}", b.source().await?);
            let step = b.find(Locator::Css(&format!("#step-{code}"))).await?.text().await?;
            assert!(step.contains("已完成"), "{code}: {step}");
        }
        // Approved: the topic is being executed, with the votes by name.
        let status = b.find(Locator::Css("h1 .tag")).await?.text().await?;
        assert_eq!(status, "执行中");
        let votes = b.find(Locator::Css("#step-discussion .record")).await?.text().await?;
        for want in ["张三", "李四", "赵六", "不同意", "工期偏紧", "到会表决 3 人：同意 2，不同意 1，弃权 0"]
        {
            assert!(votes.contains(want), "{want} in {votes}");
        }
        let risks = b.find(Locator::Css("#step-risk_assessment .record")).await?.text().await?;
        assert!(risks.contains("3 × 4 = 12（高）"), "{risks}");
        assert!(!b.find_all(Locator::Css("#step-execution[data-state=ready] form")).await?.is_empty());
        // The organisation's page lists it, and the metrics count it.
        b.goto(&format!("{base}/orgs/{}/decisions", fx.u1.id)).await?;
        let topics = b.find(Locator::Css("#topics")).await?.text().await?;
        assert!(topics.contains("一矿选煤厂扩建项目") && topics.contains("执行中"), "{topics}");
        b.find(Locator::Css(".stats .stat:first-child .sides a")).await?.click().await?;
        let drill = b.wait().for_element(Locator::Css("#drill")).await?.text().await?;
        assert!(drill.contains("一矿选煤厂扩建项目"), "{drill}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.expect("the decisions flow");
}

/// A member form over a tree too large to list: the organisation is found
/// by typing, Enter in the search asks for the list instead of reloading
/// the form, and what was typed in the form stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_the_branch_of_a_new_member_in_a_large_tree() {
    let Some((_driver, port)) = chromedriver() else { return };
    let app = TestApp::new(Backend::Sqlite).await;
    let actor = ronghe_store::Actor::system(app.fx.root.tenant_id, "test");
    for n in 0..205 {
        let org = ronghe_store::NewOrg {
            parent_id: Some(app.fx.u2.id),
            kind: ronghe_domain::org::OrgKind::Branch,
            code: format!("T{n:03}"),
            name: format!("测试支部{n:03}"),
            unit_name: "电厂".into(),
            established_on: None,
            term_start: None,
            term_end: None,
        };
        app.store.create_org(&actor, &org).await.unwrap();
    }
    let base = serve(&app).await;
    let b = browser(port).await;
    let result = async {
        b.goto(&format!("{base}/")).await?;
        b.find(Locator::Css("#username")).await?.send_keys("admin").await?;
        b.find(Locator::Css("#password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Css("form.form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".mainnav a")).await?;
        b.goto(&format!("{base}/orgs/{}/members/new", app.fx.root.id)).await?;
        b.find(Locator::Css("#name")).await?.send_keys("大树测试").await?;
        assert!(b.find(Locator::Css("#org_id option[value]")).await.is_ok());
        let search = b.find(Locator::Css("input[name=org_q]")).await?;
        search.send_keys("t204").await?;
        search.send_keys("\u{E007}").await?; // Enter
                                             // Read in one go: htmx replaces the options under the reader.
        let options = "return [...document.querySelectorAll('#org_id option')].map(o => o.textContent)";
        let mut listed: Vec<String> = Vec::new();
        for _ in 0..50 {
            listed = serde_json::from_value(b.execute(options, vec![]).await?).unwrap_or_default();
            if listed.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(listed, ["—", "测试支部204（T204）"], "the list follows the search");
        assert_eq!(b.find(Locator::Css("#name")).await?.prop("value").await?.as_deref(), Some("大树测试"));
        b.find(Locator::Css("#org_id option:nth-child(2)")).await?.click().await?;
        let id = id_number(4322);
        for (field, value) in
            [("#id_number", id.as_str()), ("#join_date", "2018-07-01"), ("#conversion_date", "2019-07-01")]
        {
            b.find(Locator::Css(field)).await?.send_keys(value).await?;
        }
        // The form's own button (the search's sits in the form too, but sends its own).
        submit(&b, ".member-form .buttons button.primary").await?;
        b.wait().for_element(Locator::XPath("//h1[contains(., '大树测试')]")).await?;
        assert!(b.source().await?.contains("测试支部204"));
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.expect("the browser flow");
}
