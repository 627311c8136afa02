//! Per-IP limits enforced as middleware: the session API (the `default` category, on the whole
//! `/api` scope), sign-in and password changes (`login`) and webhooks (`webhook`). The key is the
//! client's address group ([`IpGroup`]: IPv4 address or IPv6 /64, as [`ClientIp`] decides it),
//! and a refusal is keygate's JSON envelope with `Retry-After` and `RateLimit-*` headers (the
//! traffic middleware adds the latter from the [`RateInfo`](crate::rate_limit::RateInfo) left in
//! the extensions, as for every other limit).
//!
//! A category's stacked windows (`50/s,1000/min`) are one [`Windows`] checked by one layer
//! ([`IpGovernors::layer`]): governor's in-memory limiters, or Redis when limits are shared
//! ([`crate::shared_limit`]). Every layer of one category shares its limiters, so resources
//! wrapped apart (sign-in and the password change) count against one budget.

use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::middleware::{self, Next};
use actix_web::HttpMessage;
use keygate_core::config::{RateLimitSettings, RateWindow};
use keygate_core::ip_group::IpGroup;

use crate::client_ip::ClientIp;
use crate::rate_limit::Windows;
use crate::shared_limit::SharedLimits;

/// One per-IP category's windows, and what its 429 message adds (` for sign-in attempts`).
pub struct IpGovernors {
    windows: Arc<Windows<IpGroup>>,
    what: &'static str,
}

impl IpGovernors {
    /// Limiters for `windows`, shared through `shared` under `category` when it is set.
    pub fn new(
        windows: &[RateWindow],
        what: &'static str,
        shared: Option<&Arc<SharedLimits>>,
        category: &'static str,
    ) -> Self {
        Self {
            windows: Arc::new(Windows::new(windows).shared(shared, category)),
            what,
        }
    }

    /// The middleware counting every request it wraps in this category, for `wrap`.
    pub fn layer<S, B>(
        &self,
    ) -> impl Transform<
        S,
        ServiceRequest,
        Response = ServiceResponse<EitherBody<B>>,
        Error = actix_web::Error,
        InitError = (),
    >
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>
            + 'static,
        B: MessageBody + 'static,
    {
        // One `Rc` per worker's layer: a request clones a count only its own thread touches.
        let category = Rc::new((self.windows.clone(), self.what));
        middleware::from_fn(move |req: ServiceRequest, next: Next<B>| {
            let category = Rc::clone(&category);
            async move {
                let (windows, what) = &*category;
                let group = IpGroup::of(ClientIp::of(req.request()).0);
                match windows.check(&group, what).await {
                    Ok(_) => next
                        .call(req)
                        .await
                        .map(ServiceResponse::map_into_left_body),
                    Err((error, info)) => {
                        req.extensions_mut().insert(info);
                        Ok(req.error_response(error).map_into_right_body())
                    }
                }
            }
        })
    }

    /// Forgets address groups whose windows are full again, bounding memory.
    pub fn shrink(&self) {
        self.windows.shrink();
    }
}

/// The per-IP limits enforced as middleware, by category.
pub struct IpLimits {
    /// Every `/api` route outside `/api/v1`.
    pub default: IpGovernors,
    /// Sign-in and password changes.
    pub login: IpGovernors,
    /// TradingView and ChartInk alerts.
    pub webhook: IpGovernors,
}

impl IpLimits {
    /// Limiters for the configured categories, shared through `shared` when it is set.
    pub fn new(settings: &RateLimitSettings, shared: Option<&Arc<SharedLimits>>) -> Self {
        Self {
            default: IpGovernors::new(&settings.default, "", shared, "default_ip"),
            login: IpGovernors::new(&settings.login, " for sign-in attempts", shared, "login_ip"),
            webhook: IpGovernors::new(&settings.webhook, "", shared, "webhook_ip"),
        }
    }

    /// Forgets idle address groups.
    pub fn shrink(&self) {
        self.default.shrink();
        self.login.shrink();
        self.webhook.shrink();
    }
}
