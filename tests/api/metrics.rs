//! Prometheus metrics: a scrape after known traffic shows it per route and status, in the latency
//! histogram and in the key-cache, Argon2, traffic-row, ban, WebSocket and Action Center figures;
//! `/metrics` is served on its own listener, on the public port only when asked, not at all when
//! off; bad settings stop the start.

use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Duration;

use keygate_api::Application;
use keygate_core::{db, Settings};
use keygate_tests::{base_env, new_client, spawn_app_with, TestApp, TestDatabase};
use serde_json::json;

use crate::action_center::{app_with_semi_auto_key, queued};
use crate::process::within;
use crate::ws_client::Ws;

/// One sample of a scrape: its metric name, labels and value.
pub(crate) struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// The samples of an exposition (label values here hold no quotes or commas).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a sample line");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once("=\"").expect("a label");
                    (key.to_owned(), value.trim_end_matches('"').to_owned())
                })
                .collect();
            Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().expect("a number"),
            }
        })
        .collect()
}

/// The value of the one sample of `name` with `labels` (among others), if there is one.
pub(crate) fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .collect();
    assert!(matching.len() <= 1, "{name} {labels:?} is not one series");
    matching.first().copied()
}

async fn scrape_text(url: &str) -> String {
    let response = new_client().get(url).send().await.expect("scrape");
    assert_eq!(response.status(), 200, "scrape of {url}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.text().await.expect("body")
}

pub(crate) async fn scrape(app: &TestApp) -> Vec<Sample> {
    parse(&scrape_text(&format!("{}/metrics", app.metrics_address)).await)
}

/// Scrapes until `ready` holds (the writer counts requests within its flush period), at most 10 s.
async fn scrape_until(app: &TestApp, ready: impl Fn(&[Sample]) -> bool) -> Vec<Sample> {
    let seen = within(Duration::from_secs(10), || async {
        ready(&scrape(app).await)
    })
    .await;
    assert!(
        seen.is_some(),
        "the metrics did not reach the expected figures"
    );
    scrape(app).await
}

const PING: [(&str, &str); 3] = [
    ("class", "api_v1"),
    ("route", "/api/v1/ping"),
    ("method", "POST"),
];

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(more).copied().collect()
}

/// `key` with its last digit changed: well formed, unknown.
fn wrong(key: &str) -> String {
    let last = if key.ends_with('f') { 'e' } else { 'f' };
    format!("{}{last}", &key[..63])
}

