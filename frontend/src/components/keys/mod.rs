//! Pieces of the API keys page.

mod create_form;
mod edit_dialog;
mod events;
mod form;
mod form_data;
mod help;
mod new_key_dialog;
mod reveal_dialog;
mod revoke_dialog;
mod roll_dialog;
mod table;

pub use create_form::CreateKeyForm;
pub use edit_dialog::EditDialog;
pub use events::EventTable;
pub use form::KeyFields;
pub use form_data::KeyFormData;
pub use help::UsageHelp;
pub use new_key_dialog::NewKeyDialog;
pub use reveal_dialog::RevealDialog;
pub use revoke_dialog::RevokeDialog;
pub use roll_dialog::RollDialog;
pub use table::{KeyAction, KeyTable};
