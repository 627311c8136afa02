//! `traffic_class_rollups`: requests per minute, user, API key, status class and error class,
//! kept by the traffic writer next to the other rollups. The stats read it for the status-class
//! and error-class breakdowns, for the per-key totals and for one key's requests per minute,
//! without scanning the raw log.
//!
//! The rows already logged are added up once here, so the breakdowns of older ranges agree with
//! their totals (each request counted for its user, 0 when unknown, and for everyone, -1).

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
            .await?;
        let db = manager.get_connection();
        // A constant in GROUP BY would read as a column number: everyone's rows group without it.
        for (user, by_user) in [
            ("COALESCE(user_id, 0)", "COALESCE(user_id, 0), "),
            ("-1", ""),
        ] {
            db.execute_unprepared(&format!(
                "INSERT INTO traffic_class_rollups \
                 (user_id, minute, key_id, status_class, error_class, requests) \
                 SELECT {user}, ts / 60000, COALESCE(key_id, 0), status / 100, \
                 COALESCE(error_class, ''), COUNT(*) FROM traffic_logs \
                 GROUP BY {by_user}ts / 60000, COALESCE(key_id, 0), status / 100, \
                 COALESCE(error_class, '')"
            ))
            .await?;
        }
        Ok(())
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
