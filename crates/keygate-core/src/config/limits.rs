//! Rate-limit, traffic-log and security-monitor settings.
//!
//! A rate category is a list of windows, `N/period` each, comma-separated: `10/s,200/min`. A
//! request must fit every window of its category. `off` (or an empty list) turns a category off.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::ConfigError;

/// One rate window: at most `count` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateWindow {
    /// Requests allowed per period (at least 1).
    pub count: u32,
    /// The period.
    pub period: Duration,
}

impl RateWindow {
    /// Parses `N/unit` or `N/<k>unit`, where unit is `s`, `sec`, `second`, `m`, `min`, `minute`,
    /// `h`, `hour`, `d` or `day` (plural forms allowed): `10/s`, `200/min`, `100/10s`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (count, period) = raw.trim().split_once('/')?;
        let count: u32 = count.trim().parse().ok().filter(|n| *n > 0)?;
        let period = period.trim().to_ascii_lowercase();
        let split = period
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(period.len());
        let (multiplier, unit) = period.split_at(split);
        let multiplier: u64 = if multiplier.is_empty() {
            1
        } else {
            multiplier.parse().ok().filter(|m| *m > 0)?
        };
        let unit_secs = match unit.trim().trim_end_matches('s') {
            "" if unit.trim() == "s" => 1,
            "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hr" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return None,
        };
        Some(Self {
            count,
            period: Duration::from_secs(multiplier.checked_mul(unit_secs)?),
        })
    }

    /// The window in words, as 429 messages say it: `10 per 1 second`, `200 per 1 minute`.
    pub fn describe(&self) -> String {
        let secs = self.period.as_secs();
        let (n, unit) = if secs.is_multiple_of(86_400) {
            (secs / 86_400, "day")
        } else if secs.is_multiple_of(3600) {
            (secs / 3600, "hour")
        } else if secs.is_multiple_of(60) {
            (secs / 60, "minute")
        } else {
            (secs, "second")
        };
        let plural = if n == 1 { "" } else { "s" };
        format!("{} per {n} {unit}{plural}", self.count)
    }
}

impl fmt::Display for RateWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Parses a comma-separated list of windows; `off`, `none` and `0` give an empty list.
pub fn parse_windows(name: &str, raw: &str) -> Result<Vec<RateWindow>, ConfigError> {
    let raw = raw.trim();
    if matches!(raw.to_ascii_lowercase().as_str(), "off" | "none" | "0" | "") {
        return Ok(Vec::new());
    }
    raw.split(',')
        .map(|part| {
            RateWindow::parse(part).ok_or_else(|| {
                ConfigError(format!(
                    "{name}: `{}` is not a rate like `10/s`, `200/min` or `25/hour`",
                    part.trim()
                ))
            })
        })
        .collect()
}

/// The rate-limit categories. Key-authenticated routes count per key, the rest per client IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// `KEYGATE_RATE_ORDERS`: place/modify/cancel/smart orders, per key. Default `10/s`.
    pub orders: Vec<RateWindow>,
    /// `KEYGATE_RATE_DATA`: data and account queries (and ping), per key. Default `30/s`.
    pub data: Vec<RateWindow>,
    /// `KEYGATE_RATE_WEBHOOK`: webhooks, per client IP. Default `20/min`.
    pub webhook: Vec<RateWindow>,
    /// `KEYGATE_RATE_LOGIN`: sign-in attempts, per client IP and per username. Default
    /// `5/min,25/hour` (or `KEYGATE_LOGIN_PER_MINUTE` / `KEYGATE_LOGIN_PER_HOUR`).
    pub login: Vec<RateWindow>,
    /// `KEYGATE_RATE_DEFAULT`: every other `/api` route, per client IP. Default `50/s,1000/min`.
    pub default: Vec<RateWindow>,
    /// `KEYGATE_RATE_API_PER_IP`: every `/api/v1` call per client IP, counted before any key
    /// work, so a key spray from one address is cut off early. Default `200/2s` (100 a second
    /// with bursts of 200: far above what one heavy trading bot sends).
    pub api_per_ip: Vec<RateWindow>,
}

/// Most windows of a per-IP middleware category (`webhook`, `login`, `default`).
pub const MAX_IP_WINDOWS: usize = 3;

impl RateLimitSettings {
    pub(super) fn load(
        get: &impl Fn(&str) -> Option<String>,
        login_per_minute: u32,
        login_per_hour: u32,
    ) -> Result<Self, ConfigError> {
        let category = |name: &str, default: &str| {
            parse_windows(name, &get(name).unwrap_or_else(|| default.to_owned()))
        };
        let legacy_login = [(login_per_minute, 60), (login_per_hour, 3600)]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, secs)| format!("{n}/{secs}s"))
            .collect::<Vec<_>>()
            .join(",");
        let ip_category = |name: &str, default: &str| {
            let windows = category(name, default)?;
            if windows.len() > MAX_IP_WINDOWS {
                return Err(ConfigError(format!(
                    "{name}: at most {MAX_IP_WINDOWS} windows, not {}",
                    windows.len()
                )));
            }
            Ok(windows)
        };
        Ok(Self {
            orders: category("KEYGATE_RATE_ORDERS", "10/s")?,
            data: category("KEYGATE_RATE_DATA", "30/s")?,
            webhook: ip_category("KEYGATE_RATE_WEBHOOK", "20/min")?,
            login: ip_category("KEYGATE_RATE_LOGIN", &legacy_login)?,
            default: ip_category("KEYGATE_RATE_DEFAULT", "50/s,1000/min")?,
            api_per_ip: category("KEYGATE_RATE_API_PER_IP", "200/2s")?,
        })
    }
}

