//! The single reads the `Broker` impl is built from: an order, the open orders, a pair's
//! 24-hour ticker and the base asset's balance, the reduce-only rule of spot, and the
//! conversions of tickers and book levels.

use keygate_broker::num::round_qty;
use keygate_broker::{
    Action, BrokerError, DepthLevel, Exchange, OrderRequest, Quote, ReduceOnlyViolation,
};
use reqwest::Method;

use crate::client::Call;
use crate::errors::Subject;
use crate::orders::OrderRef;
use crate::sign::Params;
use crate::spot::BinanceSpot;
use crate::wire::{ExchangeOrder, Ticker24h};

impl BinanceSpot {
    pub(crate) async fn exchange_order(
        &self,
        r: &OrderRef,
        orderid: &str,
    ) -> Result<ExchangeOrder, BrokerError> {
        let params = Params::new()
            .with("symbol", &r.symbol)
            .with("orderId", r.order_id);
        self.client
            .call(&Call::signed(Method::GET, "/api/v3/order", 4, params))
            .await
            .map_err(|f| f.into_broker(Subject::Order(orderid)))
    }

    pub(crate) async fn open_orders(&self) -> Result<Vec<ExchangeOrder>, BrokerError> {
        self.client
            .call(&Call::signed(
                Method::GET,
                "/api/v3/openOrders",
                80,
                Params::new(),
            ))
            .await
            .map_err(|f| f.into_broker(Subject::Account))
    }

    pub(crate) async fn ticker(&self, symbol: &str) -> Result<Ticker24h, BrokerError> {
        self.client
            .call(&Call::public(
                "/api/v3/ticker/24hr",
                2,
                Params::new().with("symbol", symbol),
            ))
            .await
            .map_err(|f| f.into_broker(Subject::Symbol(symbol)))
    }

    /// Free and locked balance of the pair's base asset.
    pub(crate) async fn base_balance(&self, symbol: &str) -> Result<(f64, f64), BrokerError> {
        let rules = self.rules(symbol).await?;
        let account = self.account().await?;
        Ok(account
            .balances
            .iter()
            .find(|b| b.asset == rules.base_asset)
            .map_or((0.0, 0.0), |b| (b.free, b.locked)))
    }

    /// Spot's reduce-only rule: a SELL of at most the free base balance, plus `released` (what
    /// an order this one replaces holds and gives back first).
    pub(crate) async fn reduce_only(
        &self,
        request: &OrderRequest,
        released: f64,
    ) -> Result<(), BrokerError> {
        let (free, locked) = self.base_balance(&request.symbol).await?;
        if request.action == Action::Sell && request.quantity <= free + released + 1e-12 {
            return Ok(());
        }
        Err(BrokerError::ReduceOnly(ReduceOnlyViolation {
            action: request.action,
            quantity: request.quantity,
            symbol: request.symbol.clone(),
            exchange: request.exchange,
            product: request.product,
            net: round_qty(free + locked),
            working: locked,
        }))
    }
}

pub(crate) fn quote_of(t: &Ticker24h) -> Quote {
    Quote {
        symbol: t.symbol.clone(),
        exchange: Exchange::Crypto,
        ltp: t.last_price,
        bid: t.bid_price,
        ask: t.ask_price,
        open: t.open_price,
        high: t.high_price,
        low: t.low_price,
        prev_close: t.prev_close_price,
        volume: t.volume,
        ltq: t.last_qty,
        oi: 0.0,
        timestamp: t.close_time,
    }
}

pub(crate) fn levels(side: &[(String, String)]) -> Result<Vec<DepthLevel>, BrokerError> {
    side.iter()
        .take(5)
        .map(
            |(price, quantity)| match (price.parse::<f64>(), quantity.parse::<f64>()) {
                (Ok(price), Ok(quantity)) => Ok(DepthLevel {
                    price,
                    quantity,
                    orders: 0,
                }),
                _ => Err(BrokerError::Unavailable(
                    "depth: a level is not a number".into(),
                )),
            },
        )
        .collect()
}
