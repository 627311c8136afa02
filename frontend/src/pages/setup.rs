//! First run: create the admin account.

use keygate_types::account::Credentials;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, field_errors, ApiError};
use crate::components::{error_alert, Field};
use crate::hooks::{use_session, SessionAction};

/// Shown while no account exists: creates the first (admin) account and signs it in.
#[function_component(SetupPage)]
pub fn setup_page() -> Html {
    let session = use_session();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let confirm = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (username, password, confirm) = (username.clone(), password.clone(), confirm.clone());
        let (error, busy, session) = (error.clone(), busy.clone(), session.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *password != *confirm {
                error.set(Some(ApiError::invalid(
                    "confirm",
                    "The passwords do not match.",
                )));
                return;
            }
            let credentials = Credentials {
                username: username.trim().to_owned(),
                password: (*password).clone(),
            };
            let (error, busy, session) = (error.clone(), busy.clone(), session.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                match api::auth::setup(&credentials).await {
                    Ok(info) => session.dispatch(SessionAction::SignedIn(info)),
                    Err(e) => {
                        busy.set(false);
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

    html! {
        <div class="auth-page">
            <form class="card auth-card" data-testid="setup-form" {onsubmit} novalidate=true>
                <div class="brand">{ "keygate" }</div>
                <h1>{ "Welcome" }</h1>
                <p class="muted">
                    { "Create the administrator account. You will use it to manage API keys and other users." }
                </p>
                { error_alert((*error).clone(), "setup-error") }
                { Field { id: "setup-username".into(), label: "Username".into(),
                    value: (*username).clone().into(), oninput: set(&username),
                    autocomplete: Some("username".into()), required: true,
                    hint: Some("3 to 32 characters: letters, digits, '.', '_' and '-'.".into()),
                    errors: field_errors(&error, "username"), ..Field::default() }.input() }
                { Field { id: "setup-password".into(), label: "Password".into(),
                    input_type: Some("password".into()), value: (*password).clone().into(),
                    oninput: set(&password), autocomplete: Some("new-password".into()),
                    required: true, hint: Some("At least 12 characters.".into()),
                    errors: field_errors(&error, "password"), ..Field::default() }.input() }
                { Field { id: "setup-confirm".into(), label: "Repeat password".into(),
                    input_type: Some("password".into()), value: (*confirm).clone().into(),
                    oninput: set(&confirm), autocomplete: Some("new-password".into()),
                    required: true, errors: field_errors(&error, "confirm"),
                    ..Field::default() }.input() }
                <button type="submit" class="btn btn-primary btn-block" data-testid="setup-submit"
                        disabled={*busy}>
                    { if *busy { "Creating…" } else { "Create account" } }
                </button>
            </form>
        </div>
    }
}
