//! API keys: generation and derived forms ([`secret`]), what a key allows ([`policy`]), managing
//! keys ([`store`]), verifying them on every call ([`verify`]) against the in-memory set of live
//! digests ([`digests`]), keeping processes in step ([`changes`]), last-used tracking ([`usage`])
//! and the audit trail ([`audit`]).

pub mod audit;
pub mod changes;
mod digests;
pub mod policy;
pub mod rotation;
pub mod secret;
pub mod store;
pub mod usage;
pub mod verify;

pub use audit::Actor;
pub use policy::{Permission, Scopes};
pub use secret::{KeyCrypto, PlainApiKey};
pub use store::KeyStore;
pub use usage::UsageRecorder;
pub use verify::{CacheHits, Identity, KeyVerifier, Refusal};
