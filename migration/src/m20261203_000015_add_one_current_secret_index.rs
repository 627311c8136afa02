//! At most one current (not retired) secret per key, enforced by the database: two racing rolls
//! can no longer both leave a current secret behind. A partial unique index, which SQLite and
//! PostgreSQL both support with the same statement.
//!
//! A database that already holds several current secrets for one key (left by that race) is
//! repaired first: the newest stays current, the older ones are retired without grace (their
//! `retired_at` set to their own creation time, which needs no clock and no date format).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE api_key_secrets SET retired_at = created_at, grace_until = NULL \
             WHERE retired_at IS NULL AND id NOT IN \
             (SELECT MAX(id) FROM api_key_secrets WHERE retired_at IS NULL GROUP BY key_id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_api_key_secrets_one_current \
             ON api_key_secrets (key_id) WHERE retired_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_api_key_secrets_one_current")
            .await?;
        Ok(())
    }
}
