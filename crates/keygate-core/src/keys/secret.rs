//! A plaintext API key and the derived forms keygate stores: lookup digest, Argon2id hash, Fernet
//! token, masked form. The plaintext itself is never stored or logged.

use std::fmt;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::SecretSettings;
use crate::error::{CoreError, CoreResult};
use crate::password;

/// Length of a key: 64 lowercase hex characters (32 bytes from the OS CSPRNG).
pub const KEY_LEN: usize = 64;

/// A plaintext API key. Shown to its owner once; `Debug` is redacted and there is no `Display`.
#[derive(Clone)]
pub struct PlainApiKey(String);

impl PlainApiKey {
    /// A fresh key: 32 bytes from the OS CSPRNG, hex-encoded.
    pub fn generate() -> CoreResult<Self> {
        crate::random::random_hex(KEY_LEN / 2)
            .map(Self)
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("OS random generator failed: {e}")))
    }

    /// Accepts exactly 64 lowercase hex characters; anything else is not a keygate key.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::is_well_formed(raw).then(|| Self(raw.to_owned()))
    }

    /// Whether `raw` has a key's form (what [`parse`](Self::parse) accepts), without copying it:
    /// the check every presented key goes through.
    pub fn is_well_formed(raw: &str) -> bool {
        raw.len() == KEY_LEN && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// The plaintext, for the one answer that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First 4 and last 4 characters, e.g. `1a2b…9f0e`.
    pub fn masked(&self) -> String {
        format!("{}…{}", &self.0[..4], &self.0[KEY_LEN - 4..])
    }
}

impl fmt::Debug for PlainApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainApiKey([redacted])")
    }
}

impl PartialEq for PlainApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

/// The server-side secrets applied to keys: the pepper (Argon2 secret and lookup-digest key) and
/// the Fernet keys (first encrypts, all decrypt).
pub struct KeyCrypto {
    pepper: SecretString,
    /// HMAC state already keyed with the lookup key; cloning it skips re-keying on every request.
    lookup_mac: Hmac<Sha256>,
    fernet: fernet::MultiFernet,
}

impl fmt::Debug for KeyCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyCrypto([redacted])")
    }
}

impl KeyCrypto {
    /// Builds the key material from the configured secrets.
    pub fn new(secrets: &SecretSettings) -> CoreResult<Self> {
        let pepper = secrets.pepper.clone();
        // The lookup digest uses a key derived from the pepper rather than the pepper itself, so
        // the two uses of one secret never share a key.
        let mut mac = <Hmac<Sha256>>::new_from_slice(pepper.expose_secret().as_bytes())
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("hmac set-up: {e}")))?;
        mac.update(b"keygate/api-key-lookup-digest/v1");
        let lookup_key = mac.finalize().into_bytes();
        let lookup_mac = <Hmac<Sha256>>::new_from_slice(&lookup_key)
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("hmac set-up: {e}")))?;
        let fernets = secrets
            .fernet_key_list()
            .iter()
            .map(|k| fernet::Fernet::new(k))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("a Fernet key is malformed")))?;
        Ok(Self {
            pepper,
            lookup_mac,
            fernet: fernet::MultiFernet::new(fernets),
        })
    }

    /// Hex HMAC-SHA256 of a presented key: the indexed lookup column and the cache key. Cheap (about
    /// a microsecond), so an unknown key is rejected without any Argon2 work.
    pub fn lookup_digest(&self, raw: &str) -> String {
        hex::encode(self.lookup_digest_bytes(raw))
    }

    /// The lookup digest as bytes: the in-memory cache key (no hex string per request).
    pub fn lookup_digest_bytes(&self, raw: &str) -> [u8; 32] {
        let mut mac = self.lookup_mac.clone();
        mac.update(raw.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Argon2id hash of the key, keyed with the pepper (on the blocking pool).
    pub async fn hash(&self, key: &PlainApiKey) -> CoreResult<String> {
        password::hash_blocking(key.0.as_bytes().to_vec(), Some(self.pepper_bytes())).await
    }

    /// Verifies a presented key against a stored hash (on the blocking pool).
    pub async fn verify(&self, raw: &str, phc: String) -> bool {
        password::verify_blocking(raw.as_bytes().to_vec(), phc, Some(self.pepper_bytes())).await
    }

    /// The Fernet token of a key, for reveal.
    pub fn encrypt(&self, key: &PlainApiKey) -> String {
        self.fernet.encrypt(key.0.as_bytes())
    }

    /// Decrypts a stored Fernet token back into the key.
    pub fn decrypt(&self, token: &str) -> CoreResult<PlainApiKey> {
        let bytes = self.fernet.decrypt(token).map_err(|_| {
            CoreError::Internal(anyhow::anyhow!(
                "a stored key does not decrypt with the configured Fernet keys"
            ))
        })?;
        String::from_utf8(bytes)
            .ok()
            .and_then(|s| PlainApiKey::parse(&s))
            .ok_or_else(|| {
                CoreError::Internal(anyhow::anyhow!("a stored key decrypted to garbage"))
            })
    }

    /// A Fernet token of any other secret kept under the same key ring (a broker connection's
    /// exchange credentials), so `rotate-fernet` re-encrypts it with the API keys.
    pub fn seal(&self, plain: &str) -> String {
        self.fernet.encrypt(plain.as_bytes())
    }

    /// Decrypts a token made by [`seal`](Self::seal). The text is the caller's to wrap at once.
    pub fn unseal(&self, token: &str) -> CoreResult<String> {
        self.fernet
            .decrypt(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| {
                CoreError::Internal(anyhow::anyhow!(
                    "a sealed credential does not decrypt with the configured Fernet keys"
                ))
            })
    }

    fn pepper_bytes(&self) -> Vec<u8> {
        self.pepper.expose_secret().as_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_64_lowercase_hex_and_differ() {
        let a = PlainApiKey::generate().unwrap();
        let b = PlainApiKey::generate().unwrap();
        assert!(PlainApiKey::parse(a.expose()).is_some());
        assert_ne!(a, b);
    }

    #[test]
    fn parse_refuses_wrong_length_case_and_alphabet() {
        assert!(PlainApiKey::parse(&"a".repeat(63)).is_none());
        assert!(PlainApiKey::parse(&"A".repeat(64)).is_none());
        assert!(PlainApiKey::parse(&"g".repeat(64)).is_none());
        assert!(PlainApiKey::parse(&"0".repeat(64)).is_some());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = PlainApiKey::generate().unwrap();
        assert!(!format!("{key:?}").contains(key.expose()));
        assert_eq!(key.masked().chars().count(), 9);
    }
}
