//! The secrets sweep: after a full scenario (setup, sign-ins good and bad, keys created, revealed
//! and rolled, orders with the key in the body and in the header, a webhook token used), no
//! plaintext key, password, pepper, Fernet key, session secret or webhook token is in any database
//! byte, traffic row or error body. (Log lines are not swept: the test process installs no
//! logger; the traffic log is what records requests.)

use std::time::Duration;

use keygate_tests::{
    new_client, spawn_app_with, TestApp, FERNET_KEY, PASSWORD, PEPPER, SESSION_SECRET,
};
use reqwest::Response;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::webhooks::{chartink_token, scan};

const WRONG_PASSWORD: &str = "not-the-password-but-still-a-secret-8641";

/// Every error body the scenario received, with what produced it.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    /// Keeps the body of a 4xx/5xx answer; returns the status and the JSON body.
    async fn answer(&mut self, what: &str, response: Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status >= 400 {
            self.0.push((format!("{what} ({status})"), text.clone()));
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// The database's every byte: the SQLite files, or every PostgreSQL row as JSON.
pub(crate) async fn database_text(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    if !app.database.is_postgres() {
        let path = app
            .database
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        return ["", "-wal", "-shm", "-journal"]
            .iter()
            .filter_map(|suffix| {
                let file = format!("{path}{suffix}");
                std::fs::read(&file).ok().map(|bytes| (file, bytes))
            })
            .collect();
    }
    let backend = app.db.get_database_backend();
    let tables = app
        .db
        .query_all(Statement::from_string(
            backend,
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public'",
        ))
        .await
        .unwrap();
    let mut dumps = Vec::new();
    for table in tables {
        let name: String = table.try_get("", "name").unwrap();
        let rows = app
            .db
            .query_all(Statement::from_string(
                backend,
                format!("SELECT row_to_json(t)::text AS row FROM \"{name}\" t"),
            ))
            .await
            .unwrap();
        let text: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String>("", "row").unwrap())
            .collect();
        dumps.push((format!("table {name}"), text.join("\n").into_bytes()));
    }
    dumps
}

pub(crate) fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn no_secret_is_stored_logged_or_echoed_after_a_full_scenario() {
    let app = spawn_app_with(&[("KEYGATE_RATE_LOGIN", "off")]).await;
    let mut seen = Seen::default();
    let client = new_client();

    // Setup, sign-ins good and bad.
    app.setup_admin("admin").await;
    for password in [WRONG_PASSWORD, PASSWORD] {
        let response = client
            .post(app.url("/api/auth/login"))
            .json(&json!({"username": "admin", "password": password}))
            .send()
            .await
            .unwrap();
        seen.answer("login", response).await;
    }
    let response = app
        .post(
            "/api/auth/password",
            &json!({"current_password": WRONG_PASSWORD, "new_password": WRONG_PASSWORD}),
        )
        .await;
    seen.answer("password change", response).await;

    // Keys: created, revealed, rolled with grace (both secrets work for a while).
    let (first_key, id) = app
        .create_key(json!({"name": "sweep", "scopes": ["trade"]}))
        .await;
    let response = app
        .post(&format!("/api/keys/{id}/reveal"), &json!({}))
        .await;
    seen.answer("reveal", response).await;
    let response = app
        .post(
            &format!("/api/keys/{id}/roll"),
            &json!({"grace_seconds": 300}),
        )
        .await;
    let (status, rolled) = seen.answer("roll", response).await;
    assert_eq!(status, 200, "{rolled}");
    let second_key = rolled["api_key"].as_str().expect("rolled key").to_owned();

    // Orders and data calls with the key in the body and in the header, good and bad.
    let order = json!({
        "strategy": "sweep", "symbol": "SBIN", "action": "BUY", "exchange": "NSE",
        "pricetype": "MARKET", "product": "MIS", "quantity": "1"
    });
    for key in [&first_key, &second_key] {
        let mut body = order.clone();
        body["apikey"] = json!(key);
        let response = client
            .post(app.url("/api/v1/placeorder"))
            .json(&body)
            .send()
            .await
            .unwrap();
        seen.answer("placeorder, key in body", response).await;
        let response = client
            .post(app.url("/api/v1/funds"))
            .header("X-API-KEY", key.as_str())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        seen.answer("funds, key in header", response).await;
        // Refusals that could echo the key: in the query, as a bearer token, with a bad body.
        let response = client
            .post(app.url(&format!("/api/v1/ping?apikey={key}")))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        seen.answer("key in query", response).await;
        let response = client
            .post(app.url("/api/v1/ping"))
            .bearer_auth(key)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        seen.answer("bearer key", response).await;
        let response = client
            .post(app.url("/api/v1/placeorder"))
            .json(&json!({"apikey": key, "quantity": key, "symbol": key}))
            .send()
            .await
            .unwrap();
        seen.answer("invalid order", response).await;
        let response = client
            .post(app.url("/api/v1/ping"))
            .header("content-type", "application/json")
            .body(format!(r#"{{"apikey":"{key}","#))
            .send()
            .await
            .unwrap();
        seen.answer("malformed body", response).await;
    }
    // A key one character off: unknown.
    let mut unknown = first_key.clone();
    unknown.replace_range(..1, if unknown.starts_with('0') { "1" } else { "0" });
    let response = client
        .post(app.url("/api/v1/ping"))
        .json(&json!({"apikey": unknown}))
        .send()
        .await
        .unwrap();
    seen.answer("unknown key", response).await;

    // A webhook token, used, and used wrongly.
    let (token, _) = chartink_token(
        &app,
        id,
        json!({"action": "BUY", "quantity": 1, "product": "MIS"}),
    )
    .await;
    for body in [scan("SBIN", "812.5"), json!({"stocks": token})] {
        let response = client
            .post(app.url(&format!("/api/webhook/chartink/{token}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        seen.answer("chartink", response).await;
    }

    // The last call's traffic row marks when the writer has caught up.
    let last = client
        .post(app.url("/api/v1/ping"))
        .json(&json!({"apikey": second_key}))
        .send()
        .await
        .unwrap();
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
    let listed = app
        .get("/api/traffic?limit=500")
        .await
        .text()
        .await
        .unwrap();

    let secrets = [
        ("the first key", first_key.as_str()),
        ("the rolled key", second_key.as_str()),
        ("the webhook token", token.as_str()),
        ("the password", PASSWORD),
        ("a wrong password", WRONG_PASSWORD),
        ("the pepper", PEPPER),
        ("the Fernet key", FERNET_KEY),
        ("the session secret", SESSION_SECRET),
    ];
    let mut places: Vec<(String, Vec<u8>)> = database_text(&app).await;
    assert!(!places.is_empty(), "no database to sweep");
    places.push(("the traffic export".into(), traffic.into_bytes()));
    places.push(("the traffic list".into(), listed.into_bytes()));
    assert!(
        seen.0.len() >= 10,
        "too few refusals seen: {}",
        seen.0.len()
    );
    for (what, body) in seen.0 {
        places.push((format!("the error body of {what}"), body.into_bytes()));
    }
    let leaks: Vec<String> = places
        .iter()
        .flat_map(|(place, bytes)| {
            secrets
                .iter()
                .filter(|(_, secret)| contains(bytes, secret))
                .map(move |(name, _)| format!("{name} in {place}"))
        })
        .collect();
    assert!(leaks.is_empty(), "secrets leaked: {leaks:#?}");
}
