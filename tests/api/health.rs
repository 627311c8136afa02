use keygate_tests::spawn_app;

#[tokio::test]
async fn health_reports_the_database_as_reachable() {
    let app = spawn_app().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], true);
}
