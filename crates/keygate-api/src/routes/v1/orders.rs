//! Order-changing endpoints (§5.2–§5.7): place, smart, modify, cancel, cancel all, close.
//!
//! Thin adapters over the trading service ([`keygate_core::trading::Trading`]): the extractor
//! verified the key, counted the call and checked the permission (`read` keys get 403 here);
//! the body is validated into a typed [`TradeRequest`], the service queues a `semi_auto` key's
//! call or executes an `auto` key's on the user's ledger (an `exit_only` key's place, smart or
//! modify reduce-only: 403 for what would not only reduce a position), and the answer is shaped
//! from its outcome ([`openalgo::trade`]). placeorder and placesmartorder name the order they
//! place by the request's `X-Request-Id` ([`ClientRequestId`]): the same id again answers the
//! order already placed at an exchange instead of placing a second one.

use actix_web::{web, HttpResponse};
use keygate_broker::{Ledger, RequestId};
use keygate_core::keys::Permission;
use keygate_core::trading::{Caller, TradeRequest};
use keygate_types::ErrorBody;

use super::v1_body;
use crate::auth::ApiCall;
use crate::error::ApiError;
use crate::openalgo::{self, requests, schema::Invalid};
use crate::rate_limit::RateCategory;
use crate::request_id::ClientRequestId;
use crate::state::AppState;

v1_body!(
    /// placeorder / placesmartorder / modifyorder: needs `trade`, or `exit_only` for orders that
    /// only reduce a position.
    OpenBody, Permission::Exit, RateCategory::Orders
);
v1_body!(
    /// cancelorder: `trade` or `exit_only`.
    CancelBody, Permission::Exit, RateCategory::Orders
);
v1_body!(
    /// cancelallorder / closeposition: `trade` or `exit_only`. Counted as order calls: one
    /// before the call, and one more for each further order it cancelled or placed (charged
    /// after the fact, so an exit is never cut short by the limit).
    ExitBody, Permission::Exit, RateCategory::Orders
);

/// Submits the request to the trading service; returns the answer and how many orders it
/// placed, cancelled or queued.
async fn run(
    state: &AppState,
    caller: &Caller,
    request: TradeRequest,
) -> Result<(serde_json::Value, usize), ApiError> {
    let outcome = state.trading.submit(caller, request, None).await?;
    openalgo::trade::answer(outcome)
}

/// Validates the body with `parse` on the caller's ledger, then submits it (the order it places
/// named by the request's `X-Request-Id`, when it sent one).
async fn order_call<T>(
    state: &AppState,
    call: ApiCall<OpenBody>,
    request_id: Option<&RequestId>,
    parse: fn(serde_json::Map<String, serde_json::Value>) -> Result<T, Invalid>,
    with_mode: bool,
    wrap: fn(T) -> TradeRequest,
) -> Result<HttpResponse, ApiError> {
    let caller = state.trading.caller(&call.identity).await?;
    let caller = caller.with_request_id(request_id);
    let request = parse(call.body.0).map_err(|i| invalid(i, caller.ledger, with_mode))?;
    let (answer, _) = run(state, &caller, wrap(request)).await?;
    Ok(openalgo::ok(answer))
}

fn invalid(inv: Invalid, ledger: Ledger, with_mode: bool) -> ApiError {
    openalgo::invalid(inv, with_mode && ledger == Ledger::Analyze)
}

