//! Two traffic indexes fitted to PostgreSQL's planner (measured with `EXPLAIN ANALYZE` over
//! 1,000,000 rows, see docs/PERFORMANCE.md); SQLite keeps the indexes it has, which its planner
//! already uses well:
//! - requests per minute (the stats' per-minute series) group one user's per-minute rollup rows by
//!   minute. The existing `(user_id, minute, requests, errors)` index lacks `server_errors`, so
//!   PostgreSQL read the rows by the endpoint index and sorted them by minute. A
//!   `(user_id, minute) INCLUDE (requests, errors, server_errors)` index answers it from the
//!   index alone, already in minute order, and replaces the old one;
//! - a log page filtered on a path and an error status walked the time index through a thousand
//!   rows per match. A `(path, ts)` index of the rows with status >= 300 (the rare ones, so the
//!   writer adds to it for a few percent of the requests) finds them directly; the list query
//!   already states `status >= 300` for such filters.

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
            "CREATE INDEX IF NOT EXISTS idx_traffic_rollups_minute_cover ON traffic_rollups \
             (user_id, minute) INCLUDE (requests, errors, server_errors)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_rollups_minute")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_unusual_path_ts ON traffic_logs \
             (path, ts) WHERE status >= 300",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_unusual_path_ts")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_rollups_minute ON traffic_rollups \
             (user_id, minute, requests, errors)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_rollups_minute_cover")
            .await?;
        Ok(())
    }
}
