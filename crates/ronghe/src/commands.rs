//! What each command does, given the parsed command line and the config.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use ronghe_domain::auth::{check_password_policy, Role};
use ronghe_domain::i18n::{t, Lang};
use ronghe_store::{sqlite_path, Actor, Backend, ConnectOptions, DataKey, MemberFilter, NewUser, Org, Store};

use crate::cli::{
    BenchCommand, Command, ConfigCommand, DbArg, ExportCommand, ImportCommand, RulesCommand, UserCommand,
};
use crate::config::{Config, EXAMPLE};
use crate::demo;

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Demo { listen, data, db, members, reset, build_only } => {
            let store = demo_store(&config, &data, db.as_deref(), reset).await?;
            let started = std::time::Instant::now();
            let summary = demo::build(&store, members).await?;
            let listen = listen.unwrap_or(config.server.listen.parse()?);
            // A closed pipe (`ronghe demo | head`) is no reason to stop serving.
            let _ = writeln!(std::io::stdout(), "{}", summary.describe(listen, started.elapsed()));
            if build_only {
                return Ok(());
            }
            serve(store, &config, listen).await
        }
        Command::Serve { db, listen, create } => {
            let store = open(&config, &db, create).await?;
            store.migrate().await?;
            let listen = listen.unwrap_or(config.server.listen.parse()?);
            serve(store, &config, listen).await
        }
        Command::Migrate { db, create } => {
            let store = open(&config, &db, create).await?;
            store.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Verify { db } => {
            // Read only: a verifier applies no migrations.
            let store = open(&config, &db, false).await?;
            let (checked, problems) = store.verify_life_seals().await?;
            for p in &problems {
                let what = match p.problem {
                    "seal.record_changed" => "the record changed after it was sealed",
                    "seal.broken_link" => "the chain's link to the seal before it is broken",
                    _ => "marked sealed but has no seal",
                };
                println!(
                    "{} {} (organisation {}, seal {}) «{}»: {what}",
                    p.record, p.record_id, p.org_id, p.seq, p.title
                );
            }
            if problems.is_empty() {
                println!("{checked} sealed records verified: every chain holds");
                Ok(())
            } else {
                println!("{} of {checked} sealed records fail verification", problems.len());
                std::process::exit(1);
            }
        }
        Command::Remind { db, webhook, smtp, from, on } => {
            use ronghe_web::notify::{Sender, Smtp, Webhook};
            let store = open_migrated(&config, &db).await?;
            let state = ronghe_web::AppState::new(store, ronghe_web::WebConfig::default());
            let mut senders: Vec<Box<dyn Sender>> = Vec::new();
            if let Some(url) = webhook {
                senders.push(Box::new(Webhook::new(url)));
            }
            if let Some(relay) = smtp {
                senders.push(Box::new(Smtp { relay, from }));
            }
            let today = on.unwrap_or_else(|| state.today());
            let report = ronghe_web::app::reminders::run(&state, &senders, today)
                .await
                .map_err(|e| anyhow::anyhow!("reminders: {e:?}"))?;
            println!("{} new reminders on {today}", report.created);
            // Upkeep: logs of figure changes nobody has read lately.
            let folded = state.store.fold_all_figure_changes().await?;
            if folded > 0 {
                println!("{folded} logs of figure changes folded");
            }
            for (name, sent, failed) in &report.sent {
                println!("  {name}: {sent} sent, {failed} failed");
            }
            if report.sent.iter().any(|(_, _, failed)| *failed > 0) {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Import(ImportCommand::Members { db, org, dry_run, lang, file }) => {
            import_members(&config, &db, &org, dry_run, Lang::from_tag(&lang), &file).await
        }
        Command::Export(ExportCommand::Members { db, org, out, full, lang }) => {
            export_members(&config, &db, &org, &out, full, Lang::from_tag(&lang)).await
        }
        Command::User(UserCommand::Add { db, username, name, roles, member_id }) => {
            add_user(&config, &db, &username, &name, &roles, member_id).await
        }
        Command::User(UserCommand::List { db }) => {
            let store = open_migrated(&config, &db).await?;
            for root in store.tenant_roots().await? {
                for u in store.users(root.tenant_id).await? {
                    println!("{}\t{}\t{}", u.username, u.display_name, root.name);
                }
            }
            Ok(())
        }
        Command::Rules(RulesCommand::Load { db, file }) => {
            let store = open_migrated(&config, &db).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            for root in store.tenant_roots().await? {
                let pack = store
                    .load_rules(&Actor::system(root.tenant_id, "rules load"), &text)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("{}: {} rules {} in force from {}", root.name, pack.kind, pack.version, pack.effective_from);
            }
            Ok(())
        }
        Command::Rules(RulesCommand::Default { kind }) => {
            match kind.as_str() {
                "org" => print!("{}", ronghe_domain::org::rules_default_text()),
                "dues" => print!("{}", ronghe_domain::dues::DEFAULT_DUES_PACK),
                "development" => print!("{}", ronghe_domain::development::DEFAULT_DEVELOPMENT_PACK),
                "membership" => print!("{}", ronghe_domain::transfers::DEFAULT_MEMBERSHIP_PACK),
                "meetings" => print!("{}", ronghe_domain::meetings::DEFAULT_MEETINGS_PACK),
                "learning" => print!("{}", ronghe_domain::learning::DEFAULT_LEARNING_PACK),
                "decisions" => print!("{}", ronghe_domain::decisions::DEFAULT_DECISIONS_PACK),
                other => {
                    anyhow::bail!(
                        "no rule pack of kind {other:?} (use org, dues, development, membership, meetings, learning or decisions)"
                    )
                }
            }
            Ok(())
        }
        Command::Bench(BenchCommand::Rollup { db, repeat }) => {
            crate::bench::rollups(&open_migrated(&config, &db).await?, repeat).await
        }
        Command::Bench(BenchCommand::Figures { db, repeat }) => {
            crate::bench::figures(&open_migrated(&config, &db).await?, repeat).await
        }
        Command::Bench(BenchCommand::Import { db, rows }) => {
            crate::bench::import(&open_migrated(&config, &db).await?, rows).await
        }
        Command::Bench(BenchCommand::Heartbeats { db, url, learners, beats }) => {
            crate::bench::heartbeats(&open_migrated(&config, &db).await?, url.trim_end_matches('/'), learners, beats)
                .await
        }
        Command::Bench(BenchCommand::Size { db }) => {
            let url = db_url(&config, &db)?;
            crate::bench::size(&open_migrated(&config, &db).await?, &url).await
        }
        Command::Config(ConfigCommand::Example) => {
            print!("{EXAMPLE}");
            Ok(())
        }
    }
}

fn db_url(config: &Config, db: &DbArg) -> anyhow::Result<String> {
    db.db
        .clone()
        .or_else(|| config.database.url.clone())
        .context("no database given: pass --db URL, set RONGHE_DB, or set database.url in the config file")
}

/// The data key: RONGHE_DATA_KEY / `data_key`, else the key file, else
/// (SQLite only) `PATH.key` beside the database, made when the database is.
fn data_key(config: &Config, url: &str, create: bool) -> anyhow::Result<DataKey> {
    if let Some(hex) = &config.security.data_key {
        return DataKey::from_hex(hex);
    }
    let file = match (&config.security.data_key_file, sqlite_path(url)) {
        (Some(f), _) => f.clone(),
        (None, Some(path)) => PathBuf::from(format!("{path}.key")),
        (None, None) => bail!("PostgreSQL needs a data key: set RONGHE_DATA_KEY or RONGHE_DATA_KEY_FILE"),
    };
    if file.exists() {
        return DataKey::from_hex(
            &std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?,
        );
    }
    if !create {
        bail!("the data key file {} does not exist", file.display());
    }
    let key = DataKey::generate();
    write_secret(&file, &key.to_hex())?;
    Ok(key)
}

fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

async fn open(config: &Config, db: &DbArg, create: bool) -> anyhow::Result<Store> {
    let url = db_url(config, db)?;
    open_url(config, &url, create).await
}

async fn open_url(config: &Config, url: &str, create: bool) -> anyhow::Result<Store> {
    if let Some(path) = sqlite_path(url) {
        if !create && !Path::new(path).exists() {
            bail!("the SQLite database {path} does not exist (pass --create to make a new one)");
        }
        if create {
            if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
        }
    }
    let key = data_key(config, url, create)?;
    Store::connect(ConnectOptions {
        url: url.to_string(),
        create,
        max_connections: config.database.max_connections,
        key,
    })
    .await
}

async fn open_migrated(config: &Config, db: &DbArg) -> anyhow::Result<Store> {
    let store = open(config, db, false).await?;
    store.migrate().await?;
    Ok(store)
}

async fn demo_store(config: &Config, data: &Path, db: Option<&str>, reset: bool) -> anyhow::Result<Store> {
    let url = match db {
        Some(url) => url.to_string(),
        None => {
            std::fs::create_dir_all(data)?;
            let path = data.join("ronghe-demo.sqlite3");
            format!("sqlite://{}", path.display())
        }
    };
    if let Some(path) = sqlite_path(&url) {
        // A fresh demo every time: the old file, its WAL and its key go.
        for suffix in ["", "-wal", "-shm", ".key"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
    let mut config = config.clone();
    if Backend::of_url(&url) == Some(Backend::Postgres)
        && config.security.data_key.is_none()
        && config.security.data_key_file.is_none()
    {
        // The demo's PostgreSQL key is printed, not kept: it is demo data.
        let key = DataKey::generate();
        println!("demo data key (set RONGHE_DATA_KEY to serve this database again): {}", key.to_hex());
        config.security.data_key = Some(key.to_hex());
    }
    let store = open_url(&config, &url, true).await?;
    if reset {
        store.reset_postgres().await?;
    }
    store.migrate().await?;
    if !store.tenant_roots().await?.is_empty() {
        bail!("the database at {url} already holds data; use an empty database or pass --reset");
    }
    Ok(store)
}

async fn serve(store: Store, config: &Config, listen: SocketAddr) -> anyhow::Result<()> {
    let state = ronghe_web::AppState::new(store.clone(), config.web());
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    tracing::info!(%listen, backend = ?store.backend(), "serving");
    ronghe_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// An organisation by code in any group of the database.
async fn org_by_code(store: &Store, code: &str) -> anyhow::Result<Org> {
    let mut found = Vec::new();
    for root in store.tenant_roots().await? {
        if let Ok(o) = store.org_by_code(root.tenant_id, code).await {
            found.push(o);
        }
    }
    match found.len() {
        0 => bail!("no organisation has the code {code}"),
        1 => Ok(found.remove(0)),
        _ => bail!("the code {code} exists in several groups"),
    }
}

async fn import_members(
    config: &Config,
    db: &DbArg,
    code: &str,
    dry_run: bool,
    lang: Lang,
    file: &Path,
) -> anyhow::Result<()> {
    let store = open_migrated(config, db).await?;
    let org = org_by_code(&store, code).await?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let today = (chrono::Utc::now() + chrono::Duration::hours(config.server.utc_offset_hours.into())).date_naive();
    let report = ronghe_web::app::roster_import::analyse(&store, &org, name, &bytes, today, lang, &|_| true)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !report.problems.is_empty() {
        eprintln!(
            "{}",
            ronghe_domain::i18n::tf(lang, "import.has_problems_count", &[("count", report.problems.len().to_string())])
        );
        for p in &report.problems {
            let row = if p.row == 0 { t(lang, "import.header").to_string() } else { p.row.to_string() };
            eprintln!("  {} {row}\t{} {}\t{}", t(lang, "import.row"), t(lang, "import.column"), p.column, p.message);
        }
        std::process::exit(2);
    }
    if dry_run {
        println!("{}", ronghe_domain::i18n::tf(lang, "import.ready", &[("count", report.ready.len().to_string())]));
        return Ok(());
    }
    let actor = Actor::system(org.tenant_id, "import");
    let n =
        ronghe_web::app::roster_import::commit(&store, &actor, &report).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{}", ronghe_domain::i18n::tf(lang, "import.done", &[("count", n.to_string())]));
    Ok(())
}

async fn export_members(
    config: &Config,
    db: &DbArg,
    code: &str,
    out: &Path,
    full: bool,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = open_migrated(config, db).await?;
    let org = org_by_code(&store, code).await?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let kind = ronghe_exchange::FileKind::from_name(name).context("the output file must end in .xlsx or .csv")?;
    let filter = MemberFilter { root_path: org.path.clone(), ..Default::default() };
    let actor = Actor::system(org.tenant_id, "export");
    let bytes = ronghe_web::app::roster_import::export(&store, &actor, &org, &filter, full, kind, lang)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}

async fn add_user(
    config: &Config,
    db: &DbArg,
    username: &str,
    name: &str,
    roles: &[String],
    member_id: Option<i64>,
) -> anyhow::Result<()> {
    let store = open_migrated(config, db).await?;
    let mut bindings = Vec::new();
    let mut tenant = None;
    for spec in roles {
        let (role, code) = spec.split_once('@').context("a role is written ROLE@ORGCODE")?;
        let role = Role::from_code(role).with_context(|| format!("unknown role {role}"))?;
        let org = org_by_code(&store, code).await?;
        if tenant.is_some_and(|t| t != org.tenant_id) {
            bail!("all roles of one account must be in the same group");
        }
        tenant = Some(org.tenant_id);
        bindings.push((role, org.id));
    }
    let mut held = Vec::new();
    for (role, _) in &bindings {
        if let Err(key) = ronghe_domain::auth::may_add_role(&held, *role) {
            bail!("{}", t(Lang::Zh, key));
        }
        held.push(*role);
    }
    let password = match std::env::var("RONGHE_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("password (one line on standard input):");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if let Err(e) = check_password_policy(username, &password) {
        bail!("{}", t(Lang::Zh, e.key()));
    }
    let tenant_id = tenant.context("at least one --role is needed")?;
    let id = store
        .create_user(
            &Actor::system(tenant_id, "user add"),
            &NewUser {
                tenant_id,
                username: username.into(),
                display_name: name.into(),
                password,
                member_id,
                roles: bindings,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("created user {username} (id {id})");
    Ok(())
}
