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
mod snippets;
mod table;
mod usage;

pub use create_form::CreateKeyForm;
pub use edit_dialog::EditDialog;
pub use events::{event_table, EventTableProps};
pub use form::{key_fields, KeyFieldsProps};
pub use form_data::KeyFormData;
pub use help::usage_help;
pub use new_key_dialog::{new_key_dialog, NewKeyDialogProps};
pub use reveal_dialog::RevealDialog;
pub use revoke_dialog::RevokeDialog;
pub use roll_dialog::RollDialog;
pub use snippets::KeySnippets;
pub use table::{key_table, KeyAction, KeyTableProps};
