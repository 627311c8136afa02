//! The security monitor: repeated invalid keys ban the client IP (403 before any key work),
//! repeat offenders get longer bans, admins list, add and lift bans, and bans reach every process
//! through the database.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::process::within;
use keygate_api::auth::api_key::BANNED;
use keygate_tests::{assert_error, new_client, spawn_app_with_key, TestApp};
use serde_json::{json, Value};

const MONITOR: [(&str, &str); 3] = [
    ("KEYGATE_BAN_THRESHOLD", "3"),
    ("KEYGATE_BAN_WINDOW_SECS", "600"),
    ("KEYGATE_BAN_SECS", "3600"),
];

async fn ping_body(app: &TestApp, key: &str) -> (u16, Value) {
    app.v1("ping", key, json!({})).await
}

async fn bans(app: &TestApp) -> Vec<Value> {
    let response = app.get("/api/security/bans").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn repeated_invalid_keys_ban_the_ip_until_an_admin_lifts_it_and_repeats_ban_longer() {
    let (app, key, _) = spawn_app_with_key(&MONITOR, json!({"name": "k"})).await;
    for _ in 0..3 {
        let last = if key.ends_with('f') { 'e' } else { 'f' };
        let (status, body) = ping_body(&app, &format!("{}{last}", &key[..63])).await;
        assert_eq!(status, 403);
        assert_eq!(body["message"], "Invalid openalgo apikey");
    }
    let argon2_before = app.state.verifier.argon2_runs();
    let (status, body) = ping_body(&app, &key).await;
    assert_eq!(status, 403, "even a valid key is refused from a banned IP");
    assert_eq!(body["message"], BANNED);
    assert_eq!(
        app.state.verifier.argon2_runs(),
        argon2_before,
        "no key work for a banned IP"
    );

    let stored = within(Duration::from_secs(5), || async {
        bans(&app).await.len() == 1
    })
    .await;
    assert!(stored.is_some(), "the ban is stored");
    let ban = bans(&app).await.remove(0);
    assert_eq!(ban["ip"], "127.0.0.1");
    assert_eq!(ban["offences"], 1);
    assert_eq!(ban["banned_by"], "monitor");
    let first_length = ban_length(&ban);
    assert!((3590..=3600).contains(&first_length), "{first_length}");
    let stats: Value = app.get("/api/traffic/stats").await.json().await.unwrap();
    assert_eq!(
        stats["security"]["active_bans"].as_array().unwrap().len(),
        1
    );
    assert!(stats["security"]["banned_requests"].as_u64().unwrap() >= 1);

    let lifted = app
        .send(
            reqwest::Method::DELETE,
            "/api/security/bans/127.0.0.1",
            &json!({}),
        )
        .await;
    assert_eq!(lifted.status(), 200);
    assert_eq!(ping_body(&app, &key).await.0, 200);
    let again = app
        .send(
            reqwest::Method::DELETE,
            "/api/security/bans/127.0.0.1",
            &json!({}),
        )
        .await;
    assert_error(again, 404).await;

    for _ in 0..3 {
        assert_eq!(app.ping("not-a-key").await, 403);
    }
    let second = within(Duration::from_secs(5), || async {
        bans(&app).await.first().is_some_and(|b| b["offences"] == 2)
    })
    .await;
    assert!(second.is_some(), "a second ban is stored");
    let ban = bans(&app).await.remove(0);
    assert!(
        (7190..=7200).contains(&ban_length(&ban)),
        "a repeat ban lasts twice as long: {ban}"
    );
}

fn ban_length(ban: &Value) -> i64 {
    let at = chrono::DateTime::parse_from_rfc3339(ban["banned_at"].as_str().unwrap()).unwrap();
    let until =
        chrono::DateTime::parse_from_rfc3339(ban["banned_until"].as_str().unwrap()).unwrap();
    (until - at).num_seconds()
}

#[tokio::test]
async fn admins_add_bans_that_apply_at_once_and_others_may_not() {
    let (app, key, _) = spawn_app_with_key(&MONITOR, json!({"name": "k"})).await;
    let created = app
        .post(
            "/api/security/bans",
            &json!({"ip": "127.0.0.1", "seconds": 60, "reason": "test"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let ban: Value = created.json().await.unwrap();
    assert_eq!(ban["banned_by"], "admin");
    assert_eq!(ban["reason"], "test");
    assert_eq!(ping_body(&app, &key).await.1["message"], BANNED);
    let bad = app.post("/api/security/bans", &json!({"ip": "nope"})).await;
    assert_error(bad, 400).await;

    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    assert_error(bob.get("/api/security/bans").await, 403).await;
    assert_error(
        bob.post("/api/security/bans", &json!({"ip": "10.0.0.1"}))
            .await,
        403,
    )
    .await;
    let anonymous = new_client()
        .get(app.url("/api/security/bans"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
}

#[tokio::test]
async fn a_ban_written_by_another_process_applies_within_a_second() {
    let (app, key, _) = spawn_app_with_key(&MONITOR, json!({"name": "k"})).await;
    assert_eq!(app.ping(&key).await, 200);
    // What another keygate process (or the monitor there) does: write the ban to the database.
    keygate_core::bans::ban(
        &app.db,
        IpAddr::V4(Ipv4Addr::LOCALHOST).into(),
        "other",
        "test",
        Some(60),
        60,
    )
    .await
    .unwrap();
    let applied = within(Duration::from_secs(3), || async {
        app.ping(&key).await == 403
    })
    .await;
    assert!(
        applied.is_some_and(|t| t < Duration::from_millis(2500)),
        "{applied:?}"
    );
}

#[tokio::test]
async fn with_bans_off_invalid_keys_are_only_counted() {
    let (app, key, _) =
        spawn_app_with_key(&[("KEYGATE_BAN_THRESHOLD", "0")], json!({"name": "k"})).await;
    for _ in 0..30 {
        assert_eq!(app.ping("not-a-key").await, 403);
    }
    assert_eq!(app.ping(&key).await, 200);
    assert_eq!(app.state.security.invalid_total(), 30);
    assert!(bans(&app).await.is_empty());
}
