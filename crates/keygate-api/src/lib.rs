//! keygate's HTTP layer: actix-web wiring ([`startup`]), who is calling ([`auth`]), one module per
//! resource ([`routes`]), the error envelope ([`error`]) and the OpenAPI document ([`openapi`]).
#![forbid(unsafe_code)]

pub mod auth;
pub mod client_ip;
pub mod error;
pub mod errors_config;
pub mod login_limit;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod state;

pub use startup::Application;