/// Places an order.
///
/// An `exit_only` key may only place an order that reduces an existing net position of the same
/// symbol, exchange and product (opposite side, at most its size, counting working orders on that
/// side); anything else is 403.
#[utoipa::path(
    post, path = "/api/v1/placeorder", tag = "orders",
    request_body(content = crate::openalgo::describe::PlaceOrderBody, description = "strategy, exchange, symbol, action (BUY/SELL), pricetype (MARKET), product (MIS), quantity, price (0), trigger_price (0), disclosed_quantity (0); numbers may be numeric strings",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "strategy": "Python", "symbol": "NHPC", "action": "BUY", "exchange": "NSE", "pricetype": "MARKET", "product": "MIS", "quantity": "1"})),
    params(("X-Request-Id" = Option<String>, Header, description = "optional idempotency id (1-36 of A-Z a-z 0-9 . : / _ -; else 400): the same id again from the same key answers the order already placed at an exchange instead of placing another")),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "placed (`mode` only in analyzer mode), or queued for a semi_auto key", body = crate::openalgo::answers::V1Success,
            example = json!({"orderid": "26112212345678", "status": "success"})),
        (status = 400, description = "validation failed, unknown symbol or a trading rule broken", body = ErrorBody,
            example = json!({"status": "error", "message": "quantity: Missing data for required field.", "errors": {"quantity": ["Missing data for required field."]}})),
        (status = 403, description = "invalid key, read-only key, or an exit_only key opening a position", body = ErrorBody),
        (status = 429, description = "rate limit (orders)", body = ErrorBody),
    )
)]
pub async fn place_order(
    state: web::Data<AppState>,
    call: ApiCall<OpenBody>,
    request_id: ClientRequestId,
) -> Result<HttpResponse, ApiError> {
    order_call(
        &state,
        call,
        request_id.get(),
        requests::place_order,
        false,
        TradeRequest::Place,
    )
    .await
}

/// Brings the net position of (symbol, exchange, product) to `position_size` with at most one
/// order. For an `exit_only` key, that order must reduce the position (a target between 0 and
/// the current position).
#[utoipa::path(
    post, path = "/api/v1/placesmartorder", tag = "orders",
    request_body(content = crate::openalgo::describe::PlaceSmartOrderBody, description = "placeorder's fields (quantity may be 0) plus position_size, the target net position",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "strategy": "Python", "symbol": "TATASTEEL", "action": "SELL", "exchange": "NSE", "pricetype": "MARKET", "product": "MIS", "quantity": "1", "position_size": "5"})),
    params(("X-Request-Id" = Option<String>, Header, description = "optional idempotency id (1-36 of A-Z a-z 0-9 . : / _ -; else 400): the same id again from the same key answers the order already placed at an exchange instead of placing another")),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "placed, nothing to do, or queued", body = crate::openalgo::answers::V1Success,
            example = json!({"message": "Positions Already Matched. No Action needed.", "status": "success"})),
        (status = 400, description = "validation failed or a trading rule broken", body = ErrorBody),
        (status = 403, description = "invalid key, read-only key, or an exit_only key that would open or add", body = ErrorBody),
        (status = 429, description = "rate limit (orders)", body = ErrorBody),
    )
)]
pub async fn place_smart_order(
    state: web::Data<AppState>,
    call: ApiCall<OpenBody>,
    request_id: ClientRequestId,
) -> Result<HttpResponse, ApiError> {
    order_call(
        &state,
        call,
        request_id.get(),
        requests::smart_order,
        true,
        TradeRequest::Smart,
    )
    .await
}

/// Changes the price type, quantity, price and trigger price of a working order: a LIMIT changed
/// to MARKET fills at once at the market; a change to SL or SL-M waits for its trigger. Funds are
/// re-checked for the changed order (400 when it no longer fits, the order kept as it was), and
/// for an `exit_only` key the changed order must still only reduce the position.
#[utoipa::path(
    post, path = "/api/v1/modifyorder", tag = "orders",
    request_body(content = crate::openalgo::describe::ModifyOrderBody, description = "every field required: orderid, strategy, exchange, symbol, action, pricetype, product, quantity, price, trigger_price, disclosed_quantity",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "orderid": "26112212345678", "strategy": "Python", "symbol": "NHPC", "action": "BUY", "exchange": "NSE", "pricetype": "LIMIT", "product": "MIS", "quantity": "1", "price": "80.5", "disclosed_quantity": "0", "trigger_price": "0"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "modified, or queued", body = crate::openalgo::answers::V1Success,
            example = json!({"orderid": "26112212345678", "status": "success"})),
        (status = 400, description = "validation failed, or the order is no longer working", body = ErrorBody),
        (status = 403, description = "invalid key, read-only key, or an exit_only key adding exposure", body = ErrorBody),
        (status = 404, description = "no such order", body = ErrorBody),
        (status = 429, description = "rate limit (orders)", body = ErrorBody),
    )
)]
pub async fn modify_order(
    state: web::Data<AppState>,
    call: ApiCall<OpenBody>,
) -> Result<HttpResponse, ApiError> {
    order_call(
        &state,
        call,
        None,
        requests::modify_order,
        true,
        TradeRequest::Modify,
    )
    .await
}

