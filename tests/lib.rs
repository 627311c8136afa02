//! Test harness: every test gets its own keygate server on a random port and its own fresh
//! database ([`TestDatabase`], from keygate-testdb: a SQLite file in a temporary directory, or,
//! when `TEST_DATABASE_URL` names a PostgreSQL server, a new database on it, dropped after).

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::web;
use keygate_api::startup::SESSION_COOKIE;
use keygate_api::state::AppState;
use keygate_api::Application;
use keygate_core::{db, Settings};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response};
use sea_orm::DatabaseConnection;
use serde_json::{json, Value};

pub use keygate_testdb::TestDatabase;

/// Fixed test secrets (never used outside tests).
pub const PEPPER: &str = "test-pepper-0123456789abcdef0123456789abcdef";
/// A valid Fernet key for tests.
pub const FERNET_KEY: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
/// Session secret for tests.
pub const SESSION_SECRET: &str = "test-session-secret-0123456789abcdef0123456789";
/// Password used by the helpers.
pub const PASSWORD: &str = "correct horse battery staple";

/// The environment a test server reads its settings from.
pub fn base_env(database_url: &str) -> HashMap<String, String> {
    [
        ("KEYGATE_ENV", "development"),
        ("KEYGATE_BIND", "127.0.0.1:0"),
        ("DATABASE_URL", database_url),
        ("KEYGATE_DATA_DIR", "/nonexistent-keygate-test-dir"),
        ("KEYGATE_STATIC_DIR", "/nonexistent-keygate-test-dir"),
        ("API_KEY_PEPPER", PEPPER),
        ("KEYGATE_FERNET_KEYS", FERNET_KEY),
        ("KEYGATE_SESSION_SECRET", SESSION_SECRET),
        ("KEYGATE_KEY_POLL_MS", "100"),
        ("KEYGATE_WS_BIND", "127.0.0.1:0"),
        ("KEYGATE_METRICS_BIND", "127.0.0.1:0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A running keygate with a signed-out browser of its own.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// `ws://127.0.0.1:<port>` of the WebSocket feed's own listener (empty when it is off).
    pub ws_address: String,
    /// `http://127.0.0.1:<port>` of the metrics listener (empty when it is off).
    pub metrics_address: String,
    /// A connection to the same database.
    pub db: DatabaseConnection,
    /// The server's state (caches, counters).
    pub state: web::Data<AppState>,
    /// The test's browser: keeps cookies and the CSRF token.
    pub browser: Browser,
    /// The database (kept alive for the test's duration).
    pub database: TestDatabase,
}

/// Starts keygate on a fresh database with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts keygate on a fresh database, with some settings overridden.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let database = TestDatabase::create().await;
    spawn_on(database, overrides).await
}

/// Starts keygate on an existing (migrated) test database.
pub async fn spawn_on(database: TestDatabase, overrides: &[(&str, &str)]) -> TestApp {
    let (app, test_app) = build(database, overrides).await;
    tokio::spawn(app.run_until_stopped());
    test_app
}

/// Starts keygate on a fresh database (rate limits as `overrides` say) with the admin `admin`
/// signed in, who owns one key made from `key` (the body of `POST /api/keys`). Returns the app,
/// the key and its id.
pub async fn spawn_app_with_key(overrides: &[(&str, &str)], key: Value) -> (TestApp, String, i64) {
    let app = spawn_app_with(overrides).await;
    app.setup_admin("admin").await;
    let (plain, id) = app.create_key(key).await;
    (app, plain, id)
}

/// Builds keygate on `database` with the test settings and `overrides`, not yet running, and the
/// test's view of it.
async fn build(database: TestDatabase, overrides: &[(&str, &str)]) -> (Application, TestApp) {
    let mut env = base_env(&database.url);
    for (k, v) in overrides {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings");
    let db = db::connect(&settings.database_url).await.expect("connect");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Application::build_with(settings, db.clone(), listener)
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let ws_address = app
        .ws_port()
        .map(|port| format!("ws://127.0.0.1:{port}"))
        .unwrap_or_default();
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"))
        .unwrap_or_default();
    let state = app.state();
    let test_app = TestApp {
        browser: Browser::new(&address),
        address,
        ws_address,
        metrics_address,
        db,
        state,
        database,
    };
    (app, test_app)
}

/// A client that keeps no cookies and never follows redirects (like the OpenAlgo SDK).
pub fn new_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The JSON body of a response (`Null` when it is not JSON).
pub async fn json_body(response: Response) -> Value {
    response.json().await.unwrap_or(Value::Null)
}

/// Checks that `response` is the error envelope with `status`, and returns its body.
pub async fn assert_error(response: Response, status: u16) -> Value {
    let url = response.url().clone();
    assert_eq!(response.status(), status, "status of {url}");
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content-type of {url} is {content_type:?}"
    );
    let text = response.text().await.expect("body");
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("body of {url} is not JSON ({e}): {text}"));
    assert_eq!(body["status"], "error", "envelope of {url}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message of {url}: {body}"
    );
    body
}

