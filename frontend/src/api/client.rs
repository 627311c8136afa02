//! The one place that builds and sends HTTP requests (gloo-net `fetch`).
//!
//! Requests are same-origin and relative (`/api/...`), carry the session cookie, and decode the
//! server's error envelope into [`ApiError`] on any non-2xx status.

use gloo_net::http::{Method, RequestBuilder, Response};
use keygate_types::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use super::ApiError;

/// One request under construction.
pub(super) struct Call {
    builder: RequestBuilder,
}

impl Call {
    fn new(method: Method, path: &str) -> Self {
        let builder = RequestBuilder::new(path)
            .method(method)
            .credentials(RequestCredentials::Include)
            .header("Accept", "application/json");
        Self { builder }
    }

    /// `GET path`.
    pub(super) fn get(path: &str) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST path`.
    pub(super) fn post(path: &str) -> Self {
        Self::new(Method::POST, path)
    }

    /// `PUT path`.
    pub(super) fn put(path: &str) -> Self {
        Self::new(Method::PUT, path)
    }

    /// `PATCH path`.
    pub(super) fn patch(path: &str) -> Self {
        Self::new(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub(super) fn delete(path: &str) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds the session's CSRF token, required on every state-changing request after sign-in.
    pub(super) fn csrf(self, token: &str) -> Self {
        Self {
            builder: self.builder.header("X-CSRF-Token", token),
        }
    }

    /// Sends without a body and decodes a JSON answer.
    pub(super) async fn fetch<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        decode(self.send(None::<&()>).await?).await
    }

    /// Sends `body` as JSON and decodes a JSON answer.
    pub(super) async fn fetch_with<B: Serialize, T: DeserializeOwned>(
        self,
        body: &B,
    ) -> Result<T, ApiError> {
        decode(self.send(Some(body)).await?).await
    }

    /// Sends without a body; any 2xx answer is success and its body is ignored.
    pub(super) async fn run(self) -> Result<(), ApiError> {
        self.send(None::<&()>).await.map(drop)
    }

    /// Sends `body` as JSON; any 2xx answer is success and its body is ignored.
    pub(super) async fn run_with<B: Serialize>(self, body: &B) -> Result<(), ApiError> {
        self.send(Some(body)).await.map(drop)
    }

    /// Sends the request and turns every non-2xx answer into an [`ApiError`].
    async fn send<B: Serialize>(self, body: Option<&B>) -> Result<Response, ApiError> {
        let request = match body {
            Some(body) => self.builder.json(body),
            None => self.builder.build(),
        }
        .map_err(|e| ApiError::internal(&e.to_string()))?;
        let response = request.send().await.map_err(|_| ApiError::network())?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        Err(match response.json::<ErrorBody>().await {
            Ok(body) => ApiError::from_body(status, body),
            Err(_) => ApiError::from_status(status),
        })
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::internal(&e.to_string()))
}
