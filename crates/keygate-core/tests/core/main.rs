//! keygate-core's integration tests (one binary). Each test gets its own fresh database: SQLite in
//! a temporary directory, or a new PostgreSQL database when `TEST_DATABASE_URL` is set.

mod paper_fleet;
mod paper_ledger;
mod trading;
mod traffic_store;

use std::sync::Arc;

use chrono::Utc;
use keygate_broker::{engine, InstrumentMaster, Market};
use keygate_core::db;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection};

/// A fresh, migrated database; keep the guard alive for the test's duration.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates the database and runs the migrations.
    pub async fn create() -> (Self, DatabaseConnection) {
        let (this, conn) = Self::create_empty().await;
        db::migrate(&conn).await.expect("migrations run");
        (this, conn)
    }

    /// Creates the database without running any migration.
    pub async fn create_empty() -> (Self, DatabaseConnection) {
        let this = match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.trim().is_empty() => {
                let name = format!("kgt_core_{:016x}", rand::random::<u64>());
                let admin = db::connect(&base)
                    .await
                    .expect("TEST_DATABASE_URL reachable");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let (prefix, _) = base.rsplit_once('/').expect("URL with a database name");
                Self {
                    url: format!("{prefix}/{name}"),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("core.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
        };
        let conn = this.connect().await;
        (this, conn)
    }

    /// Another connection to the same database (a "restarted" process).
    pub async fn connect(&self) -> DatabaseConnection {
        db::connect(&self.url).await.expect("connect")
    }
}

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
