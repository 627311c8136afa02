//! The one place an order-changing call is executed against the broker: the v1 handlers (auto
//! mode), Action Center approvals and webhooks all call [`execute`] with an already validated
//! request, and get back the exact success JSON the endpoint answers.
//!
//! Also here: which ledger a user's calls go to ([`ledger_for`], cached per user), and (in
//! `exit_only.rs`) how a key's scopes become the broker's [`Exposure`] ([`exposure_for`]) and the
//! early `exit_only` refusal of a call about to be queued ([`check_exit_only`]).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use keygate_broker::{
    CancelAllOutcome, Exposure, Ledger, ModifyRequest, OrderRequest, SmartOrderOutcome,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use keygate_core::action_center::{self, QueueRequest};
use keygate_core::keys::Identity;
use keygate_types::keys::OrderMode;

use crate::error::ApiError;
use crate::openalgo::requests::{ModifyOrder, OrderRef, SmartOrder, StrategyOnly};
use crate::openalgo::{broker_error, error, success};
use crate::state::AppState;

mod exit_only;
pub use exit_only::{check_exit_only, exposure_for};

/// An order-changing call, named as its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradeOp {
    /// `placeorder`.
    PlaceOrder,
    /// `placesmartorder`.
    PlaceSmartOrder,
    /// `modifyorder`.
    ModifyOrder,
    /// `cancelorder`.
    CancelOrder,
    /// `cancelallorder`.
    CancelAllOrder,
    /// `closeposition`.
    ClosePosition,
}

impl TradeOp {
    /// Every operation.
    pub const ALL: [TradeOp; 6] = [
        TradeOp::PlaceOrder,
        TradeOp::PlaceSmartOrder,
        TradeOp::ModifyOrder,
        TradeOp::CancelOrder,
        TradeOp::CancelAllOrder,
        TradeOp::ClosePosition,
    ];

    /// The endpoint name.
    pub fn as_str(self) -> &'static str {
        match self {
            TradeOp::PlaceOrder => "placeorder",
            TradeOp::PlaceSmartOrder => "placesmartorder",
            TradeOp::ModifyOrder => "modifyorder",
            TradeOp::CancelOrder => "cancelorder",
            TradeOp::CancelAllOrder => "cancelallorder",
            TradeOp::ClosePosition => "closeposition",
        }
    }
}

impl fmt::Display for TradeOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an order operation")]
pub struct UnknownOp(pub String);

impl FromStr for TradeOp {
    type Err = UnknownOp;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TradeOp::ALL
            .into_iter()
            .find(|op| op.as_str() == s)
            .ok_or_else(|| UnknownOp(s.to_owned()))
    }
}

pub(crate) fn parse<T: DeserializeOwned>(op: TradeOp, body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(format!("Not a valid {op} request: {e}")))
}

/// The broker's change request for a validated modify.
pub(crate) fn modify_request(m: &ModifyOrder) -> ModifyRequest {
    ModifyRequest {
        orderid: m.orderid.clone(),
        pricetype: m.order.pricetype,
        quantity: m.order.quantity,
        price: m.order.price,
        trigger_price: m.order.trigger_price,
        disclosed_quantity: m.order.disclosed_quantity,
    }
}

/// Executes `op` for `user_id` on `ledger`. `body` is the validated request (without `apikey`)
/// as the v1 handlers serialise it; `exposure` is what the key's scopes allow now
/// ([`exposure_for`]), enforced by the broker under the account's lock. Returns the endpoint's
/// success body (with `"mode":"analyze"` on the sandbox ledger); broker failures become the
/// contract's error answers (a reduce-only refusal is 403).
pub async fn execute(
    state: &AppState,
    user_id: i64,
    ledger: Ledger,
    op: TradeOp,
    body: Value,
    exposure: Exposure,
) -> Result<Value, ApiError> {
    Ok(execute_counted(state, user_id, ledger, op, body, exposure)
        .await?
        .body)
}

