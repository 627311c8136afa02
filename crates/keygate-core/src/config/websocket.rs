//! The market-data WebSocket feed's settings (`KEYGATE_WS_*`).

use std::net::SocketAddr;

use super::ConfigError;

/// Where and how the WebSocket feed runs. The timings follow OpenAlgo's `WS_*` defaults; they are
/// settings so tests can shorten them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsSettings {
    /// `KEYGATE_WS_BIND`: the feed's own listener, default `127.0.0.1:8765` (OpenAlgo's port, which
    /// the SDK and Bruno assume). Port 0 picks a free port; `off` serves the feed only at `/ws` on
    /// the HTTP listener.
    pub bind: Option<SocketAddr>,
    /// `KEYGATE_WS_AUTH_GRACE_MS`: a connection that has not authenticated by then is closed with
    /// code 4401. Default 15000.
    pub auth_grace_ms: u64,
    /// `KEYGATE_WS_PING_INTERVAL_MS`: how often the server sends protocol pings. Default 20000.
    pub ping_interval_ms: u64,
    /// `KEYGATE_WS_PING_TIMEOUT_MS`: a client silent for a ping interval plus this long is dropped.
    /// Default 20000.
    pub ping_timeout_ms: u64,
    /// `KEYGATE_WS_KEY_CHECK_MS`: how often an authenticated connection re-checks its key (through
    /// the verifier's cache), so a revoked or rolled key's sockets close. Default 1000.
    pub key_check_ms: u64,
    /// `KEYGATE_WS_SEND_QUEUE`: frames queued per connection; a client that falls this far behind
    /// is disconnected. Default 1024.
    pub send_queue: usize,
    /// `KEYGATE_WS_MAX_SUBSCRIPTIONS`: (symbol, exchange, mode) subscriptions per connection.
    /// Default 1000.
    pub max_subscriptions: usize,
    /// `KEYGATE_WS_MAX_PER_IP`: open connections per client address (IPv6: per /64), over both
    /// listeners; more are refused with 429 before the upgrade. Default 20.
    pub max_per_ip: usize,
    /// `KEYGATE_WS_MAX_PER_KEY`: open connections authenticated with one API key; another is
    /// refused at authentication (close 4429). Default 10.
    pub max_per_key: usize,
    /// `KEYGATE_WS_MAX_MESSAGES_PER_SEC`: frames a client may send per second; a client that
    /// sends more is disconnected (close 1008). Default 100.
    pub max_messages_per_sec: u32,
}

impl WsSettings {
    /// Reads the `KEYGATE_WS_*` variables through `get`.
    pub fn load(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind = match get("KEYGATE_WS_BIND").as_deref().map(str::trim) {
            None => Some("127.0.0.1:8765".parse().expect("valid")),
            Some("off") | Some("none") => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                ConfigError(format!(
                    "KEYGATE_WS_BIND has an invalid value `{raw}` (an address like 127.0.0.1:8765, or `off`)"
                ))
            })?),
        };
        Ok(Self {
            bind,
            auth_grace_ms: super::parse_or(get, "KEYGATE_WS_AUTH_GRACE_MS", 15_000u64)?.max(1),
            ping_interval_ms: super::parse_or(get, "KEYGATE_WS_PING_INTERVAL_MS", 20_000u64)?
                .max(1),
            ping_timeout_ms: super::parse_or(get, "KEYGATE_WS_PING_TIMEOUT_MS", 20_000u64)?.max(1),
            key_check_ms: super::parse_or(get, "KEYGATE_WS_KEY_CHECK_MS", 1_000u64)?.max(1),
            send_queue: super::parse_or(get, "KEYGATE_WS_SEND_QUEUE", 1024usize)?.max(8),
            max_subscriptions: super::parse_or(get, "KEYGATE_WS_MAX_SUBSCRIPTIONS", 1000usize)?
                .max(1),
            max_per_ip: super::parse_or(get, "KEYGATE_WS_MAX_PER_IP", 20usize)?.max(1),
            max_per_key: super::parse_or(get, "KEYGATE_WS_MAX_PER_KEY", 10usize)?.max(1),
            max_messages_per_sec: super::parse_or(get, "KEYGATE_WS_MAX_MESSAGES_PER_SEC", 100u32)?
                .max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<WsSettings, ConfigError> {
        WsSettings::load(&|name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_feed_listens_on_openalgos_port_by_default_and_can_be_turned_off() {
        let defaults = load(&[]).unwrap();
        assert_eq!(defaults.bind, Some("127.0.0.1:8765".parse().unwrap()));
        assert_eq!(defaults.auth_grace_ms, 15_000);
        assert_eq!(defaults.ping_interval_ms, 20_000);
        assert_eq!(load(&[("KEYGATE_WS_BIND", "off")]).unwrap().bind, None);
        assert_eq!(
            load(&[("KEYGATE_WS_BIND", "0.0.0.0:0")]).unwrap().bind,
            Some("0.0.0.0:0".parse().unwrap())
        );
        let error = load(&[("KEYGATE_WS_BIND", "8765")]).unwrap_err();
        assert!(error.0.contains("KEYGATE_WS_BIND"), "{error}");
        assert!(load(&[("KEYGATE_WS_AUTH_GRACE_MS", "soon")]).is_err());
        assert_eq!((defaults.max_per_ip, defaults.max_per_key), (20, 10));
        assert_eq!(defaults.max_messages_per_sec, 100);
        assert!(load(&[("KEYGATE_WS_MAX_PER_KEY", "-1")]).is_err());
    }
}
