//! `traffic_class_rollups`: requests per block (a minute to a day), user, API key, status class
//! and error class, for the stats' breakdowns and per-key figures.

use sea_orm::entity::prelude::*;

/// A row of `traffic_class_rollups`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "traffic_class_rollups")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The block's start, a Unix minute (a multiple of `span`).
    pub minute: i64,
    /// The block's length in minutes (`traffic::spans::MINUTE_SPANS`).
    pub span: i64,
    /// The caller's user, 0 when unknown, -1 for everyone's totals.
    pub user_id: i64,
    /// The API key used, 0 when none.
    pub key_id: i64,
    /// The status's first digit (2 for 2xx).
    pub status_class: i32,
    /// The error class, empty when none.
    pub error_class: String,
    /// Requests counted.
    pub requests: i64,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
