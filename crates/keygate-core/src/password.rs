//! Argon2id hashing for account passwords and API keys.
//!
//! Parameters: m = 19 MiB, t = 2, p = 1, OWASP's recommended minimum for Argon2id (about 20–30 ms on
//! these machines). API-key hashes are additionally keyed with the server-side pepper through
//! Argon2's own `secret` input, so a stolen database alone cannot be brute-forced offline.
//! Hashing is CPU-bound, so the async wrappers run it on tokio's blocking pool, never on an actix
//! worker thread.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;

use crate::error::{CoreError, CoreResult};

/// Memory cost in KiB (19 MiB).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Iterations.
pub const T_COST: u32 = 2;
/// Lanes.
pub const P_COST: u32 = 1;

fn params() -> Params {
    Params::new(M_COST_KIB, T_COST, P_COST, None).expect("constant Argon2 parameters are valid")
}

fn argon2(secret: Option<&[u8]>) -> CoreResult<Argon2<'_>> {
    match secret {
        None => Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params())),
        Some(secret) => {
            Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, params())
                .map_err(|e| CoreError::Internal(anyhow::anyhow!("argon2 set-up: {e}")))
        }
    }
}

/// Hashes `input` (keyed with `secret`, if any) into a PHC string. Blocking: call from
/// [`hash_blocking`] on async paths.
pub fn hash(input: &[u8], secret: Option<&[u8]>) -> CoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2(secret)?
        .hash_password(input, &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("argon2 hash: {e}")))
}

/// True when `input` matches the PHC string `phc` (keyed with `secret`, if any). Blocking.
/// A malformed stored hash counts as a mismatch and is logged.
pub fn verify(input: &[u8], phc: &str, secret: Option<&[u8]>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        log::error!("a stored Argon2 hash is malformed");
        return false;
    };
    argon2(secret).is_ok_and(|a| a.verify_password(input, &parsed).is_ok())
}

/// [`hash`] on the blocking pool.
pub async fn hash_blocking(input: Vec<u8>, secret: Option<Vec<u8>>) -> CoreResult<String> {
    tokio::task::spawn_blocking(move || hash(&input, secret.as_deref()))
        .await
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// [`verify`] on the blocking pool.
pub async fn verify_blocking(input: Vec<u8>, phc: String, secret: Option<Vec<u8>>) -> bool {
    tokio::task::spawn_blocking(move || verify(&input, &phc, secret.as_deref()))
        .await
        .unwrap_or(false)
}

/// A valid hash of a random password, verified against when a username does not exist, so a wrong
/// username costs as much time as a wrong password.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash(b"keygate-dummy-password-for-timing", None).unwrap_or_default());
