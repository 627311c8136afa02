//! Settings: production refuses missing or weak secrets with a message that names the variable;
//! development generates them once into `secrets.env` (mode 0600) and reuses them; `Debug` never
//! shows a secret.

use std::collections::HashMap;
use std::path::Path;

use keygate_core::config::{Environment, SECRETS_FILE};
use keygate_core::Settings;
use keygate_tests::{FERNET_KEY, PEPPER, SESSION_SECRET};
use secrecy::ExposeSecret;

const PEPPER_VAR: &str = "API_KEY_PEPPER";
const FERNET_VAR: &str = "KEYGATE_FERNET_KEYS";
const SESSION_VAR: &str = "KEYGATE_SESSION_SECRET";

/// A complete production environment with its data directory at `data_dir`.
fn production_env(data_dir: &Path) -> HashMap<String, String> {
    [
        ("KEYGATE_ENV", "production"),
        ("KEYGATE_DATA_DIR", data_dir.to_str().unwrap()),
        (PEPPER_VAR, PEPPER),
        (FERNET_VAR, FERNET_KEY),
        (SESSION_VAR, SESSION_SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn load(env: &HashMap<String, String>) -> Result<Settings, String> {
    Settings::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())
}

/// Loads `env` expecting a refusal; returns the message.
fn refusal(env: &HashMap<String, String>) -> String {
    match load(env) {
        Ok(_) => panic!("the settings were accepted"),
        Err(message) => message,
    }
}

#[test]
fn production_accepts_strong_secrets_and_marks_cookies_secure() {
    let dir = tempfile::tempdir().unwrap();

    let settings = load(&production_env(dir.path())).expect("valid production settings");

    assert_eq!(settings.environment, Environment::Production);
    assert!(settings.cookie_secure);
    assert_eq!(settings.secrets.pepper.expose_secret(), PEPPER);
}

#[test]
fn production_refuses_a_missing_pepper_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = production_env(dir.path());
    env.remove(PEPPER_VAR);

    let message = refusal(&env);

    assert!(message.contains(PEPPER_VAR), "{message}");
    assert!(
        !dir.path().join(SECRETS_FILE).exists(),
        "production never generates secrets"
    );
}

#[test]
fn production_refuses_a_blank_pepper_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = production_env(dir.path());
    env.insert(PEPPER_VAR.into(), "   ".into());

    assert!(refusal(&env).contains(PEPPER_VAR));
}

#[test]
fn production_refuses_a_pepper_shorter_than_32_characters_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = production_env(dir.path());
    env.insert(PEPPER_VAR.into(), "p".repeat(31));

    let message = refusal(&env);

    assert!(message.contains(PEPPER_VAR), "{message}");
    env.insert(PEPPER_VAR.into(), "p".repeat(32));
    assert!(load(&env).is_ok(), "32 characters are enough");
}

#[test]
fn production_refuses_a_malformed_fernet_key_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "not-a-fernet-key",
        "c2hvcnQ=",
        &format!("{FERNET_KEY},garbage"),
    ] {
        let mut env = production_env(dir.path());
        env.insert(FERNET_VAR.into(), bad.to_owned());

        let message = refusal(&env);

        assert!(message.contains(FERNET_VAR), "{bad}: {message}");
        assert!(
            !message.contains(bad),
            "the message does not echo the secret: {message}"
        );
    }
}

#[test]
fn production_refuses_a_short_session_secret_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = production_env(dir.path());
    env.insert(SESSION_VAR.into(), "too-short".into());

    let message = refusal(&env);

    assert!(message.contains(SESSION_VAR), "{message}");
    assert!(!message.contains("too-short"), "{message}");
}

#[test]
fn an_unknown_environment_name_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = production_env(dir.path());
    env.insert("KEYGATE_ENV".into(), "staging".into());

    assert!(refusal(&env).contains("KEYGATE_ENV"));
}

