//! The `exit_only` scope: such a key may cancel orders and close positions, and place, smart-order
//! or modify only what reduces an existing net position — never open, add to or reverse one.
//!
//! The rule itself lives in the broker (`Exposure::ReduceOnly`): every call an `exit_only` key
//! runs is placed reduce-only and checked under the account's lock, so concurrent exits cannot
//! both pass. [`check_exit_only`] only asks the broker early, without placing anything, so a
//! `semi_auto` key's call that could never run is refused before it is queued.

use keygate_broker::{Exposure, Ledger, OrderRequest, ReduceOnlyCheck};
use keygate_core::keys::{Permission, Scopes};
use serde_json::Value;

use super::{modify_request, parse, TradeOp};
use crate::error::ApiError;
use crate::openalgo::broker_error;
use crate::openalgo::requests::{ModifyOrder, SmartOrder};
use crate::state::AppState;

/// How a key with `scopes` may change exposure: `trade` keys freely, others (`exit_only`) only
/// by reducing a position.
pub fn exposure_for(scopes: Scopes) -> Exposure {
    if scopes.allows(Permission::Open) {
        Exposure::Any
    } else {
        Exposure::ReduceOnly
    }
}

/// Refuses (403) a call of a key with `scopes` that would not only reduce a position now; a no-op
/// for `trade` keys and for cancel / cancel-all / close. `body` is the call as
/// [`super::execute`] takes it. Changes nothing: running the call checks again, atomically.
pub async fn check_exit_only(
    state: &AppState,
    scopes: Scopes,
    user_id: i64,
    ledger: Ledger,
    op: TradeOp,
    body: &Value,
) -> Result<(), ApiError> {
    if exposure_for(scopes) == Exposure::Any {
        return Ok(());
    }
    let broker = &state.broker;
    let checked = match op {
        TradeOp::PlaceOrder => {
            let order: OrderRequest = parse(op, body.clone())?;
            let call = ReduceOnlyCheck::Place(&order);
            broker.check_reduce_only(user_id, ledger, call).await
        }
        TradeOp::PlaceSmartOrder => {
            let smart: SmartOrder = parse(op, body.clone())?;
            let call = ReduceOnlyCheck::Smart {
                request: &smart.order,
                position_size: smart.position_size,
            };
            broker.check_reduce_only(user_id, ledger, call).await
        }
        TradeOp::ModifyOrder => {
            let modify: ModifyOrder = parse(op, body.clone())?;
            let request = modify_request(&modify);
            let call = ReduceOnlyCheck::Modify(&request);
            broker.check_reduce_only(user_id, ledger, call).await
        }
        TradeOp::CancelOrder | TradeOp::CancelAllOrder | TradeOp::ClosePosition => Ok(()),
    };
    checked.map_err(|e| broker_error(e, ledger))
}
