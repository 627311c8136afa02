//! `/api/v1` market data: quotes, multiquotes, depth.

use serde_json::json;

use crate::v1_support::app_with_keys;

const UNKNOWN: &str = "Symbol 'NOPE' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded.";

#[tokio::test]
async fn quotes_carry_the_contracts_fields() {
    let (app, k) = app_with_keys().await;
    let (status, body) = app
        .v1(
            "quotes",
            &k.read,
            json!({"symbol": "RELIANCE", "exchange": "NSE"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "ask",
            "bid",
            "high",
            "low",
            "ltp",
            "oi",
            "open",
            "prev_close",
            "volume"
        ]
    );
    assert!(data["ask"].as_f64().unwrap() >= data["bid"].as_f64().unwrap());
    assert!(body.get("mode").is_none());
}

#[tokio::test]
async fn an_unknown_symbol_is_400_with_the_contracts_text() {
    let (app, k) = app_with_keys().await;
    for name in ["quotes", "depth"] {
        assert_eq!(
            app.v1(name, &k.read, json!({"symbol": "NOPE", "exchange": "NSE"}))
                .await,
            (400, json!({"status": "error", "message": UNKNOWN})),
            "{name}"
        );
    }
}

#[tokio::test]
async fn depth_has_five_levels_a_side() {
    let (app, k) = app_with_keys().await;
    let (status, body) = app
        .v1(
            "depth",
            &k.read,
            json!({"symbol": "SBIN", "exchange": "NSE"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["asks"].as_array().unwrap().len(), 5);
    assert_eq!(body["data"]["bids"].as_array().unwrap().len(), 5);
    for field in [
        "high",
        "low",
        "ltp",
        "ltq",
        "oi",
        "open",
        "prev_close",
        "totalbuyqty",
        "totalsellqty",
        "volume",
    ] {
        assert!(body["data"].get(field).is_some(), "{field}");
    }
    // An index is quotable; its empty book is padded with zeros.
    let (status, index) = app
        .v1(
            "depth",
            &k.read,
            json!({"symbol": "NIFTY", "exchange": "NSE_INDEX"}),
        )
        .await;
    assert_eq!(status, 200, "{index}");
    assert_eq!(index["data"]["bids"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn multiquotes_lists_unknown_symbols_first_and_fails_only_when_none_is_known() {
    let (app, k) = app_with_keys().await;
    let (status, body) = app
        .v1("multiquotes", &k.read, json!({"symbols": [{"symbol": "RELIANCE", "exchange": "NSE"}, {"symbol": "NOPE", "exchange": "NSE"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let results = body["results"].as_array().unwrap();
    assert_eq!(
        results[0],
        json!({"symbol": "NOPE", "exchange": "NSE", "error": UNKNOWN})
    );
    assert_eq!(results[1]["symbol"], "RELIANCE");
    assert!(results[1]["data"]["ltp"].is_number());

    let (status, none) = app
        .v1(
            "multiquotes",
            &k.read,
            json!({"symbols": [{"symbol": "NOPE", "exchange": "NSE"}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(none["message"], UNKNOWN);
    assert_eq!(
        none["invalid_symbols"],
        json!([{"symbol": "NOPE", "exchange": "NSE", "error": UNKNOWN}])
    );
}
