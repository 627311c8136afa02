//! The one test database helper of the workspace (keygate-tests and keygate-core's own tests use
//! it): each test gets a database nobody else touches, with every migration applied.
//!
//! - SQLite by default: a file in a temporary directory, removed with it.
//! - PostgreSQL when `TEST_DATABASE_URL` names a server (`postgres://postgres@127.0.0.1:5432/test`):
//!   a new database `kgt_<uuid>` on it, dropped when the [`TestDatabase`] is (`WITH (FORCE)`, so
//!   a server the test left running cannot keep it alive).
#![forbid(unsafe_code)]

use keygate_core::db;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A fresh database for one test; keep it alive for the test's duration.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    /// On PostgreSQL: the server's URL (`TEST_DATABASE_URL`) and this database's name, to drop it.
    postgres: Option<(String, String)>,
    /// On SQLite: the directory holding the file.
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A fresh database with every migration applied.
    pub async fn create() -> Self {
        let database = Self::empty().await;
        let conn = database.connect().await;
        db::migrate(&conn).await.expect("migrations run");
        conn.close().await.ok();
        database
    }

    /// A fresh database with no migration run (for tests of the migrations themselves).
    pub async fn empty() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.trim().is_empty() => {
                let name = format!("kgt_{}", uuid::Uuid::new_v4().simple());
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
                    postgres: Some((base, name)),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("keygate.db").display()
                );
                Self {
                    url,
                    postgres: None,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// A new connection pool to it (another one is "a restarted process").
    pub async fn connect(&self) -> DatabaseConnection {
        db::connect(&self.url).await.expect("connect")
    }

    /// Another handle on this database, for a second server on it. It owns nothing (dropping it
    /// drops no database), so the handle it came from must outlive it.
    pub fn beside(&self) -> Self {
        Self {
            url: self.url.clone(),
            postgres: None,
            _dir: None,
        }
    }

    /// True when this run tests PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

impl Drop for TestDatabase {
    /// Drops a PostgreSQL database. A test's runtime may be the one dropping it, and a runtime
    /// cannot be entered twice, so the drop runs on a thread with a runtime of its own.
    fn drop(&mut self) {
        let Some((base, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the drop");
            runtime.block_on(async {
                let admin = db::connect(&base).await?;
                let result = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                admin.close().await.ok();
                result.map(drop)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            // Left behind, not fatal: the next run's databases have new names.
            eprintln!("could not drop the test database (dropping it is only tidiness)");
        }
    }
}
