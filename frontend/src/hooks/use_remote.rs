//! Data loaded from the server, modelled as `Loading | Loaded(Result<T, ApiError>)`.

use std::future::Future;

use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_session::{expire_on_unauthorized, use_session};
use crate::api::ApiError;
use crate::components::error_alert;

/// Remote data: still loading, or the answer (data or error).
#[derive(Debug, Clone, PartialEq)]
pub enum Remote<T> {
    /// The first request has not answered yet.
    Loading,
    /// The latest answer.
    Loaded(Result<T, ApiError>),
}

impl<T> Remote<T> {
    /// Renders a loading line, an error alert, or `view` of the data.
    pub fn view(&self, view: impl FnOnce(&T) -> Html) -> Html {
        match self {
            Remote::Loading => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
            Remote::Loaded(Err(error)) => html! { { error_alert(Some(error.clone()), "error") } },
            Remote::Loaded(Ok(data)) => view(data),
        }
    }
}

/// Loads with `fetch` on mount and again whenever `version` changes. While reloading, the
/// previous answer stays on screen. A 401 answer signs the user out.
#[hook]
pub fn use_remote<T, F, Fut>(version: u32, fetch: F) -> UseStateHandle<Remote<T>>
where
    T: 'static,
    F: FnOnce() -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = use_state(|| Remote::Loading);
    let session = use_session();
    {
        let state = state.clone();
        use_effect_with(version, move |_| {
            spawn_local(async move {
                let answer = fetch().await;
                if let Err(error) = &answer {
                    expire_on_unauthorized(&session, error);
                }
                state.set(Remote::Loaded(answer));
            });
        });
    }
    state
}
