//! The hostile-client suite: what a client that means harm (or a broken network) can send. Every
//! answer is a 4xx (with the envelope whenever the server writes a body), the server keeps
//! answering everyone else, and its memory stays bounded.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use keygate_tests::{assert_error, new_client, spawn_app_with_key, TestApp};
use reqwest::header;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::encoded_bodies::zstd_bomb;
use crate::ws_client::Ws;

/// How much the process may grow during a flood (every test server of the run lives in this one
/// process, so the bound is generous; a decoded bomb alone would be a gigabyte per request).
const MAX_GROWTH: u64 = 256 * 1024 * 1024;

/// The process's resident memory, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb * 1024
}

fn assert_bounded(before: u64, what: &str) {
    let after = resident_bytes();
    let growth = after.saturating_sub(before);
    eprintln!("{what}: resident {} MB -> {} MB", before >> 20, after >> 20);
    assert!(growth < MAX_GROWTH, "{what}: grew by {} MB", growth >> 20);
}

/// The server still answers promptly.
async fn assert_alive(app: &TestApp) {
    let started = Instant::now();
    let response = new_client().get(app.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "/health took {:?}",
        started.elapsed()
    );
}

/// An app with an admin (signed in) and a key; sign-in and webhook limits are off, so the many
/// refused requests are not throttled instead.
async fn app_with_key(overrides: &[(&str, &str)]) -> (TestApp, String) {
    let mut all = vec![
        ("KEYGATE_RATE_LOGIN", "off"),
        ("KEYGATE_RATE_WEBHOOK", "off"),
    ];
    all.extend_from_slice(overrides);
    let (app, key, _) = spawn_app_with_key(&all, json!({"name": "hostile"})).await;
    (app, key)
}

/// A request to every kind of body-reading route: the trading API, the session API (signed in,
/// with its CSRF token) and a webhook.
async fn to_every_route(
    app: &TestApp,
    body: impl Fn() -> reqwest::Body,
) -> Vec<(String, reqwest::Response)> {
    let mut answers = Vec::new();
    for path in [
        "/api/v1/ping",
        "/api/webhook/tradingview",
        "/api/auth/login",
    ] {
        let response = new_client()
            .post(app.url(path))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body())
            .send()
            .await
            .unwrap();
        answers.push((path.to_owned(), response));
    }
    let response = app
        .browser
        .client
        .post(app.url("/api/keys"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-CSRF-Token", app.browser.csrf_token().unwrap())
        .body(body())
        .send()
        .await
        .unwrap();
    answers.push(("/api/keys".to_owned(), response));
    answers
}

/// What a raw exchange on one connection produced.
struct RawAnswer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

/// Writes `parts` (pausing `pause` between them, ignoring write errors: the server may hang up
/// first) and reads the answer until the server closes the connection.
async fn raw_exchange(app: &TestApp, parts: Vec<Vec<u8>>, pause: Duration) -> RawAnswer {
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        for part in parts {
            if writer.write_all(&part).await.is_err() {
                return;
            }
            tokio::time::sleep(pause).await;
        }
        // Keep the write half open: a stalled client never finishes.
        std::future::pending::<()>().await;
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut answer)).await;
    writing.abort();
    assert!(read.is_ok(), "the server kept the connection open");
    parse_answer(&answer)
}

