//! keygate's broker layer.
//!
//! - [`Broker`]: the object-safe trait the API talks to, so real broker adapters can be added
//!   without touching the API. One instance serves every user and both ledgers.
//! - [`instruments`]: the instrument master shipped as data (NSE/BSE equities, indices, generated
//!   NIFTY/BANKNIFTY futures, crypto pairs).
//! - [`market`]: a deterministic simulated market ticking in real time.
//! - [`engine`]: the pure, synchronous paper matching engine over one in-memory account.
//! - [`store`]: the [`LedgerStore`] persistence boundary (the sea-orm implementation lives in
//!   `keygate-core::paper`).
//! - [`paper`]: [`PaperBroker`], the `Broker` over engine + market + store.
#![forbid(unsafe_code)]

mod broker;
pub mod engine;
pub mod error;
pub mod instruments;
pub mod market;
pub mod paper;
pub mod store;
pub mod types;

pub use broker::{Broker, ReduceOnlyCheck, SmartOrderOutcome};
pub use error::{BrokerError, ErrorKind, ReduceOnlyViolation, RuleViolation};
pub use instruments::{Instrument, InstrumentKind, InstrumentMaster};
pub use market::Market;
pub use paper::PaperBroker;
pub use store::{LedgerStore, MemoryStore, SaveOutcome, StoreError};
pub use types::*;