/// What an executed or queued call answers, and how many orders it placed or cancelled (one for
/// a single-order call or a queued item; each cancelled or closing order for cancel-all and
/// close-position), which is what the per-key orders limit counts.
#[derive(Debug)]
pub struct Submitted {
    /// The endpoint's success body.
    pub body: Value,
    /// Orders placed, cancelled or queued.
    pub orders: usize,
}

async fn execute_counted(
    state: &AppState,
    user_id: i64,
    ledger: Ledger,
    op: TradeOp,
    body: Value,
    exposure: Exposure,
) -> Result<Submitted, ApiError> {
    let mut orders = 1;
    let broker = &state.broker;
    let fail = |e| broker_error(e, ledger);
    let analyze = ledger == Ledger::Analyze;
    let fields = match op {
        TradeOp::PlaceOrder => {
            let order: OrderRequest = parse(op, body)?;
            let placed = broker
                .place_order(user_id, ledger, order, exposure)
                .await
                .map_err(fail)?;
            json!({ "orderid": placed.orderid })
        }
        TradeOp::PlaceSmartOrder => {
            let smart: SmartOrder = parse(op, body)?;
            let outcome = broker
                .place_smart_order(user_id, ledger, smart.order, smart.position_size, exposure)
                .await
                .map_err(fail)?;
            match outcome {
                SmartOrderOutcome::Placed(o) => json!({ "orderid": o.orderid }),
                SmartOrderOutcome::NothingToDo if analyze => {
                    json!({ "message": "No OpenPosition Found. Not placing Exit order." })
                }
                _ => json!({ "message": "Positions Already Matched. No Action needed." }),
            }
        }
        TradeOp::ModifyOrder => {
            let m: ModifyOrder = parse(op, body)?;
            let o = broker
                .modify_order(user_id, ledger, modify_request(&m), exposure)
                .await
                .map_err(fail)?;
            if analyze {
                json!({ "orderid": o.orderid, "message": "Order modified successfully" })
            } else {
                json!({ "orderid": o.orderid })
            }
        }
        TradeOp::CancelOrder => {
            let r: OrderRef = parse(op, body)?;
            if r.orderid.trim().is_empty() {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "Order ID is missing",
                    analyze,
                    Map::new(),
                ));
            }
            let o = broker
                .cancel_order(user_id, ledger, &r.orderid)
                .await
                .map_err(fail)?;
            if analyze {
                json!({ "orderid": o.orderid, "message": "Order cancelled successfully" })
            } else {
                json!({ "orderid": o.orderid })
            }
        }
        TradeOp::CancelAllOrder => {
            let _: StrategyOnly = parse(op, body)?;
            let outcome = broker.cancel_all(user_id, ledger).await.map_err(fail)?;
            orders = outcome.canceled_orders.len() + outcome.failed_cancellations.len();
            cancel_all_body(&outcome, analyze)
        }
        TradeOp::ClosePosition => {
            let _: StrategyOnly = parse(op, body)?;
            let outcome = broker
                .close_all_positions(user_id, ledger)
                .await
                .map_err(fail)?;
            let (closed, failed) = (outcome.closed_positions(), outcome.failed.len());
            orders = closed + failed;
            if !analyze {
                json!({ "message": "All Open Positions Squared Off" })
            } else if closed == 0 && failed == 0 {
                json!({ "message": "No open positions to close" })
            } else {
                json!({ "closed_positions": closed, "failed_closures": failed,
                        "message": format!("Closed {closed} positions") })
            }
        }
    };
    Ok(Submitted {
        body: success(ledger, fields),
        orders,
    })
}

fn cancel_all_body(outcome: &CancelAllOutcome, analyze: bool) -> Value {
    let (ok, failed) = (
        outcome.canceled_orders.len(),
        outcome.failed_cancellations.len(),
    );
    let failures: Value = if analyze {
        json!(outcome.failed_cancellations)
    } else {
        json!(outcome
            .failed_cancellations
            .iter()
            .map(|f| f.orderid.clone())
            .collect::<Vec<_>>())
    };
    let message = if analyze && ok == 0 && failed == 0 {
        "No open orders to cancel".to_owned()
    } else {
        format!("Canceled {ok} orders. Failed to cancel {failed} orders.")
    };
    json!({ "canceled_orders": outcome.canceled_orders, "failed_cancellations": failures, "message": message })
}

