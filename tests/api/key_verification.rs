//! `/api/v1` key checks, as OpenAlgo clients see them: where the key may travel, the exact answers
//! for good and bad keys, expiry and IP allowlists.

use keygate_tests::{assert_error, json_body, new_client, spawn_app_with_key};
use reqwest::Method;
use serde_json::{json, Value};

const PONG: &str = r#"{"status":"success","data":{"message":"pong","broker":"paper"}}"#;
const INVALID_KEY: &str = r#"{"status":"error","message":"Invalid openalgo apikey"}"#;

fn expected(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

/// Status and JSON body of a response.
async fn answer(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), json_body(response).await)
}

#[tokio::test]
async fn a_valid_key_in_the_json_body_gets_pong() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = new_client()
        .post(app.url("/api/v1/ping"))
        .json(&json!({ "apikey": plain }))
        .send()
        .await
        .unwrap();

    assert_eq!(answer(response).await, (200, expected(PONG)));
}

#[tokio::test]
async fn a_valid_key_in_the_x_api_key_header_gets_pong() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let empty_body = new_client()
        .post(app.url("/api/v1/ping"))
        .header("X-API-KEY", &plain)
        .send()
        .await
        .unwrap();
    let json_body_without_key = new_client()
        .post(app.url("/api/v1/ping"))
        .header("x-api-key", &plain)
        .json(&json!({}))
        .send()
        .await
        .unwrap();

    assert_eq!(answer(empty_body).await, (200, expected(PONG)));
    assert_eq!(answer(json_body_without_key).await, (200, expected(PONG)));
}

#[tokio::test]
async fn a_trailing_slash_is_answered_without_a_redirect() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = new_client()
        .post(app.url("/api/v1/ping/"))
        .json(&json!({ "apikey": plain }))
        .send()
        .await
        .unwrap();

    assert_eq!(answer(response).await, (200, expected(PONG)));
}

#[tokio::test]
async fn a_missing_malformed_or_unknown_key_gets_invalid_openalgo_apikey() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let bodies = [
        json!({}),
        json!({"apikey": ""}),
        json!({"apikey": null}),
        json!({"apikey": 12345}),
        json!({"apikey": &plain[..63]}),
        json!({"apikey": format!("{plain}0")}),
        json!({"apikey": plain.to_uppercase()}),
        json!({"apikey": format!("{}g", &plain[..63])}),
        json!({"apikey": format!(" {}", &plain[1..])}),
        json!({"apikey": "0".repeat(64)}),
        json!({"apikey": "f00d".repeat(16)}),
    ];

    for body in bodies {
        let response = new_client()
            .post(app.url("/api/v1/ping"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer(response).await,
            (403, expected(INVALID_KEY)),
            "{body}"
        );
    }
    let bad_header = new_client()
        .post(app.url("/api/v1/ping"))
        .header("X-API-KEY", "f00d".repeat(16))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(bad_header).await, (403, expected(INVALID_KEY)));
}

#[tokio::test]
async fn a_bearer_token_is_refused_with_a_pointer_to_x_api_key() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = new_client()
        .post(app.url("/api/v1/ping"))
        .bearer_auth(&plain)
        .json(&json!({}))
        .send()
        .await
        .unwrap();

    let body = assert_error(response, 401).await;
    assert!(
        body["message"].as_str().unwrap().contains("X-API-KEY"),
        "{body}"
    );
}

#[tokio::test]
async fn a_key_in_the_url_is_refused_with_a_pointer_to_where_it_belongs() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    for query in ["apikey", "api_key", "APIKEY"] {
        let response = new_client()
            .post(app.url(&format!("/api/v1/ping?{query}={plain}")))
            .json(&json!({ "apikey": plain }))
            .send()
            .await
            .unwrap();

        let body = assert_error(response, 400).await;
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("X-API-KEY") && message.contains("apikey"),
            "{message}"
        );
        assert!(!message.contains(&plain), "the answer never echoes the key");
    }
}

#[tokio::test]
async fn an_unknown_field_in_the_ping_body_is_refused() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let (status, body) = app.v1("ping", &plain, json!({"symbol": "SBIN"})).await;

    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "error");
}

#[tokio::test]
async fn an_allowlist_without_the_callers_address_refuses_the_key() {
    let (app, plain, _) = spawn_app_with_key(
        &[],
        json!({"name": "k", "ip_allowlist": ["10.0.0.0/8", "::1"]}),
    )
    .await;

    let (status, body) = app.v1("ping", &plain, json!({})).await;

    assert_eq!(status, 403);
    assert_eq!(body["status"], "error");
}

#[tokio::test]
async fn an_allowlist_with_the_callers_block_accepts_the_key() {
    let (app, plain, _) =
        spawn_app_with_key(&[], json!({"name": "k", "ip_allowlist": ["127.0.0.0/8"]})).await;

    assert_eq!(
        app.v1("ping", &plain, json!({})).await,
        (200, expected(PONG))
    );
}

#[tokio::test]
async fn changing_the_allowlist_takes_effect_at_once() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    assert_eq!(app.ping(&plain).await, 200);

    let narrowed = app
        .send(
            Method::PATCH,
            &format!("/api/keys/{id}"),
            &json!({"ip_allowlist": ["192.0.2.1"]}),
        )
        .await;
    assert_eq!(narrowed.status(), 200);
    assert_eq!(app.ping(&plain).await, 403);

    let widened = app
        .send(
            Method::PATCH,
            &format!("/api/keys/{id}"),
            &json!({"ip_allowlist": []}),
        )
        .await;
    assert_eq!(widened.status(), 200);
    assert_eq!(app.ping(&plain).await, 200);
}

#[tokio::test]
async fn an_api_key_never_authorises_the_management_routes() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let client = new_client();

    let list = client
        .get(app.url("/api/keys"))
        .header("X-API-KEY", &plain)
        .send()
        .await
        .unwrap();
    let create = client
        .post(app.url("/api/keys"))
        .header("X-API-KEY", &plain)
        .json(&json!({"name": "from a key", "apikey": plain}))
        .send()
        .await
        .unwrap();
    let bearer = client
        .get(app.url("/api/keys"))
        .bearer_auth(&plain)
        .send()
        .await
        .unwrap();

    assert_error(list, 401).await;
    assert_error(create, 401).await;
    assert_error(bearer, 401).await;
    assert_eq!(
        json_body(app.get("/api/keys").await)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
