//! Fills: an order completes in one trade (no partial fills), its blocked margin moves to the
//! position, realised P&L is booked, and CNC fills update holdings at once (no T+1 wait). A
//! resting order's margin is re-checked at its fill price, which may be worse than the price it
//! was margined on when it was placed.

use chrono::{DateTime, Utc};

use crate::types::num::{round2, round_qty};
use crate::types::{Action, OrderStatus, PriceType, Product, Quote, Trade};

use super::account::{Account, HoldingState, PositionState};
use super::orders::shape;
use super::rules::{margin_at, margin_rate};
use crate::error::RuleViolation;

impl Account {
    /// Releases the margin an order holds.
    pub(crate) fn release_order_margin(&mut self, i: usize, now: DateTime<Utc>) {
        let blocked = self.orders[i].blocked_margin;
        if blocked != 0.0 {
            self.orders[i].blocked_margin = 0.0;
            self.state.available_cash = round2(self.state.available_cash + blocked);
            self.state.used_margin = round2(self.state.used_margin - blocked);
            self.touch_order(i);
            self.touch_account(now);
        }
    }

    /// Blocks `margin` for a working order.
    pub(crate) fn block_order_margin(&mut self, i: usize, margin: f64, now: DateTime<Utc>) {
        self.orders[i].blocked_margin = margin;
        self.state.available_cash = round2(self.state.available_cash - margin);
        self.state.used_margin = round2(self.state.used_margin + margin);
        self.touch_order(i);
        self.touch_account(now);
    }

    /// Fills order `i` completely at `price`.
    pub(crate) fn fill(&mut self, i: usize, price: f64, now: DateTime<Utc>) {
        self.release_order_margin(i, now);
        let order = &mut self.orders[i];
        order.order_status = OrderStatus::Complete;
        order.filled_quantity = order.quantity;
        order.pending_quantity = 0.0;
        order.average_price = price;
        order.updated_at = now;
        let order = order.clone();
        self.touch_order(i);
        self.push_trade(Trade {
            tradeid: format!("T{}", order.orderid),
            orderid: order.orderid.clone(),
            strategy: order.strategy.clone(),
            symbol: order.symbol.clone(),
            exchange: order.exchange,
            action: order.action,
            product: order.product,
            quantity: order.quantity,
            average_price: price,
            trade_value: round2(order.quantity * price),
            timestamp: now,
        });
        let signed = order.quantity * order.action.sign();
        self.apply_to_position(
            &order.symbol,
            order.exchange,
            order.product,
            signed,
            price,
            now,
        );
        if order.product == Product::Cnc {
            self.apply_to_holding(&order.symbol, order.exchange, signed, price, now);
        }
    }

    /// Fills resting order `i` at `price` if the account can carry it there: the margin of the
    /// part that opens or adds, at `price`, must fit in free cash plus what the order blocked.
    /// Otherwise the order is rejected (its margin released) rather than filled into negative
    /// cash. Returns whether it filled.
    pub(crate) fn fill_if_affordable(&mut self, i: usize, price: f64, now: DateTime<Utc>) -> bool {
        let order = &self.orders[i];
        let needed = margin_at(
            &shape(order),
            order.exchange,
            price,
            self.net_position(order),
        );
        let available = round2(self.state.available_cash + order.blocked_margin);
        if needed <= available {
            self.fill(i, price, now);
            return true;
        }
        let reason = RuleViolation::InsufficientFunds {
            required: needed,
            available,
        }
        .to_string();
        self.release_order_margin(i, now);
        let order = &mut self.orders[i];
        order.order_status = OrderStatus::Rejected;
        order.pending_quantity = 0.0;
        order.rejection_reason = Some(reason);
        order.updated_at = now;
        self.touch_order(i);
        self.touch_account(now);
        false
    }

