//! The paper matching engine: pure and synchronous, over one in-memory [`Account`] (a user's
//! ledger). Every operation takes the instrument, the current quote and the time, so tests drive
//! it without a market or a clock; the account records which rows changed so a store can persist
//! each operation in one transaction ([`Account::take_changes`]).
//!
//! Rules: MARKET fills at once at the ask (BUY) or bid (SELL); LIMIT fills at once at the touch if
//! marketable, else rests `open` until a later quote crosses; SL/SL-M rest as `trigger pending`
//! until the LTP crosses the trigger. Fills are complete (no partial fills). Margin: see
//! [`rules`]. CNC BUY fills add to holdings immediately (no T+1), and a CNC SELL beyond free
//! holdings is stored `rejected`. A reduce-only order ([`crate::Exposure::ReduceOnly`]) is checked
//! against the position and the working orders ([`Account::check_reduce_only`]).

mod account;
mod fill;
pub mod ids;
mod orders;
mod reduce_only;
pub mod rules;
pub mod smart;
mod views;

pub use account::{
    Account, AccountChanges, AccountParts, AccountState, HoldingState, PositionKey, PositionState,
    DEFAULT_STARTING_CAPITAL,
};
pub use fill::trade_into;
pub use reduce_only::ReducingOrder;
pub use views::PriceSource;

#[cfg(test)]
mod tests;
