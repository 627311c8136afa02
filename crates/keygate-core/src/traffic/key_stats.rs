//! One API key's endpoints (with latency percentiles) and client IPs, read from its raw rows
//! through the `(key_id, ts)` index: the endpoint and address rollups are kept per user, not per
//! key. The cost grows with the key's rows in the range, never with other keys'. Latencies are
//! counted in the rollups' log-scale buckets, computed in SQL, so the percentiles have the same
//! precision as everyone else's.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use keygate_types::traffic::{EndpointStats, IpCount, LatencyPercentiles};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::breakdown::minute_range;
use super::percentiles;
use super::stats::overall_percentiles;
use crate::entities::traffic_log::{self, Column};
use crate::error::CoreResult;

/// The SQL of [`super::latency_bucket`]: exact below 16 µs, then eight buckets per power of two
/// (`us / 2^(e-3) + 8 (e-3)` for `2^e <= us < 2^(e+1)`).
fn bucket_sql() -> String {
    let mut sql = String::from("CASE WHEN duration_us < 16 THEN duration_us");
    for exp in 4..62u32 {
        let shift = exp - 3;
        sql.push_str(&format!(
            " WHEN duration_us < {} THEN duration_us / {} + {}",
            1i64 << (exp + 1),
            1i64 << shift,
            8 * shift
        ));
    }
    sql.push_str(" ELSE 0 END");
    sql
}

/// The rows of `key` (and `user`, when scoped) in the whole minutes of `[from, to)`.
fn rows_of(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    user: Option<i64>,
    key: i64,
) -> Condition {
    let (from_minute, to_minute) = minute_range(from, to);
    let mut condition = Condition::all()
        .add(Column::KeyId.eq(key))
        .add(Column::Ts.gte(from_minute * 60_000))
        .add(Column::Ts.lt(to_minute * 60_000));
    if let Some(user) = user {
        // On SQLite `+user_id` keeps the planner on the key's index (see `query.rs`).
        let by_user: SimpleExpr = if db.get_database_backend() == DbBackend::Sqlite {
            Expr::cust_with_values("+user_id = ?", [user])
        } else {
            Column::UserId.eq(user)
        };
        condition = condition.add(by_user);
    }
    condition
}

/// One key's figures from its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigures {
    /// Latency percentiles over all its calls.
    pub latency: LatencyPercentiles,
    /// Per endpoint, busiest first.
    pub endpoints: Vec<EndpointStats>,
    /// Its busiest client IPs (at most 10).
    pub top_ips: Vec<IpCount>,
}

/// One key's latency, endpoints and busiest client IPs.
pub async fn key_figures(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    user: Option<i64>,
    key: i64,
) -> CoreResult<KeyFigures> {
    let bucket = bucket_sql();
    let groups: Vec<(String, String, i32, i64, i64)> = traffic_log::Entity::find()
        .select_only()
        .column(Column::Method)
        .column(Column::Path)
        .column_as(Expr::cust(format!("CAST({bucket} AS INTEGER)")), "b")
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(
            Expr::cust("CAST(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS BIGINT)"),
            "e",
        )
        .filter(rows_of(db, from, to, user, key))
        .group_by(Column::Method)
        .group_by(Column::Path)
        .group_by(Expr::cust(bucket))
        .into_tuple()
        .all(db)
        .await?;
    // Per (method, path): the latency histogram and the error count.
    type Endpoint = (Vec<(i32, i64)>, i64);
    let mut per_endpoint: HashMap<(String, String), Endpoint> = HashMap::new();
    let mut overall: BTreeMap<i32, i64> = BTreeMap::new();
    for (method, path, bucket, n, errors) in groups {
        *overall.entry(bucket).or_default() += n;
        let (histogram, error_count) = per_endpoint.entry((method, path)).or_default();
        histogram.push((bucket, n));
        *error_count += errors;
    }
    let mut endpoints: Vec<EndpointStats> = per_endpoint
        .into_iter()
        .map(|((method, path), (mut histogram, errors))| {
            histogram.sort_unstable();
            let p = percentiles(&histogram, &[0.5, 0.95, 0.99]);
            EndpointStats {
                method,
                path,
                requests: histogram.iter().map(|(_, n)| n).sum(),
                errors,
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
            .then_with(|| a.method.cmp(&b.method))
    });

    let ips: Vec<(String, i64)> = traffic_log::Entity::find()
        .select_only()
        .column(Column::ClientIp)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(rows_of(db, from, to, user, key))
        .group_by(Column::ClientIp)
        .order_by_desc(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
        .order_by_asc(Column::ClientIp)
        .limit(10)
        .into_tuple()
        .all(db)
        .await?;
    Ok(KeyFigures {
        latency: overall_percentiles(&overall),
        endpoints,
        top_ips: ips
            .into_iter()
            .map(|(ip, requests)| IpCount { ip, requests })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::latency_bucket;

    /// The SQL's arithmetic, replayed: it must give the bucket Rust gives.
    fn bucket_like_sql(us: u64) -> i32 {
        if us < 16 {
            return us as i32;
        }
        for exp in 4..62u32 {
            if us < 1u64 << (exp + 1) {
                let shift = exp - 3;
                return (us / (1u64 << shift) + 8 * u64::from(shift)) as i32;
            }
        }
        0
    }

    #[test]
    fn the_sql_bucket_formula_matches_latency_bucket() {
        for us in (0..70_000u64).chain([1 << 20, (1 << 33) + 12_345, 987_654_321_012]) {
            assert_eq!(bucket_like_sql(us), latency_bucket(us), "{us} µs");
        }
    }
}
