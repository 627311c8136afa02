//! The API-key extractor every `/api/v1` route uses. It yields the caller's identity (user, key,
//! scopes, order mode) together with the parsed request body; handlers never read auth headers.
//!
//! The key comes from the `X-API-KEY` header or the JSON body field `apikey` (OpenAlgo clients).
//! `Authorization: Bearer` and keys in the query string are refused with a message that says where
//! the key goes instead.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use keygate_core::keys::{Identity, Permission, PlainApiKey, Refusal, Scopes};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::body::{self, BodyKey, SplitBody};
use crate::client_ip::ClientIp;
use crate::error::{field_error, ApiError};
use crate::rate_limit::RateCategory;
use crate::state::AppState;
use crate::traffic_log::{Caller, ErrorClass};

/// Header that may carry the key (`X-API-KEY`; header names are stored lowercase).
pub const API_KEY_HEADER: header::HeaderName = header::HeaderName::from_static("x-api-key");
/// The message OpenAlgo clients expect for a missing, malformed or unknown key.
pub const INVALID_KEY: &str = "Invalid openalgo apikey";

/// A request body of an `/api/v1` route, and the permission the route needs.
pub trait ApiRequest: DeserializeOwned + 'static {
    /// What the key must allow.
    const PERMISSION: Permission;
    /// The rate-limit category calls are counted in, per key: `Orders` for place, modify, cancel
    /// and smart orders; `Data` (the default) for data and account queries.
    const CATEGORY: RateCategory = RateCategory::Data;
}

/// The problem with a body `apikey` that is not a key, next to an `X-API-KEY` header.
pub const MALFORMED_BODY_KEY: &str =
    "Not a valid API key (64 lowercase hex digits); the X-API-KEY header also carries one.";

/// The answer to a banned client IP.
pub const BANNED: &str = "This IP address is banned after repeated invalid API keys";

/// A verified `/api/v1` call: who is calling and what they sent (without the `apikey` field).
#[derive(Debug)]
pub struct ApiCall<T> {
    /// The verified key's identity.
    pub identity: Identity,
    /// The request body.
    pub body: T,
}

impl<T: ApiRequest> FromRequest for ApiCall<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            // Borrowed, not cloned: the state's reference count is a cache line every worker shares.
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("no app state"))?;
            let ip = ClientIp::of(&req).0;
            if state.security.is_banned(ip) {
                req.extensions_mut().insert(ErrorClass("banned"));
                return Err(ApiError::forbidden(BANNED));
            }
            refuse_misplaced_keys(&req)?;
            let bytes = body::read(
                &req,
                payload,
                state.settings.max_body_bytes,
                crate::body_deadline::body_timeout(state),
            )
            .await?;
            let SplitBody {
                key: body_key,
                fields,
            } = SplitBody::parse(&bytes)?;
            let header_key = req
                .headers()
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok());
            let presented = match (header_key, &body_key) {
                // The header wins, but a body key beside it must still be a key: a client
                // sending garbage there has a bug worth hearing about.
                (Some(h), None) => h,
                (Some(h), Some(BodyKey::Text(b))) if PlainApiKey::is_well_formed(b) => h,
                (Some(_), Some(_)) => return Err(field_error("apikey", MALFORMED_BODY_KEY)),
                (None, Some(BodyKey::Text(b))) => b,
                _ => {
                    state.security.record_invalid(ip);
                    req.extensions_mut().insert(ErrorClass("invalid_key"));
                    return Err(ApiError::forbidden(INVALID_KEY));
                }
            };
            let identity = match state.verifier.verify(presented, ip).await {
                Ok(identity) => identity,
                Err(refusal) => return Err(refused(&req, state, refusal, INVALID_KEY)),
            };
            req.extensions_mut().insert(Caller {
                user_id: identity.user_id,
                key_id: Some(identity.key_id),
            });
            state
                .rate_limits
                .check_key(&req, T::CATEGORY, identity.key_id)
                .await?;
            if !identity.scopes.allows(T::PERMISSION) {
                return Err(ApiError::forbidden(format!(
                    "This API key may not do this: it needs the {} scope",
                    Scopes::needed_for(T::PERMISSION)
                )));
            }
            let body = serde_json::from_value(Value::Object(fields))
                .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))?;
            Ok(ApiCall { identity, body })
        })
    }
}

fn refuse_misplaced_keys(req: &HttpRequest) -> Result<(), ApiError> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("bearer"));
    if bearer {
        return Err(ApiError::status(
            StatusCode::UNAUTHORIZED,
            "Bearer authentication is not supported: send the key in the JSON body field \"apikey\" or in the X-API-KEY header",
        ));
    }
    let in_query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| {
            q.iter().any(|(k, _)| {
                matches!(
                    k.to_ascii_lowercase().as_str(),
                    "apikey" | "api_key" | "x-api-key"
                )
            })
        })
        .unwrap_or(false);
    if in_query {
        return Err(ApiError::bad_request(
            "API keys are not accepted in the URL, where they leak into logs: send the key in the JSON body field \"apikey\" or in the X-API-KEY header",
        ));
    }
    Ok(())
}

/// The answer to a key the verifier refused, with its traffic-log class; an invalid key also
/// counts towards the caller's ban (`keygate_core::ban_monitor`). `invalid` is the message for
/// [`Refusal::Invalid`] (OpenAlgo's for an `/api/v1` key, the webhook's for a token). Shared by
/// every caller of the verifier, so they all answer a refusal alike.
pub(crate) fn refused(
    req: &HttpRequest,
    state: &AppState,
    refusal: Refusal,
    invalid: &'static str,
) -> ApiError {
    let class = match refusal {
        Refusal::Invalid => {
            state.security.record_invalid(ClientIp::of(req).0);
            "invalid_key"
        }
        Refusal::Expired => "expired_key",
        Refusal::IpNotAllowed => "ip_not_allowed",
        Refusal::Unavailable => "unavailable",
    };
    req.extensions_mut().insert(ErrorClass(class));
    match refusal {
        Refusal::Invalid => ApiError::forbidden(invalid),
        Refusal::Expired => ApiError::forbidden("This API key has expired"),
        Refusal::IpNotAllowed => {
            ApiError::forbidden("This API key may not be used from this IP address")
        }
        Refusal::Unavailable => ApiError::status(
            StatusCode::SERVICE_UNAVAILABLE,
            "The key store is unavailable; try again shortly",
        ),
    }
}
