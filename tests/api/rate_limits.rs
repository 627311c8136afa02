//! Rate limits: per key for `/api/v1` (key in the body or the header), per client IP for the rest,
//! per IP and username for sign-in; 429s in the envelope with `Retry-After` and `RateLimit-*`.

use actix_web::test::TestRequest;
use keygate_api::rate_limit::RateCategory;
use keygate_tests::{assert_error, new_client, spawn_app_with, TestApp};
use reqwest::Response;
use serde_json::json;

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn ping_response(app: &TestApp, key: &str) -> Response {
    new_client()
        .post(app.url("/api/v1/ping"))
        .json(&json!({ "apikey": key }))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_key_over_its_data_limit_gets_429_with_the_envelope_and_headers() {
    let app = spawn_app_with(&[("KEYGATE_RATE_DATA", "3/min")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "k"})).await;
    for remaining in ["2", "1", "0"] {
        let response = ping_response(&app, &key).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(
            header(&response, "ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        assert!(header(&response, "ratelimit-reset").is_some());
    }
    let response = ping_response(&app, &key).await;
    let retry_after: u64 = header(&response, "retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("3"));
    assert_eq!(
        header(&response, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    let body = assert_error(response, 429).await;
    assert_eq!(body["message"], "Rate limit exceeded: 3 per 1 minute");

    // The header form of the key counts against the same budget.
    let response = new_client()
        .post(app.url("/api/v1/ping"))
        .header("X-API-KEY", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
}

#[tokio::test]
async fn one_keys_flood_never_throttles_another_key_of_the_same_user_and_ip() {
    let app = spawn_app_with(&[("KEYGATE_RATE_DATA", "5/s,8/min")]).await;
    app.setup_admin("admin").await;
    let (flooder, _) = app.create_key(json!({"name": "flood"})).await;
    let (quiet, _) = app.create_key(json!({"name": "quiet"})).await;
    let mut limited = 0;
    for _ in 0..30 {
        if app.ping(&flooder).await == 429 {
            limited += 1;
        }
    }
    assert!(limited >= 22, "the flooder was limited {limited} times");
    for _ in 0..5 {
        assert_eq!(app.ping(&quiet).await, 200, "the other key is untouched");
    }
}

#[tokio::test]
async fn stacked_windows_refuse_at_the_longer_one_too() {
    let app = spawn_app_with(&[("KEYGATE_RATE_DATA", "100/s,4/hour")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "k"})).await;
    for _ in 0..4 {
        assert_eq!(app.ping(&key).await, 200);
    }
    let body = assert_error(ping_response(&app, &key).await, 429).await;
    assert_eq!(body["message"], "Rate limit exceeded: 4 per 1 hour");
}

#[tokio::test]
async fn the_orders_category_has_its_own_budget_per_key() {
    let app = spawn_app_with(&[
        ("KEYGATE_RATE_ORDERS", "2/min"),
        ("KEYGATE_RATE_DATA", "5/min"),
    ])
    .await;
    let req = TestRequest::default().to_http_request();
    let limits = &app.state.rate_limits;
    assert!(limits
        .check_key(&req, RateCategory::Orders, 7)
        .await
        .is_ok());
    assert!(limits
        .check_key(&req, RateCategory::Orders, 7)
        .await
        .is_ok());
    let refused = limits
        .check_key(&req, RateCategory::Orders, 7)
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "Rate limit exceeded: 2 per 1 minute");
    assert!(
        limits.check_key(&req, RateCategory::Data, 7).await.is_ok(),
        "data is counted apart"
    );
    assert!(
        limits
            .check_key(&req, RateCategory::Orders, 8)
            .await
            .is_ok(),
        "another key"
    );
}

#[tokio::test]
async fn session_routes_are_limited_per_client_ip_and_health_is_not() {
    let app = spawn_app_with(&[("KEYGATE_RATE_DEFAULT", "3/min")]).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/setup").await.status(), 200);
    }
    let response = app.get("/api/setup").await;
    assert!(header(&response, "retry-after").is_some());
    let body = assert_error(response, 429).await;
    assert_eq!(body["message"], "Rate limit exceeded: 3 per 1 minute");
    for _ in 0..5 {
        assert_eq!(app.get("/health").await.status(), 200);
    }
}

#[tokio::test]
async fn webhooks_are_limited_per_client_ip_in_their_own_category() {
    let app = spawn_app_with(&[
        ("KEYGATE_RATE_WEBHOOK", "2/min"),
        ("KEYGATE_RATE_DEFAULT", "off"),
    ])
    .await;
    for _ in 0..2 {
        let status = app.post("/api/webhook/some-id", &json!({})).await.status();
        assert_ne!(status, 429);
    }
    let body = assert_error(app.post("/api/webhook/some-id", &json!({})).await, 429).await;
    assert_eq!(body["message"], "Rate limit exceeded: 2 per 1 minute");
    assert_eq!(
        app.get("/api/setup").await.status(),
        200,
        "other routes are not affected"
    );
}

#[tokio::test]
async fn sign_in_attempts_use_the_login_category() {
    let app = spawn_app_with(&[("KEYGATE_RATE_LOGIN", "2/min,10/hour")]).await;
    app.setup_admin("admin").await;
    let browser = app.new_browser();
    assert_eq!(browser.login("admin", "wrong password!").await.0, 401);
    assert_eq!(browser.login("admin", "wrong password!").await.0, 401);
    let response = browser
        .client
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": "admin", "password": "wrong password!"}))
        .send()
        .await
        .unwrap();
    assert!(header(&response, "retry-after").is_some());
    assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("2"));
    let body = assert_error(response, 429).await;
    assert_eq!(
        body["message"],
        "Rate limit exceeded: 2 per 1 minute for sign-in attempts"
    );
}

#[tokio::test]
async fn forwarded_for_counts_only_behind_a_trusted_proxy() {
    let untrusted = spawn_app_with(&[("KEYGATE_RATE_DEFAULT", "2/min")]).await;
    for ip in ["1.1.1.1", "2.2.2.2"] {
        let r = new_client()
            .get(untrusted.url("/api/setup"))
            .header("X-Forwarded-For", ip)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = new_client()
        .get(untrusted.url("/api/setup"))
        .header("X-Forwarded-For", "3.3.3.3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "a forged header must not buy a fresh budget"
    );

    let proxied = spawn_app_with(&[
        ("KEYGATE_RATE_DEFAULT", "2/min"),
        ("KEYGATE_TRUSTED_PROXIES", "127.0.0.1/32"),
    ])
    .await;
    let get = |xff: &'static str| {
        let url = proxied.url("/api/setup");
        async move {
            new_client()
                .get(url)
                .header("X-Forwarded-For", xff)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(get("9.9.9.9, 1.1.1.1").await, 200);
    assert_eq!(get("8.8.8.8, 1.1.1.1").await, 200);
    assert_eq!(
        get("1.1.1.1").await,
        429,
        "the rightmost untrusted hop is the client"
    );
    assert_eq!(get("2.2.2.2").await, 200, "another client behind the proxy");
}
