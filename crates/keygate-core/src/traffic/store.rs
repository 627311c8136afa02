//! Writing batches of traffic rows (raw rows plus their rollups) and purging old ones.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::{latency_bucket, TrafficRecord};
use crate::entities::{traffic_ip_rollup, traffic_latency_rollup, traffic_log, traffic_rollup};

/// The rollups' `user_id` for everyone's totals (each request is counted for its user and here),
/// so the admin's stats read one user's worth of rollup rows through the same indexes.
pub const ALL_USERS: i64 = -1;

/// Longest stored path.
const MAX_PATH: usize = 255;

fn cut(path: &str) -> String {
    if path.len() <= MAX_PATH {
        return path.to_owned();
    }
    let mut end = MAX_PATH;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    path[..end].to_owned()
}

/// `SET column = <table>.column + excluded.column` for an upsert, on SQLite and PostgreSQL alike.
fn add_excluded(table: &str, column: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::col((Alias::new(table), Alias::new(column)))
        .add(Expr::col((Alias::new("excluded"), Alias::new(column))))
}

/// Inserts `rows` and adds them to the per-minute rollups. Run it inside a transaction so the raw
/// rows and the rollups never disagree.
pub async fn write_batch(db: &impl ConnectionTrait, rows: &[TrafficRecord]) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    type EndpointKey = (i64, i64, String, String);
    type LatencyKey = (i64, i64, String, String, i32);
    let mut endpoints: HashMap<EndpointKey, (i64, i64, i64)> = HashMap::new();
    let mut latencies: HashMap<LatencyKey, i64> = HashMap::new();
    let mut ips: HashMap<(i64, i64, String), i64> = HashMap::new();
    let mut raw = Vec::with_capacity(rows.len());
    for r in rows {
        let path = cut(&r.path);
        let ip = r.client_ip.to_string();
        let minute = r.ts_ms.div_euclid(60_000);
        let hour = r.ts_ms.div_euclid(3_600_000);
        let bucket = latency_bucket(r.duration_us);
        for user in [r.user_id.unwrap_or(0), ALL_USERS] {
            let entry = endpoints
                .entry((minute, user, r.method.clone(), path.clone()))
                .or_default();
            entry.0 += 1;
            entry.1 += i64::from(r.status >= 400);
            entry.2 += i64::from(r.status >= 500);
            *latencies
                .entry((hour, user, r.method.clone(), path.clone(), bucket))
                .or_default() += 1;
            *ips.entry((hour, user, ip.clone())).or_default() += 1;
        }
        raw.push(traffic_log::ActiveModel {
            ts: Set(r.ts_ms),
            method: Set(r.method.clone()),
            path: Set(path),
            status: Set(i32::from(r.status)),
            duration_us: Set(i64::try_from(r.duration_us).unwrap_or(i64::MAX)),
            client_ip: Set(ip),
            user_id: Set(r.user_id),
            key_id: Set(r.key_id),
            request_id: Set(r.request_id.clone()),
            error_class: Set(r.error_class.map(str::to_owned)),
            ..Default::default()
        });
    }
    traffic_log::Entity::insert_many(raw)
        .exec_without_returning(db)
        .await?;

    use traffic_rollup::Column as R;
    let rollups = endpoints
        .into_iter()
        .map(
            |((minute, user, method, path), (n, e, s))| traffic_rollup::ActiveModel {
                minute: Set(minute),
                user_id: Set(user),
                method: Set(method),
                path: Set(path),
                requests: Set(n),
                errors: Set(e),
                server_errors: Set(s),
                ..Default::default()
            },
        );
    traffic_rollup::Entity::insert_many(rollups)
        .on_conflict(
            OnConflict::columns([R::Minute, R::UserId, R::Method, R::Path])
                .value(R::Requests, add_excluded("traffic_rollups", "requests"))
                .value(R::Errors, add_excluded("traffic_rollups", "errors"))
                .value(
                    R::ServerErrors,
                    add_excluded("traffic_rollups", "server_errors"),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;

    use traffic_latency_rollup::Column as L;
    let latency_rollups = latencies
        .into_iter()
        .map(
            |((hour, user, method, path, bucket), n)| traffic_latency_rollup::ActiveModel {
                hour: Set(hour),
                user_id: Set(user),
                method: Set(method),
                path: Set(path),
                lat_bucket: Set(bucket),
                requests: Set(n),
                ..Default::default()
            },
        );
    traffic_latency_rollup::Entity::insert_many(latency_rollups)
        .on_conflict(
            OnConflict::columns([L::Hour, L::UserId, L::Method, L::Path, L::LatBucket])
                .value(
                    L::Requests,
                    add_excluded("traffic_latency_rollups", "requests"),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;

    use traffic_ip_rollup::Column as I;
    let ip_rollups = ips
        .into_iter()
        .map(|((hour, user, ip), n)| traffic_ip_rollup::ActiveModel {
            hour: Set(hour),
            user_id: Set(user),
            client_ip: Set(ip),
            requests: Set(n),
            ..Default::default()
        });
    traffic_ip_rollup::Entity::insert_many(ip_rollups)
        .on_conflict(
            OnConflict::columns([I::Hour, I::UserId, I::ClientIp])
                .value(I::Requests, add_excluded("traffic_ip_rollups", "requests"))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Deletes rows (and rollups) older than `days` days; returns how many raw rows went.
pub async fn purge_older_than(db: &impl ConnectionTrait, days: u32) -> Result<u64, DbErr> {
    let cutoff_ms = chrono::Utc::now().timestamp_millis() - i64::from(days) * 86_400_000;
    let cutoff_minute = cutoff_ms.div_euclid(60_000);
    let cutoff_hour = cutoff_ms.div_euclid(3_600_000);
    let removed = traffic_log::Entity::delete_many()
        .filter(traffic_log::Column::Ts.lt(cutoff_ms))
        .exec(db)
        .await?
        .rows_affected;
    traffic_rollup::Entity::delete_many()
        .filter(traffic_rollup::Column::Minute.lt(cutoff_minute))
        .exec(db)
        .await?;
    traffic_latency_rollup::Entity::delete_many()
        .filter(traffic_latency_rollup::Column::Hour.lt(cutoff_hour))
        .exec(db)
        .await?;
    traffic_ip_rollup::Entity::delete_many()
        .filter(traffic_ip_rollup::Column::Hour.lt(cutoff_hour))
        .exec(db)
        .await?;
    Ok(removed)
}
