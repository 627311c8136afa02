//! Users' keys are their own: another user can neither see nor touch them, and gets the same 404
//! as for a key that does not exist.

use keygate_core::entities::key_event;
use keygate_tests::{assert_error, json_body, spawn_app, Browser, TestApp};
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

/// An app where admin owns key "k" (returned as plaintext and id) and bob is signed in.
async fn admin_key_and_bob() -> (TestApp, String, i64, Browser) {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let (plain, id) = app.create_key(json!({"name": "k"})).await;
    let bob = app.signed_in("bob").await;
    (app, plain, id, bob)
}

#[tokio::test]
async fn another_user_does_not_see_the_key_in_their_list_or_audit_trail() {
    let (app, plain, id, bob) = admin_key_and_bob().await;

    let list = bob.get("/api/keys").await;
    assert_eq!(list.status(), 200);
    assert_eq!(json_body(list).await, json!([]));
    let events = bob.get("/api/keys/events").await;
    assert_eq!(json_body(events).await, json!([]));
    let filtered = bob.get(&format!("/api/keys/events?key_id={id}")).await;
    assert_eq!(json_body(filtered).await, json!([]));
    assert_eq!(app.ping(&plain).await, 200);
}

#[tokio::test]
async fn another_user_can_neither_read_reveal_roll_revoke_nor_change_the_key() {
    let (app, plain, id, bob) = admin_key_and_bob().await;
    let before = app.key_summary(id).await;
    let events_before = key_event::Entity::find().count(&app.db).await.unwrap();

    assert_error(bob.get(&format!("/api/keys/{id}")).await, 404).await;
    let attempts = [
        (Method::POST, format!("/api/keys/{id}/reveal"), json!({})),
        (Method::POST, format!("/api/keys/{id}/roll"), json!({})),
        (Method::POST, format!("/api/keys/{id}/revoke"), json!({})),
        (
            Method::PATCH,
            format!("/api/keys/{id}"),
            json!({"name": "mine now"}),
        ),
        (
            Method::PUT,
            format!("/api/keys/{id}/mode"),
            json!({"order_mode": "semi_auto"}),
        ),
    ];
    for (method, path, body) in attempts {
        let response = bob.send(method, &path, &body).await;
        let error = assert_error(response, 404).await;
        assert!(
            !error.to_string().contains(&plain),
            "a refusal never shows the key"
        );
    }

    assert_eq!(app.key_summary(id).await, before);
    assert_eq!(
        key_event::Entity::find().count(&app.db).await.unwrap(),
        events_before
    );
    assert_eq!(app.ping(&plain).await, 200);
}

#[tokio::test]
async fn another_users_key_looks_exactly_like_a_missing_one() {
    let (_app, _plain, id, bob) = admin_key_and_bob().await;

    let foreign = assert_error(
        bob.post(&format!("/api/keys/{id}/revoke"), &json!({}))
            .await,
        404,
    )
    .await;
    let missing_id = id + 1000;
    let missing = assert_error(
        bob.post(&format!("/api/keys/{missing_id}/revoke"), &json!({}))
            .await,
        404,
    )
    .await;

    assert_eq!(
        foreign["message"]
            .as_str()
            .unwrap()
            .replace(&id.to_string(), "N"),
        missing["message"]
            .as_str()
            .unwrap()
            .replace(&missing_id.to_string(), "N"),
    );
}
