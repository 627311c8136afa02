//! What the Traffic Logs page asks of the API: list filters by method, path prefix, error class,
//! minimum latency and request id; stats per status class, per error class and per key, and one
//! key's stats; bad filter values refused with the envelope.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::process::within;
use keygate_core::entities::traffic_log;
use keygate_core::traffic::{self, TrafficRecord};
use keygate_tests::{assert_error, spawn_app_with, Browser, TestApp};
use sea_orm::EntityTrait;
use serde_json::{json, Value};

/// Flush quickly so tests see their rows.
const FAST: (&str, &str) = ("KEYGATE_TRAFFIC_FLUSH_MS", "20");

/// Enough for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// The admin (user 1) with key `alpha`, and bob (user 2) with key `beta`.
struct World {
    app: TestApp,
    bob: Browser,
    alpha: i64,
    beta: i64,
    rows: Vec<TrafficRecord>,
}

/// One synthetic `/api/v1` row.
#[expect(clippy::too_many_arguments)]
fn row(
    n: usize,
    method: &'static str,
    path: &str,
    status: u16,
    duration_us: u64,
    ip: u8,
    user_and_key: Option<(i64, i64)>,
    error_class: Option<&'static str>,
) -> TrafficRecord {
    TrafficRecord {
        ts_ms: chrono::Utc::now().timestamp_millis() - 1000 - n as i64 * 10,
        method: method.into(),
        path: path.into(),
        status,
        duration_us,
        client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, ip)),
        user_id: user_and_key.map(|(user, _)| user),
        key_id: user_and_key.map(|(_, key)| key),
        request_id: format!("{:020x}", 0xab00 + n).into(),
        error_class,
    }
}

/// Starts keygate with two users and a key each, and writes a known set of `/api/v1` rows
/// straight through the traffic store, in one transaction.
async fn world() -> World {
    let app = spawn_app_with(&[FAST]).await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let (_, alpha) = app.create_key(json!({"name": "alpha"})).await;
    let bob = app.signed_in("bob").await;
    let (_, beta) = bob.create_key(json!({"name": "beta"})).await;
    let a = Some((1, alpha));
    let b = Some((2, beta));
    let mut rows = Vec::new();
    let mut add = |method, path: &str, status, us, ip, who, class| {
        let n = rows.len();
        rows.push(row(n, method, path, status, us, ip, who, class));
    };
    for i in 1..=6 {
        add("POST", "/api/v1/ping", 200, i * 1000, 1, a, None);
    }
    for _ in 0..3 {
        add("POST", "/api/v1/funds", 200, 50_000, 2, a, None);
    }
    for _ in 0..2 {
        add(
            "POST",
            "/api/v1/placeorder",
            429,
            300,
            1,
            a,
            Some("rate_limited"),
        );
    }
    add(
        "POST",
        "/api/v1/placeorder",
        500,
        900,
        1,
        a,
        Some("server_error"),
    );
    for _ in 0..4 {
        add("POST", "/api/v1/ping", 200, 700, 3, b, None);
    }
    for _ in 0..2 {
        add("POST", "/api/v1/ping", 403, 400, 3, b, Some("forbidden"));
    }
    for _ in 0..3 {
        add(
            "POST",
            "/api/v1/ping",
            403,
            200,
            9,
            None,
            Some("invalid_key"),
        );
    }
    add(
        "GET",
        "/api/v1/ping",
        405,
        100,
        9,
        None,
        Some("method_not_allowed"),
    );
    let store = traffic::TrafficStore::open(app.db.clone(), &app.database.url).unwrap();
    store.write(&rows).await.unwrap();
    World {
        app,
        bob,
        alpha,
        beta,
        rows,
    }
}

async fn json_of(response: reqwest::Response, what: &str) -> Value {
    assert_eq!(response.status(), 200, "{what}");
    response.json().await.unwrap()
}

