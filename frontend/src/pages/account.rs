//! The signed-in user's account: password, and users for admins.

use yew::prelude::*;

use crate::components::account::{ChangePasswordForm, UserAdmin};
use crate::hooks::use_session;

/// Change password; admins also manage users here.
#[function_component(AccountPage)]
pub fn account_page() -> Html {
    let session = use_session();
    let user = session.user().cloned();
    html! {
        <section class="page" data-testid="account-page">
            <header class="page-header">
                <h1>{ "Account" }</h1>
                if let Some(user) = &user {
                    <p class="muted">{ format!("Signed in as {}.", user.username) }</p>
                }
            </header>
            <div class="grid-2">
                <ChangePasswordForm />
                if user.as_ref().is_some_and(|u| u.is_admin) {
                    <UserAdmin />
                }
            </div>
        </section>
    }
}