    fn apply_to_position(
        &mut self,
        symbol: &str,
        exchange: crate::types::Exchange,
        product: Product,
        signed: f64,
        price: f64,
        now: DateTime<Utc>,
    ) {
        let key = (symbol.to_owned(), exchange, product);
        let pos = self
            .positions
            .entry(key.clone())
            .or_insert_with(|| PositionState {
                symbol: symbol.to_owned(),
                exchange,
                product,
                quantity: 0.0,
                average_price: 0.0,
                realized_pnl: 0.0,
                margin: 0.0,
                updated_at: now,
            });
        let (realized, qty, avg) = trade_into(pos.quantity, pos.average_price, signed, price);
        let old_margin = pos.margin;
        pos.quantity = qty;
        pos.average_price = avg;
        pos.realized_pnl = round2(pos.realized_pnl + realized);
        pos.margin = round2(margin_rate(exchange, product) * qty.abs() * avg);
        pos.updated_at = now;
        let new_margin = pos.margin;
        let state = &mut self.state;
        state.available_cash = round2(state.available_cash + old_margin - new_margin + realized);
        state.used_margin = round2(state.used_margin - old_margin + new_margin);
        state.realized_pnl = round2(state.realized_pnl + realized);
        self.touch_position(key);
        self.touch_account(now);
    }

    fn apply_to_holding(
        &mut self,
        symbol: &str,
        exchange: crate::types::Exchange,
        signed: f64,
        price: f64,
        now: DateTime<Utc>,
    ) {
        let key = (exchange, symbol.to_owned());
        let h = self
            .holdings
            .entry(key.clone())
            .or_insert_with(|| HoldingState {
                symbol: symbol.to_owned(),
                exchange,
                quantity: 0.0,
                average_price: 0.0,
                updated_at: now,
            });
        let (_, qty, avg) = trade_into(h.quantity, h.average_price, signed, price);
        h.quantity = qty;
        h.average_price = avg;
        h.updated_at = now;
        self.touch_holding(key);
    }

    /// Matches this account's working orders on the quote's symbol against it: SL/SL-M trigger
    /// when the LTP crosses `trigger_price` (BUY: LTP ≥ trigger, SELL: LTP ≤ trigger), SL-M then
    /// fills at the touch and SL becomes a LIMIT at `price`; a LIMIT fills at the touch once it is
    /// at or better than `price`. A fill the account can no longer afford at that price is rejected
    /// instead ([`Account::fill_if_affordable`]). Returns the ids of the orders that filled.
    pub fn process_tick(&mut self, quote: &Quote, now: DateTime<Utc>) -> Vec<String> {
        let mut filled = Vec::new();
        for i in 0..self.orders.len() {
            let o = &self.orders[i];
            if !o.order_status.is_working()
                || o.symbol != quote.symbol
                || o.exchange != quote.exchange
            {
                continue;
            }
            if o.order_status == OrderStatus::TriggerPending {
                let triggered = match o.action {
                    Action::Buy => quote.ltp >= o.trigger_price,
                    Action::Sell => quote.ltp <= o.trigger_price,
                };
                if !triggered {
                    continue;
                }
                if o.pricetype == PriceType::SlM {
                    if self.fill_if_affordable(i, quote.touch(o.action), now) {
                        filled.push(self.orders[i].orderid.clone());
                    }
                    continue;
                }
                self.orders[i].order_status = OrderStatus::Open;
                self.orders[i].updated_at = now;
                self.touch_order(i);
            }
            if limit_crosses(&self.orders[i], quote) {
                let price = quote.touch(self.orders[i].action);
                if self.fill_if_affordable(i, price, now) {
                    filled.push(self.orders[i].orderid.clone());
                }
            }
        }
        filled
    }
}

/// True when a LIMIT at `order.price` is marketable against the quote.
pub(crate) fn limit_crosses(order: &crate::types::Order, quote: &Quote) -> bool {
    match order.action {
        Action::Buy => quote.ask > 0.0 && quote.ask <= order.price,
        Action::Sell => quote.bid > 0.0 && quote.bid >= order.price,
    }
}

/// Applies a signed trade to (quantity, average): returns (realised P&L, new quantity, new average).
pub fn trade_into(qty: f64, avg: f64, signed: f64, price: f64) -> (f64, f64, f64) {
    let new_qty = round_qty(qty + signed);
    if qty == 0.0 || qty.signum() == signed.signum() {
        let avg = (qty.abs() * avg + signed.abs() * price) / (qty.abs() + signed.abs());
        return (0.0, new_qty, avg);
    }
    let closing = signed.abs().min(qty.abs());
    let realized = round2(closing * (price - avg) * qty.signum());
    let new_avg = if new_qty == 0.0 {
        0.0
    } else if new_qty.signum() == qty.signum() {
        avg
    } else {
        price
    };
    (realized, new_qty, new_avg)
}
