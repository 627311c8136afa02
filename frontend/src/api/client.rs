//! The one place that builds and sends HTTP requests (gloo-net `fetch`).
//!
//! Requests are same-origin and relative (`/api/...`), carry the session cookie, and decode the
//! server's error envelope into [`ApiError`] on any non-2xx status.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

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
    pub(super) fn fetch<T: DeserializeOwned>(self) -> Decoded<T> {
        Decoded::of(Box::pin(self.exchange(Ok(None))))
    }

    /// Sends `body` as JSON and decodes a JSON answer.
    pub(super) fn fetch_with<B: Serialize, T: DeserializeOwned>(self, body: &B) -> Decoded<T> {
        Decoded::of(Box::pin(self.exchange(encode(body).map(Some))))
    }

    /// Sends without a body; any 2xx answer is success and its body is ignored.
    pub(super) async fn run(self) -> Result<(), ApiError> {
        self.done(Ok(None)).await
    }

    /// Sends `body` as JSON; any 2xx answer is success and its body is ignored.
    pub(super) fn run_with<B: Serialize>(self, body: &B) -> Pin<Box<dyn Future<Output = Done>>> {
        Box::pin(self.done(encode(body).map(Some)))
    }

    /// [`Call::send`] for an answer whose body is ignored.
    async fn done(self, body: Result<Option<String>, ApiError>) -> Done {
        self.send(body?).await.map(drop)
    }

    /// [`Call::send`], then the answer's body: the whole exchange as one non-generic future
    /// (boxed by its callers), so each answer type's code only decodes.
    async fn exchange(self, body: Result<Option<String>, ApiError>) -> Result<String, ApiError> {
        text(self.send(body?).await?).await
    }

    /// Sends the request (with a JSON `body` if any) and turns every non-2xx answer into an
    /// [`ApiError`]. Not generic, and the body is encoded by the caller, so there is one copy of
    /// this state machine in the WebAssembly rather than one per body type.
    async fn send(self, body: Option<String>) -> Result<Response, ApiError> {
        let request = match body {
            Some(body) => self
                .builder
                .header("Content-Type", "application/json")
                .body(body),
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

/// The outcome of a request whose answer body is ignored.
pub(super) type Done = Result<(), ApiError>;

/// The answer of [`Call::fetch`]: the boxed, non-generic exchange, decoded as `T` when it
/// arrives. Only this thin `poll` is compiled once per answer type (the WebAssembly used to hold
/// a copy of the whole exchange's state machine per type).
pub(super) struct Decoded<T> {
    text: Pin<Box<dyn Future<Output = Result<String, ApiError>>>>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Decoded<T> {
    fn of(text: Pin<Box<dyn Future<Output = Result<String, ApiError>>>>) -> Self {
        Self {
            text,
            answer: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Future for Decoded<T> {
    type Output = Result<T, ApiError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.text.as_mut().poll(cx).map(|text| decode(&text?))
    }
}

fn encode<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::internal(&e.to_string()))
}

/// The body of a 2xx answer.
async fn text(response: Response) -> Result<String, ApiError> {
    response
        .text()
        .await
        .map_err(|e| ApiError::internal(&e.to_string()))
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::internal(&e.to_string()))
}
