//! `ip_bans`: one row per client IP ever banned; active while `banned_until` is in the future and
//! `lifted_at` is unset.

use sea_orm::entity::prelude::*;

/// A row of `ip_bans`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ip_bans")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The banned address (canonical text form).
    #[sea_orm(unique)]
    pub ip: String,
    /// Why.
    pub reason: String,
    /// How many times this IP has been banned; each ban lasts twice the previous one.
    pub offences: i32,
    /// `monitor`, or the admin's username.
    pub banned_by: String,
    /// When the current ban started.
    pub banned_at: DateTimeUtc,
    /// When the current ban ends.
    pub banned_until: DateTimeUtc,
    /// Set when an admin lifted the ban early.
    pub lifted_at: Option<DateTimeUtc>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
