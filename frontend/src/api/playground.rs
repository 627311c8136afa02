//! The Playground's two kinds of request: the OpenAPI document, and a call of an `/api/v1`
//! operation exactly as the user wrote it (with their API key, without the session cookie).

use gloo_net::http::{Method, RequestBuilder};
use web_sys::RequestCredentials;

use super::ApiError;

/// `GET /api-docs/openapi.json` as text (the Playground reads only the parts it needs).
pub async fn openapi_document() -> Result<String, ApiError> {
    let response = RequestBuilder::new("/api-docs/openapi.json")
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|_| ApiError::network())?;
    if !response.ok() {
        return Err(ApiError::from_status(response.status()));
    }
    response
        .text()
        .await
        .map_err(|e| ApiError::internal(&e.to_string()))
}

/// The answer to a Playground request, whatever its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// HTTP status.
    pub status: u16,
    /// HTTP status text (may be empty over HTTP/2).
    pub status_text: String,
    /// Every response header the browser exposes, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as received.
    pub body: String,
    /// Milliseconds from sending to the whole body read.
    pub elapsed_ms: f64,
}

impl Exchange {
    /// One header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `POST path` with `body` (already holding the key when it travels in the body) and, when
/// given, the key in `X-API-KEY`. The session cookie is not sent: the key alone authenticates,
/// as it would for a bot.
pub async fn send(
    path: &str,
    body: String,
    header_key: Option<&str>,
) -> Result<Exchange, ApiError> {
    let mut builder = RequestBuilder::new(path)
        .method(Method::POST)
        .credentials(RequestCredentials::Omit)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json");
    if let Some(key) = header_key {
        builder = builder.header("X-API-KEY", key);
    }
    let request = builder
        .body(body)
        .map_err(|e| ApiError::internal(&e.to_string()))?;
    let started = js_sys::Date::now();
    let response = request.send().await.map_err(|_| ApiError::network())?;
    let text = response.text().await.unwrap_or_default();
    let elapsed_ms = js_sys::Date::now() - started;
    let mut headers: Vec<(String, String)> = response.headers().entries().collect();
    headers.sort();
    Ok(Exchange {
        status: response.status(),
        status_text: response.status_text(),
        headers,
        body: text,
        elapsed_ms,
    })
}

/// The analyzer's answer (`/api/v1/analyzer` and its toggle).
#[derive(Debug, serde::Deserialize)]
struct AnalyzerAnswer {
    data: AnalyzerData,
}

#[derive(Debug, serde::Deserialize)]
struct AnalyzerData {
    analyze_mode: bool,
}

/// Reads an analyzer answer: `Ok(analyze_mode)`, or the error envelope's message.
fn analyzer_answer(exchange: &Exchange) -> Result<bool, ApiError> {
    if (200..300).contains(&exchange.status) {
        return serde_json::from_str::<AnalyzerAnswer>(&exchange.body)
            .map(|a| a.data.analyze_mode)
            .map_err(|e| ApiError::internal(&e.to_string()));
    }
    Err(
        match serde_json::from_str::<keygate_types::ErrorBody>(&exchange.body) {
            Ok(body) => ApiError::from_body(exchange.status, body),
            Err(_) => ApiError::from_status(exchange.status),
        },
    )
}

/// `POST /api/v1/analyzer` with `key` in the header: whether the analyzer (sandbox) is on.
pub async fn analyzer_status(key: &str) -> Result<bool, ApiError> {
    analyzer_answer(&send("/api/v1/analyzer", "{}".to_owned(), Some(key)).await?)
}

/// `POST /api/v1/analyzer/toggle` with `key` in the header: the new state.
pub async fn toggle_analyzer(key: &str, on: bool) -> Result<bool, ApiError> {
    let body = format!("{{\"mode\": {on}}}");
    analyzer_answer(&send("/api/v1/analyzer/toggle", body, Some(key)).await?)
}

/// `GET /api/playground/collections`: the Bruno and Postman downloads.
pub async fn collection_downloads(
) -> Result<Vec<keygate_types::collections::CollectionDownload>, ApiError> {
    super::client::Call::get("/api/playground/collections")
        .fetch()
        .await
}
