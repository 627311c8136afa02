//! The server-side secrets: the API-key pepper, the Fernet key(s) and the session secret.
//!
//! Development generates what is missing once and keeps it in `secrets.env` (mode 0600) in the data
//! directory, so keys stay verifiable across restarts. Production never generates: a missing or weak
//! secret stops start-up with a message that names the variable and how to make one.
//!
//! `KEYGATE_SECRETS_FILE` names a file to read them from in any environment: the file that
//! `keygate secrets rotate-*` rewrites. A secret set both there and in the environment must be equal
//! there, or start-up stops: an old value left in the environment would otherwise silently shadow
//! a rotated one (and every key would stop verifying).

use std::io::Write;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, Environment};

/// File in the data directory that holds generated development secrets.
pub const SECRETS_FILE: &str = "secrets.env";

const PEPPER: &str = "API_KEY_PEPPER";
const FERNET: &str = "KEYGATE_FERNET_KEYS";
const SESSION: &str = "KEYGATE_SESSION_SECRET";
/// Variable naming the secrets file to read (and that rotation rewrites).
pub const SECRETS_FILE_VAR: &str = "KEYGATE_SECRETS_FILE";
/// Name of the pepper variable.
pub const PEPPER_VAR: &str = PEPPER;
/// Name of the Fernet keys variable.
pub const FERNET_VAR: &str = FERNET;
const MIN_LEN: usize = 32;

/// The three secrets; `Debug` prints them redacted.
#[derive(Debug, Clone)]
pub struct SecretSettings {
    /// `API_KEY_PEPPER`: keys the Argon2 hash and the lookup digest of every API key (32+ chars).
    pub pepper: SecretString,
    /// `KEYGATE_FERNET_KEYS`: comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
    pub fernet_keys: SecretString,
    /// `KEYGATE_SESSION_SECRET`: signs the session cookie (32+ chars).
    pub session_secret: SecretString,
    /// The file the secrets were read from (`KEYGATE_SECRETS_FILE`, or the development
    /// `secrets.env`), if any: where rotation writes the new values.
    pub file: Option<PathBuf>,
}

impl SecretSettings {
    pub(super) fn load(
        environment: Environment,
        data_dir: &Path,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut values = [PEPPER, FERNET, SESSION].map(get);
        let development = environment == Environment::Development;
        let file = match get(SECRETS_FILE_VAR) {
            Some(named) => {
                let path = PathBuf::from(named.trim());
                if !development && !path.exists() {
                    return Err(ConfigError(format!(
                        "{SECRETS_FILE_VAR} names {}, which does not exist",
                        path.display()
                    )));
                }
                fill_from_file(&path, &mut values, development)?;
                Some(path)
            }
            None if development => {
                let path = data_dir.join(SECRETS_FILE);
                if values.iter().any(Option::is_none) || path.exists() {
                    fill_from_file(&path, &mut values, true)?;
                }
                path.exists().then_some(path)
            }
            None => None,
        };
        let [pepper, fernet, session] = values;
        let pepper = pepper.ok_or_else(|| missing(PEPPER, "openssl rand -hex 32"))?;
        let fernet = fernet.ok_or_else(|| missing(FERNET, FERNET_HINT))?;
        let session = session.ok_or_else(|| missing(SESSION, "openssl rand -hex 32"))?;
        check_len(PEPPER, &pepper)?;
        check_len(SESSION, &session)?;
        for key in fernet.split(',') {
            if fernet::Fernet::new(key.trim()).is_none() {
                return Err(ConfigError(format!(
                    "{FERNET} holds a malformed Fernet key (each must be 32 bytes in url-safe base64); \
                     generate one with: {FERNET_HINT}"
                )));
            }
        }
        Ok(Self {
            pepper: pepper.into(),
            fernet_keys: fernet.into(),
            session_secret: session.into(),
            file,
        })
    }

    /// The Fernet keys, primary first.
    pub fn fernet_key_list(&self) -> Vec<String> {
        self.fernet_keys
            .expose_secret()
            .split(',')
            .map(|k| k.trim().to_owned())
            .collect()
    }
}

const FERNET_HINT: &str =
    "python3 -c \"import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())\"";

fn missing(name: &str, hint: &str) -> ConfigError {
    ConfigError(format!(
        "{name} is not set; production needs it. Generate one with: {hint}"
    ))
}

fn check_len(name: &str, value: &str) -> Result<(), ConfigError> {
    if value.chars().count() < MIN_LEN {
        return Err(ConfigError(format!(
            "{name} is too weak: it needs at least {MIN_LEN} characters. Generate one with: openssl rand -hex 32"
        )));
    }
    Ok(())
}

/// Reads a secrets file (dotenv form) into the values not set in the environment, refusing values
/// that contradict the environment; with `generate`, creates what both lack and appends it.
fn fill_from_file(
    path: &Path,
    values: &mut [Option<String>; 3],
    generate: bool,
) -> Result<(), ConfigError> {
    let io_err = |e: std::io::Error| ConfigError(format!("cannot use {}: {e}", path.display()));
    let mut stored = Vec::new();
    if path.exists() {
        for item in dotenvy::from_path_iter(path)
            .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?
        {
            stored.push(
                item.map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?,
            );
        }
    }
    let mut generated = Vec::new();
    for (slot, name) in values.iter_mut().zip([PEPPER, FERNET, SESSION]) {
        let in_file = stored.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
        match (slot.as_deref(), in_file) {
            (Some(env), Some(file)) if env.trim() != file.trim() => {
                return Err(ConfigError(format!(
                    "{name} is set both in the environment and in {}, with different values; \
                     keep it in one place (the file, which `keygate secrets rotate-*` updates)",
                    path.display()
                )));
            }
            (Some(_), _) => continue,
            (None, Some(file)) => {
                *slot = Some(file.clone());
                continue;
            }
            (None, None) if !generate => continue,
            (None, None) => {}
        }
        let value = if name == FERNET {
            fernet::Fernet::generate_key()
        } else {
            crate::random::random_hex(32)
                .map_err(|e| ConfigError(format!("the OS random generator failed: {e}")))?
        };
        generated.push(name);
        *slot = Some(value);
    }
    if generated.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err)?;
    }
    let mut file = open_private(path).map_err(io_err)?;
    for (slot, name) in values.iter().zip([PEPPER, FERNET, SESSION]) {
        if generated.contains(&name) {
            let value = slot.as_deref().unwrap_or_default();
            writeln!(file, "{name}={value}").map_err(io_err)?;
        }
    }
    log::warn!(
        "development mode: generated {} and saved to {} (mode 0600); set them in the environment for production",
        generated.join(", "),
        path.display()
    );
    Ok(())
}

fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
