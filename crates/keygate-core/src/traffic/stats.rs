//! Stats over a time range, read from the rollups: totals, error rate, per-endpoint counts and
//! requests per minute from the per-minute rollups (the range widened to whole minutes); latency
//! percentiles and the busiest client IPs from the hourly ones (over the whole hours the range
//! touches).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use keygate_types::traffic::{EndpointStats, IpCount, LatencyPercentiles, MinuteCount};
use sea_orm::sea_query::Expr;
use sea_orm::{
    AccessMode, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::percentiles;
use super::query::from_millis;
use super::summary::ALL_USERS;
use crate::entities::{traffic_ip_rollup, traffic_latency_rollup, traffic_rollup};
use crate::error::CoreResult;

/// The figures the rollups give for a range (the API adds the process counters).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeStats {
    /// Start, whole minute.
    pub from: DateTime<Utc>,
    /// End (exclusive), whole minute.
    pub to: DateTime<Utc>,
    /// Requests.
    pub requests: i64,
    /// Status >= 400.
    pub errors: i64,
    /// Status >= 500.
    pub server_errors: i64,
    /// Percentiles over all endpoints.
    pub latency: LatencyPercentiles,
    /// Per endpoint, busiest first.
    pub endpoints: Vec<EndpointStats>,
    /// Per minute.
    pub per_minute: Vec<MinuteCount>,
    /// Top 10 client IPs.
    pub top_ips: Vec<IpCount>,
}

/// A read-only transaction that sees one state of the rollups, so the several queries of one
/// stats answer agree with each other while the traffic writer keeps committing batches.
/// PostgreSQL needs REPEATABLE READ for that; a SQLite read transaction (WAL) is a snapshot from
/// its first read, and sea-orm only warns when asked for a level there.
pub async fn snapshot(db: &DatabaseConnection) -> CoreResult<DatabaseTransaction> {
    Ok(match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    })
}

/// Stats for `[from, to)` (widened to whole minutes), for one user or (None) everyone.
pub async fn range_stats(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    user: Option<i64>,
) -> CoreResult<RangeStats> {
    let from_minute = from.timestamp_millis().div_euclid(60_000);
    let to_minute = (to.timestamp_millis() + 59_999)
        .div_euclid(60_000)
        .max(from_minute);
    let from_hour = from_minute.div_euclid(60);
    let to_hour = (to_minute + 59).div_euclid(60);
    let user = user.unwrap_or(ALL_USERS);

    use traffic_rollup::Column as R;
    let range = Condition::all()
        .add(R::UserId.eq(user))
        .add(R::Minute.gte(from_minute))
        .add(R::Minute.lt(to_minute));
    let counts: Vec<(String, String, i64, i64, i64)> = traffic_rollup::Entity::find()
        .select_only()
        .column(R::Method)
        .column(R::Path)
        .column_as(Expr::cust("CAST(SUM(requests) AS BIGINT)"), "n")
        .column_as(Expr::cust("CAST(SUM(errors) AS BIGINT)"), "e")
        .column_as(Expr::cust("CAST(SUM(server_errors) AS BIGINT)"), "s")
        .filter(range.clone())
        .group_by(R::Method)
        .group_by(R::Path)
        .into_tuple()
        .all(db)
        .await?;

    use traffic_latency_rollup::Column as L;
    let hours = Condition::all()
        .add(L::UserId.eq(user))
        .add(L::Hour.gte(from_hour))
        .add(L::Hour.lt(to_hour));
    let buckets: Vec<(String, String, i32, i64)> = traffic_latency_rollup::Entity::find()
        .select_only()
        .column(L::Method)
        .column(L::Path)
        .column(L::LatBucket)
        .column_as(Expr::cust("CAST(SUM(requests) AS BIGINT)"), "n")
        .filter(hours)
        .group_by(L::Method)
        .group_by(L::Path)
        .group_by(L::LatBucket)
        .into_tuple()
        .all(db)
        .await?;
    let mut histograms: HashMap<(String, String), Vec<(i32, i64)>> = HashMap::new();
    let mut overall: BTreeMap<i32, i64> = BTreeMap::new();
    for (method, path, bucket, n) in buckets {
        *overall.entry(bucket).or_default() += n;
        histograms
            .entry((method, path))
            .or_default()
            .push((bucket, n));
    }

    let (mut requests, mut errors, mut server_errors) = (0, 0, 0);
    let mut endpoints: Vec<EndpointStats> = counts
        .into_iter()
        .map(|(method, path, n, e, s)| {
            requests += n;
            errors += e;
            server_errors += s;
            let mut histogram = histograms
                .remove(&(method.clone(), path.clone()))
                .unwrap_or_default();
            histogram.sort_unstable();
            let p = percentiles(&histogram, &[0.5, 0.95, 0.99]);
            EndpointStats {
                method,
                path,
                requests: n,
                errors: e,
                p50_us: p[0] as i64,
                p95_us: p[1] as i64,
                p99_us: p[2] as i64,
            }
        })
        .collect();
    endpoints.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.path.cmp(&b.path))
    });

    let minutes: Vec<(i64, i64, i64, i64)> = traffic_rollup::Entity::find()
        .select_only()
        .column(R::Minute)
        .column_as(Expr::cust("CAST(SUM(requests) AS BIGINT)"), "n")
        .column_as(Expr::cust("CAST(SUM(errors) AS BIGINT)"), "e")
        .column_as(Expr::cust("CAST(SUM(server_errors) AS BIGINT)"), "s")
        .filter(range)
        .group_by(R::Minute)
        .order_by_asc(R::Minute)
        .into_tuple()
        .all(db)
        .await?;
    let per_minute = minutes
        .into_iter()
        .map(|(minute, requests, errors, server_errors)| MinuteCount {
            minute: from_millis(minute * 60_000),
            requests,
            errors,
            server_errors,
        })
        .collect();

    use traffic_ip_rollup::Column as I;
    let ip_range = Condition::all()
        .add(I::UserId.eq(user))
        .add(I::Hour.gte(from_hour))
        .add(I::Hour.lt(to_hour));
    let ips: Vec<(String, i64)> = traffic_ip_rollup::Entity::find()
        .select_only()
        .column(I::ClientIp)
        .column_as(Expr::cust("CAST(SUM(requests) AS BIGINT)"), "n")
        .filter(ip_range)
        .group_by(I::ClientIp)
        .order_by_desc(Expr::cust("CAST(SUM(requests) AS BIGINT)"))
        .order_by_asc(I::ClientIp)
        .limit(10)
        .into_tuple()
        .all(db)
        .await?;

    Ok(RangeStats {
        from: from_millis(from_minute * 60_000),
        to: from_millis(to_minute * 60_000),
        requests,
        errors,
        server_errors,
        latency: overall_percentiles(&overall),
        endpoints,
        per_minute,
        top_ips: ips
            .into_iter()
            .map(|(ip, requests)| IpCount { ip, requests })
            .collect(),
    })
}

/// Percentiles of a histogram keyed by latency bucket.
pub fn overall_percentiles(histogram: &BTreeMap<i32, i64>) -> LatencyPercentiles {
    let sorted: Vec<(i32, i64)> = histogram.iter().map(|(b, n)| (*b, *n)).collect();
    let p = percentiles(&sorted, &[0.5, 0.95, 0.99]);
    LatencyPercentiles {
        p50_us: p[0] as i64,
        p95_us: p[1] as i64,
        p99_us: p[2] as i64,
    }
}
