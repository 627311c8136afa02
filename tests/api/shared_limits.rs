//! Rate limits shared through Redis (`KEYGATE_REDIS_URL`): two servers on one database and one
//! Redis prefix allow a key or an address its rate once between them, answer 429s exactly as the
//! in-memory limiter does, and go on with local limits while Redis is away. These tests need the
//! Redis at 127.0.0.1:6379 (`KEYGATE_TEST_REDIS_URL` to use another) and fail without it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use keygate_api::rate_limit::RateCategory;
use keygate_api::shared_limit::{Decision, SharedLimits};
use keygate_core::config::{parse_windows, SharedLimitSettings};
use keygate_core::Settings;
use keygate_tests::{base_env, new_client, spawn_app_with, spawn_on, TestApp};
use reqwest::Response;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

fn redis_url() -> String {
    std::env::var("KEYGATE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Decisions in these tests wait this long for Redis before deciding locally: the tests share a
/// loaded machine, and a stall past the default 50 ms would turn a sharing test into a fallback
/// one (the fallback has tests of its own).
const PATIENT_MS: &str = "1000";

/// A prefix no other test (or run) uses.
fn unique_prefix() -> String {
    format!("kgtest-{}", uuid::Uuid::new_v4().simple())
}

/// Two servers on one database, sharing limits under one prefix, each with `limits`, and an API
/// key (made before the second starts, so it knows the key from its start).
async fn two_sharing(limits: &[(&str, &str)]) -> (TestApp, TestApp, String) {
    let prefix = unique_prefix();
    let url = redis_url();
    let mut settings = vec![
        ("KEYGATE_REDIS_URL", url.as_str()),
        ("KEYGATE_REDIS_PREFIX", prefix.as_str()),
        ("KEYGATE_REDIS_TIMEOUT_MS", PATIENT_MS),
    ];
    settings.extend_from_slice(limits);
    let first = spawn_app_with(&settings).await;
    first.setup_admin("admin").await;
    let (key, _) = first.create_key(json!({"name": "bot"})).await;
    let second = spawn_on(first.database.beside(), &settings).await;
    for app in [&first, &second] {
        assert!(
            health(app).0,
            "Redis at {url} must be reachable for these tests"
        );
    }
    (first, second, key)
}

/// (up, errors) of an app's shared limits.
fn health(app: &TestApp) -> (bool, u64) {
    let shared = app
        .state
        .shared_limits
        .as_ref()
        .expect("KEYGATE_REDIS_URL is set");
    (shared.health().is_up(), shared.health().errors())
}

async fn ping(app: &TestApp, key: &str) -> Response {
    new_client()
        .post(app.url("/api/v1/ping"))
        .header("X-API-KEY", key)
        .send()
        .await
        .expect("request")
}

/// The limit headers and the body of a response, to compare two limiters' answers.
async fn answer(response: Response) -> (u16, Vec<Option<String>>, Value) {
    let status = response.status().as_u16();
    let headers = [
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "retry-after",
    ]
    .iter()
    .map(|name| {
        response
            .headers()
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    })
    .collect();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn two_servers_share_one_keys_budget() {
    let (first, second, key) = two_sharing(&[
        ("KEYGATE_RATE_DATA", "10/min"),
        ("KEYGATE_RATE_API_PER_IP", "off"),
    ])
    .await;
    let mut allowed = 0;
    for i in 0..30 {
        let app = if i % 2 == 0 { &first } else { &second };
        match ping(app, &key).await.status().as_u16() {
            200 => allowed += 1,
            429 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    // 10 a minute between both (one more may have come due while the test ran); apart, each
    // would have allowed 10.
    assert!((10..=11).contains(&allowed), "allowed {allowed} of 30");
    for app in [&first, &second] {
        assert_eq!(health(app), (true, 0), "every decision was made in Redis");
    }
}

#[tokio::test]
async fn two_servers_share_one_addresss_budgets() {
    let (first, second, key) = two_sharing(&[
        ("KEYGATE_RATE_DEFAULT", "6/min"),
        ("KEYGATE_RATE_API_PER_IP", "8/min"),
        ("KEYGATE_RATE_DATA", "off"),
    ])
    .await;
    let mut session_api = 0;
    let mut api_v1 = 0;
    for i in 0..20 {
        let app = if i % 2 == 0 { &first } else { &second };
        if app.get("/api/setup").await.status() == 200 {
            session_api += 1;
        }
        if ping(app, &key).await.status() == 200 {
            api_v1 += 1;
        }
    }
    // `setup_admin` and `create_key` already used 2 calls of the session API's budget.
    assert!((4..=5).contains(&session_api), "session API: {session_api}");
    assert!((8..=9).contains(&api_v1), "/api/v1: {api_v1}");
}

#[tokio::test]
async fn orders_charged_after_the_fact_on_one_server_count_on_the_other() {
    let (first, second, _) = two_sharing(&[("KEYGATE_RATE_ORDERS", "5/min")]).await;
    let req = TestRequest::default().to_http_request();
    // Cancel-all on the first server cancelled 4 more orders than the one call it counted.
    first
        .state
        .rate_limits
        .charge_key(RateCategory::Orders, 7, 4)
        .await;
    second
        .state
        .rate_limits
        .check_key(&req, RateCategory::Orders, 7)
        .await
        .expect("the fifth order call");
    let refused = first
        .state
        .rate_limits
        .check_key(&req, RateCategory::Orders, 7)
        .await
        .expect_err("the budget is used up on both");
    assert_eq!(refused.to_string(), "Rate limit exceeded: 5 per 1 minute");
    assert_eq!(health(&first), (true, 0));
}

#[tokio::test]
async fn shared_limits_answer_with_the_same_headers_and_bodies_as_local_ones() {
    let limits = [
        ("KEYGATE_RATE_DATA", "3/min"),
        ("KEYGATE_RATE_WEBHOOK", "2/min"),
    ];
    let (shared, _, shared_key) = two_sharing(&limits).await;
    let local = spawn_app_with(&limits).await;
    local.setup_admin("admin").await;
    let (local_key, _) = local.create_key(json!({"name": "bot"})).await;
    for call in 0..4 {
        let expected = answer(ping(&local, &local_key).await).await;
        let got = answer(ping(&shared, &shared_key).await).await;
        assert_eq!(got, expected, "per-key call {call}");
    }
    // A per-address middleware category.
    for call in 0..3 {
        let expected = answer(local.post("/api/webhook/tradingview", &json!({})).await).await;
        let got = answer(shared.post("/api/webhook/tradingview", &json!({})).await).await;
        assert_eq!(got, expected, "per-address call {call}");
    }
    assert_eq!(health(&shared), (true, 0));
}

#[tokio::test]
async fn an_unreachable_redis_leaves_local_limits_in_force_and_says_so() {
    // Port 1 on loopback: nothing listens there.
    let app = spawn_app_with(&[
        ("KEYGATE_REDIS_URL", "redis://127.0.0.1:1"),
        ("KEYGATE_RATE_DATA", "3/min"),
    ])
    .await;
    let (up, errors) = health(&app);
    assert!(!up, "the health flag says down");
    assert!(errors >= 1, "the failed connect counted");
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "bot"})).await;
    let statuses = [
        ping(&app, &key).await.status(),
        ping(&app, &key).await.status(),
        ping(&app, &key).await.status(),
        ping(&app, &key).await.status(),
    ];
    assert_eq!(statuses.map(|s| s.as_u16()), [200, 200, 200, 429]);
    let later = wait_for(Duration::from_secs(3), || health(&app).1 > errors).await;
    assert!(
        later,
        "reconnect attempts count as errors while Redis is away"
    );
    assert!(!health(&app).0);
}

#[tokio::test]
async fn a_redis_that_never_answers_delays_no_request_past_the_timeout() {
    // Accepts connections (into the kernel's backlog) and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", silent.local_addr().unwrap());
    let started = Instant::now();
    let app = spawn_app_with(&[
        ("KEYGATE_REDIS_URL", url.as_str()),
        ("KEYGATE_REDIS_TIMEOUT_MS", "50"),
    ])
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!health(&app).0);
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "bot"})).await;
    assert_eq!(ping(&app, &key).await.status(), 200, "warm the key's cache");
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(ping(&app, &key).await.status(), 200);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "took {:?}",
            started.elapsed()
        );
    }
}

