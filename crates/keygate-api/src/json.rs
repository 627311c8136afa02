//! JSON responses for the hot paths (`/api/v1` answers and every error envelope).
//!
//! actix's `HttpResponseBuilder::json` renders `application/json` from its MIME type into a new
//! header value, an allocation and a validation on every response; here the value is a constant
//! (`docs/PERFORMANCE.md`, static header values).

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

/// `Content-Type: application/json` (a static value: cloning it copies a pointer).
static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// `body` serialised as JSON with `status`.
pub fn respond(status: StatusCode, body: impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, APPLICATION_JSON.clone()))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn answers_carry_the_status_the_json_and_its_content_type() {
        let response = respond(StatusCode::CREATED, serde_json::json!({"a": 1}));
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(
            response.headers().get(CONTENT_TYPE).unwrap(),
            "application/json"
        );
        assert_eq!(response.headers().get_all(CONTENT_TYPE).count(), 1);
        let body = response.into_body().try_into_bytes().unwrap();
        assert_eq!(&body[..], br#"{"a":1}"#);
    }
}
