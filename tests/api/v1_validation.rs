//! `/api/v1` request validation with marshmallow's semantics: numeric strings, Int vs Float,
//! NaN/Infinity/booleans, strings, null, unknown fields, enums, ranges, the readable message and
//! the `errors` object; paths with and without a trailing slash.

use keygate_tests::new_client;
use serde_json::{json, Value};

use crate::v1_support::{app_with_keys, market};

/// The `errors` object of a 400.
fn errors(answer: &(u16, Value)) -> &Value {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(answer.1["status"], "error");
    assert!(
        answer.1["message"].is_string(),
        "the message is always a readable string"
    );
    &answer.1["errors"]
}

#[tokio::test]
async fn missing_required_fields_are_each_named() {
    let (app, k) = app_with_keys().await;
    let answer = app.v1("placeorder", &k.trade, json!({})).await;
    assert_eq!(
        errors(&answer),
        &json!({"action": ["Missing data for required field."], "exchange": ["Missing data for required field."],
            "quantity": ["Missing data for required field."], "strategy": ["Missing data for required field."],
            "symbol": ["Missing data for required field."]})
    );
    assert!(answer.1["message"]
        .as_str()
        .unwrap()
        .contains("quantity: Missing data for required field."));
    let modify = app.v1("modifyorder", &k.trade, json!({})).await;
    assert_eq!(
        errors(&modify).as_object().unwrap().len(),
        11,
        "every modifyorder field is required"
    );
}

#[tokio::test]
async fn numbers_may_be_numeric_strings_but_not_nan_infinity_or_booleans() {
    let (app, k) = app_with_keys().await;
    let cases = [
        ("quantity", json!("nan"), "Special numeric values (nan or infinity) are not permitted."),
        ("quantity", json!("Infinity"), "Special numeric values (nan or infinity) are not permitted."),
        ("quantity", json!(true), "Not a valid number."),
        ("quantity", json!("ten"), "Not a valid number."),
        ("quantity", json!(null), "Field may not be null."),
        ("quantity", json!("0"), "Quantity must be a positive number."),
        ("quantity", json!(1.5), "Fractional quantity (1.5) is not allowed for non-crypto exchanges."),
        ("price", json!(-1), "Price must be a non-negative number."),
        ("trigger_price", json!("-0.5"), "Trigger price must be a non-negative number."),
        ("disclosed_quantity", json!("5.0"), "Not a valid integer."),
        ("disclosed_quantity", json!(false), "Not a valid integer."),
        ("disclosed_quantity", json!(-1), "Disclosed quantity must be a non-negative integer."),
        ("symbol", json!(123), "Not a valid string."),
        ("exchange", json!("nse"), "Must be one of: NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO."),
        ("action", json!("Buy"), "Must be one of: BUY, SELL, buy, sell."),
        ("pricetype", json!("market"), "Must be one of: MARKET, LIMIT, SL, SL-M."),
        ("product", json!("mis"), "Must be one of: MIS, NRML, CNC."),
        ("target", json!("5"), "Unknown field."),
    ];
    for (field, value, message) in cases {
        let mut body = market("SBIN", "BUY", "1");
        body[field] = value.clone();
        let answer = app.v1("placeorder", &k.trade, body).await;
        assert_eq!(
            errors(&answer),
            &json!({ field: [message] }),
            "{field} = {value}"
        );
        assert_eq!(answer.1["message"], format!("{field}: {message}"));
    }
    // Accepted spellings: numeric strings, 5.7 truncated for an Int, lowercase sides.
    let mut ok = market("SBIN", "sell", "1");
    ok["disclosed_quantity"] = json!(5.7);
    ok["price"] = json!("0");
    ok["underlying_ltp"] = json!(null);
    assert_eq!(app.v1("placeorder", &k.trade, ok).await.0, 200);
}

#[tokio::test]
async fn smart_orders_allow_zero_quantity_and_need_a_position_size() {
    let (app, k) = app_with_keys().await;
    let mut body = market("SBIN", "BUY", "0");
    let answer = app.v1("placesmartorder", &k.trade, body.clone()).await;
    assert_eq!(
        errors(&answer),
        &json!({"position_size": ["Missing data for required field."]})
    );
    body["quantity"] = json!(-1);
    body["position_size"] = json!("-3");
    let answer = app.v1("placesmartorder", &k.trade, body).await;
    assert_eq!(
        errors(&answer),
        &json!({"quantity": ["Quantity must be a non-negative number."]})
    );
}

#[tokio::test]
async fn order_ids_must_be_json_strings() {
    let (app, k) = app_with_keys().await;
    for name in ["cancelorder", "orderstatus"] {
        let answer = app
            .v1(
                name,
                &k.trade,
                json!({"orderid": 250408000989443_i64, "strategy": "t"}),
            )
            .await;
        assert_eq!(
            errors(&answer),
            &json!({"orderid": ["Not a valid string."]}),
            "{name}"
        );
    }
    for name in ["cancelallorder", "closeposition"] {
        let answer = app.v1(name, &k.trade, json!({})).await;
        assert_eq!(
            errors(&answer),
            &json!({"strategy": ["Missing data for required field."]}),
            "{name}"
        );
    }
}

