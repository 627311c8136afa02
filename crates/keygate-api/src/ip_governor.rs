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
//!
//! These limiters always run: they are each process's own guard. With `KEYGATE_REDIS_URL` set,
//! one more layer ([`IpGovernors::shared_layer`], inside the governors) counts the same windows
//! fleet-wide in Redis ([`crate::shared_limit`]); when Redis cannot answer, that request is
//! decided by actix-governor alone. Both refuse with [`refusal`], so their 429s read the same.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_governor::{Governor, GovernorConfig, GovernorConfigBuilder, KeyExtractor};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{self, Condition, Next};
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use governor::clock::{Clock, DefaultClock, QuantaInstant};
use governor::middleware::NoOpMiddleware;
use governor::NotUntil;
use ipnet::IpNet;
use keygate_core::config::{RateLimitSettings, RateWindow, MAX_IP_WINDOWS};
use keygate_core::ip_group::IpGroup;

use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::rate_limit;
use crate::shared_limit::{Decision, SharedLimits, SharedWindows};

/// The 429 of `window` (which allows a call again after `wait`), with its `RateLimit-*` headers;
/// `what` is appended to the message (e.g. ` for sign-in attempts`).
fn refusal(window: &RateWindow, wait: Duration, what: &str) -> HttpResponse {
    let (error, info) = rate_limit::refused(window, wait, what);
    let mut response = error.error_response();
    let headers = response.headers_mut();
    for (name, value) in [
        ("ratelimit-limit", u64::from(info.limit)),
        ("ratelimit-remaining", u64::from(info.remaining)),
        ("ratelimit-reset", info.reset_secs),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    response
}

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
        refusal(&self.window, wait, self.what)
    }
}

type IpConfig = GovernorConfig<ClientGroupKey, NoOpMiddleware>;

/// One middleware layer of a category: a governor, or nothing.
pub type IpLayer = Condition<Governor<ClientGroupKey, NoOpMiddleware>>;

/// A category's windows in Redis, and what they refuse with.
struct SharedIpWindows {
    shared: SharedWindows,
    /// The windows, in the order Redis names a refusing one.
    windows: Vec<RateWindow>,
    what: &'static str,
    /// The proxies whose `X-Forwarded-For` names the client.
    trusted: Arc<[IpNet]>,
}

/// A category's windows as actix-governor configurations (their limiters shared by every layer
/// made from them), and as Redis counts them when limits are shared.
pub struct IpGovernors {
    configs: Vec<IpConfig>,
    shared: Option<Arc<SharedIpWindows>>,
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
    /// keyed by the client address as the `trusted` proxies report it, and also counted through
    /// `shared` under `category` when it is set.
    pub fn new(
        windows: &[RateWindow],
        what: &'static str,
        trusted: &Arc<[IpNet]>,
        shared: Option<&Arc<SharedLimits>>,
        category: &'static str,
    ) -> Self {
        let (configs, enforced): (Vec<IpConfig>, Vec<RateWindow>) = windows
            .iter()
            .take(MAX_IP_WINDOWS)
            .filter_map(|w| Some((config(*w, what, trusted)?, *w)))
            .unzip();
        let shared = shared.filter(|_| !enforced.is_empty()).map(|limits| {
            Arc::new(SharedIpWindows {
                shared: limits.windows(category, &enforced),
                windows: enforced,
                what,
                trusted: trusted.clone(),
            })
        });
        Self { configs, shared }
    }

    /// The middleware for window `i`: its governor, or a pass-through when there is none.
    pub fn layer(&self, i: usize) -> IpLayer {
        match self.configs.get(i) {
            Some(config) => Condition::new(true, Governor::new(config)),
            None => {
                let idle = RateWindow {
                    count: 1,
                    period: Duration::from_secs(1),
                };
                let idle = config(idle, "", &Arc::from([])).expect("a 1/s quota is valid");
                Condition::new(false, Governor::new(&idle))
            }
        }
    }

    /// The middleware counting the category's windows fleet-wide in Redis (a pass-through when
    /// limits are not shared). Redis down or slow: the request passes on to actix-governor's
    /// verdict alone.
    pub fn shared_layer<S, B>(
        &self,
    ) -> impl Transform<
        S,
        ServiceRequest,
        Response = ServiceResponse<EitherBody<EitherBody<B>, B>>,
        Error = actix_web::Error,
        InitError = (),
    >
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>
            + 'static,
        B: MessageBody + 'static,
    {
        // One `Rc` per worker's layer: a request clones a count only its own thread touches.
        let shared = Rc::new(self.shared.clone());
        let enabled = shared.is_some();
        Condition::new(
            enabled,
            middleware::from_fn(move |req: ServiceRequest, next: Next<B>| {
                let shared = Rc::clone(&shared);
                async move {
                    if let Some(category) = shared.as_deref() {
                        let group = IpGroup::of(ClientIp::of(req.request(), &category.trusted).0);
                        if let Some(Decision::Refused { window, wait }) =
                            category.shared.decide(&group, 1).await
                        {
                            if let Some(window) = category.windows.get(window) {
                                let response = refusal(window, wait, category.what);
                                return Ok(req.into_response(response).map_into_right_body());
                            }
                        }
                    }
                    next.call(req)
                        .await
                        .map(ServiceResponse::map_into_left_body)
                }
            }),
        )
    }

    /// Forgets address groups whose windows are full again, bounding memory (Redis expires its
    /// own).
    pub fn shrink(&self) {
        for config in &self.configs {
            let limiter = config.limiter();
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

// `limit_per_ip!` wraps exactly this many governor layers.
const _: () = assert!(MAX_IP_WINDOWS == 3);

/// Wraps a scope or resource in every window layer of an [`IpGovernors`] (the first window is
/// checked first), then in its shared layer.
macro_rules! limit_per_ip {
    ($target:expr, $governors:expr) => {
        $target
            .wrap($governors.shared_layer())
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
    /// Governors for the configured categories, behind the `trusted` proxies, also counted
    /// through `shared` when it is set.
    pub fn new(
        settings: &RateLimitSettings,
        trusted: &[IpNet],
        shared: Option<&Arc<SharedLimits>>,
    ) -> Self {
        let trusted: Arc<[IpNet]> = trusted.into();
        Self {
            default: IpGovernors::new(&settings.default, "", &trusted, shared, "default_ip"),
            login: IpGovernors::new(
                &settings.login,
                " for sign-in attempts",
                &trusted,
                shared,
                "login_ip",
            ),
            webhook: IpGovernors::new(&settings.webhook, "", &trusted, shared, "webhook_ip"),
        }
    }

    /// Forgets idle address groups.
    pub fn shrink(&self) {
        self.default.shrink();
        self.login.shrink();
        self.webhook.shrink();
    }
}
