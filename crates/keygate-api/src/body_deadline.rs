//! A request body must arrive whole within `KEYGATE_BODY_TIMEOUT_MS`: a client that sends half a
//! body and stalls is refused when the time is up, and its connection closed, instead of holding
//! a connection and a waiting handler for as long as it likes. (actix's `client_request_timeout`
//! covers only the request head.)
//!
//! `/api/v1` bodies are read by [`crate::auth::body::read`], which applies the deadline itself;
//! every other body is wrapped here by the traffic middleware, before any extractor reads it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;
use keygate_core::Settings;
use tokio::time::Sleep;

use crate::route_class::RouteClass;

/// The deadline of a body read from now.
pub fn body_timeout(settings: &Settings) -> Duration {
    Duration::from_millis(settings.body_timeout_ms)
}

/// Whether a payload error is this module's timeout.
pub fn is_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

/// Puts a deadline of `timeout` from now on the body of a request that has one (other than those of the routes that
/// read their own: an `/api/v1` call's and a WebSocket's).
pub fn guard(req: &mut ServiceRequest, class: RouteClass, timeout: Duration) {
    if class.reads_own_body() || !has_body(req) {
        return;
    }
    let inner = req.take_payload();
    let wrapped: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(DeadlinePayload {
            inner,
            sleep: Box::pin(tokio::time::sleep(timeout)),
            expired: false,
        });
    req.set_payload(Payload::from(wrapped));
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// A payload that fails with a timeout once its deadline passes.
struct DeadlinePayload {
    inner: Payload,
    sleep: Pin<Box<Sleep>>,
    expired: bool,
}

impl Stream for DeadlinePayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired = true;
                Poll::Ready(Some(Err(timed_out())))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The error a late body ends with.
pub fn timed_out() -> PayloadError {
    PayloadError::Io(io::Error::new(
        io::ErrorKind::TimedOut,
        "the request body was not received in time",
    ))
}
