//! Configuration: built-in defaults, then an optional TOML file, then
//! `RONGHE_…` environment variables, then command-line flags (applied by
//! the caller). Secrets are redacted in `Debug`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub security: SecurityConfig,
    pub log: LogConfig,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub url: Option<String>,
    pub max_connections: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    pub secure_cookies: bool,
    pub request_timeout_secs: u64,
    pub max_body_mb: usize,
    pub max_media_mb: usize,
    pub utc_offset_hours: i32,
}

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// 64 hex digits; prefer `data_key_file` or the environment.
    pub data_key: Option<String>,
    pub data_key_file: Option<PathBuf>,
    pub idle_timeout_minutes: u64,
    pub session_max_age_hours: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `ronghe_web=debug,info`.
    pub level: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: None, max_connections: 16 }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            request_timeout_secs: 30,
            max_body_mb: 20,
            max_media_mb: 200,
            utc_offset_hours: 8,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig { data_key: None, data_key_file: None, idle_timeout_minutes: 30, session_max_age_hours: 12 }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: "text".into(), level: "info".into() }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &self.database)
            .field("server", &self.server)
            .field("security", &self.security)
            .field("log", &self.log)
            .finish()
    }
}

impl std::fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityConfig")
            .field("data_key", &self.data_key.as_ref().map(|_| "<redacted>"))
            .field("data_key_file", &self.data_key_file)
            .field("idle_timeout_minutes", &self.idle_timeout_minutes)
            .field("session_max_age_hours", &self.session_max_age_hours)
            .finish()
    }
}

impl Config {
    /// Defaults, the file (if any), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let env_file = std::env::var_os("RONGHE_CONFIG").map(PathBuf::from);
        let mut cfg = match file.map(Path::to_path_buf).or(env_file) {
            Some(path) => {
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        let parse_bool = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on");
        if let Some(v) = get("RONGHE_DB") {
            self.database.url = Some(v);
        }
        if let Some(v) = get("RONGHE_DB_MAX_CONNECTIONS") {
            self.database.max_connections = v.parse().context("RONGHE_DB_MAX_CONNECTIONS")?;
        }
        if let Some(v) = get("RONGHE_LISTEN") {
            self.server.listen = v;
        }
        if let Some(v) = get("RONGHE_SECURE_COOKIES") {
            self.server.secure_cookies = parse_bool(&v);
        }
        if let Some(v) = get("RONGHE_DATA_KEY") {
            self.security.data_key = Some(v);
        }
        if let Some(v) = get("RONGHE_DATA_KEY_FILE") {
            self.security.data_key_file = Some(v.into());
        }
        if let Some(v) = get("RONGHE_IDLE_TIMEOUT_MINUTES") {
            self.security.idle_timeout_minutes = v.parse().context("RONGHE_IDLE_TIMEOUT_MINUTES")?;
        }
        if let Some(v) = get("RONGHE_LOG") {
            self.log.level = v;
        }
        if let Some(v) = get("RONGHE_LOG_FORMAT") {
            self.log.format = v;
        }
        Ok(())
    }

    pub fn web(&self) -> ronghe_web::WebConfig {
        ronghe_web::WebConfig {
            idle_timeout: Duration::from_secs(self.security.idle_timeout_minutes * 60),
            session_max_age: Duration::from_secs(self.security.session_max_age_hours * 3600),
            secure_cookies: self.server.secure_cookies,
            max_body_bytes: self.server.max_body_mb * 1024 * 1024,
            max_media_bytes: self.server.max_media_mb * 1024 * 1024,
            request_timeout: Duration::from_secs(self.server.request_timeout_secs),
            utc_offset_hours: self.server.utc_offset_hours,
            ..Default::default()
        }
    }
}

/// The commented example printed by `ronghe config example`.
pub const EXAMPLE: &str = r#"# Ronghe configuration. Every setting is optional; the values shown are the
# defaults. Environment variables (RONGHE_…) override this file, and
# command-line flags override both. Point at this file with --config FILE
# or RONGHE_CONFIG.

[database]
# sqlite://PATH (one file; the default store) or postgres://USER@HOST/DB
# (several app nodes behind a load balancer). Env: RONGHE_DB.
# url = "sqlite://data/ronghe.sqlite3"
# Connections per app node. On PostgreSQL half of them serve the short reads
# every page makes and half the writes and long reads. Env: RONGHE_DB_MAX_CONNECTIONS.
max_connections = 16

[server]
# Address to listen on. Env: RONGHE_LISTEN.
listen = "127.0.0.1:8080"
# Mark cookies Secure; turn on behind HTTPS. Env: RONGHE_SECURE_COOKIES.
secure_cookies = false
request_timeout_secs = 30
# Largest upload (roster spreadsheets), in MiB.
max_body_mb = 20
# Largest lesson file (PDF, video, audio), in MiB; kept in the database in
# chunks and served with range requests.
max_media_mb = 200
# Local time for "today" in rules and deadlines (China Standard Time: 8).
utc_offset_hours = 8

[security]
# The key that encrypts ID numbers and phones at rest (SM4-GCM): 64 hex
# digits. Keep it out of the database and out of this file where you can:
# RONGHE_DATA_KEY, or a file readable only by the service (RONGHE_DATA_KEY_FILE).
# With SQLite and neither set, Ronghe uses PATH.key beside the database file.
# data_key_file = "/etc/ronghe/data.key"
# Sign out after this many minutes without a request (MLPS: session timeout).
idle_timeout_minutes = 30
# Sign out after this many hours in any case.
session_max_age_hours = 12

[log]
# "text" for people, "json" for a log collector. Env: RONGHE_LOG_FORMAT.
format = "text"
# A tracing filter. Env: RONGHE_LOG.
level = "info"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_to_the_defaults() {
        let from_example: Config = toml::from_str(EXAMPLE).unwrap();
        let d = Config::default();
        assert_eq!(from_example.server.listen, d.server.listen);
        assert_eq!(from_example.database.max_connections, d.database.max_connections);
        assert_eq!(from_example.security.idle_timeout_minutes, d.security.idle_timeout_minutes);
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c: Config = toml::from_str("[server]\nlisten = \"0.0.0.0:1\"\n").unwrap();
        c.apply_env(|k| match k {
            "RONGHE_LISTEN" => Some("127.0.0.1:9".into()),
            "RONGHE_DATA_KEY" => Some("ab".repeat(32)),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:9");
        assert!(!format!("{c:?}").contains(&"ab".repeat(32)), "the key is redacted");
    }

    #[test]
    fn unknown_settings_are_refused() {
        assert!(toml::from_str::<Config>("[server]\nlisten_on = \"x\"\n").is_err());
    }
}
