//! Seeds a keygate database with N traffic rows (default 1,000,000) spread over the last 24 hours,
//! through the same `TrafficStore` the traffic writer uses (raw rows and rollups), then times the
//! stats query over the whole range (admin scope and one user's), the whole stats answer as
//! `GET /api/traffic/stats` reads it (the breakdowns too, in one read snapshot), and first log
//! pages under each filter.
//!
//! On PostgreSQL it first times the stats as seeded, then runs `VACUUM ANALYZE` on the traffic
//! tables, as autovacuum does on a default server after this many changes (the machines these
//! figures come from run PostgreSQL with autovacuum off): without it PostgreSQL has no statistics
//! to plan the filtered pages and no visibility map for index-only scans of the rollups.
//!
//! Usage: `DATABASE_URL=sqlite://target/bench/stats.db?mode=rwc traffic-stats-bench [rows]`
#![forbid(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use crate::seeded::PATHS;
use chrono::{Duration, Utc};
use keygate_core::traffic::breakdown::{breakdown, Scope};
use keygate_core::traffic::query::LogQuery;
use keygate_core::traffic::stats::{range_stats, snapshot};
use keygate_core::traffic::{TrafficRecord, TrafficStore};
use keygate_core::{db, entities::traffic_log};
use keygate_types::traffic::TrafficFilter;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait};

mod seeded {
    /// Endpoints the seeded traffic hits.
    pub const PATHS: [&str; 10] = [
        "/api/v1/ping",
        "/api/v1/funds",
        "/api/v1/placeorder",
        "/api/v1/modifyorder",
        "/api/v1/cancelorder",
        "/api/v1/quotes",
        "/api/v1/orderbook",
        "/api/v1/positionbook",
        "/api/v1/history",
        "/api/keys",
    ];
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |a| a.parse())?;
    let url = std::env::var("DATABASE_URL")?;
    let conn = db::connect(&url).await?;
    db::migrate(&conn).await?;
    let existing = traffic_log::Entity::find().count(&conn).await?;
    let now = Utc::now();
    let start = now - Duration::hours(24);
    if existing < rows {
        let seed_started = Instant::now();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let span_ms = 24 * 3_600_000u64;
        let to_add = rows - existing;
        let mut added = 0u64;
        let store = TrafficStore::open(conn.clone(), &url)?;
        while added < to_add {
            // Transactions of 50,000 rows, as the writer takes a backlog.
            let n = (to_add - added).min(50_000);
            let rows: Vec<TrafficRecord> = (0..n)
                .map(|i| {
                    let seq = added + i;
                    let status = match rng.below(100) {
                        0..=91 => 200,
                        92..=95 => 403,
                        96..=98 => 429,
                        _ => 500,
                    };
                    // Log-normal-ish latencies: 50 µs to ~50 ms.
                    let duration_us = 50 + (rng.below(1000) * rng.below(1000)) / 20;
                    TrafficRecord {
                        ts_ms: start.timestamp_millis() + (seq * span_ms / to_add) as i64,
                        method: "POST".into(),
                        path: PATHS[rng.below(PATHS.len() as u64) as usize].into(),
                        status,
                        duration_us,
                        client_ip: IpAddr::V4(Ipv4Addr::new(
                            10,
                            0,
                            rng.below(4) as u8,
                            rng.below(250) as u8,
                        )),
                        user_id: Some(1 + rng.below(5) as i64),
                        key_id: Some(1 + rng.below(20) as i64),
                        request_id: format!("{seq:020x}").into(),
                        error_class: (status >= 400).then_some("forbidden"),
                    }
                })
                .collect();
            store.write(&rows).await?;
            added += n;
        }
        println!(
            "seeded {to_add} rows in {:.1} s",
            seed_started.elapsed().as_secs_f64()
        );
    }
    let total = traffic_log::Entity::find().count(&conn).await?;
    println!("traffic_logs rows: {total}");
    if conn.get_database_backend() == DbBackend::Postgres {
        let t = Instant::now();
        range_stats(&conn, start - Duration::minutes(1), now, None).await?;
        println!(
            "stats before VACUUM ANALYZE (all users): {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        let t = Instant::now();
        conn.execute_unprepared(
            "VACUUM ANALYZE traffic_logs, traffic_rollups, traffic_latency_rollups, \
             traffic_ip_rollups, traffic_class_rollups, traffic_minute_totals",
        )
        .await?;
        println!("VACUUM ANALYZE: {:.1} s", t.elapsed().as_secs_f64());
    }

    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let stats = range_stats(&conn, start - Duration::minutes(1), now, None).await?;
        best = best.min(t.elapsed().as_secs_f64());
        assert!(stats.requests as u64 >= rows.min(total));
    }
    let t = Instant::now();
    let stats = range_stats(&conn, start - Duration::minutes(1), now, None).await?;
    let all_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "stats (all users, 24 h, {} requests, {} endpoints, {} minutes): {all_ms:.0} ms (best of 4: {:.0} ms)",
        stats.requests,
        stats.endpoints.len(),
        stats.per_minute.len(),
        best.min(all_ms / 1000.0) * 1000.0
    );
    let t = Instant::now();
    let one = range_stats(&conn, start - Duration::minutes(1), now, Some(3)).await?;
    println!(
        "stats (one user, 24 h, {} requests): {:.0} ms",
        one.requests,
        t.elapsed().as_secs_f64() * 1000.0
    );
    for user in [None, Some(3)] {
        let mut best = f64::MAX;
        for _ in 0..4 {
            let t = Instant::now();
            api_stats(&conn, start - Duration::minutes(1), now, user).await?;
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        let scope = user.map_or("all users".to_owned(), |u| format!("user {u}"));
        println!("stats answer with breakdowns ({scope}, 24 h): best of 4: {best:.0} ms");
    }
    let t = Instant::now();
    let page = LogQuery::new(&Default::default(), None)?
        .page(&conn)
        .await?;
    println!(
        "log page (50 newest of {total}): {:.1} ms ({} rows)",
        t.elapsed().as_secs_f64() * 1000.0,
        page.items.len()
    );
    let list_ms = filtered_pages(&conn).await?;
    println!("STATS_MS={:.0}", best.min(all_ms / 1000.0) * 1000.0);
    println!("LIST_MS={list_ms:.1}");
    Ok(())
}

