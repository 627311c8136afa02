//! The traffic-log middleware, which also applies the per-IP limits and the error envelope. For
//! every request it sets `X-Request-Id` (and the `RateLimit-*` headers when a limit was checked),
//! and for every logged request it hands one row to the background writer after the response is
//! ready: method, path (never the query string; webhook tokens in it redacted), status, duration,
//! client IP, user and key ids, request id and error class. Never a body, a header value or a key.
//! The writer's queue never blocks: a full queue drops the row and counts it.
//!
//! Before anything else it refuses non-canonical paths ([`request_path`]: 400), so the path it
//! classifies is the one actix routes. A request that no route matched (404, or refused by a limit
//! before routing) is stored under the fixed path `<unknown>`: made-up paths cannot grow the
//! traffic tables and their roll-ups.
//!
//! Before routing it refuses encoded bodies ([`refuse_encoded`]) and puts a deadline on the body
//! ([`body_deadline::guard`]); on every response it sets the security headers
//! ([`SecurityHeaders`]). All it needs is given to it when the `App` is built ([`TrafficLayer`]),
//! not looked up per request, so it cannot run without it.
//!
//! Identity reaches the middleware through request extensions: the `ApiCall` and `SessionUser`
//! extractors leave a [`Caller`], and refusals may leave an [`ErrorClass`].

use std::borrow::Cow;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{self, Next};
use actix_web::{web, HttpMessage};
use keygate_core::traffic::{TrafficRecord, TrafficSink};

use crate::body_deadline;
use crate::body_encoding::refuse_encoded;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::errors_config;
use crate::rate_limit::{self, RateInfo};
use crate::request_path::{self, NON_CANONICAL, UNKNOWN_ROUTE};
use crate::route_class::RouteClass;
use crate::security_headers::{self, SecurityHeaders};
use crate::state::AppState;

/// The response header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// Who made the request, left in the extensions by the authenticating extractors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The user.
    pub user_id: i64,
    /// The API key, for key-authenticated calls.
    pub key_id: Option<i64>,
}

/// A more precise error class than the status gives (`invalid_key`, `banned`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorClass(pub &'static str);

/// What the traffic middleware needs, handed to it when each worker builds its `App`
/// ([`TrafficLayer::into_middleware`]) and never looked up in the app data, so an `App` cannot be
/// built with the middleware but without them (a lookup that missed would have logged nothing, put
/// no deadline on bodies or sent the API's headers everywhere). One per worker thread, behind an
/// `Rc`: a request clones only a reference that its own thread counts, never a shared count (a
/// cache line every worker writes).
pub struct TrafficLayer {
    state: web::Data<AppState>,
    sink: Arc<TrafficSink>,
    headers: SecurityHeaders,
    body_timeout: Duration,
}

impl TrafficLayer {
    /// The layer over `state` (its traffic sink, limits and body deadline) with the server's
    /// security `headers`.
    pub fn new(state: web::Data<AppState>, headers: SecurityHeaders) -> Self {
        Self {
            sink: state.traffic.clone(),
            body_timeout: body_deadline::body_timeout(&state),
            state,
            headers,
        }
    }

    /// The middleware, for `App::wrap`.
    pub fn into_middleware<S, B>(
        self,
    ) -> impl Transform<
        S,
        ServiceRequest,
        Response = ServiceResponse<EitherBody<impl MessageBody>>,
        Error = actix_web::Error,
        InitError = (),
    >
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>
            + 'static,
        B: MessageBody + 'static,
    {
        let layer = Rc::new(self);
        middleware::from_fn(move |req, next| {
            let layer = Rc::clone(&layer);
            async move { record_traffic(&layer, req, next).await }
        })
    }
}

/// A request id, as ASCII hex: 8 digits of a random per-thread prefix, then 12 of the thread's own
/// counter. Unique in practice (two threads draw the same prefix with odds of 1 in 2^32); a
/// process-wide counter would be exact, but its cache line would bounce between the cores on
/// every request.
fn next_request_id() -> [u8; 20] {
    thread_local! {
        static NEXT: Cell<(u32, u64)> = Cell::new((rand::random::<u32>(), 0));
    }
    let (prefix, n) = NEXT.get();
    NEXT.set((prefix, (n + 1) & 0xffff_ffff_ffff));
    let value = (u128::from(prefix) << 48) | u128::from(n);
    let mut id = [b'0'; 20];
    // 10 bytes always fit 20 digits: this cannot fail.
    let _ = hex::encode_to_slice(&value.to_be_bytes()[6..], &mut id);
    id
}

fn method_name(method: &Method) -> Cow<'static, str> {
    const STANDARD: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    STANDARD.iter().find(|(m, _)| m == method).map_or_else(
        || method.as_str().to_owned().into(),
        |(_, name)| (*name).into(),
    )
}

