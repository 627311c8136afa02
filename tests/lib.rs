//! Test harness: every test gets its own keygate server on a random port and its own fresh
//! database: a SQLite file in a temporary directory, or, when `TEST_DATABASE_URL` names a
//! PostgreSQL server, a new database on it.

use std::collections::HashMap;
use std::net::TcpListener;

use actix_web::web;
use keygate_api::state::AppState;
use keygate_api::Application;
use keygate_core::{db, Settings};
use reqwest::{Client, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{json, Value};

/// Fixed test secrets (never used outside tests).
pub const PEPPER: &str = "test-pepper-0123456789abcdef0123456789abcdef";
/// A valid Fernet key for tests.
pub const FERNET_KEY: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
/// Session secret for tests.
pub const SESSION_SECRET: &str = "test-session-secret-0123456789abcdef0123456789";
/// Password used by the helpers.
pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh, empty database for one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// SQLite in a temporary directory, or a new PostgreSQL database when `TEST_DATABASE_URL` is
    /// set.
    pub async fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.trim().is_empty() => {
                let name = format!("kgt_{}", uuid::Uuid::new_v4().simple());
                let admin = db::connect(&base).await.expect("TEST_DATABASE_URL reachable");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let (prefix, _) = base.rsplit_once('/').expect("URL with a database name");
                Self {
                    url: format!("{prefix}/{name}"),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("keygate.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// True when this run tests PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

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
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A running keygate with an HTTP client that keeps cookies and the CSRF token.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A connection to the same database.
    pub db: DatabaseConnection,
    /// The server's state (caches, counters).
    pub state: web::Data<AppState>,
    /// A cookie-keeping client.
    pub client: Client,
    /// The CSRF token of the client's session, once signed in.
    pub csrf: std::sync::Mutex<Option<String>>,
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

/// Starts keygate on an existing test database.
pub async fn spawn_on(database: TestDatabase, overrides: &[(&str, &str)]) -> TestApp {
    let mut env = base_env(&database.url);
    for (k, v) in overrides {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings");
    let db = db::connect(&settings.database_url).await.expect("connect");
    db::migrate(&db).await.expect("migrate");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Application::build_with(settings, db.clone(), listener)
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        state,
        client: new_client(),
        csrf: std::sync::Mutex::new(None),
        database,
    }
}

/// A client that keeps cookies and never follows redirects (like the OpenAlgo SDK).
pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// `address + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// GET with the session cookie.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// A state-changing request with the session cookie and CSRF token.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Response {
        let mut request = self.client.request(method, self.url(path)).json(body);
        if let Some(token) = self.csrf.lock().expect("lock").clone() {
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
}
