//! `key_changes`: an append-only sequence of "key N changed", polled by every keygate process to
//! drop stale cache entries within a second.

use sea_orm::entity::prelude::*;

/// A row of `key_changes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_changes")]
pub struct Model {
    /// Sequence number.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The key that changed.
    pub key_id: i64,
    /// When.
    pub changed_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
