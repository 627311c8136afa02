//! Binance's response bodies, parsed once into these types. Decimal fields arrive as strings
//! (`"0.00100000"`) and are read into `f64` by [`decimal`].

use serde::{Deserialize, Deserializer};

/// Reads one of Binance's decimal strings.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let text = <&str>::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// A decimal string both ways, for `#[serde(with = "decimal_text")]`: read by [`decimal`],
/// written by [`as_decimal`].
pub mod decimal_text {
    pub use super::{as_decimal as serialize, decimal as deserialize};
}

/// An error body: `{"code":-1022,"msg":"Signature for this request is not valid."}`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct ApiErrorBody {
    /// Binance's error code (negative).
    pub code: i64,
    /// Its message.
    pub msg: String,
    /// What each part of a failed `cancelReplace` did (`-2021`, `-2022`); absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<CancelReplaceParts>>,
}

impl ApiErrorBody {
    /// A plain error body (no `data`).
    pub fn new(code: i64, msg: impl Into<String>) -> Self {
        Self {
            code,
            msg: msg.into(),
            data: None,
        }
    }
}

/// How one part (the cancel, the new order) of a `cancelReplace` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartResult {
    /// Done.
    Success,
    /// Refused (its response is an error body).
    Failure,
    /// Not tried (`STOP_ON_FAILURE` after a failed cancel).
    NotAttempted,
}

/// A part's response: the order, or the error that refused it.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(untagged)]
pub enum PartResponse {
    /// The part was refused.
    Refused(ApiErrorBody),
    /// The order cancelled or placed.
    Done(Box<ExchangeOrder>),
}

/// `POST /api/v3/order/cancelReplace`: the answer when both parts succeeded, and the `data` of
/// its errors (where a part not attempted has a `null` response).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CancelReplaceParts {
    /// The cancel of the old order.
    pub cancel_result: PartResult,
    /// The placement of the new one.
    pub new_order_result: PartResult,
    /// The cancelled order, or why the cancel was refused.
    pub cancel_response: Option<PartResponse>,
    /// The new order, or why it was refused.
    pub new_order_response: Option<PartResponse>,
}

/// `GET /api/v3/time`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerTime {
    /// Server time, epoch ms.
    pub server_time: i64,
}

/// An order's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Side {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
}

/// The order types this adapter sends or reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    /// At the market.
    Market,
    /// At a price or better.
    Limit,
    /// A market order once the stop price is reached.
    StopLoss,
    /// A limit order once the stop price is reached.
    StopLossLimit,
    /// A LIMIT that is refused if it would trade at once.
    LimitMaker,
    /// A take-profit market order.
    TakeProfit,
    /// A take-profit limit order.
    TakeProfitLimit,
}

/// An order's state on the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExchangeStatus {
    /// Accepted by the engine, not yet working.
    PendingNew,
    /// Working.
    New,
    /// Partly filled, still working.
    PartiallyFilled,
    /// Filled.
    Filled,
    /// Cancelled by the user.
    Canceled,
    /// Being cancelled.
    PendingCancel,
    /// Refused by the engine.
    Rejected,
    /// Expired (time in force or the exchange).
    Expired,
    /// Expired by self-trade prevention.
    ExpiredInMatch,
}

/// An order as `/api/v3/order` (GET, POST with `newOrderRespType=RESULT`, DELETE) and
/// `/api/v3/openOrders` return it.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeOrder {
    /// The pair.
    pub symbol: String,
    /// The exchange's id (unique per symbol).
    pub order_id: u64,
    /// The client id sent with `newClientOrderId`.
    pub client_order_id: String,
    /// Limit price (0 for MARKET).
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub price: f64,
    /// Ordered quantity.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub orig_qty: f64,
    /// Filled quantity.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub executed_qty: f64,
    /// Quote asset spent or received.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub cummulative_quote_qty: f64,
    /// State.
    pub status: ExchangeStatus,
    /// Type.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Side.
    pub side: Side,
    /// Stop price (0 unless a stop order); absent on some responses.
    #[serde(
        default,
        deserialize_with = "decimal_opt",
        serialize_with = "as_decimal_opt"
    )]
    pub stop_price: Option<f64>,
    /// Creation time, epoch ms (GET and openOrders).
    #[serde(default)]
    pub time: Option<i64>,
    /// Last change, epoch ms (GET and openOrders).
    #[serde(default)]
    pub update_time: Option<i64>,
    /// Time of the placement or cancel, epoch ms (POST and DELETE).
    #[serde(default)]
    pub transact_time: Option<i64>,
}