/// A TCP relay to the test Redis that can cut every connection (and refuse new ones) and let
/// them through again, standing in for Redis going away and coming back.
struct Relay {
    address: SocketAddr,
    open: watch::Sender<bool>,
    connections: Arc<AtomicUsize>,
}

impl Relay {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let target = redis_url()
            .trim_start_matches("redis://")
            .trim_end_matches('/')
            .to_owned();
        let (open, _) = watch::channel(true);
        let gate = open.clone();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut closed = gate.subscribe();
                if !*closed.borrow_and_update() {
                    continue; // dropped: refused
                }
                let target = target.clone();
                let counted = counted.clone();
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    if let Ok(mut redis) = TcpStream::connect(&target).await {
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut redis) => {}
                            _ = closed.wait_for(|open| !*open) => {}
                        }
                    }
                    drop(client);
                    counted.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self {
            address,
            open,
            connections,
        }
    }

    /// Closes every relayed connection and refuses new ones; returns once they are closed.
    async fn cut(&self) {
        self.open.send_replace(false);
        let connections = self.connections.clone();
        let closed = wait_for(Duration::from_secs(3), || {
            connections.load(Ordering::SeqCst) == 0
        })
        .await;
        assert!(closed, "the relay closed its connections");
    }

    /// Lets connections through again.
    fn restore(&self) {
        self.open.send_replace(true);
    }
}

