//! Longer blocks in the traffic roll-ups, so stats over a day read tens of rows per group instead
//! of 1,440 minutes (see docs/PERFORMANCE.md):
//! - each roll-up gains `span`, its block's length in the table's unit, and keeps blocks of every
//!   length side by side: minutes, hours, four hours and days in `traffic_rollups` and
//!   `traffic_class_rollups` (units of minutes), hours, four hours and days in
//!   `traffic_latency_rollups` and `traffic_ip_rollups` (units of hours). The rows there were
//!   blocks of one unit (`span` 1), and the longer blocks are added up from them here;
//! - `traffic_minute_totals` holds requests per minute and user over every endpoint, for the
//!   per-minute series, which read ten endpoint rows per minute before;
//! - each roll-up's unique key (the writer's upsert target) now leads with `(user_id, span, start)`,
//!   so a block range is one contiguous index range. On PostgreSQL it `INCLUDE`s the counts, so the
//!   stats read the index alone; the covering indexes it replaces are dropped, and the writer
//!   maintains fewer indexes per roll-up row than before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A roll-up table: its start column, its longer spans (in its unit), its grouping columns, its
/// counts, and the indexes it had.
struct Rollup {
    table: &'static str,
    start: &'static str,
    spans: &'static [i64],
    groups: &'static str,
    counts: &'static [&'static str],
    old_indexes: &'static [&'static str],
}

