//! Wire types (request and response bodies) shared by the keygate server and its Yew front end.
//!
//! This crate depends on neither actix nor sea-orm, so the WASM single-page app decodes exactly the
//! JSON the server encodes. With the `openapi` feature every type also derives `utoipa::ToSchema`.
#![forbid(unsafe_code)]

pub mod account;
pub mod action_center;
pub mod error;
pub mod keys;
pub mod system;
pub mod traffic;

pub use error::ErrorBody;
