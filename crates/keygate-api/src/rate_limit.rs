//! Rate limits in categories, each a stack of windows (`10/s,200/min`): per API key for
//! key-authenticated routes (counted in the [`ApiCall`](crate::auth::ApiCall) extractor right
//! after the key is verified, so keys sent in the JSON body count too), per client address group
//! for every `/api/v1` call before any key work ([`limit_by_ip`], called by the traffic
//! middleware), and per username for sign-in ([`crate::login_limit`]). The other per-IP limits
//! (session API, sign-in, webhooks) are actix-governor middleware ([`crate::ip_governor`]).
//!
//! The limiters here are governor's keyed GCRA limiters (the engine under actix-governor), checked
//! in memory without a lock shared by all requests; they are not middleware because the `/api/v1`
//! check is on the hot path (a middleware layer costs every request a boxed call) and the per-key
//! and per-username checks need the verified key or the parsed body. A per-key check leaves a
//! [`RateInfo`] in the request's extensions; the traffic middleware turns it into
//! `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers, on 429s (which also
//! carry `Retry-After`) and successes alike.

use std::hash::Hash;
use std::num::NonZeroU32;

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

/// One category's stacked windows, keyed by `K`.
pub struct Windows<K: Hash + Eq + Clone> {
    windows: Vec<(Limiter<K>, RateWindow)>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> Windows<K> {
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
        }
    }

    /// Counts one request for `key` in every window. On refusal: the 429 error and the headers'
    /// figures; `what` is appended to the message (e.g. ` for sign-in attempts`).
    pub fn check(&self, key: &K, what: &str) -> Result<Option<RateInfo>, (ApiError, RateInfo)> {
        let mut tightest: Option<RateInfo> = None;
        for (limiter, window) in &self.windows {
            match limiter.check_key(key) {
                Ok(snapshot) => {
                    let remaining = snapshot.remaining_burst_capacity();
                    let per = window.period.as_secs_f64() / f64::from(window.count);
                    let info = RateInfo {
                        limit: window.count,
                        remaining,
                        reset_secs: (f64::from(window.count - remaining.min(window.count)) * per)
                            .ceil() as u64,
                    };
                    if tightest.is_none_or(|t| info.remaining < t.remaining) {
                        tightest = Some(info);
                    }
                }
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                    let retry_after = retry_after.max(1);
                    return Err((
                        ApiError::RateLimited {
                            limit: format!("{}{what}", window.describe()),
                            retry_after,
                        },
                        RateInfo {
                            limit: window.count,
                            remaining: 0,
                            reset_secs: retry_after,
                        },
                    ));
                }
            }
        }
        Ok(tightest)
    }

    /// Keys the first window holds.
    #[cfg(test)]
    pub(crate) fn key_count(&self) -> usize {
        self.windows.first().map_or(0, |(limiter, _)| limiter.len())
    }

    /// Forgets keys whose windows are full again, bounding memory.
    pub fn shrink(&self) {
        for (limiter, _) in &self.windows {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The per-key categories and the `/api/v1` limit per address group.
pub struct RateLimits {
    orders: Windows<i64>,
    data: Windows<i64>,
    api_per_ip: Windows<IpGroup>,
}

impl RateLimits {
    /// Limiters for the configured categories.
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            orders: Windows::new(&settings.orders),
            data: Windows::new(&settings.data),
            api_per_ip: Windows::new(&settings.api_per_ip),
        }
    }

    /// Counts a call with key `key_id` in `category`, leaving the figures in `req`'s extensions.
    pub fn check_key(
        &self,
        req: &impl HttpMessage,
        category: RateCategory,
        key_id: i64,
    ) -> Result<(), ApiError> {
        let windows = match category {
            RateCategory::Orders => &self.orders,
            RateCategory::Data => &self.data,
        };
        record(req, windows.check(&key_id, ""))
    }

    /// Charges key `key_id` for `calls` more calls in `category` after the fact, as far as its
    /// budget goes, without refusing anything: cancel-all and close-position count one orders
    /// call per order they cancelled or placed, but an exit already made is never undone.
    pub fn charge_key(&self, category: RateCategory, key_id: i64, calls: usize) {
        let windows = match category {
            RateCategory::Orders => &self.orders,
            RateCategory::Data => &self.data,
        };
        for _ in 0..calls {
            if windows.check(&key_id, "").is_err() {
                break;
            }
        }
    }

    /// Counts an `/api/v1` call from `group`. Only a refusal leaves figures in `req`'s
    /// extensions: an accepted call's headers describe its key's budget, and the hot path
    /// allocates nothing for a figure nobody reads.
    pub fn check_api_ip(&self, req: &impl HttpMessage, group: IpGroup) -> Result<(), ApiError> {
        match self.api_per_ip.check(&group, " per address") {
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
pub fn record(
    req: &impl HttpMessage,
    outcome: Result<Option<RateInfo>, (ApiError, RateInfo)>,
) -> Result<(), ApiError> {
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
/// any routing, with the path's class and its client, so a refused request costs no key work).
/// Other paths pass.
pub fn limit_by_ip(
    req: &ServiceRequest,
    class: RouteClass,
    client: ClientIp,
    limits: &RateLimits,
) -> Result<(), ApiError> {
    if class != RouteClass::ApiV1 {
        return Ok(());
    }
    let group = IpGroup::of(client.0);
    limits.check_api_ip(req, group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_windows_refuse_at_the_tightest_and_name_it() {
        let windows = keygate_core::config::parse_windows("X", "3/s,4/min").unwrap();
        let limiter: Windows<i64> = Windows::new(&windows);
        let first = limiter.check(&1, "").unwrap().unwrap();
        assert_eq!((first.limit, first.remaining), (3, 2));
        limiter.check(&1, "").unwrap();
        limiter.check(&1, "").unwrap();
        let (error, info) = limiter.check(&1, "").unwrap_err();
        assert_eq!(error.to_string(), "Rate limit exceeded: 3 per 1 second");
        assert_eq!((info.limit, info.remaining), (3, 0));
        assert!(
            limiter.check(&2, "").is_ok(),
            "another key has its own budget"
        );
    }

    #[test]
    fn charging_after_the_fact_uses_up_the_budget_without_refusing() {
        let windows = |spec| keygate_core::config::parse_windows("X", spec).unwrap();
        let settings = RateLimitSettings {
            orders: windows("5/min"),
            data: windows("5/min"),
            webhook: windows("5/min"),
            login: windows("5/min"),
            default: windows("5/min"),
            api_per_ip: windows("5/min"),
        };
        let limits = RateLimits::new(&settings);
        limits.charge_key(RateCategory::Orders, 7, 3);
        let left = limits.orders.check(&7, "").unwrap().unwrap();
        assert_eq!(left.remaining, 1, "3 charged + this one of 5");
        limits.charge_key(RateCategory::Orders, 7, 100);
        assert!(limits.orders.check(&7, "").is_err(), "charged to the end");
    }
}
