//! Changing one's own password.

use keygate_types::account::ChangePassword;
use yew::prelude::*;

use crate::api::{self, field_errors, ApiError};
use crate::components::{error_alert, InputField};
use crate::hooks::{use_mutation, use_session, SessionAction};

/// Current password, new password twice. Success ends the session (the server signs the user
/// out everywhere), so the user is sent to the sign-in page with a notice.
#[function_component(ChangePasswordForm)]
pub fn change_password_form() -> Html {
    let session = use_session();
    let mutation = use_mutation();
    let current = use_state(String::new);
    let new = use_state(String::new);
    let confirm = use_state(String::new);
    let onsubmit = {
        let (mutation, session) = (mutation.clone(), session.clone());
        let (current, new, confirm) = (current.clone(), new.clone(), confirm.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *new != *confirm {
                return mutation.fail(ApiError::invalid(
                    "confirm",
                    "The new passwords do not match.",
                ));
            }
            let body = ChangePassword {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            };
            let session = session.clone();
            mutation.run(
                move |csrf| async move { api::auth::change_password(&csrf, &body).await },
                move |()| {
                    session.dispatch(SessionAction::SignedOut(Some(
                        "Password changed. Sign in with your new password.".to_owned(),
                    )))
                },
            );
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let error = mutation.error();
    html! {
        <form class="card" data-testid="password-form" {onsubmit} novalidate=true>
            <h2>{ "Change password" }</h2>
            { error_alert(error.clone(), "password-error") }
            <InputField id="password-current" label="Current password" input_type="password"
                value={(*current).clone()} oninput={set(&current)} autocomplete="current-password"
                required=true errors={field_errors(&error, "current_password")} />
            <InputField id="password-new" label="New password" input_type="password"
                value={(*new).clone()} oninput={set(&new)} autocomplete="new-password"
                required=true hint="At least 12 characters. You will be signed out afterwards."
                errors={field_errors(&error, "new_password")} />
            <InputField id="password-confirm" label="Repeat new password" input_type="password"
                value={(*confirm).clone()} oninput={set(&confirm)} autocomplete="new-password"
                required=true errors={field_errors(&error, "confirm")} />
            <button type="submit" class="btn btn-primary" data-testid="password-submit"
                    disabled={mutation.busy()}>
                { "Change password" }
            </button>
        </form>
    }
}