/// How long a cached analyzer flag is trusted (another keygate process may have toggled it).
const ANALYZER_TTL: Duration = Duration::from_secs(2);

/// The 200 answer of a call queued in the Action Center.
pub fn queued(id: i64) -> Value {
    json!({"message": "Order queued for approval in Action Center", "mode": "semi_auto",
           "pending_order_id": id, "status": "success"})
}

/// Queues the call in the Action Center for a `semi_auto` key, else executes it; returns the
/// answer to send. `reference_price` is what an approval later compares the market with. The one
/// place where order mode and scopes decide, for the v1 handlers and the webhooks alike: an
/// `exit_only` key's call runs reduce-only, and one that could not run now is refused before it
/// is queued.
pub async fn submit(
    state: &AppState,
    identity: &Identity,
    ledger: Ledger,
    op: TradeOp,
    body: Value,
    reference_price: Option<f64>,
) -> Result<Value, ApiError> {
    Ok(
        submit_counted(state, identity, ledger, op, body, reference_price)
            .await?
            .body,
    )
}

/// [`submit`], also saying how many orders the call placed or cancelled.
pub async fn submit_counted(
    state: &AppState,
    identity: &Identity,
    ledger: Ledger,
    op: TradeOp,
    body: Value,
    reference_price: Option<f64>,
) -> Result<Submitted, ApiError> {
    let user_id = identity.user_id;
    if identity.order_mode != OrderMode::SemiAuto {
        let exposure = exposure_for(identity.scopes);
        return execute_counted(state, user_id, ledger, op, body, exposure).await;
    }
    check_exit_only(state, identity.scopes, user_id, ledger, op, &body).await?;
    let request = QueueRequest {
        user_id: identity.user_id,
        key_id: identity.key_id,
        ledger,
        op: op.as_str().to_owned(),
        body,
        reference_price,
    };
    let id = action_center::queue(&state.db, request)
        .await
        .map_err(|e| {
            log::error!("could not queue a {op} call: {e}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Failed to queue order",
                false,
                Map::new(),
            )
        })?;
    Ok(Submitted {
        body: queued(id),
        orders: 1,
    })
}

/// Per-user analyzer flags, cached so the hot path does not read the database each call.
#[derive(Debug, Default)]
pub struct AnalyzerCache {
    flags: Mutex<HashMap<i64, (bool, Instant)>>,
}

impl AnalyzerCache {
    fn get(&self, user_id: i64) -> Option<bool> {
        let flags = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        flags
            .get(&user_id)
            .filter(|(_, at)| at.elapsed() < ANALYZER_TTL)
            .map(|(on, _)| *on)
    }

    fn put(&self, user_id: i64, on: bool) {
        let mut flags = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        if flags.len() > 100_000 {
            flags.retain(|_, (_, at)| at.elapsed() < ANALYZER_TTL);
        }
        flags.insert(user_id, (on, Instant::now()));
    }
}

/// The ledger the user's order and account calls go to now: `Analyze` while the analyzer is on.
pub async fn ledger_for(state: &AppState, user_id: i64) -> Result<Ledger, ApiError> {
    let on = match state.analyzer.get(user_id) {
        Some(on) => on,
        None => {
            let on = keygate_core::paper::analyze_mode(&state.db, user_id).await?;
            state.analyzer.put(user_id, on);
            on
        }
    };
    Ok(if on { Ledger::Analyze } else { Ledger::Live })
}

/// Turns the user's analyzer on or off (and updates the cache at once).
pub async fn set_analyzer(state: &AppState, user_id: i64, on: bool) -> Result<(), ApiError> {
    keygate_core::paper::set_analyze_mode(&state.db, user_id, on).await?;
    state.analyzer.put(user_id, on);
    Ok(())
}