#[tokio::test]
async fn a_scrape_after_known_traffic_counts_it_per_route_and_status_with_latencies_and_cache_figures(
) {
    let app = spawn_app_with(&[]).await;
    app.setup_admin("admin").await;
    let (key, id) = app.create_key(json!({"name": "bot"})).await;
    for _ in 0..5 {
        assert_eq!(app.ping(&key).await, 200);
    }
    for _ in 0..2 {
        assert_eq!(app.ping(&wrong(&key)).await, 403);
    }
    // The trailing-slash spelling counts under the same route.
    let (status, _) = app.v1("ping/", &key, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(app.get(&format!("/api/keys/{id}")).await.status(), 200);
    let missing = app.get("/api/keys/999999").await.status();
    assert_eq!(missing, 404);

    let one_key = [
        ("class", "session_api"),
        ("route", "/api/keys/{id}"),
        ("method", "GET"),
    ];
    // Every request counted, and every row written (rows are counted before they are written).
    let samples = scrape_until(&app, |s| {
        let requests: f64 = s
            .iter()
            .filter(|s| s.name == "keygate_http_requests_total")
            .map(|s| s.value)
            .sum();
        value(
            s,
            "keygate_http_requests_total",
            &with(&one_key, &[("status", "4xx")]),
        ) == Some(1.0)
            && value(s, "keygate_traffic_rows_written_total", &[]) == Some(requests)
    })
    .await;

    assert_eq!(
        value(
            &samples,
            "keygate_http_requests_total",
            &with(&PING, &[("status", "2xx")])
        ),
        Some(6.0)
    );
    assert_eq!(
        value(
            &samples,
            "keygate_http_requests_total",
            &with(&PING, &[("status", "4xx")])
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &samples,
            "keygate_http_requests_total",
            &with(&one_key, &[("status", "2xx")])
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &samples,
            "keygate_http_requests_total",
            &with(&one_key, &[("status", "4xx")])
        ),
        Some(1.0),
        "ids in paths share their route's series"
    );
    assert!(
        samples.iter().all(|s| s
            .labels
            .get("route")
            .is_none_or(|r| !r.contains("999999") && !r.ends_with('/'))),
        "no raw path is a label"
    );

    let route = [("class", "api_v1"), ("route", "/api/v1/ping")];
    let count = value(
        &samples,
        "keygate_http_request_duration_seconds_count",
        &route,
    );
    assert_eq!(count, Some(8.0));
    let all = value(
        &samples,
        "keygate_http_request_duration_seconds_bucket",
        &with(&route, &[("le", "+Inf")]),
    );
    assert_eq!(all, Some(8.0));
    let under_10s = value(
        &samples,
        "keygate_http_request_duration_seconds_bucket",
        &with(&route, &[("le", "10")]),
    );
    assert_eq!(under_10s, Some(8.0));
    let sum = value(
        &samples,
        "keygate_http_request_duration_seconds_sum",
        &route,
    )
    .unwrap();
    assert!(sum > 0.0 && sum < 80.0, "{sum}");

    // The first valid call looked the key up and ran Argon2 once; the other five came from a cache.
    assert_eq!(
        value(&samples, "keygate_key_argon2_runs_total", &[]),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, "keygate_key_cache_misses_total", &[]),
        Some(1.0)
    );
    let memo = value(
        &samples,
        "keygate_key_cache_hits_total",
        &[("cache", "memo")],
    )
    .unwrap();
    let shared = value(
        &samples,
        "keygate_key_cache_hits_total",
        &[("cache", "shared")],
    )
    .unwrap();
    assert_eq!(memo + shared, 5.0, "memo {memo}, shared {shared}");
    assert_eq!(
        value(&samples, "keygate_invalid_key_attempts_total", &[]),
        Some(2.0)
    );

    let written = value(&samples, "keygate_traffic_rows_written_total", &[]).unwrap();
    assert!(written >= 10.0, "{written}");
    assert!(written <= app.state.traffic.written() as f64, "{written}");
    assert_eq!(
        value(&samples, "keygate_traffic_rows_dropped_total", &[]),
        Some(0.0)
    );
    // No KEYGATE_REDIS_URL: limits are this process's own, and Redis was never called.
    assert_eq!(value(&samples, "keygate_shared_limits_up", &[]), Some(0.0));
    assert_eq!(
        value(&samples, "keygate_redis_errors_total", &[]),
        Some(0.0)
    );
}

#[tokio::test]
async fn a_ban_shows_in_the_ban_figures() {
    let app = spawn_app_with(&[("KEYGATE_BAN_THRESHOLD", "3")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "bot"})).await;
    for _ in 0..3 {
        assert_eq!(app.ping(&wrong(&key)).await, 403);
    }
    assert_eq!(app.ping(&key).await, 403, "the address is banned");

    let samples = scrape(&app).await;
    assert_eq!(
        value(&samples, "keygate_invalid_key_attempts_total", &[]),
        Some(3.0)
    );
    assert_eq!(value(&samples, "keygate_bans_issued_total", &[]), Some(1.0));
    assert_eq!(value(&samples, "keygate_bans_active", &[]), Some(1.0));
    assert_eq!(
        value(&samples, "keygate_banned_requests_total", &[]),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, "keygate_key_argon2_runs_total", &[]),
        Some(0.0)
    );
}

#[tokio::test]
async fn an_open_websocket_is_in_the_connection_gauge_and_its_frames_are_counted() {
    let app = spawn_app_with(&[]).await;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "feed"})).await;
    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "keygate_ws_connections", &[]), Some(0.0));

    let mut ws = Ws::connect(&app.ws_address).await;
    let reply = ws
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");

    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "keygate_ws_connections", &[]), Some(1.0));
    let received = [("direction", "received")];
    assert_eq!(
        value(&samples, "keygate_ws_frames_total", &received),
        Some(1.0)
    );
    let sent = value(
        &samples,
        "keygate_ws_frames_total",
        &[("direction", "sent")],
    )
    .unwrap();
    assert!(sent >= 1.0, "{sent}");

    drop(ws);
    scrape_until(&app, |s| {
        value(s, "keygate_ws_connections", &[]) == Some(0.0)
    })
    .await;
}

