//! The adapter against the mock exchange: every call, the exchange's refusals, and the
//! client's handling of time, weight, rate limits, stalls and lost answers.

mod account;
mod limits;
mod mock;
mod modify;
mod orders;
mod streams;

use keygate_binance::mock::MockExchange;
use keygate_binance::BinanceSpot;
use keygate_broker::{Action, Exchange, OrderRequest, PriceType, Product};

/// A fresh mock and an adapter on its default key.
pub fn setup() -> (MockExchange, BinanceSpot) {
    let mock = MockExchange::start().expect("mock starts");
    let spot = BinanceSpot::new(mock.config()).expect("client builds");
    (mock, spot)
}

/// A BTCUSDT order request.
pub fn btc(
    action: Action,
    pricetype: PriceType,
    quantity: f64,
    price: f64,
    trigger: f64,
) -> OrderRequest {
    OrderRequest {
        strategy: "test".into(),
        symbol: "BTCUSDT".into(),
        exchange: Exchange::Crypto,
        action,
        pricetype,
        product: Product::Mis,
        quantity,
        price,
        trigger_price: trigger,
        disclosed_quantity: 0,
    }
}
