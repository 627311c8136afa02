//! The Action Center: order-changing calls of `semi_auto` keys wait here until their owner approves
//! or rejects them, or they expire ([`queue`], [`list`], [`claim`], [`reject`]).
//!
//! A decision is taken exactly once, also when two approvals race: [`claim`] and [`reject`] are
//! conditional updates (`... WHERE state = 'pending'`), and only the caller whose update changed
//! the row goes on. Expiry is `created_at + ttl`, decided at read time, so no background task is
//! needed and a changed `KEYGATE_PENDING_TTL_SECS` applies to items already queued.
//!
//! A queued call is stored as its serde-tagged [`TradeRequest`] and replayed as it is. Executing
//! an approved item is the trading service's ([`crate::trading::approval`]), which reports the
//! outcome back with [`record_success`] or [`record_failure`]; before executing, it re-reads the
//! item's key ([`scopes_for_approval`]): an item runs under the key as it is now. Revoking a key
//! rejects its pending items ([`reject_for_key`]). ChartInk webhook tokens
//! ([`webhook_tokens`]) and webhook idempotency ([`dedup`]) live here too.

pub mod dedup;
mod key_state;
mod view;
pub mod webhook_tokens;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use keygate_broker::Ledger;
use keygate_types::action_center::{PendingOrder, PendingState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

pub use key_state::{reject_for_key, scopes_for_approval, ApprovingKey, KEY_REVOKED};

use crate::entities::{api_key, pending_order};
use crate::error::{CoreError, CoreResult};
use crate::trading::request::TradeRequest;

/// Most items one list answers.
pub const LIST_LIMIT: u64 = 500;
/// Longest rejection reason.
pub const MAX_REASON: usize = 500;
/// An item still `executing` this long after its approval was interrupted (the process stopped
/// mid-call): it is marked `failed`, since whether the broker got it is unknown.
pub const STUCK_AFTER_SECS: i64 = 300;
/// The error recorded for such an item.
pub const INTERRUPTED: &str =
    "The execution was interrupted and its outcome is unknown: check the order book";

/// A call to queue (the v1 handlers and webhooks build this for `semi_auto` keys).
#[derive(Debug, Clone)]
pub struct QueueRequest {
    /// The key's owner.
    pub user_id: i64,
    /// The key.
    pub key_id: i64,
    /// The ledger that applies now; approval executes against it.
    pub ledger: Ledger,
    /// The validated request.
    pub request: TradeRequest,
    /// The market price now, for the price-move check at approval (None: no check).
    pub reference_price: Option<f64>,
}

/// Queues a call; returns the `pending_order_id`.
pub async fn queue(db: &impl ConnectionTrait, request: QueueRequest) -> CoreResult<i64> {
    let row = pending_order::ActiveModel {
        user_id: Set(request.user_id),
        key_id: Set(request.key_id),
        ledger: Set(request.ledger.as_str().to_owned()),
        op: Set(request.request.endpoint().to_owned()),
        body: Set(
            serde_json::to_string(&request.request).map_err(|e| CoreError::Internal(e.into()))?
        ),
        reference_price: Set(request
            .reference_price
            .filter(|p| p.is_finite() && *p > 0.0)),
        state: Set(PendingState::Pending.as_str().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// `ttl` as a chrono duration, capped at ten years so date arithmetic cannot overflow.
pub(crate) fn ttl_delta(ttl: Duration) -> chrono::Duration {
    chrono::Duration::seconds(ttl.as_secs().min(315_360_000) as i64)
}

fn cutoff(ttl: Duration) -> DateTime<Utc> {
    Utc::now() - ttl_delta(ttl)
}

/// Marks the user's pending items older than `ttl` as expired, and items stuck in `executing`
/// (see [`STUCK_AFTER_SECS`]) as failed.
pub async fn expire(db: &impl ConnectionTrait, user_id: i64, ttl: Duration) -> CoreResult<u64> {
    use pending_order::Column as C;
    let done = pending_order::Entity::update_many()
        .col_expr(C::State, Expr::value(PendingState::Expired.as_str()))
        .col_expr(C::DecidedAt, Expr::value(Utc::now()))
        .filter(C::UserId.eq(user_id))
        .filter(C::State.eq(PendingState::Pending.as_str()))
        .filter(C::CreatedAt.lte(cutoff(ttl)))
        .exec(db)
        .await?;
    pending_order::Entity::update_many()
        .col_expr(C::State, Expr::value(PendingState::Failed.as_str()))
        .col_expr(C::Error, Expr::value(INTERRUPTED))
        .filter(C::UserId.eq(user_id))
        .filter(C::State.eq(PendingState::Executing.as_str()))
        .filter(C::DecidedAt.lte(Utc::now() - chrono::Duration::seconds(STUCK_AFTER_SECS)))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Items of every user waiting for a decision now (queued and not expired): the Action Center's
/// queue size, for metrics.
pub async fn pending_count(db: &impl ConnectionTrait, ttl: Duration) -> CoreResult<u64> {
    use pending_order::Column as C;
    Ok(pending_order::Entity::find()
        .filter(C::State.eq(PendingState::Pending.as_str()))
        .filter(C::CreatedAt.gt(cutoff(ttl)))
        .count(db)
        .await?)
}

/// The user's items, newest first: only `state` when given (expired ones are marked first).
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
    state: Option<PendingState>,
    ttl: Duration,
) -> CoreResult<Vec<PendingOrder>> {
    use pending_order::Column as C;
    expire(db, user_id, ttl).await?;
    let mut query = pending_order::Entity::find().filter(C::UserId.eq(user_id));
    if let Some(state) = state {
        query = query.filter(C::State.eq(state.as_str()));
    }
    let rows = query
        .order_by_desc(C::CreatedAt)
        .order_by_desc(C::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?;
    let names = key_names(db, user_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = names.get(&row.key_id).cloned();
            view::to_view(row, name, ttl)
        })
        .collect())
}

/// One of the user's items (another user's is not found).
pub async fn get(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
    ttl: Duration,
) -> CoreResult<PendingOrder> {
    let row = find(db, user_id, id).await?;
    let name = api_key::Entity::find_by_id(row.key_id)
        .one(db)
        .await?
        .map(|k| k.name);
    Ok(view::to_view(row, name, ttl))
}

async fn find(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
) -> CoreResult<pending_order::Model> {
    pending_order::Entity::find_by_id(id)
        .filter(pending_order::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("No pending order {id}")))
}

async fn key_names(db: &impl ConnectionTrait, user_id: i64) -> CoreResult<HashMap<i64, String>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect())
}

