//! Listing, rejecting, expiry, the price-move check, double approval, isolation and CSRF.

use chrono::Utc;
use sea_orm::sea_query::Expr;

use super::*;

#[tokio::test]
async fn a_semi_auto_order_is_listed_as_pending_with_reference_and_current_price() {
    let (app, key, key_id) = app_with_semi_auto_key().await;
    let (status, body) = alert(&app, &key, "SBIN", "5").await;

    assert_eq!(status, 200);
    assert_eq!(body["status"], "success");
    assert_eq!(body["mode"], "semi_auto");
    assert_eq!(
        body["message"],
        "Order queued for approval in Action Center"
    );
    let id = body["pending_order_id"].as_i64().unwrap();
    let items = list(&app, "?state=pending").await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["id"], id);
    assert_eq!(item["key_id"], key_id);
    assert_eq!(item["key_name"], "bot");
    assert_eq!(item["op"], "placeorder");
    assert_eq!(item["ledger"], "live");
    assert_eq!(item["state"], "pending");
    assert_eq!(item["symbol"], "SBIN");
    assert_eq!(item["action"], "BUY");
    assert_eq!(item["quantity"], 5.0);
    assert_eq!(item["pricetype"], "MARKET");
    assert!(item["reference_price"].as_f64().unwrap() > 0.0, "{item}");
    assert!(item["current_price"].as_f64().unwrap() > 0.0, "{item}");
    assert!(
        item["request"].get("apikey").is_none(),
        "the key is never stored"
    );
    let created: chrono::DateTime<Utc> = item["created_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<Utc> = item["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        (expires - created).num_seconds(),
        900,
        "default TTL is 15 minutes"
    );
    assert!(list(&app, "?state=approved").await.is_empty());
    assert_eq!(list(&app, "").await.len(), 1);
}

#[tokio::test]
async fn an_unknown_state_filter_is_a_400() {
    let (app, _, _) = app_with_semi_auto_key().await;
    assert_error(app.get("/api/action-center?state=bogus").await, 400).await;
}

