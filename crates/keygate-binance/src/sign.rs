//! Request signing: the query string Binance checks, and its HMAC-SHA256 signature.
//!
//! Every parameter travels in the query string (Binance accepts that for POST and DELETE too),
//! so the signed text is exactly the query before `&signature=`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::ApiSecret;

/// An endpoint's parameters, in the order they are sent.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.0.push((name, value.to_string()));
        self
    }

    /// Adds one when present.
    pub fn with_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.with(name, v),
            None => self,
        }
    }

    /// The URL-encoded query (`a=1&b=2`).
    pub fn encode(&self) -> String {
        serde_urlencoded::to_string(&self.0).unwrap_or_default()
    }
}

/// Hex HMAC-SHA256 of `payload` under `secret`.
pub fn signature(secret: &ApiSecret, payload: &str) -> String {
    // HMAC takes a key of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.expose()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The signed query: `params&timestamp=T&recvWindow=W&signature=S`.
pub fn signed_query(
    secret: &ApiSecret,
    params: &Params,
    timestamp: i64,
    recv_window: u64,
) -> String {
    let mut query = params
        .clone()
        .with("timestamp", timestamp)
        .with("recvWindow", recv_window)
        .encode();
    let sig = signature(secret, &query);
    query.push_str("&signature=");
    query.push_str(&sig);
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_binances_documented_example() {
        // The example of Binance's "SIGNED endpoint security" documentation.
        let secret =
            ApiSecret::new("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
        let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            signature(&secret, payload),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        );
    }

    #[test]
    fn values_are_url_encoded_before_signing() {
        let p = Params::new().with("symbols", "[\"BTCUSDT\",\"ETHUSDT\"]");
        assert_eq!(p.encode(), "symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D");
    }
}
