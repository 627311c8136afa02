//! The credentials vault: a user's named broker connections (`paper`, `binance_spot`).
//!
//! - [`credentials`]: an exchange key pair, parsed once, `Debug` redacted, sealed with the API
//!   keys' Fernet key ring (so `rotate-fernet` re-encrypts it too).
//! - [`exchange`]: the signed check against the exchange (account and API-key restrictions) and
//!   keygate's rules: no key that can withdraw, none that cannot trade spot.
//! - [`store`]: add (checked first; nothing stored when the check fails), list (masked), re-check,
//!   relabel, delete (refused while keys are bound), each with an audit event ([`audit`]).
//! - [`registry`]: the broker a bound key's calls go to (one kept `BinanceSpot` per connection;
//!   paper for unbound keys and the analyzer's sandbox). Not yet wired into the trading service.

pub mod audit;
pub mod credentials;
pub mod exchange;
pub mod input;
pub mod registry;
pub mod store;

pub use credentials::ExchangeCredentials;
pub use input::PAPER_LABEL;
pub use registry::{Brokers, FeedSource};
pub use store::BrokerStore;
