//! Rate limits in categories, each a stack of windows (`10/s,200/min`): per API key for
//! key-authenticated routes (counted in the [`ApiCall`](crate::auth::ApiCall) extractor right
//! after the key is verified, so keys sent in the JSON body count too), per client address group
//! for every `/api/v1` call before any key work ([`limit_by_ip`], called by the traffic
//! middleware), and per username for sign-in ([`crate::login_limit`]). The other per-IP limits
//! (session API, sign-in, webhooks) are middleware over the same [`Windows`]
//! ([`crate::ip_governor`]).
//!
//! The limiters here are governor's keyed GCRA limiters, checked in memory without a lock shared
//! by all requests; with `KEYGATE_REDIS_URL` set, every category is decided by the same GCRA in
//! Redis first ([`crate::shared_limit`]), and in memory only while Redis cannot answer. They are
//! not one middleware each because the `/api/v1` check is on the hot path (a middleware layer
//! costs every request a boxed call) and the per-key and per-username checks need the verified
//! key or the parsed body. A per-key check leaves a
//! [`RateInfo`] in the request's extensions; the traffic middleware turns it into
//! `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers, on 429s (which also
//! carry `Retry-After`) and successes alike.

use std::fmt::Display;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServiceRequest;
use actix_web::HttpMessage;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use keygate_core::config::{RateLimitSettings, RateWindow};
use keygate_core::ip_group::IpGroup;

use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::route_class::RouteClass;
use crate::shared_limit::{Decision, SharedLimits, SharedWindows};

/// What a request is counted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateCategory {
    /// Place, modify, cancel and smart orders (per key).
    Orders,
    /// Data and account queries, and ping (per key).
    Data,
}

/// The state of the tightest window after a check, for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    /// The window's request count.
    pub limit: u32,
    /// Requests left in it.
    pub remaining: u32,
    /// Seconds until it is full again.
    pub reset_secs: u64,
}

type Limiter<K> =
    RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// A check's verdict: allowed (with the tightest window's figures, when there is a window), or
/// the 429 and the figures for its headers.
pub type Checked = Result<Option<RateInfo>, (ApiError, RateInfo)>;

/// One category's stacked windows, keyed by `K`: in memory, and also in Redis when limits are
/// shared ([`crate::shared_limit`]; the in-memory limiter then decides only while Redis cannot).
pub struct Windows<K: Hash + Eq + Clone> {
    windows: Vec<(Limiter<K>, RateWindow)>,
    clock: DefaultClock,
    shared: Option<SharedWindows>,
}

impl<K: Hash + Eq + Clone + Display> Windows<K> {
    /// Limiters for `windows`; none means unlimited.
    pub fn new(windows: &[RateWindow]) -> Self {
        let windows = windows
            .iter()
            .filter_map(|w| {
                let count = NonZeroU32::new(w.count)?;
                let quota = Quota::with_period(w.period / w.count)?.allow_burst(count);
                Some((RateLimiter::keyed(quota).with_middleware(), *w))
            })
            .collect();
        Self {
            windows,
            clock: DefaultClock::default(),
            shared: None,
        }
    }

    /// The same windows shared through `shared` (when set) under `category`, a name unique to
    /// this category and kind of key.
    pub fn shared(mut self, shared: Option<&Arc<SharedLimits>>, category: &'static str) -> Self {
        let windows: Vec<RateWindow> = self.windows.iter().map(|(_, w)| *w).collect();
        self.shared = shared.map(|limits| limits.windows(category, &windows));
        self
    }

    /// Counts one request for `key` in every window. On refusal: the 429 error and the headers'
    /// figures; `what` is appended to the message (e.g. ` for sign-in attempts`).
    pub async fn check(&self, key: &K, what: &str) -> Checked {
        if let Some(shared) = &self.shared {
            // Boxed: the in-memory path's future (inside the traffic middleware's, on every
            // request) stays as small as it was without Redis.
            match Box::pin(shared.decide(key, 1)).await {
                Some(Decision::Allowed(remaining)) => {
                    return Ok(self
                        .windows
                        .iter()
                        .zip(remaining)
                        .map(|((_, window), left)| allowed(window, left))
                        .fold(None, tightest));
                }
                Some(Decision::Refused { window, wait }) => {
                    if let Some((_, window)) = self.windows.get(window) {
                        return Err(refused(window, wait, what));
                    }
                }
                None => {}
            }
        }
        self.check_here(key, what)
    }

