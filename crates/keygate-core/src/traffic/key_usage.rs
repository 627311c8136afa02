//! The API keys page's per-key figures: every key of one user with its requests and errors per
//! hour over the last 24 hours, in one query over `traffic_class_rollups`.
//!
//! The rollup leads with `(user_id, minute)`, so the query reads one contiguous index range (at
//! most 1,440 minutes of the user's keys, status and error classes) and the database adds it up
//! into at most 24 rows per key. The raw log is never read.

use chrono::{DateTime, Utc};
use keygate_types::keys::{KeyHourlyUsage, KeysUsage, USAGE_HOURS};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::query::from_millis;
use crate::entities::{api_key, traffic_class_rollup};
use crate::error::CoreResult;

/// Minutes per bucket.
const BUCKET_MINUTES: i64 = 60;

/// The first minute of the window that ends with the minute holding `now`, and the minute after it.
fn window(now: DateTime<Utc>) -> (i64, i64) {
    let to_minute = now.timestamp_millis().div_euclid(60_000) + 1;
    (to_minute - USAGE_HOURS as i64 * BUCKET_MINUTES, to_minute)
}

/// Requests and errors per hour for each of `user`'s keys over the 24 hours up to `now` (the
/// minute holding `now` included). Keys without traffic get zeros; only the user's own keys
/// appear, whatever the rollup holds.
pub async fn hourly_usage(
    db: &impl ConnectionTrait,
    user: i64,
    now: DateTime<Utc>,
) -> CoreResult<KeysUsage> {
    use traffic_class_rollup::Column as C;
    let (from_minute, to_minute) = window(now);
    let key_ids: Vec<i64> = api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .filter(api_key::Column::UserId.eq(user))
        .order_by_asc(api_key::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut keys: Vec<KeyHourlyUsage> = key_ids
        .iter()
        .map(|&key_id| KeyHourlyUsage {
            key_id,
            requests: vec![0; USAGE_HOURS],
            errors: vec![0; USAGE_HOURS],
        })
        .collect();
    if !keys.is_empty() {
        // `from_minute` is a number this function made, never input: written into the SQL so the
        // selected and grouped expressions are the same text (PostgreSQL requires that).
        let hour = format!("CAST((minute - {from_minute}) / {BUCKET_MINUTES} AS BIGINT)");
        let groups: Vec<(i64, i64, i64, i64)> = traffic_class_rollup::Entity::find()
            .select_only()
            .column(C::KeyId)
            .column_as(Expr::cust(hour.clone()), "h")
            .column_as(Expr::cust("CAST(SUM(requests) AS BIGINT)"), "n")
            .column_as(
                Expr::cust(
                    "CAST(SUM(CASE WHEN status_class >= 4 THEN requests ELSE 0 END) AS BIGINT)",
                ),
                "e",
            )
            .filter(C::UserId.eq(user))
            // Its buckets are the 60 minutes before now's, not whole hours: one-minute blocks.
            .filter(C::Span.eq(1))
            .filter(C::Minute.gte(from_minute))
            .filter(C::Minute.lt(to_minute))
            .filter(C::KeyId.ne(0))
            .group_by(C::KeyId)
            .group_by(Expr::cust(hour))
            .into_tuple()
            .all(db)
            .await?;
        for (key_id, hour, requests, errors) in groups {
            let (Ok(index), Ok(hour)) = (key_ids.binary_search(&key_id), usize::try_from(hour))
            else {
                continue;
            };
            if let Some(usage) = keys.get_mut(index).filter(|_| hour < USAGE_HOURS) {
                usage.requests[hour] += requests;
                usage.errors[hour] += errors;
            }
        }
    }
    Ok(KeysUsage {
        from: from_millis(from_minute * 60_000),
        to: from_millis(to_minute * 60_000),
        keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_24_hours_of_whole_minutes_ending_after_the_current_minute() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T10:15:42Z")
            .unwrap()
            .with_timezone(&Utc);
        let (from, to) = window(now);
        assert_eq!(to - from, 1440);
        assert_eq!(
            from_millis(to * 60_000).to_rfc3339(),
            "2026-12-03T10:16:00+00:00"
        );
        assert_eq!(
            from_millis(from * 60_000).to_rfc3339(),
            "2026-12-02T10:16:00+00:00"
        );
    }
}
