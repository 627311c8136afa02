//! `paper_accounts.revision`: how many times the account was saved. Several keygate processes on
//! one database each cache a user's paper account; a save now only succeeds when the row still
//! holds the revision the process loaded (compare and set), and a process re-reads the account
//! when the stored revision moved on, so one process never overwrites another's orders or hands
//! out the same order id. Existing rows start at 0.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PaperAccounts {
    Table,
    Revision,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PaperAccounts::Table)
                    .add_column(
                        ColumnDef::new(PaperAccounts::Revision)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PaperAccounts::Table)
                    .drop_column(PaperAccounts::Revision)
                    .to_owned(),
            )
            .await
    }
}
