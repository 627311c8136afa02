//! The paper broker's ledgers: per user and ledger (`live` | `analyze`) an account row (funds and
//! the order-id sequence), its orders, trades, positions and CNC holdings; plus the per-user
//! analyzer flag. Money and quantities are DOUBLE (crypto quantities are fractional); enums are
//! stored in their wire spelling. Every row belongs to a user and goes when the user goes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn double<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).double().not_null().to_owned()
}

fn text<T: IntoIden>(col: T, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn time<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn owner<T: IntoIden + Clone + 'static>(table: T, col: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn unique<T: IntoIden + Clone + 'static>(
    name: &str,
    table: T,
    cols: Vec<T>,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for c in cols {
        index.col(c);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use PaperAccounts as A;
        use PaperHoldings as H;
        use PaperOrders as O;
        use PaperPositions as P;
        use PaperTrades as T;
        manager
            .create_table(
                Table::create()
                    .table(PaperUserSettings::Table)
                    .col(
                        ColumnDef::new(PaperUserSettings::UserId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PaperUserSettings::AnalyzeMode)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(time(PaperUserSettings::UpdatedAt))
                    .foreign_key(&mut owner(
                        PaperUserSettings::Table,
                        PaperUserSettings::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(id(A::Id))
                    .col(ColumnDef::new(A::UserId).big_integer().not_null())
                    .col(text(A::Ledger, 16))
                    .col(double(A::StartingCapital))
                    .col(double(A::AvailableCash))
                    .col(double(A::UsedMargin))
                    .col(double(A::RealizedPnl))
                    .col(ColumnDef::new(A::OrderSeq).big_integer().not_null())
                    .col(time(A::CreatedAt))
                    .col(time(A::UpdatedAt))
                    .foreign_key(&mut owner(A::Table, A::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "idx_paper_accounts_user_ledger",
                A::Table,
                vec![A::UserId, A::Ledger],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(O::Table)
                    .col(id(O::Id))
                    .col(ColumnDef::new(O::UserId).big_integer().not_null())
                    .col(text(O::Ledger, 16))
                    .col(text(O::Orderid, 32))
                    .col(text(O::Strategy, 255))
                    .col(text(O::Symbol, 64))
                    .col(text(O::Exchange, 16))
                    .col(text(O::Action, 8))
                    .col(text(O::Pricetype, 8))
                    .col(text(O::Product, 8))
                    .col(double(O::Quantity))
                    .col(double(O::Price))
                    .col(double(O::TriggerPrice))
                    .col(
                        ColumnDef::new(O::DisclosedQuantity)
                            .big_integer()
                            .not_null(),
                    )
                    .col(text(O::OrderStatus, 16))
                    .col(double(O::FilledQuantity))
                    .col(double(O::PendingQuantity))
                    .col(double(O::AveragePrice))
                    .col(double(O::BlockedMargin))
                    .col(ColumnDef::new(O::RejectionReason).text().null())
                    .col(time(O::CreatedAt))
                    .col(time(O::UpdatedAt))
                    .foreign_key(&mut owner(O::Table, O::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "idx_paper_orders_user_ledger_orderid",
                O::Table,
                vec![O::UserId, O::Ledger, O::Orderid],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_paper_orders_status")
                    .table(O::Table)
                    .col(O::OrderStatus)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(id(T::Id))
                    .col(ColumnDef::new(T::UserId).big_integer().not_null())
                    .col(text(T::Ledger, 16))
                    .col(text(T::Tradeid, 40))
                    .col(text(T::Orderid, 32))
                    .col(text(T::Strategy, 255))
                    .col(text(T::Symbol, 64))
                    .col(text(T::Exchange, 16))
                    .col(text(T::Action, 8))
                    .col(text(T::Product, 8))
                    .col(double(T::Quantity))
                    .col(double(T::Price))
                    .col(double(T::TradeValue))
                    .col(time(T::CreatedAt))
                    .foreign_key(&mut owner(T::Table, T::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "idx_paper_trades_user_ledger_tradeid",
                T::Table,
                vec![T::UserId, T::Ledger, T::Tradeid],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(id(P::Id))
                    .col(ColumnDef::new(P::UserId).big_integer().not_null())
                    .col(text(P::Ledger, 16))
                    .col(text(P::Symbol, 64))
                    .col(text(P::Exchange, 16))
                    .col(text(P::Product, 8))
                    .col(double(P::Quantity))
                    .col(double(P::AveragePrice))
                    .col(double(P::RealizedPnl))
                    .col(double(P::Margin))
                    .col(time(P::UpdatedAt))
                    .foreign_key(&mut owner(P::Table, P::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "idx_paper_positions_key",
                P::Table,
                vec![P::UserId, P::Ledger, P::Symbol, P::Exchange, P::Product],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(H::Table)
                    .col(id(H::Id))
                    .col(ColumnDef::new(H::UserId).big_integer().not_null())
                    .col(text(H::Ledger, 16))
                    .col(text(H::Symbol, 64))
                    .col(text(H::Exchange, 16))
                    .col(double(H::Quantity))
                    .col(double(H::AveragePrice))
                    .col(time(H::UpdatedAt))
                    .foreign_key(&mut owner(H::Table, H::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "idx_paper_holdings_key",
                H::Table,
                vec![H::UserId, H::Ledger, H::Symbol, H::Exchange],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PaperHoldings::Table.into_iden(),
            PaperPositions::Table.into_iden(),
            PaperTrades::Table.into_iden(),
            PaperOrders::Table.into_iden(),
            PaperAccounts::Table.into_iden(),
            PaperUserSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum PaperUserSettings {
    Table,
    UserId,
    AnalyzeMode,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum PaperAccounts {
    Table,
    Id,
    UserId,
    Ledger,
    StartingCapital,
    AvailableCash,
    UsedMargin,
    RealizedPnl,
    OrderSeq,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum PaperOrders {
    Table,
    Id,
    UserId,
    Ledger,
    Orderid,
    Strategy,
    Symbol,
    Exchange,
    Action,
    Pricetype,
    Product,
    Quantity,
    Price,
    TriggerPrice,
    DisclosedQuantity,
    OrderStatus,
    FilledQuantity,
    PendingQuantity,
    AveragePrice,
    BlockedMargin,
    RejectionReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum PaperTrades {
    Table,
    Id,
    UserId,
    Ledger,
    Tradeid,
    Orderid,
    Strategy,
    Symbol,
    Exchange,
    Action,
    Product,
    Quantity,
    Price,
    TradeValue,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum PaperPositions {
    Table,
    Id,
    UserId,
    Ledger,
    Symbol,
    Exchange,
    Product,
    Quantity,
    AveragePrice,
    RealizedPnl,
    Margin,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum PaperHoldings {
    Table,
    Id,
    UserId,
    Ledger,
    Symbol,
    Exchange,
    Quantity,
    AveragePrice,
    UpdatedAt,
}