/// What `GET /api/traffic/stats` reads without a key filter: the breakdowns and the range stats,
/// in one read snapshot.
async fn api_stats(
    conn: &sea_orm::DatabaseConnection,
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
    user: Option<i64>,
) -> anyhow::Result<()> {
    let db = snapshot(conn).await?;
    let classes = breakdown(&db, from, to, Scope { user, key: None }).await?;
    let stats = range_stats(&db, from, to, user).await?;
    db.commit().await?;
    anyhow::ensure!(
        classes.requests == stats.requests,
        "the breakdowns count {} requests, the range stats {}",
        classes.requests,
        stats.requests
    );
    Ok(())
}

/// Times a first log page under each filter, with values that match nothing or little (the
/// slow case for an index walk), for one user and for the admin; returns the slowest in ms.
async fn filtered_pages(conn: &sea_orm::DatabaseConnection) -> anyhow::Result<f64> {
    let filter = |f: fn(&mut TrafficFilter)| {
        let mut filter = TrafficFilter::default();
        f(&mut filter);
        filter
    };
    let cases: [(&str, TrafficFilter); 8] = [
        ("no filter", filter(|_| {})),
        (
            "unknown path",
            filter(|f| f.path = Some("/api/v1/none".into())),
        ),
        ("unknown IP", filter(|f| f.ip = Some("192.0.2.1".into()))),
        ("unknown key", filter(|f| f.key_id = Some(999_999))),
        (
            "status 5xx",
            filter(|f| f.status_class = Some("5xx".into())),
        ),
        (
            "status 2xx",
            filter(|f| f.status_class = Some("2xx".into())),
        ),
        (
            "path and 5xx",
            filter(|f| {
                f.path = Some("/api/v1/ping".into());
                f.status_class = Some("5xx".into());
            }),
        ),
        (
            "key and unknown IP",
            filter(|f| {
                f.key_id = Some(1);
                f.ip = Some("192.0.2.1".into());
            }),
        ),
    ];
    let mut slowest = 0f64;
    for (label, filter) in &cases {
        for user in [None, Some(3)] {
            let t = Instant::now();
            let page = LogQuery::new(filter, user)?.page(conn).await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            slowest = slowest.max(ms);
            let scope = user.map_or("admin".to_owned(), |u| format!("user {u}"));
            println!(
                "log page ({label}, {scope}): {ms:.1} ms ({} rows)",
                page.items.len()
            );
        }
    }
    Ok(slowest)
}
