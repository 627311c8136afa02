//! The Action Center: the signed-in user's queued `semi_auto` calls, approved or rejected here.
//! Session-authenticated, CSRF on every change; another user's item answers 404.
//!
//! Approval executes the stored request through [`crate::trading::execute`] against the ledger
//! recorded when it was queued, under the item's key as it is now: a key that is gone, revoked,
//! expired or without `trade`/`exit_only` refuses it (403), and an `exit_only` key's order runs
//! reduce-only, so it counts the items approved before it. Before that it compares the market
//! price with the one recorded at queueing: a move beyond `KEYGATE_APPROVAL_MAX_MOVE_PCT` answers
//! 409 with the figures, unless the request says `"confirm": true`. An item is decided exactly
//! once (see [`keygate_core::action_center::claim`]).

use std::str::FromStr;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use keygate_broker::Exchange;
use keygate_core::action_center::{self, move_pct, Claimed};
use keygate_types::action_center::{
    ApproveOrder, PendingOrder, PendingState, PriceMoveWarning, RejectOrder,
};
use keygate_types::ErrorBody;
use serde::Deserialize;

use crate::auth::SessionUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::trading::{self, TradeOp};

fn ttl(state: &AppState) -> Duration {
    Duration::from_secs(state.settings.action_center.pending_ttl_secs)
}

/// The market price of an item's instrument now, when it names one the market knows.
fn current_price(state: &AppState, item: &PendingOrder) -> Option<f64> {
    let exchange = Exchange::from_str(item.exchange.as_deref()?).ok()?;
    let quote = state.market.quote(item.symbol.as_deref()?, exchange).ok()?;
    Some(quote.ltp).filter(|p| p.is_finite() && *p > 0.0)
}

/// What a failed call tells its caller: the message and, for contract answers, the whole body.
/// A 5xx says nothing internal (the cause goes to the log).
pub fn describe_error(error: &ApiError) -> (String, Option<serde_json::Value>) {
    if error.status_code().is_server_error() {
        log::error!("an approved or webhook order failed: {error:?}");
        return ("Internal server error".to_owned(), None);
    }
    match error {
        ApiError::Reply { body, status } => (
            body.get("message")
                .and_then(|m| m.as_str())
                .map_or_else(|| status.to_string(), str::to_owned),
            Some(body.clone()),
        ),
        other => (other.to_string(), None),
    }
}

/// Filter of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PendingFilter {
    /// Only items in this state (`pending`, `executing`, `approved`, `failed`, `rejected`,
    /// `expired`); all when absent.
    pub state: Option<PendingState>,
}

