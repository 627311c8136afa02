//! `traffic_rollups`: requests per block (a minute, an hour, four hours or a day), user and
//! endpoint, kept by the traffic writer so stats never scan the raw log.

use sea_orm::entity::prelude::*;

/// A row of `traffic_rollups`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "traffic_rollups")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The block's start, a Unix minute (a multiple of `span`).
    pub minute: i64,
    /// The block's length in minutes (`traffic::spans::MINUTE_SPANS`).
    pub span: i64,
    /// The caller's user, 0 when unknown.
    pub user_id: i64,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
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
