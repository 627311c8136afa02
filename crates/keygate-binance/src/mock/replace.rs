//! `POST /api/v3/order/cancelReplace` as Binance answers it: the old order cancelled, then the
//! new one placed, in one request.
//!
//! - `STOP_ON_FAILURE`: a refused cancel leaves the new order untried: 400 `-2022`
//!   `Order cancel-replace failed.`;
//! - `ALLOW_FAILURE`: the new order is tried even when the cancel was refused;
//! - one part done and the other refused: 409 `-2021` `Order cancel-replace partially failed.`
//!   (after a cancel that succeeded, the old order stays cancelled).
//!
//! Each error carries `data` with both parts' results and responses (an order, an error body, or
//! `null` for a part not attempted).

use super::query::Query;
use super::routes::json;
use super::state::{Book, MockError, NewOrder};
use crate::wire::{ApiErrorBody, CancelReplaceParts, ExchangeOrder, PartResponse, PartResult};

/// The outcome of one part as the answer reports it.
fn part(result: &Result<ExchangeOrder, MockError>) -> (PartResult, Option<PartResponse>) {
    match result {
        Ok(order) => (
            PartResult::Success,
            Some(PartResponse::Done(Box::new(order.clone()))),
        ),
        Err(e) => (
            PartResult::Failure,
            Some(PartResponse::Refused(e.body.clone())),
        ),
    }
}

fn failed(status: u16, code: i64, msg: &str, parts: CancelReplaceParts) -> MockError {
    MockError {
        status,
        body: ApiErrorBody {
            code,
            msg: msg.into(),
            data: Some(Box::new(parts)),
        },
    }
}

/// Reads the cancel half of the request (the new order is already read into `order`), then
/// cancels and places.
pub(super) fn cancel_replace(
    book: &mut Book,
    q: &mut Query,
    order: NewOrder,
    now: i64,
) -> Result<String, MockError> {
    let mode: String = q.req("cancelReplaceMode")?;
    let stop_on_failure = match mode.as_str() {
        "STOP_ON_FAILURE" => true,
        "ALLOW_FAILURE" => false,
        _ => return Err(MockError::bad(-1100, "Illegal characters found in parameter 'cancelReplaceMode'; legal range is 'STOP_ON_FAILURE, ALLOW_FAILURE'.")),
    };
    let id: Option<u64> = q.opt("cancelOrderId")?;
    let client: Option<String> = q.opt("cancelOrigClientOrderId")?;
    let _cancel_client_id: Option<String> = q.opt("cancelNewClientOrderId")?;
    if id.is_none() && client.is_none() {
        return Err(MockError::bad(
            -1102,
            "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were empty/null!",
        ));
    }
    q.finish()?;
    book.pair(&order.symbol)?;
    let cancelled = match book.find(&order.symbol, id, client.as_deref()) {
        Some(i) => book.cancel(i, now),
        None => Err(MockError::bad(-2011, "Unknown order sent.")),
    };
    let (cancel_result, cancel_response) = part(&cancelled);
    if cancelled.is_err() && stop_on_failure {
        return Err(failed(
            400,
            -2022,
            "Order cancel-replace failed.",
            CancelReplaceParts {
                cancel_result,
                new_order_result: PartResult::NotAttempted,
                cancel_response,
                new_order_response: None,
            },
        ));
    }
    let placed = book.place(order, now);
    let (new_order_result, new_order_response) = part(&placed);
    let parts = CancelReplaceParts {
        cancel_result,
        new_order_result,
        cancel_response,
        new_order_response,
    };
    match (cancelled.is_ok(), placed.is_ok()) {
        (true, true) => json(&parts),
        (false, false) => Err(failed(400, -2022, "Order cancel-replace failed.", parts)),
        _ => Err(failed(
            409,
            -2021,
            "Order cancel-replace partially failed.",
            parts,
        )),
    }
}
