//! `pending_orders`: the Action Center's queue of semi-auto calls and their outcomes.

use sea_orm::entity::prelude::*;

/// A row of `pending_orders`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_orders")]
pub struct Model {
    /// Primary key; the `pending_order_id` clients see.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The key's owner, who approves or rejects.
    pub user_id: i64,
    /// The key that sent the call.
    pub key_id: i64,
    /// `live` or `analyze`: the ledger that applied when the call was queued.
    pub ledger: String,
    /// The endpoint name (`placeorder`, `placesmartorder`, `modifyorder`, ...).
    pub op: String,
    /// The validated request (without `apikey`) as JSON.
    pub body: String,
    /// The market price when queued, for the price-move check.
    pub reference_price: Option<f64>,
    /// `pending`, `executing`, `approved`, `failed`, `rejected` or `expired`.
    pub state: String,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Why the execution failed.
    pub error: Option<String>,
    /// The broker's order id, once executed.
    pub broker_order_id: Option<String>,
    /// The broker's order status (or the call's status), once executed.
    pub broker_status: Option<String>,
    /// The JSON the execution answered.
    pub response: Option<String>,
    /// Who decided (a username).
    pub decided_by: Option<String>,
    /// When it was queued.
    pub created_at: DateTimeUtc,
    /// When it was approved, rejected or expired.
    pub decided_at: Option<DateTimeUtc>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
