//! Who is calling: browser sessions with CSRF protection for the management routes
//! ([`session_user`]), API keys for `/api/v1` ([`api_key`], reading bodies with [`body`]), and the
//! server-side session storage.

pub mod api_key;
pub mod body;
pub mod session_store;
pub mod session_user;

pub use api_key::{ApiCall, ApiRequest};
pub use session_user::{AdminUser, SessionUser};
