//! The signed-in user's account: password, and users for admins.

use keygate_types::account::User;
use yew::prelude::*;

use crate::components::account::{ChangePasswordForm, UserAdmin};

/// Change password; admins also manage users here. A plain function of the signed-in `user`
/// (the router's guard already holds the session) rather than a component of its own.
pub fn account_page(user: &User) -> Html {
    html! {
        <section class="page" data-testid="account-page">
            <header class="page-header">
                <h1>{ "Account" }</h1>
                <p class="muted">{ format!("Signed in as {}.", user.username) }</p>
            </header>
            <div class="grid-2">
                <ChangePasswordForm />
                if user.is_admin {
                    <UserAdmin />
                }
            </div>
        </section>
    }
}
