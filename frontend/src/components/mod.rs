//! Reusable pieces of the UI.

mod alert;
mod copy;
mod dialog;
mod field;
mod layout;
mod secret;

pub mod account;
pub mod action_center;
pub mod keys;
pub mod playground;
pub mod traffic;

pub use alert::{alert, error_alert, AlertKind};
pub use copy::CopyButton;
pub use dialog::modal;
pub use field::{error_list, Field};
pub use layout::Layout;
pub use secret::SecretKey;
