//! Pieces of the account page.

mod password_form;
mod users;

pub use password_form::ChangePasswordForm;
pub use users::UserAdmin;
