//! Binding keys to broker connections over the session API: `POST /api/keys` and
//! `PATCH /api/keys/{id}` take `broker_connection_id` (an id binds, `null` unbinds, absent leaves
//! the binding), the key views show the bound connection, only the user's own valid connections
//! are accepted, and a key's next call goes to the new broker, in this process and in another.

use std::time::Duration;

use keygate_binance::mock::MockExchange;
use keygate_core::entities::broker_connection;
use keygate_tests::{assert_error, base_env, json_body, spawn_app, TestApp};
use reqwest::Method;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::brokers::add_connection;
use crate::process::{within, KeygateProcess};

/// An order the mock exchange accepts.
fn order() -> Value {
    json!({
        "strategy": "bind", "symbol": "BTCUSDT", "action": "BUY", "exchange": "CRYPTO",
        "pricetype": "LIMIT", "product": "MIS", "quantity": "0.001", "price": "40000"
    })
}

async fn patch(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.send(Method::PATCH, &format!("/api/keys/{id}"), &body)
        .await
}

/// The key's order book length as `address` answers it; `None` while it refuses the key (a
/// process learns of a key made elsewhere within its change poll, so callers poll this).
async fn book_len(address: &str, key: &str) -> Option<usize> {
    let response = keygate_tests::new_client()
        .post(format!("{address}/api/v1/orderbook"))
        .json(&json!({"apikey": key}))
        .send()
        .await
        .expect("request");
    if response.status() != 200 {
        return None;
    }
    Some(
        json_body(response).await["data"]["orders"]
            .as_array()
            .map_or(0, Vec::len),
    )
}

#[tokio::test]
async fn a_key_created_bound_shows_its_connection_and_trades_there() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let connection = add_connection(&app, &mock, "main").await;

    let response = app
        .post(
            "/api/keys",
            &json!({"name": "bot", "scopes": ["trade"], "broker_connection_id": connection}),
        )
        .await;
    let status = response.status();
    let created = json_body(response).await;
    assert_eq!(status, 201, "{created}");
    let expected = json!({"id": connection, "kind": "binance_spot", "label": "main"});
    assert_eq!(created["key"]["broker_connection"], expected, "{created}");
    let key = created["api_key"].as_str().unwrap().to_owned();
    let (_, paper_id) = app.create_key(json!({"name": "paper"})).await;
    let list = json_body(app.get("/api/keys").await).await;
    let bound: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["broker_connection"])
        .collect();
    assert_eq!(bound, [&expected, &Value::Null], "{list}");
    assert_eq!(
        app.key_summary(paper_id).await["broker_connection"],
        Value::Null
    );

    let (status, body) = app.v1("placeorder", &key, order()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(mock.orders().len(), 1);
    let events = app.events().await;
    assert_eq!(
        events.last().unwrap()["detail"],
        "scopes trade, mode auto, broker main",
        "{events:?}"
    );
}

#[tokio::test]
async fn patch_binds_leaves_and_unbinds_and_the_next_call_follows_at_once() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let connection = add_connection(&app, &mock, "main").await;
    let (key, id) = app
        .create_key(json!({"name": "bot", "scopes": ["trade"]}))
        .await;
    // On paper first, so the key is in the verifier's cache with its old binding.
    let (status, body) = app.v1("placeorder", &key, order()).await;
    assert_eq!(status, 200, "{body}");
    assert!(mock.orders().is_empty());

    let response = patch(&app, id, json!({"broker_connection_id": connection})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_body(response).await["broker_connection"]["label"],
        "main"
    );
    let (status, body) = app.v1("placeorder", &key, order()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(mock.orders().len(), 1, "the next order went to paper");

    // Other changes leave the binding; so does an empty body.
    for body in [json!({"name": "bot-renamed"}), json!({})] {
        let response = patch(&app, id, body).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            json_body(response).await["broker_connection"]["id"],
            connection
        );
    }

    let response = patch(&app, id, json!({"broker_connection_id": null})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["broker_connection"], Value::Null);
    let (status, body) = app.v1("placeorder", &key, order()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        mock.orders().len(),
        1,
        "the order after unbinding reached the exchange"
    );

    let details: Vec<Value> = app
        .events()
        .await
        .into_iter()
        .map(|e| e["detail"].clone())
        .collect();
    assert!(details.contains(&json!("broker main")), "{details:?}");
    assert!(details.contains(&json!("broker paper")), "{details:?}");
}

#[tokio::test]
async fn another_users_unknown_and_invalid_connections_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let mock = MockExchange::start().unwrap();
    let mine = add_connection(&app, &mock, "main").await;
    let bob = app.signed_in("bob").await;
    let response = bob
        .post(
            "/api/brokers",
            &crate::brokers::binance(
                &mock,
                "bobs",
                keygate_binance::mock::MOCK_KEY,
                keygate_binance::mock::MOCK_SECRET,
            ),
        )
        .await;
    assert_eq!(response.status(), 201);
    let theirs = json_body(response).await["id"].as_i64().unwrap();
    let (_, id) = app.create_key(json!({"name": "bot"})).await;
    let before = app.events().await.len();

    for foreign in [theirs, theirs + 1000] {
        let body = assert_error(
            app.post(
                "/api/keys",
                &json!({"name": "other", "broker_connection_id": foreign}),
            )
            .await,
            404,
        )
        .await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("broker connection"),
            "{body}"
        );
        assert_error(
            patch(&app, id, json!({"broker_connection_id": foreign})).await,
            404,
        )
        .await;
    }
    assert_error(
        patch(&app, id, json!({"broker_connection_id": "main"})).await,
        400,
    )
    .await;

    broker_connection::Entity::update_many()
        .col_expr(broker_connection::Column::Status, Expr::value("invalid"))
        .col_expr(
            broker_connection::Column::Reason,
            Expr::value("API-key format invalid."),
        )
        .filter(broker_connection::Column::Id.eq(mine))
        .exec(&app.db)
        .await
        .unwrap();
    let body = assert_error(
        patch(
            &app,
            id,
            json!({"name": "renamed", "broker_connection_id": mine}),
        )
        .await,
        422,
    )
    .await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("'main' is invalid") && message.contains("API-key format invalid."),
        "{body}"
    );
    assert_error(
        app.post(
            "/api/keys",
            &json!({"name": "other", "broker_connection_id": mine}),
        )
        .await,
        422,
    )
    .await;

    let list = json_body(app.get("/api/keys").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["name"], "bot");
    assert_eq!(list[0]["broker_connection"], Value::Null);
    assert_eq!(app.events().await.len(), before);
}

#[tokio::test]
async fn another_process_sends_a_rebound_keys_next_calls_to_the_new_broker_within_a_second() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let connection = add_connection(&app, &mock, "main").await;
    let second = KeygateProcess::spawn(&base_env(&app.database.url)).await;
    let (key, id) = app
        .create_key(json!({"name": "bot", "scopes": ["trade"]}))
        .await;
    let (status, body) = app.v1("placeorder", &key, order()).await;
    assert_eq!(status, 200, "{body}");
    // The second process knows the key on paper: one paper order in its book.
    within(Duration::from_secs(1), || async {
        book_len(&second.address, &key).await == Some(1)
    })
    .await
    .expect("the second process accepts the new key");

    let response = patch(&app, id, json!({"broker_connection_id": connection})).await;
    assert_eq!(response.status(), 200);
    // The exchange's book is empty: the second process shows it once it follows the change.
    let took = within(Duration::from_secs(1), || async {
        book_len(&second.address, &key).await == Some(0)
    })
    .await
    .expect("the second process still answers from paper after a second");
    println!("rebinding reached the second process after {took:?}");
}
