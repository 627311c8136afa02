//! The traffic log's indexes, fitted to its filters and to the writer's cost:
//! - the status filter only needs an index for the rare rows (redirects and errors): a filter on
//!   2xx matches most rows and is served by walking the time index. A partial `(status, ts)` index
//!   replaces the full one and spares the writer an index insert for every successful request,
//!   the bulk of the traffic. The list query repeats the index's `status >= 300` condition
//!   literally, which is what lets SQLite's planner use a partial index;
//! - the path filter gets its `(path, ts)` index: without it, a path that matches nothing walked
//!   every row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_status_ts")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_unusual_status_ts \
             ON traffic_logs (status, ts) WHERE status >= 300",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_path_ts ON traffic_logs (path, ts)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_path_ts")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_unusual_status_ts")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_status_ts ON traffic_logs (status, ts)",
        )
        .await?;
        Ok(())
    }
}
