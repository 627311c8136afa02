//! keygate's HTTP layer: actix-web wiring ([`startup`]), who is calling ([`auth`]), one module per
//! resource ([`routes`]), the error envelope ([`error`]) and the OpenAPI document ([`openapi`]).
#![forbid(unsafe_code)]

pub mod auth;
pub mod body_deadline;
pub mod body_encoding;
pub mod client_ip;
pub mod collections;
pub mod error;
pub mod errors_config;
pub mod ip_governor;
pub mod json;
pub mod login_limit;
pub mod metrics;
pub mod openalgo;
pub mod openapi;
pub mod rate_limit;
pub mod request_id;
pub mod request_path;
pub mod route_class;
pub mod routes;
pub mod security_headers;
pub mod shared_limit;
pub mod startup;
pub mod state;
pub mod traffic_log;
pub mod ws;

pub use startup::Application;