/// An item taken for execution by [`claim`].
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Its id.
    pub id: i64,
    /// The key that queued it.
    pub key_id: i64,
    /// The ledger recorded when it was queued.
    pub ledger: Ledger,
    /// The stored request.
    pub request: TradeRequest,
}

/// Moves a pending, unexpired item of the user to `executing`, exactly once: a second (or
/// concurrent) approval, or one of an expired, rejected or decided item, is a `Conflict`.
pub async fn claim(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
    ttl: Duration,
    decided_by: &str,
) -> CoreResult<Claimed> {
    decide(
        db,
        user_id,
        id,
        ttl,
        PendingState::Executing,
        decided_by,
        None,
    )
    .await?;
    let row = find(db, user_id, id).await?;
    let ledger = row
        .ledger
        .parse()
        .map_err(|_| CoreError::Internal(anyhow::anyhow!("bad stored ledger {}", row.ledger)))?;
    let request = serde_json::from_str(&row.body)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("bad stored request: {e}")))?;
    Ok(Claimed {
        id,
        key_id: row.key_id,
        ledger,
        request,
    })
}

/// Rejects a pending, unexpired item of the user with a reason (1 to 500 characters).
pub async fn reject(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
    ttl: Duration,
    reason: &str,
    decided_by: &str,
) -> CoreResult<PendingOrder> {
    let reason = reason.trim();
    if reason.is_empty()
        || reason.chars().count() > MAX_REASON
        || reason.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(CoreError::field(
            "reason",
            "must be 1 to 500 characters without control characters",
        ));
    }
    decide(
        db,
        user_id,
        id,
        ttl,
        PendingState::Rejected,
        decided_by,
        Some(reason),
    )
    .await?;
    get(db, user_id, id, ttl).await
}

