//! `sessions`: server-side browser sessions, keyed by the SHA-256 of the cookie's session key.

use sea_orm::entity::prelude::*;

/// A row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// Hex SHA-256 of the session key the cookie carries.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The signed-in user, once there is one.
    pub user_id: Option<i64>,
    /// The session's key-value state as JSON.
    pub state: String,
    /// After this the session is gone.
    pub expires_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
