//! The caller's `X-Request-Id` on an order-placing call: the idempotency basis of the order it
//! places (a client retrying after a timeout sends the same id and gets the order already
//! placed, never a second one). Optional; a malformed one is a 400 and nothing is placed.

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};
use keygate_broker::RequestId;

use crate::error::ApiError;
use crate::traffic_log::REQUEST_ID;

/// The request's `X-Request-Id`, when it sent one, validated ([`RequestId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequestId(pub Option<RequestId>);

impl ClientRequestId {
    /// The id, when given.
    pub fn get(&self) -> Option<&RequestId> {
        self.0.as_ref()
    }
}

impl FromRequest for ClientRequestId {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let mut values = req.headers().get_all(REQUEST_ID);
        let parsed = match (values.next(), values.next()) {
            (None, _) => Ok(Self(None)),
            (Some(value), None) => value
                .to_str()
                .ok()
                .and_then(|v| v.parse().ok())
                .map(|id| Self(Some(id)))
                .ok_or_else(|| ApiError::bad_request(keygate_broker::InvalidRequestId.to_string())),
            (Some(_), Some(_)) => Err(ApiError::bad_request("send at most one X-Request-Id")),
        };
        ready(parsed)
    }
}
