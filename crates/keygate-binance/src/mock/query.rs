//! A request's parameters as the mock reads them: signature and timestamp checked, each
//! parameter read by name into a type, and the request refused if one was sent but never read
//! (Binance's `-1104`).

use std::str::FromStr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::state::MockError;

/// The parsed query of one request.
#[derive(Debug)]
pub struct Query {
    params: Vec<(String, String)>,
    read: Vec<bool>,
}

impl Query {
    /// Parses a raw query string (`-1100` if it is not URL-encoded pairs).
    pub fn parse(raw: &str) -> Result<Self, MockError> {
        let params: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|_| MockError::bad(-1100, "Illegal characters found in a parameter."))?;
        let read = vec![false; params.len()];
        Ok(Self { params, read })
    }

    fn find(&mut self, name: &str) -> Option<String> {
        let i = self.params.iter().position(|(k, _)| k == name)?;
        self.read[i] = true;
        Some(self.params[i].1.clone()).filter(|v| !v.is_empty())
    }

    /// A mandatory parameter.
    pub fn req<T: FromStr>(&mut self, name: &str) -> Result<T, MockError> {
        self.opt(name)?.ok_or_else(|| mandatory(name))
    }

    /// An optional parameter (malformed when present and not a `T`).
    pub fn opt<T: FromStr>(&mut self, name: &str) -> Result<Option<T>, MockError> {
        match self.find(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| mandatory(name)),
        }
    }

    /// Refuses the request when a parameter was sent but not read.
    pub fn finish(&self) -> Result<(), MockError> {
        let read = self.read.iter().filter(|r| **r).count();
        if read == self.params.len() {
            Ok(())
        } else {
            Err(MockError::bad(
                -1104,
                format!(
                    "Not all sent parameters were read; read '{read}' parameter(s) but was sent '{}'.",
                    self.params.len()
                ),
            ))
        }
    }
}

fn mandatory(name: &str) -> MockError {
    MockError::bad(
        -1102,
        format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."),
    )
}

/// Checks a signed request: the HMAC over everything before `&signature=`, then the timestamp
/// against the server's clock and the request's `recvWindow`. Returns the query to read on.
pub fn verify_signed(raw: &str, secret: &str, server_now: i64) -> Result<Query, MockError> {
    let (payload, signature) = raw
        .rsplit_once("&signature=")
        .ok_or_else(|| mandatory("signature"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| MockError::bad(-1022, "Signature for this request is not valid."))?;
    mac.update(payload.as_bytes());
    let expected = hex::decode(signature).unwrap_or_default();
    if mac.verify_slice(&expected).is_err() {
        return Err(MockError::bad(
            -1022,
            "Signature for this request is not valid.",
        ));
    }
    let mut query = Query::parse(payload)?;
    let timestamp: i64 = query.req("timestamp")?;
    let window: i64 = query.opt("recvWindow")?.unwrap_or(5_000);
    if !(1..=60_000).contains(&window) {
        return Err(MockError::bad(-1131, "recvWindow must be less than 60000"));
    }
    if timestamp >= server_now + 1_000 {
        return Err(MockError::bad(
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
        ));
    }
    if server_now - timestamp > window {
        return Err(MockError::bad(
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        ));
    }
    Ok(query)
}