/// Calls `POST <address>/api/v1/ping` with `key` in the JSON body; returns the status.
pub async fn ping_status(address: &str, key: &str) -> u16 {
    new_client()
        .post(format!("{address}/api/v1/ping"))
        .json(&json!({ "apikey": key }))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// True when `text` is 64 lowercase hex characters (a keygate key).
pub fn is_key(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One browser: its own cookies and the CSRF token of its session.
pub struct Browser {
    /// The server it talks to.
    pub address: String,
    /// A cookie-keeping client that never follows redirects.
    pub client: Client,
    /// Its cookies (to copy the session cookie, as a thief would).
    pub cookies: Arc<Jar>,
    /// The CSRF token of its session, once signed in.
    pub csrf: Mutex<Option<String>>,
}

impl Browser {
    /// A signed-out browser for the server at `address`.
    pub fn new(address: &str) -> Self {
        let cookies = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(cookies.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            address: address.to_owned(),
            client,
            cookies,
            csrf: Mutex::new(None),
        }
    }

    /// `address + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The session cookie as a `Cookie` header value (`keygate_session=...`), if any.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.address.parse().expect("address is a URL");
        let header = self.cookies.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find(|pair| pair.starts_with(&format!("{SESSION_COOKIE}=")))
            .map(str::to_owned)
    }

    /// The CSRF token this browser sends.
    pub fn csrf_token(&self) -> Option<String> {
        self.csrf.lock().expect("lock").clone()
    }

    /// GET with the session cookie.
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// A state-changing request with the session cookie and CSRF token.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Response {
        let mut request = self.client.request(method, self.url(path)).json(body);
        if let Some(token) = self.csrf_token() {
            request = request.header("X-CSRF-Token", token);
        }
        request.send().await.expect("request")
    }

    /// POST with the session cookie and CSRF token.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// Creates the first (admin) account and keeps its session.
    pub async fn setup_admin(&self, username: &str) -> Value {
        let response = self
            .client
            .post(self.url("/api/setup"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "setup failed");
        let body: Value = response.json().await.expect("json");
        *self.csrf.lock().expect("lock") = body["csrf_token"].as_str().map(str::to_owned);
        body
    }

    /// Signs in and keeps the session's CSRF token; returns the status and body.
    pub async fn login(&self, username: &str, password: &str) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status == 200 {
            *self.csrf.lock().expect("lock") = body["csrf_token"].as_str().map(str::to_owned);
        }
        (status, body)
    }

    /// Creates an API key for the signed-in user; returns `(plaintext, id)`.
    pub async fn create_key(&self, body: Value) -> (String, i64) {
        let response = self.post("/api/keys", &body).await;
        assert_eq!(response.status(), 201, "create key failed");
        let created: Value = response.json().await.expect("json");
        (
            created["api_key"].as_str().expect("api_key").to_owned(),
            created["key"]["id"].as_i64().expect("id"),
        )
    }

    /// The signed-in user's key with this id, as the list shows it.
    pub async fn key_summary(&self, id: i64) -> Value {
        let response = self.get(&format!("/api/keys/{id}")).await;
        assert_eq!(response.status(), 200, "get key {id}");
        response.json().await.expect("json")
    }
}