/// Cancels a working order.
#[utoipa::path(
    post, path = "/api/v1/cancelorder", tag = "orders",
    request_body(content = crate::openalgo::describe::OrderRefBody, description = "orderid and strategy (both required strings)",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "orderid": "26112212345678", "strategy": "Python"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "cancelled, or queued", body = crate::openalgo::answers::V1Success,
            example = json!({"orderid": "26112212345678", "status": "success"})),
        (status = 400, description = "validation failed, empty id, or the order is no longer working", body = ErrorBody),
        (status = 403, description = "invalid or read-only key", body = ErrorBody),
        (status = 404, description = "no such order", body = ErrorBody,
            example = json!({"status": "error", "message": "Order 26112212345678 not found"})),
        (status = 429, description = "rate limit (orders)", body = ErrorBody),
    )
)]
pub async fn cancel_order(
    state: web::Data<AppState>,
    call: ApiCall<CancelBody>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.trading.caller(&call.identity).await?;
    let r = requests::order_ref(call.body.0).map_err(|i| invalid(i, caller.ledger, true))?;
    let (answer, _) = run(&state, &caller, TradeRequest::Cancel(r)).await?;
    Ok(openalgo::ok(answer))
}

/// Cancels every working order of the account (not only this strategy's).
#[utoipa::path(
    post, path = "/api/v1/cancelallorder", tag = "orders",
    request_body(content = crate::openalgo::describe::StrategyBody, description = "strategy (required)",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "strategy": "Python"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "what was cancelled, or queued", body = crate::openalgo::answers::V1Success,
            example = json!({"canceled_orders": ["26112212345678"], "failed_cancellations": [], "message": "Canceled 1 orders. Failed to cancel 0 orders.", "status": "success"})),
        (status = 400, description = "validation failed", body = ErrorBody),
        (status = 403, description = "invalid or read-only key", body = ErrorBody),
        (status = 429, description = "rate limit (orders)", body = ErrorBody),
    )
)]
pub async fn cancel_all_orders(
    state: web::Data<AppState>,
    call: ApiCall<ExitBody>,
) -> Result<HttpResponse, ApiError> {
    strategy_call(&state, call, TradeRequest::CancelAll).await
}

/// Squares off every open position with MARKET orders in the same product.
#[utoipa::path(
    post, path = "/api/v1/closeposition", tag = "orders",
    request_body(content = crate::openalgo::describe::StrategyBody, description = "strategy (required)",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "strategy": "Python"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "closed, or queued", body = crate::openalgo::answers::V1Success,
            example = json!({"message": "All Open Positions Squared Off", "status": "success"})),
        (status = 400, description = "validation failed", body = ErrorBody),
        (status = 403, description = "invalid or read-only key", body = ErrorBody),
        (status = 429, description = "rate limit (orders)", body = ErrorBody),
    )
)]
pub async fn close_position(
    state: web::Data<AppState>,
    call: ApiCall<ExitBody>,
) -> Result<HttpResponse, ApiError> {
    strategy_call(&state, call, TradeRequest::Close).await
}

async fn strategy_call(
    state: &AppState,
    call: ApiCall<ExitBody>,
    wrap: fn(requests::StrategyOnly) -> TradeRequest,
) -> Result<HttpResponse, ApiError> {
    let caller = state.trading.caller(&call.identity).await?;
    let r = requests::strategy_only(call.body.0).map_err(|i| invalid(i, caller.ledger, true))?;
    let (answer, orders) = run(state, &caller, wrap(r)).await?;
    state
        .rate_limits
        .charge_key(
            RateCategory::Orders,
            caller.key_id,
            orders.saturating_sub(1),
        )
        .await;
    Ok(openalgo::ok(answer))
}
