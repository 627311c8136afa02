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
    /// `KEYGATE_WS_PUBLIC_URL`: the feed's URL as clients must write it (e.g.
    /// `wss://trade.example.com/ws` behind a TLS proxy); told to the web app in the session info
    /// and allowed by its content security policy. Unset: `/ws` on the address a request reached.
    pub public_url: Option<PublicWsUrl>,
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
        let public_url = match get("KEYGATE_WS_PUBLIC_URL").as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(PublicWsUrl::parse(raw).map_err(|why| {
                ConfigError(format!(
                    "KEYGATE_WS_PUBLIC_URL has an invalid value `{raw}`: {why} (e.g. wss://trade.example.com/ws)"
                ))
            })?),
        };
        Ok(Self {
            bind,
            public_url,
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

/// A WebSocket URL for clients: `ws://` or `wss://`, a host (name, IPv4 or bracketed IPv6) with
/// an optional port, and an optional path; no user info, query or fragment, at most 255 bytes.
/// Its origin goes into a `Content-Security-Policy` header, so only these characters pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicWsUrl {
    url: String,
    /// Length of `scheme://authority`.
    origin_len: usize,
}

impl PublicWsUrl {
    /// Checks `raw`; the error says what is wrong.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.len() > 255 {
            return Err("longer than 255 characters");
        }
        let rest = raw
            .strip_prefix("ws://")
            .or_else(|| raw.strip_prefix("wss://"))
            .ok_or("it must start with ws:// or wss://")?;
        let authority_len = rest.find('/').unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_len);
        if !is_authority(authority) {
            return Err("the host must be a name or address with an optional port");
        }
        let path_ok = path.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~' | b'%')
        });
        if !path_ok {
            return Err("the path may hold only letters, digits and / - . _ ~ %");
        }
        Ok(Self {
            url: raw.to_owned(),
            origin_len: raw.len() - path.len(),
        })
    }

    /// The whole URL.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `scheme://host[:port]`, for a content security policy.
    pub fn origin(&self) -> &str {
        &self.url[..self.origin_len]
    }
}

/// `host[:port]` with a DNS name, an IPv4 address or a bracketed IPv6 address: what may follow
/// `ws://` (no user info). Also used for the `Host` a request names.
pub fn is_authority(text: &str) -> bool {
    let (host, port) = match text.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((address, port)) => {
                if address.parse::<std::net::Ipv6Addr>().is_err() {
                    return false;
                }
                (None, port)
            }
            None => return false,
        },
        None => match text.split_once(':') {
            Some((host, _)) => (Some(host), &text[host.len()..]),
            None => (Some(text), ""),
        },
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok());
    let host_ok = host.is_none_or(|h| {
        !h.is_empty()
            && h.len() <= 253
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    });
    port_ok && host_ok
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
        assert_eq!(defaults.public_url, None);
        assert!(load(&[("KEYGATE_WS_MAX_PER_KEY", "-1")]).is_err());
    }

    #[test]
    fn a_public_feed_url_is_a_plain_ws_or_wss_url() {
        let url = load(&[("KEYGATE_WS_PUBLIC_URL", "wss://trade.example.com/ws")])
            .unwrap()
            .public_url
            .unwrap();
        assert_eq!(url.as_str(), "wss://trade.example.com/ws");
        assert_eq!(url.origin(), "wss://trade.example.com");
        let url = PublicWsUrl::parse("ws://[::1]:8765").unwrap();
        assert_eq!(url.origin(), "ws://[::1]:8765");
        for bad in [
            "http://example.com/ws",
            "wss://",
            "wss://user@example.com/ws",
            "wss://example.com/ws?x=1",
            "wss://example.com:99999999/ws",
            "wss://example.com/ws; script-src *",
            "wss://[nope]/ws",
        ] {
            assert!(PublicWsUrl::parse(bad).is_err(), "{bad}");
        }
        let error = load(&[("KEYGATE_WS_PUBLIC_URL", "ftp://x")]).unwrap_err();
        assert!(error.0.contains("KEYGATE_WS_PUBLIC_URL"), "{error}");
    }
}
