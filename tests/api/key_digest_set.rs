//! The in-memory set of lookup digests: an unknown key is refused without a database query, and
//! the set follows every change (this process's at once, other processes' within a poll), so
//! current and in-grace secrets keep working and rolled or revoked ones stop.

use std::collections::HashMap;
use std::time::Duration;

use keygate_tests::{
    base_env, json_body, ping_status, spawn_app_with, spawn_app_with_key, TestApp,
};
use serde_json::{json, Value};

use crate::process::{cli, within, KeygateProcess};

/// Bans off: a flood of unknown keys from one address must reach key verification.
const NO_BANS: (&str, &str) = ("KEYGATE_BAN_THRESHOLD", "0");

/// An app with an admin and key "k"; returns the key and its id.
async fn app_with_key(overrides: &[(&str, &str)]) -> (TestApp, String, i64) {
    spawn_app_with_key(overrides, json!({"name": "k"})).await
}

/// A well-formed key nobody issued.
fn random_key() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The environment of another keygate process (or the CLI) on `app`'s database.
fn env_of(app: &TestApp) -> HashMap<String, String> {
    base_env(&app.database.url)
}

/// Rolls key `id` with `body`; returns the new secret.
async fn roll(app: &TestApp, id: i64, body: Value) -> String {
    let response = app.post(&format!("/api/keys/{id}/roll"), &body).await;
    assert_eq!(response.status(), 200, "roll");
    json_body(response).await["api_key"]
        .as_str()
        .expect("new key")
        .to_owned()
}

#[tokio::test]
async fn a_flood_of_unknown_keys_never_queries_the_database() {
    let (app, plain, _) = app_with_key(&[NO_BANS]).await;
    let before = app.state.verifier.db_lookups();

    let mut statuses = Vec::new();
    for _ in 0..50 {
        statuses.push(app.ping(&random_key()).await);
    }

    assert!(statuses.iter().all(|s| *s == 403), "{statuses:?}");
    assert_eq!(
        app.state.verifier.db_lookups(),
        before,
        "unknown keys must be refused from memory"
    );
    assert_eq!(app.ping(&plain).await, 200, "the valid key still works");
    assert_eq!(
        app.state.verifier.db_lookups(),
        before + 1,
        "a valid key on a cold cache costs one lookup"
    );
}

#[tokio::test]
async fn a_key_created_in_this_process_works_at_once_without_waiting_for_the_follower() {
    // The follower polls once a minute: only the store's own insert can let the key in.
    let (app, plain, _) = app_with_key(&[("KEYGATE_KEY_POLL_MS", "60000")]).await;

    assert_eq!(app.ping(&plain).await, 200);
}

#[tokio::test]
async fn a_key_created_with_the_cli_works_on_a_running_server_once_its_follower_polls() {
    let app = spawn_app_with(&[]).await;
    app.setup_admin("admin").await;

    let output = cli(
        &env_of(&app),
        &["key", "create", "--user", "admin", "--name", "cli"],
        "",
    )
    .await;

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plain = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let app = &app;
    let plain = &plain;
    let took = within(Duration::from_secs(1), || async move {
        app.ping(plain).await == 200
    })
    .await;
    assert!(took.is_some(), "key from the CLI still refused after 1 s");
}

#[tokio::test]
async fn a_process_started_during_a_grace_period_accepts_the_old_and_the_new_secret() {
    let (app, old, id) = app_with_key(&[]).await;
    let new = roll(&app, id, json!({"grace_seconds": 3600})).await;

    let second = KeygateProcess::spawn(&env_of(&app)).await;

    assert_eq!(
        ping_status(&second.address, &old).await,
        200,
        "old, in grace"
    );
    assert_eq!(ping_status(&second.address, &new).await, 200, "new");
}

#[tokio::test]
async fn a_process_started_after_a_roll_and_a_revoke_refuses_the_ended_secrets() {
    let (app, rolled_away, rolled_id) = app_with_key(&[]).await;
    let current = roll(&app, rolled_id, json!({})).await;
    let (revoked, revoked_id) = app.create_key(json!({"name": "gone"})).await;
    let response = app
        .post(&format!("/api/keys/{revoked_id}/revoke"), &json!({}))
        .await;
    assert_eq!(response.status(), 200, "revoke");

    let second = KeygateProcess::spawn(&env_of(&app)).await;

    assert_eq!(ping_status(&second.address, &rolled_away).await, 403);
    assert_eq!(ping_status(&second.address, &revoked).await, 403);
    assert_eq!(ping_status(&second.address, &current).await, 200);
}

#[tokio::test]
async fn a_secret_rolled_in_another_process_works_there_until_its_grace_ends() {
    let (app, old, id) = app_with_key(&[]).await;
    let second = KeygateProcess::spawn(&env_of(&app)).await;
    assert_eq!(ping_status(&second.address, &old).await, 200);

    let new = roll(&app, id, json!({"grace_seconds": 2})).await;

    let address = second.address.as_str();
    let new = new.as_str();
    let learned = within(Duration::from_secs(1), || async move {
        ping_status(address, new).await == 200
    })
    .await;
    assert!(learned.is_some(), "new secret refused after 1 s");
    assert_eq!(ping_status(address, &old).await, 200, "old, in grace");
    let old = old.as_str();
    let ended = within(Duration::from_secs(4), || async move {
        ping_status(address, old).await == 403
    })
    .await;
    assert!(ended.is_some(), "old secret still accepted after its grace");
}
