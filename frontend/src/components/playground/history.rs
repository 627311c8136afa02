//! The last requests sent from the Playground, kept in this browser's `localStorage`.
//!
//! Entries never hold a key: bodies are stored with the key placeholder (see
//! [`super::body::strip_key`]), and only the key's name is kept.

use serde::{Deserialize, Serialize};

/// How many requests are kept.
pub const HISTORY_LIMIT: usize = 200;

/// The `localStorage` item holding the history.
const STORAGE_KEY: &str = "keygate.playground.history";

/// One request sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it was sent (milliseconds since the epoch).
    pub at_ms: f64,
    /// The operation id.
    pub op: String,
    /// The path called.
    pub path: String,
    /// The body, with the key placeholder instead of any key.
    pub body: String,
    /// The key's name (`pasted key` for a pasted one).
    pub key_name: String,
    /// The answer's status.
    pub status: u16,
    /// Milliseconds until the whole answer arrived.
    pub elapsed_ms: f64,
}

impl HistoryEntry {
    /// Whether `query` (lower case) matches its path, operation, key name, body or status.
    ///
    /// Case is ignored for ASCII letters only: the searched texts are mostly ASCII, and Unicode
    /// case tables would add ~15 KB gzipped to the WebAssembly (likewise in every search here).
    pub fn matches(&self, query: &str) -> bool {
        query.is_empty()
            || self.path.to_ascii_lowercase().contains(query)
            || self.op.to_ascii_lowercase().contains(query)
            || self.key_name.to_ascii_lowercase().contains(query)
            || self.body.to_ascii_lowercase().contains(query)
            || self.status.to_string() == query
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored history, newest first (empty when storage is unavailable or unreadable).
pub fn load() -> Vec<HistoryEntry> {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Adds `entry` in front, keeps at most [`HISTORY_LIMIT`], stores and returns the new list.
pub fn push(mut list: Vec<HistoryEntry>, entry: HistoryEntry) -> Vec<HistoryEntry> {
    list.insert(0, entry);
    list.truncate(HISTORY_LIMIT);
    save(&list);
    list
}

/// Stores `list` (silently skipped when storage is unavailable, e.g. private mode quotas).
pub fn save(list: &[HistoryEntry]) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(list)) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}
