//! Pieces of the Action Center page: the pending and history tables and the decision dialogs.

mod chartink;
mod dialogs;
mod tables;

pub use chartink::ChartinkTokens;

pub use dialogs::{ConfirmMoveDialog, RejectDialog};
pub use tables::{
    history_table, pending_table, HistoryTableProps, PendingAction, PendingTableProps,
};
