//! Orders a hostile or hurried client sends to get around the account's limits: concurrent exits
//! of an `exit_only` key racing past the reduce-only check, and a marketable LIMIT priced to dodge
//! the margin check.

use futures_util::future::join_all;
use serde_json::json;

use crate::v1_support::{app_with_keys, app_with_keys_and, market, net, orderid};

/// Rounds of the race: each opens a long 100 and fires `EXITS` exits of 100 at once with a key
/// not used before (its first verification is where the concurrent calls line up).
const ROUNDS: usize = 30;
const EXITS: usize = 10;

#[tokio::test]
async fn concurrent_exits_of_an_exit_only_key_close_a_position_exactly_once() {
    let (app, k) = app_with_keys_and(&[
        ("KEYGATE_RATE_ORDERS", "off"),
        ("KEYGATE_RATE_DATA", "off"),
        ("KEYGATE_MAX_KEYS_PER_USER", "100"),
    ])
    .await;
    for round in 0..ROUNDS {
        orderid(
            &app.v1("placeorder", &k.trade, market("SBIN", "BUY", "100"))
                .await,
        );
        let (exit, _) = app
            .create_key(json!({"name": format!("exit {round}"), "scopes": ["exit_only"]}))
            .await;
        let exits = (0..EXITS).map(|_| app.v1("placeorder", &exit, market("SBIN", "SELL", "100")));
        let answers = join_all(exits).await;

        let placed = answers.iter().filter(|(status, _)| *status == 200).count();
        assert_eq!(
            placed, 1,
            "round {round}: exactly one exit passes: {answers:?}"
        );
        for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
            assert_eq!(*status, 403, "{body}");
            assert!(
                body["message"].as_str().unwrap().contains("exit_only"),
                "{body}"
            );
        }
        assert_eq!(
            net(&app, &k.trade, "SBIN").await,
            0,
            "round {round}: never reversed to short"
        );
    }
}

#[tokio::test]
async fn a_marketable_limit_priced_far_through_the_market_is_margined_at_the_market() {
    let (app, k) = app_with_keys().await;
    let mut order = market("SBIN", "SELL", "1000000");
    order["pricetype"] = json!("LIMIT");
    order["price"] = json!("0.05");

    let (status, body) = app.v1("placeorder", &k.trade, order).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Insufficient funds"),
        "{body}"
    );
    let (status, funds) = app.v1("funds", &k.trade, json!({})).await;
    assert_eq!(status, 200, "{funds}");
    let cash: f64 = funds["data"]["availablecash"]
        .as_str()
        .expect("a string")
        .parse()
        .expect("a number");
    assert_eq!(cash, 10_000_000.0, "nothing was blocked or lost");
    assert_eq!(net(&app, &k.trade, "SBIN").await, 0);
}

#[tokio::test]
async fn cancel_all_and_close_position_count_against_the_orders_limit() {
    let (app, k) = app_with_keys_and(&[
        ("KEYGATE_RATE_ORDERS", "2/min"),
        ("KEYGATE_RATE_DATA", "off"),
    ])
    .await;
    let strategy = json!({"strategy": "test"});
    assert_eq!(
        app.v1("cancelallorder", &k.trade, strategy.clone()).await.0,
        200
    );
    assert_eq!(
        app.v1("closeposition", &k.trade, strategy.clone()).await.0,
        200
    );
    let (status, body) = app.v1("cancelallorder", &k.trade, strategy.clone()).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(app.v1("closeposition", &k.trade, strategy).await.0, 429);
    assert_eq!(
        app.v1("funds", &k.trade, json!({})).await.0,
        200,
        "data calls are apart"
    );
}
