//! Placing, modifying and cancelling orders.

use chrono::{DateTime, Utc};

use crate::error::{BrokerError, RuleViolation};
use crate::instruments::Instrument;
use crate::types::num::round_qty;
use crate::types::{
    Action, CancelAllOutcome, CancelFailure, CloseAllOutcome, ModifyRequest, Order, OrderRequest,
    OrderStatus, PriceType, Product, Quote,
};

use super::account::Account;
use super::fill::limit_crosses;
use super::ids::order_id;
use super::rules::{required_margin, validate, OrderShape};

/// Whether an order of this price type carries a limit price (LIMIT and SL).
fn keeps_price(pricetype: PriceType) -> bool {
    matches!(pricetype, PriceType::Limit | PriceType::Sl)
}

/// Whether an order of this price type carries a trigger price (SL and SL-M).
fn keeps_trigger(pricetype: PriceType) -> bool {
    matches!(pricetype, PriceType::Sl | PriceType::SlM)
}

/// The rule-relevant fields of an order.
pub(super) fn shape(o: &Order) -> OrderShape {
    OrderShape {
        action: o.action,
        pricetype: o.pricetype,
        product: o.product,
        quantity: o.quantity,
        price: o.price,
        trigger_price: o.trigger_price,
    }
}

impl Account {
    /// The signed net position the order trades against.
    pub(super) fn net_position(&self, o: &Order) -> f64 {
        self.positions
            .get(&(o.symbol.clone(), o.exchange, o.product))
            .map_or(0.0, |p| p.quantity)
    }

    /// CNC quantity of a holding not yet promised to working CNC SELL orders (except `skip`).
    fn sellable_holding(&self, o: &Order, skip: Option<usize>) -> f64 {
        let held = self
            .holdings
            .get(&(o.exchange, o.symbol.clone()))
            .map_or(0.0, |h| h.quantity);
        let promised: f64 = self
            .orders
            .iter()
            .enumerate()
            .filter(|(i, w)| {
                Some(*i) != skip
                    && w.order_status.is_working()
                    && w.product == Product::Cnc
                    && w.action == Action::Sell
                    && w.symbol == o.symbol
                    && w.exchange == o.exchange
            })
            .map(|(_, w)| w.pending_quantity)
            .sum();
        round_qty(held - promised)
    }

    fn new_order_id(&mut self, now: DateTime<Utc>) -> String {
        loop {
            let seq = self.next_seq();
            let id = order_id(now, self.state.user_id, self.state.ledger, seq);
            if !self.has_order(&id) {
                return id;
            }
        }
    }

    /// Places an order: validates it (nothing stored on a rule error), rejects a CNC SELL beyond
    /// free holdings (stored as `rejected`), checks margin, then fills a MARKET or marketable LIMIT
    /// at the touch, or leaves it working with its margin blocked.
    pub fn place(
        &mut self,
        req: &OrderRequest,
        inst: &Instrument,
        quote: &Quote,
        now: DateTime<Utc>,
    ) -> Result<Order, BrokerError> {
        let mut order = Order {
            orderid: String::new(),
            strategy: req.strategy.clone(),
            symbol: inst.symbol.clone(),
            exchange: inst.exchange,
            action: req.action,
            pricetype: req.pricetype,
            product: req.product,
            quantity: round_qty(req.quantity),
            price: if keeps_price(req.pricetype) {
                req.price
            } else {
                0.0
            },
            trigger_price: if keeps_trigger(req.pricetype) {
                req.trigger_price
            } else {
                0.0
            },
            disclosed_quantity: req.disclosed_quantity,
            order_status: OrderStatus::Open,
            filled_quantity: 0.0,
            pending_quantity: round_qty(req.quantity),
            average_price: 0.0,
            rejection_reason: None,
            blocked_margin: 0.0,
            timestamp: now,
            updated_at: now,
        };
        validate(&shape(&order), inst)?;
        if order.product == Product::Cnc && order.action == Action::Sell {
            let free = self.sellable_holding(&order, None);
            if free < order.quantity {
                let reason = RuleViolation::InsufficientHoldings {
                    symbol: order.symbol.clone(),
                    required: order.quantity,
                    available: free,
                }
                .to_string();
                order.orderid = self.new_order_id(now);
                order.order_status = OrderStatus::Rejected;
                order.pending_quantity = 0.0;
                order.rejection_reason = Some(reason.clone());
                let orderid = order.orderid.clone();
                self.push_order(order);
                self.touch_account(now);
                return Err(BrokerError::Rejected { orderid, reason });
            }
        }
        let margin = required_margin(
            &shape(&order),
            order.exchange,
            quote,
            self.net_position(&order),
        );
        if margin > self.state.available_cash {
            return Err(RuleViolation::InsufficientFunds {
                required: margin,
                available: self.state.available_cash,
            }
            .into());
        }
        order.orderid = self.new_order_id(now);
        let fill_now = match order.pricetype {
            PriceType::Market => true,
            PriceType::Limit => limit_crosses(&order, quote),
            PriceType::Sl | PriceType::SlM => {
                order.order_status = OrderStatus::TriggerPending;
                false
            }
        };
        let i = self.push_order(order);
        if fill_now {
            self.fill(i, quote.touch(req.action), now);
        } else {
            self.block_order_margin(i, margin, now);
        }
        Ok(self.orders[i].clone())
    }

