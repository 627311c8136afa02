//! Stats over a time range, read from the rollups: totals, error rate and per-endpoint counts
//! from the endpoint rollup's blocks that cover the range widened to whole minutes, requests per
//! minute from the minute totals; latency percentiles and the busiest client IPs from the blocks
//! that cover the whole hours the range touches ([`cover`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use keygate_types::traffic::{EndpointStats, IpCount, LatencyPercentiles, MinuteCount};
use sea_orm::sea_query::Order;
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::percentiles;
use super::query::from_millis;
use super::spans::{cover, fetch, over_blocks, sum, HOUR_SPANS, MINUTE_SPANS};
use super::summary::ALL_USERS;
use crate::entities::{
    traffic_ip_rollup, traffic_latency_rollup, traffic_minute_total, traffic_rollup,
};
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

    let minute_blocks = cover(from_minute, to_minute, &MINUTE_SPANS);
    let hour_blocks = cover(from_hour, to_hour, &HOUR_SPANS);

    use traffic_rollup::Column as R;
    let mut query = over_blocks(&minute_blocks, R::Span, R::Minute, || {
        traffic_rollup::Entity::find()
            .select_only()
            .columns([R::Method, R::Path, R::Requests, R::Errors, R::ServerErrors])
            .filter(R::UserId.eq(user))
    });
    query
        .columns([R::Method, R::Path])
        .expr(sum("requests"))
        .expr(sum("errors"))
        .expr(sum("server_errors"))
        .group_by_columns([R::Method, R::Path]);
    let counts: Vec<(String, String, i64, i64, i64)> = fetch(db, query).await?;

    use traffic_latency_rollup::Column as L;
    let mut query = over_blocks(&hour_blocks, L::Span, L::Hour, || {
        traffic_latency_rollup::Entity::find()
            .select_only()
            .columns([L::Method, L::Path, L::LatBucket, L::Requests])
            .filter(L::UserId.eq(user))
    });
    query
        .columns([L::Method, L::Path, L::LatBucket])
        .expr(sum("requests"))
        .group_by_columns([L::Method, L::Path, L::LatBucket]);
    let buckets: Vec<(String, String, i32, i64)> = fetch(db, query).await?;
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

    use traffic_minute_total::Column as M;
    let minutes: Vec<(i64, i64, i64, i64)> = traffic_minute_total::Entity::find()
        .select_only()
        .column(M::Minute)
        .column(M::Requests)
        .column(M::Errors)
        .column(M::ServerErrors)
        .filter(M::UserId.eq(user))
        .filter(M::Minute.gte(from_minute))
        .filter(M::Minute.lt(to_minute))
        .order_by_asc(M::Minute)
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
    let mut query = over_blocks(&hour_blocks, I::Span, I::Hour, || {
        traffic_ip_rollup::Entity::find()
            .select_only()
            .columns([I::ClientIp, I::Requests])
            .filter(I::UserId.eq(user))
    });
    query
        .column(I::ClientIp)
        .expr(sum("requests"))
        .group_by_col(I::ClientIp)
        .order_by_expr(sum("requests"), Order::Desc)
        .order_by(I::ClientIp, Order::Asc)
        .limit(10);
    let ips: Vec<(String, i64)> = fetch(db, query).await?;

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
