//! Usernames are unique regardless of case: `Bob` and `bob` are one account. An expression index on
//! `lower(username)` (SQLite and PostgreSQL alike) enforces it and serves the case-insensitive
//! lookup at sign-in.
//!
//! Accounts that already differ only in case cannot be merged automatically (each has its own
//! password and keys), so the migration stops with a message naming them; an operator renames one
//! and runs it again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let clashes = db
            .query_all(Statement::from_string(
                manager.get_database_backend(),
                "SELECT username FROM users WHERE lower(username) IN \
                 (SELECT lower(username) FROM users GROUP BY lower(username) HAVING COUNT(*) > 1) \
                 ORDER BY lower(username), id",
            ))
            .await?;
        if !clashes.is_empty() {
            let names = clashes
                .iter()
                .map(|row| row.try_get::<String>("", "username"))
                .collect::<Result<Vec<_>, _>>()?;
            return Err(DbErr::Migration(format!(
                "usernames must be unique regardless of case, but these accounts differ only in \
                 case: {}. Rename all but one of each group (for example: UPDATE users SET \
                 username = 'bob2' WHERE username = 'Bob';) and start keygate again",
                names.join(", ")
            )));
        }
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_users_username_lower ON users (lower(username))",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_users_username_lower")
            .await?;
        Ok(())
    }
}
