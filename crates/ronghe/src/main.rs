//! The `ronghe` binary: parses the command, loads the configuration, opens
//! the store, and hands over to the web layer or a command. It only wires.

mod bench;
mod cli;
mod commands;
mod config;
mod demo;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    let config = config::Config::load(cli.config.as_deref())?;
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(commands::run(cli.command, config))
}

fn init_logging(config: &config::Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// mimalloc serves every allocation in the process, SQLite's included (the
/// `override` feature replaces malloc and free). Under the roster's load,
/// glibc's malloc spent its time on arena locks: the SQLite driver
/// allocates each row's values on its connection's thread and the async
/// side frees them on another. Argon2's 19 MiB working memory is kept per
/// hashing thread by the store, so sign-in bursts no longer grow the heap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
