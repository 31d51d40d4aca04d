//! Measurements `scripts/bench` runs inside the binary, each against a
//! baseline in the same run: maintained roll-ups against the recursive
//! query a DBA would write, and a validated import against a raw bulk
//! insert of the same rows. Results are printed as `RESULT` lines.

use std::time::{Duration, Instant};

use anyhow::Context;
use ronghe_domain::i18n::Lang;
use ronghe_store::{Actor, NewOrg, Org, RawRow, Store};

use crate::demo::names::Work;
use crate::demo::People;

/// The median of `n` timed runs of `f`.
async fn median<F, Fut, T>(n: usize, mut f: F) -> anyhow::Result<(Duration, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n.max(1) {
        let start = Instant::now();
        last = Some(f().await?);
        times.push(start.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], last.expect("ran at least once")))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The root, a unit (the first mine) and a branch (the demo's branch A).
async fn sample_orgs(store: &Store) -> anyhow::Result<Vec<(&'static str, Org)>> {
    let root = store.tenant_roots().await?.into_iter().next().context("the database holds no group")?;
    let unit =
        store.org_by_code(root.tenant_id, "DL").await.context("no unit DL: build the database with ronghe demo")?;
    let branch = store.org_by_code(root.tenant_id, "DL-ZC1").await.context("no branch DL-ZC1")?;
    Ok(vec![("root", root), ("unit", unit), ("branch", branch)])
}

/// Roll-ups for the root, a unit and a branch: maintained against the
/// recursive query, which must give the same figures.
pub async fn rollups(store: &Store, repeat: usize) -> anyhow::Result<()> {
    for (label, org) in sample_orgs(store).await? {
        let (kept_t, kept) = median(repeat, || async { Ok(store.rollup(org.id).await?) }).await?;
        let naive_repeat = if label == "root" { repeat.min(5) } else { repeat };
        let (naive_t, naive) = median(naive_repeat, || async { Ok(store.naive_rollup(org.id).await?) }).await?;
        anyhow::ensure!(kept == naive, "the maintained roll-up of {} differs from the recursive query", org.code);
        println!(
            "RESULT rollup {label} id={} members={} maintained_ms={:.3} recursive_ms={:.3} speedup={:.1}",
            org.id,
            kept.total(),
            ms(kept_t),
            ms(naive_t),
            naive_t.as_secs_f64() / kept_t.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// Subtree figures cached per node (meeting compliance of this quarter, the
/// dues year, the study report, the decision metrics) for the root, a unit and a branch: read from the cache (the
/// figure version's query and a lookup) against computing them from the
/// records, as the first view after a change does; both must agree.
pub async fn figures(store: &Store, repeat: usize) -> anyhow::Result<()> {
    use ronghe_web::app::{decisions, dues, learning, life};
    // Every first count is waited for, however long: the bench times it.
    let config = ronghe_web::WebConfig {
        figure_patience: ronghe_web::cache::Patience {
            slow: Duration::MAX,
            wait: Duration::from_secs(3600),
            limit: Duration::from_secs(3600),
        },
        ..Default::default()
    };
    let state = ronghe_web::AppState::new(store.clone(), config);
    let today = state.today();
    let (year, quarter) = life::quarter_or_current(&state, None, None);
    for (label, org) in sample_orgs(store).await? {
        let (org, state) = (&org, &state);
        let compliance = measure_figure(
            repeat,
            || async move { current(life::compliance(state, org, year, quarter).await?) },
            || async move {
                life::compute_compliance(state, org, year, quarter, today, false).await.map_err(anyhow::Error::from)
            },
        )
        .await?;
        let dues = measure_figure(
            repeat,
            || async move { current(dues::subtree_year(state, org, year).await?) },
            || async move { dues::compute_subtree_year(state, org, year, today).await.map_err(anyhow::Error::from) },
        )
        .await?;
        // The study report as of one minute, so that both agree on it.
        let now_ms = chrono::Utc::now().timestamp_millis();
        let study = measure_figure(
            repeat,
            || async move { learning::report_at(state, org, year, now_ms).await.map_err(anyhow::Error::from) },
            || async move {
                learning::compute_report(state, org, year, today, now_ms.div_euclid(60_000) * 60_000)
                    .await
                    .map_err(anyhow::Error::from)
            },
        )
        .await?;
        let decisions = measure_figure(
            repeat,
            || async move { decisions::kept_metrics(state, org, year, None).await.map_err(anyhow::Error::from) },
            || async move { decisions::compute_metrics(state, org, year, None).await.map_err(anyhow::Error::from) },
        )
        .await?;
        for (figure, line) in [("compliance", compliance), ("dues", dues), ("study", study), ("decisions", decisions)] {
            println!("RESULT figures {figure}_{label} id={} {line}", org.id);
        }
    }
    Ok(())
}

/// A figure counted at the records' current version.
fn current<V>(figure: ronghe_web::cache::Figure<V>) -> anyhow::Result<std::sync::Arc<V>> {
    match figure {
        ronghe_web::cache::Figure::Current(v) => Ok(v),
        ronghe_web::cache::Figure::Earlier { .. } => anyhow::bail!("the figure answered was an earlier count"),
        ronghe_web::cache::Figure::Counting => anyhow::bail!("the figure was still being counted"),
    }
}

/// Times a figure read through the node's cache against computing it, and
/// checks that the two agree: `cached_ms=… computed_ms=… speedup=…`, with
/// `cached_ms=none` when the figure lists more rows than the cache keeps.
async fn measure_figure<T, C, CF, F, FF>(repeat: usize, cached: C, compute: F) -> anyhow::Result<String>
where
    T: serde::Serialize,
    C: Fn() -> CF,
    CF: std::future::Future<Output = anyhow::Result<std::sync::Arc<T>>>,
    F: Fn() -> FF,
    FF: std::future::Future<Output = anyhow::Result<T>>,
{
    let start = Instant::now();
    let warm = cached().await?;
    // A computation of seconds (a national root's) is timed once.
    let computations = if start.elapsed() > Duration::from_secs(1) { 1 } else { repeat.min(7) };
    let start = Instant::now();
    let again = cached().await?;
    let once = start.elapsed();
    if !std::sync::Arc::ptr_eq(&warm, &again) {
        // Not kept (heavier than the cache holds): every read computes it,
        // so one more timing is all there is to measure.
        anyhow::ensure!(
            serde_json::to_value(&*warm)? == serde_json::to_value(&*again)?,
            "two computations of a figure differ"
        );
        return Ok(format!("cached_ms=none computed_ms={:.3} speedup=none", ms(once)));
    }
    let (cached_t, again) = median(repeat, &cached).await?;
    let (computed_t, computed) = median(computations, &compute).await?;
    anyhow::ensure!(
        serde_json::to_value(&*again)? == serde_json::to_value(&computed)?,
        "a cached figure differs from a fresh computation"
    );
    Ok(format!(
        "cached_ms={:.3} computed_ms={:.3} speedup={:.1}",
        ms(cached_t),
        ms(computed_t),
        computed_t.as_secs_f64() / cached_t.as_secs_f64().max(1e-9)
    ))
}

/// Imports `rows` new members from a CSV through the full checks into a
/// new branch, against two baselines: what the import writes, written by
/// the database alone from a staged table (the floor under any import on
/// this database), and the same people loaded raw into a bare table.
pub async fn import(store: &Store, rows: usize) -> anyhow::Result<()> {
    let root = store.tenant_roots().await?.into_iter().next().context("the database holds no group")?;
    let unit =
        store.org_by_code(root.tenant_id, "DL").await.context("no unit DL: build the database with ronghe demo")?;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let actor = Actor::system(root.tenant_id, "bench");
    let stamp = chrono::Utc::now().timestamp();
    let new_branch = |code: String, name: &'static str| {
        let org = NewOrg {
            unit_name: unit.unit_name.clone(),
            ..NewOrg::under(unit.id, ronghe_domain::org::OrgKind::Branch, code, name)
        };
        let actor = &actor;
        async move { store.create_org(actor, &org).await.map_err(|e| anyhow::anyhow!("{e}")) }
    };
    let branch = new_branch(format!("BENCH-{stamp}"), "导入测试党支部").await?;
    let floor_branch = new_branch(format!("BENCH-DB-{stamp}"), "导入基线党支部").await?;

    // Region codes of this run only (Beijing's province prefix, random
    // districts), so that identity numbers never meet the group's or an
    // earlier run's.
    let seed = chrono::Utc::now().timestamp_micros() as u64;
    let regions: Vec<u32> = (0..8).map(|i| 110000 + ((seed / 7 + i * 977) % 9000 + 1000) as u32).collect();
    let mut people = People::new(seed, today, regions);
    let mut csv =
        String::from("姓名,性别,民族,出生日期,身份证号码,学历,工作岗位,工作单位,联系电话,党员类别,入党日期,转正日期\n");
    let mut raw = Vec::with_capacity(rows);
    let mut drafts = Vec::with_capacity(rows);
    for _ in 0..rows {
        let d = people.person(Work::Face, false);
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            d.name,
            d.gender.label_zh(),
            d.ethnicity,
            d.birth_date,
            d.id_number.as_str(),
            d.education.map(|e| e.label_zh()).unwrap_or_default(),
            d.post,
            "东岭煤矿",
            d.phone.as_ref().map(|p| p.as_str()).unwrap_or_default(),
            d.category.label_zh(),
            d.join_date,
            d.conversion_date.map(|c| c.to_string()).unwrap_or_default(),
        ));
        raw.push(RawRow {
            name: d.name.clone(),
            gender: d.gender.code().into(),
            birth_date: d.birth_date,
            id_number: d.id_number.as_str().into(),
            category: d.category.code().into(),
            join_date: d.join_date,
        });
        drafts.push(d);
    }
    let bytes = csv.into_bytes();

    // The database alone first, so that the import meets the larger
    // tables: the comparison leans against Ronghe, not for it.
    let floor_t =
        store.bench_database_insert(&actor, floor_branch.id, &drafts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(drafts);

    let start = Instant::now();
    let report =
        ronghe_web::app::roster_import::analyse(store, &branch, "bench.csv", &bytes, today, Lang::Zh, &|_| true)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let checked = start.elapsed();
    anyhow::ensure!(
        report.problems.is_empty(),
        "the generated file has problems: {:?}",
        &report.problems[..report.problems.len().min(3)]
    );
    let n = ronghe_web::app::roster_import::commit(store, &actor, &report).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let total = start.elapsed();
    let raw_t = store.bench_raw_insert(&raw).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "RESULT import rows={n} import_s={:.2} check_s={:.2} rows_per_s={:.0} database_s={:.2} database_rows_per_s={:.0} \
         raw_s={:.2} raw_rows_per_s={:.0}",
        total.as_secs_f64(),
        checked.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        floor_t.as_secs_f64(),
        rows as f64 / floor_t.as_secs_f64(),
        raw_t.as_secs_f64(),
        rows as f64 / raw_t.as_secs_f64()
    );
    Ok(())
}

/// The database's size: PostgreSQL reports it; SQLite's is its files.
pub async fn size(store: &Store, url: &str) -> anyhow::Result<()> {
    let bytes = match store.postgres_size().await.map_err(|e| anyhow::anyhow!("{e}"))? {
        Some(b) => b as u64,
        None => {
            let path = ronghe_store::sqlite_path(url).context("not a SQLite URL")?;
            ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{path}{s}")).ok()).map(|m| m.len()).sum()
        }
    };
    println!("RESULT size bytes={bytes}");
    Ok(())
}

/// `learners` members of the group, each signed in, send `beats` heartbeats
/// from an open lesson all at the same moment (each round starts when the
/// last has been answered), against a running server at `base`. Prints the
/// throughput, p50 and p99 of the beats, and how many were credited, in
/// one `RESULT` line. Baseline: the same number of requests to `/livez`
/// sent the same way.
pub async fn heartbeats(store: &Store, base: &str, learners: usize, beats: usize) -> anyhow::Result<()> {
    let root = store.tenant_roots().await?.into_iter().next().context("the database holds no group")?;
    let course = store
        .courses_for(&root.path)
        .await?
        .into_iter()
        .find(|c| c.org_id == root.id)
        .context("no course offered by the group: build the database with ronghe demo")?;
    let lesson = store.course_lessons(course.id).await?.first().context("a course without lessons")?.id;
    let sessions = store.bench_learner_sessions(root.tenant_id, &root.path, learners, 3_600_000).await?;
    anyhow::ensure!(sessions.len() == learners, "only {} members could be signed in", sessions.len());
    let client = reqwest::Client::builder().pool_max_idle_per_host(learners).build()?;
    let url = format!("{base}/api/v1/lessons/{lesson}/heartbeat");

    // The baseline: the same rounds of requests to the bare endpoint.
    let livez = format!("{base}/livez");
    let (bare_rps, bare_p50, bare_p99, _) = rounds(beats, learners, |_, _| {
        let client = client.clone();
        let url = livez.clone();
        async move { Ok(client.get(url).send().await?.status().is_success()) }
    })
    .await?;

    let tabs: Vec<String> =
        (0..learners).map(|i| format!("bench-{}-{i}", chrono::Utc::now().timestamp_millis())).collect();
    let (rps, p50, p99, ok) = rounds(beats, learners, |i, round| {
        let client = client.clone();
        let url = url.clone();
        let (_, token, csrf) = sessions[i].clone();
        let body = serde_json::json!({
            "tab": tabs[i], "seq": round + 1, "client_ms": chrono::Utc::now().timestamp_millis(),
            "visible": true, "active": true,
        });
        async move {
            let r = client
                .post(url)
                .header("cookie", format!("{}={token}", ronghe_web::SESSION_COOKIE))
                .header("x-csrf-token", csrf)
                .json(&body)
                .send()
                .await?;
            Ok(r.status().is_success())
        }
    })
    .await?;
    println!(
        "RESULT heartbeats learners={learners} beats={} ok={ok} rps={rps:.0} p50_ms={p50:.1} p99_ms={p99:.1} bare_rps={bare_rps:.0} bare_p50_ms={bare_p50:.1} bare_p99_ms={bare_p99:.1}",
        learners * beats
    );
    Ok(())
}

/// Runs `rounds` rounds of `n` requests started at once; returns the
/// requests per second over the whole run, the p50 and p99 latency in ms,
/// and how many succeeded.
async fn rounds<F, Fut>(rounds: usize, n: usize, mut make: F) -> anyhow::Result<(f64, f64, f64, usize)>
where
    F: FnMut(usize, usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>> + Send + 'static,
{
    let mut latencies = Vec::with_capacity(rounds * n);
    let mut ok = 0;
    let start = Instant::now();
    for round in 0..rounds {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            let request = make(i, round);
            set.spawn(async move {
                let t = Instant::now();
                let r = request.await;
                (t.elapsed(), r)
            });
        }
        while let Some(done) = set.join_next().await {
            let (took, r) = done?;
            latencies.push(took);
            if matches!(r, Ok(true)) {
                ok += 1;
            }
        }
    }
    let wall = start.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| ms(latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)]);
    Ok((latencies.len() as f64 / wall, at(0.50), at(0.99), ok))
}