async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test]
async fn limits_fall_back_to_local_while_redis_is_away_and_return_to_it() {
    let relay = Relay::start().await;
    let url = format!("redis://{}", relay.address);
    let prefix = unique_prefix();
    let app = spawn_app_with(&[
        ("KEYGATE_REDIS_URL", url.as_str()),
        ("KEYGATE_REDIS_PREFIX", prefix.as_str()),
        ("KEYGATE_REDIS_TIMEOUT_MS", PATIENT_MS),
        ("KEYGATE_RATE_DATA", "5/min"),
    ])
    .await;
    assert_eq!(health(&app), (true, 0), "connected through the relay");
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "bot"})).await;
    let first = ping(&app, &key).await;
    assert_eq!(
        first.headers()["ratelimit-remaining"],
        "4",
        "decided in Redis"
    );

    relay.cut().await;
    // Every request is answered; the process's own limiter (which has counted nothing yet) takes
    // over: 5 allowed, then refused.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(ping(&app, &key).await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    let (up, errors) = health(&app);
    assert!(
        !up && errors >= 1,
        "down, with the failure counted: {errors}"
    );

    relay.restore();
    assert!(
        wait_for(Duration::from_secs(3), || health(&app).0).await,
        "reconnected within a few reconnect periods"
    );
    // Redis decides again, from the state it kept: one of five used before the cut.
    let back = ping(&app, &key).await;
    assert_eq!(back.status(), 200);
    assert_eq!(back.headers()["ratelimit-remaining"], "3");
}

#[test]
fn an_unparsable_redis_url_is_refused_at_start_up() {
    for url in ["localhost:6379", "http://127.0.0.1:6379", "redis://:pw@/0"] {
        let mut env = base_env("sqlite::memory:");
        env.insert("KEYGATE_REDIS_URL".into(), url.into());
        let error = Settings::from_lookup(|name| env.get(name).cloned())
            .expect_err(url)
            .to_string();
        assert!(error.contains("KEYGATE_REDIS_URL"), "{url}: {error}");
    }
}

/// The cost of a shared decision: one `EVALSHA` round trip. Prints the figures for
/// docs/PERFORMANCE.md (`--nocapture`); asserts only that a decision fits the default timeout.
#[tokio::test]
async fn a_shared_decision_costs_one_round_trip() {
    let prefix = unique_prefix();
    let url = redis_url();
    let vars = [
        ("KEYGATE_REDIS_URL", url.as_str()),
        ("KEYGATE_REDIS_PREFIX", prefix.as_str()),
        ("KEYGATE_REDIS_TIMEOUT_MS", PATIENT_MS),
    ];
    let settings = SharedLimitSettings::load(&|name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap()
    .unwrap();
    let limits = SharedLimits::start(&settings).await.unwrap();
    assert!(limits.health().is_up(), "Redis at {url} must be reachable");
    for spec in ["1000000/s", "1000000/s,10000000/min"] {
        let windows = limits.windows("bench", &parse_windows("X", spec).unwrap());
        let mut took = Vec::new();
        for i in 0..2000u32 {
            let started = Instant::now();
            let decision = windows.decide(&(i % 100), 1).await;
            took.push(started.elapsed());
            assert!(
                matches!(decision, Some(Decision::Allowed(_))),
                "{decision:?}"
            );
        }
        took.sort();
        let median = took[took.len() / 2];
        let p99 = took[took.len() * 99 / 100];
        println!(
            "shared decision, {spec}: median {} µs, p99 {} µs (2000 calls)",
            median.as_micros(),
            p99.as_micros()
        );
        assert!(median < Duration::from_millis(50), "median {median:?}");
    }
    assert_eq!(limits.health().errors(), 0);
}
