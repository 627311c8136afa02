//! The body of an `/api/v1` call: read whole ([`read`]), then parsed in one pass into its `apikey`
//! field and the other fields ([`SplitBody`]).
//!
//! A small body arrives in one chunk and is taken as it is, where actix's `Bytes` extractor copies
//! every body into a fresh 8 KiB buffer. The key is read where it lies in the body (when it has no
//! escapes) and never enters the field map: a body that holds nothing but the key, as most calls
//! do, is parsed without an allocation. What each gained, and how to measure it again:
//! `docs/PERFORMANCE.md`.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{dev, HttpRequest};
use futures_util::{FutureExt, StreamExt};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Reads the body whole, as sent, refusing more than `limit` bytes (413) and a body not received
/// within `timeout` (408, see [`crate::body_deadline`]). Nothing is inflated: a
/// `Content-Encoding` other than `identity` was refused (415) by the traffic middleware before
/// routing ([`crate::body_encoding`]).
pub async fn read(
    req: &HttpRequest,
    payload: dev::Payload,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let mut reading = std::pin::pin!(read_plain(req, payload, limit));
    // A small body has usually arrived with the head: read it without arming a timer, which
    // would cost every call a timer-wheel entry and its removal.
    if let Some(read) = reading.as_mut().now_or_never() {
        return read;
    }
    tokio::time::timeout(timeout, reading)
        .await
        .unwrap_or_else(|_| Err(timed_out()))
}

/// The 408 answer to a body that did not arrive in time.
pub fn timed_out() -> ApiError {
    ApiError::status(
        StatusCode::REQUEST_TIMEOUT,
        "The request body was not received in time",
    )
}

async fn read_plain(
    req: &HttpRequest,
    mut payload: dev::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(read_error(StatusCode::PAYLOAD_TOO_LARGE));
    }
    // The first chunk is kept as it is; only a second one makes a joined copy.
    let mut only: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| read_error(StatusCode::BAD_REQUEST))?;
        let so_far = only.as_ref().map_or(0, Bytes::len) + joined.len();
        if so_far + chunk.len() > limit {
            return Err(read_error(StatusCode::PAYLOAD_TOO_LARGE));
        }
        if only.is_none() && joined.is_empty() {
            only = Some(chunk);
            continue;
        }
        if let Some(earlier) = only.take() {
            joined.reserve(announced.unwrap_or(0).max(so_far + chunk.len()));
            joined.extend_from_slice(&earlier);
        }
        joined.extend_from_slice(&chunk);
    }
    Ok(only.unwrap_or_else(|| joined.freeze()))
}

fn read_error(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::status(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
    } else {
        ApiError::bad_request("Could not read the request body")
    }
}

/// The body's `apikey` field. `Debug` never shows the key.
#[derive(PartialEq, Eq)]
pub enum BodyKey<'a> {
    /// A string (the only usable form).
    Text(Cow<'a, str>),
    /// Any other JSON value.
    NotText,
}

impl fmt::Debug for BodyKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyKey::Text(_) => f.write_str("Text([redacted])"),
            BodyKey::NotText => f.write_str("NotText"),
        }
    }
}

/// A parsed body: the key field, if present, and every other field.
#[derive(Debug, Default)]
pub struct SplitBody<'a> {
    /// The last `apikey` field (a JSON object with repeated names keeps the last).
    pub key: Option<BodyKey<'a>>,
    /// The other fields.
    pub fields: Map<String, Value>,
}

impl<'a> SplitBody<'a> {
    /// Parses `bytes`, which must be a JSON object; no body at all counts as `{}` (the key may
    /// come in the header). A body of only whitespace is not JSON, and is refused as malformed.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ApiError> {
        if bytes.is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_slice(bytes).map_err(|e| {
            if e.is_data() {
                ApiError::bad_request("The request body must be a JSON object")
            } else {
                ApiError::bad_request(format!("Malformed JSON: {e}"))
            }
        })
    }
}

impl<'de> Deserialize<'de> for SplitBody<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SplitVisitor)
    }
}

struct SplitVisitor;

impl<'de> Visitor<'de> for SplitVisitor {
    type Value = SplitBody<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut body = SplitBody::default();
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            if name == "apikey" {
                body.key = Some(map.next_value::<BodyKey<'de>>()?);
            } else {
                body.fields.insert(name.into_owned(), map.next_value()?);
            }
        }
        Ok(body)
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de> Deserialize<'de> for BodyKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Anything but a string is parsed (so the rest of the body still is) and set aside.
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = BodyKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BodyKey::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BodyKey::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BodyKey::Text(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(BodyKey::NotText)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(BodyKey::NotText)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(BodyKey::NotText)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(BodyKey::NotText)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BodyKey::NotText)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                de::IgnoredAny.visit_seq(seq).map(|_| BodyKey::NotText)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                de::IgnoredAny.visit_map(map).map(|_| BodyKey::NotText)
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(e: ApiError) -> String {
        e.to_string()
    }

    #[test]
    fn the_key_is_split_off_and_borrowed_when_it_has_no_escapes() {
        let body = SplitBody::parse(br#"{"apikey":"abc","symbol":"SBIN","qty":1}"#).unwrap();
        assert_eq!(body.key, Some(BodyKey::Text(Cow::Borrowed("abc"))));
        assert_eq!(
            Value::Object(body.fields),
            json!({"symbol": "SBIN", "qty": 1})
        );
        let escaped = SplitBody::parse(br#"{"apikey":"a\u0062c"}"#).unwrap();
        assert_eq!(escaped.key, Some(BodyKey::Text(Cow::Owned("abc".into()))));
        assert!(escaped.fields.is_empty());
    }

    #[test]
    fn a_key_that_is_not_a_string_is_set_aside_and_the_last_key_wins() {
        let body = SplitBody::parse(br#"{"apikey":{"a":[1,2]},"x":null}"#).unwrap();
        assert_eq!(body.key, Some(BodyKey::NotText));
        assert_eq!(Value::Object(body.fields), json!({"x": null}));
        let twice = SplitBody::parse(br#"{"apikey":1,"apikey":"second"}"#).unwrap();
        assert_eq!(twice.key, Some(BodyKey::Text(Cow::Borrowed("second"))));
        let escaped_name = SplitBody::parse(br#"{"api\u006bey":"k"}"#).unwrap();
        assert_eq!(escaped_name.key, Some(BodyKey::Text(Cow::Borrowed("k"))));
    }

    #[test]
    fn no_body_is_an_empty_object_and_other_input_is_refused_clearly() {
        let none = SplitBody::parse(b"").unwrap();
        assert!(none.key.is_none() && none.fields.is_empty());
        assert!(message(SplitBody::parse(b" \n").unwrap_err()).starts_with("Malformed JSON"));
        for not_object in [&b"[1]"[..], b"\"text\"", b"12", b"null"] {
            assert_eq!(
                message(SplitBody::parse(not_object).unwrap_err()),
                "The request body must be a JSON object"
            );
        }
        for malformed in [&b"{"[..], b"{\"a\":}", b"{} x", b"{\"apikey\":\"k\",}"] {
            assert!(
                message(SplitBody::parse(malformed).unwrap_err()).starts_with("Malformed JSON: ")
            );
        }
    }
}
