//! ChartInk webhook tokens. ChartInk can send neither a header nor a body field of our choosing,
//! and API keys must never travel in URLs, so a key's owner creates a separate random token that
//! goes into the webhook URL instead. Only its SHA-256 digest is stored. A token maps to one key
//! (at most one token per key) and carries the order settings ChartInk alerts cannot express.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookTokens::Table)
                    .col(
                        ColumnDef::new(WebhookTokens::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::KeyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Digest)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Hint)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Strategy)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Action)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Exchange)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Product)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::Pricetype)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookTokens::Quantity).double().not_null())
                    .col(
                        ColumnDef::new(WebhookTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookTokens::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_tokens_digest")
                    .table(WebhookTokens::Table)
                    .col(WebhookTokens::Digest)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_tokens_key")
                    .table(WebhookTokens::Table)
                    .col(WebhookTokens::KeyId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookTokens {
    Table,
    Id,
    UserId,
    KeyId,
    Digest,
    Hint,
    Strategy,
    Action,
    Exchange,
    Product,
    Pricetype,
    Quantity,
    CreatedAt,
    LastUsedAt,
}
