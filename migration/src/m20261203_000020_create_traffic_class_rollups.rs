//! `traffic_class_rollups`: requests per minute, user, API key, status class and error class,
//! kept by the traffic writer next to the other rollups. The stats read it for the status-class
//! and error-class breakdowns, for the per-key totals and for one key's requests per minute,
//! without scanning the raw log.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let big = |column: TrafficClassRollups| {
            ColumnDef::new(column).big_integer().not_null().to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(TrafficClassRollups::Table)
                    .col(
                        ColumnDef::new(TrafficClassRollups::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big(TrafficClassRollups::Minute))
                    .col(big(TrafficClassRollups::UserId))
                    .col(big(TrafficClassRollups::KeyId))
                    .col(
                        ColumnDef::new(TrafficClassRollups::StatusClass)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrafficClassRollups::ErrorClass)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(big(TrafficClassRollups::Requests))
                    .to_owned(),
            )
            .await?;
        // The writer's upsert key; it leads with user_id (always filtered, -1 holds everyone's
        // totals) and minute, so every stats query reads one contiguous range of it.
        manager
            .create_index(
                Index::create()
                    .name("idx_traffic_class_rollups_key")
                    .table(TrafficClassRollups::Table)
                    .col(TrafficClassRollups::UserId)
                    .col(TrafficClassRollups::Minute)
                    .col(TrafficClassRollups::KeyId)
                    .col(TrafficClassRollups::StatusClass)
                    .col(TrafficClassRollups::ErrorClass)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One key's figures: its rows without walking every other key's.
        manager
            .create_index(
                Index::create()
                    .name("idx_traffic_class_rollups_by_key")
                    .table(TrafficClassRollups::Table)
                    .col(TrafficClassRollups::KeyId)
                    .col(TrafficClassRollups::UserId)
                    .col(TrafficClassRollups::Minute)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrafficClassRollups::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum TrafficClassRollups {
    Table,
    Id,
    Minute,
    UserId,
    KeyId,
    StatusClass,
    ErrorClass,
    Requests,
}
