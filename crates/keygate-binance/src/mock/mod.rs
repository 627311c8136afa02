//! A mock of Binance's Spot REST API for tests (feature `mock`): an actix-web server on
//! 127.0.0.1:0 holding one account in memory.
//!
//! It checks what the exchange checks: the API key, the HMAC signature of every signed request,
//! the timestamp against its own clock and the request's `recvWindow`, every mandatory
//! parameter and no unread one, the pair's filters and the balances. It answers with Binance's
//! error shapes (`{"code":-1022,"msg":"Signature for this request is not valid."}`), reports
//! `X-MBX-USED-WEIGHT-1M` on every answer and refuses with 429 + `Retry-After` past 6000 weight
//! per server minute. A test can skew its clock, set the weight used, and queue [`Fault`]s:
//! fail, stall, rate-limit, or run a request and then hold its answer past the client's timeout.
//! `/stream` serves Binance's market streams for its pairs (`streams.rs`).

mod endpoint;
mod query;
mod replace;
mod routes;
pub mod state;
mod streams;

use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::{web, App, HttpServer};

pub use endpoint::Endpoint;
use state::{Book, MockKey, MockPair};

use crate::config::{ApiSecret, BinanceConfig};
use crate::wire::{ApiRestrictions, ExchangeOrder};

/// The mock's default API key.
pub const MOCK_KEY: &str = "mock-api-key-0000000000000000000000000000000000000000000000000000";
/// The default key's secret.
pub const MOCK_SECRET: &str = "mock-secret-0000000000000000000000000000000000000000000000000000";
/// Binance's request-weight limit per minute.
pub const WEIGHT_LIMIT: u32 = 6_000;

/// Something the mock does to the next request instead of (or besides) answering it.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this status and error body, without running the request.
    Fail {
        /// HTTP status.
        status: u16,
        /// Binance code.
        code: i64,
        /// Message.
        msg: String,
    },
    /// Hold the request this long, then answer 503 `-1007` without running it.
    Stall(Duration),
    /// Run the request, then hold its answer this long (an order accepted, its answer lost).
    AcceptThenStall(Duration),
    /// Answer 429 (or 418) with this `Retry-After`, without running the request.
    RateLimit {
        /// 429 or 418.
        status: u16,
        /// Seconds.
        retry_after_s: u64,
    },
}

/// One request the mock received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// The mock's clock when it arrived (epoch ms).
    pub server_time: i64,
    /// The status answered.
    pub status: u16,
}

#[derive(Debug, Default)]
struct Control {
    keys: HashMap<String, MockKey>,
    skew_ms: i64,
    weight_minute: i64,
    used_weight: u32,
    /// Queued faults, each for any endpoint (`None`) or one.
    faults: VecDeque<(Option<Endpoint>, Fault)>,
    requests: Vec<Recorded>,
}

/// State shared by the server's handlers and the test.
#[derive(Debug, Default)]
pub struct Shared {
    control: Mutex<Control>,
    book: Mutex<Book>,
    streams: Mutex<streams::StreamControl>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn server_now(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + lock(&self.control).skew_ms
    }

    /// Counts the request's weight; answers the weight used, the `Retry-After` when over the
    /// limit, and the next fault.
    fn admit(&self, endpoint: Endpoint, now: i64) -> (u32, Option<u64>, Option<Fault>) {
        let mut c = lock(&self.control);
        let minute = now.div_euclid(60_000);
        if c.weight_minute != minute {
            c.weight_minute = minute;
            c.used_weight = 0;
        }
        c.used_weight += endpoint.weight();
        if c.used_weight > WEIGHT_LIMIT {
            let retry = ((minute + 1) * 60_000 - now + 999) / 1000;
            return (c.used_weight, Some(retry.max(1) as u64), None);
        }
        let next = c
            .faults
            .iter()
            .position(|(only, _)| only.is_none_or(|e| e == endpoint));
        let fault = next.and_then(|i| c.faults.remove(i)).map(|(_, f)| f);
        (c.used_weight, None, fault)
    }

    fn record(&self, r: Recorded) {
        lock(&self.control).requests.push(r);
    }

    fn key(&self, api_key: &str) -> Option<MockKey> {
        lock(&self.control).keys.get(api_key).cloned()
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        lock(&self.book)
    }
}

/// A running mock exchange. Dropping it leaves the server running until the test's runtime ends.
#[derive(Debug, Clone)]
pub struct MockExchange {
    url: String,
    shared: Arc<Shared>,
}

/// Restrictions of a key that may trade spot and nothing else.
pub fn spot_only() -> ApiRestrictions {
    ApiRestrictions {
        ip_restrict: false,
        enable_withdrawals: false,
        enable_spot_and_margin_trading: true,
        enable_margin: false,
        enable_futures: false,
    }
}

