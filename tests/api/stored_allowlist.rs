//! A key's stored IP allowlist that no longer parses refuses every caller (fail closed) instead
//! of allowing all of them.

use keygate_tests::spawn_app_with_key;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

#[tokio::test]
async fn an_unparsable_stored_allowlist_refuses_the_key_from_every_address() {
    for damaged in ["not json", r#"["127.0.0.1/32", "garbage"]"#, r#"{"a": 1}"#] {
        let (app, plain, id) =
            spawn_app_with_key(&[], json!({"name": "k", "ip_allowlist": ["127.0.0.1"]})).await;
        let backend = app.db.get_database_backend();
        app.db
            .execute(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => {
                        "UPDATE api_keys SET ip_allowlist = $1 WHERE id = $2"
                    }
                    _ => "UPDATE api_keys SET ip_allowlist = ? WHERE id = ?",
                },
                [damaged.into(), id.into()],
            ))
            .await
            .unwrap();

        let (status, body) = app.v1("ping", &plain, json!({})).await;

        assert_eq!(status, 403, "{damaged}: {body}");
        assert_eq!(body["status"], "error");
    }
}
