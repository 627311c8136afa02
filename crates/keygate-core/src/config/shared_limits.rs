//! Rate limits shared through Redis (`KEYGATE_REDIS_*`): unset, every process limits on its own
//! (the default for one instance). The URL is parsed here, at start-up, so a typo stops the
//! server instead of silently leaving each instance with its own budget; it may hold a password,
//! so no message repeats it and `Debug` shows only the address.

use std::time::Duration;

use redis::{ConnectionInfo, IntoConnectionInfo};

use super::ConfigError;

/// Where shared rate-limit decisions are made.
#[derive(Debug, Clone)]
pub struct SharedLimitSettings {
    /// `KEYGATE_REDIS_URL`: `redis://[user:password@]host[:port][/db]` or `unix:///path`.
    /// (`ConnectionInfo`'s `Debug` redacts the password.)
    pub connection: ConnectionInfo,
    /// `KEYGATE_REDIS_PREFIX`: the namespace of every key keygate writes, default `keygate`;
    /// instances that share limits share it.
    pub prefix: String,
    /// `KEYGATE_REDIS_TIMEOUT_MS`: the longest a request waits for Redis (connecting or deciding)
    /// before the local limiter decides instead. Default 50.
    pub timeout: Duration,
}

/// The longest `KEYGATE_REDIS_TIMEOUT_MS` accepted: a limit check may delay a request this long.
const MAX_TIMEOUT_MS: u64 = 5_000;

impl SharedLimitSettings {
    /// Reads `KEYGATE_REDIS_*` through `get`; `None` when `KEYGATE_REDIS_URL` is unset.
    pub fn load(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let Some(raw) = get("KEYGATE_REDIS_URL") else {
            return Ok(None);
        };
        let connection = parse_url(raw.trim())?;
        let prefix = get("KEYGATE_REDIS_PREFIX").unwrap_or_else(|| "keygate".into());
        let prefix = prefix.trim();
        let prefix_ok = (1..=64).contains(&prefix.len())
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if !prefix_ok {
            return Err(ConfigError(format!(
                "KEYGATE_REDIS_PREFIX has an invalid value `{prefix}` (1 to 64 letters, digits, `-`, `_`, `.` or `:`)"
            )));
        }
        let timeout_ms: u64 = super::parse_or(get, "KEYGATE_REDIS_TIMEOUT_MS", 50)?;
        if !(1..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
            return Err(ConfigError(format!(
                "KEYGATE_REDIS_TIMEOUT_MS must be between 1 and {MAX_TIMEOUT_MS}, not {timeout_ms}"
            )));
        }
        Ok(Some(Self {
            connection,
            prefix: prefix.to_owned(),
            timeout: Duration::from_millis(timeout_ms),
        }))
    }
}

/// The URL's connection details; errors never quote it (it may carry a password).
fn parse_url(raw: &str) -> Result<ConnectionInfo, ConfigError> {
    const FORM: &str = "redis://[user:password@]host[:port][/db] or unix:///path/to/redis.sock";
    let url = redis::parse_redis_url(raw).ok_or_else(|| {
        ConfigError(format!(
            "KEYGATE_REDIS_URL is not a Redis URL (expected {FORM})"
        ))
    })?;
    if matches!(url.scheme(), "rediss" | "valkeys") {
        return Err(ConfigError(
            "KEYGATE_REDIS_URL: TLS (`rediss://`) is not supported; reach Redis over a private network or a Unix socket".into(),
        ));
    }
    // redis's parse errors are fixed texts ("Missing hostname", "Invalid database number").
    url.into_connection_info().map_err(|e| {
        ConfigError(format!(
            "KEYGATE_REDIS_URL is not a usable Redis URL ({e}; expected {FORM})"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Option<SharedLimitSettings>, ConfigError> {
        SharedLimitSettings::load(&|name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn unset_means_local_limits_and_defaults_apply_when_set() {
        assert!(load(&[]).unwrap().is_none());
        let shared = load(&[("KEYGATE_REDIS_URL", "redis://127.0.0.1:6379/2")])
            .unwrap()
            .unwrap();
        assert_eq!(shared.prefix, "keygate");
        assert_eq!(shared.timeout, Duration::from_millis(50));
    }

    #[test]
    fn bad_urls_prefixes_and_timeouts_are_refused_without_echoing_the_url() {
        for url in [
            "localhost:6379",
            "http://127.0.0.1:6379",
            "redis://",
            "rediss://h:6379",
            "redis://:s3cret@127.0.0.1:6379/notadb",
        ] {
            let error = load(&[("KEYGATE_REDIS_URL", url)]).unwrap_err().0;
            assert!(error.starts_with("KEYGATE_REDIS_URL"), "{url}: {error}");
            assert!(!error.contains("s3cret"), "{error}");
        }
        let url = ("KEYGATE_REDIS_URL", "redis://127.0.0.1");
        assert!(load(&[url, ("KEYGATE_REDIS_PREFIX", "a b")]).is_err());
        assert!(load(&[url, ("KEYGATE_REDIS_PREFIX", "{x}")]).is_err());
        assert!(load(&[url, ("KEYGATE_REDIS_TIMEOUT_MS", "0")]).is_err());
        assert!(load(&[url, ("KEYGATE_REDIS_TIMEOUT_MS", "soon")]).is_err());
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let shared = load(&[("KEYGATE_REDIS_URL", "redis://u:s3cret@127.0.0.1:6379")])
            .unwrap()
            .unwrap();
        assert!(!format!("{shared:?}").contains("s3cret"));
    }
}
