//! User management for admins: list and create.

use keygate_types::account::CreateUser;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::{self, field_errors};
use crate::components::{alert, error_alert, AlertKind, Field};
use crate::format::local_time;
use crate::hooks::{use_mutation, use_remote};

/// All users, and a form to add one.
#[function_component(UserAdmin)]
pub fn user_admin() -> Html {
    let version = use_state(|| 0u32);
    let users = use_remote(*version, api::users::list);
    let mutation = use_mutation();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let is_admin = use_state(|| false);
    let created = use_state(|| None::<String>);

    let onsubmit = {
        let (mutation, version, created) = (mutation.clone(), version.clone(), created.clone());
        let (username, password, is_admin) = (username.clone(), password.clone(), is_admin.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = CreateUser {
                username: username.trim().to_owned(),
                password: (*password).clone(),
                is_admin: *is_admin,
            };
            let (version, created) = (version.clone(), created.clone());
            let (username, password, is_admin) =
                (username.clone(), password.clone(), is_admin.clone());
            created.set(None);
            mutation.run(
                move |csrf| async move { api::users::create(&csrf, &body).await },
                move |user| {
                    created.set(Some(format!("User {} created.", user.username)));
                    username.set(String::new());
                    password.set(String::new());
                    is_admin.set(false);
                    version.set(*version + 1);
                },
            );
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let on_admin = {
        let is_admin = is_admin.clone();
        Callback::from(move |e: Event| {
            is_admin.set(e.target_unchecked_into::<HtmlInputElement>().checked());
        })
    };
    let error = mutation.error();

    html! {
        <div class="card" data-testid="users-admin">
            <h2>{ "Users" }</h2>
            { users.view(|users| html! {
                <div class="table-wrap">
                    <table class="table table-compact" data-testid="users-table">
                        <thead><tr><th>{ "Username" }</th><th>{ "Role" }</th><th>{ "Created" }</th></tr></thead>
                        <tbody>
                            { for users.iter().map(|user| html! {
                                <tr data-testid="user-row">
                                    <td>{ &user.username }</td>
                                    <td>{ if user.is_admin { "Admin" } else { "User" } }</td>
                                    <td>{ local_time(&user.created_at) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }) }
            <form class="subform" data-testid="create-user-form" {onsubmit} novalidate=true>
                <h3>{ "Add a user" }</h3>
                if let Some(message) = (*created).clone() {
                    { alert(AlertKind::Success, None, html! { <> { message } </> }) }
                }
                { error_alert(error.clone(), "create-user-error") }
                { Field { id: "user-username".into(), label: "Username".into(),
                    value: (*username).clone().into(), oninput: set(&username),
                    autocomplete: Some("off".into()), required: true,
                    errors: field_errors(&error, "username"), ..Field::default() }.input() }
                { Field { id: "user-password".into(), label: "Initial password".into(),
                    input_type: Some("password".into()), value: (*password).clone().into(),
                    oninput: set(&password), autocomplete: Some("new-password".into()),
                    required: true, hint: Some("At least 12 characters.".into()),
                    errors: field_errors(&error, "password"), ..Field::default() }.input() }
                <label class="check" for="user-admin">
                    <input type="checkbox" id="user-admin" checked={*is_admin} onchange={on_admin} />
                    <span>{ "Administrator (can add users)" }</span>
                </label>
                <button type="submit" class="btn btn-primary" data-testid="create-user-submit"
                        disabled={mutation.busy()}>
                    { "Add user" }
                </button>
            </form>
        </div>
    }
}
