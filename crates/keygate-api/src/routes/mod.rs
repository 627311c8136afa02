//! One module per resource, each with a `configure` that wires its routes.

pub mod account;
pub mod action_center;
pub mod api_doc;
pub mod brokers;
pub mod collections;
pub mod health;
pub mod keys;
pub mod security;
pub mod setup;
pub mod spa;
pub mod traffic;
pub mod users;
pub mod v1;
pub mod webhooks;
