//! `broker_events`: the audit trail of broker connections.

use sea_orm::entity::prelude::*;

/// A row of `broker_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "broker_events")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The connection's owner.
    pub user_id: i64,
    /// The connection concerned (it may since have been deleted).
    pub connection_id: i64,
    /// The connection's label at the time.
    pub label: String,
    /// `created`, `checked`, `relabelled` or `deleted`.
    pub event: String,
    /// A username, or `cli`.
    pub actor: String,
    /// Client address, for HTTP requests.
    pub ip: Option<String>,
    /// What happened, in words.
    pub detail: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
