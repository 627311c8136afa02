//! First run: create the admin account.

use keygate_types::account::Credentials;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, field_errors, ApiError};
use crate::components::{error_alert, InputField};
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
                <InputField id="setup-username" label="Username" value={(*username).clone()}
                    oninput={set(&username)} autocomplete="username" required=true
                    hint="3 to 32 characters: letters, digits, '.', '_' and '-'."
                    errors={field_errors(&error, "username")} />
                <InputField id="setup-password" label="Password" input_type="password"
                    value={(*password).clone()} oninput={set(&password)}
                    autocomplete="new-password" required=true hint="At least 12 characters."
                    errors={field_errors(&error, "password")} />
                <InputField id="setup-confirm" label="Repeat password" input_type="password"
                    value={(*confirm).clone()} oninput={set(&confirm)}
                    autocomplete="new-password" required=true
                    errors={field_errors(&error, "confirm")} />
                <button type="submit" class="btn btn-primary btn-block" data-testid="setup-submit"
                        disabled={*busy}>
                    { if *busy { "Creating…" } else { "Create account" } }
                </button>
            </form>
        </div>
    }
}
