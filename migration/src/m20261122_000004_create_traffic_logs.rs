//! The traffic log: one row per request (`traffic_logs`), and the rollups the stats read, so stats
//! over a million requests read thousands of rows, not a million: requests per minute, user and
//! endpoint (`traffic_rollups`), and per hour the latency histogram per endpoint
//! (`traffic_latency_rollups`) and requests per client IP (`traffic_ip_rollups`). Times are Unix
//! milliseconds, minutes and hours in `BIGINT`s: the same comparisons and bucketing work on SQLite
//! and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrafficLogs::Table)
                    .col(id(TrafficLogs::Id))
                    .col(ColumnDef::new(TrafficLogs::Ts).big_integer().not_null())
                    .col(
                        ColumnDef::new(TrafficLogs::Method)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(TrafficLogs::Path).string_len(255).not_null())
                    .col(ColumnDef::new(TrafficLogs::Status).integer().not_null())
                    .col(
                        ColumnDef::new(TrafficLogs::DurationUs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLogs::ClientIp)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(TrafficLogs::UserId).big_integer().null())
                    .col(ColumnDef::new(TrafficLogs::KeyId).big_integer().null())
                    .col(
                        ColumnDef::new(TrafficLogs::RequestId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLogs::ErrorClass)
                            .string_len(32)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Newest-first listing pages by (ts, id); each filter has an index that ends in ts.
        for (name, cols) in [
            (
                "idx_traffic_logs_ts",
                vec![TrafficLogs::Ts, TrafficLogs::Id],
            ),
            (
                "idx_traffic_logs_user_ts",
                vec![TrafficLogs::UserId, TrafficLogs::Ts],
            ),
            (
                "idx_traffic_logs_key_ts",
                vec![TrafficLogs::KeyId, TrafficLogs::Ts],
            ),
            (
                "idx_traffic_logs_ip_ts",
                vec![TrafficLogs::ClientIp, TrafficLogs::Ts],
            ),
            (
                "idx_traffic_logs_status_ts",
                vec![TrafficLogs::Status, TrafficLogs::Ts],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(TrafficLogs::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TrafficRollups::Table)
                    .col(id(TrafficRollups::Id))
                    .col(
                        ColumnDef::new(TrafficRollups::Minute)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficRollups::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficRollups::Method)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficRollups::Path)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficRollups::Requests)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficRollups::Errors)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficRollups::ServerErrors)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // The unique key (for the writer's upserts) and the stats' covering indexes all lead with
        // user_id: the stats always filter on it (-1 holds everyone's totals), then read the groups
        // in index order without sorting and without touching the table.
        create_index(
            manager,
            "idx_traffic_rollups_key",
            TrafficRollups::Table,
            true,
            [
                TrafficRollups::UserId,
                TrafficRollups::Method,
                TrafficRollups::Path,
                TrafficRollups::Minute,
            ],
        )
        .await?;
        create_index(
            manager,
            "idx_traffic_rollups_endpoint",
            TrafficRollups::Table,
            false,
            [
                TrafficRollups::UserId,
                TrafficRollups::Method,
                TrafficRollups::Path,
                TrafficRollups::Minute,
                TrafficRollups::Requests,
                TrafficRollups::Errors,
                TrafficRollups::ServerErrors,
            ],
        )
        .await?;
        create_index(
            manager,
            "idx_traffic_rollups_minute",
            TrafficRollups::Table,
            false,
            [
                TrafficRollups::UserId,
                TrafficRollups::Minute,
                TrafficRollups::Requests,
                TrafficRollups::Errors,
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrafficLatencyRollups::Table)
                    .col(id(TrafficLatencyRollups::Id))
                    .col(
                        ColumnDef::new(TrafficLatencyRollups::Hour)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLatencyRollups::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLatencyRollups::Method)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLatencyRollups::Path)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLatencyRollups::LatBucket)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficLatencyRollups::Requests)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_traffic_latency_rollups_key",
            TrafficLatencyRollups::Table,
            true,
            [
                TrafficLatencyRollups::UserId,
                TrafficLatencyRollups::Method,
                TrafficLatencyRollups::Path,
                TrafficLatencyRollups::LatBucket,
                TrafficLatencyRollups::Hour,
            ],
        )
        .await?;
        create_index(
            manager,
            "idx_traffic_latency_rollups_cover",
            TrafficLatencyRollups::Table,
            false,
            [
                TrafficLatencyRollups::UserId,
                TrafficLatencyRollups::Method,
                TrafficLatencyRollups::Path,
                TrafficLatencyRollups::LatBucket,
                TrafficLatencyRollups::Hour,
                TrafficLatencyRollups::Requests,
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrafficIpRollups::Table)
                    .col(id(TrafficIpRollups::Id))
                    .col(
                        ColumnDef::new(TrafficIpRollups::Hour)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficIpRollups::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficIpRollups::ClientIp)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficIpRollups::Requests)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_traffic_ip_rollups_key",
            TrafficIpRollups::Table,
            true,
            [
                TrafficIpRollups::UserId,
                TrafficIpRollups::ClientIp,
                TrafficIpRollups::Hour,
            ],
        )
        .await?;
        create_index(
            manager,
            "idx_traffic_ip_rollups_cover",
            TrafficIpRollups::Table,
            false,
            [
                TrafficIpRollups::UserId,
                TrafficIpRollups::ClientIp,
                TrafficIpRollups::Hour,
                TrafficIpRollups::Requests,
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TrafficIpRollups::Table.into_iden(),
            TrafficLatencyRollups::Table.into_iden(),
            TrafficRollups::Table.into_iden(),
            TrafficLogs::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_index<T: IntoIden + Copy + 'static, const N: usize>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    unique: bool,
    cols: [T; N],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

/// A 64-bit auto-increment primary key (SQLite turns it into its rowid alias).
fn id(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum TrafficLogs {
    Table,
    Id,
    Ts,
    Method,
    Path,
    Status,
    DurationUs,
    ClientIp,
    UserId,
    KeyId,
    RequestId,
    ErrorClass,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrafficRollups {
    Table,
    Id,
    Minute,
    UserId,
    Method,
    Path,
    Requests,
    Errors,
    ServerErrors,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrafficLatencyRollups {
    Table,
    Id,
    Hour,
    UserId,
    Method,
    Path,
    LatBucket,
    Requests,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrafficIpRollups {
    Table,
    Id,
    Hour,
    UserId,
    ClientIp,
    Requests,
}
