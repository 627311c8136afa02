//! `GET /api/keys/usage`: every key of the signed-in user with its requests and errors per hour
//! over the last 24 hours, read from the traffic rollups; another user's keys never appear.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use keygate_core::traffic::{self, TrafficRecord};
use keygate_tests::{assert_error, json_body, spawn_app_with, spawn_app_with_key, Browser};
use serde_json::{json, Value};

use crate::process::within;

/// Flush quickly so tests see their rows.
const FAST: (&str, &str) = ("KEYGATE_TRAFFIC_FLUSH_MS", "20");

/// One `/api/v1/ping` row of `key` (owned by `user`) `minutes_ago` minutes ago.
fn row(n: usize, minutes_ago: i64, user: i64, key: i64, status: u16) -> TrafficRecord {
    TrafficRecord {
        ts_ms: Utc::now().timestamp_millis() - minutes_ago * 60_000,
        method: "POST".into(),
        path: "/api/v1/ping".into(),
        status,
        duration_us: 500,
        client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        user_id: Some(user),
        key_id: Some(key),
        request_id: format!("{:020x}", 0xcd00 + n).into(),
        error_class: (status >= 400).then_some("server_error"),
    }
}

async fn usage(browser: &Browser) -> Value {
    json_body(browser.get("/api/keys/usage").await).await
}

/// The hour bucket `minutes_ago` falls in, counted from the answer's `from`.
fn bucket(answer: &Value, minutes_ago: i64) -> usize {
    let from: DateTime<Utc> = answer["from"].as_str().unwrap().parse().unwrap();
    let minute = (Utc::now().timestamp_millis() - minutes_ago * 60_000).div_euclid(60_000);
    ((minute - from.timestamp_millis() / 60_000) / 60) as usize
}

/// The entry of `key` in an answer.
fn entry(answer: &Value, key: i64) -> &Value {
    answer["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_id"] == key)
        .unwrap_or_else(|| panic!("key {key} missing from {answer}"))
}

#[tokio::test]
async fn each_key_gets_24_hourly_request_and_error_counts_and_other_users_keys_never_appear() {
    let app = spawn_app_with(&[FAST]).await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let (_, alpha) = app.create_key(json!({"name": "alpha"})).await;
    let (_, idle) = app.create_key(json!({"name": "idle"})).await;
    let bob = app.signed_in("bob").await;
    let (_, beta) = bob.create_key(json!({"name": "beta"})).await;
    let rows = vec![
        row(0, 30, 1, alpha, 200),
        row(1, 31, 1, alpha, 200),
        row(2, 32, 1, alpha, 500),
        row(3, 330, 1, alpha, 429),
        row(4, 331, 1, alpha, 200),
        // Older than 24 hours: outside the window.
        row(5, 25 * 60, 1, alpha, 200),
        row(6, 30, 2, beta, 200),
        row(7, 30, 2, beta, 403),
        row(8, 30, 2, beta, 200),
        row(9, 30, 2, beta, 200),
    ];
    let store = traffic::TrafficStore::open(app.db.clone(), &app.database.url).unwrap();
    store.write(&rows).await.unwrap();

    let mine = usage(&app.browser).await;
    let from: DateTime<Utc> = mine["from"].as_str().unwrap().parse().unwrap();
    let to: DateTime<Utc> = mine["to"].as_str().unwrap().parse().unwrap();
    assert_eq!(to - from, chrono::Duration::hours(24));
    let ids: Vec<i64> = mine["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [alpha, idle], "only the admin's own keys: {mine}");
    let (recent, earlier) = (bucket(&mine, 31), bucket(&mine, 330));
    assert_eq!((recent, earlier), (23, 18));
    let mut requests = vec![0; 24];
    let mut errors = vec![0; 24];
    (requests[recent], errors[recent]) = (3, 1);
    (requests[earlier], errors[earlier]) = (2, 1);
    assert_eq!(entry(&mine, alpha)["requests"], json!(requests));
    assert_eq!(entry(&mine, alpha)["errors"], json!(errors));
    assert_eq!(entry(&mine, idle)["requests"], json!(vec![0; 24]));
    assert_eq!(entry(&mine, idle)["errors"], json!(vec![0; 24]));

    let theirs = usage(&bob).await;
    assert_eq!(theirs["keys"].as_array().unwrap().len(), 1, "{theirs}");
    let mut requests = vec![0; 24];
    let mut errors = vec![0; 24];
    (requests[23], errors[23]) = (4, 1);
    assert_eq!(entry(&theirs, beta)["requests"], json!(requests));
    assert_eq!(entry(&theirs, beta)["errors"], json!(errors));
}

#[tokio::test]
async fn calls_made_with_a_key_show_up_in_its_current_hour() {
    let (app, key, id) = spawn_app_with_key(&[FAST], json!({"name": "bot"})).await;
    assert_eq!(app.ping(&key).await, 200);
    assert_eq!(app.ping(&key).await, 200);
    let (status, _) = app.v1("placeorder", &key, json!({})).await;
    assert_eq!(status, 403, "a read key may not order: an error");

    let browser = &app.browser;
    let counted = within(Duration::from_secs(30), || async move {
        let answer = usage(browser).await;
        let usage = entry(&answer, id);
        usage["requests"][23] == 3 && usage["errors"][23] == 1
    })
    .await;
    assert!(counted.is_some(), "{}", usage(&app.browser).await);
    let answer = usage(&app.browser).await;
    let total: i64 = entry(&answer, id)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .sum();
    assert_eq!(total, 3);
}

#[tokio::test]
async fn usage_needs_a_session() {
    let app = spawn_app_with(&[]).await;
    app.setup_admin("admin").await;
    assert_error(app.new_browser().get("/api/keys/usage").await, 401).await;
}
