//! The traffic log: what a row holds (and never holds), filters, pagination, stats, the CSV
//! export, retention and the flush at shutdown.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::process::within;
use keygate_core::entities::traffic_log;
use keygate_core::traffic::{self, TrafficRecord};
use keygate_tests::{
    new_client, spawn_app_with, spawn_app_with_key, spawn_on, spawn_stoppable_with, TestApp,
    TestDatabase,
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

/// Flush quickly so tests see their rows.
const FAST: (&str, &str) = ("KEYGATE_TRAFFIC_FLUSH_MS", "20");

async fn rows(app: &TestApp) -> Vec<traffic_log::Model> {
    traffic_log::Entity::find().all(&app.db).await.unwrap()
}

async fn wait_for_rows(app: &TestApp, n: u64) {
    let db = app.db.clone();
    within(Duration::from_secs(10), || {
        let db = db.clone();
        async move { traffic_log::Entity::find().count(&db).await.unwrap() >= n }
    })
    .await
    .unwrap_or_else(|| panic!("fewer than {n} traffic rows after 10 s"));
}

async fn list(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/traffic{query}")).await;
    assert_eq!(response.status(), 200, "list {query}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_key_call_is_logged_with_its_identity_and_request_id_and_never_its_key() {
    let app = spawn_app_with(&[FAST]).await;
    let admin = app.setup_admin("admin").await;
    let (key, key_id) = app.create_key(json!({"name": "k"})).await;
    let response = new_client()
        .post(app.url("/api/v1/ping?note=secret-query"))
        .json(&json!({ "apikey": key }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    // The same key with its last character changed: well-formed, unknown.
    let last = if key.ends_with('0') { '1' } else { '0' };
    let bad = format!("{}{last}", &key[..63]);
    assert_eq!(app.ping(&bad).await, 403);
    wait_for_rows(&app, 4).await;

    let all = rows(&app).await;
    let ping = all
        .iter()
        .find(|r| r.request_id == request_id)
        .expect("the ping's row");
    assert_eq!(ping.method, "POST");
    assert_eq!(ping.path, "/api/v1/ping", "never the query string");
    assert_eq!(ping.status, 200);
    assert_eq!(ping.client_ip, "127.0.0.1");
    assert_eq!(ping.user_id, admin["user"]["id"].as_i64());
    assert_eq!(ping.key_id, Some(key_id));
    assert!(ping.duration_us > 0);
    assert_eq!(ping.error_class, None);
    let refused = all
        .iter()
        .find(|r| r.status == 403)
        .expect("the refused ping");
    assert_eq!(refused.error_class.as_deref(), Some("invalid_key"));
    assert_eq!(refused.key_id, None);
    let session_call = all
        .iter()
        .find(|r| r.path == "/api/keys")
        .expect("key creation");
    assert_eq!(session_call.user_id, admin["user"]["id"].as_i64());

    let dump = format!("{all:?}");
    for secret in [
        key.as_str(),
        bad.as_str(),
        &key[..16],
        &key[48..],
        "secret-query",
    ] {
        assert!(!dump.contains(secret), "a row contains {secret}");
    }
    let csv = app.get("/api/traffic/export").await.text().await.unwrap();
    assert!(!csv.contains(&key) && !csv.contains(&bad));
}

#[tokio::test]
async fn the_log_filters_pages_newest_first_and_users_see_only_their_own() {
    let app = spawn_app_with(&[FAST]).await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let (key, key_id) = app.create_key(json!({"name": "k"})).await;
    for _ in 0..5 {
        assert_eq!(app.ping(&key).await, 200);
    }
    for _ in 0..3 {
        assert_eq!(app.ping("nope").await, 403);
    }
    let bob = app.signed_in("bob").await;
    assert_eq!(bob.get("/api/keys").await.status(), 200);
    // setup, user, key, 8 pings, bob's sign-in and key list.
    wait_for_rows(&app, 13).await;
    let total = rows(&app).await.len();

    // Pages of 4, newest first, covering every row exactly once; the traffic routes are not logged.
    let mut seen = Vec::new();
    let mut times = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(&app, &format!("?limit=4{cursor}")).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 4);
        seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        times.extend(items.iter().map(|i| i["at"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), total, "no row twice: {seen:?}");
    let times: Vec<_> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );

    let by_key = list(&app, &format!("?key_id={key_id}&limit=500")).await;
    assert_eq!(by_key["items"].as_array().unwrap().len(), 5);
    let errors = list(&app, "?status_class=4xx&limit=500").await;
    assert!(errors["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["status"] == 403));
    assert_eq!(errors["items"].as_array().unwrap().len(), 3);
    let pings = list(&app, "?path=/api/v1/ping&ip=127.0.0.1&limit=500").await;
    assert_eq!(pings["items"].as_array().unwrap().len(), 8);
    let future = list(&app, "?from=2999-01-01T00:00:00Z").await;
    assert!(future["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/api/traffic?status_class=7xx").await.status(), 400);
    assert_eq!(app.get("/api/traffic?cursor=garbage").await.status(), 400);

    let mine = bob
        .get("/api/traffic?limit=500")
        .await
        .json::<Value>()
        .await
        .unwrap();
    let mine = mine["items"].as_array().unwrap();
    assert!(!mine.is_empty());
    let bob_id = mine[0]["user_id"].as_i64().unwrap();
    assert!(
        mine.iter().all(|i| i["user_id"] == bob_id),
        "bob sees only his own rows"
    );
    assert_eq!(bob.get("/api/traffic?user_id=1").await.status(), 403);
    assert_eq!(
        new_client()
            .get(app.url("/api/traffic"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn stats_count_requests_errors_latencies_minutes_and_clients() {
    let (app, key, _) = spawn_app_with_key(&[FAST], json!({"name": "k"})).await;
    for _ in 0..6 {
        assert_eq!(app.ping(&key).await, 200);
    }
    for _ in 0..2 {
        assert_eq!(app.ping("nope").await, 403);
    }
    wait_for_rows(&app, 10).await;
    let stats: Value = app.get("/api/traffic/stats").await.json().await.unwrap();
    let total = rows(&app).await.len() as i64;
    assert_eq!(stats["requests"], total);
    assert_eq!(stats["errors"], 2);
    assert_eq!(stats["server_errors"], 0);
    assert!((stats["error_rate"].as_f64().unwrap() - 2.0 / total as f64).abs() < 1e-9);
    let ping = stats["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/api/v1/ping")
        .expect("ping endpoint")
        .clone();
    assert_eq!(ping["requests"], 8);
    assert_eq!(ping["errors"], 2);
    let (p50, p95, p99) = (
        ping["p50_us"].as_i64().unwrap(),
        ping["p95_us"].as_i64().unwrap(),
        ping["p99_us"].as_i64().unwrap(),
    );
    assert!(0 < p50 && p50 <= p95 && p95 <= p99, "{ping}");
    let per_minute: i64 = stats["per_minute"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["requests"].as_i64().unwrap())
        .sum();
    assert_eq!(per_minute, total);
    assert_eq!(stats["top_ips"][0]["ip"], "127.0.0.1");
    assert_eq!(stats["top_ips"][0]["requests"], total);
    assert_eq!(stats["dropped_rows"], 0);
    assert_eq!(stats["security"]["invalid_key_attempts"], 2);
    assert_eq!(stats["security"]["attempts_by_ip"][0]["attempts"], 2);

    let empty: Value = app
        .get("/api/traffic/stats?from=2999-01-01T00:00:00Z&to=2999-01-02T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["requests"], 0);
    assert_eq!(empty["error_rate"], 0.0);
    let bad = app
        .get("/api/traffic/stats?from=2999-01-02T00:00:00Z&to=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(bad.status(), 400);

    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    let bobs: Value = bob.get("/api/traffic/stats").await.json().await.unwrap();
    assert!(
        bobs["security"].is_null(),
        "only admins see the security figures"
    );
    assert!(bobs["requests"].as_i64().unwrap() < total);
}

#[tokio::test]
async fn the_export_is_csv_of_the_filtered_log() {
    let (app, key, _) = spawn_app_with_key(&[FAST], json!({"name": "k"})).await;
    for _ in 0..7 {
        assert_eq!(app.ping(&key).await, 200);
    }
    wait_for_rows(&app, 9).await;
    let response = app.get("/api/traffic/export?path=/api/v1/ping").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], traffic::query::CSV_HEADER.trim_end());
    assert_eq!(lines.len(), 8);
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains(",POST,/api/v1/ping,200,")));
    let all = app.get("/api/traffic/export").await.text().await.unwrap();
    assert_eq!(all.lines().count(), rows(&app).await.len() + 1);
}

fn record(age_days: i64, path: &str) -> TrafficRecord {
    TrafficRecord {
        ts_ms: chrono::Utc::now().timestamp_millis() - age_days * 86_400_000,
        method: "GET".into(),
        path: path.into(),
        status: 200,
        duration_us: 100,
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        user_id: Some(1),
        key_id: None,
        request_id: "r".into(),
        error_class: None,
    }
}

#[tokio::test]
async fn rows_past_the_retention_are_purged_at_start_and_daily() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    traffic::TrafficStore::open(db, &database.url)
        .unwrap()
        .write(&[record(10, "/old"), record(3, "/recent")])
        .await
        .unwrap();
    let app = spawn_on(database, &[("KEYGATE_TRAFFIC_RETENTION_DAYS", "7")]).await;
    let purged = within(Duration::from_secs(10), || async {
        rows(&app).await.iter().all(|r| r.path != "/old")
    })
    .await;
    assert!(purged.is_some(), "the 10-day-old row is purged at start");
    assert!(rows(&app).await.iter().any(|r| r.path == "/recent"));
    app.setup_admin("admin").await;
    let from = (chrono::Utc::now() - chrono::Duration::days(30)).format("%Y-%m-%dT%H:%M:%SZ");
    let stats: Value = app
        .get(&format!("/api/traffic/stats?from={from}"))
        .await
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = stats["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"/recent") && !paths.contains(&"/old"),
        "rollups too: {paths:?}"
    );

    assert_eq!(traffic::purge_older_than(&app.db, 2).await.unwrap(), 1);
    assert!(rows(&app).await.iter().all(|r| r.path != "/recent"));
}

#[tokio::test]
async fn no_row_is_lost_when_the_server_stops_right_after_a_burst() {
    // The writer would wait a minute for a full batch: only the shutdown flush can write these.
    let mut server = spawn_stoppable_with(&[
        ("KEYGATE_TRAFFIC_FLUSH_MS", "60000"),
        ("KEYGATE_TRAFFIC_BATCH", "1000"),
        ("KEYGATE_RATE_DATA", "off"),
        ("KEYGATE_RATE_API_PER_IP", "off"),
    ])
    .await;
    let app = &server.app;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "k"})).await;
    let burst = (0..300).map(|_| {
        let address = app.address.clone();
        let key = key.clone();
        tokio::spawn(async move { keygate_tests::ping_status(&address, &key).await })
    });
    for call in burst.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap(), 200);
    }
    server.stop().await;
    let app = &server.app;
    let pings = rows(app)
        .await
        .iter()
        .filter(|r| r.path == "/api/v1/ping")
        .count();
    assert_eq!(
        app.state.traffic.dropped(),
        0,
        "rows dropped or failed to write"
    );
    assert_eq!(pings, 300);
}

/// A row of user `user` with key `key` from `10.0.0.<ip>`.
fn call(user: i64, key: i64, ip: u8, path: &str, status: u16) -> TrafficRecord {
    TrafficRecord {
        client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, ip)),
        user_id: Some(user),
        key_id: Some(key),
        status,
        ..record(0, path)
    }
}

