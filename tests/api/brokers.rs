//! The credentials vault over HTTP: `/api/brokers` checks a key pair against the (mock)
//! exchange before storing it, answers only the masked key, keeps each user to their own
//! connections, wants the CSRF token for every change, and answers bad input with a 4xx.

use keygate_binance::mock::{spot_only, MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_binance::wire::ApiRestrictions;
use keygate_tests::{assert_error, json_body, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A Binance connection body on the mock.
pub fn binance(mock: &MockExchange, label: &str, key: &str, secret: &str) -> Value {
    json!({
        "kind": "binance_spot", "label": label, "base_url": mock.url(),
        "api_key": key, "api_secret": secret
    })
}

/// An app with a signed-in admin, and a mock exchange.
async fn app_and_mock() -> (TestApp, MockExchange) {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    (app, MockExchange::start().expect("mock starts"))
}

/// Adds a connection on the mock's default key; returns its id.
pub async fn add_connection(app: &TestApp, mock: &MockExchange, label: &str) -> i64 {
    let response = app
        .post("/api/brokers", &binance(mock, label, MOCK_KEY, MOCK_SECRET))
        .await;
    assert_eq!(response.status(), 201);
    json_body(response).await["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_checked_connection_is_stored_and_only_its_masked_key_is_ever_answered() {
    let (app, mock) = app_and_mock().await;
    let response = app
        .post(
            "/api/brokers",
            &binance(&mock, "main", MOCK_KEY, MOCK_SECRET),
        )
        .await;
    assert_eq!(response.status(), 201);
    let text = response.text().await.unwrap();
    assert!(
        !text.contains(MOCK_KEY) && !text.contains(MOCK_SECRET),
        "{text}"
    );
    let made: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(made["api_key_masked"], "mock…0000");
    assert_eq!(made["status"], "valid");
    assert_eq!(
        made["permissions"],
        json!({"spot": true, "margin": false, "futures": false})
    );
    assert!(made.get("api_secret").is_none() && made.get("api_key").is_none());

    let listed = app.get("/api/brokers").await.text().await.unwrap();
    assert!(!listed.contains(MOCK_KEY) && !listed.contains(MOCK_SECRET));
    assert_eq!(
        serde_json::from_str::<Value>(&listed).unwrap(),
        json!([made])
    );

    let id = made["id"].as_i64().unwrap();
    let response = app
        .post(&format!("/api/brokers/{id}/check"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["status"], "valid");
    let response = app
        .send(
            Method::PATCH,
            &format!("/api/brokers/{id}"),
            &json!({"label": "renamed"}),
        )
        .await;
    assert_eq!(json_body(response).await["label"], "renamed");
    let response = app
        .send(Method::DELETE, &format!("/api/brokers/{id}"), &json!({}))
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(json_body(app.get("/api/brokers").await).await, json!([]));
}

#[tokio::test]
async fn every_change_needs_the_csrf_token() {
    let (app, mock) = app_and_mock().await;
    let id = add_connection(&app, &mock, "main").await;
    let client = &app.browser.client;
    for (method, path, body) in [
        (
            Method::POST,
            "/api/brokers".to_owned(),
            binance(&mock, "other", MOCK_KEY, MOCK_SECRET),
        ),
        (
            Method::PATCH,
            format!("/api/brokers/{id}"),
            json!({"label": "x"}),
        ),
        (Method::DELETE, format!("/api/brokers/{id}"), json!({})),
        (Method::POST, format!("/api/brokers/{id}/check"), json!({})),
    ] {
        let response = client
            .request(method.clone(), app.url(&path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(response, 403).await;
    }
    let listed = json_body(app.get("/api/brokers").await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["label"], "main");
}

#[tokio::test]
async fn another_users_connection_is_not_found_and_never_listed() {
    let (app, mock) = app_and_mock().await;
    let id = add_connection(&app, &mock, "main").await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    assert_eq!(json_body(bob.get("/api/brokers").await).await, json!([]));
    for (method, path) in [
        (Method::PATCH, format!("/api/brokers/{id}")),
        (Method::DELETE, format!("/api/brokers/{id}")),
        (Method::POST, format!("/api/brokers/{id}/check")),
    ] {
        let response = bob.send(method, &path, &json!({"label": "mine"})).await;
        assert_error(response, 404).await;
    }
    let listed = json_body(app.get("/api/brokers").await).await;
    assert_eq!(listed[0]["label"], "main");
}

#[tokio::test]
async fn refused_credentials_get_422_an_unreachable_exchange_502_and_nothing_is_stored() {
    let (app, mock) = app_and_mock().await;
    let withdraw = "withdraw-key-0000000000000001";
    mock.add_key(
        withdraw,
        MOCK_SECRET,
        ApiRestrictions {
            enable_withdrawals: true,
            ..spot_only()
        },
    );
    let response = app
        .post(
            "/api/brokers",
            &binance(&mock, "main", withdraw, MOCK_SECRET),
        )
        .await;
    let body = assert_error(response, 422).await;
    assert!(body["message"].as_str().unwrap().contains("withdrawals"));
    let wrong_secret = "wrong-secret-000000000000000000000";
    let response = app
        .post(
            "/api/brokers",
            &binance(&mock, "main", MOCK_KEY, wrong_secret),
        )
        .await;
    let body = assert_error(response, 422).await;
    assert!(!body.to_string().contains(wrong_secret), "{body}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut unreachable = binance(&mock, "main", MOCK_KEY, MOCK_SECRET);
    unreachable["base_url"] = json!(format!("http://{}", closed.local_addr().unwrap()));
    drop(closed);
    let response = app.post("/api/brokers", &unreachable).await;
    let body = assert_error(response, 502).await;
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
    assert_eq!(json_body(app.get("/api/brokers").await).await, json!([]));
}

#[tokio::test]
async fn bad_input_gets_a_4xx_json_error_and_changes_nothing() {
    let (app, mock) = app_and_mock().await;
    let id = add_connection(&app, &mock, "main").await;
    let mut unknown_field = binance(&mock, "x", MOCK_KEY, MOCK_SECRET);
    unknown_field["extra"] = json!(1);
    let mut no_secret = binance(&mock, "x", MOCK_KEY, MOCK_SECRET);
    no_secret.as_object_mut().unwrap().remove("api_secret");
    let mut bad_url = binance(&mock, "x", MOCK_KEY, MOCK_SECRET);
    bad_url["base_url"] = json!("ftp://example.com");
    for body in [
        json!({"kind": "kraken", "label": "x"}),
        json!({"kind": "binance_spot"}),
        json!({"kind": "paper", "label": "x", "api_key": MOCK_KEY}),
        json!({"kind": "paper", "label": "paper"}),
        json!({"kind": "paper", "label": "y".repeat(65)}),
        json!({"kind": "paper", "label": "main"}),
        json!([1, 2]),
        unknown_field,
        no_secret,
        bad_url,
    ] {
        let response = app.post("/api/brokers", &body).await;
        assert_error(response, 400).await;
    }
    for (method, path, body) in [
        (Method::PATCH, format!("/api/brokers/{id}"), json!({})),
        (
            Method::PATCH,
            format!("/api/brokers/{id}"),
            json!({"label": ""}),
        ),
        (
            Method::PATCH,
            "/api/brokers/abc".to_owned(),
            json!({"label": "z"}),
        ),
        (
            Method::POST,
            "/api/brokers/999999/check".to_owned(),
            json!({}),
        ),
        (Method::DELETE, "/api/brokers/999999".to_owned(), json!({})),
    ] {
        let response = app.send(method, &path, &body).await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        assert_eq!(json_body(response).await["status"], "error");
    }
    let listed = json_body(app.get("/api/brokers").await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["label"], "main");
}
