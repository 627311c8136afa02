//! The account and market-data answers match the schemas the OpenAPI document gives them, on the
//! live ledger and on the analyzer's (whose rows carry extra fields): every required field is
//! there, no field is undocumented, and each value has its documented JSON type. schemathesis
//! checks the same on whatever it happens to generate; this test makes sure both ledgers and
//! non-empty books are seen.

use keygate_tests::new_client;
use serde_json::{json, Value};

use crate::v1_support::{app_with_keys, market};

/// `$ref`s resolved against the document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(path) => {
            let name = path.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Where `value` breaks `schema`, as a list of paths and reasons (empty when it conforms).
fn violations(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema["oneOf"].as_array() {
        let fitting = branches
            .iter()
            .filter(|b| violations(doc, b, value, at).is_empty())
            .count();
        return match fitting {
            1 => Vec::new(),
            n => vec![format!("{at}: fits {n} of the oneOf branches: {value}")],
        };
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let type_ok = types.is_empty()
        || types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"));
    if !type_ok {
        return vec![format!("{at}: {kind} where the document says {types:?}")];
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return vec![format!("{at}: {value} is not one of {allowed:?}")];
        }
    }
    let mut found = Vec::new();
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    found.push(format!("{at}.{name}: required but missing"));
                }
            }
            for (name, field) in fields {
                match properties.and_then(|p| p.get(name)) {
                    Some(s) => found.extend(violations(doc, s, field, &format!("{at}.{name}"))),
                    None if properties.is_some() => {
                        found.push(format!("{at}.{name}: not in the document"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) if !schema["items"].is_null() => {
            for (i, item) in items.iter().enumerate() {
                found.extend(violations(
                    doc,
                    &schema["items"],
                    item,
                    &format!("{at}[{i}]"),
                ));
            }
        }
        _ => {}
    }
    found
}

#[tokio::test]
async fn account_and_market_answers_match_their_documented_schemas_on_both_ledgers() {
    let (app, keys) = app_with_keys().await;
    let doc: Value = new_client()
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let calls: &[(&str, Value)] = &[
        ("orderbook", json!({})),
        ("tradebook", json!({})),
        ("positionbook", json!({})),
        ("holdings", json!({})),
        ("funds", json!({})),
        (
            "openposition",
            json!({"strategy": "t", "symbol": "SBIN", "exchange": "NSE", "product": "MIS"}),
        ),
        ("quotes", json!({"symbol": "SBIN", "exchange": "NSE"})),
        ("depth", json!({"symbol": "SBIN", "exchange": "NSE"})),
        (
            "multiquotes",
            json!({"symbols": [{"symbol": "SBIN", "exchange": "NSE"}, {"symbol": "NOSUCH", "exchange": "NSE"}]}),
        ),
    ];
    let mut checked = 0;
    for ledger in ["live", "analyze"] {
        if ledger == "analyze" {
            let (status, _) = app
                .v1("analyzer/toggle", &keys.trade, json!({"mode": true}))
                .await;
            assert_eq!(status, 200);
        }
        // Books with rows in them: a fill, a position, a resting order.
        let (status, placed) = app
            .v1("placeorder", &keys.trade, market("SBIN", "BUY", "2"))
            .await;
        assert_eq!(status, 200, "{placed}");
        let (status, placed) = app
            .v1("placeorder", &keys.trade, market("RELIANCE", "BUY", "1"))
            .await;
        assert_eq!(status, 200, "{placed}");
        let orderid = placed["orderid"].as_str().unwrap().to_owned();
        let with_status = [("orderstatus", json!({"strategy": "t", "orderid": orderid}))];
        for (name, body) in calls.iter().chain(with_status.iter()) {
            let (status, answer) = app.v1(name, &keys.read, body.clone()).await;
            assert_eq!(status, 200, "{ledger} {name}: {answer}");
            let schema = &doc["paths"][format!("/api/v1/{name}")]["post"]["responses"]["200"]
                ["content"]["application/json"]["schema"];
            assert!(!schema.is_null(), "{name} documents its 200 answer");
            let wrong = violations(&doc, schema, &answer, name);
            assert!(wrong.is_empty(), "{ledger} {name}: {wrong:#?}\n{answer}");
            checked += 1;
        }
        let (_, book) = app.v1("orderbook", &keys.read, json!({})).await;
        assert!(
            !book["data"]["orders"].as_array().unwrap().is_empty(),
            "{book}"
        );
        if ledger == "analyze" {
            assert_eq!(book["mode"], "analyze", "the sandbox's shape was checked");
        }
    }
    assert_eq!(checked, 20);
}

#[test]
fn the_checker_finds_missing_undocumented_and_mistyped_fields() {
    let doc = json!({"components": {"schemas": {"Row": {"type": "object", "required": ["a"],
        "properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"]}}}}}});
    let schema = json!({"$ref": "#/components/schemas/Row"});
    assert!(violations(&doc, &schema, &json!({"a": 1, "b": null}), "x").is_empty());
    assert_eq!(violations(&doc, &schema, &json!({"b": "s"}), "x").len(), 1);
    assert_eq!(
        violations(&doc, &schema, &json!({"a": 1, "c": 2}), "x").len(),
        1
    );
    assert_eq!(violations(&doc, &schema, &json!({"a": "1"}), "x").len(), 1);
}
