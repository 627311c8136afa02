//! Rotating the Fernet key and the pepper (`keygate secrets rotate-*`): no key stops working,
//! new values go to the secrets file only, and a rotated-away secret stays refused.

use std::collections::HashMap;
use std::path::Path;

use keygate_core::config::{SecretSettings, SECRETS_FILE};
use keygate_core::entities::api_key_secret;
use keygate_core::keys::KeyCrypto;
use keygate_core::{db, Settings};
use keygate_tests::{base_env, is_key, ping_status, TestDatabase, PASSWORD};
use sea_orm::EntityTrait;
use secrecy::{ExposeSecret, SecretString};

use crate::process::{cli, KeygateProcess};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The test environment with the secrets in `data_dir/secrets.env` instead of variables.
fn file_env(database_url: &str, data_dir: &Path) -> HashMap<String, String> {
    let mut env = base_env(database_url);
    for var in [
        "API_KEY_PEPPER",
        "KEYGATE_FERNET_KEYS",
        "KEYGATE_SESSION_SECRET",
    ] {
        env.remove(var);
    }
    env.insert("KEYGATE_DATA_DIR".into(), data_dir.display().to_string());
    env
}

fn file_value(file: &Path, var: &str) -> String {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{var}=")).map(str::to_owned))
        .unwrap_or_else(|| panic!("{var} in {}", file.display()))
}

async fn run_ok(env: &HashMap<String, String>, args: &[&str], stdin: &str) -> String {
    let output = cli(env, args, stdin).await;
    assert!(
        output.status.success(),
        "{args:?}: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

#[tokio::test]
async fn rotating_the_fernet_key_and_the_pepper_keeps_every_key_working() {
    let database = TestDatabase::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let env = file_env(&database.url, dir.path());
    let file = dir.path().join(SECRETS_FILE);
    run_ok(
        &env,
        &["user", "create", "--username", "alice"],
        &format!("{PASSWORD}\n"),
    )
    .await;
    let mut keys = Vec::new();
    for name in ["one", "two", "three"] {
        let out = run_ok(
            &env,
            &[
                "key",
                "create",
                "--user",
                "alice",
                "--name",
                name,
                "--scopes",
                "read,trade",
            ],
            "",
        )
        .await;
        keys.push(out.trim().to_owned());
    }
    let rolled_away = keys.pop().unwrap();
    let rolled = run_ok(
        &env,
        &["key", "roll", "--user", "alice", "--name", "three"],
        "",
    )
    .await;
    keys.push(rolled.trim().to_owned());
    assert!(keys.iter().all(|k| is_key(k)));
    let server = KeygateProcess::spawn(&env).await;
    for key in &keys {
        assert_eq!(ping_status(&server.address, key).await, 200);
    }
    drop(server);
    let old_pepper = file_value(&file, "API_KEY_PEPPER");
    let old_fernet = file_value(&file, "KEYGATE_FERNET_KEYS");

    let fernet_out = run_ok(&env, &["secrets", "rotate-fernet"], "").await;
    let pepper_out = run_ok(&env, &["secrets", "rotate-pepper"], "").await;

    let new_pepper = file_value(&file, "API_KEY_PEPPER");
    let new_fernet = file_value(&file, "KEYGATE_FERNET_KEYS");
    assert_ne!(new_pepper, old_pepper);
    let (first, rest) = new_fernet.split_once(',').expect("two Fernet keys");
    assert_eq!(rest, old_fernet, "the old key stays, after the new one");
    assert!(fernet_out.contains("re-encrypted 4 "), "{fernet_out}");
    assert!(pepper_out.contains("of 4 "), "{pepper_out}");
    for out in [&fernet_out, &pepper_out] {
        assert!(
            !out.contains(first) && !out.contains(&new_pepper),
            "no secret printed"
        );
    }
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".bak-"))
        .count();
    assert_eq!(backups, 2, "each rotation keeps the previous file");

    // Every stored copy now decrypts with the new key alone.
    let settings = Settings::from_lookup(|n| env.get(n).cloned()).unwrap();
    let only_new = KeyCrypto::new(&SecretSettings {
        fernet_keys: SecretString::from(first.to_owned()),
        ..settings.secrets.clone()
    })
    .unwrap();
    assert_eq!(settings.secrets.pepper.expose_secret(), new_pepper);
    let conn = db::connect(&database.url).await.unwrap();
    for row in api_key_secret::Entity::find().all(&conn).await.unwrap() {
        only_new.decrypt(&row.encrypted).expect("re-encrypted");
    }

    let server = KeygateProcess::spawn(&env).await;
    for key in &keys {
        assert_eq!(
            ping_status(&server.address, key).await,
            200,
            "works after rotation"
        );
    }
    assert_eq!(
        ping_status(&server.address, &rolled_away).await,
        403,
        "rolled away"
    );
}

#[tokio::test]
async fn production_refuses_to_rotate_without_a_named_secrets_file() {
    let database = TestDatabase::empty().await;
    let mut env = base_env(&database.url);
    env.insert("KEYGATE_ENV".into(), "production".into());

    let output = cli(&env, &["secrets", "rotate-pepper"], "").await;

    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("--secrets-file"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test]
async fn a_secret_set_in_the_environment_is_not_rotated_behind_its_back() {
    let database = TestDatabase::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = file_env(&database.url, dir.path());
    run_ok(&env, &["migrate"], "").await;
    let file = dir.path().join(SECRETS_FILE);
    let pepper = file_value(&file, "API_KEY_PEPPER");
    env.insert("API_KEY_PEPPER".into(), pepper.clone());

    let output = cli(&env, &["secrets", "rotate-pepper"], "").await;

    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("API_KEY_PEPPER"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        file_value(&file, "API_KEY_PEPPER"),
        pepper,
        "nothing changed"
    );
}

#[tokio::test]
async fn an_interrupted_pepper_rotation_is_finished_by_the_next_run() {
    let database = TestDatabase::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let env = file_env(&database.url, dir.path());
    let file = dir.path().join(SECRETS_FILE);
    run_ok(
        &env,
        &["user", "create", "--username", "alice"],
        &format!("{PASSWORD}\n"),
    )
    .await;
    let key = run_ok(
        &env,
        &["key", "create", "--user", "alice", "--name", "k"],
        "",
    )
    .await;
    let key = key.trim().to_owned();
    // Simulate a crash after the database commit, before the file moved in: rotate, then put
    // the old file back and the new one aside as the pending file.
    let before = std::fs::read_to_string(&file).unwrap();
    run_ok(&env, &["secrets", "rotate-pepper"], "").await;
    let after = std::fs::read_to_string(&file).unwrap();
    std::fs::write(dir.path().join(format!("{SECRETS_FILE}.pending")), &after).unwrap();
    std::fs::write(&file, &before).unwrap();

    let out = run_ok(&env, &["secrets", "rotate-pepper"], "").await;

    assert!(out.contains("interrupted"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    let server = KeygateProcess::spawn(&env).await;
    assert_eq!(ping_status(&server.address, &key).await, 200);
}
