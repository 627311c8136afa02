//! One connection's settings: where the exchange is, the credentials and the client's limits.

use std::fmt;
use std::time::Duration;

/// Binance's production Spot REST endpoint.
pub const PRODUCTION_URL: &str = "https://api.binance.com";
/// Binance's Spot testnet.
pub const TESTNET_URL: &str = "https://testnet.binance.vision";

/// The connection's API secret. `Debug` prints `[redacted]`; the only way to read it is
/// [`ApiSecret::expose`], used by the signer alone.
#[derive(Clone)]
pub struct ApiSecret(String);

impl ApiSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret's bytes, for the HMAC key.
    pub(crate) fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Settings of one Binance spot connection.
#[derive(Debug, Clone)]
pub struct BinanceConfig {
    /// Base URL without a trailing slash ([`PRODUCTION_URL`], [`TESTNET_URL`] or a mock's).
    pub base_url: String,
    /// The exchange API key (sent as `X-MBX-APIKEY`; not secret, but shown only masked).
    pub api_key: String,
    /// The exchange API secret.
    pub secret: ApiSecret,
    /// The asset whose balance is the account's cash (`funds`), and the quote asset holdings are
    /// valued in (`BTC` is shown as `BTCUSDT`).
    pub quote_asset: String,
    /// The pairs whose trades `trade_book` lists (Binance answers trades per symbol only).
    pub symbols: Vec<String>,
    /// `recvWindow` sent with every signed request, in milliseconds (Binance allows ≤ 60000).
    pub recv_window_ms: u64,
    /// Deadline of one HTTP request, connect included.
    pub timeout: Duration,
    /// Request weight per minute the client allows itself: it waits for the next minute rather
    /// than go past it (Binance bans at 6000; the default keeps a margin).
    pub weight_budget: u32,
}

impl BinanceConfig {
    /// Production defaults for a key pair: USDT as cash, 5 s recvWindow, 10 s timeout, a
    /// 5000-per-minute weight budget and no trade-book symbols.
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>, secret: ApiSecret) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            secret,
            quote_asset: "USDT".into(),
            symbols: Vec::new(),
            recv_window_ms: 5_000,
            timeout: Duration::from_secs(10),
            weight_budget: 5_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let config = BinanceConfig::new(PRODUCTION_URL, "key", ApiSecret::new("s3cr3t-value"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
