//! keygate's settings: one typed tree read from the environment (and an optional `.env`, loaded by
//! the binary before this runs). Secrets are wrapped so `Debug` never shows them.

mod limits;
mod metrics;
mod secrets;
pub mod secrets_file;
mod shared_limits;
mod websocket;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use limits::{
    parse_windows, BanSettings, RateLimitSettings, RateWindow, TrafficSettings, MAX_IP_WINDOWS,
};
pub use metrics::MetricsSettings;
pub use secrets::{SecretSettings, FERNET_VAR, PEPPER_VAR, SECRETS_FILE, SECRETS_FILE_VAR};
pub use shared_limits::SharedLimitSettings;
pub use websocket::{is_authority, PublicWsUrl, WsSettings};

/// Development generates missing secrets; production refuses to start without strong ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local use: missing secrets are generated once into `secrets.env` in the data directory.
    Development,
    /// A deployment: every secret must be set and strong.
    Production,
}

/// Why the settings could not be loaded. Each message names the variable and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Everything keygate reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `KEYGATE_ENV`: `development` (default) or `production`.
    pub environment: Environment,
    /// `KEYGATE_BIND`: the HTTP listener, default `127.0.0.1:5000`. Port 0 picks a free port.
    pub bind: SocketAddr,
    /// `KEYGATE_DATA_DIR`: where the SQLite file and generated secrets live, default `./data`.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: default the SQLite file `keygate.db` in the data directory.
    pub database_url: DatabaseUrl,
    /// `KEYGATE_STATIC_DIR`: the built SPA served at `/`, default `./dist`.
    pub static_dir: PathBuf,
    /// `KEYGATE_COOKIE_SECURE`: mark the session cookie `Secure`; default true in production.
    pub cookie_secure: bool,
    /// `KEYGATE_CORS_ORIGINS`: comma-separated origins allowed to call with credentials (e.g. a
    /// `trunk serve` development server). Default: none.
    pub cors_origins: Vec<String>,
    /// `KEYGATE_MAX_KEYS_PER_USER`: default 20.
    pub max_keys_per_user: u32,
    /// `KEYGATE_KEY_POLL_MS`: how often other processes' key changes are picked up, default 250.
    pub key_poll_ms: u64,
    /// `KEYGATE_MAX_BODY_BYTES`: largest accepted JSON body, default 65536.
    pub max_body_bytes: usize,
    /// `KEYGATE_BODY_TIMEOUT_MS`: a request body must arrive whole within this long of the
    /// request's start, or the request is refused (a client that stalls mid-body holds nothing
    /// for longer). Default 10000.
    pub body_timeout_ms: u64,
    /// `KEYGATE_LOGIN_PER_MINUTE` / `KEYGATE_LOGIN_PER_HOUR`: login attempts per IP and per
    /// username, default 5 and 25.
    pub login_per_minute: u32,
    /// See `login_per_minute`.
    pub login_per_hour: u32,
    /// Rate-limit categories (`KEYGATE_RATE_*`).
    pub rate_limits: RateLimitSettings,
    /// `KEYGATE_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` is believed. Default: none.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The traffic log (`KEYGATE_TRAFFIC_*`).
    pub traffic: TrafficSettings,
    /// The security monitor (`KEYGATE_BAN_*`).
    pub bans: BanSettings,
    /// The secrets (pepper, Fernet keys, session secret).
    pub secrets: SecretSettings,
    /// The Action Center and webhooks (`KEYGATE_PENDING_TTL_SECS`, ...).
    pub action_center: ActionCenterSettings,
    /// The market-data WebSocket feed (`KEYGATE_WS_*`).
    pub ws: WsSettings,
    /// Rate limits shared through Redis (`KEYGATE_REDIS_*`); `None`: each process limits alone.
    pub shared_limits: Option<SharedLimitSettings>,
    /// The Prometheus metrics endpoint (`KEYGATE_METRICS_*`).
    pub metrics: MetricsSettings,
}

