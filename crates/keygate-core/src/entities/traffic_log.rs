//! `traffic_logs`: one row per request. Never a body, a header value or a key.

use sea_orm::entity::prelude::*;

/// A row of `traffic_logs`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "traffic_logs")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// When the request arrived, Unix milliseconds.
    pub ts: i64,
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Response status.
    pub status: i32,
    /// Time to the response head, microseconds.
    pub duration_us: i64,
    /// Client address (see `ClientIp`).
    pub client_ip: String,
    /// The caller's user, when known (session or key).
    pub user_id: Option<i64>,
    /// The key used, for key-authenticated calls.
    pub key_id: Option<i64>,
    /// The `X-Request-Id` the response carried.
    pub request_id: String,
    /// For errors, a short class such as `invalid_key` or `rate_limited`.
    pub error_class: Option<String>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
