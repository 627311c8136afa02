//! Per-IP limits enforced by actix-governor's middleware: the session API (the `default`
//! category, on the whole `/api` scope), sign-in and password changes (`login`) and webhooks
//! (`webhook`). The key is the client's address group ([`IpGroup`]: IPv4 address or IPv6 /64, as
//! [`ClientIp`] decides it under the trusted proxies the limits are built with), and a refusal is keygate's JSON envelope with `Retry-After` and
//! `RateLimit-*` headers.
//!
//! actix-governor checks one quota per middleware, so a category's stacked windows
//! (`50/s,1000/min`) are stacked layers: [`IpGovernors::layer`] gives the `i`th, a pass-through
//! when the category has fewer windows (at most [`MAX_IP_WINDOWS`], a limit the settings check).
//! Every layer of one category shares its limiters, so resources wrapped apart (sign-in and the
//! password change) count against one budget.

use std::sync::Arc;

use actix_governor::{Governor, GovernorConfig, GovernorConfigBuilder, KeyExtractor};
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Condition;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use governor::clock::{Clock, DefaultClock, QuantaInstant};
use governor::middleware::NoOpMiddleware;
use governor::NotUntil;
use ipnet::IpNet;
use keygate_core::config::{RateWindow, MAX_IP_WINDOWS};
use keygate_core::ip_group::IpGroup;

use crate::client_ip::ClientIp;
use crate::error::ApiError;

/// actix-governor's key: the client's address group, and the window it enforces (for the 429's
/// message and headers).
#[derive(Debug, Clone)]
pub struct ClientGroupKey {
    window: RateWindow,
    /// Appended to the 429 message, e.g. ` for sign-in attempts`.
    what: &'static str,
    /// The proxies whose `X-Forwarded-For` is believed.
    trusted: Arc<[IpNet]>,
}

impl KeyExtractor for ClientGroupKey {
    type Key = IpGroup;
    type KeyExtractionError = ApiError;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        Ok(IpGroup::of(ClientIp::of(req.request(), &self.trusted).0))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        _builder: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative.wait_time_from(DefaultClock::default().now());
        // Rounded up: a client that waits the whole seconds it is told is then accepted.
        let retry_after = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let mut response = ApiError::RateLimited {
            limit: format!("{}{}", self.window.describe(), self.what),
            retry_after,
        }
        .error_response();
        let headers = response.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", u64::from(self.window.count)),
            ("ratelimit-remaining", 0),
            ("ratelimit-reset", retry_after),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
        response
    }
}

type IpConfig = GovernorConfig<ClientGroupKey, NoOpMiddleware>;

/// One middleware layer of a category: a governor, or nothing.
pub type IpLayer = Condition<Governor<ClientGroupKey, NoOpMiddleware>>;

/// A category's windows as actix-governor configurations (their limiters shared by every layer
/// made from them).
pub struct IpGovernors {
    configs: Vec<IpConfig>,
}

fn config(window: RateWindow, what: &'static str, trusted: &Arc<[IpNet]>) -> Option<IpConfig> {
    GovernorConfigBuilder::default()
        .key_extractor(ClientGroupKey {
            window,
            what,
            trusted: trusted.clone(),
        })
        .period(window.period / window.count.max(1))
        .burst_size(window.count)
        .finish()
}

impl IpGovernors {
    /// Governors for `windows` (beyond [`MAX_IP_WINDOWS`] are ignored; the settings refuse them),
    /// keyed by the client address as the `trusted` proxies report it.
    pub fn new(windows: &[RateWindow], what: &'static str, trusted: &Arc<[IpNet]>) -> Self {
        Self {
            configs: windows
                .iter()
                .take(MAX_IP_WINDOWS)
                .filter_map(|w| config(*w, what, trusted))
                .collect(),
        }
    }

    /// The middleware for window `i`: its governor, or a pass-through when there is none.
    pub fn layer(&self, i: usize) -> IpLayer {
        match self.configs.get(i) {
            Some(config) => Condition::new(true, Governor::new(config)),
            None => {
                let idle = RateWindow {
                    count: 1,
                    period: std::time::Duration::from_secs(1),
                };
                let idle = config(idle, "", &Arc::from([])).expect("a 1/s quota is valid");
                Condition::new(false, Governor::new(&idle))
            }
        }
    }

    /// Forgets address groups whose windows are full again, bounding memory.
    pub fn shrink(&self) {
        for config in &self.configs {
            let limiter = config.limiter();
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

// `limit_per_ip!` wraps exactly this many layers.
const _: () = assert!(MAX_IP_WINDOWS == 3);

/// Wraps a scope or resource in every window layer of an [`IpGovernors`]; the first window is
/// checked first.
macro_rules! limit_per_ip {
    ($target:expr, $governors:expr) => {
        $target
            .wrap($governors.layer(2))
            .wrap($governors.layer(1))
            .wrap($governors.layer(0))
    };
}
pub(crate) use limit_per_ip;

/// The per-IP limits actix-governor enforces, by category.
pub struct IpLimits {
    /// Every `/api` route outside `/api/v1`.
    pub default: IpGovernors,
    /// Sign-in and password changes.
    pub login: IpGovernors,
    /// TradingView and ChartInk alerts.
    pub webhook: IpGovernors,
}

impl IpLimits {
    /// Governors for the configured categories, behind the `trusted` proxies.
    pub fn new(settings: &keygate_core::config::RateLimitSettings, trusted: &[IpNet]) -> Self {
        let trusted: Arc<[IpNet]> = trusted.into();
        Self {
            default: IpGovernors::new(&settings.default, "", &trusted),
            login: IpGovernors::new(&settings.login, " for sign-in attempts", &trusted),
            webhook: IpGovernors::new(&settings.webhook, "", &trusted),
        }
    }

    /// Forgets idle address groups.
    pub fn shrink(&self) {
        self.default.shrink();
        self.login.shrink();
        self.webhook.shrink();
    }
}