/// The request ids of the rows the list shows for `query` (one page of up to 500).
async fn listed(browser: &Browser, query: &str) -> Vec<String> {
    let page = json_of(
        browser
            .get(&format!("/api/traffic?limit=500&{query}"))
            .await,
        query,
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["request_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The request ids of the synthetic rows `keep` selects, newest first (as the list orders them).
fn expected(rows: &[TrafficRecord], keep: impl Fn(&TrafficRecord) -> bool) -> Vec<String> {
    let mut kept: Vec<&TrafficRecord> = rows.iter().filter(|r| keep(r)).collect();
    kept.sort_by_key(|r| std::cmp::Reverse(r.ts_ms));
    kept.iter().map(|r| r.request_id.to_string()).collect()
}

#[tokio::test]
async fn the_list_filters_by_method_path_prefix_error_class_latency_and_request_id() {
    let w = world().await;
    let admin = &w.app.browser;
    let v1 = |r: &TrafficRecord| r.path.starts_with("/api/v1/");

    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "path_prefix=/api/v1/&method=get".into(),
            expected(&w.rows, |r| v1(r) && r.method == "GET"),
        ),
        (
            "path_prefix=/api/v1/p".into(),
            expected(&w.rows, |r| r.path.starts_with("/api/v1/p")),
        ),
        (
            "path_prefix=/api/v1/placeorder".into(),
            expected(&w.rows, |r| r.path == "/api/v1/placeorder"),
        ),
        (
            "error_class=rate_limited".into(),
            expected(&w.rows, |r| r.error_class == Some("rate_limited")),
        ),
        (
            "error_class=invalid_key&status_class=4xx".into(),
            expected(&w.rows, |r| r.error_class == Some("invalid_key")),
        ),
        (
            "path_prefix=/api/v1/&min_duration_ms=5".into(),
            expected(&w.rows, |r| v1(r) && r.duration_us >= 5000),
        ),
        (
            format!("key_id={}&error_class=forbidden", w.beta),
            expected(&w.rows, |r| {
                r.key_id == Some(w.beta) && r.error_class == Some("forbidden")
            }),
        ),
        (
            format!("key_id={}&method=POST&path_prefix=/api/v1/ping", w.alpha),
            expected(&w.rows, |r| {
                r.key_id == Some(w.alpha) && r.path == "/api/v1/ping"
            }),
        ),
        // Blank values are no filter at all.
        (
            "path_prefix=/api/v1/placeorder&method=&error_class=&request_id=".into(),
            expected(&w.rows, |r| r.path == "/api/v1/placeorder"),
        ),
    ];
    for (query, want) in &cases {
        assert!(!want.is_empty(), "{query} selects something");
        let got = within(
            PATIENCE,
            || async move { &listed(admin, query).await == want },
        )
        .await;
        assert!(
            got.is_some(),
            "{query}: got {:?}, want {want:?}",
            listed(admin, query).await
        );
    }

    // A request id, in any case, finds exactly its row.
    let target = w.rows[4].request_id.to_uppercase();
    assert_eq!(
        listed(admin, &format!("request_id={target}")).await,
        [w.rows[4].request_id.to_string()]
    );
    assert!(listed(admin, "request_id=ffffffffffffffffffff")
        .await
        .is_empty());

    // A prefix is literal: `_` and `%` are no wildcards.
    for prefix in ["/api/v1/_ing", "/api/v1/%25", "/API/V1/"] {
        assert!(
            listed(admin, &format!("path_prefix={prefix}"))
                .await
                .is_empty(),
            "{prefix}"
        );
    }

    // Bob's filters only ever find his own rows.
    assert!(listed(&w.bob, "error_class=invalid_key").await.is_empty());
    assert_eq!(
        listed(&w.bob, "path_prefix=/api/v1/").await,
        expected(&w.rows, |r| r.user_id == Some(2))
    );
    // The export takes the same filters and writes exactly the listed rows.
    let csv = admin
        .get("/api/traffic/export?error_class=rate_limited")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines.iter().all(|l| l.ends_with(",rate_limited")), "{csv}");
}

#[tokio::test]
async fn bad_filter_values_are_refused_with_the_envelope_naming_the_field() {
    let app = spawn_app_with(&[FAST]).await;
    app.setup_admin("admin").await;
    let long_prefix = format!("/{}", "a".repeat(300));
    let cases = [
        ("method=G3T", "method"),
        ("method=VERYLONGMETHODNAMES", "method"),
        ("error_class=Invalid-Class", "error_class"),
        ("min_duration_ms=86400001", "min_duration_ms"),
        // Not a number at all: the query parser's own words.
        ("min_duration_ms=-1", "Invalid query string"),
        ("min_duration_ms=soon", "Invalid query string"),
        ("request_id=not-hex", "request_id"),
        ("request_id=0123456789abcdef0123456789abcdef0", "request_id"),
        (&format!("path_prefix={long_prefix}"), "path_prefix"),
    ];
    for (query, field) in cases {
        for route in ["/api/traffic", "/api/traffic/export"] {
            let body = assert_error(app.get(&format!("{route}?{query}")).await, 400).await;
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(field), "{route}?{query}: {body}");
        }
    }
    for query in ["key_id=abc", "key_id=1&bogus=2"] {
        assert_error(app.get(&format!("/api/traffic/stats?{query}")).await, 400).await;
    }
}

