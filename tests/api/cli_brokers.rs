//! `keygate broker ...`: connections from the command line. The key pair comes from standard
//! input only, is checked against the (mock) exchange, and never appears in the output, even at
//! the most verbose log level.

use keygate_binance::mock::{MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_core::entities::api_key;
use keygate_tests::{base_env, json_body, spawn_app};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::process::cli;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn broker_add_list_check_and_remove_work_with_credentials_from_stdin_only() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let env = base_env(&app.database.url);
    let add = [
        "-vvv",
        "broker",
        "add",
        "--user",
        "admin",
        "--kind",
        "binance_spot",
        "--label",
        "main",
        "--base-url",
        mock.url(),
    ];

    let output = cli(&env, &add, "").await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("standard input"),
        "{}",
        text(&output.stderr)
    );

    let output = cli(&env, &add, &format!("{MOCK_KEY}\n{MOCK_SECRET}\n")).await;
    let (out, err) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{err}");
    assert!(
        out.contains("main") && out.contains("mock…0000") && out.contains("valid"),
        "{out}"
    );
    for shown in [&out, &err] {
        assert!(
            !shown.contains(MOCK_SECRET) && !shown.contains(MOCK_KEY),
            "{shown}"
        );
    }

    let output = cli(&env, &["broker", "list", "--user", "admin"], "").await;
    assert!(text(&output.stdout).contains("mock…0000"));
    let output = cli(
        &env,
        &[
            "-vvv", "broker", "check", "--user", "admin", "--label", "main",
        ],
        "",
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains(MOCK_SECRET));
    let listed = json_body(app.get("/api/brokers").await).await;
    assert_eq!(listed[0]["label"], "main");

    // A bound key blocks the removal, and is named.
    let (_, key_id) = app.create_key(json!({"name": "bot"})).await;
    let connection = listed[0]["id"].as_i64().unwrap();
    api_key::Entity::update_many()
        .col_expr(api_key::Column::BrokerConnectionId, Expr::value(connection))
        .filter(api_key::Column::Id.eq(key_id))
        .exec(&app.db)
        .await
        .unwrap();
    let remove = ["broker", "remove", "--user", "admin", "--label", "main"];
    let output = cli(&env, &remove, "").await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("bot"),
        "{}",
        text(&output.stderr)
    );
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::BrokerConnectionId,
            Expr::value(Option::<i64>::None),
        )
        .exec(&app.db)
        .await
        .unwrap();
    let output = cli(&env, &remove, "").await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(json_body(app.get("/api/brokers").await).await, json!([]));
}

#[tokio::test]
async fn broker_add_takes_no_credential_argument_and_its_help_says_stdin() {
    let output = cli(&Default::default(), &["broker", "add", "--help"], "").await;
    let help = text(&output.stdout);
    assert!(output.status.success());
    assert!(
        help.contains("standard input") && help.contains("binance_spot"),
        "{help}"
    );
    let output = cli(
        &Default::default(),
        &[
            "broker",
            "add",
            "--user",
            "u",
            "--kind",
            "binance_spot",
            "--label",
            "l",
            "--api-secret",
            "s",
        ],
        "",
    )
    .await;
    assert!(!output.status.success());
}