impl TestApp {
    /// `address + path`.
    pub fn url(&self, path: &str) -> String {
        self.browser.url(path)
    }

    /// Another, signed-out browser on this server.
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// Signs `username` in on a new browser (the account must exist with [`PASSWORD`]).
    pub async fn signed_in(&self, username: &str) -> Browser {
        let browser = self.new_browser();
        let (status, body) = browser.login(username, PASSWORD).await;
        assert_eq!(status, 200, "login of {username}: {body}");
        browser
    }

    /// As the signed-in admin, creates a user with [`PASSWORD`]; returns the new user.
    pub async fn create_user(&self, username: &str, is_admin: bool) -> Value {
        let response = self
            .post(
                "/api/users",
                &json!({"username": username, "password": PASSWORD, "is_admin": is_admin}),
            )
            .await;
        assert_eq!(response.status(), 201, "create user {username}");
        response.json().await.expect("json")
    }

    /// GET with the session cookie.
    pub async fn get(&self, path: &str) -> Response {
        self.browser.get(path).await
    }

    /// A state-changing request with the session cookie and CSRF token.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Response {
        self.browser.send(method, path, body).await
    }

    /// POST with the session cookie and CSRF token.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.browser.post(path, body).await
    }

    /// Creates the first (admin) account and keeps its session.
    pub async fn setup_admin(&self, username: &str) -> Value {
        self.browser.setup_admin(username).await
    }

    /// Signs in and keeps the session's CSRF token; returns the status and body.
    pub async fn login(&self, username: &str, password: &str) -> (u16, Value) {
        self.browser.login(username, password).await
    }

    /// Creates an API key for the signed-in user; returns `(plaintext, id)`.
    pub async fn create_key(&self, body: Value) -> (String, i64) {
        self.browser.create_key(body).await
    }

    /// The signed-in user's key with this id, as the list shows it.
    pub async fn key_summary(&self, id: i64) -> Value {
        self.browser.key_summary(id).await
    }

    /// Calls `/api/v1/<name>` with the key in the JSON body; returns status and body.
    pub async fn v1(&self, name: &str, key: &str, extra: Value) -> (u16, Value) {
        let mut body = extra;
        body["apikey"] = json!(key);
        let response = new_client()
            .post(self.url(&format!("/api/v1/{name}")))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Status of a ping with `key`.
    pub async fn ping(&self, key: &str) -> u16 {
        ping_status(&self.address, key).await
    }

    /// The signed-in user's audit trail, newest first.
    pub async fn events(&self) -> Vec<Value> {
        let response = self.get("/api/keys/events").await;
        assert_eq!(response.status(), 200, "list events");
        response.json().await.expect("json")
    }
}

/// A keygate the test can stop as SIGTERM would (graceful shutdown, then the traffic writer's
/// flush), and wait for.
pub struct StoppableApp {
    /// The running app.
    pub app: TestApp,
    handle: actix_web::dev::ServerHandle,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// Starts a stoppable keygate on a fresh database, with some settings overridden.
pub async fn spawn_stoppable_with(overrides: &[(&str, &str)]) -> StoppableApp {
    let (app, test_app) = build(TestDatabase::create().await, overrides).await;
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    StoppableApp {
        app: test_app,
        handle,
        task: Some(task),
    }
}

impl StoppableApp {
    /// Stops the server gracefully and waits until `run_until_stopped` has returned.
    pub async fn stop(&mut self) {
        self.handle.stop(true).await;
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
    }
}
