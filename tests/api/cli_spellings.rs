//! The README's spellings work everywhere: `semi_auto` / `exit_only` (canonical, as in JSON) and
//! `semi-auto` / `exit-only` on the command line and in JSON; and one-shot commands stay quiet.

use keygate_tests::{base_env, is_key, json_body, spawn_app};
use serde_json::json;

use crate::process::cli;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn key_create_accepts_both_spellings_of_mode_and_scope() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let env = base_env(&app.database.url);

    for (name, mode, scopes) in [
        ("readme", "semi_auto", "read,exit_only"),
        ("hyphens", "semi-auto", "read,exit-only"),
    ] {
        let output = cli(
            &env,
            &[
                "key", "create", "--user", "admin", "--name", name, "--mode", mode, "--scopes",
                scopes,
            ],
            "",
        )
        .await;
        assert!(output.status.success(), "{name}: {}", text(&output.stderr));
        assert!(is_key(text(&output.stdout).trim()));
    }

    let listed = json_body(app.get("/api/keys").await).await;
    for key in listed.as_array().unwrap() {
        assert_eq!(key["order_mode"], "semi_auto", "{key}");
        assert_eq!(key["scopes"], json!(["read", "exit_only"]), "{key}");
    }
}

#[tokio::test]
async fn key_create_help_shows_the_canonical_spellings() {
    let output = cli(&Default::default(), &["key", "create", "--help"], "").await;

    let help = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        help.contains("semi_auto") && help.contains("exit_only"),
        "{help}"
    );
}

#[tokio::test]
async fn the_json_api_accepts_hyphenated_mode_and_scope() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = app
        .post(
            "/api/keys",
            &json!({"name": "k", "order_mode": "semi-auto", "scopes": ["exit-only"]}),
        )
        .await;

    assert_eq!(response.status(), 201);
    let created = json_body(response).await;
    assert_eq!(created["key"]["order_mode"], "semi_auto");
    assert_eq!(created["key"]["scopes"], json!(["exit_only"]));
}

#[tokio::test]
async fn one_shot_commands_log_nothing_below_warnings_unless_asked() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let env = base_env(&app.database.url);

    let quiet = cli(&env, &["key", "list", "--user", "admin"], "").await;
    let verbose = cli(&env, &["-v", "key", "list", "--user", "admin"], "").await;

    assert!(quiet.status.success() && verbose.status.success());
    let quiet = text(&quiet.stderr);
    assert!(
        !quiet.contains("INFO") && !quiet.contains("DEBUG"),
        "{quiet}"
    );
    let verbose = text(&verbose.stderr);
    assert!(verbose.contains("INFO"), "-v shows info lines: {verbose}");
}
