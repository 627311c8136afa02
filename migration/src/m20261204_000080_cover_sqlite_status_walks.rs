//! SQLite's partial status index carries the list filters' columns. A page filtered on a rare
//! status class walks that index one status at a time, in time order (`traffic/query/plan.rs`),
//! and tests the page's other filters on each row it reaches: with only `(status, ts)` in the
//! index, every row was fetched from the table to test its user, key, address, endpoint or
//! error class (2,550 fetches for one user's page of a path's 5xx rows over 1,000,000 rows, 22 ms
//! in the `sqlite3` shell). With those columns in the index SQLite tests them there and fetches
//! only the page's rows (1 ms). `id` follows `ts`, so each walk is in the page's `(ts, id)` order
//! (with the other columns between them, SQLite sorted the rows of each time). The index stays
//! partial, so the writer still adds to it for the rare rows only, and it replaces the old one,
//! so the writer keeps as many indexes as before. PostgreSQL keeps its own (migrations 000030 and
//! 000060).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_unusual_status_cover ON traffic_logs \
             (status, ts, id, user_id, key_id, client_ip, path, error_class) WHERE status >= 300",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_unusual_status_ts")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_traffic_logs_unusual_status_ts \
             ON traffic_logs (status, ts) WHERE status >= 300",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_logs_unusual_status_cover")
            .await?;
        Ok(())
    }
}