/// Status-class, error-class and per-key counts of `rows` (what the stats should say).
fn oracle(rows: &[traffic_log::Model]) -> (Value, Value, BTreeMap<i64, [i64; 3]>) {
    let mut classes: BTreeMap<String, i64> = BTreeMap::new();
    let mut errors: BTreeMap<String, i64> = BTreeMap::new();
    let mut keys: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
    for r in rows {
        *classes.entry(format!("{}xx", r.status / 100)).or_default() += 1;
        if let Some(class) = &r.error_class {
            *errors.entry(class.clone()).or_default() += 1;
        }
        if let Some(key) = r.key_id {
            let sums = keys.entry(key).or_default();
            sums[0] += 1;
            sums[1] += i64::from(r.status >= 400);
            sums[2] += i64::from(r.status >= 500);
        }
    }
    let classes = classes
        .into_iter()
        .map(|(class, n)| json!({"class": class, "requests": n}))
        .collect();
    let mut errors: Vec<(String, i64)> = errors.into_iter().collect();
    errors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let errors = errors
        .into_iter()
        .map(|(class, n)| json!({"error_class": class, "requests": n}))
        .collect();
    (classes, errors, keys)
}

/// The last hour's stats for `query`.
async fn stats(browser: &Browser, query: &str) -> Value {
    let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let to = (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339();
    let url = format!(
        "/api/traffic/stats?from={}&to={}&{query}",
        urlencoding(&from),
        urlencoding(&to)
    );
    json_of(browser.get(&url).await, query).await
}

fn urlencoding(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

/// Whether `stats` breaks down exactly the rows in the database that `mine` keeps.
async fn matches_the_rows(
    app: &TestApp,
    stats: &Value,
    mine: impl Fn(&traffic_log::Model) -> bool,
) -> Result<(), String> {
    let rows: Vec<traffic_log::Model> = traffic_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| mine(r))
        .collect();
    let (classes, errors, keys) = oracle(&rows);
    let got_keys: BTreeMap<i64, [i64; 3]> = stats["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let n = |f: &str| k[f].as_i64().unwrap();
            (
                n("key_id"),
                [n("requests"), n("errors"), n("server_errors")],
            )
        })
        .collect();
    if stats["status_classes"] != classes
        || stats["error_classes"] != errors
        || got_keys != keys
        || stats["requests"].as_i64() != Some(rows.len() as i64)
    {
        return Err(format!(
            "stats {stats}\nrows: classes {classes}, errors {errors}, keys {keys:?}, {} rows",
            rows.len()
        ));
    }
    Ok(())
}

#[tokio::test]
async fn stats_break_requests_down_by_status_class_error_class_and_key() {
    let w = world().await;
    let admin = &w.app.browser;
    // The server's own rows (setup, sign-ins, key creation) arrive through its writer: compare
    // with the database until they have all landed.
    let last = std::cell::RefCell::new(String::new());
    let agreed = within(PATIENCE, || {
        let (last, app) = (&last, &w.app);
        async move {
            let figures = stats(admin, "").await;
            match matches_the_rows(app, &figures, |_| true).await {
                Ok(()) => true,
                Err(e) => {
                    *last.borrow_mut() = e;
                    false
                }
            }
        }
    })
    .await;
    assert!(agreed.is_some(), "admin's stats: {}", last.borrow());

    let figures = stats(admin, "").await;
    let names: BTreeMap<i64, &str> = figures["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["key_id"].as_i64().unwrap(), k["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        BTreeMap::from([(w.alpha, "alpha"), (w.beta, "beta")])
    );
    assert_eq!(figures["keys"][0]["key_id"], w.alpha, "busiest key first");
    let per_minute = figures["per_minute"].as_array().unwrap();
    let sum = |f: &str| -> i64 { per_minute.iter().map(|m| m[f].as_i64().unwrap()).sum() };
    assert_eq!(sum("requests"), figures["requests"].as_i64().unwrap());
    assert_eq!(sum("server_errors"), 1);

    // Bob's stats cover his rows only: his key, his requests. His own session calls may still be
    // on their way through the writer, so compare until they have landed.
    let seen = std::cell::RefCell::new(None);
    let agreed = within(PATIENCE, || {
        let (last, seen, app, bob) = (&last, &seen, &w.app, &w.bob);
        async move {
            let figures = stats(bob, "").await;
            match matches_the_rows(app, &figures, |r| r.user_id == Some(2)).await {
                Ok(()) => {
                    *seen.borrow_mut() = Some(figures);
                    true
                }
                Err(e) => {
                    *last.borrow_mut() = e;
                    false
                }
            }
        }
    })
    .await;
    assert!(agreed.is_some(), "bob's stats: {}", last.borrow());
    let bobs = seen.into_inner().expect("bob's stats");
    assert_eq!(bobs["keys"].as_array().unwrap().len(), 1);
    assert_eq!(bobs["keys"][0]["name"], "beta");
}

