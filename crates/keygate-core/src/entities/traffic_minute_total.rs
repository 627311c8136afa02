//! `traffic_minute_totals`: requests per minute and user over every endpoint, kept by the traffic
//! writer for the stats' requests-per-minute series.

use sea_orm::entity::prelude::*;

/// A row of `traffic_minute_totals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "traffic_minute_totals")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The caller's user, 0 when unknown, -1 for everyone's totals.
    pub user_id: i64,
    /// Unix minute.
    pub minute: i64,
    /// Requests counted.
    pub requests: i64,
    /// Of which with status >= 400.
    pub errors: i64,
    /// Of which with status >= 500.
    pub server_errors: i64,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
