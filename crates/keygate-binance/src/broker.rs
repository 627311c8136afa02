//! The `Broker` trait over [`BinanceSpot`].
//!
//! Spot has no margin positions: `positions` is empty and `close_all_positions` closes nothing;
//! balances are `holdings` (every asset but the quote asset, valued at its `ASSETQUOTE` price)
//! and `funds` (the quote asset: free as available cash, locked as used). A reduce-only
//! (`exit_only`) order may only SELL at most the free balance of the base asset; the exchange's
//! own balance check refuses any SELL beyond it, so the check cannot be raced into a short.
//! A modify is Binance's `cancelReplace` (see `modify.rs`): the replacement is a new exchange
//! order, so the modified order answers a new order id.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use keygate_broker::engine::smart::{smart_order, SmartDecision};
use keygate_broker::num::{round2, round_qty};
use keygate_broker::{
    Action, Broker, BrokerError, CancelAllOutcome, CancelFailure, ClientOrderKey, CloseAllOutcome,
    Depth, Exchange, Exposure, Funds, Holding, Instrument, Ledger, ModifyRequest, Order,
    OrderRequest, Position, Product, Quote, ReduceOnlyCheck, RuleViolation, SmartOrderOutcome,
    Trade,
};
use reqwest::Method;

use crate::client::Call;
use crate::errors::Subject;
use crate::orders::{to_order, to_trade, OrderRef};
use crate::reads::{levels, quote_of};
use crate::sign::Params;
use crate::spot::BinanceSpot;
use crate::wire::{ExchangeOrder, ExchangeTrade, OrderBook, TickerPrice};

/// The refusal of the analyzer's ledger.
fn live_only(ledger: Ledger) -> Result<(), BrokerError> {
    match ledger {
        Ledger::Live => Ok(()),
        Ledger::Analyze => Err(BrokerError::Unsupported(
            "The analyzer sandbox always trades on the paper broker: a binance_spot connection serves only the live ledger".into(),
        )),
    }
}

fn crypto_only(symbol: &str, exchange: Exchange) -> Result<(), BrokerError> {
    if exchange == Exchange::Crypto {
        Ok(())
    } else {
        Err(BrokerError::SymbolNotFound {
            symbol: symbol.to_owned(),
            exchange,
        })
    }
}

/// `request` with the side and quantity a smart order decided.
fn with_side(request: OrderRequest, action: Action, quantity: f64) -> OrderRequest {
    OrderRequest {
        action,
        quantity,
        ..request
    }
}

impl BinanceSpot {
    /// What a smart order for `request` would do now: spot's net position in the base asset is
    /// its whole balance, free and locked.
    async fn smart_decision(
        &self,
        request: &OrderRequest,
        position_size: f64,
    ) -> Result<SmartDecision, BrokerError> {
        let (free, locked) = self.base_balance(&request.symbol).await?;
        Ok(smart_order(
            position_size,
            free + locked,
            request.action,
            request.quantity,
        ))
    }
}

impl BinanceSpot {
    /// Places one order on the live ledger after the reduce-only check, its client order id
    /// derived from `key` when given.
    async fn place_checked(
        &self,
        ledger: Ledger,
        request: &OrderRequest,
        exposure: Exposure,
        key: Option<&ClientOrderKey>,
    ) -> Result<Order, BrokerError> {
        live_only(ledger)?;
        if exposure == Exposure::ReduceOnly {
            self.reduce_only(request, 0.0).await?;
        }
        self.place(request, key.map(ClientOrderKey::as_str)).await
    }