#[tokio::test]
async fn one_keys_stats_count_only_that_keys_calls() {
    let w = world().await;
    let admin = &w.app.browser;
    let alpha = stats(admin, &format!("key_id={}", w.alpha)).await;
    assert_eq!(alpha["requests"], 12, "{alpha}");
    assert_eq!(alpha["errors"], 3);
    assert_eq!(alpha["server_errors"], 1);
    assert_eq!(
        alpha["status_classes"],
        json!([{"class": "2xx", "requests": 9}, {"class": "4xx", "requests": 2},
               {"class": "5xx", "requests": 1}])
    );
    assert_eq!(
        alpha["error_classes"],
        json!([{"error_class": "rate_limited", "requests": 2},
               {"error_class": "server_error", "requests": 1}])
    );
    assert_eq!(alpha["keys"].as_array().unwrap().len(), 1);
    assert_eq!(alpha["keys"][0]["name"], "alpha");
    let minutes: i64 = alpha["per_minute"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["requests"].as_i64().unwrap())
        .sum();
    assert_eq!(minutes, 12);

    let endpoints = alpha["endpoints"].as_array().unwrap();
    let endpoint = |path: &str| {
        endpoints
            .iter()
            .find(|e| e["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {alpha}"))
            .clone()
    };
    assert_eq!(endpoints.len(), 3);
    assert_eq!(endpoints[0]["path"], "/api/v1/ping", "busiest first");
    let ping = endpoint("/api/v1/ping");
    assert_eq!(ping["requests"], 6);
    assert_eq!(ping["errors"], 0);
    // Six calls of 1 to 6 ms: the median is the third, 3 ms, within the buckets' 7%.
    let near = |got: &Value, want: f64| {
        let got = got.as_f64().unwrap();
        assert!((got - want).abs() <= want * 0.07, "{got} vs {want}");
    };
    near(&ping["p50_us"], 3000.0);
    // Over all twelve calls (0.3, 0.3, 0.9, 1 to 6 ms, and three of 50 ms): the sixth and the
    // twelfth.
    near(&alpha["latency"]["p50_us"], 3000.0);
    near(&alpha["latency"]["p99_us"], 50_000.0);
    near(&ping["p99_us"], 6000.0);
    near(&endpoint("/api/v1/funds")["p95_us"], 50_000.0);
    assert_eq!(endpoint("/api/v1/placeorder")["errors"], 3);
    assert_eq!(
        alpha["top_ips"],
        json!([{"ip": "10.0.0.1", "requests": 9}, {"ip": "10.0.0.2", "requests": 3}])
    );

    // Bob may ask about his own key, and sees nothing of the admin's.
    let beta = stats(&w.bob, &format!("key_id={}", w.beta)).await;
    assert_eq!(beta["requests"], 6);
    assert_eq!(beta["error_classes"][0]["error_class"], "forbidden");
    let not_his = stats(&w.bob, &format!("key_id={}", w.alpha)).await;
    assert_eq!(not_his["requests"], 0);
    assert!(not_his["endpoints"].as_array().unwrap().is_empty());
    assert!(not_his["top_ips"].as_array().unwrap().is_empty());
    assert!(not_his["keys"].as_array().unwrap().is_empty());
}
