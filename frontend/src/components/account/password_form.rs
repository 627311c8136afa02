//! Changing one's own password.

use keygate_types::account::ChangePassword;
use yew::prelude::*;

use crate::api::{self, field_errors, ApiError};
use crate::components::{error_alert, Field};
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
            { Field { id: "password-current".into(), label: "Current password".into(),
                input_type: Some("password".into()), value: (*current).clone().into(),
                oninput: set(&current), autocomplete: Some("current-password".into()),
                required: true, errors: field_errors(&error, "current_password"),
                ..Field::default() }.input() }
            { Field { id: "password-new".into(), label: "New password".into(),
                input_type: Some("password".into()), value: (*new).clone().into(),
                oninput: set(&new), autocomplete: Some("new-password".into()), required: true,
                hint: Some("At least 12 characters. You will be signed out afterwards.".into()),
                errors: field_errors(&error, "new_password"), ..Field::default() }.input() }
            { Field { id: "password-confirm".into(), label: "Repeat new password".into(),
                input_type: Some("password".into()), value: (*confirm).clone().into(),
                oninput: set(&confirm), autocomplete: Some("new-password".into()),
                required: true, errors: field_errors(&error, "confirm"),
                ..Field::default() }.input() }
            <button type="submit" class="btn btn-primary" data-testid="password-submit"
                    disabled={mutation.busy()}>
                { "Change password" }
            </button>
        </form>
    }
}
