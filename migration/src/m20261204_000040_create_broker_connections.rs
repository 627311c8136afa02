//! `broker_connections`: a user's named connections to a broker (the credentials vault), their
//! audit trail `broker_events`, and `api_keys.broker_connection_id`, the connection a key trades
//! on (NULL: the user's paper account).
//!
//! The exchange API key and secret are stored only as Fernet tokens (the API keys' key ring, so
//! `keygate secrets rotate-fernet` re-encrypts them too); the masked API key is kept beside them so
//! a list never decrypts. The key's column has no `ON DELETE` action: a connection that keys are
//! bound to cannot be deleted (the store says which keys; the constraint backs it up).

use sea_orm_migration::prelude::*;

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let time = |column: BrokerConnections| {
            ColumnDef::new(column)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        let flag = |column: BrokerConnections| {
            ColumnDef::new(column)
                .boolean()
                .not_null()
                .default(false)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(BrokerConnections::Table)
                    .col(
                        ColumnDef::new(BrokerConnections::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BrokerConnections::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BrokerConnections::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BrokerConnections::Label)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(BrokerConnections::BaseUrl).text().null())
                    .col(
                        ColumnDef::new(BrokerConnections::ApiKeySealed)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BrokerConnections::SecretSealed)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BrokerConnections::ApiKeyMasked)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BrokerConnections::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(BrokerConnections::Reason).text().null())
                    .col(flag(BrokerConnections::PermSpot))
                    .col(flag(BrokerConnections::PermMargin))
                    .col(flag(BrokerConnections::PermFutures))
                    .col(
                        ColumnDef::new(BrokerConnections::CheckedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(time(BrokerConnections::CreatedAt))
                    .col(time(BrokerConnections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrokerConnections::Table, BrokerConnections::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_broker_connections_user_label")
                    .table(BrokerConnections::Table)
                    .col(BrokerConnections::UserId)
                    .col(BrokerConnections::Label)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BrokerEvents::Table)
                    .col(
                        ColumnDef::new(BrokerEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BrokerEvents::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BrokerEvents::ConnectionId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BrokerEvents::Label)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BrokerEvents::Event)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BrokerEvents::Actor)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(BrokerEvents::Ip).string_len(64).null())
                    .col(ColumnDef::new(BrokerEvents::Detail).text().null())
                    .col(
                        ColumnDef::new(BrokerEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrokerEvents::Table, BrokerEvents::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_broker_events_user_id")
                    .table(BrokerEvents::Table)
                    .col(BrokerEvents::UserId)
                    .col(BrokerEvents::Id)
                    .to_owned(),
            )
            .await?;

        // sea-query cannot add a foreign key to an existing SQLite table; this statement is the
        // same on both databases (SQLite accepts a REFERENCES column whose default is NULL).
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE api_keys ADD COLUMN broker_connection_id BIGINT NULL \
                 REFERENCES broker_connections (id) ON DELETE NO ACTION",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_keys_broker_connection_id")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::BrokerConnectionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_api_keys_broker_connection_id")
                    .table(ApiKeys::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiKeys::Table)
                    .drop_column(ApiKeys::BrokerConnectionId)
                    .to_owned(),
            )
            .await?;
        for table in [
            BrokerEvents::Table.into_iden(),
            BrokerConnections::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BrokerConnections {
    Table,
    Id,
    UserId,
    Kind,
    Label,
    BaseUrl,
    ApiKeySealed,
    SecretSealed,
    ApiKeyMasked,
    Status,
    Reason,
    PermSpot,
    PermMargin,
    PermFutures,
    CheckedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BrokerEvents {
    Table,
    Id,
    UserId,
    ConnectionId,
    Label,
    Event,
    Actor,
    Ip,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    BrokerConnectionId,
}
