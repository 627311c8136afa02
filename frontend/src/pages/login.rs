//! Sign-in.

use keygate_types::account::Credentials;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, field_errors, ApiError};
use crate::components::{alert, error_alert, AlertKind, Field};
use crate::hooks::{use_session, SessionAction};

/// Username and password; on success the router moves on to the keys page.
#[function_component(LoginPage)]
pub fn login_page() -> Html {
    let session = use_session();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (username, password) = (username.clone(), password.clone());
        let (error, busy, session) = (error.clone(), busy.clone(), session.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let credentials = Credentials {
                username: username.trim().to_owned(),
                password: (*password).clone(),
            };
            let (error, busy, session) = (error.clone(), busy.clone(), session.clone());
            let password = password.clone();
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                match api::auth::login(&credentials).await {
                    Ok(info) => session.dispatch(SessionAction::SignedIn(info)),
                    Err(e) => {
                        busy.set(false);
                        password.set(String::new());
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    // A server message ("Too many attempts…") replaces the sign-out notice.
    let notice = session.notice.clone().filter(|_| error.is_none());

    html! {
        <div class="auth-page">
            <form class="card auth-card" data-testid="login-form" {onsubmit} novalidate=true>
                <div class="brand">{ "keygate" }</div>
                <h1>{ "Sign in" }</h1>
                if let Some(notice) = notice {
                    { alert(AlertKind::Info, Some("login-notice"), html! { <> { notice } </> }) }
                }
                { error_alert((*error).clone(), "login-error") }
                { Field { id: "login-username".into(), label: "Username".into(),
                    value: (*username).clone().into(), oninput: set(&username),
                    autocomplete: Some("username".into()), required: true,
                    errors: field_errors(&error, "username"), ..Field::default() }.input() }
                { Field { id: "login-password".into(), label: "Password".into(),
                    input_type: Some("password".into()), value: (*password).clone().into(),
                    oninput: set(&password), autocomplete: Some("current-password".into()),
                    required: true, errors: field_errors(&error, "password"),
                    ..Field::default() }.input() }
                <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit"
                        disabled={*busy}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        </div>
    }
}
