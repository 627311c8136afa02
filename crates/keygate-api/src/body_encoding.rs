//! Request bodies are taken exactly as sent: a request with a `Content-Encoding` other than
//! `identity` is refused with 415 before anything reads its body.
//!
//! Decoding a body before the size limit applies lets a 33 KB zstd body inflate to a gigabyte, and
//! no client of this API needs to compress what it sends (order bodies are a few hundred bytes). So
//! actix-web is built without its `compress-*` features (nothing in the process can inflate a
//! body), and this check turns an encoded body into a clear error instead of a confusing JSON
//! parse failure. The traffic middleware applies it to every route; [`crate::auth::body::read`]
//! applies it again, so a body reader never depends on the middleware having run.

use actix_web::http::header::{HeaderMap, CONTENT_ENCODING};
use actix_web::http::StatusCode;

use crate::error::ApiError;

/// The message of the 415 answer.
pub const REFUSED: &str = "Content-Encoding is not supported: send the request body uncompressed";

/// `Ok` when no `Content-Encoding` header names anything but `identity` (any case, any list of
/// them); otherwise 415.
pub fn refuse_encoded(headers: &HeaderMap) -> Result<(), ApiError> {
    let plain = headers.get_all(CONTENT_ENCODING).all(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(',').all(|coding| {
                let coding = coding.trim();
                coding.is_empty() || coding.eq_ignore_ascii_case("identity")
            })
        })
    });
    if plain {
        Ok(())
    } else {
        Err(ApiError::status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            REFUSED,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn check(values: &[&'static str]) -> bool {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(CONTENT_ENCODING, HeaderValue::from_static(value));
        }
        refuse_encoded(&headers).is_ok()
    }

    #[test]
    fn only_absent_or_identity_encodings_pass() {
        assert!(check(&[]));
        assert!(check(&["identity"]));
        assert!(check(&["Identity, identity"]));
        for encoded in [
            &["gzip"][..],
            &["zstd"],
            &["br"],
            &["deflate"],
            &["identity, gzip"],
            &["identity", "br"],
            &["x-unknown"],
        ] {
            assert!(!check(encoded), "{encoded:?} passed");
        }
    }
}
