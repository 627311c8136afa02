//! The owner's input about a connection, parsed once: its label and the exchange's base URL.

use crate::error::{CoreError, CoreResult};

/// Longest label.
const MAX_LABEL: usize = 64;
/// The label that names the built-in paper account (`keygate key bind --broker paper`).
pub const PAPER_LABEL: &str = "paper";

/// A label: 1 to 64 visible characters (spaces inside allowed), trimmed; `paper` is reserved.
pub fn parse_label(raw: &str) -> CoreResult<String> {
    let label = raw.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        return Err(CoreError::field(
            "label",
            format!("must be 1 to {MAX_LABEL} characters"),
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(CoreError::field(
            "label",
            "must not hold control characters",
        ));
    }
    if label.eq_ignore_ascii_case(PAPER_LABEL) {
        return Err(CoreError::field(
            "label",
            "'paper' names the built-in paper account; choose another label",
        ));
    }
    Ok(label.to_owned())
}

/// A base URL: `http` or `https` with a host, no user name or password (credentials never go in
/// a URL), no query or fragment; kept without a trailing slash.
pub fn parse_base_url(raw: &str) -> CoreResult<String> {
    let bad = |problem: &str| CoreError::field("base_url", problem.to_owned());
    let url = url::Url::parse(raw.trim()).map_err(|_| bad("must be an absolute http(s) URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("must be an absolute http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not hold a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not hold a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_bounded_and_paper_is_reserved() {
        assert_eq!(parse_label("  main ").unwrap(), "main");
        assert!(parse_label("").is_err());
        assert!(parse_label(&"x".repeat(65)).is_err());
        assert!(parse_label("Paper").is_err());
        assert!(parse_label("a\nb").is_err());
    }

    #[test]
    fn base_urls_are_http_without_credentials() {
        assert_eq!(
            parse_base_url("https://testnet.binance.vision/").unwrap(),
            "https://testnet.binance.vision"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:9000").unwrap(),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "ftp://example.com",
            "not a url",
            "https://user:pass@example.com",
            "https://example.com/?key=1",
            "/relative",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }
}
