//! A state-changing request started by the user: busy flag, error, CSRF token.

use std::future::Future;
use std::pin::Pin;

use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_session::{expire_on_unauthorized, use_session, SessionContext};
use crate::api::ApiError;

/// A request in flight; on success it yields the caller's `on_ok` bound to the answer.
type PendingAnswer = Pin<Box<dyn Future<Output = Result<Box<dyn FnOnce()>, ApiError>>>>;

/// Handle returned by [`use_mutation`].
#[derive(Clone)]
pub struct Mutation {
    busy: UseStateHandle<bool>,
    error: UseStateHandle<Option<ApiError>>,
    session: SessionContext,
}

impl Mutation {
    /// Whether a request is in flight (disable the submit button).
    pub fn busy(&self) -> bool {
        *self.busy
    }

    /// The last failure, for alerts and field errors.
    pub fn error(&self) -> Option<ApiError> {
        (*self.error).clone()
    }

    /// Shows a problem found before sending.
    pub fn fail(&self, error: ApiError) {
        self.error.set(Some(error));
    }

    /// Sends `request(csrf_token)`; on success clears the error and calls `on_ok`. A 401 signs
    /// the user out.
    pub fn run<T, Fut>(
        &self,
        request: impl FnOnce(String) -> Fut + 'static,
        on_ok: impl FnOnce(T) + 'static,
    ) where
        T: 'static,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let Some(csrf) = self.session.csrf().map(str::to_owned) else {
            return;
        };
        let answer = request(csrf);
        self.spawn(Box::pin(async move {
            let value = answer.await?;
            Ok(Box::new(move || on_ok(value)) as Box<dyn FnOnce()>)
        }));
    }

    /// The part of [`Mutation::run`] that does not depend on the request's types, kept out of
    /// its generic body so the WebAssembly holds it once rather than once per mutation.
    fn spawn(&self, answer: PendingAnswer) {
        let this = self.clone();
        this.busy.set(true);
        this.error.set(None);
        spawn_local(async move {
            let answer = answer.await;
            this.busy.set(false);
            match answer {
                Ok(on_ok) => on_ok(),
                Err(error) => {
                    expire_on_unauthorized(&this.session, &error);
                    this.error.set(Some(error));
                }
            }
        });
    }
}

/// A fresh [`Mutation`] for one form or button.
#[hook]
pub fn use_mutation() -> Mutation {
    Mutation {
        busy: use_state(|| false),
        error: use_state(|| None),
        session: use_session(),
    }
}
