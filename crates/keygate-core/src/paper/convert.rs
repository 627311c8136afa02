//! Rows ↔ the broker crate's domain types. Enums are stored in their wire spelling and parsed back
//! strictly: a row that does not parse is a storage error, never a silent default.

use std::str::FromStr;

use keygate_broker::engine::{AccountState, HoldingState, PositionState};
use keygate_broker::{Ledger, Order, StoreError, Trade};
use sea_orm::ActiveValue::{NotSet, Set};

use crate::entities::{paper_account, paper_holding, paper_order, paper_position, paper_trade};

fn parse<T: FromStr>(table: &str, value: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| StoreError(format!("{table}: bad stored value: {e}")))
}

pub(super) fn account_from(m: paper_account::Model) -> Result<AccountState, StoreError> {
    Ok(AccountState {
        user_id: m.user_id,
        ledger: parse("paper_accounts", &m.ledger)?,
        starting_capital: m.starting_capital,
        available_cash: m.available_cash,
        used_margin: m.used_margin,
        realized_pnl: m.realized_pnl,
        order_seq: m.order_seq,
        created_at: m.created_at,
        updated_at: m.updated_at,
        revision: m.revision,
    })
}

/// The account row as a save writes it: one revision past the state's.
pub(super) fn account_row(s: &AccountState) -> paper_account::ActiveModel {
    paper_account::ActiveModel {
        id: NotSet,
        user_id: Set(s.user_id),
        ledger: Set(s.ledger.as_str().to_owned()),
        starting_capital: Set(s.starting_capital),
        available_cash: Set(s.available_cash),
        used_margin: Set(s.used_margin),
        realized_pnl: Set(s.realized_pnl),
        order_seq: Set(s.order_seq),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
        revision: Set(s.revision + 1),
    }
}

pub(super) fn order_from(m: paper_order::Model) -> Result<Order, StoreError> {
    let t = "paper_orders";
    Ok(Order {
        orderid: m.orderid,
        strategy: m.strategy,
        symbol: m.symbol,
        exchange: parse(t, &m.exchange)?,
        action: parse(t, &m.action)?,
        pricetype: parse(t, &m.pricetype)?,
        product: parse(t, &m.product)?,
        quantity: m.quantity,
        price: m.price,
        trigger_price: m.trigger_price,
        disclosed_quantity: m.disclosed_quantity,
        order_status: parse(t, &m.order_status)?,
        filled_quantity: m.filled_quantity,
        pending_quantity: m.pending_quantity,
        average_price: m.average_price,
        rejection_reason: m.rejection_reason,
        blocked_margin: m.blocked_margin,
        timestamp: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(super) fn order_row(user_id: i64, ledger: Ledger, o: &Order) -> paper_order::ActiveModel {
    paper_order::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        ledger: Set(ledger.as_str().to_owned()),
        orderid: Set(o.orderid.clone()),
        strategy: Set(o.strategy.clone()),
        symbol: Set(o.symbol.clone()),
        exchange: Set(o.exchange.as_str().to_owned()),
        action: Set(o.action.as_str().to_owned()),
        pricetype: Set(o.pricetype.as_str().to_owned()),
        product: Set(o.product.as_str().to_owned()),
        quantity: Set(o.quantity),
        price: Set(o.price),
        trigger_price: Set(o.trigger_price),
        disclosed_quantity: Set(o.disclosed_quantity),
        order_status: Set(o.order_status.as_str().to_owned()),
        filled_quantity: Set(o.filled_quantity),
        pending_quantity: Set(o.pending_quantity),
        average_price: Set(o.average_price),
        blocked_margin: Set(o.blocked_margin),
        rejection_reason: Set(o.rejection_reason.clone()),
        created_at: Set(o.timestamp),
        updated_at: Set(o.updated_at),
    }
}

pub(super) fn trade_from(m: paper_trade::Model) -> Result<Trade, StoreError> {
    let t = "paper_trades";
    Ok(Trade {
        tradeid: m.tradeid,
        orderid: m.orderid,
        strategy: m.strategy,
        symbol: m.symbol,
        exchange: parse(t, &m.exchange)?,
        action: parse(t, &m.action)?,
        product: parse(t, &m.product)?,
        quantity: m.quantity,
        average_price: m.price,
        trade_value: m.trade_value,
        timestamp: m.created_at,
    })
}

pub(super) fn trade_row(user_id: i64, ledger: Ledger, t: &Trade) -> paper_trade::ActiveModel {
    paper_trade::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        ledger: Set(ledger.as_str().to_owned()),
        tradeid: Set(t.tradeid.clone()),
        orderid: Set(t.orderid.clone()),
        strategy: Set(t.strategy.clone()),
        symbol: Set(t.symbol.clone()),
        exchange: Set(t.exchange.as_str().to_owned()),
        action: Set(t.action.as_str().to_owned()),
        product: Set(t.product.as_str().to_owned()),
        quantity: Set(t.quantity),
        price: Set(t.average_price),
        trade_value: Set(t.trade_value),
        created_at: Set(t.timestamp),
    }
}

pub(super) fn position_from(m: paper_position::Model) -> Result<PositionState, StoreError> {
    let t = "paper_positions";
    Ok(PositionState {
        symbol: m.symbol,
        exchange: parse(t, &m.exchange)?,
        product: parse(t, &m.product)?,
        quantity: m.quantity,
        average_price: m.average_price,
        realized_pnl: m.realized_pnl,
        margin: m.margin,
        updated_at: m.updated_at,
    })
}

pub(super) fn position_row(
    user_id: i64,
    ledger: Ledger,
    p: &PositionState,
) -> paper_position::ActiveModel {
    paper_position::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        ledger: Set(ledger.as_str().to_owned()),
        symbol: Set(p.symbol.clone()),
        exchange: Set(p.exchange.as_str().to_owned()),
        product: Set(p.product.as_str().to_owned()),
        quantity: Set(p.quantity),
        average_price: Set(p.average_price),
        realized_pnl: Set(p.realized_pnl),
        margin: Set(p.margin),
        updated_at: Set(p.updated_at),
    }
}

pub(super) fn holding_from(m: paper_holding::Model) -> Result<HoldingState, StoreError> {
    Ok(HoldingState {
        symbol: m.symbol,
        exchange: parse("paper_holdings", &m.exchange)?,
        quantity: m.quantity,
        average_price: m.average_price,
        updated_at: m.updated_at,
    })
}

pub(super) fn holding_row(
    user_id: i64,
    ledger: Ledger,
    h: &HoldingState,
) -> paper_holding::ActiveModel {
    paper_holding::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        ledger: Set(ledger.as_str().to_owned()),
        symbol: Set(h.symbol.clone()),
        exchange: Set(h.exchange.as_str().to_owned()),
        quantity: Set(h.quantity),
        average_price: Set(h.average_price),
        updated_at: Set(h.updated_at),
    }
}
