//! The reduce-only rule ([`crate::Exposure::ReduceOnly`], an `exit_only` key's orders): an order
//! may only reduce an existing net position of (symbol, exchange, product), never open, add to or
//! reverse one. It must be on the opposite side of the position and, together with the working
//! orders already on that side (except the one a modify replaces), at most the position's size.
//! For CNC the long side also counts the holdings.
//!
//! The broker runs this on the locked account in the same step as the placement, so the orders
//! counted are exactly the ones that exist when the new one is added.

use crate::error::{BrokerError, ReduceOnlyViolation};
use crate::instruments::Instrument;
use crate::types::num::round_qty;
use crate::types::{Action, Exchange, Order, OrderRequest, Product};

use super::account::Account;

/// The fields of an order the reduce-only rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct ReducingOrder<'a> {
    /// Trading symbol (as the instrument master spells it).
    pub symbol: &'a str,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Product.
    pub product: Product,
    /// Side.
    pub action: Action,
    /// Quantity.
    pub quantity: f64,
}

impl<'a> ReducingOrder<'a> {
    /// A new order on `inst` (whose spelling of the symbol the account uses).
    pub fn new(inst: &'a Instrument, request: &OrderRequest) -> Self {
        Self {
            symbol: &inst.symbol,
            exchange: inst.exchange,
            product: request.product,
            action: request.action,
            quantity: round_qty(request.quantity),
        }
    }

    /// An existing order as it stands.
    pub fn of(order: &'a Order) -> Self {
        Self {
            symbol: &order.symbol,
            exchange: order.exchange,
            product: order.product,
            action: order.action,
            quantity: order.quantity,
        }
    }
}

impl Account {
    /// Checks `order` against the reduce-only rule; `replacing` is the id of the working order a
    /// modify changes (not counted as already working).
    pub fn check_reduce_only(
        &self,
        order: ReducingOrder<'_>,
        replacing: Option<&str>,
    ) -> Result<(), BrokerError> {
        let mut net = self
            .positions
            .get(&(order.symbol.to_owned(), order.exchange, order.product))
            .map_or(0.0, |p| p.quantity);
        if order.product == Product::Cnc && net >= 0.0 {
            let held = self
                .holdings
                .get(&(order.exchange, order.symbol.to_owned()))
                .map_or(0.0, |h| h.quantity);
            net = net.max(held);
        }
        let working: f64 = self
            .orders
            .iter()
            .filter(|o| o.order_status.is_working() && Some(o.orderid.as_str()) != replacing)
            .filter(|o| {
                o.symbol == order.symbol
                    && o.exchange == order.exchange
                    && o.product == order.product
                    && o.action == order.action
            })
            .map(|o| o.pending_quantity)
            .sum();
        let working = round_qty(working);
        let reduces = net != 0.0 && order.action.sign() * net < 0.0;
        if reduces && round_qty(order.quantity + working) <= round_qty(net.abs()) {
            return Ok(());
        }
        Err(BrokerError::ReduceOnly(ReduceOnlyViolation {
            action: order.action,
            quantity: order.quantity,
            symbol: order.symbol.to_owned(),
            exchange: order.exchange,
            product: order.product,
            net,
            working,
        }))
    }
}
