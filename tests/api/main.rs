//! keygate's integration tests: one binary, one module per area.

mod admin;
mod argon2_cost;
mod bans;
mod cli;
mod config;
mod csrf;
mod errors;
mod health;
mod key_isolation;
mod key_verification;
mod keys_create;
mod keys_lifecycle;
mod keys_update;
mod multi_process;
mod openapi;
mod process;
mod rate_limits;
mod sessions;
mod setup;
mod traffic_log;
