//! Market data from Binance's WebSocket market streams, for the feed of keys bound to a
//! `binance_spot` connection.
//!
//! - [`stream_url`]: where a connection's market streams are, from its REST base URL.
//! - [`MarketStreams`]: one [`MarketStream`] per stream URL (not per client or per key).
//! - [`MarketStream`]: one upstream socket on the combined-stream path (`/stream?streams=`),
//!   opened while anything is watched and closed when nothing is. Watches are reference counted
//!   per stream name: the first watch of a name sends `SUBSCRIBE` on the live socket, the last
//!   release sends `UNSUBSCRIBE` (a burst of changes becomes one request per method, at most
//!   four requests a second: Binance closes a socket that sends more than five messages a
//!   second). A pair is followed with `<pair>@ticker` (LTP and Quote) and,
//!   for depth, `<pair>@depth5@100ms`; each update is published as a full [`Tick`] (the paper
//!   market's shape), so the feed cuts it down per mode as it does for paper.
//! - The socket (`task`): reconnects with exponential backoff and re-subscribes the whole
//!   set; answers the exchange's pings (tungstenite queues the pong and sends it with its next
//!   read); treats a minute without any frame as a dead link; reconnects on its own before
//!   Binance's 24-hour disconnect. Each loss is published as [`StreamEvent::Down`] (and logged)
//!   so the feed can tell its clients, and [`StreamEvent::Up`] when it is back.
//! - `wire`: the messages; `book`: the last quote and levels of each pair.

mod book;
mod task;
pub mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use keygate_broker::market::Tick;
use keygate_broker::{BrokerError, Exchange};
use tokio::sync::{broadcast, mpsc};

use crate::config::{PRODUCTION_URL, TESTNET_URL};
use book::Books;

/// Production's market streams.
pub const PRODUCTION_STREAMS: &str = "wss://stream.binance.com:9443";
/// The spot testnet's market streams.
pub const TESTNET_STREAMS: &str = "wss://stream.testnet.binance.vision";

/// The market-stream base of a connection's REST base URL: production and the testnet map to
/// their stream hosts; any other URL (a mock exchange) to the same host and path with the
/// scheme made `ws`/`wss`. The combined-stream path `/stream` is appended to it.
pub fn stream_url(rest_base: &str) -> String {
    let base = rest_base.trim_end_matches('/');
    if base == PRODUCTION_URL {
        PRODUCTION_STREAMS.to_owned()
    } else if base == TESTNET_URL {
        TESTNET_STREAMS.to_owned()
    } else if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    }
}

/// Timings of a stream connection.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Longest wait for the socket to open.
    pub connect_timeout: Duration,
    /// A socket silent this long (no data, no ping) is dead. Binance pings every 20 s.
    pub silence_limit: Duration,
    /// Reconnect after this long, before Binance's own disconnect at 24 h.
    pub max_session: Duration,
    /// First wait after a failure; doubled per failure up to `backoff_max`.
    pub backoff_min: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            silence_limit: Duration::from_secs(60),
            max_session: Duration::from_secs(23 * 3600 + 30 * 60),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// What a stream connection publishes.
#[derive(Debug, Clone)]
pub enum StreamEvent {
    /// A pair's new state.
    Tick(Tick),
    /// The socket is lost or cannot be opened (the reason; reconnecting). Published once per
    /// outage, not per failed retry.
    Down(String),
    /// The socket is open again.
    Up,
}

/// Where a stream connection is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStatus {
    /// Nothing watched: no socket.
    Idle,
    /// Opening the socket.
    Connecting,
    /// Open.
    Up,
    /// Lost or unreachable (the reason); the next attempt is on its way.
    Down(String),
}

#[derive(Debug)]
struct Inner {
    refs: BTreeMap<String, usize>,
    books: Books,
    status: StreamStatus,
    /// While the socket task runs: tells it the stream set changed.
    changed: Option<mpsc::UnboundedSender<()>>,
}

/// One upstream market-stream connection (see the module docs).
#[derive(Debug)]
pub struct MarketStream {
    url: String,
    config: StreamConfig,
    inner: Mutex<Inner>,
    events: broadcast::Sender<StreamEvent>,
    losses: AtomicU64,
}

/// A pair followed on a [`MarketStream`]; dropping it releases its streams.
#[derive(Debug)]
pub struct Watch {
    stream: Arc<MarketStream>,
    names: Vec<String>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stream.release(&self.names);
    }
}

/// The stream names of a pair: `btcusdt@ticker`, and `btcusdt@depth5@100ms` for depth.
fn names(symbol: &str, depth: bool) -> Vec<String> {
    let pair = symbol.to_ascii_lowercase();
    let mut names = vec![format!("{pair}@ticker")];
    if depth {
        names.push(format!("{pair}@depth5@100ms"));
    }
    names
}

/// The pair a stream name is about (`btcusdt@ticker` → `BTCUSDT`).
fn pair_of(name: &str) -> String {
    name.split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase()
}

