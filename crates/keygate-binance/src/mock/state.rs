//! The mock exchange's account: balances, pairs, orders and fills, with Binance's rules for
//! placing and cancelling (filters, balances, duplicate client ids) and its error shapes.

use std::collections::BTreeMap;

use crate::filters::SymbolRules;
use crate::wire::{
    ApiErrorBody, ApiRestrictions, Balance, ExchangeOrder, ExchangeStatus, ExchangeTrade, Filter,
    OrderType, Side, SymbolInfo,
};

/// An error answer: HTTP status and Binance's `{"code","msg"}` body.
#[derive(Debug, Clone, PartialEq)]
pub struct MockError {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: ApiErrorBody,
}

impl MockError {
    /// A 400 with this code and message.
    pub fn bad(code: i64, msg: impl Into<String>) -> Self {
        Self::with_status(400, code, msg)
    }

    /// Any status with this code and message.
    pub fn with_status(status: u16, code: i64, msg: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiErrorBody::new(code, msg),
        }
    }
}

/// One pair the mock trades, with its book's touch.
#[derive(Debug, Clone)]
pub struct MockPair {
    /// `exchangeInfo`'s entry.
    pub info: SymbolInfo,
    /// The filters as the adapter reads them (the mock checks the same figures).
    pub rules: SymbolRules,
    /// Last price.
    pub last: f64,
    /// Best bid.
    pub bid: f64,
    /// Best ask.
    pub ask: f64,
}

impl MockPair {
    /// A pair with these filters around `last` (bid/ask one tick either side).
    pub fn new(
        base: &str,
        quote: &str,
        step: f64,
        tick: f64,
        min_notional: f64,
        last: f64,
    ) -> Self {
        let info = SymbolInfo {
            symbol: format!("{base}{quote}"),
            status: "TRADING".into(),
            base_asset: base.into(),
            quote_asset: quote.into(),
            filters: vec![
                Filter::PriceFilter {
                    min_price: tick,
                    max_price: 1_000_000.0,
                    tick_size: tick,
                },
                Filter::LotSize {
                    min_qty: step,
                    max_qty: 9_000.0,
                    step_size: step,
                },
                Filter::Notional { min_notional },
            ],
        };
        let rules = SymbolRules::from_info(&info);
        Self {
            info,
            rules,
            last,
            bid: last - tick,
            ask: last + tick,
        }
    }
}

/// A key the mock accepts.
#[derive(Debug, Clone)]
pub struct MockKey {
    /// Its secret.
    pub secret: String,
    /// What it may do.
    pub restrictions: ApiRestrictions,
}

/// The whole exchange state.
#[derive(Debug, Default)]
pub struct Book {
    /// Asset → (free, locked).
    pub balances: BTreeMap<String, (f64, f64)>,
    /// Pairs by symbol.
    pub pairs: BTreeMap<String, MockPair>,
    /// Every order ever accepted.
    pub orders: Vec<ExchangeOrder>,
    /// Every fill.
    pub trades: Vec<ExchangeTrade>,
    /// Order id → (asset, amount) a working order holds locked.
    held: BTreeMap<u64, (String, f64)>,
    next_id: u64,
}

/// A new order as the mock parsed it.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// Pair.
    pub symbol: String,
    /// Side.
    pub side: Side,
    /// Type.
    pub order_type: OrderType,
    /// Quantity.
    pub quantity: f64,
    /// Limit price (LIMIT, STOP_LOSS_LIMIT).
    pub price: Option<f64>,
    /// Stop price (STOP_LOSS, STOP_LOSS_LIMIT).
    pub stop_price: Option<f64>,
    /// Client id.
    pub client_id: String,
}

fn filter_failure(name: &str) -> MockError {
    MockError::bad(-1013, format!("Filter failure: {name}"))
}

fn on_grid(x: f64, base: f64, step: f64) -> bool {
    keygate_broker::num::is_multiple(x - base, step)
}

impl Book {
    /// The pair, or `-1121 Invalid symbol.`
    pub fn pair(&self, symbol: &str) -> Result<&MockPair, MockError> {
        self.pairs
            .get(symbol)
            .ok_or_else(|| MockError::bad(-1121, "Invalid symbol."))
    }

    /// Balances as `/api/v3/account` lists them.
    pub fn balances(&self) -> Vec<Balance> {
        self.balances
            .iter()
            .map(|(asset, (free, locked))| Balance {
                asset: asset.clone(),
                free: *free,
                locked: *locked,
            })
            .collect()
    }

    fn free(&self, asset: &str) -> f64 {
        self.balances.get(asset).map_or(0.0, |b| b.0)
    }

