//! sea-orm entities, one file per table. Their columns mirror the migrations in `migration/`.

pub mod api_key;
pub mod api_key_secret;
pub mod key_change;
pub mod key_event;
pub mod session;
pub mod user;
