//! Market data (§5.15–§5.17): quotes, multiquotes, depth. Always live market data, whatever the
//! analyzer says, and never a `mode` key.

use actix_web::{web, HttpResponse};
use keygate_types::ErrorBody;
use serde_json::Map;

use super::ReadCall;
use crate::error::ApiError;
use crate::openalgo::answers::{MultiQuotesAnswer, QuoteResult, Success, V1Data};
use crate::openalgo::views::{DepthView, QuoteView};
use crate::openalgo::{self, data_error, requests};
use crate::state::AppState;

/// A quote.
#[utoipa::path(
    post, path = "/api/v1/quotes", tag = "data",
    request_body(content = crate::openalgo::describe::SymbolBody, description = "symbol and exchange",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "symbol": "RELIANCE", "exchange": "NSE"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the quote", body = V1Data<QuoteView>,
            example = json!({"status": "success", "data": {"ask": 1188.0, "bid": 1187.85, "high": 1196.6, "low": 1163.3, "ltp": 1187.75, "oi": 0, "open": 1172.0, "prev_close": 1165.7, "volume": 14414545}})),
        (status = 400, description = "validation failed or unknown symbol", body = ErrorBody,
            example = json!({"status": "error", "message": "Symbol 'X' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded."})),
        (status = 403, description = "invalid key", body = ErrorBody),
        (status = 500, description = "Failed to fetch quotes", body = ErrorBody),
    )
)]
pub async fn quotes(state: web::Data<AppState>, call: ReadCall) -> Result<HttpResponse, ApiError> {
    let id = call.identity;
    let (_, broker) = super::account_of(&state, id.user_id, id.broker_connection_id).await?;
    let r = requests::symbol_ref(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    let q = broker
        .quote(&r.symbol, r.exchange)
        .await
        .map_err(|e| data_error(e, "Failed to fetch quotes"))?;
    Ok(openalgo::ok(V1Data::market(QuoteView::from(&q))))
}

/// Quotes of several symbols; unknown ones come first, each with its `error`.
#[utoipa::path(
    post, path = "/api/v1/multiquotes", tag = "data",
    request_body(content = crate::openalgo::describe::SymbolListBody, description = "symbols: a list of at least one {symbol, exchange}",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "symbols": [{"symbol": "RELIANCE", "exchange": "NSE"}, {"symbol": "INFY", "exchange": "NSE"}]})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "one result per symbol", body = MultiQuotesAnswer,
            example = json!({"status": "success", "results": [{"symbol": "RELIANCE", "exchange": "NSE", "data": {"ask": 1188.0, "bid": 1187.85, "high": 1196.6, "low": 1163.3, "ltp": 1187.75, "oi": 0, "open": 1172.0, "prev_close": 1165.7, "volume": 14414545}}]})),
        (status = 400, description = "validation failed, or no symbol is known", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn multi_quotes(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let id = call.identity;
    let (_, broker) = super::account_of(&state, id.user_id, id.broker_connection_id).await?;
    let symbols = requests::symbol_list(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    let (mut bad, mut good) = (Vec::new(), Vec::new());
    for s in symbols {
        let (data, error) = match broker.quote(&s.symbol, s.exchange).await {
            Ok(q) => (Some(QuoteView::from(&q)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let result = QuoteResult {
            symbol: s.symbol,
            exchange: s.exchange,
            data,
            error,
        };
        if result.error.is_some() {
            bad.push(result);
        } else {
            good.push(result);
        }
    }
    if good.is_empty() {
        let first = bad
            .first()
            .and_then(|b| b.error.clone())
            .unwrap_or_else(|| "No valid symbols".to_owned());
        let mut extra = Map::new();
        extra.insert(
            "invalid_symbols".into(),
            serde_json::to_value(&bad).map_err(ApiError::internal)?,
        );
        return Err(openalgo::error(
            actix_web::http::StatusCode::BAD_REQUEST,
            first,
            false,
            extra,
        ));
    }
    bad.extend(good);
    Ok(openalgo::ok(MultiQuotesAnswer {
        status: Success::Success,
        results: bad,
    }))
}

/// Five levels of market depth.
#[utoipa::path(
    post, path = "/api/v1/depth", tag = "data",
    request_body(content = crate::openalgo::describe::SymbolBody, description = "symbol and exchange",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "symbol": "SBIN", "exchange": "NSE"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the depth", body = V1Data<DepthView>,
            example = json!({"status": "success", "data": {"asks": [{"price": 769.6, "quantity": 767}], "bids": [{"price": 769.4, "quantity": 886}], "high": 774.0, "low": 758.15, "ltp": 769.6, "ltq": 205, "oi": 0, "open": 760.0, "prev_close": 746.9, "totalbuyqty": 591351, "totalsellqty": 835701, "volume": 9362799}})),
        (status = 400, description = "validation failed or unknown symbol", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
        (status = 500, description = "Failed to fetch market depth", body = ErrorBody),
    )
)]
pub async fn depth(state: web::Data<AppState>, call: ReadCall) -> Result<HttpResponse, ApiError> {
    let id = call.identity;
    let (_, broker) = super::account_of(&state, id.user_id, id.broker_connection_id).await?;
    let r = requests::symbol_ref(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    let d = broker
        .depth(&r.symbol, r.exchange)
        .await
        .map_err(|e| data_error(e, "Failed to fetch market depth"))?;
    Ok(openalgo::ok(V1Data::market(DepthView::from(&d))))
}
