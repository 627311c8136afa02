//! keygate's Binance spot adapter: [`BinanceSpot`] implements keygate-broker's `Broker` trait
//! over Binance's Spot REST API for one connection (one API key pair), for the `Live` ledger
//! only (the analyzer sandbox stays on the paper broker).
//!
//! - [`config`]: the connection's settings; the secret is an [`ApiSecret`] (`Debug` redacted).
//! - [`sign`]: the signed query string and its HMAC-SHA256 signature.
//! - `client`: the server-time offset, the request-weight budget and `Retry-After`.
//! - `spot` / `broker`: the calls, and the trait mapped onto them.
//! - `modify`: modify as `cancelReplace` (the old order cancelled, its replacement placed).
//! - [`filters`]: LOT_SIZE, PRICE_FILTER and (MIN_)NOTIONAL checked before an order is sent.
//! - [`stream`]: market data from the exchange's WebSocket market streams.
//! - [`validate`]: what a key may do; a vault refuses keys that can withdraw or cannot trade spot.
//! - `mock` (feature `mock`): an in-memory Binance REST API and market streams for tests.
#![forbid(unsafe_code)]

mod broker;
mod client;
pub mod config;
mod errors;
pub mod filters;
mod modify;
pub mod orders;
mod reads;
pub mod sign;
mod spot;
pub mod stream;
pub mod validate;
pub mod wire;

#[cfg(feature = "mock")]
pub mod mock;

pub use config::{ApiSecret, BinanceConfig, PRODUCTION_URL, TESTNET_URL};
pub use spot::BinanceSpot;
pub use validate::{KeyPermissions, KeyRefusal};
