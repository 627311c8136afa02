//! The traffic roll-up migrations add up what an older keygate logged: migration 000020 the
//! class roll-up from the raw rows, migration 000070 the longer blocks (hours to days) and the
//! minute totals from the one-unit roll-up rows the writer of before kept.

use chrono::{DateTime, Duration, DurationRound, Utc};
use keygate_core::entities::traffic_log;
use keygate_core::traffic::breakdown::{breakdown, Scope};
use keygate_core::traffic::stats::range_stats;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};

/// Applies the migrations before the one named `name` that are not applied yet.
async fn migrate_up_to(db: &DatabaseConnection, name: &str) {
    let all = Migrator::migrations();
    let position = all
        .iter()
        .position(|m| m.name() == name)
        .expect("the migration exists");
    let done = Migrator::get_applied_migrations(db)
        .await
        .expect("applied migrations")
        .len();
    Migrator::up(db, Some((position - done) as u32))
        .await
        .expect("migrations run");
}

#[tokio::test]
async fn the_roll_up_migrations_add_up_what_was_logged_before_them() {
    let database = keygate_tests::TestDatabase::empty().await;
    let db = database.connect().await;
    migrate_up_to(&db, "m20261203_000020_create_traffic_class_rollups").await;

    let now = Utc::now();
    let ts = now.timestamp_millis() - 1_000;
    let (minute, hour) = (ts.div_euclid(60_000), ts.div_euclid(3_600_000));
    // Rows as an older keygate logged them, all in one minute: no class roll-up yet.
    let rows = [
        (Some(1), Some(11), 200, None, "10.0.0.1"),
        (Some(1), Some(11), 429, Some("rate_limited"), "10.0.0.1"),
        (Some(2), Some(21), 500, Some("server_error"), "10.0.0.2"),
        (None, None, 403, Some("invalid_key"), "10.0.0.1"),
    ];
    for (i, (user, key, status, class, ip)) in rows.into_iter().enumerate() {
        traffic_log::ActiveModel {
            ts: Set(ts),
            method: Set("POST".into()),
            path: Set("/api/v1/ping".into()),
            status: Set(status),
            duration_us: Set(100),
            client_ip: Set(ip.into()),
            user_id: Set(user),
            key_id: Set(key),
            request_id: Set(format!("{i:020x}")),
            error_class: Set(class.map(str::to_owned)),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
    }

    migrate_up_to(&db, "m20261204_000070_add_traffic_rollup_spans").await;
    // What the writer of before added for these rows: one-minute and one-hour rows, each for its
    // user and for everyone (-1).
    let bucket = keygate_core::traffic::latency_bucket(100);
    for (user, requests, errors, server_errors, ips) in [
        (-1, 4, 3, 1, [("10.0.0.1", 3), ("10.0.0.2", 1)].as_slice()),
        (0, 1, 1, 0, [("10.0.0.1", 1)].as_slice()),
        (1, 2, 1, 0, [("10.0.0.1", 2)].as_slice()),
        (2, 1, 1, 1, [("10.0.0.2", 1)].as_slice()),
    ] {
        db.execute_unprepared(&format!(
            "INSERT INTO traffic_rollups (minute, user_id, method, path, requests, errors, \
             server_errors) VALUES ({minute}, {user}, 'POST', '/api/v1/ping', {requests}, \
             {errors}, {server_errors})"
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "INSERT INTO traffic_latency_rollups (hour, user_id, method, path, lat_bucket, \
             requests) VALUES ({hour}, {user}, 'POST', '/api/v1/ping', {bucket}, {requests})"
        ))
        .await
        .unwrap();
        for (ip, n) in ips {
            db.execute_unprepared(&format!(
                "INSERT INTO traffic_ip_rollups (hour, user_id, client_ip, requests) \
                 VALUES ({hour}, {user}, '{ip}', {n})"
            ))
            .await
            .unwrap();
        }
    }
    keygate_core::db::migrate(&db).await.unwrap();

    // The last hour reads one-minute and one-hour blocks; two whole days read day blocks only.
    let today = now.duration_trunc(Duration::days(1)).unwrap();
    let ranges: [(DateTime<Utc>, DateTime<Utc>); 2] = [
        (now - Duration::hours(1), now + Duration::minutes(1)),
        (today - Duration::days(1), today + Duration::days(1)),
    ];
    for (from, to) in ranges {
        let everyone = breakdown(&db, from, to, Scope::default()).await.unwrap();
        assert_eq!(
            (everyone.requests, everyone.errors, everyone.server_errors),
            (4, 3, 1),
            "{from} to {to}"
        );
        let classes: Vec<(String, i64)> = everyone
            .status_classes
            .iter()
            .map(|c| (c.class.clone(), c.requests))
            .collect();
        assert_eq!(
            classes,
            [("2xx".into(), 1), ("4xx".into(), 2), ("5xx".into(), 1)]
        );
        assert_eq!(everyone.error_classes.len(), 3);
        let keys: Vec<(i64, i64)> = everyone
            .keys
            .iter()
            .map(|k| (k.key_id, k.requests))
            .collect();
        assert_eq!(keys, [(11, 2), (21, 1)]);
        let first = breakdown(
            &db,
            from,
            to,
            Scope {
                user: Some(1),
                key: None,
            },
        )
        .await
        .unwrap();
        assert_eq!((first.requests, first.errors), (2, 1));

        let stats = range_stats(&db, from, to, None).await.unwrap();
        assert_eq!(
            (stats.requests, stats.errors, stats.server_errors),
            (4, 3, 1)
        );
        assert_eq!(stats.endpoints.len(), 1);
        assert_eq!(stats.endpoints[0].requests, 4);
        let per_minute: Vec<(i64, i64)> = stats
            .per_minute
            .iter()
            .map(|m| (m.minute.timestamp() / 60, m.requests))
            .collect();
        assert_eq!(per_minute, [(minute, 4)]);
        let ips: Vec<(&str, i64)> = stats
            .top_ips
            .iter()
            .map(|i| (i.ip.as_str(), i.requests))
            .collect();
        assert_eq!(ips, [("10.0.0.1", 3), ("10.0.0.2", 1)]);
        assert_eq!(stats.latency.p50_us, stats.endpoints[0].p50_us);
        assert!(stats.latency.p50_us > 0);
        let second = range_stats(&db, from, to, Some(2)).await.unwrap();
        assert_eq!((second.requests, second.server_errors), (1, 1));
    }
}
