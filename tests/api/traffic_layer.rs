//! The traffic middleware is given what it needs when the `App` is built: an `App` with no app
//! data at all still gets every request logged, limited and answered with the security headers.

use std::time::Duration;

use actix_web::{test, web, App, HttpResponse};
use keygate_api::security_headers::SecurityHeaders;
use keygate_api::traffic_log::TrafficLayer;
use keygate_core::entities::traffic_log;
use keygate_tests::spawn_app_with;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::process::within;

#[tokio::test]
async fn an_app_without_app_data_still_logs_limits_and_sets_headers() {
    let app = spawn_app_with(&[
        ("KEYGATE_TRAFFIC_FLUSH_MS", "20"),
        ("KEYGATE_RATE_API_PER_IP", "1/min"),
    ])
    .await;
    let layer = TrafficLayer::new(app.state.clone(), SecurityHeaders::api_only());
    // No `app_data` of any kind: everything the layer uses came with it.
    let service = test::init_service(
        App::new()
            .wrap(layer.into_middleware())
            .route("/api/probe", web::post().to(HttpResponse::Ok))
            .route("/api/v1/probe", web::post().to(HttpResponse::Ok)),
    )
    .await;

    let res = test::call_service(
        &service,
        test::TestRequest::post()
            .uri("/api/probe")
            .set_payload("{}")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    assert!(res.headers().contains_key("content-security-policy"));
    assert_eq!(
        res.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );

    // The /api/v1 per-address limit applies (1 a minute): the second call is refused.
    for expected in [200, 429] {
        let res = test::call_service(
            &service,
            test::TestRequest::post().uri("/api/v1/probe").to_request(),
        )
        .await;
        assert_eq!(res.status(), expected);
    }

    let db = app.db.clone();
    within(Duration::from_secs(10), || {
        let db = db.clone();
        async move {
            traffic_log::Entity::find()
                .filter(traffic_log::Column::Path.is_in(["/api/probe", "/api/v1/probe"]))
                .count(&db)
                .await
                .unwrap()
                >= 3
        }
    })
    .await
    .expect("the three calls are logged");
}
