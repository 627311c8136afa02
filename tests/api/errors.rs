//! Every kind of bad input gets a 4xx with the one JSON envelope `{"status":"error","message":...}`,
//! never a 500, an HTML page or a plain-text body.

use keygate_core::entities::api_key;
use keygate_tests::{
    assert_error, new_client, spawn_app, spawn_app_with, spawn_app_with_key, TestApp, PASSWORD,
};
use reqwest::{header, Method};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

/// Sends a raw body with a content type, with the app's session and CSRF token.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut request = app
        .browser
        .client
        .request(method, app.url(path))
        .header(header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(token) = app.browser.csrf_token() {
        request = request.header("X-CSRF-Token", token);
    }
    request.send().await.unwrap()
}

async fn signed_in_app() -> TestApp {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app
}

#[tokio::test]
async fn malformed_json_is_a_400_envelope() {
    let app = signed_in_app().await;

    let login = raw(
        &app,
        Method::POST,
        "/api/auth/login",
        "application/json",
        "{not json",
    )
    .await;
    let create = raw(
        &app,
        Method::POST,
        "/api/keys",
        "application/json",
        r#"{"name": "k""#,
    )
    .await;
    let ping = raw(
        &app,
        Method::POST,
        "/api/v1/ping",
        "application/json",
        "{apikey:",
    )
    .await;

    for response in [login, create, ping] {
        assert_error(response, 400).await;
    }
    assert_eq!(api_key::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn wrong_types_are_a_400_envelope() {
    let app = signed_in_app().await;

    let login = app
        .post("/api/auth/login", &json!({"username": 5, "password": true}))
        .await;
    let create = app
        .post("/api/keys", &json!({"name": "k", "scopes": "read"}))
        .await;
    let expiry = app
        .post("/api/keys", &json!({"name": "k", "expires_at": "tomorrow"}))
        .await;
    let mode = app
        .post("/api/keys", &json!({"name": "k", "order_mode": "yolo"}))
        .await;
    let roll = app
        .post("/api/keys/1/roll", &json!({"grace_seconds": -5}))
        .await;
    let ping = raw(
        &app,
        Method::POST,
        "/api/v1/ping",
        "application/json",
        "[1, 2]",
    )
    .await;

    for response in [login, create, expiry, mode, roll, ping] {
        assert_error(response, 400).await;
    }
    assert_eq!(api_key::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn unknown_fields_are_a_400_envelope() {
    let app = signed_in_app().await;

    let login = app
        .post(
            "/api/auth/login",
            &json!({"username": "admin", "password": PASSWORD, "remember": true}),
        )
        .await;
    let create = app
        .post("/api/keys", &json!({"name": "k", "owner": 2}))
        .await;

    let login = assert_error(login, 400).await;
    assert!(
        login["message"].as_str().unwrap().contains("remember"),
        "{login}"
    );
    assert_error(create, 400).await;
    assert_eq!(api_key::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_oversized_body_is_a_413_envelope() {
    let app = spawn_app_with(&[("KEYGATE_MAX_BODY_BYTES", "256")]).await;
    app.setup_admin("admin").await;
    let padding = "x".repeat(4096);

    let login = app
        .post(
            "/api/auth/login",
            &json!({"username": "admin", "password": padding}),
        )
        .await;
    let create = app.post("/api/keys", &json!({"name": padding})).await;
    let ping = new_client()
        .post(app.url("/api/v1/ping"))
        .json(&json!({"apikey": "0".repeat(64), "padding": padding}))
        .send()
        .await
        .unwrap();

    for response in [login, create, ping] {
        assert_error(response, 413).await;
    }
}

/// Sends `parts` over one plain TCP connection, pausing between them so the server reads them as
/// separate chunks, and answers the response's status code.
async fn status_of_raw_request(app: &TestApp, parts: Vec<Vec<u8>>) -> u16 {
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        for part in parts {
            stream.write_all(&part).unwrap();
            stream.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response);
        response
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {response:?}"))
    })
    .await
    .unwrap()
}

fn ping_head(extra_headers: &str) -> Vec<u8> {
    format!(
        "POST /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Connection: close\r\n{extra_headers}\r\n"
    )
    .into_bytes()
}

fn chunk(data: &[u8]) -> Vec<u8> {
    let mut framed = format!("{:x}\r\n", data.len()).into_bytes();
    framed.extend_from_slice(data);
    framed.extend_from_slice(b"\r\n");
    framed
}

#[tokio::test]
async fn a_key_call_body_that_arrives_in_pieces_is_read_whole_and_within_the_limit() {
    let (app, key, _) = spawn_app_with_key(
        &[("KEYGATE_MAX_BODY_BYTES", "256")],
        json!({"name": "pieces"}),
    )
    .await;
    let body = json!({"apikey": key}).to_string().into_bytes();
    let (front, back) = body.split_at(body.len() / 2);

    // Content-Length, the body split across two writes (the key itself cut in half).
    let mut head = ping_head(&format!("Content-Length: {}\r\n", body.len()));
    head.extend_from_slice(front);
    let split = status_of_raw_request(&app, vec![head, back.to_vec()]).await;
    // Chunked, in two chunks.
    let chunked = status_of_raw_request(
        &app,
        vec![
            ping_head("Transfer-Encoding: chunked\r\n"),
            chunk(front),
            [chunk(back), b"0\r\n\r\n".to_vec()].concat(),
        ],
    )
    .await;
    // Chunked, past the limit only once the chunks are added up (no Content-Length to refuse).
    let padding = format!(r#","padding":"{}"}}"#, "x".repeat(300));
    let oversized = status_of_raw_request(
        &app,
        vec![
            ping_head("Transfer-Encoding: chunked\r\n"),
            chunk(&body[..body.len() - 1]),
            [chunk(padding.as_bytes()), b"0\r\n\r\n".to_vec()].concat(),
        ],
    )
    .await;

    assert_eq!((split, chunked, oversized), (200, 200, 413));
}

#[tokio::test]
async fn an_unknown_api_route_is_a_404_envelope() {
    let app = signed_in_app().await;

    let responses = [
        app.get("/api/nope").await,
        app.post("/api/nope/deeper", &json!({})).await,
        app.get("/api/v1/nope").await,
        app.get("/api/keys/1/nope").await,
    ];

    for response in responses {
        assert_error(response, 404).await;
    }
}

#[tokio::test]
async fn an_unknown_api_route_is_a_404_envelope_even_when_the_web_app_is_built() {
    let web_app = tempfile::tempdir().unwrap();
    std::fs::write(
        web_app.path().join("index.html"),
        "<!doctype html><title>keygate</title>",
    )
    .unwrap();
    let app = spawn_app_with(&[("KEYGATE_STATIC_DIR", web_app.path().to_str().unwrap())]).await;
    app.setup_admin("admin").await;
    assert_eq!(
        app.get("/keys").await.status(),
        200,
        "client-side routes get the web app"
    );

    let cases = [
        (Method::GET, "/api/nope"),
        (Method::POST, "/api/v1/basketorder"),
        (Method::POST, "/api/v1/ping/extra"),
        (Method::GET, "/api/keys/1/nope"),
        (Method::GET, "/api/auth/nope"),
    ];

    let mut wrong = Vec::new();
    for (method, path) in cases {
        let response = app.send(method.clone(), path, &json!({})).await;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        if status != 404 || !content_type.starts_with("application/json") {
            wrong.push(format!("{method} {path} -> {status} {content_type}"));
        }
    }
    assert!(wrong.is_empty(), "expected a JSON 404 for: {wrong:#?}");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_envelope() {
    let app = signed_in_app().await;

    let responses = [
        app.send(Method::DELETE, "/health", &json!({})).await,
        app.get("/api/v1/ping").await,
        app.get("/api/v1/ping/").await,
        app.send(Method::PUT, "/api/setup", &json!({})).await,
        app.send(Method::DELETE, "/api/users", &json!({})).await,
    ];

    for response in responses {
        assert_error(response, 405).await;
    }
}

#[tokio::test]
async fn a_wrong_method_on_a_key_or_sign_in_route_is_a_405_envelope() {
    let app = signed_in_app().await;
    let cases = [
        (Method::PUT, "/api/keys"),
        (Method::DELETE, "/api/keys/1"),
        (Method::GET, "/api/keys/1/revoke"),
        (Method::GET, "/api/auth/login"),
        (Method::DELETE, "/api/auth/session"),
    ];

    let mut wrong = Vec::new();
    for (method, path) in cases {
        let response = app.send(method.clone(), path, &json!({})).await;
        let status = response.status().as_u16();
        let body = assert_error(response, status).await;
        if status != 405 {
            wrong.push(format!("{method} {path} -> {status} {body}"));
        }
    }
    assert!(wrong.is_empty(), "expected 405 for: {wrong:#?}");
}

#[tokio::test]
async fn a_bad_path_parameter_is_a_400_envelope() {
    let app = signed_in_app().await;

    let responses = [
        app.get("/api/keys/abc").await,
        app.post("/api/keys/abc/revoke", &json!({})).await,
        app.send(Method::PATCH, "/api/keys/99999999999999999999", &json!({}))
            .await,
    ];

    for response in responses {
        assert_error(response, 400).await;
    }
}

#[tokio::test]
async fn a_bad_query_string_is_a_400_envelope() {
    let app = signed_in_app().await;

    let wrong_type = app.get("/api/keys/events?key_id=abc").await;
    let unknown = app.get("/api/keys/events?owner=2").await;

    assert_error(wrong_type, 400).await;
    assert_error(unknown, 400).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_4xx_envelope() {
    let app = signed_in_app().await;
    let form = format!("username=admin&password={PASSWORD}");

    let login = raw(
        &app,
        Method::POST,
        "/api/auth/login",
        "application/x-www-form-urlencoded",
        form,
    )
    .await;
    let create = raw(
        &app,
        Method::POST,
        "/api/keys",
        "text/plain",
        r#"{"name": "k"}"#,
    )
    .await;

    for response in [login, create] {
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "status {status}");
        assert_error(response, status).await;
    }
    assert_eq!(api_key::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_unknown_page_without_a_built_web_app_is_a_404_envelope() {
    let app = spawn_app().await;

    assert_error(app.get("/no/such/page").await, 404).await;
}
