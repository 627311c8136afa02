//! The Playground: try the `/api/v1` operations and the market-data WebSocket with a key.
//!
//! - [`spec`]: the endpoint list read from the OpenAPI document.
//! - [`body`]: the editor text, the key placeholder, snippets.
//! - [`key`]: the chosen key and its picker.
//! - [`rest`]: the REST tab; [`endpoints`], [`response`] and [`extras`] draw its parts.
//! - [`history`]: the last requests in `localStorage`, without keys.
//! - [`ws`]: the WebSocket tab.

pub mod body;
mod collections;
mod copy;
mod endpoints;
mod extras;
pub mod history;
pub mod key;
mod response;
pub mod rest;
pub mod spec;
pub mod ws;
mod ws_state;

pub use collections::CollectionsPanel;
pub use copy::CopyButton;
pub use key::{usable, ChosenKey, KeyAction, KeyPicker, KeySource};
pub use rest::RestTab;
pub use ws::WsTab;
