//! `traffic_ip_rollups`: requests per block (an hour, four hours or a day), user and
//! client IP, for the stats' top clients.

use sea_orm::entity::prelude::*;

/// A row of `traffic_ip_rollups`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "traffic_ip_rollups")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The block's start, a Unix hour (a multiple of `span`).
    pub hour: i64,
    /// The block's length in hours (`traffic::spans::HOUR_SPANS`).
    pub span: i64,
    /// The caller's user, 0 when unknown.
    pub user_id: i64,
    /// Client address.
    pub client_ip: String,
    /// Requests counted.
    pub requests: i64,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
