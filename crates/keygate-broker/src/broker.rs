//! The `Broker` trait: everything `/api/v1` needs from a broker. Object-safe (`Arc<dyn Broker>`),
//! so the API holds one broker for all users; account calls name the user and the ledger.

use std::sync::Arc;

use async_trait::async_trait;

use crate::engine::smart::{smart_order, SmartDecision};
use crate::error::BrokerError;
use crate::instruments::Instrument;
use crate::types::{
    CancelAllOutcome, ClientOrderKey, CloseAllOutcome, Depth, Exchange, Exposure, Funds, Holding,
    Ledger, ModifyRequest, Order, OrderRequest, Position, Quote, Trade,
};

/// What a smart order did (§5.3).
#[derive(Debug, Clone, PartialEq)]
pub enum SmartOrderOutcome {
    /// An order was placed.
    Placed(Order),
    /// The position already matches the target: `Positions Already Matched. No Action needed.`
    AlreadyMatched,
    /// Target and position are 0 and quantity is 0: `No OpenPosition Found. Not placing Exit order.`
    NothingToDo,
}

/// An order-changing call to test against the reduce-only rule without running it (a queued
/// call's early refusal; running it with [`Exposure::ReduceOnly`] checks again, atomically).
#[derive(Debug, Clone, Copy)]
pub enum ReduceOnlyCheck<'a> {
    /// A new order.
    Place(&'a OrderRequest),
    /// The order a smart order would place to reach `position_size`.
    Smart {
        /// The smart order's fields.
        request: &'a OrderRequest,
        /// Its target net position.
        position_size: f64,
    },
    /// A working order as the modify would change it.
    Modify(&'a ModifyRequest),
}

/// A broker: orders, account views and market data. Account calls take the user and the ledger
/// (`Live` or `Analyze`); market data is the same for everyone.
#[async_trait]
pub trait Broker: Send + Sync {
    /// The broker's name as the API reports it (e.g. `"paper"`).
    fn name(&self) -> &str;

    /// Places an order. A request that breaks a rule is refused (`Rule`) without being stored; one
    /// that is stored as rejected answers `Rejected` with its id. With [`Exposure::ReduceOnly`]
    /// an order that would not only reduce a position is refused (`ReduceOnly`), checked
    /// atomically with the placement.
    async fn place_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError>;

    /// Changes the price type, quantity, price and trigger price of a working order. With
    /// [`Exposure::ReduceOnly`] the changed order must still only reduce the position.
    async fn modify_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: ModifyRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError>;

    /// Whether the call would pass the reduce-only rule now; changes nothing. `ReduceOnly` when
    /// it would not.
    async fn check_reduce_only(
        &self,
        user_id: i64,
        ledger: Ledger,
        call: ReduceOnlyCheck<'_>,
    ) -> Result<(), BrokerError>;

    /// Cancels a working order.
    async fn cancel_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        orderid: &str,
    ) -> Result<Order, BrokerError>;

    /// Cancels every working order.
    async fn cancel_all(
        &self,
        user_id: i64,
        ledger: Ledger,
    ) -> Result<CancelAllOutcome, BrokerError>;

    /// Squares off every open position with MARKET orders in the same product.
    async fn close_all_positions(
        &self,
        user_id: i64,
        ledger: Ledger,
    ) -> Result<CloseAllOutcome, BrokerError>;

    /// One order.
    async fn order_status(
        &self,
        user_id: i64,
        ledger: Ledger,
        orderid: &str,
    ) -> Result<Order, BrokerError>;

    /// Every order, oldest first.
    async fn order_book(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Order>, BrokerError>;

    /// Every trade, oldest first.
    async fn trade_book(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Trade>, BrokerError>;

    /// Positions valued at current prices (closed ones listed with quantity 0).
    async fn positions(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Position>, BrokerError>;

    /// CNC holdings valued at current prices.
    async fn holdings(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Holding>, BrokerError>;

    /// Funds and margin use.
    async fn funds(&self, user_id: i64, ledger: Ledger) -> Result<Funds, BrokerError>;

    /// A quote.
    async fn quote(&self, symbol: &str, exchange: Exchange) -> Result<Quote, BrokerError>;

    /// 5-level market depth.
    async fn depth(&self, symbol: &str, exchange: Exchange) -> Result<Depth, BrokerError>;

    /// Looks an instrument up; unknown symbols answer `SymbolNotFound` (the contract's 400 text).
    async fn instrument(
        &self,
        symbol: &str,
        exchange: Exchange,
    ) -> Result<Arc<Instrument>, BrokerError>;

    /// §5.3: brings the net position of (symbol, exchange, product) to `position_size`, placing at
    /// most one order (checked as `exposure` says). Provided in terms of `positions` and
    /// `place_order`; a broker that can should read the position and place under one lock.
    async fn place_smart_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        position_size: f64,
        exposure: Exposure,
    ) -> Result<SmartOrderOutcome, BrokerError> {
        let current = self
            .positions(user_id, ledger)
            .await?
            .iter()
            .find(|p| {
                p.symbol == request.symbol
                    && p.exchange == request.exchange
                    && p.product == request.product
            })
            .map_or(0.0, |p| p.quantity);
        match smart_order(position_size, current, request.action, request.quantity) {
            SmartDecision::Place { action, quantity } => {
                let order = OrderRequest {
                    action,
                    quantity,
                    ..request
                };
                Ok(SmartOrderOutcome::Placed(
                    self.place_order(user_id, ledger, order, exposure).await?,
                ))
            }
            SmartDecision::AlreadyMatched => Ok(SmartOrderOutcome::AlreadyMatched),
            SmartDecision::NothingToDo => Ok(SmartOrderOutcome::NothingToDo),
        }
    }
    /// [`Broker::place_order`] named by `key`: a broker with client order ids (an exchange)
    /// derives the order's from it and answers the order already placed under it instead of
    /// placing again. Provided as `place_order`: the paper broker has nothing to retry (its
    /// placement never times out half-way), and an Action Center item is claimed only once.
    async fn place_order_keyed(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        exposure: Exposure,
        _key: &ClientOrderKey,
    ) -> Result<Order, BrokerError> {
        self.place_order(user_id, ledger, request, exposure).await
    }

    /// [`Broker::place_smart_order`] whose order (if any) is named by `key`, as in
    /// [`Broker::place_order_keyed`].
    async fn place_smart_order_keyed(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        position_size: f64,
        exposure: Exposure,
        _key: &ClientOrderKey,
    ) -> Result<SmartOrderOutcome, BrokerError> {
        self.place_smart_order(user_id, ledger, request, position_size, exposure)
            .await
    }
}
