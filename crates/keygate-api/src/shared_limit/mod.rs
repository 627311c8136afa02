//! Rate limits shared by every keygate process through Redis (`KEYGATE_REDIS_URL`), so a fleet
//! allows a key or an address its documented rate once, not once per instance.
//!
//! Every category keeps its in-memory limiter ([`crate::rate_limit::Windows`]); with Redis set, a
//! check first asks Redis and the local limiter decides only when Redis cannot. The order of work
//! of one shared decision:
//! 1. Down (the last call failed)? Decide locally at once: no request waits for a Redis that is
//!    known to be away. A background task ([`SharedLimits::start`]) reconnects at most every
//!    250 ms and marks it up again.
//! 2. One `EVALSHA` of `gcra.lua` (loaded by `redis::Script`, sent again only after a Redis
//!    restart forgot it): governor's GCRA over every window of the category, on Redis's clock,
//!    atomically, so concurrent processes cannot both take the last call.
//! 3. Bounded by `KEYGATE_REDIS_TIMEOUT_MS`: an error or a timeout counts in
//!    [`SharedLimitHealth`], marks Redis down (one log line) and this very request is decided
//!    locally. A request is never refused because Redis is away, nor delayed past the timeout.
//!
//! The answer carries what the local limiter's does (allowed with each window's remaining calls,
//! or refused by window `i` for so long), so 429 bodies and `RateLimit-*` headers read the same.
//! Keys are `{prefix}:{category}:{{subject}}:{count}/{period}s`: the subject in braces is a
//! Redis Cluster hash tag (one slot for all windows of a script), and the window in the name
//! keeps instances configured differently from reading each other's state as their own.

mod health;

use std::fmt::Display;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use keygate_core::config::{RateWindow, SharedLimitSettings};
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Script};

pub use health::SharedLimitHealth;

/// How often a reconnect is tried while Redis is down.
pub const RECONNECT_EVERY: Duration = Duration::from_millis(250);

/// The longest a (re)connection may take: it runs at start-up or in the background, never while
/// a request waits, so it may take longer than a decision (a new connection costs a handshake,
/// `CLIENT SETINFO` and `SCRIPT LOAD`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The connection to Redis shared by every category's limiter.
pub struct SharedLimits {
    client: Client,
    /// The live connection (multiplexed: every worker's calls share it), swapped by the
    /// reconnect task; `None` until the first connection succeeds.
    connection: RwLock<Option<MultiplexedConnection>>,
    script: Script,
    prefix: String,
    timeout: Duration,
    health: SharedLimitHealth,
}

/// What Redis decided for one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Counted; the calls each window has left, in the category's window order.
    Allowed(Vec<u32>),
    /// Refused by the window at `window`, which allows a call again after `wait`.
    Refused {
        /// Index of the refusing window.
        window: usize,
        /// Until it allows one again.
        wait: Duration,
    },
}

/// One category's windows as Redis decides them.
pub struct SharedWindows {
    limits: Arc<SharedLimits>,
    category: &'static str,
    /// Each window's name suffix (`10/1s`), emission interval and tolerance in microseconds.
    windows: Vec<(String, u64, u64)>,
}

impl SharedLimits {
    /// Connects (once, bounded by the timeout; failing is no error: limits are local until the
    /// background task reaches Redis) and starts the reconnect task on the current runtime, which
    /// must outlive the server (the connection's driver runs there).
    pub async fn start(settings: &SharedLimitSettings) -> anyhow::Result<Arc<Self>> {
        let client = Client::open(settings.connection.clone())
            .map_err(|e| anyhow::anyhow!("KEYGATE_REDIS_URL cannot be used: {e}"))?;
        let limits = Arc::new(Self {
            client,
            connection: RwLock::new(None),
            script: Script::new(include_str!("gcra.lua")),
            prefix: settings.prefix.clone(),
            timeout: settings.timeout,
            health: SharedLimitHealth::default(),
        });
        match limits.reconnect().await {
            Ok(()) => limits.health.recovered(),
            Err(why) => {
                limits.health.failed(&why);
                log::warn!(
                    "shared rate limits are down ({why}): each process limits locally until Redis answers"
                );
            }
        }
        tokio::spawn(Self::keep_connected(Arc::downgrade(&limits)));
        Ok(limits)
    }

    /// Whether Redis is deciding, and its error count.
    pub fn health(&self) -> &SharedLimitHealth {
        &self.health
    }

