//! Every response carries the security headers: a Content-Security-Policy fit for what it serves
//! (the web app, Swagger UI, JSON), `nosniff`, no framing, no referrer, and HSTS when the session
//! cookie is `Secure`.

use keygate_tests::{new_client, spawn_app_with, TestApp};
use reqwest::header::HeaderMap;
use reqwest::Response;
use serde_json::json;

/// The loader script Trunk writes inline into `index.html`.
const LOADER: &str = "\nimport init, * as bindings from '/keygate-frontend-0123.js';\n\
    const wasm = await init({ module_or_path: '/keygate-frontend-0123_bg.wasm' });\n";
/// Its CSP source: `printf '%s' "$LOADER" | openssl dgst -sha256 -binary | base64`.
const LOADER_HASH: &str = "'sha256-w/8/bOqaC4Wkhnb7+ZyxLUjkX90Pq/dzoGyF1iuEZBs='";

async fn app_with_web_app(extra: &[(&str, &str)]) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        format!(
            "<!doctype html><html><head><title>keygate</title>\
             <link rel=\"modulepreload\" href=\"/keygate-frontend-0123.js\">\
             <script type=\"module\">{LOADER}</script></head><body></body></html>"
        ),
    )
    .unwrap();
    let mut overrides = vec![("KEYGATE_STATIC_DIR", dir.path().to_str().unwrap())];
    overrides.extend_from_slice(extra);
    let app = spawn_app_with(&overrides).await;
    (app, dir)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// Checks the headers every response carries; returns its policy.
fn common_headers(response: &Response) -> String {
    let headers = response.headers();
    let what = format!("{} {}", response.status(), response.url().path());
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{what}");
    let csp = header(headers, "content-security-policy").to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("'unsafe-eval'") && !csp.contains("script-src 'unsafe-inline'"),
        "{what}: {csp}"
    );
    csp
}

#[tokio::test]
async fn the_web_app_may_run_its_wasm_and_its_own_loader_script_only() {
    let (app, _dir) = app_with_web_app(&[]).await;

    for path in ["/", "/keys", "/index.html"] {
        let response = new_client().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let csp = common_headers(&response);
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(csp.contains(LOADER_HASH), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "HSTS without Secure cookies"
        );
    }
}

#[tokio::test]
async fn api_answers_and_errors_carry_the_headers_and_a_policy_that_loads_nothing() {
    let (app, _dir) = app_with_web_app(&[]).await;
    app.setup_admin("admin").await;
    let (key, _) = app.create_key(json!({"name": "headers"})).await;
    let client = new_client();

    let responses = [
        client
            .post(app.url("/api/v1/ping"))
            .json(&json!({"apikey": key}))
            .send()
            .await
            .unwrap(),
        client
            .post(app.url("/api/v1/ping"))
            .json(&json!({"apikey": "0".repeat(64)}))
            .send()
            .await
            .unwrap(),
        client.get(app.url("/api/keys")).send().await.unwrap(),
        client.get(app.url("/api/nope")).send().await.unwrap(),
        client.get(app.url("/api/v1/nope")).send().await.unwrap(),
        client.get(app.url("/health")).send().await.unwrap(),
        client
            .post(app.url("/api/v1/ping"))
            .header("content-encoding", "gzip")
            .body("x")
            .send()
            .await
            .unwrap(),
        app.get("/api/keys").await,
    ];
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 403, 401, 404, 404, 200, 415, 200]);
    for response in &responses {
        let csp = common_headers(response);
        assert!(csp.starts_with("default-src 'none'"), "{csp}");
    }
}

#[tokio::test]
async fn swagger_ui_gets_a_policy_of_its_own() {
    let (app, _dir) = app_with_web_app(&[]).await;

    let response = new_client().get(app.url("/docs/")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let csp = common_headers(&response);
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("style-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(csp.contains("img-src 'self' data:"), "{csp}");
}

#[tokio::test]
async fn hsts_is_sent_when_the_session_cookie_is_secure() {
    let (app, _dir) = app_with_web_app(&[("KEYGATE_COOKIE_SECURE", "true")]).await;

    for path in ["/", "/health", "/api/nope"] {
        let response = new_client().get(app.url(path)).send().await.unwrap();
        assert_eq!(
            header(response.headers(), "strict-transport-security"),
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_feed_listener_answers_plain_requests_with_the_envelope_and_the_headers() {
    let (app, _dir) = app_with_web_app(&[]).await;
    let url = app.ws_address.replacen("ws://", "http://", 1);

    let response = new_client().get(&url).send().await.unwrap();

    assert!(response.status().is_client_error(), "{}", response.status());
    common_headers(&response);
    keygate_tests::assert_error(response, 400).await;
}
