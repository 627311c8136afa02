//! The `exit_only` scope: such a key may cancel orders and close positions, and place, smart-order
//! or modify only what reduces an existing net position — never open, add to or reverse one.

use keygate_broker::engine::smart::{smart_order, SmartDecision};
use keygate_broker::num::round_qty;
use keygate_broker::{Ledger, OrderRequest, Product};
use keygate_core::keys::{Permission, Scopes};
use serde_json::Value;

use super::{parse, TradeOp};
use crate::error::ApiError;
use crate::openalgo::broker_error;
use crate::openalgo::requests::{ModifyOrder, SmartOrder};
use crate::state::AppState;

/// The `exit_only` rule: an order may only reduce an existing net position of (symbol, exchange,
/// product), never open, add to or reverse one. It must be on the opposite side of the position
/// and, together with the working orders already on that side (except `replacing`, the order a
/// modify changes), at most the position's size. For CNC the long side also counts the holdings.
pub async fn check_reduce_only(
    state: &AppState,
    user_id: i64,
    ledger: Ledger,
    order: &OrderRequest,
    replacing: Option<&str>,
) -> Result<(), ApiError> {
    let fail = |e| broker_error(e, ledger);
    let positions = state
        .broker
        .positions(user_id, ledger)
        .await
        .map_err(fail)?;
    let same = |s: &str, e, p| s == order.symbol && e == order.exchange && p == order.product;
    let mut net = positions
        .iter()
        .find(|p| same(&p.symbol, p.exchange, p.product))
        .map_or(0.0, |p| p.quantity);
    if order.product == Product::Cnc && net >= 0.0 {
        let held = state.broker.holdings(user_id, ledger).await.map_err(fail)?;
        let h = held
            .iter()
            .find(|h| h.symbol == order.symbol && h.exchange == order.exchange)
            .map_or(0.0, |h| h.quantity);
        net = net.max(h);
    }
    let working: f64 = state
        .broker
        .order_book(user_id, ledger)
        .await
        .map_err(fail)?
        .iter()
        .filter(|o| o.order_status.is_working() && Some(o.orderid.as_str()) != replacing)
        .filter(|o| same(&o.symbol, o.exchange, o.product) && o.action == order.action)
        .map(|o| o.quantity)
        .sum();
    let reduces = net != 0.0 && order.action.sign() * net < 0.0;
    if reduces && round_qty(order.quantity + working) <= round_qty(net.abs()) {
        return Ok(());
    }
    let pending = if working > 0.0 {
        format!(" with {working} already working on that side")
    } else {
        String::new()
    };
    Err(ApiError::forbidden(format!(
        "This API key is exit_only: it may only reduce an existing position, never open, add to or reverse one \
         ({} {} {} {} {} against a net position of {net}{pending})",
        order.action, order.quantity, order.symbol, order.exchange, order.product
    )))
}

/// The `exit_only` rule for a smart order: the order it would place must reduce the position.
pub async fn check_smart_reduce_only(
    state: &AppState,
    user_id: i64,
    ledger: Ledger,
    smart: &SmartOrder,
) -> Result<(), ApiError> {
    let o = &smart.order;
    let positions = state
        .broker
        .positions(user_id, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    let current = positions
        .iter()
        .find(|p| p.symbol == o.symbol && p.exchange == o.exchange && p.product == o.product)
        .map_or(0.0, |p| p.quantity);
    match smart_order(smart.position_size, current, o.action, o.quantity) {
        SmartDecision::Place { action, quantity } => {
            let order = OrderRequest {
                action,
                quantity,
                ..o.clone()
            };
            check_reduce_only(state, user_id, ledger, &order, None).await
        }
        SmartDecision::AlreadyMatched | SmartDecision::NothingToDo => Ok(()),
    }
}

/// The `exit_only` rule for a modify: the order as changed (its own side, symbol, exchange and
/// product, the new quantity) must still only reduce the position.
pub async fn check_modify_reduce_only(
    state: &AppState,
    user_id: i64,
    ledger: Ledger,
    modify: &ModifyOrder,
) -> Result<(), ApiError> {
    let existing = state
        .broker
        .order_status(user_id, ledger, &modify.orderid)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    let changed = OrderRequest {
        quantity: modify.order.quantity,
        symbol: existing.symbol,
        exchange: existing.exchange,
        product: existing.product,
        action: existing.action,
        ..modify.order.clone()
    };
    check_reduce_only(state, user_id, ledger, &changed, Some(&modify.orderid)).await
}

/// Applies the `exit_only` rule to a stored call (`body` as [`execute`] takes it) for a key with
/// `scopes`: a no-op for `trade` keys and for cancel / cancel-all / close. Action Center approval
/// can call this to re-check a queued exit against the position at approval time.
pub async fn check_exit_only(
    state: &AppState,
    scopes: Scopes,
    user_id: i64,
    ledger: Ledger,
    op: TradeOp,
    body: &Value,
) -> Result<(), ApiError> {
    if scopes.allows(Permission::Open) {
        return Ok(());
    }
    match op {
        TradeOp::PlaceOrder => {
            let order: OrderRequest = parse(op, body.clone())?;
            check_reduce_only(state, user_id, ledger, &order, None).await
        }
        TradeOp::PlaceSmartOrder => {
            let smart: SmartOrder = parse(op, body.clone())?;
            check_smart_reduce_only(state, user_id, ledger, &smart).await
        }
        TradeOp::ModifyOrder => {
            let modify: ModifyOrder = parse(op, body.clone())?;
            check_modify_reduce_only(state, user_id, ledger, &modify).await
        }
        TradeOp::CancelOrder | TradeOp::CancelAllOrder | TradeOp::ClosePosition => Ok(()),
    }
}