impl MockExchange {
    /// Starts a mock with the default key ([`MOCK_KEY`], spot only), 10 000 USDT and 0.5 BTC,
    /// and two pairs: BTCUSDT (step 0.00001, tick 0.01, min value 5, last 50 000) and ETHUSDT
    /// (step 0.0001, tick 0.01, min value 5, last 3 000). Must run inside a Tokio runtime.
    pub fn start() -> std::io::Result<Self> {
        Self::start_on(0)
    }

    /// [`MockExchange::start`] on 127.0.0.1:`port` (0: a free one; the URL names it).
    pub fn start_on(port: u16) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        {
            let mut book = shared.book();
            book.balances.insert("USDT".into(), (10_000.0, 0.0));
            book.balances.insert("BTC".into(), (0.5, 0.0));
            for pair in [
                MockPair::new("BTC", "USDT", 0.00001, 0.01, 5.0, 50_000.0),
                MockPair::new("ETH", "USDT", 0.0001, 0.01, 5.0, 3_000.0),
            ] {
                book.pairs.insert(pair.info.symbol.clone(), pair);
            }
        }
        lock(&shared.control).keys.insert(
            MOCK_KEY.into(),
            MockKey {
                secret: MOCK_SECRET.into(),
                restrictions: spot_only(),
            },
        );
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/stream", web::get().to(streams::upgrade))
                .default_service(web::to(routes::handle))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        tokio::spawn(server);
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            shared,
        })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection config for the default key, with a 1 s timeout.
    pub fn config(&self) -> BinanceConfig {
        self.config_for(MOCK_KEY, MOCK_SECRET)
    }

    /// A connection config for any key pair, with a 1 s timeout.
    pub fn config_for(&self, api_key: &str, secret: &str) -> BinanceConfig {
        let mut config = BinanceConfig::new(&self.url, api_key, ApiSecret::new(secret));
        config.timeout = Duration::from_secs(1);
        config.symbols = vec!["BTCUSDT".into(), "ETHUSDT".into()];
        config
    }

    /// Accepts another key.
    pub fn add_key(&self, api_key: &str, secret: &str, restrictions: ApiRestrictions) {
        lock(&self.shared.control).keys.insert(
            api_key.into(),
            MockKey {
                secret: secret.into(),
                restrictions,
            },
        );
    }

    /// Moves the mock's clock by `ms` from the real one.
    pub fn set_clock_skew_ms(&self, ms: i64) {
        lock(&self.shared.control).skew_ms = ms;
    }

    /// Sets the weight used in the current server minute.
    pub fn set_used_weight(&self, weight: u32) {
        let now = self.shared.server_now();
        let mut c = lock(&self.shared.control);
        c.weight_minute = now.div_euclid(60_000);
        c.used_weight = weight;
    }

    /// Queues a fault for the next request.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared.control).faults.push_back((None, fault));
    }

    /// Queues a fault for the next request to `endpoint` (requests to others pass it by).
    pub fn push_fault_on(&self, endpoint: Endpoint, fault: Fault) {
        lock(&self.shared.control)
            .faults
            .push_back((Some(endpoint), fault));
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.control).requests.clone()
    }

    /// How many requests reached `endpoint`.
    pub fn count(&self, endpoint: Endpoint) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.endpoint == endpoint)
            .count()
    }

    /// Every order accepted.
    pub fn orders(&self) -> Vec<ExchangeOrder> {
        self.shared.book().orders.clone()
    }

    /// (free, locked) of an asset.
    pub fn balance(&self, asset: &str) -> (f64, f64) {
        self.shared
            .book()
            .balances
            .get(asset)
            .copied()
            .unwrap_or_default()
    }

    /// The mock's clock (epoch ms).
    pub fn server_now(&self) -> i64 {
        self.shared.server_now()
    }

    /// Moves a pair's last price (bid and ask one tick either side); REST and the market
    /// streams report it from now on.
    pub fn set_last(&self, symbol: &str, last: f64) {
        if let Some(p) = self.shared.book().pairs.get_mut(symbol) {
            let tick = p.rules.tick_size;
            p.last = last;
            p.bid = last - tick;
            p.ask = last + tick;
        }
    }

    /// Stops the market streams: open sockets close, new ones are refused (503).
    pub fn stop_streams(&self) {
        let mut control = lock(&self.shared.streams);
        control.stopped = true;
        control.generation += 1;
    }

    /// Serves the market streams again.
    pub fn start_streams(&self) {
        lock(&self.shared.streams).stopped = false;
    }

    /// Market-stream sockets opened so far.
    pub fn stream_connects(&self) -> u64 {
        lock(&self.shared.streams).connects
    }

    /// Live requests (`SUBSCRIBE`, `UNSUBSCRIBE`) the market streams received.
    pub fn stream_requests(&self) -> u64 {
        lock(&self.shared.streams).requests
    }

    /// Pongs the market streams received for their pings.
    pub fn stream_pongs(&self) -> u64 {
        lock(&self.shared.streams).pongs
    }
}