#[test]
fn debug_output_of_the_settings_never_shows_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let settings = load(&production_env(dir.path())).unwrap();

    let debug = format!("{settings:?}");
    let pretty = format!("{settings:#?}");

    for secret in [PEPPER, FERNET_KEY, SESSION_SECRET] {
        assert!(!debug.contains(secret), "Debug shows a secret: {debug}");
        assert!(!pretty.contains(secret), "pretty Debug shows a secret");
    }
    assert!(
        debug.contains("secrets"),
        "the secrets are listed, redacted: {debug}"
    );
}

#[test]
fn development_generates_missing_secrets_once_into_a_private_file_and_reuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let env: HashMap<String, String> = [
        ("KEYGATE_ENV", "development"),
        ("KEYGATE_DATA_DIR", data_dir.to_str().unwrap()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();

    let first = load(&env).expect("development generates what is missing");
    let second = load(&env).expect("and reuses it");

    let file = data_dir.join(SECRETS_FILE);
    let contents = std::fs::read_to_string(&file).expect("secrets.env is written");
    for var in [PEPPER_VAR, FERNET_VAR, SESSION_VAR] {
        assert_eq!(
            contents
                .lines()
                .filter(|l| l.starts_with(&format!("{var}=")))
                .count(),
            1,
            "{var} is stored once"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "secrets.env is private, mode {mode:o}");
    }
    let secrets = |s: &Settings| {
        (
            s.secrets.pepper.expose_secret().to_owned(),
            s.secrets.fernet_keys.expose_secret().to_owned(),
            s.secrets.session_secret.expose_secret().to_owned(),
        )
    };
    let (pepper, fernet, session) = secrets(&first);
    assert_eq!(
        secrets(&second),
        (pepper.clone(), fernet.clone(), session.clone())
    );
    assert!(pepper.len() >= 32 && session.len() >= 32);
    assert_ne!(pepper, session);
    let mut production = production_env(&data_dir);
    production.insert(PEPPER_VAR.into(), pepper);
    production.insert(FERNET_VAR.into(), fernet);
    production.insert(SESSION_VAR.into(), session);
    assert!(
        load(&production).is_ok(),
        "generated secrets are strong enough for production"
    );
}

#[test]
fn development_keeps_secrets_from_the_environment_and_generates_only_the_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let env: HashMap<String, String> = [
        ("KEYGATE_DATA_DIR", dir.path().to_str().unwrap()),
        (PEPPER_VAR, PEPPER),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();

    let settings = load(&env).unwrap();

    assert_eq!(settings.environment, Environment::Development);
    assert_eq!(settings.secrets.pepper.expose_secret(), PEPPER);
    let contents = std::fs::read_to_string(dir.path().join(SECRETS_FILE)).unwrap();
    assert!(!contents.contains(PEPPER_VAR), "{contents}");
    assert!(contents.contains(FERNET_VAR) && contents.contains(SESSION_VAR));
}

#[test]
fn the_traffic_writers_transactions_in_flight_are_8_by_default_and_refused_outside_1_to_8() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = production_env(dir.path());
    assert_eq!(load(&env).unwrap().traffic.connections, 8);
    for (value, accepted) in [("1", true), ("8", true), ("0", false), ("9", false)] {
        env.insert("KEYGATE_TRAFFIC_CONNECTIONS".into(), value.into());
        match load(&env) {
            Ok(settings) if accepted => {
                assert_eq!(settings.traffic.connections.to_string(), value)
            }
            Ok(_) => panic!("KEYGATE_TRAFFIC_CONNECTIONS={value} was accepted"),
            Err(message) => {
                assert!(
                    !accepted,
                    "KEYGATE_TRAFFIC_CONNECTIONS={value} refused: {message}"
                );
                assert!(message.contains("KEYGATE_TRAFFIC_CONNECTIONS"), "{message}");
            }
        }
    }
}
