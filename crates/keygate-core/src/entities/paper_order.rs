//! `paper_orders`: the orders of a paper account; enums in their wire spelling.

use sea_orm::entity::prelude::*;

/// A row of `paper_orders`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_orders")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Owner (`users.id`).
    pub user_id: i64,
    /// `live` or `analyze`.
    pub ledger: String,
    /// `YYMMDD` (IST) + 8 digits, unique per (user, ledger).
    pub orderid: String,
    /// Strategy tag.
    pub strategy: String,
    /// Trading symbol.
    pub symbol: String,
    /// Exchange.
    pub exchange: String,
    /// BUY or SELL.
    pub action: String,
    /// MARKET, LIMIT, SL or SL-M.
    pub pricetype: String,
    /// MIS, NRML or CNC.
    pub product: String,
    /// Ordered quantity.
    pub quantity: f64,
    /// Limit price.
    pub price: f64,
    /// Trigger price.
    pub trigger_price: f64,
    /// Disclosed quantity.
    pub disclosed_quantity: i64,
    /// open, trigger pending, complete, rejected or cancelled.
    pub order_status: String,
    /// Filled quantity.
    pub filled_quantity: f64,
    /// Quantity still working.
    pub pending_quantity: f64,
    /// Fill price.
    pub average_price: f64,
    /// Margin held while working.
    pub blocked_margin: f64,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// When it was placed.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