/// How queued (semi-auto) orders and webhook alerts are handled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionCenterSettings {
    /// `KEYGATE_PENDING_TTL_SECS`: a pending order expires after this, default 900 (15 minutes).
    pub pending_ttl_secs: u64,
    /// `KEYGATE_APPROVAL_MAX_MOVE_PCT`: approving warns (409) when the price moved more than this
    /// many percent since queueing, unless confirmed; default 2.0.
    pub max_move_pct: f64,
    /// `KEYGATE_WEBHOOK_DEDUP_SECS`: the same alert delivered again within this window is
    /// ignored, default 60.
    pub webhook_dedup_secs: u64,
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests). In development, a
    /// missing secret is taken from `secrets.env` in the data directory, or generated into it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let environment = match get("KEYGATE_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "KEYGATE_ENV must be `development` or `production`, not `{other}`"
                )))
            }
        };
        let bind = parse_or(
            &get,
            "KEYGATE_BIND",
            "127.0.0.1:5000".parse().expect("valid"),
        )?;
        let data_dir = PathBuf::from(get("KEYGATE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("keygate.db").display()
            )
        });
        let static_dir = PathBuf::from(get("KEYGATE_STATIC_DIR").unwrap_or_else(|| "dist".into()));
        let production = environment == Environment::Production;
        let cookie_secure = parse_or(&get, "KEYGATE_COOKIE_SECURE", production)?;
        let cors_origins = get("KEYGATE_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let secrets = SecretSettings::load(environment, &data_dir, &get)?;
        let login_per_minute = parse_or(&get, "KEYGATE_LOGIN_PER_MINUTE", 5)?;
        let login_per_hour = parse_or(&get, "KEYGATE_LOGIN_PER_HOUR", 25)?;
        let rate_limits = RateLimitSettings::load(&get, login_per_minute, login_per_hour)?;
        let traffic = TrafficSettings {
            retention_days: parse_or(&get, "KEYGATE_TRAFFIC_RETENTION_DAYS", 30)?,
            queue: parse_or(&get, "KEYGATE_TRAFFIC_QUEUE", 32_768usize)?.max(1),
            batch: parse_or(&get, "KEYGATE_TRAFFIC_BATCH", 500usize)?.clamp(1, 1000),
            flush_ms: parse_or(&get, "KEYGATE_TRAFFIC_FLUSH_MS", 50)?,
            connections: traffic_connections(&get)?,
        };
        let bans = BanSettings {
            threshold: parse_or(&get, "KEYGATE_BAN_THRESHOLD", 20)?,
            window_secs: parse_or(&get, "KEYGATE_BAN_WINDOW_SECS", 600u64)?.max(1),
            ban_secs: parse_or(&get, "KEYGATE_BAN_SECS", 3600u64)?.max(1),
            forget_days: parse_or(&get, "KEYGATE_BAN_FORGET_DAYS", 7)?,
        };
        let action_center = ActionCenterSettings {
            pending_ttl_secs: parse_or(&get, "KEYGATE_PENDING_TTL_SECS", 900u64)?.max(1),
            max_move_pct: parse_or(&get, "KEYGATE_APPROVAL_MAX_MOVE_PCT", 2.0f64)?,
            webhook_dedup_secs: parse_or(&get, "KEYGATE_WEBHOOK_DEDUP_SECS", 60u64)?,
        };
        if !action_center.max_move_pct.is_finite() || action_center.max_move_pct < 0.0 {
            return Err(ConfigError(
                "KEYGATE_APPROVAL_MAX_MOVE_PCT must be a non-negative number".into(),
            ));
        }
        Ok(Self {
            action_center,
            environment,
            bind,
            database_url: DatabaseUrl(database_url),
            static_dir,
            cookie_secure,
            cors_origins,
            max_keys_per_user: parse_or(&get, "KEYGATE_MAX_KEYS_PER_USER", 20)?,
            key_poll_ms: parse_or(&get, "KEYGATE_KEY_POLL_MS", 250)?,
            max_body_bytes: parse_or(&get, "KEYGATE_MAX_BODY_BYTES", 64 * 1024)?,
            body_timeout_ms: parse_or(&get, "KEYGATE_BODY_TIMEOUT_MS", 10_000u64)?.max(1),
            login_per_minute,
            login_per_hour,
            rate_limits,
            trusted_proxies: limits::parse_trusted_proxies(get("KEYGATE_TRUSTED_PROXIES"))?,
            traffic,
            bans,
            data_dir,
            secrets,
            ws: WsSettings::load(&get)?,
            shared_limits: SharedLimitSettings::load(&get)?,
            metrics: MetricsSettings::load(&get)?,
        })
    }
}

/// The most traffic-log transactions in flight `KEYGATE_TRAFFIC_CONNECTIONS` may ask for.
const MAX_TRAFFIC_CONNECTIONS: usize = 8;

/// `KEYGATE_TRAFFIC_CONNECTIONS`, refused outside 1 to [`MAX_TRAFFIC_CONNECTIONS`].
fn traffic_connections(get: &impl Fn(&str) -> Option<String>) -> Result<usize, ConfigError> {
    let connections = parse_or(get, "KEYGATE_TRAFFIC_CONNECTIONS", MAX_TRAFFIC_CONNECTIONS)?;
    if (1..=MAX_TRAFFIC_CONNECTIONS).contains(&connections) {
        Ok(connections)
    } else {
        Err(ConfigError(format!(
            "KEYGATE_TRAFFIC_CONNECTIONS must be between 1 and {MAX_TRAFFIC_CONNECTIONS}, not {connections}"
        )))
    }
}

fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name} has an invalid value `{}`", raw.trim()))),
    }
}

/// A database URL. It may carry a password, so `Debug` and [`DatabaseUrl::redacted`] print it
/// without one; it dereferences to the full URL for connecting.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL with its password replaced by `[redacted]`, for logs.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let creds = &url[scheme + 3..at];
                let user = creds.split(':').next().unwrap_or_default();
                format!(
                    "{}://{}:[redacted]@{}",
                    &url[..scheme],
                    user,
                    &url[at + 1..]
                )
            }
            _ => url.clone(),
        }
    }
}

impl std::ops::Deref for DatabaseUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

#[cfg(test)]
mod database_url_tests {
    use super::DatabaseUrl;

    #[test]
    fn debug_of_a_database_url_hides_its_password() {
        let url = DatabaseUrl("postgres://app:hunter22@db:5432/keygate".into());
        let text = format!("{url:?}");
        assert!(
            !text.contains("hunter22") && text.contains("app:[redacted]@db"),
            "{text}"
        );
        assert_eq!(&*url, "postgres://app:hunter22@db:5432/keygate");
    }
}
