//! The vault's secrets sweep: after connections are added (accepted, refused, unreachable),
//! listed, checked, relabelled and deleted, the exchange secret (and the full exchange API key)
//! is in no answer, no traffic row and no database byte in plaintext. (The command line's log
//! output at trace level is swept in `cli_brokers`.)

use std::time::Duration;

use keygate_binance::mock::{spot_only, MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_binance::wire::ApiRestrictions;
use keygate_tests::spawn_app;
use reqwest::Method;
use serde_json::json;

use crate::brokers::binance;
use crate::secrets_sweep::{contains, database_text};

const WITHDRAW_KEY: &str = "withdraw-key-sweep-000000000000000000001";
const WITHDRAW_SECRET: &str = "withdraw-secret-sweep-0000000000000000001";
const WRONG_SECRET: &str = "wrong-secret-sweep-00000000000000000000001";

#[tokio::test]
async fn no_exchange_secret_is_stored_logged_or_answered() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    mock.add_key(
        WITHDRAW_KEY,
        WITHDRAW_SECRET,
        ApiRestrictions {
            enable_withdrawals: true,
            ..spot_only()
        },
    );
    let mut answers = Vec::new();
    let mut keep = |what: &str, status: u16, text: String| {
        answers.push((format!("{what} ({status})"), text));
    };
    let mut unreachable = binance(&mock, "down", MOCK_KEY, MOCK_SECRET);
    unreachable["base_url"] = json!("http://127.0.0.1:9");
    for (what, body) in [
        ("add", binance(&mock, "main", MOCK_KEY, MOCK_SECRET)),
        (
            "add withdrawals",
            binance(&mock, "w", WITHDRAW_KEY, WITHDRAW_SECRET),
        ),
        (
            "add wrong secret",
            binance(&mock, "x", MOCK_KEY, WRONG_SECRET),
        ),
        ("add unreachable", unreachable),
        (
            "add duplicate",
            binance(&mock, "main", MOCK_KEY, MOCK_SECRET),
        ),
    ] {
        let response = app.post("/api/brokers", &body).await;
        keep(
            what,
            response.status().as_u16(),
            response.text().await.unwrap(),
        );
    }
    let listed = app.get("/api/brokers").await.text().await.unwrap();
    let id = serde_json::from_str::<serde_json::Value>(&listed).unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    keep("list", 200, listed);
    for (method, path, body) in [
        (Method::POST, format!("/api/brokers/{id}/check"), json!({})),
        (
            Method::PATCH,
            format!("/api/brokers/{id}"),
            json!({"label": "renamed"}),
        ),
        (
            Method::POST,
            "/api/brokers".into(),
            binance(&mock, "second", MOCK_KEY, MOCK_SECRET),
        ),
        (Method::DELETE, format!("/api/brokers/{id}"), json!({})),
    ] {
        let response = app.send(method, &path, &body).await;
        keep(
            &path,
            response.status().as_u16(),
            response.text().await.unwrap(),
        );
    }

    // The last call's traffic row marks when the writer has caught up.
    let last = app.get("/api/brokers").await;
    let last_id = last.headers()["x-request-id"].to_str().unwrap().to_owned();
    let mut traffic = String::new();
    for _ in 0..100 {
        traffic = app.get("/api/traffic/export").await.text().await.unwrap();
        if traffic.contains(&last_id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        traffic.contains(&last_id),
        "the traffic log never caught up"
    );

    let mut places = database_text(&app).await;
    assert!(!places.is_empty(), "no database to sweep");
    places.push(("the traffic export".into(), traffic.into_bytes()));
    for (what, text) in answers {
        places.push((what, text.into_bytes()));
    }
    for (name, secret) in [
        ("the exchange secret", MOCK_SECRET),
        ("the exchange API key", MOCK_KEY),
        ("a refused key's secret", WITHDRAW_SECRET),
        ("a wrong secret", WRONG_SECRET),
    ] {
        for (place, bytes) in &places {
            assert!(!contains(bytes, secret), "{name} found in {place}");
        }
    }
}
