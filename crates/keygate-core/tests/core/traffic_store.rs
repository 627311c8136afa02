//! The traffic store on each database: raw rows reach the table byte for byte whatever they hold,
//! and the rollups (every block length) always equal the raw rows added up, however the rows were
//! split into writes.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use keygate_core::entities::{
    traffic_class_rollup, traffic_ip_rollup, traffic_latency_rollup, traffic_log,
    traffic_minute_total, traffic_rollup,
};
use keygate_core::traffic::spans::MINUTE_SPANS;
use keygate_core::traffic::{latency_bucket, TrafficRecord, TrafficStore};
use sea_orm::{EntityTrait, QueryOrder};

use keygate_testdb::TestDatabase;

/// Everyone's totals in the rollups.
const ALL_USERS: i64 = -1;

/// A minute boundary in 2026, so the rows below fall into known minutes and hours.
const BASE_MS: i64 = 1_790_000_040_000;

fn record(n: i64, path: &str) -> TrafficRecord {
    TrafficRecord {
        ts_ms: BASE_MS + n,
        method: "POST".into(),
        path: path.into(),
        status: 200,
        duration_us: 40,
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        user_id: Some(1),
        key_id: Some(2),
        request_id: format!("{n:020x}").into(),
        error_class: None,
    }
}

#[tokio::test]
async fn paths_with_tabs_backslashes_newlines_and_unicode_are_stored_as_they_were() {
    let test_db = TestDatabase::create().await;
    let db = test_db.connect().await;
    let store = TrafficStore::open(db.clone(), &test_db.url).expect("store opens");
    let awkward = [
        "/a\tb",
        "/back\\slash\\N",
        "/line\nbreak\r\n",
        "/\\.",
        "/quote'\"and,comma",
        "/unicodé/日本語/🦀",
        "/percent%00%09",
    ];
    let mut rows: Vec<TrafficRecord> = awkward
        .iter()
        .enumerate()
        .map(|(i, path)| record(i as i64, path))
        .collect();
    // A path past 255 bytes is cut on a character boundary (each "é" is two bytes).
    let long = format!("/{}", "é".repeat(200));
    rows.push(record(10, &long));
    // An extension method longer than the column is cut too, rather than failing the batch.
    let mut odd = record(11, "/odd");
    odd.method = "VERYLONGEXTENSIONMETHOD".into();
    odd.client_ip = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
    odd.user_id = None;
    odd.key_id = None;
    odd.status = 404;
    odd.error_class = Some("not_found");
    rows.push(odd);

    store.write(&rows).await.expect("rows written");

    let stored = traffic_log::Entity::find()
        .order_by_asc(traffic_log::Column::Ts)
        .all(&db)
        .await
        .expect("rows read");
    assert_eq!(stored.len(), rows.len());
    for (row, path) in stored.iter().zip(awkward) {
        assert_eq!(row.path, path);
        assert_eq!(row.method, "POST");
        assert_eq!(row.client_ip, "127.0.0.1");
        assert_eq!((row.user_id, row.key_id), (Some(1), Some(2)));
        assert_eq!(row.error_class, None);
    }
    let cut = &stored[awkward.len()];
    assert_eq!(cut.path, format!("/{}", "é".repeat(127)));
    let odd = &stored[awkward.len() + 1];
    assert_eq!(odd.method, "VERYLONGEXTENSIO");
    assert_eq!(odd.client_ip, "2001:db8::1");
    assert_eq!((odd.user_id, odd.key_id), (None, None));
    assert_eq!((odd.status, odd.duration_us), (404, 40));
    assert_eq!(odd.error_class.as_deref(), Some("not_found"));
    assert_eq!(odd.request_id, format!("{:020x}", 11));

    // The rollups key the same text: one row per path, user and block length.
    let minutes = traffic_rollup::Entity::find()
        .all(&db)
        .await
        .expect("rollup read");
    for path in awkward {
        let n = minutes
            .iter()
            .filter(|m| m.path == path && m.user_id == ALL_USERS)
            .count();
        assert_eq!(n, MINUTE_SPANS.len(), "{path:?} in the endpoint rollup");
    }
}

/// Rows over three minutes in two hours, two users and anonymous calls, two keys and none, three
/// statuses and addresses, and a spread of latencies.
fn mixed_rows(count: i64) -> Vec<TrafficRecord> {
    (0..count)
        .map(|n| {
            let mut r = record(
                n * 1_000 % 180_000,
                ["/api/v1/ping", "/api/v1/funds"][n as usize % 2],
            );
            // The third minute is in the next hour.
            if r.ts_ms >= BASE_MS + 120_000 {
                r.ts_ms += 3_540_000;
            }
            r.user_id = [Some(1), Some(2), None][n as usize % 3];
            r.key_id = [Some(7), None, Some(8), Some(7)][n as usize % 4];
            r.status = [200, 200, 404, 500, 200][n as usize % 5];
            r.error_class = match r.status {
                404 => Some("not_found"),
                500 => Some("internal"),
                _ => None,
            };
            r.client_ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, (n % 3) as u8));
            r.duration_us = 10 + (n as u64 * 7_919) % 50_000;
            r
        })
        .collect()
}

