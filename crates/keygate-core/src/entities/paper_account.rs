//! `paper_accounts`: one paper account per (user, ledger): funds and the order-id sequence.

use sea_orm::entity::prelude::*;

/// A row of `paper_accounts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_accounts")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Owner (`users.id`).
    pub user_id: i64,
    /// `live` or `analyze`.
    pub ledger: String,
    /// Capital the account started with.
    pub starting_capital: f64,
    /// Free cash.
    pub available_cash: f64,
    /// Margin blocked by working orders and open positions.
    pub used_margin: f64,
    /// Realised P&L since the account was opened.
    pub realized_pnl: f64,
    /// Last order sequence number used for order ids.
    pub order_seq: i64,
    /// When the account was opened.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// Saves so far: a save succeeds only over the revision it was loaded at (several processes).
    pub revision: i64,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
