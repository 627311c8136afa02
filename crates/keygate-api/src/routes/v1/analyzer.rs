//! Analyzer mode (§5.18), per user: while it is on, the user's order and account calls (from any
//! of their keys) go to the sandbox ledger and answer with `"mode":"analyze"`.
//!
//! Toggling needs the `trade` scope: it decides whether the user's orders reach the live ledger,
//! so a read-only (dashboard) or exit_only key must not flip it. A `semi_auto` key is refused
//! with the contract's §8 message: switching is the client's decision, made in the UI.

use actix_web::{web, HttpResponse};
use keygate_broker::Ledger;
use keygate_core::keys::Permission;
use keygate_types::keys::OrderMode;
use keygate_types::ErrorBody;
use serde_json::json;

use super::{v1_body, ReadCall};
use crate::auth::ApiCall;
use crate::error::ApiError;
use crate::openalgo::{self, requests};
use crate::rate_limit::RateCategory;
use crate::state::AppState;

/// The §8 answer to a semi_auto key.
pub const SEMI_AUTO_TOGGLE: &str = "Operation analyzer/toggle is not allowed in Semi-Auto mode. This operation can only be performed by the client via the UI. This restriction ensures SEBI Research Analyst compliance where mode switching is a client-only decision.";

v1_body!(
    /// analyzer/toggle: needs `trade`.
    ToggleBody, Permission::Open, RateCategory::Data
);

async fn total_logs(state: &AppState, user_id: i64) -> usize {
    state
        .broker
        .order_book(user_id, Ledger::Analyze)
        .await
        .map(|o| o.len())
        .unwrap_or(0)
}

fn label(on: bool) -> &'static str {
    if on {
        "analyze"
    } else {
        "live"
    }
}

/// Whether the analyzer is on for the key's user.
#[utoipa::path(
    post, path = "/api/v1/analyzer", tag = "utilities",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "only the key", example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the analyzer's state; total_logs counts sandbox orders", body = crate::openalgo::answers::V1Success,
            example = json!({"status": "success", "data": {"analyze_mode": false, "mode": "live", "total_logs": 2}})),
        (status = 400, description = "unknown fields", body = ErrorBody),
        (status = 403, description = "invalid key", body = ErrorBody),
    )
)]
pub async fn analyzer_status(
    state: web::Data<AppState>,
    call: ReadCall,
) -> Result<HttpResponse, ApiError> {
    let user = call.identity.user_id;
    requests::empty(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    let on = state.trading.ledger_for(user).await? == Ledger::Analyze;
    let logs = total_logs(&state, user).await;
    Ok(openalgo::ok(
        json!({"status": "success", "data": {"analyze_mode": on, "mode": label(on), "total_logs": logs}}),
    ))
}

/// Turns the analyzer on or off for the key's user.
#[utoipa::path(
    post, path = "/api/v1/analyzer/toggle", tag = "utilities",
    request_body(content = crate::openalgo::describe::ToggleBody, description = "mode: a boolean (also \"true\"/\"false\", 1/0, \"yes\"/\"no\", \"on\"/\"off\")",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY, "mode": true})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the new state", body = crate::openalgo::answers::V1Success,
            example = json!({"status": "success", "data": {"analyze_mode": true, "message": "Analyzer mode switched to analyze", "mode": "analyze", "total_logs": 2}})),
        (status = 400, description = "validation failed", body = ErrorBody),
        (status = 403, description = "invalid key, a key without the trade scope, or a semi_auto key", body = ErrorBody,
            example = json!({"status": "error", "message": SEMI_AUTO_TOGGLE})),
    )
)]
pub async fn toggle_analyzer(
    state: web::Data<AppState>,
    call: ApiCall<ToggleBody>,
) -> Result<HttpResponse, ApiError> {
    let user = call.identity.user_id;
    let on = requests::toggle(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    if call.identity.order_mode == OrderMode::SemiAuto {
        return Err(ApiError::forbidden(SEMI_AUTO_TOGGLE));
    }
    state.trading.set_analyzer(user, on).await?;
    let logs = total_logs(&state, user).await;
    Ok(openalgo::ok(json!({"status": "success", "data": {
        "analyze_mode": on, "message": format!("Analyzer mode switched to {}", label(on)),
        "mode": label(on), "total_logs": logs}})))
}
