//! `SqlLedgerStore`: the paper broker's `LedgerStore` on SQLite/PostgreSQL. `save` writes one
//! engine operation's changes in one transaction: the account row only over the revision it was
//! loaded at (several processes share the database), then the changed orders, positions and
//! holdings as upserts on their natural keys, and trades as inserts.

use async_trait::async_trait;
use keygate_broker::engine::{AccountChanges, AccountParts};
use keygate_broker::{Ledger, LedgerStore, OrderStatus, SaveOutcome, StoreError};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::convert::*;
use crate::entities::{paper_account, paper_holding, paper_order, paper_position, paper_trade};

/// The SQL ledger store.
#[derive(Debug, Clone)]
pub struct SqlLedgerStore {
    db: DatabaseConnection,
}

impl SqlLedgerStore {
    /// A store over `db` (migrated).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn db_err(e: DbErr) -> StoreError {
    StoreError(format!("database: {e}"))
}

#[async_trait]
impl LedgerStore for SqlLedgerStore {
    async fn load(&self, user_id: i64, ledger: Ledger) -> Result<Option<AccountParts>, StoreError> {
        let l = ledger.as_str();
        let Some(account) = paper_account::Entity::find()
            .filter(paper_account::Column::UserId.eq(user_id))
            .filter(paper_account::Column::Ledger.eq(l))
            .one(&self.db)
            .await
            .map_err(db_err)?
        else {
            return Ok(None);
        };
        let orders = paper_order::Entity::find()
            .filter(paper_order::Column::UserId.eq(user_id))
            .filter(paper_order::Column::Ledger.eq(l))
            .order_by_asc(paper_order::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let trades = paper_trade::Entity::find()
            .filter(paper_trade::Column::UserId.eq(user_id))
            .filter(paper_trade::Column::Ledger.eq(l))
            .order_by_asc(paper_trade::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let positions = paper_position::Entity::find()
            .filter(paper_position::Column::UserId.eq(user_id))
            .filter(paper_position::Column::Ledger.eq(l))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let holdings = paper_holding::Entity::find()
            .filter(paper_holding::Column::UserId.eq(user_id))
            .filter(paper_holding::Column::Ledger.eq(l))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(Some(AccountParts {
            state: account_from(account)?,
            orders: orders
                .into_iter()
                .map(order_from)
                .collect::<Result<_, _>>()?,
            trades: trades
                .into_iter()
                .map(trade_from)
                .collect::<Result<_, _>>()?,
            positions: positions
                .into_iter()
                .map(position_from)
                .collect::<Result<_, _>>()?,
            holdings: holdings
                .into_iter()
                .map(holding_from)
                .collect::<Result<_, _>>()?,
        }))
    }

    async fn revision(&self, user_id: i64, ledger: Ledger) -> Result<Option<i64>, StoreError> {
        paper_account::Entity::find()
            .select_only()
            .column(paper_account::Column::Revision)
            .filter(paper_account::Column::UserId.eq(user_id))
            .filter(paper_account::Column::Ledger.eq(ledger.as_str()))
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(db_err)
    }

    async fn save(&self, c: &AccountChanges) -> Result<SaveOutcome, StoreError> {
        let (user, ledger) = (c.state.user_id, c.state.ledger);
        let txn = self.db.begin().await.map_err(db_err)?;
        // The account row first, as a compare and set on its revision: it also locks the row (or,
        // on SQLite, the database) until commit, so the rest of the save cannot interleave with
        // another process's.
        if !save_account_row(&txn, c).await.map_err(db_err)? {
            txn.rollback().await.map_err(db_err)?;
            return Ok(SaveOutcome::Stale);
        }
        for o in &c.orders {
            use paper_order::Column as O;
            paper_order::Entity::insert(order_row(user, ledger, o))
                .on_conflict(
                    OnConflict::columns([O::UserId, O::Ledger, O::Orderid])
                        .update_columns([
                            O::Quantity,
                            O::Price,
                            O::TriggerPrice,
                            O::DisclosedQuantity,
                            O::OrderStatus,
                            O::FilledQuantity,
                            O::PendingQuantity,
                            O::AveragePrice,
                            O::BlockedMargin,
                            O::RejectionReason,
                            O::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(db_err)?;
        }
        for t in &c.trades {
            paper_trade::Entity::insert(trade_row(user, ledger, t))
                .exec_without_returning(&txn)
                .await
                .map_err(db_err)?;
        }
        for p in &c.positions {
            use paper_position::Column as P;
            paper_position::Entity::insert(position_row(user, ledger, p))
                .on_conflict(
                    OnConflict::columns([P::UserId, P::Ledger, P::Symbol, P::Exchange, P::Product])
                        .update_columns([
                            P::Quantity,
                            P::AveragePrice,
                            P::RealizedPnl,
                            P::Margin,
                            P::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(db_err)?;
        }
        for h in &c.holdings {
            use paper_holding::Column as H;
            paper_holding::Entity::insert(holding_row(user, ledger, h))
                .on_conflict(
                    OnConflict::columns([H::UserId, H::Ledger, H::Symbol, H::Exchange])
                        .update_columns([H::Quantity, H::AveragePrice, H::UpdatedAt])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(db_err)?;
        }
        txn.commit().await.map_err(db_err)?;
        Ok(SaveOutcome::Saved)
    }

    async fn accounts_with_working_orders(&self) -> Result<Vec<(i64, Ledger)>, StoreError> {
        let rows: Vec<(i64, String)> = paper_order::Entity::find()
            .select_only()
            .column(paper_order::Column::UserId)
            .column(paper_order::Column::Ledger)
            .filter(paper_order::Column::OrderStatus.is_in([
                OrderStatus::Open.as_str(),
                OrderStatus::TriggerPending.as_str(),
            ]))
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        rows.into_iter()
            .map(|(user, ledger)| {
                Ok((
                    user,
                    ledger.parse().map_err(|e| StoreError(format!("{e}")))?,
                ))
            })
            .collect()
    }
}

/// Writes the account row of `c` if the stored one is at the revision `c` was loaded at (a new
/// account: if none is stored); false when it is not.
async fn save_account_row(txn: &DatabaseTransaction, c: &AccountChanges) -> Result<bool, DbErr> {
    use paper_account::Column as A;
    let row = account_row(&c.state);
    if c.is_new {
        // Without RETURNING, a row skipped by DO NOTHING is 0 rows inserted, not an error.
        let inserted = paper_account::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([A::UserId, A::Ledger])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        return Ok(inserted == 1);
    }
    let s = &c.state;
    let updated = paper_account::Entity::update_many()
        .col_expr(A::AvailableCash, Expr::value(s.available_cash))
        .col_expr(A::UsedMargin, Expr::value(s.used_margin))
        .col_expr(A::RealizedPnl, Expr::value(s.realized_pnl))
        .col_expr(A::OrderSeq, Expr::value(s.order_seq))
        .col_expr(A::UpdatedAt, Expr::value(s.updated_at))
        .col_expr(A::Revision, Expr::value(s.revision + 1))
        .filter(A::UserId.eq(s.user_id))
        .filter(A::Ledger.eq(s.ledger.as_str()))
        .filter(A::Revision.eq(s.revision))
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}