const ROLLUPS: [Rollup; 4] = [
    Rollup {
        table: "traffic_rollups",
        start: "minute",
        spans: &[60, 240, 1440],
        groups: "method, path",
        counts: &["requests", "errors", "server_errors"],
        old_indexes: &[
            "idx_traffic_rollups_key",
            "idx_traffic_rollups_endpoint",
            "idx_traffic_rollups_minute",
            "idx_traffic_rollups_minute_cover",
        ],
    },
    Rollup {
        table: "traffic_class_rollups",
        start: "minute",
        spans: &[60, 240, 1440],
        groups: "key_id, status_class, error_class",
        counts: &["requests"],
        old_indexes: &[
            "idx_traffic_class_rollups_key",
            "idx_traffic_class_rollups_key_cover",
            "idx_traffic_class_rollups_by_key",
        ],
    },
    Rollup {
        table: "traffic_latency_rollups",
        start: "hour",
        spans: &[4, 24],
        groups: "method, path, lat_bucket",
        counts: &["requests"],
        old_indexes: &[
            "idx_traffic_latency_rollups_key",
            "idx_traffic_latency_rollups_cover",
        ],
    },
    Rollup {
        table: "traffic_ip_rollups",
        start: "hour",
        spans: &[4, 24],
        groups: "client_ip",
        counts: &["requests"],
        old_indexes: &["idx_traffic_ip_rollups_key", "idx_traffic_ip_rollups_cover"],
    },
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let db = manager.get_connection();
        for r in &ROLLUPS {
            let Rollup {
                table,
                start,
                groups,
                ..
            } = r;
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD COLUMN span BIGINT NOT NULL DEFAULT 1"
            ))
            .await?;
            for index in r.old_indexes {
                db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                    .await?;
            }
            let include = if postgres {
                format!(" INCLUDE ({})", r.counts.join(", "))
            } else {
                String::new()
            };
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX idx_{table}_span_key ON {table} \
                 (user_id, span, {start}, {groups}){include}"
            ))
            .await?;
            let sums = r
                .counts
                .iter()
                .map(|c| format!("SUM({c})"))
                .collect::<Vec<_>>()
                .join(", ");
            for span in r.spans {
                db.execute_unprepared(&format!(
                    "INSERT INTO {table} (user_id, span, {start}, {groups}, {counts}) \
                     SELECT user_id, {span}, {start} / {span} * {span}, {groups}, {sums} \
                     FROM {table} WHERE span = 1 GROUP BY user_id, {start} / {span}, {groups}",
                    counts = r.counts.join(", "),
                ))
                .await?;
            }
        }
        // One key's figures (its per-minute series) without walking every other key's rows.
        db.execute_unprepared(
            "CREATE INDEX idx_traffic_class_rollups_by_key ON traffic_class_rollups \
             (key_id, user_id, span, minute)",
        )
        .await?;

        let big = |column: TrafficMinuteTotals| {
            ColumnDef::new(column).big_integer().not_null().to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(TrafficMinuteTotals::Table)
                    .col(
                        ColumnDef::new(TrafficMinuteTotals::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big(TrafficMinuteTotals::UserId))
                    .col(big(TrafficMinuteTotals::Minute))
                    .col(big(TrafficMinuteTotals::Requests))
                    .col(big(TrafficMinuteTotals::Errors))
                    .col(big(TrafficMinuteTotals::ServerErrors))
                    .to_owned(),
            )
            .await?;
        let include = if postgres {
            " INCLUDE (requests, errors, server_errors)"
        } else {
            ""
        };
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX idx_traffic_minute_totals_key ON traffic_minute_totals \
             (user_id, minute){include}"
        ))
        .await?;
        db.execute_unprepared(
            "INSERT INTO traffic_minute_totals (user_id, minute, requests, errors, server_errors) \
             SELECT user_id, minute, SUM(requests), SUM(errors), SUM(server_errors) \
             FROM traffic_rollups WHERE span = 1 GROUP BY user_id, minute",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .drop_table(Table::drop().table(TrafficMinuteTotals::Table).to_owned())
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_traffic_class_rollups_by_key")
            .await?;
        for Rollup { table, .. } in &ROLLUPS {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS idx_{table}_span_key"))
                .await?;
            db.execute_unprepared(&format!("DELETE FROM {table} WHERE span <> 1"))
                .await?;
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN span"))
                .await?;
        }
        // The indexes of before, as migrations 000004, 000020, 000030 and 000060 left them.
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let mut indexes = vec![
            "CREATE UNIQUE INDEX idx_traffic_rollups_key ON traffic_rollups \
             (user_id, method, path, minute)",
            "CREATE INDEX idx_traffic_rollups_endpoint ON traffic_rollups \
             (user_id, method, path, minute, requests, errors, server_errors)",
            "CREATE INDEX idx_traffic_class_rollups_by_key ON traffic_class_rollups \
             (key_id, user_id, minute)",
            "CREATE UNIQUE INDEX idx_traffic_latency_rollups_key ON traffic_latency_rollups \
             (user_id, method, path, lat_bucket, hour)",
            "CREATE INDEX idx_traffic_latency_rollups_cover ON traffic_latency_rollups \
             (user_id, method, path, lat_bucket, hour, requests)",
            "CREATE UNIQUE INDEX idx_traffic_ip_rollups_key ON traffic_ip_rollups \
             (user_id, client_ip, hour)",
            "CREATE INDEX idx_traffic_ip_rollups_cover ON traffic_ip_rollups \
             (user_id, client_ip, hour, requests)",
        ];
        indexes.extend(if postgres {
            [
                "CREATE INDEX idx_traffic_rollups_minute_cover ON traffic_rollups \
                 (user_id, minute) INCLUDE (requests, errors, server_errors)",
                "CREATE UNIQUE INDEX idx_traffic_class_rollups_key_cover ON traffic_class_rollups \
                 (user_id, minute, key_id, status_class, error_class) INCLUDE (requests)",
            ]
        } else {
            [
                "CREATE INDEX idx_traffic_rollups_minute ON traffic_rollups \
                 (user_id, minute, requests, errors)",
                "CREATE UNIQUE INDEX idx_traffic_class_rollups_key ON traffic_class_rollups \
                 (user_id, minute, key_id, status_class, error_class)",
            ]
        });
        for sql in indexes {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum TrafficMinuteTotals {
    Table,
    Id,
    UserId,
    Minute,
    Requests,
    Errors,
    ServerErrors,
}
