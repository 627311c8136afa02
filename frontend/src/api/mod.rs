//! Talking to the keygate server: the only module that imports gloo-net.
//!
//! One async function per endpoint, named after what it does. State-changing calls after sign-in
//! take the session's CSRF token; setup and login do not need one.

mod client;
mod error;

pub mod action_center;
pub mod auth;
pub mod brokers;
pub mod keys;
pub mod playground;
pub mod traffic;
pub mod users;
pub mod webhooks;

pub use error::{field_errors, ApiError};
