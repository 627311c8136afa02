use serde_json::{json, Value};
use utoipa::PartialSchema;

use super::*;

fn schema_of<T: PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap()
}

fn required(schema: &Value) -> Vec<&str> {
    schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn placeorders_schema_is_the_validators_fields_with_their_defaults_optional() {
    let s = schema_of::<PlaceOrderBody>();
    assert_eq!(s["additionalProperties"], json!(false));
    assert_eq!(
        required(&s),
        ["strategy", "exchange", "symbol", "action", "quantity"]
    );
    let props = s["properties"].as_object().unwrap();
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    for name in [
        "apikey",
        "pricetype",
        "product",
        "price",
        "trigger_price",
        "disclosed_quantity",
        "underlying_ltp",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert_eq!(props["apikey"]["pattern"], API_KEY_PATTERN);
    assert_eq!(
        props["action"]["enum"],
        json!(["BUY", "SELL", "buy", "sell"])
    );
    assert_eq!(
        props["pricetype"]["enum"],
        json!(["MARKET", "LIMIT", "SL", "SL-M"])
    );
    assert_eq!(props["product"]["enum"], json!(["MIS", "NRML", "CNC"]));
    assert_eq!(props["exchange"]["enum"][0], "NSE");
    let quantity = &props["quantity"]["oneOf"];
    assert_eq!(quantity[0]["exclusiveMinimum"], json!(0));
    assert_eq!(quantity[1]["type"], "string");
    assert_eq!(
        props["disclosed_quantity"]["oneOf"][0]["exclusiveMinimum"],
        json!(-1)
    );
}

#[test]
fn modify_requires_every_field_and_smart_orders_take_a_zero_quantity() {
    let modify = schema_of::<ModifyOrderBody>();
    assert_eq!(required(&modify).len(), 11);
    let smart = schema_of::<PlaceSmartOrderBody>();
    assert!(required(&smart).contains(&"position_size"));
    assert_eq!(
        smart["properties"]["quantity"]["oneOf"][0]["minimum"],
        json!(0)
    );
}

#[test]
fn multiquotes_items_are_closed_objects_and_key_only_bodies_have_only_the_key() {
    let list = schema_of::<SymbolListBody>();
    let symbols = &list["properties"]["symbols"];
    assert_eq!(symbols["minItems"], 1);
    assert_eq!(required(&symbols["items"]), ["symbol", "exchange"]);
    assert_eq!(symbols["items"]["additionalProperties"], json!(false));
    assert!(symbols["items"]["properties"].get("apikey").is_none());
    let empty = schema_of::<KeyOnlyBody>();
    assert_eq!(
        empty["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["apikey"]
    );
    assert!(required(&empty).is_empty());
}

#[test]
fn numeric_patterns_are_anchored_and_follow_the_bound() {
    assert_eq!(
        float_pattern(Some(Bound::Positive)),
        r"^[ \t\n\r\v\f]*\+?([0-9]*[1-9][0-9]*(\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)([eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$"
    );
    assert!(int_pattern(Some(Bound::NonNegative)).contains("-[0_]*0[0_]*"));
}