    /// Counts `calls` more for `key`, as far as the budget goes, refusing nothing.
    pub async fn charge(&self, key: &K, calls: usize) {
        if calls == 0 {
            return;
        }
        if let Some(shared) = &self.shared {
            let calls = u32::try_from(calls).unwrap_or(u32::MAX);
            if shared.decide(key, calls).await.is_some() {
                return;
            }
        }
        for _ in 0..calls {
            if self.check_here(key, "").is_err() {
                break;
            }
        }
    }

    /// The in-memory decision.
    fn check_here(&self, key: &K, what: &str) -> Checked {
        let mut tightest_so_far: Option<RateInfo> = None;
        for (limiter, window) in &self.windows {
            match limiter.check_key(key) {
                Ok(snapshot) => {
                    let info = allowed(window, snapshot.remaining_burst_capacity());
                    tightest_so_far = tightest(tightest_so_far, info);
                }
                Err(not_until) => {
                    return Err(refused(
                        window,
                        not_until.wait_time_from(self.clock.now()),
                        what,
                    ))
                }
            }
        }
        Ok(tightest_so_far)
    }

    /// Keys the first window holds.
    #[cfg(test)]
    pub(crate) fn key_count(&self) -> usize {
        self.windows.first().map_or(0, |(limiter, _)| limiter.len())
    }