#[tokio::test]
async fn list_filters_combine_whichever_index_serves_them() {
    use keygate_core::traffic::query::LogQuery;
    use keygate_types::traffic::TrafficFilter;

    let database = TestDatabase::create().await;
    let db = database.connect().await;
    let mut rows = Vec::new();
    for i in 0..40u8 {
        let (user, key) = if i % 2 == 0 { (1, 11) } else { (2, 21) };
        let path = if i % 4 < 2 {
            "/api/v1/ping"
        } else {
            "/api/v1/funds"
        };
        let status = match i % 5 {
            0 => 500,
            1 => 403,
            _ => 200,
        };
        rows.push(call(user, key, i % 3, path, status));
    }
    let store = traffic::TrafficStore::open(db.clone(), &database.url).unwrap();
    store.write(&rows).await.unwrap();

    let count = |filter: TrafficFilter, user: Option<i64>| {
        let db = db.clone();
        async move {
            let query = LogQuery::new(&filter, user).unwrap().with_limit(500);
            query.page(&db).await.unwrap().items.len()
        }
    };
    let expected = |user: Option<i64>, f: &dyn Fn(&TrafficRecord) -> bool| {
        rows.iter()
            .filter(|r| user.is_none_or(|u| r.user_id == Some(u)) && f(r))
            .count()
    };
    let ip = |n: u8| Some(format!("10.0.0.{n}"));
    let ping = || Some("/api/v1/ping".to_owned());
    for user in [None, Some(1), Some(2)] {
        let filter = TrafficFilter {
            path: ping(),
            status_class: Some("5xx".into()),
            ..Default::default()
        };
        let want = expected(user, &|r| r.path == "/api/v1/ping" && r.status >= 500);
        assert_eq!(count(filter, user).await, want, "path and 5xx, {user:?}");

        let filter = TrafficFilter {
            key_id: Some(11),
            ip: ip(1),
            ..Default::default()
        };
        let want = expected(user, &|r| {
            r.key_id == Some(11) && r.client_ip == IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))
        });
        assert_eq!(count(filter, user).await, want, "key and IP, {user:?}");

        let filter = TrafficFilter {
            path: ping(),
            status_class: Some("2xx".into()),
            ip: ip(2),
            ..Default::default()
        };
        let want = expected(user, &|r| {
            r.path == "/api/v1/ping"
                && r.status < 300
                && r.client_ip == IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2))
        });
        assert_eq!(
            count(filter, user).await,
            want,
            "path, 2xx and IP, {user:?}"
        );

        let filter = TrafficFilter {
            status_class: Some("4xx".into()),
            ..Default::default()
        };
        let want = expected(user, &|r| (400..500).contains(&r.status));
        assert_eq!(count(filter, user).await, want, "4xx, {user:?}");
    }
    // Everything went into the rollups too: everyone's and each user's totals.
    let stats = last_hour_stats(&db, None).await;
    assert_eq!(stats.requests, 40);
    let bob = last_hour_stats(&db, Some(2)).await;
    assert_eq!(bob.requests, 20);
}

