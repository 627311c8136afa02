//! The one spelling of a request path that routing, the traffic log and the limits agree on.
//!
//! actix routes on the path with percent-encoded characters decoded (all but `%`, `/` and `+`),
//! while the traffic middleware classifies the raw path before routing. Were both accepted,
//! `POST /%61pi/v1/placeorder` would reach the order route without being logged or limited as an
//! `/api/v1` call. So a path is refused (400) when it encodes a character that never needs it (a
//! letter, digit, `-`, `.`, `_` or `~`, RFC 3986's unreserved set: every prefix the middleware
//! checks is made of these and `/`), or holds an empty, `.` or `..` segment. Checking costs one
//! pass over the path's bytes.

/// What the traffic log stores as the path of a refused non-canonical request.
pub const NON_CANONICAL: &str = "<non-canonical>";

/// What the traffic log stores as the path of a request no route matched, so clients cannot
/// grow the traffic tables with made-up paths.
pub const UNKNOWN_ROUTE: &str = "<unknown>";

/// The message of the 400 answer.
pub const REFUSAL: &str = "The request path is not in canonical form: letters, digits and '-', '.', '_', '~' must not be percent-encoded, and no segment may be empty, '.' or '..'";

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Whether `path` is canonical (see the module docs).
pub fn is_canonical(path: &str) -> bool {
    let bytes = path.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            b'%' => {
                let decoded = bytes
                    .get(i + 1)
                    .and_then(|&h| hex_value(h))
                    .zip(bytes.get(i + 2).and_then(|&l| hex_value(l)))
                    .map(|(h, l)| (h << 4) | l);
                if decoded.is_some_and(is_unreserved) {
                    return false;
                }
            }
            b'/' if i > 0 || bytes.len() > 1 => {
                let segment = bytes[i + 1..].split(|&b| b == b'/').next().unwrap_or(&[]);
                // The root path `/` is the only one whose (only) segment may be empty; a
                // trailing slash ends in an empty segment too, which routes accept on purpose.
                let last = i + 1 + segment.len() == bytes.len();
                if (segment.is_empty() && !last) || segment == b"." || segment == b".." {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_canonical() {
        for path in [
            "/",
            "/api/v1/placeorder",
            "/api/v1/ping/",
            "/api/webhook/chartink/ck_abc",
            "/api/security/bans/2001:db8::%2F64",
            "/assets/app-1a2b.js",
            "/api/v1/x%20y",
            "/a%2",
        ] {
            assert!(is_canonical(path), "{path}");
        }
    }

    #[test]
    fn encoded_unreserved_characters_and_dot_or_empty_segments_are_not() {
        for path in [
            "/%61pi/v1/placeorder",
            "/api/v1/placeorde%72",
            "/api%2Dx",
            "/api/%7e",
            "/api/%2e%2e/keys",
            "//api/v1/ping",
            "/api//v1/ping",
            "/api/./v1/ping",
            "/api/../api/v1/ping",
            "/api/v1/..",
            "/api/v1/.",
        ] {
            assert!(!is_canonical(path), "{path}");
        }
    }
}