    /// Forgets keys whose windows are full again, bounding memory (Redis expires its own).
    pub fn shrink(&self) {
        for (limiter, _) in &self.windows {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// A window's figures after an allowed call that left it `remaining` calls.
fn allowed(window: &RateWindow, remaining: u32) -> RateInfo {
    let per = window.period.as_secs_f64() / f64::from(window.count);
    RateInfo {
        limit: window.count,
        remaining,
        reset_secs: (f64::from(window.count - remaining.min(window.count)) * per).ceil() as u64,
    }
}

/// The figures of the window with the fewest calls left (the first of equals).
fn tightest(so_far: Option<RateInfo>, info: RateInfo) -> Option<RateInfo> {
    match so_far {
        Some(t) if t.remaining <= info.remaining => Some(t),
        _ => Some(info),
    }
}

/// The 429 of `window`, which allows a call again after `wait`.
fn refused(window: &RateWindow, wait: Duration, what: &str) -> (ApiError, RateInfo) {
    // Rounded up: a client that waits the whole seconds it is told is then accepted.
    let retry_after = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    (
        ApiError::RateLimited {
            limit: format!("{}{what}", window.describe()),
            retry_after,
        },
        RateInfo {
            limit: window.count,
            remaining: 0,
            reset_secs: retry_after,
        },
    )
}

/// The per-key categories and the `/api/v1` limit per address group.
pub struct RateLimits {
    orders: Windows<i64>,
    data: Windows<i64>,
    api_per_ip: Windows<IpGroup>,
}

impl RateLimits {
    /// Limiters for the configured categories, shared through `shared` when it is set.
    pub fn new(settings: &RateLimitSettings, shared: Option<&Arc<SharedLimits>>) -> Self {
        Self {
            orders: Windows::new(&settings.orders).shared(shared, "orders"),
            data: Windows::new(&settings.data).shared(shared, "data"),
            api_per_ip: Windows::new(&settings.api_per_ip).shared(shared, "api_ip"),
        }
    }

    fn per_key(&self, category: RateCategory) -> &Windows<i64> {
        match category {
            RateCategory::Orders => &self.orders,
            RateCategory::Data => &self.data,
        }
    }

    /// Counts a call with key `key_id` in `category`, leaving the figures in `req`'s extensions.
    pub async fn check_key(
        &self,
        req: &impl HttpMessage,
        category: RateCategory,
        key_id: i64,
    ) -> Result<(), ApiError> {
        record(req, self.per_key(category).check(&key_id, "").await)
    }

    /// Charges key `key_id` for `calls` more calls in `category` after the fact, as far as its
    /// budget goes, without refusing anything: cancel-all and close-position count one orders
    /// call per order they cancelled or placed, but an exit already made is never undone.
    pub async fn charge_key(&self, category: RateCategory, key_id: i64, calls: usize) {
        self.per_key(category).charge(&key_id, calls).await;
    }

    /// Counts an `/api/v1` call from `group`. Only a refusal leaves figures in `req`'s
    /// extensions: an accepted call's headers describe its key's budget, and the hot path
    /// allocates nothing for a figure nobody reads.
    pub async fn check_api_ip(
        &self,
        req: &impl HttpMessage,
        group: IpGroup,
    ) -> Result<(), ApiError> {
        match self.api_per_ip.check(&group, " per address").await {
            Ok(_) => Ok(()),
            Err(refused) => record(req, Err(refused)),
        }
    }

    /// Forgets idle keys.
    pub fn shrink(&self) {
        self.orders.shrink();
        self.data.shrink();
        self.api_per_ip.shrink();
    }
}

/// Leaves the figures of a check in the request's extensions; passes the verdict on.
pub fn record(req: &impl HttpMessage, outcome: Checked) -> Result<(), ApiError> {
    match outcome {
        Ok(info) => {
            if let Some(info) = info {
                req.extensions_mut().insert(info);
            }
            Ok(())
        }
        Err((error, info)) => {
            req.extensions_mut().insert(info);
            Err(error)
        }
    }
}

/// Counts an `/api/v1` call per client address group (the traffic middleware calls it before
/// any routing, with the path's class, so a refused request costs no key work). Other paths pass.
pub async fn limit_by_ip(
    req: &ServiceRequest,
    class: RouteClass,
    limits: &RateLimits,
) -> Result<(), ApiError> {
    if class != RouteClass::ApiV1 {
        return Ok(());
    }
    let group = IpGroup::of(ClientIp::of(req.request()).0);
    limits.check_api_ip(req, group).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stacked_windows_refuse_at_the_tightest_and_name_it() {
        let windows = keygate_core::config::parse_windows("X", "3/s,4/min").unwrap();
        let limiter: Windows<i64> = Windows::new(&windows);
        let first = limiter.check(&1, "").await.unwrap().unwrap();
        assert_eq!((first.limit, first.remaining), (3, 2));
        limiter.check(&1, "").await.unwrap();
        limiter.check(&1, "").await.unwrap();
        let (error, info) = limiter.check(&1, "").await.unwrap_err();
        assert_eq!(error.to_string(), "Rate limit exceeded: 3 per 1 second");
        assert_eq!((info.limit, info.remaining), (3, 0));
        assert!(
            limiter.check(&2, "").await.is_ok(),
            "another key has its own budget"
        );
    }

    #[tokio::test]
    async fn charging_after_the_fact_uses_up_the_budget_without_refusing() {
        let windows = |spec| keygate_core::config::parse_windows("X", spec).unwrap();
        let settings = RateLimitSettings {
            orders: windows("5/min"),
            data: windows("5/min"),
            webhook: windows("5/min"),
            login: windows("5/min"),
            default: windows("5/min"),
            api_per_ip: windows("5/min"),
        };
        let limits = RateLimits::new(&settings, None);
        limits.charge_key(RateCategory::Orders, 7, 3).await;
        let left = limits.orders.check(&7, "").await.unwrap().unwrap();
        assert_eq!(left.remaining, 1, "3 charged + this one of 5");
        limits.charge_key(RateCategory::Orders, 7, 100).await;
        assert!(
            limits.orders.check(&7, "").await.is_err(),
            "charged to the end"
        );
    }
}