/// The rollups' stats over the last hour, for everyone (`None`) or one user.
async fn last_hour_stats(
    db: &sea_orm::DatabaseConnection,
    user: Option<i64>,
) -> traffic::stats::RangeStats {
    let now = chrono::Utc::now();
    traffic::stats::range_stats(
        db,
        now - chrono::Duration::hours(1),
        now + chrono::Duration::minutes(1),
        user,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_write_that_fails_part_way_commits_nothing() {
    use keygate_core::entities::traffic_rollup;
    use sea_orm::ConnectionTrait;

    let database = TestDatabase::create().await;
    let db = database.connect().await;
    // The class rollup comes after the raw rows and three other rollups: with it gone, those are
    // written first, then the transaction fails.
    db.execute_unprepared("DROP TABLE traffic_class_rollups")
        .await
        .unwrap();
    let rows: Vec<TrafficRecord> = (0..20u8)
        .map(|i| call(1, 11, i, "/api/v1/ping", 200))
        .collect();

    let store = traffic::TrafficStore::open(db.clone(), &database.url).unwrap();
    assert!(store.write(&rows).await.is_err());

    assert_eq!(traffic_log::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(traffic_rollup::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn writers_of_two_processes_on_one_database_wait_for_each_other_and_both_land() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    // Each store is what one keygate process writes through (on SQLite, a connection of its own).
    let first = traffic::TrafficStore::open(db.clone(), &database.url).unwrap();
    let second = traffic::TrafficStore::open(db.clone(), &database.url).unwrap();
    let rows: Vec<TrafficRecord> = (0..3000u16)
        .map(|i| call(1, 11, (i % 7) as u8, "/api/v1/ping", 200 + i % 2 * 300))
        .collect();

    // The first process also has two transactions of its own in flight at once, as its writer
    // does on PostgreSQL (`KEYGATE_TRAFFIC_CONNECTIONS`): each on a connection of its own.
    for _ in 0..4 {
        let (a, b, c) = tokio::join!(first.write(&rows), first.write(&rows), second.write(&rows));
        a.unwrap();
        b.unwrap();
        c.unwrap();
    }

    assert_eq!(
        traffic_log::Entity::find().count(&db).await.unwrap(),
        36_000
    );
    let stats = last_hour_stats(&db, None).await;
    assert_eq!(stats.requests, 36_000);
    assert_eq!(stats.errors, 18_000);
}
