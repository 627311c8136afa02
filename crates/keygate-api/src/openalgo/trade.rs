//! OpenAlgo's answers to order-changing calls, shaped from the trading service's typed
//! [`Outcome`]: the success bodies of §5.2–§5.7, the queued answer of a `semi_auto` key, and the
//! error answers of a refusal. Also what the Action Center records ([`OpenAlgoAnswers`]).

use actix_web::http::StatusCode;
use actix_web::ResponseError;
use keygate_broker::{CancelAllOutcome, Ledger, SmartOrderOutcome};
use keygate_core::trading::approval::Answers;
use keygate_core::trading::{Executed, Outcome, Refusal};
use keygate_core::CoreError;
use serde_json::{json, Map, Value};

use super::{broker_error, error, success};
use crate::error::ApiError;

/// The 200 answer of a call queued in the Action Center.
pub fn queued(id: i64) -> Value {
    json!({"message": "Order queued for approval in Action Center", "mode": "semi_auto",
           "pending_order_id": id, "status": "success"})
}

/// The answer to send for `outcome`, and how many orders it placed, cancelled or queued (what
/// the per-key orders limit counts).
pub fn answer(outcome: Outcome) -> Result<(Value, usize), ApiError> {
    match outcome {
        Outcome::Executed { ledger, executed } => {
            Ok((executed_body(ledger, &executed), executed.orders()))
        }
        Outcome::Queued(id) => Ok((queued(id), 1)),
        Outcome::Refused { ledger, refusal } => Err(refused(ledger, refusal)),
    }
}

/// The error answer of a refusal.
pub fn refused(ledger: Ledger, refusal: Refusal) -> ApiError {
    let analyze = ledger == Ledger::Analyze;
    match refusal {
        Refusal::Broker(e) => broker_error(e, ledger),
        Refusal::OrderIdMissing => error(
            StatusCode::BAD_REQUEST,
            "Order ID is missing",
            analyze,
            Map::new(),
        ),
        Refusal::Key(why) => CoreError::Forbidden(why).into(),
        Refusal::NotQueued => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to queue order",
            false,
            Map::new(),
        ),
    }
}

/// The success body of an executed call (with `"mode":"analyze"` on the sandbox ledger).
pub fn executed_body(ledger: Ledger, executed: &Executed) -> Value {
    let analyze = ledger == Ledger::Analyze;
    let fields = match executed {
        Executed::Placed(o) => json!({ "orderid": o.orderid }),
        Executed::Smart(SmartOrderOutcome::Placed(o)) => json!({ "orderid": o.orderid }),
        Executed::Smart(SmartOrderOutcome::NothingToDo) if analyze => {
            json!({ "message": "No OpenPosition Found. Not placing Exit order." })
        }
        Executed::Smart(_) => json!({ "message": "Positions Already Matched. No Action needed." }),
        Executed::Modified(o) if analyze => {
            json!({ "orderid": o.orderid, "message": "Order modified successfully" })
        }
        Executed::Cancelled(o) if analyze => {
            json!({ "orderid": o.orderid, "message": "Order cancelled successfully" })
        }
        Executed::Modified(o) | Executed::Cancelled(o) => json!({ "orderid": o.orderid }),
        Executed::CancelledAll(outcome) => cancel_all_body(outcome, analyze),
        Executed::Closed(outcome) => {
            let (closed, failed) = (outcome.closed_positions(), outcome.failed.len());
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
    success(ledger, fields)
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

/// What a failed call tells its caller: the message and, for contract answers, the whole body.
/// A 5xx says nothing internal (the cause goes to the log).
pub fn describe_error(error: &ApiError) -> (String, Option<Value>) {
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

/// The OpenAlgo answers the Action Center records for an approved item.
pub struct OpenAlgoAnswers;

impl Answers for OpenAlgoAnswers {
    fn executed(&self, ledger: Ledger, executed: &Executed) -> Value {
        executed_body(ledger, executed)
    }

    fn refused(&self, ledger: Ledger, refusal: &Refusal) -> (String, Option<Value>) {
        describe_error(&refused(ledger, refusal.clone()))
    }
}
