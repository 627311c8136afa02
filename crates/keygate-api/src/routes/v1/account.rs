//! Account views (§5.8–§5.14): order status, open position, order/trade/position books, holdings,
//! funds. Any scope may read them; they come from the user's current ledger (the analyzer's
//! sandbox while it is on, with `"mode":"analyze"`). Never queued, never blocked by order mode.

use actix_web::{web, HttpResponse};
use keygate_broker::Ledger;
use keygate_types::ErrorBody;

use super::ReadCall;
use crate::error::ApiError;
use crate::openalgo::answers::{OpenPositionAnswer, PositionBookAnswer, V1Data};
use crate::openalgo::views::{FundsView, Holdings, OrderBook, OrderRow, TradeRow};
use crate::openalgo::{self, broker_error, requests};
use crate::state::AppState;

fn no_body(call: ReadCall) -> Result<i64, ApiError> {
    requests::empty(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    Ok(call.identity.user_id)
}

/// One order's current state.
#[utoipa::path(
    post, path = "/api/v1/orderstatus", tag = "account",
    request_body(content = crate::openalgo::describe::OrderRefBody, description = "orderid and strategy",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "orderid": "26112212345678", "strategy": "Python"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the order", body = V1Data<OrderRow>,
            example = json!({"status": "success", "data": {"action": "BUY", "average_price": 18.95, "exchange": "NSE", "order_status": "complete", "orderid": "26112212345678", "price": 0.0, "pricetype": "MARKET", "product": "MIS", "quantity": 1, "symbol": "YESBANK", "timestamp": "22-Nov-2026 09:59:10", "trigger_price": 0.0}})),
        (status = 400, description = "validation failed", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
        (status = 404, description = "no such order", body = ErrorBody),
    )
)]
pub async fn order_status(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let (user, connection) = (call.identity.user_id, call.identity.broker_connection_id);
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let analyze = ledger == Ledger::Analyze;
    let r = requests::order_ref(call.body.0).map_err(|i| openalgo::invalid(i, analyze))?;
    let order = broker
        .order_status(user, ledger, &r.orderid)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    Ok(openalgo::ok(V1Data::new(
        ledger,
        OrderRow::status(&order, ledger),
    )))
}