    /// Changes the price type, quantity, price and trigger price of a working order, re-checking
    /// the rules and margin (nothing changes on an error). A change to MARKET, or a LIMIT that
    /// becomes marketable, fills at once at the touch; a change to SL or SL-M waits for its
    /// trigger again; a change to LIMIT or MARKET no longer waits for one.
    pub fn modify(
        &mut self,
        req: &ModifyRequest,
        inst: &Instrument,
        quote: &Quote,
        now: DateTime<Utc>,
    ) -> Result<Order, BrokerError> {
        let i = self
            .order_index(&req.orderid)
            .ok_or_else(|| BrokerError::OrderNotFound(req.orderid.clone()))?;
        let current = self.orders[i].clone();
        if !current.order_status.is_working() {
            return Err(RuleViolation::CannotModify(current.order_status).into());
        }
        let mut next = current.clone();
        next.pricetype = req.pricetype;
        next.quantity = round_qty(req.quantity);
        next.pending_quantity = next.quantity;
        next.price = if keeps_price(req.pricetype) {
            req.price
        } else {
            0.0
        };
        next.trigger_price = if keeps_trigger(req.pricetype) {
            req.trigger_price
        } else {
            0.0
        };
        next.disclosed_quantity = req.disclosed_quantity;
        next.order_status = if next.pricetype == current.pricetype {
            // An SL already triggered stays a LIMIT at its price.
            current.order_status
        } else if keeps_trigger(next.pricetype) {
            OrderStatus::TriggerPending
        } else {
            OrderStatus::Open
        };
        validate(&shape(&next), inst)?;
        if next.product == Product::Cnc && next.action == Action::Sell {
            let free = self.sellable_holding(&next, Some(i));
            if free < next.quantity {
                return Err(RuleViolation::InsufficientHoldings {
                    symbol: next.symbol.clone(),
                    required: next.quantity,
                    available: free,
                }
                .into());
            }
        }
        let margin = required_margin(
            &shape(&next),
            next.exchange,
            quote,
            self.net_position(&next),
        );
        let free = self.state.available_cash + current.blocked_margin;
        if margin > free {
            return Err(RuleViolation::InsufficientFunds {
                required: margin,
                available: free,
            }
            .into());
        }
        self.release_order_margin(i, now);
        next.blocked_margin = 0.0;
        next.updated_at = now;
        self.orders[i] = next;
        self.touch_order(i);
        let fill_now = match self.orders[i].pricetype {
            PriceType::Market => true,
            _ => {
                self.orders[i].order_status == OrderStatus::Open
                    && limit_crosses(&self.orders[i], quote)
            }
        };
        if fill_now {
            self.fill(i, quote.touch(self.orders[i].action), now);
        } else {
            self.block_order_margin(i, margin, now);
        }
        Ok(self.orders[i].clone())
    }

    /// Cancels a working order and releases its margin.
    pub fn cancel(&mut self, orderid: &str, now: DateTime<Utc>) -> Result<Order, BrokerError> {
        let i = self
            .order_index(orderid)
            .ok_or_else(|| BrokerError::OrderNotFound(orderid.to_owned()))?;
        let status = self.orders[i].order_status;
        if !status.is_working() {
            return Err(RuleViolation::CannotCancel(status).into());
        }
        self.release_order_margin(i, now);
        let o = &mut self.orders[i];
        o.order_status = OrderStatus::Cancelled;
        o.pending_quantity = 0.0;
        o.updated_at = now;
        self.touch_order(i);
        self.touch_account(now);
        Ok(self.orders[i].clone())
    }

    /// Cancels every working order.
    pub fn cancel_all(&mut self, now: DateTime<Utc>) -> CancelAllOutcome {
        let ids: Vec<String> = self
            .orders
            .iter()
            .filter(|o| o.order_status.is_working())
            .map(|o| o.orderid.clone())
            .collect();
        let mut out = CancelAllOutcome::default();
        for id in ids {
            match self.cancel(&id, now) {
                Ok(_) => out.canceled_orders.push(id),
                Err(e) => out.failed_cancellations.push(CancelFailure {
                    orderid: id,
                    message: e.to_string(),
                }),
            }
        }
        out
    }

    /// Squares off every open position with a MARKET order in its product. `market` gives the
    /// instrument and quote of a (symbol, exchange); positions it cannot price are reported failed.
    pub fn close_all(
        &mut self,
        strategy: &str,
        market: impl Fn(&str, crate::types::Exchange) -> Option<(std::sync::Arc<Instrument>, Quote)>,
        now: DateTime<Utc>,
    ) -> CloseAllOutcome {
        let open: Vec<_> = self
            .positions
            .values()
            .filter(|p| p.quantity != 0.0)
            .map(|p| (p.symbol.clone(), p.exchange, p.product, p.quantity))
            .collect();
        let mut out = CloseAllOutcome::default();
        for (symbol, exchange, product, qty) in open {
            let result = match market(&symbol, exchange) {
                Some((inst, quote)) => {
                    let req = OrderRequest {
                        strategy: strategy.to_owned(),
                        symbol: symbol.clone(),
                        exchange,
                        action: if qty > 0.0 { Action::Sell } else { Action::Buy },
                        pricetype: PriceType::Market,
                        product,
                        quantity: qty.abs(),
                        price: 0.0,
                        trigger_price: 0.0,
                        disclosed_quantity: 0,
                    };
                    self.place(&req, &inst, &quote, now).map(|o| o.orderid)
                }
                None => Err(BrokerError::SymbolNotFound {
                    symbol: symbol.clone(),
                    exchange,
                }),
            };
            match result {
                Ok(id) => out.orderids.push(id),
                Err(e) => out.failed.push(CancelFailure {
                    orderid: symbol,
                    message: e.to_string(),
                }),
            }
        }
        out
    }
}