#[tokio::test]
async fn the_rollups_equal_the_raw_rows_added_up_over_several_writes() {
    let test_db = TestDatabase::create().await;
    let db = test_db.connect().await;
    let store = TrafficStore::open(db.clone(), &test_db.url).expect("store opens");
    let rows = mixed_rows(1_200);
    // Writes of different sizes: later ones add to rollup rows the earlier ones created.
    for part in [&rows[..1], &rows[1..250], &rows[250..]] {
        store.write(part).await.expect("rows written");
    }

    // Every row counted in the block of each length that holds it: minutes, hours, four hours
    // and days (the rows' times are after 1970, so `%` is the remainder to the block's start).
    type Counts = BTreeMap<(i64, i64, i64, String, String), [i64; 3]>;
    let (mut endpoints, mut latencies, mut addresses, mut classes, mut totals) = (
        Counts::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
    );
    for r in &rows {
        let minute = r.ts_ms / 60_000;
        let hour = minute / 60;
        let counts = [1, i64::from(r.status >= 400), i64::from(r.status >= 500)];
        let add = |sums: &mut [i64; 3]| {
            for (sum, n) in sums.iter_mut().zip(counts) {
                *sum += n;
            }
        };
        for user in [r.user_id.unwrap_or(0), ALL_USERS] {
            add(totals.entry((user, minute)).or_default());
            for span in [1, 60, 240, 1440] {
                let start = minute - minute % span;
                let endpoint = (user, span, start, r.method.to_string(), r.path.to_string());
                add(endpoints.entry(endpoint).or_default());
                let class = (
                    user,
                    span,
                    start,
                    r.key_id.unwrap_or(0),
                    i32::from(r.status / 100),
                    r.error_class.unwrap_or_default().to_owned(),
                );
                *classes.entry(class).or_insert(0i64) += 1;
            }
            for span in [1, 4, 24] {
                let start = hour - hour % span;
                let bucket = latency_bucket(r.duration_us);
                *latencies
                    .entry((user, span, start, r.path.to_string(), bucket))
                    .or_insert(0i64) += 1;
                *addresses
                    .entry((user, span, start, r.client_ip.to_string()))
                    .or_insert(0i64) += 1;
            }
        }
    }

    let stored: Counts = traffic_rollup::Entity::find()
        .all(&db)
        .await
        .expect("endpoint rollup")
        .into_iter()
        .map(|m| {
            let key = (m.user_id, m.span, m.minute, m.method, m.path);
            (key, [m.requests, m.errors, m.server_errors])
        })
        .collect();
    assert_eq!(stored, endpoints);
    let stored: BTreeMap<_, _> = traffic_latency_rollup::Entity::find()
        .all(&db)
        .await
        .expect("latency rollup")
        .into_iter()
        .map(|l| {
            (
                (l.user_id, l.span, l.hour, l.path, l.lat_bucket),
                l.requests,
            )
        })
        .collect();
    assert_eq!(stored, latencies);
    let stored: BTreeMap<_, _> = traffic_ip_rollup::Entity::find()
        .all(&db)
        .await
        .expect("address rollup")
        .into_iter()
        .map(|a| ((a.user_id, a.span, a.hour, a.client_ip), a.requests))
        .collect();
    assert_eq!(stored, addresses);
    let stored: BTreeMap<_, _> = traffic_class_rollup::Entity::find()
        .all(&db)
        .await
        .expect("class rollup")
        .into_iter()
        .map(|c| {
            let key = (
                c.user_id,
                c.span,
                c.minute,
                c.key_id,
                c.status_class,
                c.error_class,
            );
            (key, c.requests)
        })
        .collect();
    assert_eq!(stored, classes);
    let stored: BTreeMap<_, _> = traffic_minute_total::Entity::find()
        .all(&db)
        .await
        .expect("minute totals")
        .into_iter()
        .map(|t| {
            (
                (t.user_id, t.minute),
                [t.requests, t.errors, t.server_errors],
            )
        })
        .collect();
    assert_eq!(stored, totals);
    let raw = traffic_log::Entity::find()
        .all(&db)
        .await
        .expect("raw rows");
    assert_eq!(raw.len(), rows.len());
}
