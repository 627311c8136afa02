//! The one place where errors become HTTP responses, all with the JSON envelope
//! `{"status":"error","message":...}` (plus `errors` for field-level validation).

use std::collections::BTreeMap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use keygate_core::CoreError;
use keygate_types::ErrorBody;

/// Every error an HTTP handler or extractor can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A domain error, mapped by kind.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A status with a readable message.
    #[error("{message}")]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// What the client reads.
        message: String,
    },
    /// Too many requests; `Retry-After` tells when to come back.
    #[error("Rate limit exceeded: {limit}")]
    RateLimited {
        /// The limit in words, e.g. `5 per 1 minute`.
        limit: String,
        /// Seconds until a request would be accepted.
        retry_after: u64,
    },
    /// An answer whose JSON body is already built (the OpenAlgo endpoints' errors, which may
    /// carry `mode`, `orderid` or `invalid_symbols` next to `status` and `message`).
    #[error("{status}")]
    Reply {
        /// The HTTP status.
        status: StatusCode,
        /// The whole body; never holds internal detail.
        body: serde_json::Value,
    },
}

impl ApiError {
    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::status(StatusCode::BAD_REQUEST, message)
    }

    /// 401: no valid session.
    pub fn unauthenticated() -> Self {
        Self::status(StatusCode::UNAUTHORIZED, "Sign in first")
    }

    /// 403 with a message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::status(StatusCode::FORBIDDEN, message)
    }

    /// 500 whose cause goes to the log, never to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Core(CoreError::Internal(anyhow::anyhow!("{cause}")))
    }

    /// Any status with a message.
    pub fn status(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Status {
            status,
            message: message.into(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Status { status, .. } => *status,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Reply { status, .. } => *status,
            ApiError::Core(core) => match core {
                CoreError::Validation { .. } => StatusCode::BAD_REQUEST,
                CoreError::NotFound(_) => StatusCode::NOT_FOUND,
                CoreError::Conflict(_) => StatusCode::CONFLICT,
                CoreError::InvalidCredentials => StatusCode::UNAUTHORIZED,
                CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                CoreError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
                CoreError::Upstream(_) => StatusCode::BAD_GATEWAY,
                CoreError::Database(_) | CoreError::Internal(_) => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let ApiError::Reply { body, .. } = self {
            return crate::json::respond(status, body);
        }
        let body = match self {
            ApiError::Core(CoreError::Validation { message, errors }) => ErrorBody {
                status: "error".into(),
                message: message.clone(),
                errors: Some(errors.clone()),
            },
            // Says only that the exchange did not answer; the cause was logged where it failed.
            ApiError::Core(CoreError::Upstream(message)) => ErrorBody::new(message.clone()),
            _ if status.is_server_error() => {
                log::error!("internal error: {self:?}");
                ErrorBody::new("Internal server error")
            }
            _ => ErrorBody::new(self.to_string()),
        };
        let mut response = crate::json::respond(status, body);
        if let ApiError::RateLimited { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        response
    }
}

/// A 400 naming one field, for extractor errors.
pub fn field_error(field: &str, problem: &str) -> ApiError {
    let mut errors = BTreeMap::new();
    errors.insert(field.to_owned(), vec![problem.to_owned()]);
    ApiError::Core(CoreError::Validation {
        message: format!("{field}: {problem}"),
        errors,
    })
}
