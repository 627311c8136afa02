//! What the trading service answers: executed (with the broker's typed answer), queued (with
//! the Action Center item), or refused (with the reason). The HTTP crate shapes OpenAlgo's JSON
//! from these; nothing here knows the wire.

use keygate_broker::{
    BrokerError, CancelAllOutcome, CloseAllOutcome, Ledger, Order, SmartOrderOutcome,
};

/// The result of one call.
#[derive(Debug)]
pub enum Outcome {
    /// The broker ran it on `ledger`.
    Executed {
        /// The ledger it ran on.
        ledger: Ledger,
        /// The broker's answer.
        executed: Executed,
    },
    /// Queued in the Action Center (a `semi_auto` key): the item's id.
    Queued(i64),
    /// Not run (and nothing changed).
    Refused {
        /// The ledger it was meant for.
        ledger: Ledger,
        /// Why.
        refusal: Refusal,
    },
}

/// The broker's answer to an executed call.
#[derive(Debug)]
pub enum Executed {
    /// `placeorder`: the order placed.
    Placed(Order),
    /// `placesmartorder`: placed, or nothing to do.
    Smart(SmartOrderOutcome),
    /// `modifyorder`: the order as changed.
    Modified(Order),
    /// `cancelorder`: the order cancelled.
    Cancelled(Order),
    /// `cancelallorder`: what was cancelled and what not.
    CancelledAll(CancelAllOutcome),
    /// `closeposition`: what was closed and what not.
    Closed(CloseAllOutcome),
}

impl Executed {
    /// The broker's order id, for the calls about one order.
    pub fn orderid(&self) -> Option<&str> {
        match self {
            Executed::Placed(o)
            | Executed::Modified(o)
            | Executed::Cancelled(o)
            | Executed::Smart(SmartOrderOutcome::Placed(o)) => Some(&o.orderid),
            Executed::Smart(_) | Executed::CancelledAll(_) | Executed::Closed(_) => None,
        }
    }

    /// How many orders it placed or cancelled (what the per-key orders limit counts): one for a
    /// single-order call; each cancelled or closing order for cancel-all and close-position.
    pub fn orders(&self) -> usize {
        match self {
            Executed::CancelledAll(o) => o.canceled_orders.len() + o.failed_cancellations.len(),
            Executed::Closed(o) => o.closed_positions() + o.failed.len(),
            _ => 1,
        }
    }
}

/// Why a call was not run.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// The broker refused it (a rule, an unknown symbol or order, an `exit_only` key's order
    /// that would not only reduce a position, or the broker failing).
    Broker(BrokerError),
    /// `cancelorder` with a blank order id.
    OrderIdMissing,
    /// The queued call's key can no longer execute it (gone, revoked, expired, lost its scope).
    Key(String),
    /// The Action Center could not store the call (cause logged).
    NotQueued,
}