#[tokio::test]
async fn key_only_endpoints_refuse_unknown_fields() {
    let (app, k) = app_with_keys().await;
    for name in [
        "ping",
        "orderbook",
        "tradebook",
        "positionbook",
        "holdings",
        "funds",
        "analyzer",
    ] {
        let answer = app.v1(name, &k.read, json!({"strategy": "x"})).await;
        assert_eq!(
            errors(&answer),
            &json!({"strategy": ["Unknown field."]}),
            "{name}"
        );
    }
}

#[tokio::test]
async fn list_and_nested_errors_of_multiquotes() {
    let (app, k) = app_with_keys().await;
    let cases = [
        (
            json!({}),
            json!({"symbols": ["Missing data for required field."]}),
        ),
        (
            json!({"symbols": "RELIANCE"}),
            json!({"symbols": ["Not a valid list."]}),
        ),
        (
            json!({"symbols": []}),
            json!({"symbols": ["Shorter than minimum length 1."]}),
        ),
        (
            json!({"symbols": [{"symbol": "A", "exchange": "X", "extra": 1}, 3]}),
            json!({"symbols.0.exchange": ["Must be one of: NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO."],
                   "symbols.0.extra": ["Unknown field."], "symbols.1._schema": ["Invalid input type."]}),
        ),
    ];
    for (body, want) in cases {
        let answer = app.v1("multiquotes", &k.read, body.clone()).await;
        assert_eq!(errors(&answer), &want, "{body}");
    }
}

#[tokio::test]
async fn the_toggle_takes_boolean_spellings_only() {
    let (app, k) = app_with_keys().await;
    for good in [
        json!(true),
        json!("false"),
        json!(1),
        json!("0"),
        json!("yes"),
        json!("off"),
    ] {
        assert_eq!(
            app.v1("analyzer/toggle", &k.trade, json!({"mode": good.clone()}))
                .await
                .0,
            200,
            "{good}"
        );
    }
    for (bad, message) in [
        (json!(2), "Not a valid boolean."),
        (json!(null), "Field may not be null."),
        (json!("maybe"), "Not a valid boolean."),
    ] {
        let answer = app
            .v1("analyzer/toggle", &k.trade, json!({"mode": bad.clone()}))
            .await;
        assert_eq!(errors(&answer), &json!({"mode": [message]}), "{bad}");
    }
}

#[tokio::test]
async fn every_endpoint_answers_with_and_without_a_trailing_slash_and_only_to_post() {
    let (app, k) = app_with_keys().await;
    let names = [
        "ping",
        "placeorder",
        "placesmartorder",
        "modifyorder",
        "cancelorder",
        "cancelallorder",
        "closeposition",
        "orderstatus",
        "openposition",
        "orderbook",
        "tradebook",
        "positionbook",
        "holdings",
        "funds",
        "quotes",
        "multiquotes",
        "depth",
        "analyzer",
        "analyzer/toggle",
    ];
    let client = new_client();
    for name in names {
        for path in [format!("/api/v1/{name}"), format!("/api/v1/{name}/")] {
            let response = client
                .post(app.url(&path))
                .json(&json!({"apikey": k.read}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert!(matches!(status, 200 | 400 | 403), "{path}: {status}");
            let get = client
                .get(app.url(&path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!(matches!(get, 404 | 405), "GET {path}: {get}");
        }
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_a_400_envelope() {
    let (app, k) = app_with_keys().await;
    let client = new_client();
    for body in ["[]", "null", "{not json"] {
        let response = client
            .post(app.url("/api/v1/funds"))
            .header("X-API-KEY", &k.read)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["status"], "error");
    }
}

#[tokio::test]
async fn every_v1_endpoint_is_documented_with_a_playground_tag_and_examples() {
    let (app, _) = app_with_keys().await;
    let doc: Value = new_client()
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let v1: Vec<&String> = paths.keys().filter(|p| p.starts_with("/api/v1/")).collect();
    assert_eq!(v1.len(), 19, "{v1:?}");
    for path in v1 {
        let op = &paths[path]["post"];
        let tag = op["tags"][0].as_str().unwrap_or_default();
        assert!(
            ["account", "orders", "data", "utilities"].contains(&tag),
            "{path}: {tag}"
        );
        let example = &op["requestBody"]["content"]["application/json"]["example"];
        assert!(
            example.get("apikey").is_some(),
            "{path} has a request example"
        );
        assert!(
            op["responses"]["200"]["content"]["application/json"]
                .get("example")
                .is_some(),
            "{path} 200 example"
        );
        assert!(op["responses"].get("403").is_some(), "{path} documents 403");
    }
}