fn class_of(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        0..=399 => return None,
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        500..=599 => "server_error",
        _ => "client_error",
    })
}

/// A number as a header value. The `RateLimit-*` headers carry small numbers under real limits
/// (a window's count, the requests left in it, the seconds until it is full), so those below 1024
/// are made once: cloning a static value copies two words, where a new one allocates.
fn header_number(n: u64) -> HeaderValue {
    const CACHED: usize = 1024;
    // Each number's text is made once per process and kept for its lifetime, as static values
    // must be.
    static SMALL: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
        (0..CACHED)
            .map(|i| HeaderValue::from_static(i.to_string().leak()))
            .collect()
    });
    usize::try_from(n)
        .ok()
        .and_then(|i| SMALL.get(i))
        .cloned()
        .unwrap_or_else(|| HeaderValue::from(n))
}

/// The middleware. Around the traffic record it also applies the per-IP limits
/// ([`rate_limit::limit_by_ip`]) and the error envelope ([`errors_config::envelope`]): one layer
/// instead of three, because each middleware layer costs every request a boxed call.
async fn record_traffic(
    layer: &TrafficLayer,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let started = Instant::now();
    let request_id = next_request_id();
    let request_id = std::str::from_utf8(&request_id).unwrap_or_default();
    let canonical = request_path::is_canonical(req.path());
    // Classified once; every check below that depends on the kind of path takes this.
    let route = RouteClass::of(req.path());
    // A refused non-canonical request is logged under a fixed path, whatever it spelled.
    let logged = !canonical || route.is_logged();
    let pending = if logged {
        Some({
            let ts_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            let record = TrafficRecord {
                ts_ms,
                method: method_name(req.method()),
                path: if canonical {
                    crate::routes::webhooks::redact_path(req.path()).into()
                } else {
                    NON_CANONICAL.into()
                },
                status: 0,
                duration_us: 0,
                client_ip: ClientIp::of(req.request()).0,
                user_id: None,
                key_id: None,
                request_id: request_id.into(),
                error_class: None,
            };
            record
        })
    } else {
        None
    };
    body_deadline::guard(&mut req, route, layer.body_timeout);
    let page = security_headers::Page::of(route);
    let checked = if !canonical {
        Err(ApiError::bad_request(request_path::REFUSAL))
    } else if let Err(refusal) = refuse_encoded(req.headers()) {
        Err(refusal)
    } else {
        rate_limit::limit_by_ip(&req, route, &layer.state.rate_limits).await
    };
    let result = match checked {
        Err(refusal) => Ok(req.error_response(refusal).map_into_right_body()),
        Ok(()) => next.call(req).await.map(errors_config::envelope),
    };
    let (status, caller, class, unmatched) = match &result {
        Ok(res) => {
            let extensions = res.request().extensions();
            // Only the statuses a request no route matched can get (the default services'
            // 404, a limit's 429 before routing) pay for the look-up.
            let unmatched = matches!(res.status().as_u16(), 404 | 429)
                && res.request().match_pattern().is_none();
            (
                res.status(),
                extensions.get::<Caller>().copied(),
                extensions.get::<ErrorClass>().copied(),
                unmatched,
            )
        }
        Err(e) => (e.as_response_error().status_code(), None, None, false),
    };
    if let Some(mut record) = pending {
        if unmatched && canonical {
            record.path = UNKNOWN_ROUTE.into();
        }
        record.status = status.as_u16();
        record.duration_us = started.elapsed().as_micros() as u64;
        record.user_id = caller.map(|c| c.user_id);
        record.key_id = caller.and_then(|c| c.key_id);
        record.error_class = if status.as_u16() >= 400 {
            class.map(|c| c.0).or_else(|| class_of(status))
        } else {
            None
        };
        layer.sink.record(record);
    }
    let mut res = result?;
    let rate = res.request().extensions().get::<RateInfo>().copied();
    let headers = res.headers_mut();
    layer.headers.apply(page, headers);
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static(REQUEST_ID), value);
    }
    if let Some(rate) = rate {
        headers.insert(
            HeaderName::from_static("ratelimit-limit"),
            header_number(u64::from(rate.limit)),
        );
        headers.insert(
            HeaderName::from_static("ratelimit-remaining"),
            header_number(u64::from(rate.remaining)),
        );
        headers.insert(
            HeaderName::from_static("ratelimit-reset"),
            header_number(rate.reset_secs),
        );
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_numbers_read_the_same_from_the_table_and_beyond_it() {
        for n in [0, 7, 10, 99, 100, 1023, 1024, 100_000_000, u64::MAX] {
            assert_eq!(header_number(n).to_str().unwrap(), n.to_string());
        }
    }
}
