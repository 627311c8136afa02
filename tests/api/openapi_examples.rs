//! The OpenAPI document's `/api/v1` request examples work: each, sent with a real key (and, where
//! it names an order, a real order id), is answered 200. The bodies' schemas themselves are read
//! off the validator (`keygate_api::openalgo::describe`); scripts/schemathesis.sh checks them
//! against the server value by value.

use keygate_tests::new_client;
use serde_json::{json, Value};

use crate::v1_support::{app_with_keys, far_limit, orderid};

/// In the order they can run: orders before the calls that name them, the analyzer toggle last.
const OPERATIONS: &[&str] = &[
    "/api/v1/ping",
    "/api/v1/placeorder",
    "/api/v1/placesmartorder",
    "/api/v1/orderstatus",
    "/api/v1/openposition",
    "/api/v1/modifyorder",
    "/api/v1/cancelorder",
    "/api/v1/cancelallorder",
    "/api/v1/closeposition",
    "/api/v1/orderbook",
    "/api/v1/tradebook",
    "/api/v1/positionbook",
    "/api/v1/holdings",
    "/api/v1/funds",
    "/api/v1/quotes",
    "/api/v1/multiquotes",
    "/api/v1/depth",
    "/api/v1/analyzer",
    "/api/webhook/tradingview",
    "/api/v1/analyzer/toggle",
];

#[tokio::test]
async fn every_documented_v1_request_example_is_accepted() {
    let (app, keys) = app_with_keys().await;
    let doc: Value = new_client()
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|p| p.starts_with("/api/v1/"))
        .count();
    assert_eq!(
        documented + 1,
        OPERATIONS.len(),
        "every v1 operation is listed here"
    );
    for path in OPERATIONS {
        let op = &doc["paths"][path]["post"];
        let mut example = op["requestBody"]["content"]["application/json"]["example"].clone();
        assert!(example.is_object(), "{path} has a request example");
        example["apikey"] = json!(keys.trade);
        if example.get("orderid").is_some() {
            // A working order of the example's instrument, so modify and cancel find it.
            let mut order = far_limit(&app, &keys.trade, "NHPC", "BUY", "1").await;
            if path.ends_with("modifyorder") {
                for field in ["symbol", "exchange", "action", "product", "pricetype"] {
                    order[field] = example[field].clone();
                }
            }
            let placed = app.v1("placeorder", &keys.trade, order).await;
            example["orderid"] = json!(orderid(&placed));
        }
        let response = new_client()
            .post(app.url(path))
            .json(&example)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{path} with its example {example}: {body}");
    }
}

#[tokio::test]
async fn a_body_apikey_beside_the_header_must_be_well_formed() {
    let (app, keys) = app_with_keys().await;
    let other_key = "0123456789abcdef".repeat(4);
    for (body_key, want) in [
        (json!(5), 400),
        (json!(null), 400),
        (json!("not a key"), 400),
        (json!(other_key.to_uppercase()), 400),
        (json!(other_key), 200),
    ] {
        let response = new_client()
            .post(app.url("/api/v1/ping"))
            .header("X-API-KEY", &keys.read)
            .json(&json!({ "apikey": body_key }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, want, "body apikey {body_key}: {body}");
        if want == 400 {
            assert!(body["errors"]["apikey"].is_array(), "{body}");
        }
    }
}