/// The net quantity of one (symbol, exchange, product); 0 when there is none.
#[utoipa::path(
    post, path = "/api/v1/openposition", tag = "account",
    request_body(content = crate::openalgo::describe::OpenPositionBody, description = "strategy, symbol, exchange, product",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "strategy": "Python", "symbol": "YESBANK", "exchange": "NSE", "product": "MIS"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the net quantity", body = OpenPositionAnswer,
            example = json!({"quantity": -10, "status": "success"})),
        (status = 400, description = "validation failed", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn open_position(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let (user, connection) = (call.identity.user_id, call.identity.broker_connection_id);
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let r = requests::open_position(call.body.0)
        .map_err(|i| openalgo::invalid(i, ledger == Ledger::Analyze))?;
    let positions = broker
        .positions(user, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    let quantity = positions
        .iter()
        .find(|p| {
            p.symbol == r.symbol && p.exchange.as_str() == r.exchange && p.product == r.product
        })
        .map_or(0.0, |p| p.quantity);
    Ok(openalgo::ok(OpenPositionAnswer::new(ledger, quantity)))
}

/// Every order of the account, with statistics.
#[utoipa::path(
    post, path = "/api/v1/orderbook", tag = "account",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "only the key", example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "orders and statistics", body = V1Data<OrderBook>,
            example = json!({"status": "success", "data": {"orders": [{"action": "BUY", "exchange": "NSE", "order_status": "complete", "orderid": "26112212345678", "price": 0.0, "pricetype": "MARKET", "product": "MIS", "quantity": 1, "symbol": "RELIANCE", "timestamp": "22-Nov-2026 13:58:03", "trigger_price": 0.0}], "statistics": {"total_buy_orders": 1, "total_completed_orders": 1, "total_open_orders": 0, "total_rejected_orders": 0, "total_sell_orders": 0}}})),
        (status = 400, description = "unknown fields", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn order_book(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let connection = call.identity.broker_connection_id;
    let user = no_body(call)?;
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let orders = broker
        .order_book(user, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    Ok(openalgo::ok(V1Data::new(
        ledger,
        OrderBook::new(&orders, ledger),
    )))
}

/// Every fill of the account.
#[utoipa::path(
    post, path = "/api/v1/tradebook", tag = "account",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "only the key", example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "trades", body = V1Data<Vec<TradeRow>>,
            example = json!({"status": "success", "data": [{"action": "BUY", "average_price": 1180.1, "exchange": "NSE", "orderid": "26112212345678", "product": "MIS", "quantity": 1, "symbol": "RELIANCE", "timestamp": "13:58:03", "trade_value": 1180.1}]})),
        (status = 400, description = "unknown fields", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn trade_book(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let connection = call.identity.broker_connection_id;
    let user = no_body(call)?;
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let trades = broker
        .trade_book(user, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    let rows: Vec<TradeRow> = trades.iter().map(|t| TradeRow::new(t, ledger)).collect();
    Ok(openalgo::ok(V1Data::new(ledger, rows)))
}

/// Net positions at current prices (closed ones with quantity 0).
#[utoipa::path(
    post, path = "/api/v1/positionbook", tag = "account",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "only the key", example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "positions", body = PositionBookAnswer,
            example = json!({"status": "success", "data": [{"average_price": 83.74, "exchange": "NSE", "ltp": 83.72, "pnl": 0.02, "product": "MIS", "quantity": -1, "symbol": "NHPC"}]})),
        (status = 400, description = "unknown fields", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn position_book(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let connection = call.identity.broker_connection_id;
    let user = no_body(call)?;
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let positions = broker
        .positions(user, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    Ok(openalgo::ok(PositionBookAnswer::new(&positions, ledger)))
}

/// Delivery (CNC) holdings with statistics.
#[utoipa::path(
    post, path = "/api/v1/holdings", tag = "account",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "only the key", example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "holdings", body = V1Data<Holdings>,
            example = json!({"status": "success", "data": {"holdings": [{"exchange": "NSE", "pnl": -149.0, "pnlpercent": -11.1, "product": "CNC", "quantity": 1, "symbol": "RELIANCE"}], "statistics": {"totalholdingvalue": 1768.0, "totalinvvalue": 2001.0, "totalpnlpercentage": -11.65, "totalprofitandloss": -233.15}}})),
        (status = 400, description = "unknown fields", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn holdings(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let connection = call.identity.broker_connection_id;
    let user = no_body(call)?;
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let held = broker
        .holdings(user, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    Ok(openalgo::ok(V1Data::new(
        ledger,
        Holdings::new(&held, ledger),
    )))
}

/// Cash, margin use and P&L.
#[utoipa::path(
    post, path = "/api/v1/funds", tag = "account",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "only the key", example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "funds (\"%.2f\" strings live; floats plus extras in analyzer mode)", body = V1Data<FundsView>,
            example = json!({"status": "success", "data": {"availablecash": "10000000.00", "collateral": "0.00", "m2mrealized": "0.00", "m2munrealized": "0.00", "utiliseddebits": "0.00"}})),
        (status = 400, description = "unknown fields", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn funds(state: web::Data<AppState>, call: ReadCall) -> Result<HttpResponse, ApiError> {
    let connection = call.identity.broker_connection_id;
    let user = no_body(call)?;
    let (ledger, broker) = super::account_of(&state, user, connection).await?;
    let f = broker
        .funds(user, ledger)
        .await
        .map_err(|e| broker_error(e, ledger))?;
    Ok(openalgo::ok(V1Data::new(
        ledger,
        FundsView::new(&f, ledger),
    )))
}
