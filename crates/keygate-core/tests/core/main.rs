//! keygate-core's integration tests (one binary). Each test gets its own fresh database
//! (`keygate_testdb::TestDatabase`: SQLite in a temporary directory, or a new PostgreSQL database
//! when `TEST_DATABASE_URL` is set).

mod brokers;
mod brokers_registry;
mod paper_fleet;
mod paper_ledger;
mod trading;
mod traffic_stats;
mod traffic_store;

use std::sync::Arc;

use chrono::Utc;
use keygate_broker::{engine, InstrumentMaster, Market};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};

/// Inserts a user and returns its id.
pub async fn create_user(db: &DatabaseConnection, username: &str) -> i64 {
    let now = chrono::Utc::now();
    keygate_core::entities::user::ActiveModel {
        username: Set(username.to_owned()),
        password_hash: Set("not-a-real-hash".to_owned()),
        is_admin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert user")
    .id
}

/// The simulated market over the built-in instruments.
pub fn market() -> Arc<Market> {
    let today = Utc::now().with_timezone(&engine::ids::ist()).date_naive();
    let master = InstrumentMaster::builtin(today).expect("instrument data parses");
    Arc::new(Market::new(Arc::new(master), 64))
}
