//! An exchange key pair as keygate holds it: parsed once from what the owner typed, sealed with
//! the API keys' Fernet key ring before it is stored, opened only to build a connection. `Debug`
//! never shows either part, and no error message quotes them.

use std::fmt;

use keygate_binance::{ApiSecret, BinanceConfig};
use secrecy::{ExposeSecret, SecretString};

use crate::entities::broker_connection;
use crate::error::{CoreError, CoreResult};
use crate::keys::KeyCrypto;

/// Shortest exchange API key or secret accepted (the masked form shows 8 of its characters).
const MIN_LEN: usize = 16;
/// Longest one accepted.
const MAX_LEN: usize = 256;

/// An exchange API key and secret in plaintext.
#[derive(Clone)]
pub struct ExchangeCredentials {
    api_key: String,
    secret: SecretString,
}

impl fmt::Debug for ExchangeCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExchangeCredentials([redacted])")
    }
}

/// The two Fernet tokens stored for a key pair, and the masked key shown in lists.
pub struct SealedCredentials {
    /// Token of the API key.
    pub api_key: String,
    /// Token of the secret.
    pub secret: String,
    /// First 4 and last 4 characters of the API key.
    pub masked: String,
}

impl ExchangeCredentials {
    /// Checks both parts: 16 to 256 visible ASCII characters each (no spaces). A bad part is
    /// named, never quoted.
    pub fn parse(api_key: Option<&str>, secret: Option<&str>) -> CoreResult<Self> {
        let api_key = part("api_key", api_key)?;
        let secret = part("api_secret", secret)?;
        Ok(Self {
            api_key: api_key.to_owned(),
            secret: SecretString::from(secret.to_owned()),
        })
    }

    /// The exchange API key (sent in a header; not secret, but shown only masked).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// A Binance spot connection's settings for these credentials.
    pub fn binance_config(&self, base_url: &str) -> BinanceConfig {
        BinanceConfig::new(
            base_url,
            &self.api_key,
            ApiSecret::new(self.secret.expose_secret()),
        )
    }

    /// First 4 and last 4 characters of the API key.
    pub fn masked(&self) -> String {
        let key = &self.api_key;
        format!("{}…{}", &key[..4], &key[key.len() - 4..])
    }

    /// Encrypts both parts with the current Fernet key.
    pub fn seal(&self, crypto: &KeyCrypto) -> SealedCredentials {
        SealedCredentials {
            api_key: crypto.seal(&self.api_key),
            secret: crypto.seal(self.secret.expose_secret()),
            masked: self.masked(),
        }
    }

    /// Decrypts a stored connection's credentials (`None` for a connection without them).
    pub fn open(crypto: &KeyCrypto, row: &broker_connection::Model) -> CoreResult<Option<Self>> {
        let (Some(key), Some(secret)) = (&row.api_key_sealed, &row.secret_sealed) else {
            return Ok(None);
        };
        Ok(Some(Self {
            api_key: crypto.unseal(key)?,
            secret: SecretString::from(crypto.unseal(secret)?),
        }))
    }
}

fn part<'a>(field: &str, value: Option<&'a str>) -> CoreResult<&'a str> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(CoreError::field(field, "is required for this broker"));
    }
    if !(MIN_LEN..=MAX_LEN).contains(&value.len()) {
        return Err(CoreError::field(
            field,
            format!("must be {MIN_LEN} to {MAX_LEN} characters"),
        ));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CoreError::field(
            field,
            "may hold only visible ASCII characters, without spaces",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_checked_without_being_quoted() {
        let secret = "a secret with spaces in it";
        let e =
            ExchangeCredentials::parse(Some("k".repeat(20).as_str()), Some(secret)).unwrap_err();
        assert!(!e.to_string().contains(secret), "{e}");
        assert!(ExchangeCredentials::parse(None, Some("s".repeat(20).as_str())).is_err());
        assert!(ExchangeCredentials::parse(Some("short"), Some("s".repeat(20).as_str())).is_err());
        let ok = ExchangeCredentials::parse(
            Some("abcd0000000000000000wxyz"),
            Some("secret-value-0000000000"),
        )
        .unwrap();
        assert_eq!(ok.masked(), "abcd…wxyz");
        let shown = format!("{ok:?}");
        assert!(
            !shown.contains("abcd0000") && !shown.contains("secret-value"),
            "{shown}"
        );
    }
}