fn decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    decimal(d).map(Some)
}

/// Writes a decimal the way Binance does (a string).
pub fn as_decimal<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{x:.8}"))
}

fn as_decimal_opt<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    as_decimal(&x.unwrap_or(0.0), s)
}

/// One fill of `GET /api/v3/myTrades`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeTrade {
    /// The pair.
    pub symbol: String,
    /// Trade id.
    pub id: u64,
    /// The order it filled.
    pub order_id: u64,
    /// Price.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub price: f64,
    /// Quantity.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub qty: f64,
    /// Price × quantity.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub quote_qty: f64,
    /// Epoch ms.
    pub time: i64,
    /// True when the account bought.
    pub is_buyer: bool,
}

/// One asset of `GET /api/v3/account`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct Balance {
    /// Asset code (`BTC`).
    pub asset: String,
    /// Free to trade.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub free: f64,
    /// Held by working orders.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub locked: f64,
}

/// `GET /api/v3/account` (the fields used here).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The account may trade.
    pub can_trade: bool,
    /// The account may withdraw (account-wide; the key's own right is in [`ApiRestrictions`]).
    pub can_withdraw: bool,
    /// `SPOT`, `MARGIN`, ...
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Balances.
    pub balances: Vec<Balance>,
}

/// `GET /sapi/v1/account/apiRestrictions` (the fields used here).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ApiRestrictions {
    /// Only whitelisted IPs may use the key.
    #[serde(default)]
    pub ip_restrict: bool,
    /// The key may withdraw.
    pub enable_withdrawals: bool,
    /// The key may trade spot and margin.
    pub enable_spot_and_margin_trading: bool,
    /// The key may use margin.
    #[serde(default)]
    pub enable_margin: bool,
    /// The key may trade futures.
    #[serde(default)]
    pub enable_futures: bool,
}

/// `GET /api/v3/ticker/24hr?symbol=`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Ticker24h {
    /// The pair.
    pub symbol: String,
    /// Last price.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub last_price: f64,
    /// Last quantity.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub last_qty: f64,
    /// Best bid.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub bid_price: f64,
    /// Best ask.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub ask_price: f64,
    /// Open 24 h ago.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub open_price: f64,
    /// High.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub high_price: f64,
    /// Low.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub low_price: f64,
    /// Close before the window.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub prev_close_price: f64,
    /// Base volume.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub volume: f64,
    /// Epoch ms of the window's end.
    pub close_time: i64,
}

/// `GET /api/v3/ticker/price` (every pair).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct TickerPrice {
    /// The pair.
    pub symbol: String,
    /// Last price.
    #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
    pub price: f64,
}

/// `GET /api/v3/depth`: levels as `[price, quantity]` string pairs.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct OrderBook {
    /// Bids, best first.
    pub bids: Vec<(String, String)>,
    /// Asks, best first.
    pub asks: Vec<(String, String)>,
}

/// `GET /api/v3/exchangeInfo`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ExchangeInfo {
    /// The pairs asked for.
    pub symbols: Vec<SymbolInfo>,
}

/// One pair of `exchangeInfo`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolInfo {
    /// The pair.
    pub symbol: String,
    /// `TRADING`, `BREAK`, ...
    pub status: String,
    /// Base asset.
    pub base_asset: String,
    /// Quote asset.
    pub quote_asset: String,
    /// Its filters (those not listed in [`Filter`] are kept as `Other`).
    pub filters: Vec<Filter>,
}

/// An exchange filter.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(tag = "filterType", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Filter {
    /// Price range and tick.
    #[serde(rename_all = "camelCase")]
    PriceFilter {
        /// Lowest price (0: none).
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        min_price: f64,
        /// Highest price (0: none).
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        max_price: f64,
        /// Tick (0: none).
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        tick_size: f64,
    },
    /// Quantity range and step.
    #[serde(rename_all = "camelCase")]
    LotSize {
        /// Smallest quantity.
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        min_qty: f64,
        /// Largest quantity.
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        max_qty: f64,
        /// Step.
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        step_size: f64,
    },
    /// The older minimum order value.
    #[serde(rename_all = "camelCase")]
    MinNotional {
        /// Minimum price × quantity.
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        min_notional: f64,
    },
    /// The newer order value range.
    #[serde(rename_all = "camelCase")]
    Notional {
        /// Minimum price × quantity.
        #[serde(deserialize_with = "decimal", serialize_with = "as_decimal")]
        min_notional: f64,
    },
    /// Any other filter (not checked here; the exchange still enforces it).
    #[serde(other)]
    Other,
}