    /// The pairs the trade book reads: the configured ones, else `<asset><quote>` for each asset
    /// the account holds that trades against the quote asset.
    async fn trade_book_symbols(&self) -> Result<Vec<String>, BrokerError> {
        let config = self.client.config();
        if !config.symbols.is_empty() {
            return Ok(config.symbols.clone());
        }
        let quote = &config.quote_asset;
        let account = self.account().await?;
        let mut symbols = Vec::new();
        for balance in &account.balances {
            if &balance.asset == quote || balance.free + balance.locked <= 0.0 {
                continue;
            }
            let symbol = format!("{}{quote}", balance.asset);
            match self.rules(&symbol).await {
                Ok(_) => symbols.push(symbol),
                Err(BrokerError::SymbolNotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(symbols)
    }

    /// A smart order: the base asset's balance brought to `position_size`.
    async fn smart(
        &self,
        ledger: Ledger,
        request: OrderRequest,
        position_size: f64,
        exposure: Exposure,
        key: Option<&ClientOrderKey>,
    ) -> Result<SmartOrderOutcome, BrokerError> {
        live_only(ledger)?;
        match self.smart_decision(&request, position_size).await? {
            SmartDecision::Place { action, quantity } => {
                let order = with_side(request, action, quantity);
                Ok(SmartOrderOutcome::Placed(
                    self.place_checked(ledger, &order, exposure, key).await?,
                ))
            }
            SmartDecision::AlreadyMatched => Ok(SmartOrderOutcome::AlreadyMatched),
            SmartDecision::NothingToDo => Ok(SmartOrderOutcome::NothingToDo),
        }
    }
}

#[async_trait]
impl Broker for BinanceSpot {
    fn name(&self) -> &str {
        "binance_spot"
    }

    async fn place_order(
        &self,
        _user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError> {
        self.place_checked(ledger, &request, exposure, None).await
    }

    async fn place_order_keyed(
        &self,
        _user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        exposure: Exposure,
        key: &ClientOrderKey,
    ) -> Result<Order, BrokerError> {
        self.place_checked(ledger, &request, exposure, Some(key))
            .await
    }

    async fn modify_order(
        &self,
        _user_id: i64,
        ledger: Ledger,
        request: ModifyRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError> {
        live_only(ledger)?;
        self.modify(&request, exposure).await
    }

    async fn check_reduce_only(
        &self,
        _user_id: i64,
        ledger: Ledger,
        call: ReduceOnlyCheck<'_>,
    ) -> Result<(), BrokerError> {
        live_only(ledger)?;
        match call {
            ReduceOnlyCheck::Place(request) => self.reduce_only(request, 0.0).await,
            ReduceOnlyCheck::Smart {
                request,
                position_size,
            } => match self.smart_decision(request, position_size).await? {
                SmartDecision::Place { action, quantity } => {
                    self.reduce_only(&with_side(request.clone(), action, quantity), 0.0)
                        .await
                }
                SmartDecision::AlreadyMatched | SmartDecision::NothingToDo => Ok(()),
            },
            ReduceOnlyCheck::Modify(request) => {
                let (old, next) = self.replacement(request).await?;
                self.reduce_only_replacing(&old, &next).await
            }
        }
    }

    async fn cancel_order(
        &self,
        _user_id: i64,
        ledger: Ledger,
        orderid: &str,
    ) -> Result<Order, BrokerError> {
        live_only(ledger)?;
        let r = OrderRef::parse(orderid)?;
        let params = Params::new()
            .with("symbol", &r.symbol)
            .with("orderId", r.order_id);
        let cancelled = self
            .client
            .call::<ExchangeOrder>(&Call::signed(Method::DELETE, "/api/v3/order", 1, params))
            .await
            .map_err(|f| f.into_broker(Subject::Order(orderid)));
        match cancelled {
            Ok(order) => Ok(to_order(&order, "")),
            // -2011 also answers an order that exists but no longer works: say which.
            Err(BrokerError::OrderNotFound(_)) => {
                let order = to_order(&self.exchange_order(&r, orderid).await?, "");
                Err(RuleViolation::CannotCancel(order.order_status).into())
            }
            Err(e) => Err(e),
        }
    }

    async fn cancel_all(
        &self,
        _user_id: i64,
        ledger: Ledger,
    ) -> Result<CancelAllOutcome, BrokerError> {
        live_only(ledger)?;
        let open = self.open_orders().await?;
        let symbols: BTreeSet<&str> = open.iter().map(|o| o.symbol.as_str()).collect();
        let mut outcome = CancelAllOutcome::default();
        for symbol in symbols {
            let call = Call::signed(
                Method::DELETE,
                "/api/v3/openOrders",
                1,
                Params::new().with("symbol", symbol),
            );
            match self.client.call::<Vec<ExchangeOrder>>(&call).await {
                Ok(cancelled) => outcome.canceled_orders.extend(
                    cancelled
                        .iter()
                        .map(|o| OrderRef::id(&o.symbol, o.order_id)),
                ),
                Err(f) => {
                    let message = f.into_broker(Subject::Symbol(symbol)).to_string();
                    outcome.failed_cancellations.extend(
                        open.iter()
                            .filter(|o| o.symbol == symbol)
                            .map(|o| CancelFailure {
                                orderid: OrderRef::id(&o.symbol, o.order_id),
                                message: message.clone(),
                            }),
                    );
                }
            }
        }
        Ok(outcome)
    }

    async fn close_all_positions(
        &self,
        _user_id: i64,
        ledger: Ledger,
    ) -> Result<CloseAllOutcome, BrokerError> {
        live_only(ledger)?;
        Ok(CloseAllOutcome::default())
    }

    async fn order_status(
        &self,
        _user_id: i64,
        ledger: Ledger,
        orderid: &str,
    ) -> Result<Order, BrokerError> {
        live_only(ledger)?;
        let r = OrderRef::parse(orderid)?;
        Ok(to_order(&self.exchange_order(&r, orderid).await?, ""))
    }

    /// The working orders of every pair (Binance lists closed orders only per pair).
    async fn order_book(&self, _user_id: i64, ledger: Ledger) -> Result<Vec<Order>, BrokerError> {
        live_only(ledger)?;
        let mut orders: Vec<Order> = self
            .open_orders()
            .await?
            .iter()
            .map(|o| to_order(o, ""))
            .collect();
        orders.sort_by_key(|o| o.timestamp);
        Ok(orders)
    }

    /// The fills of the connection's configured pairs, else of the pairs of the assets the
    /// account holds (Binance reads fills per pair only).
    async fn trade_book(&self, _user_id: i64, ledger: Ledger) -> Result<Vec<Trade>, BrokerError> {
        live_only(ledger)?;
        let mut trades = Vec::new();
        for symbol in &self.trade_book_symbols().await? {
            let call = Call::signed(
                Method::GET,
                "/api/v3/myTrades",
                20,
                Params::new().with("symbol", symbol),
            );
            let fills: Vec<ExchangeTrade> = self
                .client
                .call(&call)
                .await
                .map_err(|f| f.into_broker(Subject::Symbol(symbol)))?;
            trades.extend(fills.iter().map(to_trade));
        }
        trades.sort_by_key(|t| t.timestamp);
        Ok(trades)
    }

    async fn positions(&self, _user_id: i64, ledger: Ledger) -> Result<Vec<Position>, BrokerError> {
        live_only(ledger)?;
        Ok(Vec::new())
    }

    async fn holdings(&self, _user_id: i64, ledger: Ledger) -> Result<Vec<Holding>, BrokerError> {
        live_only(ledger)?;
        let account = self.account().await?;
        let prices: Vec<TickerPrice> = self
            .client
            .call(&Call::public("/api/v3/ticker/price", 4, Params::new()))
            .await
            .map_err(|f| f.into_broker(Subject::Account))?;
        let prices: HashMap<&str, f64> = prices
            .iter()
            .map(|p| (p.symbol.as_str(), p.price))
            .collect();
        let quote = &self.client.config().quote_asset;
        Ok(account
            .balances
            .iter()
            .filter(|b| &b.asset != quote && b.free + b.locked > 0.0)
            .map(|b| {
                let symbol = format!("{}{quote}", b.asset);
                let quantity = round_qty(b.free + b.locked);
                let ltp = prices.get(symbol.as_str()).copied().unwrap_or(0.0);
                Holding {
                    symbol,
                    exchange: Exchange::Crypto,
                    product: Product::Cnc,
                    quantity,
                    average_price: 0.0,
                    ltp,
                    current_value: round2(quantity * ltp),
                    pnl: 0.0,
                    pnlpercent: 0.0,
                }
            })
            .collect())
    }

    async fn funds(&self, _user_id: i64, ledger: Ledger) -> Result<Funds, BrokerError> {
        live_only(ledger)?;
        let account = self.account().await?;
        let quote = &self.client.config().quote_asset;
        let (free, locked) = account
            .balances
            .iter()
            .find(|b| &b.asset == quote)
            .map_or((0.0, 0.0), |b| (b.free, b.locked));
        Ok(Funds {
            availablecash: round2(free),
            collateral: 0.0,
            m2mrealized: 0.0,
            m2munrealized: 0.0,
            utiliseddebits: round2(locked),
            total_realized_pnl: 0.0,
            grossexposure: 0.0,
            totalpnl: 0.0,
            starting_capital: 0.0,
        })
    }

    async fn quote(&self, symbol: &str, exchange: Exchange) -> Result<Quote, BrokerError> {
        crypto_only(symbol, exchange)?;
        self.rules(symbol).await?;
        Ok(quote_of(&self.ticker(symbol).await?))
    }

    async fn depth(&self, symbol: &str, exchange: Exchange) -> Result<Depth, BrokerError> {
        crypto_only(symbol, exchange)?;
        self.rules(symbol).await?;
        let quote = quote_of(&self.ticker(symbol).await?);
        let book: OrderBook = self
            .client
            .call(&Call::public(
                "/api/v3/depth",
                5,
                Params::new().with("symbol", symbol).with("limit", 5),
            ))
            .await
            .map_err(|f| f.into_broker(Subject::Symbol(symbol)))?;
        let (bids, asks) = (levels(&book.bids)?, levels(&book.asks)?);
        Ok(Depth {
            quote,
            totalbuyqty: round_qty(bids.iter().map(|l| l.quantity).sum()),
            totalsellqty: round_qty(asks.iter().map(|l| l.quantity).sum()),
            bids,
            asks,
        })
    }

    async fn instrument(
        &self,
        symbol: &str,
        exchange: Exchange,
    ) -> Result<Arc<Instrument>, BrokerError> {
        crypto_only(symbol, exchange)?;
        Ok(Arc::new(self.rules(symbol).await?.instrument()))
    }

    /// The net position of a spot pair is the base asset's balance.
    async fn place_smart_order(
        &self,
        _user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        position_size: f64,
        exposure: Exposure,
    ) -> Result<SmartOrderOutcome, BrokerError> {
        self.smart(ledger, request, position_size, exposure, None)
            .await
    }

    async fn place_smart_order_keyed(
        &self,
        _user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        position_size: f64,
        exposure: Exposure,
        key: &ClientOrderKey,
    ) -> Result<SmartOrderOutcome, BrokerError> {
        self.smart(ledger, request, position_size, exposure, Some(key))
            .await
    }
}
