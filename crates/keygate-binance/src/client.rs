//! The HTTP core shared by every call: signing, the server-time offset, the request-weight
//! budget and Binance's rate-limit answers.
//!
//! Order of work for one call:
//! 1. the first call measures the server-time offset (`GET /api/v3/time`, offset = server time
//!    − the local midpoint of the round trip): signed timestamps and the weight minute use it;
//! 2. the weight budget: if the last `X-MBX-USED-WEIGHT-1M` plus this call's weight would pass
//!    [`BinanceConfig::weight_budget`] in the current server minute, wait for the next minute
//!    (Binance counts weight per calendar minute); a `Retry-After` still running does the same;
//! 3. send; a 429 or 418 waits its `Retry-After` and tries again (the exchange did not run the
//!    request), unless the wait is longer than [`MAX_INLINE_WAIT`]: then the call and every call
//!    until then fail at once, without touching the exchange;
//! 4. a `-1021` (timestamp outside recvWindow) resynchronises the offset and retries once;
//! 5. a timeout or a 5xx is [`Failure::Unknown`]: the exchange may have run the request, so the
//!    order path looks the order up by its client id before anything else.

use std::time::Duration;

use keygate_broker::BrokerError;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::config::BinanceConfig;
use crate::errors::{map_error, Subject, TIMESTAMP_OUTSIDE_WINDOW};
use crate::sign::{signed_query, Params};
use crate::wire::{ApiErrorBody, ServerTime};

/// The longest `Retry-After` a call waits out itself; longer bans fail fast.
pub const MAX_INLINE_WAIT: Duration = Duration::from_secs(10);
/// Waiting for the next weight minute lands this far past its start (clock noise).
const MINUTE_MARGIN_MS: i64 = 50;
/// Sends of one call at most (429 waits and one clock resynchronisation).
const MAX_SENDS: usize = 4;

/// Whether a call is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Market data: no key, no signature.
    Public,
    /// Account and order calls: API key header, timestamp, recvWindow and signature.
    Signed,
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Call {
    /// HTTP method.
    pub method: Method,
    /// Path under the base URL (`/api/v3/order`).
    pub path: &'static str,
    /// Its parameters.
    pub params: Params,
    /// Its request weight (Binance's published figure).
    pub weight: u32,
    /// Signed or not.
    pub security: Security,
}

impl Call {
    /// A signed call.
    pub fn signed(method: Method, path: &'static str, weight: u32, params: Params) -> Self {
        Self {
            method,
            path,
            params,
            weight,
            security: Security::Signed,
        }
    }

    /// A public (market data) call.
    pub fn public(path: &'static str, weight: u32, params: Params) -> Self {
        Self {
            method: Method::GET,
            path,
            params,
            weight,
            security: Security::Public,
        }
    }
}

/// Why a call failed.
#[derive(Debug)]
pub enum Failure {
    /// The exchange answered with an error body.
    Refused(ApiErrorBody),
    /// No answer in time, or a 5xx: the request may or may not have been run.
    Unknown(String),
    /// A 429 or 418: not run; its `Retry-After` is recorded.
    RateLimited,
    /// Anything else (not sent, rate-limited for long, a body out of contract).
    Broken(BrokerError),
}

impl Failure {
    /// The `BrokerError` a caller sees.
    pub fn into_broker(self, subject: Subject<'_>) -> BrokerError {
        match self {
            Failure::Refused(body) => map_error(body, subject),
            Failure::Unknown(why) => BrokerError::Unavailable(why),
            Failure::RateLimited => BrokerError::Unavailable("rate limited by the exchange".into()),
            Failure::Broken(e) => e,
        }
    }
}

#[derive(Debug, Default)]
struct Limits {
    /// Server time − local time, ms; `None` until measured.
    offset_ms: Option<i64>,
    /// Weight the exchange last reported, and the server minute it counts in.
    used_weight: u32,
    weight_minute: i64,
    /// Local epoch ms before which no request may be sent (a `Retry-After`).
    blocked_until_ms: i64,
}

/// The HTTP client of one connection.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    config: BinanceConfig,
    limits: Mutex<Limits>,
}

