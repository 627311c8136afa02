//! A pair's exchange filters (`exchangeInfo`), checked before an order is sent so a bad lot,
//! tick or order value is refused with the contract's style of message and costs no request.
//! MARKET orders have no price here: their order value is left to the exchange (`-1013`).

use keygate_broker::num::{is_multiple, round_to_tick};
use keygate_broker::{Exchange, Instrument, InstrumentKind, RuleViolation};

use crate::wire::{Filter, SymbolInfo};

/// The filters of one pair that this adapter checks.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolRules {
    /// The pair.
    pub symbol: String,
    /// Base asset (`BTC`).
    pub base_asset: String,
    /// Quote asset (`USDT`).
    pub quote_asset: String,
    /// Smallest quantity.
    pub min_qty: f64,
    /// Largest quantity (0: none).
    pub max_qty: f64,
    /// Quantity step (0: none).
    pub step_size: f64,
    /// Price tick (0: none).
    pub tick_size: f64,
    /// Lowest price (0: none).
    pub min_price: f64,
    /// Minimum price × quantity (0: none).
    pub min_notional: f64,
}

impl SymbolRules {
    /// Reads the filters of `info`.
    pub fn from_info(info: &SymbolInfo) -> Self {
        let mut rules = SymbolRules {
            symbol: info.symbol.clone(),
            base_asset: info.base_asset.clone(),
            quote_asset: info.quote_asset.clone(),
            min_qty: 0.0,
            max_qty: 0.0,
            step_size: 0.0,
            tick_size: 0.0,
            min_price: 0.0,
            min_notional: 0.0,
        };
        for filter in &info.filters {
            match *filter {
                Filter::PriceFilter {
                    min_price,
                    tick_size,
                    ..
                } => {
                    rules.min_price = min_price;
                    rules.tick_size = tick_size;
                }
                Filter::LotSize {
                    min_qty,
                    max_qty,
                    step_size,
                } => {
                    rules.min_qty = min_qty;
                    rules.max_qty = max_qty;
                    rules.step_size = step_size;
                }
                Filter::MinNotional { min_notional } | Filter::Notional { min_notional } => {
                    rules.min_notional = rules.min_notional.max(min_notional);
                }
                Filter::Other => {}
            }
        }
        rules
    }

    /// Checks a quantity and, for priced orders, the price and the order value.
    pub fn check(&self, quantity: f64, price: Option<f64>) -> Result<(), RuleViolation> {
        if quantity <= 0.0 {
            return Err(RuleViolation::QuantityNotPositive);
        }
        if self.step_size > 0.0 && !is_multiple(quantity - self.min_qty, self.step_size) {
            return Err(RuleViolation::LotSize(self.step_size));
        }
        if quantity < self.min_qty || (self.max_qty > 0.0 && quantity > self.max_qty) {
            return Err(RuleViolation::QuantityRange {
                min: self.min_qty,
                max: self.max_qty,
            });
        }
        let Some(price) = price else { return Ok(()) };
        if self.tick_size > 0.0 && !is_multiple(price - self.min_price, self.tick_size) {
            return Err(RuleViolation::TickSize(self.tick_size));
        }
        let value = price * quantity;
        if value < self.min_notional {
            return Err(RuleViolation::MinNotional {
                value: round_to_tick(value, 1e-8),
                min: self.min_notional,
            });
        }
        Ok(())
    }

    /// The pair as an instrument (no reference price: quotes come from the exchange).
    pub fn instrument(&self) -> Instrument {
        Instrument {
            symbol: self.symbol.clone(),
            exchange: Exchange::Crypto,
            name: format!("{} / {}", self.base_asset, self.quote_asset),
            kind: InstrumentKind::Crypto,
            lot_size: self.step_size,
            tick_size: self.tick_size,
            reference_price: 0.0,
            expiry: None,
            underlying: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> SymbolRules {
        SymbolRules {
            symbol: "BTCUSDT".into(),
            base_asset: "BTC".into(),
            quote_asset: "USDT".into(),
            min_qty: 0.00001,
            max_qty: 9000.0,
            step_size: 0.00001,
            tick_size: 0.01,
            min_price: 0.01,
            min_notional: 5.0,
        }
    }

    #[test]
    fn lot_tick_and_order_value_are_refused_in_the_contracts_words() {
        let r = btc();
        assert_eq!(r.check(0.001, Some(50_000.0)), Ok(()));
        assert_eq!(
            r.check(0.000015, Some(50_000.0)).unwrap_err().to_string(),
            "Quantity must be in multiples of lot size 0.00001"
        );
        assert_eq!(
            r.check(0.001, Some(50_000.005)).unwrap_err().to_string(),
            "Price must be in multiples of tick size 0.01"
        );
        assert_eq!(
            r.check(0.00002, Some(50_000.0)).unwrap_err().to_string(),
            "Order value 1 is below the minimum order value 5"
        );
        assert_eq!(
            r.check(10_000.0, None).unwrap_err().to_string(),
            "Quantity must be between 0.00001 and 9000"
        );
        assert_eq!(r.check(0.00002, None), Ok(()));
    }
}
