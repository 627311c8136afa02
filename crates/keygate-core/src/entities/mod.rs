//! sea-orm entities, one file per table. Their columns mirror the migrations in `migration/`.

pub mod api_key;
pub mod api_key_secret;
pub mod broker_connection;
pub mod broker_event;
pub mod ip_ban;
pub mod key_change;
pub mod key_event;
pub mod paper_account;
pub mod paper_holding;
pub mod paper_order;
pub mod paper_position;
pub mod paper_trade;
pub mod paper_user_setting;
pub mod pending_order;
pub mod session;
pub mod traffic_class_rollup;
pub mod traffic_ip_rollup;
pub mod traffic_latency_rollup;
pub mod traffic_log;
pub mod traffic_minute_total;
pub mod traffic_rollup;
pub mod user;
pub mod webhook_delivery;
pub mod webhook_token;
