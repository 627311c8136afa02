//! keygate's database migrations. Append-only: a landed migration is never edited; a change is a new
//! file named `mYYYYMMDD_HHMMSS_<verb>_<table>.rs`. Every migration runs on SQLite and PostgreSQL.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_sessions;
mod m20261122_000003_create_api_keys;
mod m20261122_000004_create_traffic_logs;
mod m20261122_000005_create_ip_bans;
mod m20261122_000010_create_paper_ledgers;
mod m20261122_000011_create_pending_orders;
mod m20261122_000012_create_webhook_tokens;
mod m20261122_000013_create_webhook_deliveries;
mod m20261201_000014_rework_traffic_log_indexes;
mod m20261203_000015_add_one_current_secret_index;
mod m20261203_000016_add_case_insensitive_username_index;
mod m20261203_000020_create_traffic_class_rollups;
mod m20261203_000030_tag_pending_order_requests;
mod m20261204_000030_fit_traffic_indexes_to_postgres;
mod m20261204_000040_create_broker_connections;
mod m20261204_000050_add_paper_account_revision;
mod m20261204_000060_fit_traffic_user_pages_to_postgres;
mod m20261204_000070_add_traffic_rollup_spans;
mod m20261204_000080_cover_sqlite_status_walks;

/// Runs keygate's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_sessions::Migration),
            Box::new(m20261122_000003_create_api_keys::Migration),
            Box::new(m20261122_000004_create_traffic_logs::Migration),
            Box::new(m20261122_000005_create_ip_bans::Migration),
            Box::new(m20261122_000010_create_paper_ledgers::Migration),
            Box::new(m20261122_000011_create_pending_orders::Migration),
            Box::new(m20261122_000012_create_webhook_tokens::Migration),
            Box::new(m20261122_000013_create_webhook_deliveries::Migration),
            Box::new(m20261201_000014_rework_traffic_log_indexes::Migration),
            Box::new(m20261203_000015_add_one_current_secret_index::Migration),
            Box::new(m20261203_000016_add_case_insensitive_username_index::Migration),
            Box::new(m20261203_000020_create_traffic_class_rollups::Migration),
            Box::new(m20261203_000030_tag_pending_order_requests::Migration),
            Box::new(m20261204_000030_fit_traffic_indexes_to_postgres::Migration),
            Box::new(m20261204_000040_create_broker_connections::Migration),
            Box::new(m20261204_000050_add_paper_account_revision::Migration),
            Box::new(m20261204_000060_fit_traffic_user_pages_to_postgres::Migration),
            Box::new(m20261204_000070_add_traffic_rollup_spans::Migration),
            Box::new(m20261204_000080_cover_sqlite_status_walks::Migration),
        ]
    }
}