    fn adjust(&mut self, asset: &str, free: f64, locked: f64) {
        let b = self.balances.entry(asset.to_owned()).or_default();
        b.0 = keygate_broker::num::round_qty(b.0 + free);
        b.1 = keygate_broker::num::round_qty(b.1 + locked);
    }

    /// Places an order with Binance's checks; fills MARKET and marketable LIMIT orders at the touch.
    pub fn place(&mut self, o: NewOrder, now: i64) -> Result<ExchangeOrder, MockError> {
        let pair = self.pair(&o.symbol)?.clone();
        let r = &pair.rules;
        if self
            .orders
            .iter()
            .any(|x| x.client_order_id == o.client_id && working(x.status))
        {
            return Err(MockError::bad(-2010, "Duplicate order sent."));
        }
        if o.quantity < r.min_qty
            || o.quantity > r.max_qty
            || !on_grid(o.quantity, r.min_qty, r.step_size)
        {
            return Err(filter_failure("LOT_SIZE"));
        }
        for p in [o.price, o.stop_price].into_iter().flatten() {
            if p < r.min_price || !on_grid(p, r.min_price, r.tick_size) {
                return Err(filter_failure("PRICE_FILTER"));
            }
        }
        let touch = match o.side {
            Side::Buy => pair.ask,
            Side::Sell => pair.bid,
        };
        let price = o.price.unwrap_or(touch);
        if price * o.quantity < r.min_notional {
            return Err(filter_failure("NOTIONAL"));
        }
        let (base, quote) = (r.base_asset.clone(), r.quote_asset.clone());
        let (asset, need) = match o.side {
            Side::Buy => (&quote, price * o.quantity),
            Side::Sell => (&base, o.quantity),
        };
        if self.free(asset) + 1e-9 < need {
            return Err(MockError::bad(
                -2010,
                "Account has insufficient balance for requested action.",
            ));
        }
        self.next_id += 1;
        let fills = match o.order_type {
            OrderType::Market => true,
            OrderType::Limit => match o.side {
                Side::Buy => price >= pair.ask,
                Side::Sell => price <= pair.bid,
            },
            _ => false,
        };
        let mut order = ExchangeOrder {
            symbol: o.symbol.clone(),
            order_id: self.next_id,
            client_order_id: o.client_id,
            price: o.price.unwrap_or(0.0),
            orig_qty: o.quantity,
            executed_qty: 0.0,
            cummulative_quote_qty: 0.0,
            status: ExchangeStatus::New,
            order_type: o.order_type,
            side: o.side,
            stop_price: Some(o.stop_price.unwrap_or(0.0)),
            time: Some(now),
            update_time: Some(now),
            transact_time: Some(now),
        };
        if fills {
            let value = touch * o.quantity;
            match o.side {
                Side::Buy => {
                    self.adjust(&quote, -value, 0.0);
                    self.adjust(&base, o.quantity, 0.0);
                }
                Side::Sell => {
                    self.adjust(&base, -o.quantity, 0.0);
                    self.adjust(&quote, value, 0.0);
                }
            }
            order.status = ExchangeStatus::Filled;
            order.executed_qty = o.quantity;
            order.cummulative_quote_qty = value;
            self.trades.push(ExchangeTrade {
                symbol: o.symbol,
                id: self.next_id,
                order_id: self.next_id,
                price: touch,
                qty: o.quantity,
                quote_qty: value,
                time: now,
                is_buyer: o.side == Side::Buy,
            });
        } else {
            self.adjust(asset, -need, need);
            self.held.insert(order.order_id, (asset.clone(), need));
        }
        self.orders.push(order.clone());
        Ok(order)
    }

    /// The order named by id or client id.
    pub fn find(&self, symbol: &str, id: Option<u64>, client: Option<&str>) -> Option<usize> {
        self.orders.iter().position(|o| {
            o.symbol == symbol
                && (id == Some(o.order_id) || client.is_some_and(|c| c == o.client_order_id))
        })
    }

    /// Cancels a working order, releasing what it held.
    pub fn cancel(&mut self, index: usize, now: i64) -> Result<ExchangeOrder, MockError> {
        let order = self.orders[index].clone();
        if !working(order.status) {
            return Err(MockError::bad(-2011, "Unknown order sent."));
        }
        if let Some((asset, held)) = self.held.remove(&order.order_id) {
            self.adjust(&asset, held, -held);
        }
        let o = &mut self.orders[index];
        o.status = ExchangeStatus::Canceled;
        o.update_time = Some(now);
        o.transact_time = Some(now);
        Ok(o.clone())
    }
}

/// True while an order can still fill or be cancelled.
pub fn working(status: ExchangeStatus) -> bool {
    matches!(
        status,
        ExchangeStatus::New | ExchangeStatus::PartiallyFilled | ExchangeStatus::PendingNew
    )
}
