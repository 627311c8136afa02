//! What a key check costs: an unknown key never reaches Argon2, and a valid key is hashed once,
//! then served from the cache.

use std::time::Duration;

use keygate_tests::{spawn_app, spawn_app_with_key, TestApp};
use serde_json::json;

/// Pings `key` `times` times, spread over several key-change poll intervals (100 ms in tests), so
/// a cache entry that is dropped in the background would show up as an extra Argon2 run.
async fn ping_repeatedly(app: &TestApp, key: &str, times: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..times {
        statuses.push(app.ping(key).await);
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    statuses
}

#[tokio::test]
async fn an_unknown_well_formed_key_costs_no_argon2_run() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_key(json!({"name": "k"})).await;
    let before = app.state.verifier.argon2_runs();

    let statuses = ping_repeatedly(&app, &"ab".repeat(32), 3).await;

    assert_eq!(statuses, [403, 403, 403]);
    assert_eq!(app.state.verifier.argon2_runs(), before);
}

#[tokio::test]
async fn a_malformed_key_costs_no_argon2_run() {
    let app = spawn_app().await;
    let before = app.state.verifier.argon2_runs();

    assert_eq!(app.ping(&"AB".repeat(32)).await, 403);
    assert_eq!(app.ping("short").await, 403);

    assert_eq!(app.state.verifier.argon2_runs(), before);
}

#[tokio::test]
async fn a_valid_key_costs_one_argon2_run_on_a_cold_cache_and_none_after() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let before = app.state.verifier.argon2_runs();

    assert_eq!(app.ping(&plain).await, 200);
    assert_eq!(
        app.state.verifier.argon2_runs(),
        before + 1,
        "one run on a cold cache"
    );

    let statuses = ping_repeatedly(&app, &plain, 8).await;

    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        app.state.verifier.argon2_runs(),
        before + 1,
        "repeated calls must be served from the cache; an extra run means the cached key was \
         dropped in the background (the key-change poller re-applying this process's own change?)"
    );
}

#[tokio::test]
async fn after_a_roll_the_new_key_costs_exactly_one_more_argon2_run() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    ping_repeatedly(&app, &plain, 3).await;
    let response = app.post(&format!("/api/keys/{id}/roll"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let new = keygate_tests::json_body(response).await["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.state.verifier.argon2_runs();

    let statuses = ping_repeatedly(&app, &new, 8).await;

    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        app.state.verifier.argon2_runs(),
        before + 1,
        "the new key costs one run, then is served from the cache"
    );
}
