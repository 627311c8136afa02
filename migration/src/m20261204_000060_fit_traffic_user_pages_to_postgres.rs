//! Two more traffic indexes fitted to PostgreSQL's planner (measured with `EXPLAIN ANALYZE` over
//! 1,000,000 rows, see docs/PERFORMANCE.md); SQLite keeps the indexes it has:
//! - one user's log page filtered on a path and an error status walked migration 000030's partial
//!   `(path, ts)` index backwards and fetched every row of that path from the table to test its
//!   user and status (2,110 rows for 51 matches, 15.7 ms). A `(user_id, path, ts, status)` index
//!   of the rows with status >= 300 starts at the user's rows of that path, in time order, and
//!   tests the status inside the index, so only the matches are fetched (0.7 ms). Like the other
//!   partial indexes it spares the writer an insert for every successful request;
//! - the stats' breakdowns (per API key, status class and error class) read every per-minute row
//!   of `traffic_class_rollups` in the range, and since no index held `requests`, PostgreSQL read
//!   the whole table in a parallel sequential scan (79 ms). The writer's unique key gets
//!   `INCLUDE (requests)`, so the range is read from the index alone; it stays the upsert's
//!   conflict target (the included column is not part of the key) and replaces the old key index,
//!   so the writer keeps as many indexes as before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_unusual_user_path_ts ON traffic_logs \
             (user_id, path, ts, status) WHERE status >= 300",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_traffic_class_rollups_key_cover \
             ON traffic_class_rollups (user_id, minute, key_id, status_class, error_class) \
             INCLUDE (requests)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_class_rollups_key")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_traffic_class_rollups_key \
             ON traffic_class_rollups (user_id, minute, key_id, status_class, error_class)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_class_rollups_key_cover")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_unusual_user_path_ts")
            .await?;
        Ok(())
    }
}
