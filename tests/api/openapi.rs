//! The OpenAPI document: the committed copy matches the code, the server serves it, and Swagger
//! UI shows it.

use keygate_tests::{json_body, spawn_app};
use serde_json::Value;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
const REGENERATE: &str = "cargo run -p keygate -- openapi > openapi/openapi.json";

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = keygate_api::openapi::openapi_json();
    let committed = std::fs::read_to_string(COMMITTED)
        .unwrap_or_else(|e| panic!("cannot read {COMMITTED} ({e}); create it with: {REGENERATE}"));

    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map_or_else(
                || "one document is a prefix of the other".to_owned(),
                |(n, (a, b))| format!("line {}: committed `{a}`, generated `{b}`", n + 1),
            );
        panic!(
            "openapi/openapi.json is out of date ({first_difference}); regenerate it with: {REGENERATE}"
        );
    }
}

#[tokio::test]
async fn the_server_serves_the_same_openapi_document() {
    let app = spawn_app().await;

    let response = app.get("/api-docs/openapi.json").await;

    assert_eq!(response.status(), 200);
    let served = json_body(response).await;
    let generated: Value = serde_json::from_str(&keygate_api::openapi::openapi_json()).unwrap();
    assert_eq!(served, generated);
    for path in [
        "/api/v1/ping",
        "/api/keys",
        "/api/keys/{id}/roll",
        "/api/auth/login",
        "/health",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
}

#[tokio::test]
async fn swagger_ui_is_served_at_docs() {
    let app = spawn_app().await;

    let response = app.get("/docs/").await;

    assert_eq!(response.status(), 200);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
}
