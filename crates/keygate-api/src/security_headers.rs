//! Security headers on every response of the HTTP listener, set by the traffic middleware:
//! `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, a
//! `Content-Security-Policy` chosen by what the path serves, and `Strict-Transport-Security`
//! when the session cookie is `Secure` (a deployment behind HTTPS).
//!
//! The policies:
//! - the API, `/health` and `/ws` (JSON only): nothing may load, nothing may frame it;
//! - Swagger UI under `/docs`: its own scripts and styles, with inline styles (it sets them on
//!   elements) and `data:` images (its icons);
//! - the web app (everything else): its own files, WebAssembly compilation
//!   (`'wasm-unsafe-eval'`, never `'unsafe-eval'`), and the inline loader script Trunk writes into
//!   `index.html`, allowed by its SHA-256 alone. The hashes are taken from the served
//!   `index.html` when the server starts, so a rebuilt web app needs a restart.
//!
//! Every value is a static string: the hot path copies two words per header and allocates
//! nothing.

use std::path::Path;

use actix_web::http::header::{self, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

use crate::route_class::RouteClass;

const HSTS: &str = "max-age=31536000; includeSubDomains";
/// The API's policy: a JSON answer needs nothing.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// Swagger UI's policy.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
    'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// What a path serves, for its `Content-Security-Policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// JSON: the API, `/health`, `/ws`, the OpenAPI document.
    Api,
    /// Swagger UI.
    Docs,
    /// The web app's files and client-side routes.
    App,
}

impl Page {
    /// What a class of route serves ([`RouteClass::of`] classifies the path).
    pub fn of(class: RouteClass) -> Self {
        match class {
            RouteClass::ApiV1
            | RouteClass::Webhook
            | RouteClass::TrafficLog
            | RouteClass::SessionApi
            | RouteClass::WebSocket
            | RouteClass::OpenApiDoc
            | RouteClass::Health => Page::Api,
            RouteClass::Docs => Page::Docs,
            RouteClass::App => Page::App,
        }
    }
}

/// The per-server part of the headers, kept in the app data.
#[derive(Debug, Clone, Copy)]
pub struct SecurityHeaders {
    /// The web app's policy, with the hashes of its inline scripts.
    app_csp: &'static str,
    /// Whether to send `Strict-Transport-Security`.
    hsts: bool,
}

impl SecurityHeaders {
    /// The headers of a server that serves no web app (the feed's own listener): the API's
    /// policy everywhere, no HSTS. Chosen explicitly, never a fallback for missing app data.
    pub fn api_only() -> Self {
        Self {
            app_csp: API_CSP,
            hsts: false,
        }
    }

    /// The headers for a server serving the web app from `static_dir`, with HSTS when cookies are
    /// `Secure`; `feed_origin` (the origin of `KEYGATE_WS_PUBLIC_URL`, checked to hold no CSP
    /// syntax) may be connected to besides the page's own. Built once per server: the policy text
    /// is kept for the process's lifetime, as a static header value must be.
    pub fn new(static_dir: &Path, cookie_secure: bool, feed_origin: Option<&str>) -> Self {
        let index = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
        Self {
            app_csp: app_policy(&index, feed_origin).leak(),
            hsts: cookie_secure,
        }
    }

    /// Sets the headers on a response to a request for `page`.
    pub fn apply(&self, page: Page, headers: &mut HeaderMap) {
        let csp = match page {
            Page::Api => API_CSP,
            Page::Docs => DOCS_CSP,
            Page::App => self.app_csp,
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
    }
}

/// The web app's policy for the page `index` (its text; empty when the app is not built).
fn app_policy(index: &str, feed_origin: Option<&str>) -> String {
    let hashes = |tag: &str| -> String {
        inline_blocks(index, tag)
            .map(|text| format!(" 'sha256-{}'", base64(&Sha256::digest(text.as_bytes()))))
            .collect()
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'{}; \
         img-src 'self' data:; connect-src 'self'{}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        hashes("script"),
        hashes("style"),
        feed_origin.map(|o| format!(" {o}")).unwrap_or_default(),
    )
}

/// The text of every `<tag>` element of `html` that has no `src` (inline code), exactly as a
/// browser hashes it.
fn inline_blocks<'a>(html: &'a str, tag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let start = from + lower[from..].find(&open)?;
        let after_name = start + open.len();
        // `<scripts>` or `<style-x>` are other elements.
        if !lower[after_name..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            from = after_name;
            continue;
        }
        let body_start = after_name + lower[after_name..].find('>')? + 1;
        let body_end = body_start + lower[body_start..].find(&close)?;
        from = body_end;
        if !lower[after_name..body_start].contains("src=") {
            return Some(&html[body_start..body_end]);
        }
    })
}

/// Standard base64 with padding (what CSP hashes use).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn the_apps_policy_allows_its_inline_scripts_by_hash_only() {
        // The shape of Trunk's output: a loader script inline, the rest as files.
        let index = "<html><head><script type=\"module\">\nimport init from '/app.js';\nawait init();\n</script>\
            <script src=\"/other.js\"></script><SCRIPT>a()</SCRIPT><scripts>no</scripts></head></html>";
        let inline: Vec<&str> = inline_blocks(index, "script").collect();
        assert_eq!(
            inline,
            ["\nimport init from '/app.js';\nawait init();\n", "a()"]
        );
        let policy = app_policy(index, None);
        // `echo -n 'a()' | openssl dgst -sha256 -binary | base64`
        assert!(
            policy.contains("'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='"),
            "{policy}"
        );
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("connect-src 'self';"), "{policy}");
    }

    #[test]
    fn a_public_feed_origin_may_be_connected_to_and_nothing_else() {
        let policy = app_policy("", Some("wss://feed.example.com"));
        assert!(
            policy.contains("connect-src 'self' wss://feed.example.com;"),
            "{policy}"
        );
    }

    #[test]
    fn paths_get_the_policy_of_what_they_serve() {
        let page = |path| Page::of(RouteClass::of(path));
        assert_eq!(page("/api/v1/ping"), Page::Api);
        assert_eq!(page("/api/keys"), Page::Api);
        assert_eq!(page("/api-docs/openapi.json"), Page::Api);
        assert_eq!(page("/health"), Page::Api);
        assert_eq!(page("/ws"), Page::Api);
        assert_eq!(page("/docs/"), Page::Docs);
        assert_eq!(page("/"), Page::App);
        assert_eq!(page("/keys"), Page::App);
        assert_eq!(page("/apix"), Page::App);
    }
}