/// The user's queued calls and their history, newest first (at most 500). Pending items carry
/// the current market price next to the one recorded when they were queued.
#[utoipa::path(
    get,
    path = "/api/action-center",
    tag = "action-center",
    params(PendingFilter),
    responses(
        (status = 200, description = "the items", body = [PendingOrder]),
        (status = 400, description = "invalid filter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_pending_orders(
    state: web::Data<AppState>,
    user: SessionUser,
    filter: web::Query<PendingFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut items = action_center::list(&state.db, user.user.id, filter.state, ttl(&state)).await?;
    for item in items
        .iter_mut()
        .filter(|i| i.state == PendingState::Pending)
    {
        item.current_price = current_price(&state, item);
    }
    Ok(HttpResponse::Ok().json(items))
}

/// Approves a pending item: executes the stored call now and records the broker's order id and
/// status (state `approved`), or the error (state `failed`). The item's key must still exist, be
/// neither revoked nor expired and hold `trade` or `exit_only`; an `exit_only` key's order must
/// still only reduce the position (counting what was approved before it). Otherwise the answer
/// is 403 with the reason, and the item is `failed` with that reason.
#[utoipa::path(
    post,
    path = "/api/action-center/{id}/approve",
    tag = "action-center",
    request_body = ApproveOrder,
    params(
        ("id" = i64, Path, description = "pending order id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the decided item (`approved`, or `failed` with the broker's error)", body = PendingOrder),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token, or the item's key can no longer execute it (gone, revoked, expired, lacks the scope, or an exit_only order that no longer only reduces the position): the item is then `failed` with that reason", body = ErrorBody),
        (status = 404, description = "no such item of this user", body = ErrorBody),
        (status = 409, description = "already decided or expired (ErrorBody), or the price moved more than the limit since queueing: repeat with `confirm: true` (PriceMoveWarning)", body = PriceMoveWarning),
    )
)]
pub async fn approve_pending_order(
    state: web::Data<AppState>,
    user: SessionUser,
    id: web::Path<i64>,
    body: web::Json<ApproveOrder>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id, ttl) = (user.user.id, *id, ttl(&state));
    let item = action_center::get(&state.db, user_id, id, ttl).await?;
    if item.state == PendingState::Pending && !body.confirm {
        let max = state.settings.action_center.max_move_pct;
        if let (Some(reference), Some(current)) =
            (item.reference_price, current_price(&state, &item))
        {
            if let Some(pct) = move_pct(reference, current).filter(|pct| *pct > max) {
                let message = format!(
                        "The price moved {pct:.2}% since this order was queued ({reference} → {current}), more than the {max}% limit: approve again with \"confirm\": true to execute anyway"
                    );
                return Ok(HttpResponse::Conflict().json(PriceMoveWarning {
                    status: "error".into(),
                    errors: [("confirm".to_owned(), vec![message.clone()])].into(),
                    message,
                    code: "price_moved".into(),
                    reference_price: reference,
                    current_price: current,
                    move_pct: (pct * 100.0).round() / 100.0,
                    max_move_pct: max,
                }));
            }
        }
    }
    let claimed = action_center::claim(&state.db, user_id, id, ttl, &user.user.username).await?;
    let ledger = claimed.ledger;
    match execute_claimed(&state, user_id, claimed).await {
        Ok(answer) => {
            let order_id = answer
                .get("orderid")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let status = match &order_id {
                Some(order_id) => state
                    .broker
                    .order_status(user_id, ledger, order_id)
                    .await
                    .ok()
                    .map(|order| order.order_status.as_str().to_owned()),
                None => None,
            }
            .or_else(|| {
                answer
                    .get("status")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            });
            action_center::record_success(&state.db, id, order_id, status, &answer).await?;
        }
        Err(error) => {
            let (message, body) = describe_error(&error);
            action_center::record_failure(&state.db, id, &message, body.as_ref()).await?;
            if error.status_code() == StatusCode::FORBIDDEN {
                return Err(error);
            }
        }
    }
    Ok(HttpResponse::Ok().json(action_center::get(&state.db, user_id, id, ttl).await?))
}

/// Runs a claimed item under its key as it is now (see [`approve_pending_order`]).
async fn execute_claimed(
    state: &AppState,
    user_id: i64,
    claimed: Claimed,
) -> Result<serde_json::Value, ApiError> {
    let op = TradeOp::from_str(&claimed.op)
        .map_err(|_| ApiError::bad_request(format!("Unknown operation {}", claimed.op)))?;
    let scopes = action_center::scopes_for_approval(&state.db, user_id, claimed.key_id).await?;
    let exposure = trading::exposure_for(scopes);
    trading::execute(state, user_id, claimed.ledger, op, claimed.body, exposure).await
}

/// Rejects a pending item with a reason; it is never executed.
#[utoipa::path(
    post,
    path = "/api/action-center/{id}/reject",
    tag = "action-center",
    request_body = RejectOrder,
    params(
        ("id" = i64, Path, description = "pending order id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the rejected item", body = PendingOrder),
        (status = 400, description = "missing or too long reason", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such item of this user", body = ErrorBody),
        (status = 409, description = "already decided or expired", body = ErrorBody),
    )
)]
pub async fn reject_pending_order(
    state: web::Data<AppState>,
    user: SessionUser,
    id: web::Path<i64>,
    body: web::Json<RejectOrder>,
) -> Result<HttpResponse, ApiError> {
    let item = action_center::reject(
        &state.db,
        user.user.id,
        *id,
        ttl(&state),
        &body.reason,
        &user.user.username,
    )
    .await?;
    Ok(HttpResponse::Ok().json(item))
}

/// Wires `/api/action-center/*`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/action-center")
            .service(web::resource("").route(web::get().to(list_pending_orders)))
            .service(web::resource("/{id}/approve").route(web::post().to(approve_pending_order)))
            .service(web::resource("/{id}/reject").route(web::post().to(reject_pending_order))),
    );
}