fn parse_answer(answer: &[u8]) -> RawAnswer {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head in {:?}", String::from_utf8_lossy(answer)));
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let mut body = answer[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    RawAnswer { status, head, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// A 4xx with the envelope, or with no body at all (what the HTTP parser answers).
fn assert_refused(answer: &RawAnswer, what: &str) {
    assert!(
        (400..500).contains(&answer.status),
        "{what}: {}",
        answer.head
    );
    if answer.body.is_empty() {
        return;
    }
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or_else(|_| {
        panic!(
            "{what}: not JSON: {:?}",
            String::from_utf8_lossy(&answer.body)
        )
    });
    assert_eq!(body["status"], "error", "{what}: {body}");
}

fn post_head(path: &str, extra: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{extra}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn oversized_bodies_get_413_whether_announced_or_streamed() {
    let (app, key) = app_with_key(&[]).await;
    let before = resident_bytes();
    let big = format!(
        r#"{{"apikey":"{key}","padding":"{}"}}"#,
        "x".repeat(4 << 20)
    );

    let answers = to_every_route(&app, || big.clone().into()).await;
    for (path, response) in answers {
        let body = assert_error(response, 413).await;
        assert!(
            body["message"].as_str().unwrap().contains("too large"),
            "{path}"
        );
    }
    // Streamed in chunks with no length announced: refused once the sum passes the limit.
    for path in [
        "/api/v1/ping",
        "/api/webhook/tradingview",
        "/api/auth/login",
    ] {
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024)).into_bytes();
        let mut parts = vec![post_head(
            path,
            "Transfer-Encoding: chunked\r\nConnection: close\r\n",
        )];
        parts.extend(std::iter::repeat_n(chunk, 64));
        // The end of the body: actix drains a refused chunked body to its end before closing.
        parts.push(b"0\r\n\r\n".to_vec());
        let answer = raw_exchange(&app, parts, Duration::ZERO).await;
        assert_eq!(answer.status, 413, "{path}: {}", answer.head);
        assert_refused(&answer, path);
    }

    assert_alive(&app).await;
    assert_bounded(before, "oversized bodies");
}

#[tokio::test]
async fn deeply_nested_json_is_a_400_not_a_stack_overflow() {
    let (app, key) = app_with_key(&[]).await;
    // Balanced bodies stay under the 64 KiB limit; any depth past 128 is refused.
    let depth = 30_000;
    let bodies = [
        "[".repeat(depth),
        format!(r#"{{"apikey":"{key}","x":{}"#, "[".repeat(depth)),
        format!(
            r#"{{"apikey":"{key}","x":{}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!(r#"{{"name":{}"#, r#"{"a":"#.repeat(depth / 5)),
    ];
    for body in &bodies {
        for (path, response) in to_every_route(&app, || body.clone().into()).await {
            let error = assert_error(response, 400).await;
            assert!(error["message"].is_string(), "{path}");
        }
    }

    // A deeply nested key is skipped without recursion, and is no key: an invalid-key answer
    // where a key is read, 400 elsewhere.
    let nested_key = format!(
        r#"{{"apikey":{}"k"{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    for (path, response) in to_every_route(&app, || nested_key.clone().into()).await {
        let status = response.status().as_u16();
        assert!(matches!(status, 400 | 403), "{path}: {status}");
        assert_error(response, status).await;
    }

    assert_alive(&app).await;
    assert_eq!(app.ping(&key).await, 200);
}

#[tokio::test]
async fn invalid_utf8_bodies_are_a_400() {
    let (app, key) = app_with_key(&[]).await;
    let bodies: [Vec<u8>; 3] = [
        [br#"{"apikey":""#.as_slice(), b"\xff\xfe\"}"].concat(),
        [
            format!(r#"{{"apikey":"{key}","symbol":""#).as_bytes(),
            b"\xc3\x28\"}",
        ]
        .concat(),
        b"\xef\xbb\xbf\x80\x81{}".to_vec(),
    ];

    for body in &bodies {
        for (path, response) in to_every_route(&app, || body.clone().into()).await {
            let error = assert_error(response, 400).await;
            assert!(error["message"].is_string(), "{path}");
        }
    }

    assert_alive(&app).await;
}

#[tokio::test]
async fn huge_or_countless_headers_are_refused_and_the_server_carries_on() {
    let (app, key) = app_with_key(&[]).await;
    let before = resident_bytes();
    let body = json!({"apikey": key}).to_string();
    let long_value = format!("X-Filler: {}\r\n", "a".repeat(256 * 1024));
    let many: String = (0..2_000).map(|i| format!("X-Filler-{i}: a\r\n")).collect();
    let long_key = format!("X-API-KEY: {}\r\n", "f".repeat(128 * 1024));

    for (what, extra) in [
        ("one huge header", long_value),
        ("thousands of headers", many),
        ("a huge key header", long_key),
    ] {
        let head = post_head(
            "/api/v1/ping",
            &format!("{extra}Content-Length: {}\r\n", body.len()),
        );
        let answer =
            raw_exchange(&app, vec![head, body.clone().into_bytes()], Duration::ZERO).await;
        assert_refused(&answer, what);
    }

    assert_alive(&app).await;
    assert_eq!(app.ping(&key).await, 200);
    assert_bounded(before, "huge headers");
}

#[tokio::test]
async fn a_stalled_body_is_cut_off_in_time_and_holds_up_no_one_else() {
    let (app, key) = app_with_key(&[("KEYGATE_BODY_TIMEOUT_MS", "1500")]).await;
    let body = json!({"apikey": key, "symbol": "SBIN"}).to_string();
    let half = body.as_bytes()[..body.len() / 2].to_vec();

    let stalled = [
        "/api/v1/ping",
        "/api/webhook/tradingview",
        "/api/auth/login",
    ]
    .map(|path| {
        let head = post_head(path, &format!("Content-Length: {}\r\n", body.len()));
        let parts = vec![head, half.clone()];
        let app = &app;
        async move {
            let started = Instant::now();
            let answer = raw_exchange(app, parts, Duration::from_millis(10)).await;
            (path, answer, started.elapsed())
        }
    });
    let others = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        assert_alive(&app).await;
        assert_eq!(app.ping(&key).await, 200);
        started.elapsed()
    };
    let (answers, others_took) = tokio::join!(join_all(stalled), others);

    assert!(others_took < Duration::from_secs(1), "{others_took:?}");
    for (path, answer, took) in answers {
        assert_refused(&answer, path);
        assert!(
            took >= Duration::from_millis(1400) && took < Duration::from_secs(10),
            "{path} answered after {took:?}"
        );
    }
    assert_alive(&app).await;
}

#[tokio::test]
async fn zstd_bombs_are_refused_without_being_inflated() {
    let (app, key) = app_with_key(&[]).await;
    // 8,192 RLE blocks: 32 KB on the wire, 1 GiB inflated.
    let bomb = zstd_bomb(8192);
    assert!(bomb.len() < 40_000);
    let before = resident_bytes();

    let sends = (0..8).map(|_| {
        new_client()
            .post(app.url("/api/v1/ping"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "zstd")
            .header("X-API-KEY", &key)
            .body(bomb.clone())
            .send()
    });
    for response in join_all(sends).await {
        assert_error(response.unwrap(), 415).await;
    }

    assert_alive(&app).await;
    assert_bounded(before, "zstd bombs");
}

#[tokio::test]
async fn thousands_of_websocket_frames_end_the_connection_and_leave_the_server_fine() {
    let (app, key) = app_with_key(&[]).await;
    let before = resident_bytes();
    let mut ws = Ws::connect(&app.ws_address).await;
    let auth = ws
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(auth["status"], "success");

    // Pings, garbage and subscriptions as fast as the socket takes them, never reading.
    let mut sent = 0;
    for i in 0..5_000 {
        let frame = match i % 3 {
            0 => json!({"action": "ping", "timestamp": i}).to_string(),
            1 => "{not json".repeat(100),
            _ => json!({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE", "mode": 1})
                .to_string(),
        };
        if ws.try_send(Message::text(frame)).await.is_err() {
            break;
        }
        sent += 1;
    }
    assert!(sent > 100, "only {sent} frames went out");
    let close = ws.close_frame(Duration::from_secs(10)).await;
    if let Some(close) = close {
        assert_eq!(u16::from(close.code), 1008, "{close:?}");
    }

    assert_alive(&app).await;
    let mut fresh = Ws::connect(&app.ws_address).await;
    let again = fresh
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(again["status"], "success");
    assert_bounded(before, "websocket flood");
}