    /// `windows` of `category`, decided here.
    pub fn windows(
        self: &Arc<Self>,
        category: &'static str,
        windows: &[RateWindow],
    ) -> SharedWindows {
        SharedWindows {
            limits: self.clone(),
            category,
            windows: windows
                .iter()
                .map(|w| {
                    let t = (w.period.as_micros() / u128::from(w.count.max(1))).max(1) as u64;
                    let name = format!("{}/{}s", w.count, w.period.as_secs());
                    (name, t, t * u64::from(w.count.saturating_sub(1)))
                })
                .collect(),
        }
    }

    /// Reconnects while Redis is down, every [`RECONNECT_EVERY`], until the limits are dropped.
    async fn keep_connected(limits: Weak<Self>) {
        let mut ticker = tokio::time::interval(RECONNECT_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let Some(limits) = limits.upgrade() else {
                return;
            };
            if limits.health.is_up() {
                continue;
            }
            match limits.reconnect().await {
                Ok(()) => limits.health.recovered(),
                Err(why) => limits.health.failed(&why),
            }
        }
    }

    /// A fresh connection that has loaded the script, swapped in; bounded by
    /// [`CONNECT_TIMEOUT`]. Its calls are then bounded by the decision timeout.
    async fn reconnect(&self) -> Result<(), String> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT));
        let connect = async {
            let mut connection = self
                .client
                .get_multiplexed_async_connection_with_config(&config)
                .await?;
            self.script
                .prepare_invoke()
                .load_async(&mut connection)
                .await?;
            Ok::<_, redis::RedisError>(connection)
        };
        let connection = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("no answer within the timeout".into()),
        };
        let mut slot = self.connection.write().map_err(|_| "poisoned lock")?;
        *slot = Some(connection);
        Ok(())
    }
}

impl SharedWindows {
    /// Counts `calls` for `subject` (1 for a check; more to charge, as far as the budget goes).
    /// `None` when Redis is down or failed now: the caller decides locally.
    pub async fn decide(&self, subject: &dyn Display, calls: u32) -> Option<Decision> {
        let limits = &self.limits;
        if !limits.health.is_up() || self.windows.is_empty() {
            return None;
        }
        let mut connection = limits.connection.read().ok()?.clone()?;
        let mut invocation = limits.script.prepare_invoke();
        invocation.arg(calls);
        for (name, t, tau) in &self.windows {
            let key = format!("{}:{}:{{{subject}}}:{name}", limits.prefix, self.category);
            invocation.key(key).arg(*t).arg(*tau);
        }
        let reply = tokio::time::timeout(
            limits.timeout,
            invocation.invoke_async::<Vec<i64>>(&mut connection),
        )
        .await;
        let reply = match reply {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => {
                limits.health.failed(&e);
                return None;
            }
            Err(_) => {
                limits.health.failed(&"no answer within the timeout");
                return None;
            }
        };
        let decision = parse_reply(&reply, self.windows.len());
        if decision.is_none() {
            limits
                .health
                .failed(&"an unexpected answer to the limit script");
        }
        decision
    }
}

/// `gcra.lua`'s answer: `[1, remaining...]` (one per window) or `[0, window, wait_us]`.
fn parse_reply(reply: &[i64], windows: usize) -> Option<Decision> {
    match reply {
        [1, remaining @ ..] if remaining.len() == windows => Some(Decision::Allowed(
            remaining
                .iter()
                .map(|r| u32::try_from((*r).max(0)).unwrap_or(u32::MAX))
                .collect(),
        )),
        [0, window, wait_us] => Some(Decision::Refused {
            window: usize::try_from(*window).ok().filter(|w| *w < windows)?,
            wait: Duration::from_micros(u64::try_from((*wait_us).max(0)).ok()?),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_parse_into_decisions_and_anything_else_is_refused() {
        assert_eq!(
            parse_reply(&[1, 4, 0], 2),
            Some(Decision::Allowed(vec![4, 0]))
        );
        assert_eq!(
            parse_reply(&[0, 1, 1_500_000], 2),
            Some(Decision::Refused {
                window: 1,
                wait: Duration::from_millis(1500)
            })
        );
        assert_eq!(parse_reply(&[1, 4], 2), None, "a window missing");
        assert_eq!(parse_reply(&[0, 2, 10], 2), None, "no such window");
        assert_eq!(parse_reply(&[], 1), None);
    }
}
