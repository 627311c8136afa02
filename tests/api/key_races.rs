//! Concurrent key management: rolls and creates racing each other keep the invariants (one
//! current secret per key, every rolled-away secret refused, never more keys than the cap).

use futures_util::future::join_all;
use keygate_tests::{spawn_app_with, spawn_app_with_key, TestApp};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

const RACERS: usize = 8;

async fn current_secrets(app: &TestApp, key_id: i64) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one(Statement::from_string(
            backend,
            format!(
                "SELECT COUNT(*) AS n FROM api_key_secrets WHERE key_id = {key_id} AND retired_at IS NULL"
            ),
        ))
        .await
        .expect("count")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn concurrent_rolls_leave_one_current_secret_and_refuse_every_rolled_away_one() {
    let (app, original, id) =
        spawn_app_with_key(&[], json!({"name": "raced", "scopes": ["read"]})).await;

    let answers = join_all((0..RACERS).map(|_| async {
        let response = app
            .post(
                &format!("/api/keys/{id}/roll"),
                &json!({"grace_seconds": 0}),
            )
            .await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }))
    .await;

    let mut issued = Vec::new();
    for (status, body) in &answers {
        match status {
            200 => issued.push(body["api_key"].as_str().expect("api_key").to_owned()),
            409 => assert_eq!(body["status"], "error", "{body}"),
            other => panic!("a racing roll answered {other}: {body}"),
        }
    }
    assert!(!issued.is_empty(), "at least one roll succeeds");
    assert_eq!(
        current_secrets(&app, id).await,
        1,
        "exactly one current secret"
    );
    let mut working = Vec::new();
    for key in &issued {
        if app.ping(key).await == 200 {
            working.push(key.clone());
        }
    }
    assert_eq!(working.len(), 1, "only the last issued secret works");
    assert_eq!(
        app.ping(&original).await,
        403,
        "the original secret is refused"
    );
    let listed = app.key_summary(id).await;
    let current = &working[0];
    assert_eq!(
        listed["masked_key"],
        format!("{}…{}", &current[..4], &current[60..]),
        "the working secret is the key's current one"
    );
}

#[tokio::test]
async fn concurrent_creates_at_the_cap_never_exceed_it() {
    let app = spawn_app_with(&[("KEYGATE_MAX_KEYS_PER_USER", "3")]).await;
    app.setup_admin("admin").await;
    app.create_key(json!({"name": "first"})).await;
    let app = &app;

    let statuses = join_all((0..RACERS).map(|i| async move {
        let response = app
            .post("/api/keys", &json!({"name": format!("racer-{i}")}))
            .await;
        response.status().as_u16()
    }))
    .await;

    let created = statuses.iter().filter(|s| **s == 201).count();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "every racing create is 201 or 409: {statuses:?}"
    );
    assert_eq!(created, 2, "room for two more: {statuses:?}");
    let listed: Vec<Value> = app.get("/api/keys").await.json().await.expect("json");
    assert_eq!(listed.len(), 3, "never more than the cap");
}