#[tokio::test]
async fn the_action_center_queue_size_is_read_on_scrape() {
    let (app, key, _) = app_with_semi_auto_key().await;
    assert_eq!(
        value(&scrape(&app).await, "keygate_action_center_pending", &[]),
        Some(0.0)
    );
    queued(&app, &key, "SBIN").await;
    queued(&app, &key, "INFY").await;
    assert_eq!(
        value(&scrape(&app).await, "keygate_action_center_pending", &[]),
        Some(2.0)
    );
}

#[tokio::test]
async fn metrics_are_on_their_own_listener_and_not_on_the_public_port_by_default() {
    let app = spawn_app_with(&[]).await;

    let text = scrape_text(&format!("{}/metrics", app.metrics_address)).await;
    assert!(
        text.contains("# TYPE keygate_key_argon2_runs_total counter"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE keygate_ws_connections gauge"),
        "{text}"
    );
    assert!(
        text.contains("# HELP keygate_action_center_pending"),
        "{text}"
    );

    let public = new_client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(public.status(), 200);
    assert!(!public.text().await.unwrap().contains("keygate_"));

    let other = new_client()
        .get(format!("{}/health", app.metrics_address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        404,
        "the metrics listener serves only /metrics"
    );
}

#[tokio::test]
async fn the_public_flag_serves_metrics_on_the_main_port_too() {
    let app = spawn_app_with(&[("KEYGATE_METRICS_PUBLIC", "true")]).await;

    let text = scrape_text(&format!("{}/metrics", app.address)).await;
    assert!(
        text.contains("keygate_traffic_rows_written_total"),
        "{text}"
    );
    scrape(&app).await;
}

#[tokio::test]
async fn metrics_off_starts_no_listener_and_the_server_still_works() {
    let app = spawn_app_with(&[("KEYGATE_METRICS_BIND", "off")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "bot"})).await;

    assert!(app.metrics_address.is_empty());
    assert_eq!(app.ping(&key).await, 200);
    let public = new_client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(public.status(), 200);
}

fn settings_with(database: &TestDatabase, overrides: &[(&str, &str)]) -> Result<Settings, String> {
    let mut env = base_env(&database.url);
    for (k, v) in overrides {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    Settings::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn bad_metrics_settings_are_refused_at_start() {
    let database = TestDatabase::create().await;
    for (name, value) in [
        ("KEYGATE_METRICS_BIND", "everywhere"),
        ("KEYGATE_METRICS_BIND", "127.0.0.1"),
        ("KEYGATE_METRICS_PUBLIC", "yes"),
    ] {
        let message = settings_with(&database, &[(name, value)]).expect_err("refused");
        assert!(
            message.contains(name) && message.contains(value),
            "{message}"
        );
    }

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let settings = settings_with(&database, &[("KEYGATE_METRICS_BIND", &address)]).unwrap();
    let db = db::connect(&settings.database_url).await.unwrap();
    db::migrate(&db).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let error = Application::build_with(settings, db, listener)
        .await
        .err()
        .expect("a taken metrics address stops the start")
        .to_string();
    assert!(error.contains("KEYGATE_METRICS_BIND"), "{error}");
}

#[tokio::test]
async fn the_shared_limit_figures_say_whether_redis_decides() {
    let redis =
        std::env::var("KEYGATE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("kgtest-{}", uuid::Uuid::new_v4().simple());
    let shared = spawn_app_with(&[
        ("KEYGATE_REDIS_URL", redis.as_str()),
        ("KEYGATE_REDIS_PREFIX", prefix.as_str()),
        ("KEYGATE_REDIS_TIMEOUT_MS", "1000"),
    ])
    .await;
    let samples = scrape(&shared).await;
    assert_eq!(value(&samples, "keygate_shared_limits_up", &[]), Some(1.0));
    assert_eq!(
        value(&samples, "keygate_redis_errors_total", &[]),
        Some(0.0)
    );

    // Port 1 on loopback: nothing listens there, so every connection attempt fails.
    let away = spawn_app_with(&[("KEYGATE_REDIS_URL", "redis://127.0.0.1:1")]).await;
    let samples = scrape(&away).await;
    assert_eq!(value(&samples, "keygate_shared_limits_up", &[]), Some(0.0));
    let errors = value(&samples, "keygate_redis_errors_total", &[]).unwrap_or_default();
    assert!(errors >= 1.0, "the failed connect is counted: {errors}");
}
