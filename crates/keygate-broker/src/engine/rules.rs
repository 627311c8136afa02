//! The sandbox's order rules (§7) and the margin model.
//!
//! Margin = rate × price basis × the quantity that *opens or adds to* exposure (the part of an
//! order that reduces an opposite position needs none). Rates:
//!
//! | segment | MIS | NRML | CNC |
//! |---|---|---|---|
//! | NSE/BSE equity | 20 % (5× intraday) | refused | 100 % |
//! | NFO/BFO/MCX/… futures | 12 % | 12 % | refused |
//! | CRYPTO | 20 % | 100 % | refused |
//!
//! Derivative MIS uses the NRML rate because SEBI's peak-margin rules removed extra intraday
//! leverage on F&O. The price basis is the touch for MARKET, `price` for LIMIT/SL and
//! `trigger_price` for SL-M, or the touch when the order would execute now and the touch is higher
//! (a marketable LIMIT fills at the touch, not at its limit). Margin is blocked while an order
//! works, moves to the position when it fills (recomputed there as rate × |quantity| × average
//! price) and is released on cancel/exit. A resting order is re-checked at its fill price when it
//! fills: one the free cash (plus what it blocked) can no longer carry there is rejected instead.

use crate::error::{product_rule, RuleViolation};
use crate::instruments::Instrument;
use crate::types::num::{is_multiple, round2};
use crate::types::{Action, Exchange, PriceType, Product, Quote, Segment};

/// The margin rate of a product on an exchange.
pub fn margin_rate(exchange: Exchange, product: Product) -> f64 {
    match (exchange.segment(), product) {
        (Segment::Equity, Product::Cnc) => 1.0,
        (Segment::Equity, _) => 0.20,
        (Segment::Crypto, Product::Nrml) => 1.0,
        (Segment::Crypto, _) => 0.20,
        (Segment::Derivative | Segment::Index, _) => 0.12,
    }
}

/// The fields of an order that the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct OrderShape {
    /// Side.
    pub action: Action,
    /// Pricing.
    pub pricetype: PriceType,
    /// Product.
    pub product: Product,
    /// Quantity.
    pub quantity: f64,
    /// Limit price.
    pub price: f64,
    /// Trigger price.
    pub trigger_price: f64,
}

/// Checks an order against the sandbox rules, in the order OpenAlgo's sandbox checks them.
pub fn validate(order: &OrderShape, inst: &Instrument) -> Result<(), RuleViolation> {
    if inst.exchange.segment() == Segment::Index {
        return Err(RuleViolation::IndexNotTradable {
            symbol: inst.symbol.clone(),
            exchange: inst.exchange,
        });
    }
    if !(order.quantity.is_finite() && order.quantity > 0.0) {
        return Err(RuleViolation::QuantityNotPositive);
    }
    if !inst.exchange.allows_fractional() && order.quantity.fract() != 0.0 {
        return Err(RuleViolation::FractionalQuantity(order.quantity));
    }
    product_rule(inst.exchange, order.product)?;
    if matches!(order.pricetype, PriceType::Limit | PriceType::Sl) && order.price <= 0.0 {
        return Err(RuleViolation::PriceRequired(order.pricetype));
    }
    if matches!(order.pricetype, PriceType::Sl | PriceType::SlM) && order.trigger_price <= 0.0 {
        return Err(RuleViolation::TriggerPriceRequired(order.pricetype));
    }
    if !is_multiple(order.quantity, inst.lot_size) {
        return Err(RuleViolation::LotSize(inst.lot_size));
    }
    Ok(())
}

/// True when the order would execute against `quote` now: a LIMIT priced through the touch, an
/// SL or SL-M whose trigger the LTP has crossed (an SL also priced through the touch).
fn executes_now(order: &OrderShape, quote: &Quote) -> bool {
    let triggered = match order.action {
        Action::Buy => quote.ltp >= order.trigger_price,
        Action::Sell => quote.ltp <= order.trigger_price,
    };
    let crosses = match order.action {
        Action::Buy => quote.ask > 0.0 && quote.ask <= order.price,
        Action::Sell => quote.bid > 0.0 && quote.bid >= order.price,
    };
    match order.pricetype {
        PriceType::Market => true,
        PriceType::Limit => crosses,
        PriceType::Sl => triggered && crosses,
        PriceType::SlM => triggered,
    }
}

/// The price margin is computed on: the order's own price, or the touch when the order would
/// execute now and the touch is higher (a SELL LIMIT at 0.05 fills at the bid, so it is
/// margined at the bid, not at 0.05).
pub fn price_basis(order: &OrderShape, quote: &Quote) -> f64 {
    let own = match order.pricetype {
        PriceType::Market => return quote.touch(order.action),
        PriceType::Limit | PriceType::Sl => order.price,
        PriceType::SlM => order.trigger_price,
    };
    if executes_now(order, quote) {
        own.max(quote.touch(order.action))
    } else {
        own
    }
}

/// Margin an order needs, given the signed net position it would trade against.
pub fn required_margin(
    order: &OrderShape,
    exchange: Exchange,
    quote: &Quote,
    position: f64,
) -> f64 {
    margin_at(order, exchange, price_basis(order, quote), position)
}

/// Margin an order needs at `price` (a fill's price), given the signed net position it would
/// trade against: only the part that opens or adds to exposure needs any.
pub fn margin_at(order: &OrderShape, exchange: Exchange, price: f64, position: f64) -> f64 {
    let reduces = position * order.action.sign() < 0.0;
    let reducible = if reduces {
        position.abs().min(order.quantity)
    } else {
        0.0
    };
    let opening = order.quantity - reducible;
    round2(margin_rate(exchange, order.product) * price * opening)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_the_documented_table() {
        assert_eq!(margin_rate(Exchange::Nse, Product::Cnc), 1.0);
        assert_eq!(margin_rate(Exchange::Bse, Product::Mis), 0.2);
        assert_eq!(margin_rate(Exchange::Nfo, Product::Nrml), 0.12);
        assert_eq!(margin_rate(Exchange::Nfo, Product::Mis), 0.12);
        assert_eq!(margin_rate(Exchange::Crypto, Product::Nrml), 1.0);
    }
}
