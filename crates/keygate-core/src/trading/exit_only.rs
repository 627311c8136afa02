//! The `exit_only` scope: such a key may cancel orders and close positions, and place, smart-order
//! or modify only what reduces an existing net position — never open, add to or reverse one.
//!
//! The rule itself lives in the broker (`Exposure::ReduceOnly`): every call an `exit_only` key
//! runs is placed reduce-only and checked under the account's lock, so concurrent exits cannot
//! both pass. [`check`] only asks the broker early, without placing anything, so a `semi_auto`
//! key's call that could never run is refused before it is queued.

use keygate_broker::{Broker, BrokerError, Exposure, Ledger, ReduceOnlyCheck};

use super::TradeRequest;
use crate::keys::{Permission, Scopes};

/// How a key with `scopes` may change exposure: `trade` keys freely, others (`exit_only`) only
/// by reducing a position.
pub fn exposure_for(scopes: Scopes) -> Exposure {
    if scopes.allows(Permission::Open) {
        Exposure::Any
    } else {
        Exposure::ReduceOnly
    }
}

/// Refuses (`ReduceOnly`) a call of a key with `scopes` that would not only reduce a position
/// now; a no-op for `trade` keys and for cancel / cancel-all / close. Changes nothing: running
/// the call checks again, atomically.
pub(super) async fn check(
    broker: &dyn Broker,
    scopes: Scopes,
    user_id: i64,
    ledger: Ledger,
    request: &TradeRequest,
) -> Result<(), BrokerError> {
    if exposure_for(scopes) == Exposure::Any {
        return Ok(());
    }
    match request {
        TradeRequest::Place(order) => {
            let call = ReduceOnlyCheck::Place(order);
            broker.check_reduce_only(user_id, ledger, call).await
        }
        TradeRequest::Smart(smart) => {
            let call = ReduceOnlyCheck::Smart {
                request: &smart.order,
                position_size: smart.position_size,
            };
            broker.check_reduce_only(user_id, ledger, call).await
        }
        TradeRequest::Modify(modify) => {
            let request = modify.broker_request();
            let call = ReduceOnlyCheck::Modify(&request);
            broker.check_reduce_only(user_id, ledger, call).await
        }
        TradeRequest::Cancel(_) | TradeRequest::CancelAll(_) | TradeRequest::Close(_) => Ok(()),
    }
}
