//! The ChartInk webhook: a scan's stocks become one order each, with the settings of the webhook
//! token in the path, under the token's key (state, IP allowlist, scopes, order mode, rate limit).

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use keygate_core::action_center::{dedup, webhook_tokens};
use keygate_core::entities::webhook_token;
use keygate_core::keys::{Identity, Permission, Refusal, Scopes};
use keygate_types::ErrorBody;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::alerts::{duplicate, first_delivery, order_from_fields, submit};
use crate::auth::api_key::refused;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::openalgo::trade::describe_error;
use crate::rate_limit::RateCategory;
use crate::state::AppState;
use crate::traffic_log::{Caller, ErrorClass};

/// Most stocks one alert may name.
pub const MAX_STOCKS: usize = 50;
/// The answer to an unknown, rotated or revoked token (or one whose key is revoked).
pub const INVALID_TOKEN: &str = "Invalid webhook token";

/// ChartInk's alert payload. Only `stocks` is needed; the rest is kept for idempotency.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChartinkAlert {
    /// Comma-separated symbols: `SBIN,RELIANCE`.
    pub stocks: Option<String>,
    /// Comma-separated prices at the trigger, in the order of `stocks`.
    pub trigger_prices: Option<String>,
    /// When the scan fired, e.g. `2:34 pm`.
    pub triggered_at: Option<String>,
    /// The scan's name.
    pub scan_name: Option<String>,
    /// The scan's URL slug.
    pub scan_url: Option<String>,
    /// The alert's name.
    pub alert_name: Option<String>,
    /// The URL ChartInk called.
    pub webhook_url: Option<String>,
}

/// The identity of the token's key, checked by the same verifier as an `/api/v1` key
/// ([`keygate_core::keys::KeyVerifier::verify_key_id`]: revoked, expiry, IP allowlist, cached and
/// invalidated with the key) and refused alike ([`crate::auth::api_key::refused`]); unknown
/// tokens and revoked keys answer the same 403. The caller is noted for the traffic log once
/// the token names a live key.
async fn identity(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
) -> Result<(Identity, webhook_token::Model), ApiError> {
    let ip = ClientIp::of(req).0;
    if state.security.is_banned(ip) {
        req.extensions_mut().insert(ErrorClass("banned"));
        return Err(ApiError::forbidden(crate::auth::api_key::BANNED));
    }
    let Some(row) = webhook_tokens::resolve(&state.db, token).await? else {
        return Err(refused(req, state, Refusal::Invalid, INVALID_TOKEN));
    };
    let verified = state.verifier.verify_key_id(row.key_id, ip).await;
    if matches!(
        verified,
        Ok(_) | Err(Refusal::Expired | Refusal::IpNotAllowed)
    ) {
        req.extensions_mut().insert(Caller {
            user_id: row.user_id,
            key_id: Some(row.key_id),
        });
    }
    match verified {
        Ok(identity) => Ok((identity, row)),
        Err(refusal) => Err(refused(req, state, refusal, INVALID_TOKEN)),
    }
}

/// Places (or, for a `semi_auto` key, queues) one order per stock of a ChartInk alert, with the
/// action, exchange, product, price type and quantity of the webhook token. The answer lists each
/// stock's outcome.
#[utoipa::path(
    post,
    path = "/api/webhook/chartink/{token}",
    tag = "webhooks",
    params(("token" = String, Path, description = "the key's ChartInk webhook token (`ck_...`), created under /api/chartink/tokens")),
    request_body(content = ChartinkAlert, description = "ChartInk's alert payload",
        example = json!({"stocks": "SBIN,RELIANCE", "trigger_prices": "812.5,2450.1", "triggered_at": "2:34 pm", "scan_name": "Breakout", "scan_url": "breakout", "alert_name": "Breakout alert", "webhook_url": "https://keygate.example/api/webhook/chartink/ck_..."})),
    responses(
        (status = 200, description = "each stock's outcome, or a duplicate ignored",
            example = json!({"status": "success", "results": [{"symbol": "SBIN", "status": "success", "orderid": "26112212345678"}]})),
        (status = 400, description = "malformed JSON, or no stocks", body = ErrorBody),
        (status = 403, description = "invalid token, revoked or expired key, IP not allowed, or no trade scope", body = ErrorBody),
        (status = 429, description = "rate limit (webhook per IP, orders per key)", body = ErrorBody),
    )
)]
pub async fn chartink_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (identity, settings) = identity(&req, &state, &token).await?;
    state
        .rate_limits
        .check_key(&req, RateCategory::Orders, identity.key_id)
        .await?;
    if !identity.scopes.allows(Permission::Exit) {
        return Err(ApiError::forbidden(format!(
            "This API key may not do this: it needs the {} scope",
            Scopes::needed_for(Permission::Exit)
        )));
    }
    let payload: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON: {e}")))?;
    let alert: ChartinkAlert = serde_json::from_value(payload.clone())
        .map_err(|e| ApiError::bad_request(format!("Invalid ChartInk alert: {e}")))?;
    let stocks: Vec<String> = alert
        .stocks
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if stocks.is_empty() {
        return Err(
            keygate_core::CoreError::field("stocks", "Missing data for required field.").into(),
        );
    }
    if stocks.len() > MAX_STOCKS {
        return Err(keygate_core::CoreError::field(
            "stocks",
            format!("At most {MAX_STOCKS} stocks per alert."),
        )
        .into());
    }
    let prices: Vec<Option<f64>> = alert
        .trigger_prices
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p > 0.0)
        })
        .collect();
    let digest = dedup::alert_digest(identity.key_id, "chartink", &payload);
    if !first_delivery(&state, &digest).await? {
        return Ok(duplicate());
    }
    webhook_tokens::touch(&state.db, settings.id).await?;
    let mut results = Vec::with_capacity(stocks.len());
    let mut any_ok = false;
    for (i, symbol) in stocks.iter().enumerate() {
        // One orders call per stock: the first was counted before the payload was read; a
        // stock past the key's budget gets the limit's message as its outcome.
        if i > 0 {
            if let Err(limited) = state
                .rate_limits
                .check_key(&req, RateCategory::Orders, identity.key_id)
                .await
            {
                results.push(
                    json!({"status": "error", "message": limited.to_string(), "symbol": symbol}),
                );
                continue;
            }
        }
        let trigger = prices.get(i).copied().flatten();
        let mut fields = Map::new();
        fields.insert("strategy".into(), json!(settings.strategy));
        fields.insert("symbol".into(), json!(symbol));
        fields.insert("action".into(), json!(settings.action));
        fields.insert("exchange".into(), json!(settings.exchange));
        fields.insert("product".into(), json!(settings.product));
        fields.insert("pricetype".into(), json!(settings.pricetype));
        fields.insert("quantity".into(), json!(settings.quantity));
        if settings.pricetype == "LIMIT" {
            fields.insert("price".into(), json!(trigger.unwrap_or(0.0)));
        }
        let outcome = match order_from_fields(fields, "ChartInk") {
            Ok(order) => submit(&state, &identity, order, trigger).await,
            Err(e) => Err(e),
        };
        let mut result = match outcome {
            Ok(answer) => {
                any_ok = true;
                answer
            }
            Err(error) => {
                let (message, body) = describe_error(&error);
                body.unwrap_or_else(|| json!({"status": "error", "message": message}))
            }
        };
        result["symbol"] = json!(symbol);
        results.push(result);
    }
    if !any_ok {
        dedup::forget(&state.db, &digest).await.ok();
    }
    Ok(HttpResponse::Ok().json(json!({
        "status": if any_ok { "success" } else { "error" },
        "results": results,
    })))
}
