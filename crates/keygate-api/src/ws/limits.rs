//! Caps on open feed connections, per client address and per API key, shared by both listeners
//! (`KEYGATE_WS_BIND` and `/ws` on the HTTP port).
//!
//! Each connection holds a slot; dropping the slot (the connection's task ending, however it
//! ends) gives it back. An address past its cap is refused before the upgrade (429 and the
//! envelope); a key past its cap is refused when it authenticates (an error frame, then close
//! 4429). Addresses count by their [`IpGroup`] (IPv6 per /64), as every other per-address rule
//! does, so rotating through one's own addresses does not multiply the cap.
//!
//! Connections are opened rarely compared with requests, so one mutex per map is enough.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use keygate_core::config::WsSettings;
use keygate_core::ip_group::IpGroup;

/// Open connections counted per address and per key, and the frames they carried (for metrics).
#[derive(Debug)]
pub struct WsConnections {
    per_ip: Counter<IpGroup>,
    per_key: Counter<i64>,
    /// Frames received from clients and written to them, over both listeners.
    pub frames: FrameCounts,
}

/// Frames counted since start. A frame is rare next to a request (a tick every 500 ms per
/// subscribed symbol), so a shared atomic counter is enough.
#[derive(Debug, Default)]
pub struct FrameCounts {
    received: AtomicU64,
    sent: AtomicU64,
}

impl FrameCounts {
    /// Counts a frame a client sent.
    pub fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a frame written to a client.
    pub fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Frames received and sent since start.
    pub fn totals(&self) -> (u64, u64) {
        (
            self.received.load(Ordering::Relaxed),
            self.sent.load(Ordering::Relaxed),
        )
    }
}

impl WsConnections {
    /// Counters with the caps of `settings`.
    pub fn new(settings: &WsSettings) -> Arc<Self> {
        Arc::new(Self {
            per_ip: Counter::new(settings.max_per_ip),
            per_key: Counter::new(settings.max_per_key),
            frames: FrameCounts::default(),
        })
    }

    /// Connections open now, over both listeners.
    pub fn open(&self) -> usize {
        let open = self.per_ip.open.lock().unwrap_or_else(|e| e.into_inner());
        open.values().sum()
    }

    /// The cap per address.
    pub fn max_per_ip(&self) -> usize {
        self.per_ip.max
    }

    /// The cap per key.
    pub fn max_per_key(&self) -> usize {
        self.per_key.max
    }

    /// A slot for one more connection from `ip`, unless its cap is reached.
    pub fn claim_ip(self: &Arc<Self>, ip: IpAddr) -> Option<IpSlot> {
        let group = IpGroup::of(ip);
        self.per_ip.claim(group).then(|| IpSlot {
            owner: self.clone(),
            group,
        })
    }

    /// A slot for one more connection authenticated with key `key_id`, unless its cap is reached.
    pub fn claim_key(self: &Arc<Self>, key_id: i64) -> Option<KeySlot> {
        self.per_key.claim(key_id).then(|| KeySlot {
            owner: self.clone(),
            key_id,
        })
    }

    /// Connections open from `ip` (tests and diagnostics).
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.per_ip.count(&IpGroup::of(ip))
    }
}

/// One connection's place in its address's count.
#[derive(Debug)]
pub struct IpSlot {
    owner: Arc<WsConnections>,
    group: IpGroup,
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        self.owner.per_ip.release(&self.group);
    }
}

/// One connection's place in its key's count.
#[derive(Debug)]
pub struct KeySlot {
    owner: Arc<WsConnections>,
    key_id: i64,
}

impl KeySlot {
    /// The key this slot counts for.
    pub fn key_id(&self) -> i64 {
        self.key_id
    }
}

impl Drop for KeySlot {
    fn drop(&mut self) {
        self.owner.per_key.release(&self.key_id);
    }
}

#[derive(Debug)]
struct Counter<K> {
    max: usize,
    open: Mutex<HashMap<K, usize>>,
}

impl<K: Hash + Eq + Copy> Counter<K> {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: Mutex::new(HashMap::new()),
        }
    }

    fn claim(&self, key: K) -> bool {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key).or_insert(0);
        if *count >= self.max {
            // No entry is left at zero: the map holds only keys with open connections.
            if *count == 0 {
                open.remove(&key);
            }
            return false;
        }
        *count += 1;
        true
    }

    fn release(&self, key: &K) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(key);
            }
        }
    }

    fn count(&self, key: &K) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connections(max_per_ip: usize, max_per_key: usize) -> Arc<WsConnections> {
        Arc::new(WsConnections {
            per_ip: Counter::new(max_per_ip),
            per_key: Counter::new(max_per_key),
            frames: FrameCounts::default(),
        })
    }

    #[test]
    fn slots_are_capped_and_given_back_when_dropped() {
        let limits = connections(2, 1);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let first = limits.claim_ip(ip).unwrap();
        let second = limits.claim_ip(ip).unwrap();
        assert!(limits.claim_ip(ip).is_none());
        assert!(limits.claim_ip("10.0.0.2".parse().unwrap()).is_some());
        drop(first);
        let third = limits.claim_ip(ip).unwrap();
        drop((second, third));
        assert_eq!(limits.open_from(ip), 0);
        assert!(limits.per_ip.open.lock().unwrap().is_empty());

        let key = limits.claim_key(7).unwrap();
        assert!(limits.claim_key(7).is_none());
        assert!(limits.claim_key(8).is_some());
        drop(key);
        assert!(limits.claim_key(7).is_some());
    }

    #[test]
    fn ipv6_addresses_count_per_64_and_mapped_ipv4_as_ipv4() {
        let limits = connections(1, 1);
        let _held = limits.claim_ip("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(limits
            .claim_ip("2001:db8:1:2:ffff::9".parse().unwrap())
            .is_none());
        assert!(limits
            .claim_ip("2001:db8:1:3::1".parse().unwrap())
            .is_some());
        let _v4 = limits.claim_ip("192.0.2.1".parse().unwrap()).unwrap();
        assert!(limits
            .claim_ip("::ffff:192.0.2.1".parse().unwrap())
            .is_none());
    }
}
