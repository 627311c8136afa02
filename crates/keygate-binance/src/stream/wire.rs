//! The market-stream messages, parsed once into these types: combined-stream envelopes
//! (`{"stream":"btcusdt@ticker","data":{...}}`), the `@ticker` and `@depth5` payloads, and the
//! live `SUBSCRIBE` / `UNSUBSCRIBE` requests and their replies.

use serde::{Deserialize, Serialize};

use crate::wire::decimal_text;

/// `<symbol>@ticker`: the rolling 24-hour ticker (every second).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct TickerEvent {
    /// Always `24hrTicker`.
    #[serde(rename = "e")]
    pub event: String,
    /// Event time, epoch ms.
    #[serde(rename = "E")]
    pub time: i64,
    /// The pair (`BTCUSDT`).
    #[serde(rename = "s")]
    pub symbol: String,
    /// Last price.
    #[serde(rename = "c", with = "decimal_text")]
    pub last: f64,
    /// Last quantity.
    #[serde(rename = "Q", with = "decimal_text")]
    pub last_qty: f64,
    /// Best bid.
    #[serde(rename = "b", with = "decimal_text")]
    pub bid: f64,
    /// Best ask.
    #[serde(rename = "a", with = "decimal_text")]
    pub ask: f64,
    /// Open of the window.
    #[serde(rename = "o", with = "decimal_text")]
    pub open: f64,
    /// High.
    #[serde(rename = "h", with = "decimal_text")]
    pub high: f64,
    /// Low.
    #[serde(rename = "l", with = "decimal_text")]
    pub low: f64,
    /// Last price before the window (the feed's `close`).
    #[serde(rename = "x", with = "decimal_text")]
    pub prev_close: f64,
    /// Base volume.
    #[serde(rename = "v", with = "decimal_text")]
    pub volume: f64,
}

/// `<symbol>@depth5@100ms`: the top five levels (the payload does not name the pair; the
/// envelope's stream name does).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartialDepth {
    /// The book's update id.
    pub last_update_id: u64,
    /// Bids, best first, `[price, quantity]`.
    pub bids: Vec<(String, String)>,
    /// Asks, best first.
    pub asks: Vec<(String, String)>,
}

/// A stream payload.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Payload {
    /// `@ticker`.
    Ticker(TickerEvent),
    /// `@depth5@100ms`.
    Depth(PartialDepth),
}

/// A combined-stream message.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Envelope {
    /// The stream's name (`btcusdt@ticker`).
    pub stream: String,
    /// Its payload.
    pub data: Payload,
}

/// A live request on the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Method {
    /// Add streams.
    Subscribe,
    /// Drop streams.
    Unsubscribe,
}

/// `{"method":"SUBSCRIBE","params":["btcusdt@ticker"],"id":1}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Request {
    /// What to do.
    pub method: Method,
    /// The stream names.
    pub params: Vec<String>,
    /// Echoed in the reply.
    pub id: u64,
}

/// The error of a refused request.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct StreamError {
    /// Binance's code.
    pub code: i64,
    /// Its message.
    pub msg: String,
}

/// The reply to a [`Request`]: `{"result":null,"id":1}` or `{"error":{...},"id":1}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Reply {
    /// `null` on success.
    #[serde(default)]
    pub result: Option<Vec<String>>,
    /// Set when the request was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<StreamError>,
    /// The request's id.
    pub id: u64,
}

/// Anything the server sends as text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Incoming {
    /// Market data.
    Data(Envelope),
    /// A reply to a request.
    Reply(Reply),
}
