//! The stats' breakdowns, read from `traffic_class_rollups` (requests per block of minutes, user,
//! key, status class and error class): requests per status class and per error class, and per
//! API key, from the blocks that cover the range. For one key ([`Scope::key`]) also its totals
//! and requests per minute (from its one-minute blocks).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use keygate_types::traffic::{ErrorClassCount, KeyUsage, MinuteCount, StatusClassCount};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::query::from_millis;
use super::spans::{cover, fetch, over_blocks, sum, MINUTE_SPANS};
use super::summary::ALL_USERS;
use crate::entities::{api_key, traffic_class_rollup};
use crate::error::CoreResult;

/// Whose requests: one user's (None: everyone's), and optionally only one key's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// The user, or None for everyone (admins).
    pub user: Option<i64>,
    /// Only this API key.
    pub key: Option<i64>,
}

/// The whole minutes `[from, to)` covers, as the rollups count them.
pub fn minute_range(from: DateTime<Utc>, to: DateTime<Utc>) -> (i64, i64) {
    let from_minute = from.timestamp_millis().div_euclid(60_000);
    let to_minute = (to.timestamp_millis() + 59_999)
        .div_euclid(60_000)
        .max(from_minute);
    (from_minute, to_minute)
}

/// The breakdowns of a range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breakdown {
    /// Requests.
    pub requests: i64,
    /// Status >= 400.
    pub errors: i64,
    /// Status >= 500.
    pub server_errors: i64,
    /// Per status class, `1xx` first, classes with none left out.
    pub status_classes: Vec<StatusClassCount>,
    /// Per error class, most first.
    pub error_classes: Vec<ErrorClassCount>,
    /// Per key, busiest first.
    pub keys: Vec<KeyUsage>,
}

/// The scope's rows.
fn condition(scope: Scope) -> Condition {
    use traffic_class_rollup::Column as C;
    let mut condition = Condition::all().add(C::UserId.eq(scope.user.unwrap_or(ALL_USERS)));
    if let Some(key) = scope.key {
        condition = condition.add(C::KeyId.eq(key));
    }
    condition
}

/// Status-class, error-class and per-key figures for `[from, to)` widened to whole minutes.
pub async fn breakdown(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    scope: Scope,
) -> CoreResult<Breakdown> {
    use traffic_class_rollup::Column as C;
    let (from_minute, to_minute) = minute_range(from, to);
    let blocks = cover(from_minute, to_minute, &MINUTE_SPANS);
    let mut query = over_blocks(&blocks, C::Span, C::Minute, || {
        traffic_class_rollup::Entity::find()
            .select_only()
            .columns([C::KeyId, C::StatusClass, C::ErrorClass, C::Requests])
            .filter(condition(scope))
    });
    query
        .columns([C::KeyId, C::StatusClass, C::ErrorClass])
        .expr(sum("requests"))
        .group_by_columns([C::KeyId, C::StatusClass, C::ErrorClass]);
    let groups: Vec<(i64, i32, String, i64)> = fetch(db, query).await?;

    let mut out = Breakdown::default();
    let mut classes: BTreeMap<i32, i64> = BTreeMap::new();
    let mut errors: HashMap<String, i64> = HashMap::new();
    let mut keys: HashMap<i64, [i64; 3]> = HashMap::new();
    for (key, class, error_class, n) in groups {
        let is_error = i64::from(class >= 4);
        let is_server_error = i64::from(class >= 5);
        out.requests += n;
        out.errors += n * is_error;
        out.server_errors += n * is_server_error;
        *classes.entry(class).or_default() += n;
        if !error_class.is_empty() {
            *errors.entry(error_class).or_default() += n;
        }
        if key != 0 {
            let sums = keys.entry(key).or_default();
            sums[0] += n;
            sums[1] += n * is_error;
            sums[2] += n * is_server_error;
        }
    }
    out.status_classes = classes
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(class, requests)| StatusClassCount {
            class: format!("{class}xx"),
            requests,
        })
        .collect();
    out.error_classes = errors
        .into_iter()
        .map(|(error_class, requests)| ErrorClassCount {
            error_class,
            requests,
        })
        .collect();
    out.error_classes.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.error_class.cmp(&b.error_class))
    });

    let names: HashMap<i64, String> = if keys.is_empty() {
        HashMap::new()
    } else {
        api_key::Entity::find()
            .select_only()
            .column(api_key::Column::Id)
            .column(api_key::Column::Name)
            .filter(api_key::Column::Id.is_in(keys.keys().copied()))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    out.keys = keys
        .into_iter()
        .map(|(key_id, [requests, errors, server_errors])| KeyUsage {
            key_id,
            name: names.get(&key_id).cloned(),
            requests,
            errors,
            server_errors,
        })
        .collect();
    out.keys.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.key_id.cmp(&b.key_id))
    });
    Ok(out)
}

/// One key's requests per minute (minutes with none left out), from the class rollup.
pub async fn key_minutes(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    user: Option<i64>,
    key: i64,
) -> CoreResult<Vec<MinuteCount>> {
    use traffic_class_rollup::Column as C;
    let (from_minute, to_minute) = minute_range(from, to);
    let scope = Scope {
        user,
        key: Some(key),
    };
    let rows: Vec<(i64, i32, i64)> = traffic_class_rollup::Entity::find()
        .select_only()
        .column(C::Minute)
        .column(C::StatusClass)
        .column_as(sum("requests"), "n")
        .filter(condition(scope))
        .filter(C::Span.eq(1))
        .filter(C::Minute.gte(from_minute))
        .filter(C::Minute.lt(to_minute))
        .group_by(C::Minute)
        .group_by(C::StatusClass)
        .order_by_asc(C::Minute)
        .into_tuple()
        .all(db)
        .await?;
    let mut minutes: Vec<MinuteCount> = Vec::new();
    for (minute, class, n) in rows {
        let at = from_millis(minute * 60_000);
        if minutes.last().is_none_or(|m| m.minute != at) {
            minutes.push(MinuteCount {
                minute: at,
                requests: 0,
                errors: 0,
                server_errors: 0,
            });
        }
        if let Some(m) = minutes.last_mut() {
            m.requests += n;
            m.errors += n * i64::from(class >= 4);
            m.server_errors += n * i64::from(class >= 5);
        }
    }
    Ok(minutes)
}
