//! Randomness from the operating system's CSPRNG, for keys, tokens and secrets.

use rand::TryRngCore;

/// `bytes` random bytes from the OS CSPRNG, hex-encoded (lowercase).
pub fn random_hex(bytes: usize) -> Result<String, rand::rand_core::OsError> {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.try_fill_bytes(&mut buf)?;
    Ok(hex::encode(buf))
}
