//! Coloured message boxes.

use yew::prelude::*;

use crate::api::ApiError;

/// How an alert looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// Something failed.
    Error,
    /// Something worked.
    Success,
    /// Neutral information.
    Info,
    /// Needs attention.
    Warning,
}

impl AlertKind {
    fn class(self) -> &'static str {
        match self {
            AlertKind::Error => "alert alert-error",
            AlertKind::Success => "alert alert-success",
            AlertKind::Info => "alert alert-info",
            AlertKind::Warning => "alert alert-warning",
        }
    }
}

/// A message box of `kind` around `children`; `testid` is its `data-testid` for browser tests.
/// A plain function rather than a component: it has no state, and each component costs ~1 KB
/// of WebAssembly.
pub fn alert(kind: AlertKind, testid: Option<&'static str>, children: Html) -> Html {
    let role = if kind == AlertKind::Error {
        "alert"
    } else {
        "status"
    };
    html! {
        <div class={kind.class()} {role} data-testid={testid}>
            { children }
        </div>
    }
}

/// Shows an [`ApiError`]'s message (field problems are shown next to their fields); nothing
/// when `error` is `None`. `testid` is its `data-testid` for browser tests. A plain function
/// rather than a component: it has no state, and each component costs ~1 KB of WebAssembly.
pub fn error_alert(error: Option<ApiError>, testid: &'static str) -> Html {
    match error {
        None => html! {},
        Some(error) => html! {
            <div class={AlertKind::Error.class()} role="alert" data-testid={testid}>
                { error.message }
            </div>
        },
    }
}
