//! The index each SQLite page walks, read from `EXPLAIN QUERY PLAN` of the statements the query
//! builds (deterministic: the choice depends on row counts, never on timing), and the pages those
//! walks give, checked against the rows filtered here.

use chrono::{TimeZone, Utc};
use keygate_types::traffic::{TrafficFilter, TrafficPage};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryTrait,
    Select, Statement,
};

use super::plan::PROBE_CAP;
use super::walk::{Keyed, Walk};
use super::LogQuery;
use crate::db;
use crate::entities::traffic_log;

/// The first row's time.
const T0: i64 = 1_790_000_000_000;
/// Rows seeded: every filter but the rare ones reaches the probes' cap.
const ROWS: i64 = PROBE_CAP as i64 + 600;
/// The address of six rows (every 500th), all with key 1.
const RARE_IP: &str = "10.0.0.2";

fn status_of(i: i64) -> i32 {
    match i {
        _ if i % 100 == 7 => 500,
        _ if i % 250 == 3 => 503,
        _ if i % 50 == 1 => 404,
        _ => 200,
    }
}

fn row(i: i64) -> traffic_log::ActiveModel {
    let status = status_of(i);
    traffic_log::ActiveModel {
        ts: Set(T0 + i),
        method: Set("POST".into()),
        // "/old" only in the first ten rows, so a time range after them has none.
        path: Set(if i < 10 { "/old" } else { "/api/v1/ping" }.into()),
        status: Set(status),
        duration_us: Set(100),
        client_ip: Set(if i % 500 == 0 { RARE_IP } else { "10.0.0.1" }.into()),
        user_id: Set(Some(1)),
        key_id: Set(Some(1)),
        request_id: Set(format!("{i:020x}")),
        error_class: Set((status >= 400).then(|| "internal".to_owned())),
        ..Default::default()
    }
}

/// A migrated SQLite file with [`ROWS`] rows (whatever `TEST_DATABASE_URL` says: these are
/// SQLite's plans).
async fn seeded() -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let conn = db::connect(&url).await.expect("connect");
    db::migrate(&conn).await.expect("migrate");
    for start in (0..ROWS).step_by(500) {
        traffic_log::Entity::insert_many((start..(start + 500).min(ROWS)).map(row))
            .exec(&conn)
            .await
            .expect("insert");
    }
    (dir, conn)
}

fn query(user: Option<i64>, f: impl FnOnce(&mut TrafficFilter)) -> LogQuery {
    let mut filter = TrafficFilter::default();
    f(&mut filter);
    LogQuery::new(&filter, user).expect("valid filter")
}

