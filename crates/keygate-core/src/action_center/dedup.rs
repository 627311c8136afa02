//! Webhook idempotency. An alert is identified by a digest of the key id and its normalised
//! payload (objects with sorted keys, strings trimmed; the key itself excluded). The first delivery
//! of a digest is accepted; another within the window is a duplicate. One conditional upsert
//! decides it, so racing deliveries and several keygate processes agree.

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::entities::webhook_delivery;
use crate::error::CoreResult;

/// The digest of an alert: key id, webhook kind and payload, normalised.
pub fn alert_digest(key_id: i64, kind: &str, payload: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(key_id.to_be_bytes());
    hasher.update(kind.as_bytes());
    hasher.update([0]);
    hasher.update(normalise(payload).to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Sorted keys (serde_json's default map is ordered), trimmed strings, no `apikey`.
fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("apikey"))
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::String(s) => Value::String(s.trim().to_owned()),
        other => other.clone(),
    }
}

/// True for the first delivery of `digest` within `window` (and records it); false for a duplicate.
pub async fn first_delivery(
    db: &impl ConnectionTrait,
    digest: &str,
    window: Duration,
) -> CoreResult<bool> {
    use webhook_delivery::Column as C;
    if window.is_zero() {
        return Ok(true);
    }
    let now = Utc::now();
    let cutoff = now - super::ttl_delta(window);
    let written = webhook_delivery::Entity::insert(webhook_delivery::ActiveModel {
        digest: Set(digest.to_owned()),
        seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(C::Digest)
            .update_column(C::SeenAt)
            .action_and_where(Expr::col((webhook_delivery::Entity, C::SeenAt)).lte(cutoff))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    // Forget digests long past their window, keeping the table small.
    webhook_delivery::Entity::delete_many()
        .filter(C::SeenAt.lt(now - super::ttl_delta(window * 10)))
        .exec(db)
        .await?;
    Ok(written > 0)
}

/// Forgets a digest, so a delivery that failed can be retried at once.
pub async fn forget(db: &impl ConnectionTrait, digest: &str) -> CoreResult<()> {
    webhook_delivery::Entity::delete_by_id(digest.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digests_ignore_key_order_whitespace_and_the_key_itself() {
        let a = alert_digest(
            1,
            "tv",
            &json!({"symbol": "SBIN", "action": "BUY", "apikey": "x"}),
        );
        let b = alert_digest(
            1,
            "tv",
            &json!({"action": " BUY", "symbol": "SBIN", "apikey": "y"}),
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            alert_digest(2, "tv", &json!({"symbol": "SBIN", "action": "BUY"}))
        );
        assert_ne!(
            a,
            alert_digest(1, "tv", &json!({"symbol": "SBIN", "action": "SELL"}))
        );
    }
}