/// `KEYGATE_TRUSTED_PROXIES`: comma-separated addresses and CIDR blocks.
pub fn parse_trusted_proxies(raw: Option<String>) -> Result<Vec<IpNet>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    ConfigError(format!(
                        "KEYGATE_TRUSTED_PROXIES: `{p}` is not an IP address or CIDR block"
                    ))
                })
        })
        .collect()
}

/// The traffic log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficSettings {
    /// `KEYGATE_TRAFFIC_RETENTION_DAYS`: rows older than this are purged daily. Default 30.
    pub retention_days: u32,
    /// `KEYGATE_TRAFFIC_QUEUE`: rows one worker thread may have waiting for the writer; beyond
    /// it that thread's rows are dropped and counted. Default 32768 (at 50,000 requests a second
    /// over two workers, over a second of slack for a slow write).
    pub queue: usize,
    /// `KEYGATE_TRAFFIC_BATCH`: the unit of a write; one transaction takes at most 20 of them
    /// (when a backlog waits). Default 500.
    pub batch: usize,
    /// `KEYGATE_TRAFFIC_FLUSH_MS`: longest a row waits before it is written. Default 50: the
    /// writer's memory grows with the rows of one flush (an unknown-key flood with 100,000 keys
    /// peaked at 92 MB resident with 200 ms, 75 MB with 50 ms, at the same request rate), and
    /// 20 small transactions a second cost the database nothing measurable.
    pub flush_ms: u64,
    /// `KEYGATE_TRAFFIC_CONNECTIONS`: on PostgreSQL, transactions the writer keeps in flight, each
    /// on a connection of its own, so one's `COPY` runs while another commits. Default 8, also
    /// the most accepted (bench/load.sh's ping on 2 cores: 1 dropped 1-20 % of the rows, 2 up to
    /// 8 %, 4 none up to ~65k req/s but 1.4-1.7 % above it, 8 none at 57-69k req/s;
    /// docs/PERFORMANCE.md); SQLite always writes one at a time.
    pub connections: usize,
}

/// The security monitor (bans for repeated invalid keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanSettings {
    /// `KEYGATE_BAN_THRESHOLD`: invalid-key attempts from one IP within the window that earn a ban;
    /// 0 turns banning off. Default 20.
    pub threshold: u32,
    /// `KEYGATE_BAN_WINDOW_SECS`: default 600.
    pub window_secs: u64,
    /// `KEYGATE_BAN_SECS`: the first ban's length; each repeat doubles it. Default 3600.
    pub ban_secs: u64,
    /// `KEYGATE_BAN_FORGET_DAYS`: a ban's row is deleted (and its offence count forgotten) this
    /// many days after it ended. Default 7; 0 deletes it at the next hourly purge.
    pub forget_days: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_in_all_spellings() {
        let w = parse_windows("X", "10/s, 200/min,25/hour,100/10s,1/day").unwrap();
        let secs: Vec<_> = w.iter().map(|w| (w.count, w.period.as_secs())).collect();
        assert_eq!(
            secs,
            [(10, 1), (200, 60), (25, 3600), (100, 10), (1, 86_400)]
        );
        assert_eq!(w[0].describe(), "10 per 1 second");
        assert_eq!(w[1].describe(), "200 per 1 minute");
        assert_eq!(w[3].describe(), "100 per 10 seconds");
        assert!(parse_windows("X", "off").unwrap().is_empty());
        assert!(parse_windows("X", "10/fortnight").is_err());
        assert!(parse_windows("X", "0/s").is_err());
    }

    #[test]
    fn trusted_proxies_take_addresses_and_blocks() {
        let p = parse_trusted_proxies(Some("10.0.0.0/8, 127.0.0.1,::1".into())).unwrap();
        assert_eq!(p.len(), 3);
        assert!(parse_trusted_proxies(Some("nope".into())).is_err());
    }

    #[test]
    fn per_ip_categories_take_at_most_three_windows() {
        let get = |name: &str| {
            (name == "KEYGATE_RATE_DEFAULT").then(|| "1/s,2/min,3/hour,4/day".to_owned())
        };
        let error = RateLimitSettings::load(&get, 5, 25).unwrap_err();
        assert!(error.0.contains("at most 3 windows"), "{error:?}");
        let defaults = RateLimitSettings::load(&|_: &str| None, 5, 25).unwrap();
        assert_eq!(defaults.api_per_ip[0].count, 200);
        assert_eq!(defaults.api_per_ip[0].period.as_secs(), 2);
    }
}
