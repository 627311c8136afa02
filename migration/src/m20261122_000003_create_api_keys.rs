//! API keys, their secrets (current and in-grace), the change sequence other processes poll, and the
//! audit trail.

use sea_orm_migration::prelude::*;

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(id(ApiKeys::Id))
                    .col(ColumnDef::new(ApiKeys::UserId).big_integer().not_null())
                    .col(ColumnDef::new(ApiKeys::Name).string_len(64).not_null())
                    .col(ColumnDef::new(ApiKeys::Scopes).string_len(64).not_null())
                    .col(ColumnDef::new(ApiKeys::OrderMode).string_len(16).not_null())
                    .col(ColumnDef::new(ApiKeys::IpAllowlist).text().not_null())
                    .col(
                        ColumnDef::new(ApiKeys::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeys::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeys::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_keys_user_name")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::UserId)
                    .col(ApiKeys::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeySecrets::Table)
                    .col(id(ApiKeySecrets::Id))
                    .col(
                        ColumnDef::new(ApiKeySecrets::KeyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::LookupDigest)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::Argon2Hash)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ApiKeySecrets::Encrypted).text().not_null())
                    .col(
                        ColumnDef::new(ApiKeySecrets::Masked)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::RetiredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::GraceUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeySecrets::LastUsedIp)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(ApiKeySecrets::UsedFrom).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeySecrets::Table, ApiKeySecrets::KeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_key_secrets_lookup_digest")
                    .table(ApiKeySecrets::Table)
                    .col(ApiKeySecrets::LookupDigest)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_key_secrets_key_id")
                    .table(ApiKeySecrets::Table)
                    .col(ApiKeySecrets::KeyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(KeyChanges::Table)
                    .col(id(KeyChanges::Id))
                    .col(ColumnDef::new(KeyChanges::KeyId).big_integer().not_null())
                    .col(
                        ColumnDef::new(KeyChanges::ChangedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(KeyEvents::Table)
                    .col(id(KeyEvents::Id))
                    .col(ColumnDef::new(KeyEvents::KeyId).big_integer().not_null())
                    .col(ColumnDef::new(KeyEvents::UserId).big_integer().not_null())
                    .col(ColumnDef::new(KeyEvents::KeyName).string_len(64).not_null())
                    .col(ColumnDef::new(KeyEvents::Event).string_len(32).not_null())
                    .col(ColumnDef::new(KeyEvents::Actor).string_len(64).not_null())
                    .col(ColumnDef::new(KeyEvents::Ip).string_len(64).null())
                    .col(ColumnDef::new(KeyEvents::Detail).text().null())
                    .col(
                        ColumnDef::new(KeyEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(KeyEvents::Table, KeyEvents::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_key_events_user_id")
                    .table(KeyEvents::Table)
                    .col(KeyEvents::UserId)
                    .col(KeyEvents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            KeyEvents::Table.into_iden(),
            KeyChanges::Table.into_iden(),
            ApiKeySecrets::Table.into_iden(),
            ApiKeys::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
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

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    UserId,
    Name,
    Scopes,
    OrderMode,
    IpAllowlist,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiKeySecrets {
    Table,
    Id,
    KeyId,
    LookupDigest,
    Argon2Hash,
    Encrypted,
    Masked,
    CreatedAt,
    RetiredAt,
    GraceUntil,
    LastUsedAt,
    LastUsedIp,
    UsedFrom,
}

#[derive(DeriveIden)]
enum KeyChanges {
    Table,
    Id,
    KeyId,
    ChangedAt,
}

#[derive(DeriveIden)]
enum KeyEvents {
    Table,
    Id,
    KeyId,
    UserId,
    KeyName,
    Event,
    Actor,
    Ip,
    Detail,
    CreatedAt,
}