/// SQLite's plan for `select`, one line per step.
async fn plan_of(conn: &DatabaseConnection, select: Select<traffic_log::Entity>) -> String {
    let statement = select.build(DbBackend::Sqlite);
    let explain = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", statement.sql),
        statement.values.map(|v| v.0).unwrap_or_default(),
    );
    let rows = conn.query_all(explain).await.expect("explain");
    rows.iter()
        .map(|r| r.try_get::<String>("", "detail").expect("detail"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every page of `query` (pages of `limit`), in order.
async fn all_pages(conn: &DatabaseConnection, query: LogQuery, limit: u64) -> Vec<(i64, i64)> {
    let mut next = Some(query.with_limit(limit));
    let mut seen = Vec::new();
    while let Some(q) = next {
        let page: TrafficPage = q.page(conn).await.expect("page");
        assert!(page.items.len() as u64 <= limit);
        seen.extend(page.items.iter().map(|e| (e.at.timestamp_millis(), e.id)));
        next = q.after(&page);
    }
    seen
}

/// The rows (time, id) with `keep(i)`, newest first (row i has id i + 1 and time T0 + i).
fn expected(keep: impl Fn(i64) -> bool) -> Vec<(i64, i64)> {
    (0..ROWS)
        .rev()
        .filter(|&i| keep(i))
        .map(|i| (T0 + i, i + 1))
        .collect()
}

#[tokio::test]
async fn each_page_walks_the_index_of_its_fewest_rows_and_pages_through_them_all() {
    let (_dir, conn) = seeded().await;

    // A key of every row and an address of six: the address's index, not the key's 2,600 rows.
    let rare = query(None, |f| {
        f.key_id = Some(1);
        f.ip = Some(RARE_IP.into());
    });
    assert_eq!(
        rare.sqlite_walks(&conn).await.unwrap(),
        [Walk::Index(Keyed::Ip)]
    );
    let plan = plan_of(&conn, rare.select(&Walk::Index(Keyed::Ip))).await;
    assert!(
        plan.contains("idx_traffic_logs_ip_ts (client_ip=?)"),
        "{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    assert_eq!(all_pages(&conn, rare, 2).await, expected(|i| i % 500 == 0));

    // An address in no row: an empty page without reading one.
    let unknown = query(Some(1), |f| {
        f.key_id = Some(1);
        f.ip = Some("192.0.2.1".into());
    });
    assert!(unknown.sqlite_walks(&conn).await.unwrap().is_empty());
    let page = unknown.page(&conn).await.unwrap();
    assert!(page.items.is_empty() && page.next_cursor.is_none());

    // Both past the cap: the fixed order (the key first).
    let common = query(Some(1), |f| {
        f.key_id = Some(1);
        f.ip = Some("10.0.0.1".into());
    });
    assert_eq!(
        common.sqlite_walks(&conn).await.unwrap(),
        [Walk::Index(Keyed::Key)]
    );
    let plan = plan_of(&conn, common.select(&Walk::Index(Keyed::Key))).await;
    assert!(
        plan.contains("idx_traffic_logs_key_ts (key_id=?)"),
        "{plan}"
    );

    // The time range counts: "/old" is only in rows before it.
    let from = Utc.timestamp_millis_opt(T0 + 100).unwrap();
    let old = query(None, |f| {
        f.key_id = Some(1);
        f.path = Some("/old".into());
        f.from = Some(from);
    });
    assert!(old.sqlite_walks(&conn).await.unwrap().is_empty());
    // One indexed filter: nothing to count, its walk finds what there is.
    let only_old = query(None, |f| {
        f.path = Some("/old".into());
        f.from = Some(from);
    });
    assert_eq!(
        only_old.sqlite_walks(&conn).await.unwrap(),
        [Walk::Index(Keyed::Path)]
    );
    assert!(only_old.page(&conn).await.unwrap().items.is_empty());
    let recent = query(None, |f| f.from = Some(from));
    assert_eq!(recent.sqlite_walks(&conn).await.unwrap(), [Walk::Time]);
    assert_eq!(all_pages(&conn, recent, 500).await, expected(|i| i >= 100));
}

#[tokio::test]
async fn a_status_class_is_walked_one_status_at_a_time_in_time_order() {
    let (_dir, conn) = seeded().await;
    let server_errors = query(Some(1), |f| f.status_class = Some("5xx".into()));
    let walks = server_errors.sqlite_walks(&conn).await.unwrap();
    assert_eq!(walks, [Walk::Status(500), Walk::Status(503)]);
    for walk in &walks {
        let plan = plan_of(&conn, server_errors.select(walk)).await;
        assert!(
            plan.contains("idx_traffic_logs_unusual_status_cover (status=?)"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
    let five = |i| status_of(i) >= 500;
    assert_eq!(all_pages(&conn, server_errors, 7).await, expected(five));

    // The same rows through SQLite's own choice of index, as PostgreSQL's path reads them.
    let planner = query(Some(1), |f| f.status_class = Some("5xx".into()));
    let rows = planner.select(&Walk::Planner).all(&conn).await.unwrap();
    let first: Vec<(i64, i64)> = rows.iter().map(|r| (r.ts, r.id)).collect();
    assert_eq!(first, expected(five));

    // An error class alone: every rare status present, merged in time order.
    let errors = query(None, |f| f.error_class = Some("internal".into()));
    assert_eq!(
        errors.sqlite_walks(&conn).await.unwrap(),
        [Walk::Status(404), Walk::Status(500), Walk::Status(503)]
    );
    assert_eq!(
        all_pages(&conn, errors, 50).await,
        expected(|i| status_of(i) >= 400)
    );

    // A class no row has.
    let redirects = query(None, |f| f.status_class = Some("3xx".into()));
    assert!(redirects.sqlite_walks(&conn).await.unwrap().is_empty());
}
