//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "ronghe", version, about = "融合 Ronghe: the 党建融合+ party-building platform")]
pub struct Cli {
    /// A TOML configuration file (see `ronghe config example`).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone, Debug)]
pub struct DbArg {
    /// `sqlite://PATH` or `postgres://…` (default: RONGHE_DB or the config file).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Build a fresh demo database, print the demo accounts, and serve it.
    Demo {
        /// Address to listen on.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Folder for the demo's SQLite file and key.
        #[arg(long, value_name = "DIR", default_value = "data")]
        data: PathBuf,
        /// Build in this database instead (it must be empty, or pass --reset).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// Members in the demo group (the shape scales with it).
        #[arg(long, value_name = "N", default_value_t = 4000)]
        members: usize,
        /// Empty a PostgreSQL database given with --db first.
        #[arg(long)]
        reset: bool,
        /// Build the database and exit without serving (benchmarks).
        #[arg(long)]
        build_only: bool,
    },
    /// Serve an existing database.
    Serve {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Create a SQLite file that does not exist yet.
        #[arg(long)]
        create: bool,
    },
    /// Apply pending migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArg,
        /// Create a SQLite file that does not exist yet.
        #[arg(long)]
        create: bool,
    },
    /// Check every sealed record against its organisation's SM3 hash chain: exits 1 and names
    /// each meeting changed since it was sealed, each broken link and each seal missing.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// Record the reminders due today (meetings falling due that have not been held) for every
    /// secretary, in-app, and send the new ones by webhook and email when given. Run it from
    /// cron, daily: a reminder is made once however often it runs.
    Remind {
        #[command(flatten)]
        db: DbArg,
        /// POST each new reminder as JSON to this URL.
        #[arg(long, value_name = "URL")]
        webhook: Option<String>,
        /// Email each new reminder through this SMTP relay (`host:port`) to users with an address.
        #[arg(long, value_name = "HOST:PORT")]
        smtp: Option<String>,
        /// The sender's address for email.
        #[arg(long, value_name = "ADDR", default_value = "ronghe@localhost")]
        from: String,
        /// Remind as of this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: Option<chrono::NaiveDate>,
    },
    /// Import records.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export records.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Measurements for scripts/bench (each against a baseline).
    #[command(subcommand, hide = true)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Maintained roll-ups against the recursive query.
    Rollup {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 21)]
        repeat: usize,
    },
    /// Subtree figures read from a node's cache against computing them.
    Figures {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 21)]
        repeat: usize,
    },
    /// A validated import against a raw bulk insert of the same rows.
    Import {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
    },
    /// Learners sending heartbeats at once to a running server, against
    /// the same requests to its bare endpoint.
    Heartbeats {
        #[command(flatten)]
        db: DbArg,
        /// The running server, e.g. http://127.0.0.1:8090.
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 10_000)]
        learners: usize,
        /// Rounds: every learner beats once per round.
        #[arg(long, default_value_t = 3)]
        beats: usize,
    },
    /// The database's size on disk.
    Size {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import a roster (.xlsx or .csv): all rows or, on any problem, none.
    Members {
        #[command(flatten)]
        db: DbArg,
        /// Code of the organisation rows go to (and whose subtree a branch column searches).
        #[arg(long, value_name = "CODE")]
        org: String,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Language of the report: zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Export a subtree's roster; the format follows the extension (.xlsx or .csv).
    Members {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_name = "CODE")]
        org: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Write ID numbers and phones in full (audited) instead of masked.
        #[arg(long)]
        full: bool,
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from RONGHE_PASSWORD or,
    /// if unset, from the first line of standard input.
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// The name shown in the interface.
        #[arg(long)]
        name: String,
        /// ROLE@ORGCODE, repeatable. Roles: member, secretary,
        /// committee_member, group_admin, system_admin, security_admin, audit_admin.
        #[arg(long = "role", value_name = "ROLE@ORGCODE", required = true)]
        roles: Vec<String>,
        /// The roster record of the user, if they are a member.
        #[arg(long)]
        member_id: Option<i64>,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
pub enum RulesCommand {
    /// Load a revised rule pack (TOML; its `kind` says which: org, dues, development, membership, meetings or
    /// learning) for every group in
    /// the database.
    Load {
        #[command(flatten)]
        db: DbArg,
        file: PathBuf,
    },
    /// Print a shipped rule pack, to start a revision from.
    Default {
        /// Which pack: org (organisation rules), dues (party dues), development (member
        /// development), membership (transfers, members away, lost contact), meetings
        /// (organisational life) or learning (class hours, heartbeats).
        #[arg(long, default_value = "org")]
        kind: String,
    },
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
}
