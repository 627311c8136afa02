//! Malformed input never reaches a handler as a 500 or a plain-text body: actix's JSON, path and
//! query extractors report through the envelope, and any bare error response (unknown route, wrong
//! method, body too large) is rewritten into it.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use keygate_types::ErrorBody;

use crate::error::ApiError;
use crate::security_headers::{Page, SecurityHeaders};

/// JSON bodies: size limit and envelope errors.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(&err).into())
}

/// Turns a JSON extraction failure into a 4xx envelope.
pub fn json_error(err: &JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::status(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
        }
        JsonPayloadError::ContentType => ApiError::status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ),
        JsonPayloadError::Payload(e) if crate::body_deadline::is_timeout(e) => {
            crate::auth::body::timed_out()
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::bad_request(format!("Invalid request body: {e}"))
        }
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(format!("Malformed JSON: {e}")),
        _ => ApiError::bad_request("Could not read the request body"),
    }
}

/// Path parameters: envelope errors.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req: &HttpRequest| {
        ApiError::bad_request(format!("Invalid path parameter: {err}")).into()
    })
}

/// Query strings: envelope errors.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req: &HttpRequest| {
        ApiError::bad_request(format!("Invalid query string: {err}")).into()
    })
}

/// Rewrites an error response that is not already JSON (unknown route, wrong method, body too
/// large, ...) into the envelope; any other response passes through. The traffic middleware applies
/// it to every response.
pub fn envelope<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> ServiceResponse<EitherBody<B>> {
    let status = res.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let is_json = || {
        res.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    };
    if !is_error || is_json() {
        return res.map_into_left_body();
    }
    let message = match status {
        StatusCode::NOT_FOUND => "Not found".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "Method not allowed".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => "Request body is too large".to_owned(),
        s if s.is_server_error() => "Internal server error".to_owned(),
        s => s.canonical_reason().unwrap_or("Request failed").to_owned(),
    };
    let (req, res) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.insert_header((name.clone(), value.clone()));
        }
    }
    let response: HttpResponse<BoxBody> = builder.json(ErrorBody::new(message));
    ServiceResponse::new(req, response).map_into_right_body()
}

/// Middleware of the listeners beside the HTTP one (the WebSocket feed's and the metrics'): what
/// the HTTP listener's middleware does for every answer there, refusals in the envelope and the
/// API's security headers.
pub async fn side_listener_answer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<EitherBody<impl MessageBody>>> {
    let mut res = envelope(next.call(req).await?);
    SecurityHeaders::api_only().apply(Page::Api, res.headers_mut());
    Ok(res)
}
