//! keygate's domain layer: configuration and secrets, the database (entities and connection), and the
//! services that hold the business rules. Nothing here knows about HTTP; the API crate maps these
//! services' errors to responses.
#![forbid(unsafe_code)]

pub mod action_center;
pub mod ban_monitor;
pub mod bans;
pub mod brokers;
pub mod config;
pub mod db;
pub mod entities;
pub mod error;
pub mod ip_group;
pub mod keys;
pub mod paper;
pub mod password;
pub mod per_thread;
pub mod random;
pub mod sessions;
pub mod trading;
pub mod traffic;
pub mod users;

pub use config::Settings;
pub use error::CoreError;
