//! The route table and the path classifier agree: every path the OpenAPI document lists is
//! classified (`keygate_api::route_class::RouteClass::of`, which the traffic log, the limits, the
//! body deadline and the security headers all go by) as what its operation's tag says it is.

use keygate_api::openapi::openapi_json;
use keygate_api::route_class::RouteClass;
use serde_json::Value;

/// What an operation is, from its tag (and, where a tag spans two kinds, how it authenticates).
fn class_of_operation(tag: &str, operation: &Value) -> RouteClass {
    let by_key = operation["security"]
        .as_array()
        .is_some_and(|schemes| schemes.iter().any(|s| s.get("api_key_header").is_some()));
    let id = operation["operationId"].as_str().unwrap_or_default();
    match tag {
        "orders" | "data" | "utilities" => RouteClass::ApiV1,
        "account" if by_key => RouteClass::ApiV1,
        "webhooks" if id.ends_with("_webhook") => RouteClass::Webhook,
        "account" | "webhooks" | "keys" | "brokers" | "action-center" | "security"
        | "playground" => RouteClass::SessionApi,
        "traffic" => RouteClass::TrafficLog,
        "system" => RouteClass::Health,
        other => panic!("the tag {other:?} is new: say here which class its routes are"),
    }
}

/// A path of the document with its parameters filled in, as a client would send it.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{token}" => "ck_0123456789abcdef",
            "{ip}" => "192.0.2.7",
            s if s.starts_with('{') => "7",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_documented_path_is_classified_as_its_operation_says() {
    let document: Value = serde_json::from_str(&openapi_json()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() > 40, "the document lists its paths");
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let tag = operation["tags"][0]
                .as_str()
                .expect("every operation is tagged");
            let expected = class_of_operation(tag, operation);
            let sent = concrete(path);
            assert_eq!(
                RouteClass::of(&sent),
                expected,
                "{method} {sent} (tag {tag})"
            );
        }
    }
}
