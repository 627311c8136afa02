//! `users`: accounts that sign in to the web UI.

use sea_orm::entity::prelude::*;

/// A row of `users`.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique login name.
    #[sea_orm(unique)]
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Admins can create users.
    pub is_admin: bool,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change (password or role).
    pub updated_at: DateTimeUtc,
}

keygate_types::redacted_debug!(Model { id, username, is_admin, created_at, updated_at } secret { password_hash });

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
