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

/// Properties of [`Alert`].
#[derive(Properties, PartialEq)]
pub struct AlertProps {
    /// The look.
    pub kind: AlertKind,
    /// `data-testid` for browser tests.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// The message.
    pub children: Html,
}

/// A message box.
#[function_component(Alert)]
pub fn alert(props: &AlertProps) -> Html {
    let role = if props.kind == AlertKind::Error {
        "alert"
    } else {
        "status"
    };
    html! {
        <div class={props.kind.class()} role={role} data-testid={props.testid.clone()}>
            { props.children.clone() }
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
