//! Domain types shared by the `Broker` trait, the engine and (later) the API: the contract's
//! enumerations, orders and trades, account views and market data. Field names are the contract's
//! wire names, so the API can serialise these directly (adding only the envelope).

mod account;
mod client_order;
mod enums;
mod market;
pub mod num;
mod orders;

pub use account::{CancelAllOutcome, CancelFailure, CloseAllOutcome, Funds, Holding, Position};
pub use client_order::{ClientOrderKey, InvalidRequestId, RequestId, REQUEST_ID_MAX};
pub use enums::{
    Action, Exchange, Ledger, OrderStatus, PriceType, Product, Segment, UnknownVariant,
};
pub use market::{Depth, DepthLevel, Quote};
pub use orders::{Exposure, ModifyRequest, Order, OrderRequest, Trade};
