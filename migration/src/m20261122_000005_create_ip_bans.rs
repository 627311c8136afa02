//! Bans of client IPs (by the security monitor or an admin). A row per IP, kept after the ban ends,
//! so a repeat offender's next ban is longer; every process reads the active ones every second.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IpBans::Table)
                    .col(
                        ColumnDef::new(IpBans::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(IpBans::Ip).string_len(64).not_null())
                    .col(ColumnDef::new(IpBans::Reason).string_len(255).not_null())
                    .col(ColumnDef::new(IpBans::Offences).integer().not_null())
                    .col(ColumnDef::new(IpBans::BannedBy).string_len(64).not_null())
                    .col(
                        ColumnDef::new(IpBans::BannedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IpBans::BannedUntil)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IpBans::LiftedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ip_bans_ip")
                    .table(IpBans::Table)
                    .col(IpBans::Ip)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ip_bans_banned_until")
                    .table(IpBans::Table)
                    .col(IpBans::BannedUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IpBans::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IpBans {
    Table,
    Id,
    Ip,
    Reason,
    Offences,
    BannedBy,
    BannedAt,
    BannedUntil,
    LiftedAt,
}
