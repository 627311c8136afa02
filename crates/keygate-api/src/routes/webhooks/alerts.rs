//! The TradingView webhook, and what both webhooks share: dropping duplicates, then handing the
//! typed request to the trading service ([`keygate_core::trading::Trading::submit`]), which
//! queues it (`semi_auto`) or executes it (`auto`). A TradingView alert is checked with
//! placeorder's (or placesmartorder's) rules exactly as `/api/v1` does; a ChartInk stock's order
//! comes from its token's typed settings
//! ([`ChartinkOrder`](keygate_core::action_center::webhook_tokens::ChartinkOrder)).

use std::time::Duration;

use actix_web::{web, HttpResponse};
use keygate_core::action_center::dedup;
use keygate_core::keys::{Identity, Permission};
use keygate_core::trading::TradeRequest;
use keygate_types::ErrorBody;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::{ApiCall, ApiRequest};
use crate::error::ApiError;
use crate::openalgo;
use crate::openalgo::requests;
use crate::rate_limit::RateCategory;
use crate::state::AppState;

/// The answer to an alert already seen within the window.
pub const DUPLICATE: &str = "Duplicate alert ignored";

/// The body as received (without `apikey`).
#[derive(Deserialize)]
#[serde(transparent)]
pub struct TradingViewBody(pub Map<String, Value>);

/// Field names only: the body carries the API key.
impl std::fmt::Debug for TradingViewBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TradingViewBody")
            .field(&self.0.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ApiRequest for TradingViewBody {
    /// `trade`, or `exit_only` for alerts that only reduce a position.
    const PERMISSION: Permission = Permission::Exit;
    const CATEGORY: RateCategory = RateCategory::Orders;
}

/// Checks an alert's order fields with placeorder's (or, with `position_size`, placesmartorder's)
/// rules; `strategy` defaults to `default_strategy`.
fn order_from_fields(
    mut fields: Map<String, Value>,
    default_strategy: &str,
) -> Result<TradeRequest, ApiError> {
    if !fields.contains_key("strategy") {
        fields.insert("strategy".into(), json!(default_strategy));
    }
    let smart = fields.get("position_size").is_some_and(|v| !v.is_null());
    let order = if smart {
        requests::smart_order(fields).map(TradeRequest::Smart)
    } else {
        requests::place_order(fields).map(TradeRequest::Place)
    };
    order.map_err(|invalid| openalgo::invalid(invalid, false))
}

/// Records the alert's digest; false when it is a duplicate within the window.
pub(super) async fn first_delivery(state: &AppState, digest: &str) -> Result<bool, ApiError> {
    let window = Duration::from_secs(state.settings.action_center.webhook_dedup_secs);
    Ok(dedup::first_delivery(&state.db, digest, window).await?)
}

/// The 200 answer to a duplicate.
pub(super) fn duplicate() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "success", "message": DUPLICATE, "duplicate": true}))
}

/// Queues (`semi_auto`) or executes (`auto`) one alert's order, as `/api/v1/placeorder` would:
/// an `exit_only` key may only reduce a position; a queued order records the alert's trigger
/// price, or else the broker's price, for the price-move check.
pub(super) async fn submit(
    state: &AppState,
    identity: &Identity,
    request: TradeRequest,
    trigger_price: Option<f64>,
) -> Result<Value, ApiError> {
    let caller = state.trading.caller(identity).await?;
    let outcome = state
        .trading
        .submit(&caller, request, trigger_price)
        .await?;
    Ok(openalgo::trade::answer(outcome)?.0)
}

/// Turns a TradingView alert into an order under the key's scopes and order mode: `trade`, or
/// `exit_only` for an alert that only reduces a position; a `semi_auto` key's alert is queued in
/// the Action Center. The same alert again within the dedup window is ignored.
#[utoipa::path(
    post,
    path = "/api/webhook/tradingview",
    tag = "webhooks",
    request_body(content = crate::openalgo::describe::TradingViewAlertBody, description = "OpenAlgo's TradingView alert JSON: placeorder's fields, or placesmartorder's with `position_size` (`strategy` defaults to `TradingView`)",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "strategy": "TV", "symbol": "SBIN", "action": "BUY", "exchange": "NSE", "pricetype": "MARKET", "product": "MIS", "quantity": "1"})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "placed (placeorder's answer), queued (`pending_order_id`), or a duplicate ignored", body = crate::openalgo::answers::V1Success,
            example = json!({"status": "success", "message": "Duplicate alert ignored", "duplicate": true})),
        (status = 400, description = "malformed JSON, invalid or unknown fields, unknown symbol, or a trading rule broken", body = ErrorBody),
        (status = 401, description = "`Authorization: Bearer` is not supported", body = ErrorBody),
        (status = 403, description = "invalid key, a read-only key, or an exit_only key opening a position", body = ErrorBody),
        (status = 429, description = "rate limit (webhook per IP, orders per key)", body = ErrorBody),
    )
)]
pub async fn tradingview_webhook(
    state: web::Data<AppState>,
    call: ApiCall<TradingViewBody>,
) -> Result<HttpResponse, ApiError> {
    let fields = call.body.0;
    let digest = dedup::alert_digest(
        call.identity.key_id,
        "tradingview",
        &Value::Object(fields.clone()),
    );
    let order = order_from_fields(fields, "TradingView")?;
    if !first_delivery(&state, &digest).await? {
        return Ok(duplicate());
    }
    match submit(&state, &call.identity, order, None).await {
        Ok(answer) => Ok(HttpResponse::Ok().json(answer)),
        Err(error) => {
            // A failed alert may be corrected and resent at once.
            dedup::forget(&state.db, &digest).await.ok();
            Err(error)
        }
    }
}
