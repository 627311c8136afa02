//! The operator command line: accounts and keys without the web UI, on the servers' database.

use keygate_tests::{base_env, is_key, json_body, spawn_app, spawn_app_with_key, PASSWORD};
use serde_json::json;

use std::time::Duration;

use crate::process::{cli, within};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let env = base_env(&app.database.url);

    let output = cli(
        &env,
        &["user", "create", "--username", "bob"],
        &format!("{PASSWORD}\n"),
    )
    .await;

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("bob"));
    assert!(!stdout(&output).contains(PASSWORD) && !stderr(&output).contains(PASSWORD));
    let bob = app.signed_in("bob").await;
    let session = json_body(bob.get("/api/auth/session").await).await;
    assert_eq!(session["user"]["is_admin"], false);
}

#[tokio::test]
async fn user_create_refuses_a_weak_password() {
    let app = spawn_app().await;
    let env = base_env(&app.database.url);

    let output = cli(&env, &["user", "create", "--username", "bob"], "short\n").await;

    assert!(!output.status.success());
    assert!(stderr(&output).contains("password"), "{}", stderr(&output));
    assert_eq!(app.login("bob", "short").await.0, 401);
}

#[tokio::test]
async fn key_create_prints_a_working_key_on_stdout() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let env = base_env(&app.database.url);

    let output = cli(
        &env,
        &[
            "key",
            "create",
            "--user",
            "admin",
            "--name",
            "from-cli",
            "--scopes",
            "read,trade",
        ],
        "",
    )
    .await;

    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let key = printed.trim();
    assert!(is_key(key), "stdout is exactly the key: {printed:?}");
    // The running server learns of a key made elsewhere from its change follower.
    let app_ref = &app;
    let works = within(Duration::from_secs(1), || async move {
        app_ref.ping(key).await == 200
    })
    .await;
    assert!(works.is_some(), "the CLI's key still refused after 1 s");
    let listed = json_body(app.get("/api/keys").await).await;
    assert_eq!(listed[0]["name"], "from-cli");
    assert_eq!(listed[0]["scopes"], json!(["read", "trade"]));
    assert_eq!(app.events().await[0]["actor"], "cli");
}

#[tokio::test]
async fn key_create_for_an_unknown_user_fails() {
    let app = spawn_app().await;
    let env = base_env(&app.database.url);

    let output = cli(
        &env,
        &["key", "create", "--user", "ghost", "--name", "k"],
        "",
    )
    .await;

    assert!(!output.status.success());
    assert!(stderr(&output).contains("ghost"), "{}", stderr(&output));
    assert!(stdout(&output).trim().is_empty());
}

#[tokio::test]
async fn key_list_shows_the_masked_key_and_never_the_plaintext() {
    let (app, plain, _) = spawn_app_with_key(&[], json!({"name": "listed"})).await;
    let env = base_env(&app.database.url);

    let output = cli(&env, &["key", "list", "--user", "admin"], "").await;

    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("listed"), "{printed}");
    assert!(
        printed.contains(&format!("{}…{}", &plain[..4], &plain[60..])),
        "{printed}"
    );
    assert!(!printed.contains(&plain) && !stderr(&output).contains(&plain));
}

#[tokio::test]
async fn user_reset_password_ends_the_users_sessions() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    assert_eq!(bob.get("/api/auth/session").await.status(), 200);
    let env = base_env(&app.database.url);

    let output = cli(
        &env,
        &["user", "reset-password", "--username", "bob"],
        "a fresh strong passphrase\n",
    )
    .await;

    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(bob.get("/api/auth/session").await.status(), 401);
    assert_eq!(
        app.get("/api/auth/session").await.status(),
        200,
        "admin's session lives on"
    );
    let fresh = app.new_browser();
    assert_eq!(fresh.login("bob", PASSWORD).await.0, 401);
    assert_eq!(fresh.login("bob", "a fresh strong passphrase").await.0, 200);
}
