//! `key_events`: the audit trail of every key event.

use sea_orm::entity::prelude::*;

/// A row of `key_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_events")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The key concerned.
    pub key_id: i64,
    /// The key's owner.
    pub user_id: i64,
    /// The key's name at the time.
    pub key_name: String,
    /// `created`, `revealed`, `rolled`, `revoked`, `updated`, `mode_changed`.
    pub event: String,
    /// A username, or `cli`.
    pub actor: String,
    /// Client address, for HTTP requests.
    pub ip: Option<String>,
    /// What changed.
    pub detail: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