impl MarketStream {
    fn new(url: String, config: StreamConfig) -> Self {
        Self {
            url,
            config,
            inner: Mutex::new(Inner {
                refs: BTreeMap::new(),
                books: Books::default(),
                status: StreamStatus::Idle,
                changed: None,
            }),
            events: broadcast::channel(1024).0,
            losses: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The stream base URL (without `/stream`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Follows a pair (`BTCUSDT`; depth levels too when `depth`). Must run inside a Tokio
    /// runtime (the first watch starts the socket task).
    pub fn watch(self: &Arc<Self>, symbol: &str, depth: bool) -> Result<Watch, BrokerError> {
        let valid = !symbol.is_empty()
            && symbol.len() <= 20
            && symbol
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            return Err(BrokerError::SymbolNotFound {
                symbol: symbol.to_owned(),
                exchange: Exchange::Crypto,
            });
        }
        let names = names(symbol, depth);
        let mut inner = self.lock();
        let mut added = Vec::new();
        for name in &names {
            let count = inner.refs.entry(name.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                added.push(name.clone());
            }
        }
        match &inner.changed {
            Some(changed) => {
                if !added.is_empty() {
                    let _ = changed.send(());
                }
            }
            None => {
                let (tx, rx) = mpsc::unbounded_channel();
                inner.changed = Some(tx);
                inner.status = StreamStatus::Connecting;
                tokio::spawn(task::run(self.clone(), rx));
            }
        }
        Ok(Watch {
            stream: self.clone(),
            names,
        })
    }

    fn release(&self, names: &[String]) {
        let mut inner = self.lock();
        let mut removed = Vec::new();
        for name in names {
            if let Some(count) = inner.refs.get_mut(name) {
                *count -= 1;
                if *count == 0 {
                    inner.refs.remove(name);
                    removed.push(name.clone());
                }
            }
        }
        for name in &removed {
            let pair = pair_of(name);
            if !inner.refs.keys().any(|n| pair_of(n) == pair) {
                inner.books.forget(&pair);
            }
        }
        if let (Some(changed), false) = (&inner.changed, removed.is_empty()) {
            let _ = changed.send(());
        }
    }

    /// Every tick and status change from now on.
    pub fn events(&self) -> broadcast::Receiver<StreamEvent> {
        self.events.subscribe()
    }

    /// The connection's state now.
    pub fn status(&self) -> StreamStatus {
        self.lock().status.clone()
    }

    /// The last tick of a watched pair, once its first ticker arrived.
    pub fn last(&self, symbol: &str) -> Option<Tick> {
        self.lock().books.last(symbol)
    }

    /// The stream names watched now.
    pub fn streams(&self) -> Vec<String> {
        self.lock().refs.keys().cloned().collect()
    }

    /// How many times the socket was lost or could not be opened.
    pub fn losses(&self) -> u64 {
        self.losses.load(Ordering::Relaxed)
    }

    fn publish(&self, event: StreamEvent) {
        // No receiver is not an error: nobody listens right now.
        let _ = self.events.send(event);
    }
}

/// Every market-stream connection of the process, one per stream URL.
#[derive(Debug, Default)]
pub struct MarketStreams {
    config: StreamConfig,
    by_url: Mutex<HashMap<String, Arc<MarketStream>>>,
}

impl MarketStreams {
    /// No connections yet; each will use `config`.
    pub fn new(config: StreamConfig) -> Self {
        Self {
            config,
            by_url: Mutex::new(HashMap::new()),
        }
    }

    /// Losses of every stream connection so far (sockets lost or not opened).
    pub fn losses(&self) -> u64 {
        self.all().iter().map(|s| s.losses()).sum()
    }

    /// Stream connections lost or unreachable now.
    pub fn down(&self) -> usize {
        self.all()
            .iter()
            .filter(|s| matches!(s.status(), StreamStatus::Down(_)))
            .count()
    }

    fn all(&self) -> Vec<Arc<MarketStream>> {
        self.by_url
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// The stream connection for a REST base URL (shared by every key on that exchange).
    pub fn for_base(&self, rest_base: &str) -> Arc<MarketStream> {
        let url = stream_url(rest_base);
        let mut by_url = self
            .by_url
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        by_url
            .entry(url.clone())
            .or_insert_with(|| Arc::new(MarketStream::new(url, self.config.clone())))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_urls_follow_the_rest_url() {
        assert_eq!(stream_url(PRODUCTION_URL), PRODUCTION_STREAMS);
        assert_eq!(stream_url("https://api.binance.com/"), PRODUCTION_STREAMS);
        assert_eq!(stream_url(TESTNET_URL), TESTNET_STREAMS);
        assert_eq!(stream_url("http://127.0.0.1:9000"), "ws://127.0.0.1:9000");
        assert_eq!(
            stream_url("https://mock.example:8443/x"),
            "wss://mock.example:8443/x"
        );
    }

    #[test]
    fn names_are_lowercase_and_name_their_pair() {
        assert_eq!(names("BTCUSDT", false), ["btcusdt@ticker"]);
        assert_eq!(names("BTCUSDT", true)[1], "btcusdt@depth5@100ms");
        assert_eq!(pair_of("btcusdt@depth5@100ms"), "BTCUSDT");
    }
}
