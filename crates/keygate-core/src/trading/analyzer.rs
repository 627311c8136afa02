//! Which ledger a user's calls go to: the analyzer flag (`paper_user_settings`), cached per user
//! so the hot path does not read the database on each call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a cached analyzer flag is trusted (another keygate process may have toggled it).
const ANALYZER_TTL: Duration = Duration::from_secs(2);
/// Entries kept before expired ones are swept.
const SWEEP_ABOVE: usize = 100_000;

/// Per-user analyzer flags with their age.
#[derive(Debug, Default)]
pub struct AnalyzerCache {
    flags: Mutex<HashMap<i64, (bool, Instant)>>,
}

impl AnalyzerCache {
    /// The user's flag, if cached recently.
    pub fn get(&self, user_id: i64) -> Option<bool> {
        let flags = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        flags
            .get(&user_id)
            .filter(|(_, at)| at.elapsed() < ANALYZER_TTL)
            .map(|(on, _)| *on)
    }

    /// Caches the user's flag.
    pub fn put(&self, user_id: i64, on: bool) {
        let mut flags = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        if flags.len() > SWEEP_ABOVE {
            flags.retain(|_, (_, at)| at.elapsed() < ANALYZER_TTL);
        }
        flags.insert(user_id, (on, Instant::now()));
    }
}