#[tokio::test]
async fn rejecting_records_the_reason_and_the_item_can_then_be_neither_approved_nor_rejected() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;

    let empty = app
        .post(
            &format!("/api/action-center/{id}/reject"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_error(empty, 400).await;
    let rejected = app
        .post(
            &format!("/api/action-center/{id}/reject"),
            &json!({"reason": "not today"}),
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let item = json_body(rejected).await;
    assert_eq!(item["state"], "rejected");
    assert_eq!(item["reason"], "not today");
    assert_eq!(item["decided_by"], "admin");

    let again = approve(&app, id, json!({})).await;
    let body = assert_error(again, 409).await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("already rejected"),
        "{body}"
    );
    let twice = app
        .post(
            &format!("/api/action-center/{id}/reject"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(twice, 409).await;
    assert_eq!(list(&app, "?state=rejected").await.len(), 1);
    assert!(list(&app, "?state=pending").await.is_empty());
}

#[tokio::test]
async fn an_item_past_its_ttl_is_expired_and_cannot_be_approved() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;
    set_column(
        &app,
        id,
        pending_order::Column::CreatedAt,
        Expr::value(Utc::now() - chrono::Duration::seconds(901)),
    )
    .await;

    let body = assert_error(approve(&app, id, json!({"confirm": true})).await, 409).await;
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    let expired = list(&app, "?state=expired").await;
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["id"], id);
    let reject = app
        .post(
            &format!("/api/action-center/{id}/reject"),
            &json!({"reason": "late"}),
        )
        .await;
    assert_error(reject, 409).await;
}

#[tokio::test]
async fn the_ttl_is_configurable() {
    let app = keygate_tests::spawn_app_with(&[("KEYGATE_PENDING_TTL_SECS", "60")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app
        .create_key(json!({"name": "bot", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;
    queued(&app, &key, "SBIN").await;
    let item = &list(&app, "").await[0];
    let created: chrono::DateTime<Utc> = item["created_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<Utc> = item["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!((expires - created).num_seconds(), 60);
}

#[tokio::test]
async fn a_price_move_beyond_the_limit_answers_409_with_the_figures_until_confirmed() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;
    let current = list(&app, "").await[0]["current_price"].as_f64().unwrap();
    let reference = current / 1.10;
    set_column(
        &app,
        id,
        pending_order::Column::ReferencePrice,
        Expr::value(reference),
    )
    .await;

    let warned = approve(&app, id, json!({})).await;
    assert_eq!(warned.status(), 409);
    let body = json_body(warned).await;
    assert_eq!(body["status"], "error");
    assert_eq!(body["code"], "price_moved");
    assert!(body["errors"]["confirm"].is_array(), "{body}");
    assert_eq!(body["reference_price"], reference);
    assert_eq!(body["max_move_pct"], 2.0);
    let moved = body["move_pct"].as_f64().unwrap();
    assert!((9.0..11.0).contains(&moved), "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("confirm"),
        "{body}"
    );
    assert_eq!(list(&app, "?state=pending").await.len(), 1, "still pending");

    let confirmed = approve(&app, id, json!({"confirm": true})).await;
    assert_eq!(confirmed.status(), 200);
    let item = json_body(confirmed).await;
    assert!(
        matches!(item["state"].as_str(), Some("approved" | "failed")),
        "{item}"
    );
    assert!(list(&app, "?state=pending").await.is_empty());
}

#[tokio::test]
async fn a_small_move_needs_no_confirmation() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;
    let response = approve(&app, id, json!({})).await;
    assert_eq!(response.status(), 200);
    let item = json_body(response).await;
    assert_ne!(item["state"], "pending");
    assert!(item["decided_at"].is_string());
}

#[tokio::test]
async fn approving_twice_at_once_decides_only_once() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;

    let (a, b) = tokio::join!(approve(&app, id, json!({})), approve(&app, id, json!({})));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let third = assert_error(approve(&app, id, json!({})).await, 409).await;
    assert!(
        third["message"].as_str().unwrap().contains("already"),
        "{third}"
    );
}

#[tokio::test]
async fn another_users_items_are_invisible_and_answer_404() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;

    let list = bob.get("/api/action-center").await;
    assert_eq!(json_body(list).await, json!([]));
    assert_error(
        bob.post(&format!("/api/action-center/{id}/approve"), &json!({}))
            .await,
        404,
    )
    .await;
    assert_error(
        bob.post(
            &format!("/api/action-center/{id}/reject"),
            &json!({"reason": "mine now"}),
        )
        .await,
        404,
    )
    .await;
    assert_error(
        app.post("/api/action-center/999999/approve", &json!({}))
            .await,
        404,
    )
    .await;
    assert_eq!(
        list_of(&app, "?state=pending").await,
        1,
        "the owner's item is untouched"
    );
}

pub async fn list_of(app: &TestApp, query: &str) -> usize {
    list(app, query).await.len()
}

#[tokio::test]
async fn changes_need_a_session_and_the_csrf_token() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;

    let no_csrf = app
        .browser
        .client
        .post(app.url(&format!("/api/action-center/{id}/approve")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(no_csrf, 403).await;
    let no_csrf = app
        .browser
        .client
        .post(app.url(&format!("/api/action-center/{id}/reject")))
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_error(no_csrf, 403).await;
    let anonymous = new_client()
        .get(app.url("/api/action-center"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
    let api_key = new_client()
        .get(app.url("/api/action-center"))
        .header("X-API-KEY", &key)
        .send()
        .await
        .unwrap();
    assert_error(api_key, 401).await;
    assert_eq!(list_of(&app, "?state=pending").await, 1);
}

#[tokio::test]
async fn a_malformed_approval_body_is_a_400_envelope() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;
    assert_error(approve(&app, id, json!({"confirm": "yes"})).await, 400).await;
    assert_error(approve(&app, id, json!({"bogus": 1})).await, 400).await;
    assert_error(
        app.post("/api/action-center/abc/approve", &json!({})).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn an_item_left_executing_by_a_stopped_process_is_listed_as_failed() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let id = queued(&app, &key, "SBIN").await;
    set_column(
        &app,
        id,
        pending_order::Column::State,
        Expr::value("executing"),
    )
    .await;
    set_column(
        &app,
        id,
        pending_order::Column::DecidedAt,
        Expr::value(Utc::now() - chrono::Duration::seconds(301)),
    )
    .await;

    let failed = list(&app, "?state=failed").await;
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]["error"].as_str().unwrap().contains("interrupted"),
        "{}",
        failed[0]
    );
    assert_error(approve(&app, id, json!({})).await, 409).await;
}
