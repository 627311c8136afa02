//! Where the traffic writer puts rows (raw rows plus their rollups), and purging old ones.
//!
//! The writer's hot loop (tens of thousands of rows a second under load) takes the fastest path
//! each backend offers, on connections of its own: on SQLite prepared multi-row statements
//! ([`sqlite`]), on PostgreSQL a binary `COPY` and array-bound rollup upserts ([`postgres`]).

mod postgres;
mod sqlite;

use std::borrow::Cow;

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
};

use postgres::PgStore;

use super::TrafficRecord;
use crate::db;
use crate::entities::{
    traffic_class_rollup, traffic_ip_rollup, traffic_latency_rollup, traffic_log,
    traffic_minute_total, traffic_rollup,
};
use sqlite::SqliteStore;

/// The traffic writer's way into the database.
#[derive(Debug, Clone)]
pub enum TrafficStore {
    /// The SQLite file, through a connection of the writer's own.
    Sqlite(SqliteStore),
    /// PostgreSQL, through a connection of the writer's own.
    Postgres(PgStore),
}

impl TrafficStore {
    /// The store for `db`, opened from `url` (the migrated database `db` is connected to).
    pub fn open(db: DatabaseConnection, url: &str) -> Result<Self, DbErr> {
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                let file = db::sqlite_file(url).ok_or_else(|| {
                    DbErr::Custom(
                        "the traffic log needs a SQLite file, not an in-memory database".into(),
                    )
                })?;
                Ok(Self::Sqlite(SqliteStore::open(file.as_ref())?))
            }
            DbBackend::Postgres => Ok(Self::Postgres(PgStore::open(url)?)),
            DbBackend::MySql => Err(DbErr::Custom("MySQL is not supported".into())),
        }
    }

    /// How many writes may run at once when `connections` are allowed: on PostgreSQL that many,
    /// each on a connection of its own; SQLite takes one writer at a time.
    pub fn concurrent_writes(&self, connections: usize) -> usize {
        match self {
            Self::Sqlite(_) => 1,
            Self::Postgres(_) => connections.max(1),
        }
    }

    /// Inserts `rows` and adds them to the rollups, in one transaction (so the raw rows and the
    /// rollups never disagree). The writer hands its batches over whole (`Vec`); a borrowed
    /// batch is copied where it must cross to another thread.
    pub async fn write<'a>(&self, rows: impl Into<Cow<'a, [TrafficRecord]>>) -> Result<(), DbErr> {
        let rows = rows.into();
        if rows.is_empty() {
            return Ok(());
        }
        match self {
            // The rows cross to a blocking thread: a borrowed batch is copied (inline strings, no
            // allocation each; a few percent of writing it).
            Self::Sqlite(store) => store.write(rows.into_owned()).await,
            Self::Postgres(store) => store.write(&rows).await,
        }
    }
}

/// Deletes rows (and rollups) older than `days` days; returns how many raw rows went. A roll-up
/// block goes once all of it is older: a block that the cutoff cuts keeps counting its older
/// requests, so a range that reads it still adds up to the blocks inside it.
pub async fn purge_older_than(db: &impl ConnectionTrait, days: u32) -> Result<u64, DbErr> {
    let cutoff_ms = chrono::Utc::now().timestamp_millis() - i64::from(days) * 86_400_000;
    let cutoff_minute = cutoff_ms.div_euclid(60_000);
    let cutoff_hour = cutoff_ms.div_euclid(3_600_000);
    let removed = traffic_log::Entity::delete_many()
        .filter(traffic_log::Column::Ts.lt(cutoff_ms))
        .exec(db)
        .await?
        .rows_affected;
    traffic_rollup::Entity::delete_many()
        .filter(ended(
            traffic_rollup::Column::Minute,
            traffic_rollup::Column::Span,
            cutoff_minute,
        ))
        .exec(db)
        .await?;
    traffic_class_rollup::Entity::delete_many()
        .filter(ended(
            traffic_class_rollup::Column::Minute,
            traffic_class_rollup::Column::Span,
            cutoff_minute,
        ))
        .exec(db)
        .await?;
    traffic_latency_rollup::Entity::delete_many()
        .filter(ended(
            traffic_latency_rollup::Column::Hour,
            traffic_latency_rollup::Column::Span,
            cutoff_hour,
        ))
        .exec(db)
        .await?;
    traffic_ip_rollup::Entity::delete_many()
        .filter(ended(
            traffic_ip_rollup::Column::Hour,
            traffic_ip_rollup::Column::Span,
            cutoff_hour,
        ))
        .exec(db)
        .await?;
    traffic_minute_total::Entity::delete_many()
        .filter(traffic_minute_total::Column::Minute.lt(cutoff_minute))
        .exec(db)
        .await?;
    Ok(removed)
}

/// Blocks that end by `cutoff`: `start + span <= cutoff`.
fn ended<C: ColumnTrait>(start: C, span: C, cutoff: i64) -> SimpleExpr {
    Expr::expr(Expr::col(start).add(Expr::col(span))).lte(cutoff)
}
