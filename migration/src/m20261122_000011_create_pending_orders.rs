//! The Action Center's queue: order-changing calls of `semi_auto` keys, kept until their owner
//! approves or rejects them, or they expire. A row keeps the validated request and the ledger that
//! applied when it was queued, and, once decided, the outcome (the broker's order id and status, or
//! the error, or the rejection reason). Expiry is `created_at` + `KEYGATE_PENDING_TTL_SECS`, decided
//! when read, so a changed setting applies to items already queued.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PendingOrders::Table)
                    .col(
                        ColumnDef::new(PendingOrders::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::KeyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::Ledger)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(PendingOrders::Op).string_len(32).not_null())
                    .col(ColumnDef::new(PendingOrders::Body).text().not_null())
                    .col(
                        ColumnDef::new(PendingOrders::ReferencePrice)
                            .double()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::State)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(PendingOrders::Reason).text().null())
                    .col(ColumnDef::new(PendingOrders::Error).text().null())
                    .col(
                        ColumnDef::new(PendingOrders::BrokerOrderId)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::BrokerStatus)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(PendingOrders::Response).text().null())
                    .col(
                        ColumnDef::new(PendingOrders::DecidedBy)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PendingOrders::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pending_orders_user_state")
                    .table(PendingOrders::Table)
                    .col(PendingOrders::UserId)
                    .col(PendingOrders::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pending_orders_state_created")
                    .table(PendingOrders::Table)
                    .col(PendingOrders::State)
                    .col(PendingOrders::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PendingOrders::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PendingOrders {
    Table,
    Id,
    UserId,
    KeyId,
    Ledger,
    Op,
    Body,
    ReferencePrice,
    State,
    Reason,
    Error,
    BrokerOrderId,
    BrokerStatus,
    Response,
    DecidedBy,
    CreatedAt,
    DecidedAt,
}