fn local_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Client {
    /// A client for `config` (builds the connection pool; no request is sent).
    pub fn new(config: BinanceConfig) -> Result<Self, BrokerError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BrokerError::Unavailable(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            config,
            limits: Mutex::new(Limits::default()),
        })
    }

    /// The connection's settings.
    pub fn config(&self) -> &BinanceConfig {
        &self.config
    }

    /// Measures the server-time offset now (`GET /api/v3/time`) and returns it in ms.
    pub async fn sync_time(&self) -> Result<i64, Failure> {
        let before = local_ms();
        let time: ServerTime = self
            .send_once(&Call::public("/api/v3/time", 1, Params::new()), 0)
            .await?;
        let after = local_ms();
        let offset = time.server_time - (before + after) / 2;
        self.limits.lock().await.offset_ms = Some(offset);
        log::debug!("binance: server time offset {offset} ms");
        Ok(offset)
    }

    /// The weight the exchange last reported for the current minute.
    pub async fn used_weight(&self) -> u32 {
        self.limits.lock().await.used_weight
    }

    /// Runs a call (see the module docs for the order of work) and parses its JSON answer.
    pub async fn call<T: DeserializeOwned>(&self, call: &Call) -> Result<T, Failure> {
        let mut resynced = false;
        for _ in 0..MAX_SENDS {
            // Timestamps and the weight minute are both server time: measure it first.
            let offset = match self.offset().await {
                Some(offset) => offset,
                None => self.sync_time().await?,
            };
            self.wait_for_budget(call.weight, offset).await?;
            match self.send_once(call, offset).await {
                Err(Failure::Refused(body))
                    if body.code == TIMESTAMP_OUTSIDE_WINDOW && !resynced =>
                {
                    resynced = true;
                    self.sync_time().await?;
                }
                Err(Failure::RateLimited) => {}
                other => return other,
            }
        }
        Err(Failure::Broken(BrokerError::Unavailable(format!(
            "{} still refused after {MAX_SENDS} attempts",
            call.path
        ))))
    }

    async fn offset(&self) -> Option<i64> {
        self.limits.lock().await.offset_ms
    }

    /// Sleeps until the call fits the weight budget and no `Retry-After` is running.
    async fn wait_for_budget(&self, weight: u32, offset: i64) -> Result<(), Failure> {
        let wait_ms = {
            let mut limits = self.limits.lock().await;
            let now = local_ms();
            let server_now = now + offset;
            let minute = server_now.div_euclid(60_000);
            if limits.weight_minute != minute {
                limits.weight_minute = minute;
                limits.used_weight = 0;
            }
            let mut wait = (limits.blocked_until_ms - now).max(0);
            if limits.used_weight + weight > self.config.weight_budget {
                wait = wait.max((minute + 1) * 60_000 - server_now + MINUTE_MARGIN_MS);
                limits.weight_minute = minute + 1;
                limits.used_weight = 0;
            }
            limits.used_weight += weight;
            wait
        };
        if wait_ms <= 0 {
            return Ok(());
        }
        if wait_ms as u128 > MAX_INLINE_WAIT.as_millis() {
            return Err(Failure::Broken(BrokerError::Unavailable(format!(
                "rate limited by the exchange for another {wait_ms} ms"
            ))));
        }
        log::info!("binance: waiting {wait_ms} ms for the request-weight budget");
        tokio::time::sleep(Duration::from_millis(wait_ms as u64)).await;
        Ok(())
    }

    /// Sends once and reads the answer, recording the weight header.
    async fn send_once<T: DeserializeOwned>(&self, call: &Call, offset: i64) -> Result<T, Failure> {
        let query = match call.security {
            Security::Signed => signed_query(
                &self.config.secret,
                &call.params,
                local_ms() + offset,
                self.config.recv_window_ms,
            ),
            Security::Public => call.params.encode(),
        };
        let mut url = format!("{}{}", self.config.base_url, call.path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let mut request = self.http.request(call.method.clone(), &url);
        if call.security == Security::Signed {
            request = request.header("X-MBX-APIKEY", &self.config.api_key);
        }
        // Errors never carry the URL: it holds the signature.
        let response = request.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            if e.is_connect() {
                Failure::Broken(BrokerError::Unavailable(format!(
                    "{} {}: could not connect",
                    call.method, call.path
                )))
            } else {
                Failure::Unknown(format!("{} {} {what}", call.method, call.path))
            }
        })?;
        let status = response.status();
        self.record_headers(&response).await;
        let body = response.bytes().await.map_err(|_| {
            Failure::Unknown(format!("{} {}: body not read", call.method, call.path))
        })?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                Failure::Broken(BrokerError::Unavailable(format!(
                    "{} {}: unexpected answer ({e})",
                    call.method, call.path
                )))
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.as_u16() == 418 {
            return Err(Failure::RateLimited);
        }
        if status.is_server_error() {
            return Err(Failure::Unknown(format!(
                "{} {}: the exchange answered {status}",
                call.method, call.path
            )));
        }
        match serde_json::from_slice::<ApiErrorBody>(&body) {
            Ok(body) => Err(Failure::Refused(body)),
            Err(_) => Err(Failure::Broken(BrokerError::Unavailable(format!(
                "{} {}: the exchange answered {status}",
                call.method, call.path
            )))),
        }
    }

    /// Reads `X-MBX-USED-WEIGHT-1M` and `Retry-After`.
    async fn record_headers(&self, response: &reqwest::Response) {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let used = header("x-mbx-used-weight-1m");
        let retry_after = header("retry-after");
        let mut limits = self.limits.lock().await;
        if let Some(used) = used {
            let server_now = local_ms() + limits.offset_ms.unwrap_or(0);
            limits.weight_minute = server_now.div_euclid(60_000);
            limits.used_weight = u32::try_from(used).unwrap_or(u32::MAX);
        }
        if let Some(seconds) = retry_after {
            let until = local_ms().saturating_add(seconds.saturating_mul(1000) as i64);
            limits.blocked_until_ms = limits.blocked_until_ms.max(until);
            log::warn!("binance: rate limited, Retry-After {seconds} s");
        }
    }
}
