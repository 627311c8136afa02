//! The signed-in user's broker connections (the credentials vault).

use keygate_types::brokers::{BrokerConnection, CreateBrokerConnection, RelabelBrokerConnection};

use super::client::Call;
use super::ApiError;

/// `GET /api/brokers`: the connections, API keys masked.
pub async fn list() -> Result<Vec<BrokerConnection>, ApiError> {
    Call::get("/api/brokers").fetch().await
}

/// `POST /api/brokers`: the server checks the credentials with the exchange before storing them.
pub async fn create(
    csrf: &str,
    body: &CreateBrokerConnection,
) -> Result<BrokerConnection, ApiError> {
    Call::post("/api/brokers").csrf(csrf).fetch_with(body).await
}

/// `PATCH /api/brokers/{id}`.
pub async fn relabel(
    csrf: &str,
    id: i64,
    body: &RelabelBrokerConnection,
) -> Result<BrokerConnection, ApiError> {
    Call::patch(&format!("/api/brokers/{id}"))
        .csrf(csrf)
        .fetch_with(body)
        .await
}

/// `POST /api/brokers/{id}/check`: validates the credentials with the exchange again.
pub async fn check(csrf: &str, id: i64) -> Result<BrokerConnection, ApiError> {
    Call::post(&format!("/api/brokers/{id}/check"))
        .csrf(csrf)
        .fetch()
        .await
}

/// `DELETE /api/brokers/{id}`: refused (409) while keys are bound to the connection.
pub async fn remove(csrf: &str, id: i64) -> Result<(), ApiError> {
    Call::delete(&format!("/api/brokers/{id}"))
        .csrf(csrf)
        .run()
        .await
}
