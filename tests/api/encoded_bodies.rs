//! Request bodies are never inflated: a `Content-Encoding` other than `identity` gets 415 and the
//! envelope on every kind of route, and the request changes nothing.

use std::io::Write;

use keygate_core::entities::api_key;
use keygate_tests::{assert_error, new_client, TestApp};
use reqwest::header;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::action_center::app_with_semi_auto_key;
use crate::webhooks::pending;

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A valid zstd frame holding `bytes` in one raw block (RFC 8878 §3.1.1).
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 256, "one-byte content size");
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd];
    // Single segment, one-byte content size, no checksum, no dictionary.
    frame.extend([0x20, bytes.len() as u8]);
    // Last block, raw, its size.
    let header = 1 | ((bytes.len() as u32) << 3);
    frame.extend(&header.to_le_bytes()[..3]);
    frame.extend(bytes);
    frame
}

/// A zstd frame that inflates to `blocks` × 128 KiB of `'['` in about 4 bytes per block: the
/// bomb a compressed body makes possible (8,192 blocks, 32 KB, inflate to 1 GiB).
pub fn zstd_bomb(blocks: u32) -> Vec<u8> {
    const BLOCK: u32 = 128 * 1024;
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd];
    // Eight-byte content size, a 128 KiB window (exponent 7).
    frame.extend([0xc0, 0x38]);
    frame.extend((u64::from(blocks) * u64::from(BLOCK)).to_le_bytes());
    for i in 0..blocks {
        let last = u32::from(i + 1 == blocks);
        // An RLE block: one byte, repeated BLOCK times.
        let header = last | (1 << 1) | (BLOCK << 3);
        frame.extend(&header.to_le_bytes()[..3]);
        frame.push(b'[');
    }
    frame
}

/// The body in each encoding a client might try (Brotli's bytes need not be valid: the server
/// must refuse without looking).
fn encodings(body: &Value) -> Vec<(&'static str, Vec<u8>)> {
    let text = body.to_string();
    vec![
        ("gzip", gzip(text.as_bytes())),
        ("zstd", zstd(text.as_bytes())),
        ("br", text.clone().into_bytes()),
        ("deflate", text.into_bytes()),
    ]
}

async fn send_encoded(
    app: &TestApp,
    path: &str,
    encoding: &str,
    body: Vec<u8>,
    session: bool,
) -> reqwest::Response {
    let client = if session {
        app.browser.client.clone()
    } else {
        new_client()
    };
    let mut request = client
        .post(app.url(path))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, encoding)
        .body(body);
    if session {
        request = request.header("X-CSRF-Token", app.browser.csrf_token().unwrap());
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn compressed_bodies_get_415_on_the_v1_api_the_session_api_and_webhooks() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let ping = json!({"apikey": key});
    let new_key = json!({"name": "compressed"});
    let alert = json!({
        "apikey": key, "strategy": "TV", "symbol": "SBIN", "action": "BUY",
        "exchange": "NSE", "pricetype": "MARKET", "product": "MIS", "quantity": "1"
    });
    let keys_before = api_key::Entity::find().count(&app.db).await.unwrap();

    for (path, body, session) in [
        ("/api/v1/ping", &ping, false),
        ("/api/keys", &new_key, true),
        ("/api/webhook/tradingview", &alert, false),
    ] {
        for (encoding, bytes) in encodings(body) {
            let response = send_encoded(&app, path, encoding, bytes, session).await;
            let error = assert_error(response, 415).await;
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains("Content-Encoding"),
                "{path} {encoding}: {error}"
            );
        }
    }

    assert_eq!(
        api_key::Entity::find().count(&app.db).await.unwrap(),
        keys_before
    );
    assert!(pending(&app).await.is_empty(), "an alert was queued");
}

#[tokio::test]
async fn an_identity_encoding_is_a_plain_body() {
    let (app, key, _) = app_with_semi_auto_key().await;

    let response = new_client()
        .post(app.url("/api/v1/ping"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "identity")
        .body(json!({"apikey": key}).to_string())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
}
