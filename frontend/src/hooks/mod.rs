//! Hooks shared by pages and components.

mod use_mutation;
mod use_remote;
mod use_session;

pub use use_mutation::use_mutation;
pub use use_remote::{use_remote, Remote};
pub use use_session::{expire_on_unauthorized, use_session, Auth, SessionAction, SessionProvider};