async fn decide(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
    ttl: Duration,
    to: PendingState,
    decided_by: &str,
    reason: Option<&str>,
) -> CoreResult<()> {
    use pending_order::Column as C;
    let mut update = pending_order::Entity::update_many()
        .col_expr(C::State, Expr::value(to.as_str()))
        .col_expr(C::DecidedAt, Expr::value(Utc::now()))
        .col_expr(C::DecidedBy, Expr::value(decided_by.to_owned()));
    if let Some(reason) = reason {
        update = update.col_expr(C::Reason, Expr::value(reason.to_owned()));
    }
    let done = update
        .filter(C::Id.eq(id))
        .filter(C::UserId.eq(user_id))
        .filter(C::State.eq(PendingState::Pending.as_str()))
        .filter(C::CreatedAt.gt(cutoff(ttl)))
        .exec(db)
        .await?;
    if done.rows_affected == 1 {
        return Ok(());
    }
    // Not taken: say why (and record an expiry noticed now).
    let row = find(db, user_id, id).await?;
    if row.state == PendingState::Pending.as_str() {
        expire(db, user_id, ttl).await?;
        return Err(CoreError::Conflict(format!(
            "Pending order {id} has expired and can no longer be approved or rejected"
        )));
    }
    Err(CoreError::Conflict(format!(
        "Pending order {id} is already {}",
        row.state
    )))
}

/// Records a successful execution of a claimed item.
pub async fn record_success(
    db: &impl ConnectionTrait,
    id: i64,
    broker_order_id: Option<String>,
    broker_status: Option<String>,
    response: &Value,
) -> CoreResult<()> {
    use pending_order::Column as C;
    pending_order::Entity::update_many()
        .col_expr(C::State, Expr::value(PendingState::Approved.as_str()))
        .col_expr(C::BrokerOrderId, Expr::value(broker_order_id))
        .col_expr(C::BrokerStatus, Expr::value(broker_status))
        .col_expr(C::Response, Expr::value(response.to_string()))
        .filter(C::Id.eq(id))
        .filter(C::State.eq(PendingState::Executing.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed execution of a claimed item; `response` is the error answer, if any.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    id: i64,
    error: &str,
    response: Option<&Value>,
) -> CoreResult<()> {
    use pending_order::Column as C;
    pending_order::Entity::update_many()
        .col_expr(C::State, Expr::value(PendingState::Failed.as_str()))
        .col_expr(C::Error, Expr::value(error.to_owned()))
        .col_expr(C::Response, Expr::value(response.map(Value::to_string)))
        .filter(C::Id.eq(id))
        .filter(C::State.eq(PendingState::Executing.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// How far a price moved from its reference, in percent (None without a usable reference).
pub fn move_pct(reference: f64, current: f64) -> Option<f64> {
    (reference.is_finite() && reference > 0.0 && current.is_finite())
        .then(|| (current - reference).abs() / reference * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_measured_against_the_reference() {
        assert_eq!(move_pct(100.0, 103.0), Some(3.0));
        assert_eq!(move_pct(100.0, 97.0), Some(3.0));
        assert_eq!(move_pct(0.0, 97.0), None);
        assert_eq!(move_pct(f64::NAN, 97.0), None);
    }
}
