//! Open feed connections are capped per client address (429 before the upgrade) and per API key
//! (an error frame and close 4429 at authentication), counted over both listeners; a client may
//! send only so many frames a second.

use std::time::Duration;

use keygate_tests::{spawn_app_with, spawn_app_with_key, TestApp};
use serde_json::{json, Value};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Error;

use crate::ws_client::{Ws, WAIT};

fn http_ws(app: &TestApp) -> String {
    app.address.replacen("http://", "ws://", 1) + "/ws"
}

/// The status and JSON body of a refused upgrade.
async fn refused_upgrade(url: &str) -> (u16, Value) {
    match connect_async(url).await {
        Err(Error::Http(response)) => {
            let body = response.body().clone().unwrap_or_default();
            (
                response.status().as_u16(),
                serde_json::from_slice(&body).unwrap_or(Value::Null),
            )
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

#[tokio::test]
async fn an_address_past_its_cap_gets_429_before_the_upgrade_on_either_listener() {
    let app = spawn_app_with(&[("KEYGATE_WS_MAX_PER_IP", "2")]).await;
    let own = Ws::connect(&app.ws_address).await;
    let _proxied = Ws::connect(&http_ws(&app)).await;

    for url in [app.ws_address.clone(), http_ws(&app)] {
        let (status, body) = refused_upgrade(&url).await;
        assert_eq!(status, 429, "{url}");
        assert_eq!(body["status"], "error", "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Too many WebSocket connections"),
            "{body}"
        );
    }

    // Closing one gives its place back (once the server has seen the close).
    drop(own);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if connect_async(app.ws_address.as_str()).await.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slot never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_key_past_its_cap_is_refused_at_authentication_and_closed() {
    let (app, key, _) =
        spawn_app_with_key(&[("KEYGATE_WS_MAX_PER_KEY", "2")], json!({"name": "feed"})).await;
    let (other_key, _) = app.create_key(json!({"name": "other"})).await;
    let authenticate = |key: &str| json!({"action": "authenticate", "api_key": key});

    let mut first = Ws::connect(&app.ws_address).await;
    let mut second = Ws::connect(&http_ws(&app)).await;
    for ws in [&mut first, &mut second] {
        assert_eq!(ws.ask(authenticate(&key)).await["status"], "success");
    }
    // Authenticating again with the same key keeps the connection's one place.
    assert_eq!(first.ask(authenticate(&key)).await["status"], "success");

    let mut third = Ws::connect(&app.ws_address).await;
    let reply = third.ask(authenticate(&key)).await;
    assert_eq!(reply["status"], "error", "{reply}");
    assert_eq!(reply["code"], "CONNECTION_LIMIT", "{reply}");
    let close = third.close_frame(WAIT).await.expect("close frame");
    assert_eq!(close.code, CloseCode::from(4429));

    // Another key is counted on its own.
    let mut fourth = Ws::connect(&app.ws_address).await;
    assert_eq!(
        fourth.ask(authenticate(&other_key)).await["status"],
        "success"
    );
    // The first two connections still work.
    for ws in [&mut first, &mut second] {
        let pong = ws.ask(json!({"action": "ping", "timestamp": 1})).await;
        assert_eq!(pong["type"], "pong", "{pong}");
    }
}

#[tokio::test]
async fn a_client_sending_more_frames_a_second_than_allowed_is_disconnected() {
    let app = spawn_app_with(&[("KEYGATE_WS_MAX_MESSAGES_PER_SEC", "20")]).await;
    let mut ws = Ws::connect(&http_ws(&app)).await;

    for i in 0..50 {
        ws.send(json!({"action": "ping", "timestamp": i})).await;
    }

    let refusal = ws.frame_where(|f| f["status"] == "error").await;
    assert_eq!(refusal["code"], "RATE_LIMITED", "{refusal}");
    let close = ws.close_frame(WAIT).await.expect("close frame");
    assert_eq!(close.code, CloseCode::Policy);
    assert_eq!(close.reason, "message rate limit exceeded");
}
