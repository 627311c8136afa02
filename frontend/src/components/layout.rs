//! The frame around signed-in pages: navigation, the user's name and the sign-out button.

use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::app::Route;
use crate::components::error_alert;
use crate::hooks::{use_session, SessionAction};

/// Properties of [`Layout`].
#[derive(Properties, PartialEq)]
pub struct LayoutProps {
    /// The page.
    pub children: Html,
}

/// Sidebar navigation plus the page.
#[function_component(Layout)]
pub fn layout(props: &LayoutProps) -> Html {
    let session = use_session();
    let route = use_route::<Route>();
    let error = use_state(|| None);
    let busy = use_state(|| false);

    let logout = {
        let (session, error, busy) = (session.clone(), error.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(csrf) = session.csrf().map(str::to_owned) else {
                return;
            };
            let (session, error, busy) = (session.clone(), error.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match api::auth::logout(&csrf).await {
                    Err(e) if !e.is_unauthorized() => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                    _ => session.dispatch(SessionAction::SignedOut(Some(
                        "You have signed out.".to_owned(),
                    ))),
                }
            });
        })
    };

    let link = |to: Route, label: &'static str, testid: &'static str| {
        let current = route.as_ref() == Some(&to);
        html! {
            <li>
                <Link<Route> to={to} classes={classes!("nav-link", current.then_some("active"))}>
                    <span data-testid={testid}>{ label }</span>
                </Link<Route>>
            </li>
        }
    };
    let user = session.user().cloned();

    html! {
        <div class="shell">
            <aside class="sidebar">
                <div class="brand">{ "keygate" }</div>
                <nav aria-label="Main">
                    <ul class="nav">
                        { link(Route::Keys, "API Keys", "nav-keys") }
                        { link(Route::Brokers, "Brokers", "nav-brokers") }
                        { link(Route::Playground, "Playground", "nav-playground") }
                        { link(Route::ActionCenter, "Action Center", "nav-action-center") }
                        { link(Route::Traffic, "Traffic Logs", "nav-traffic") }
                        { link(Route::Account, "Account", "nav-account") }
                    </ul>
                </nav>
                <div class="sidebar-footer">
                    if let Some(user) = user {
                        <div class="whoami">
                            <span class="muted">{ "Signed in as" }</span>
                            <strong data-testid="current-user">{ user.username }</strong>
                            if user.is_admin { <span class="badge">{ "admin" }</span> }
                        </div>
                    }
                    <button type="button" class="btn btn-block" data-testid="logout"
                            disabled={*busy} onclick={logout}>
                        { "Sign out" }
                    </button>
                </div>
            </aside>
            <main class="content">
                { error_alert((*error).clone(), "error") }
                { props.children.clone() }
            </main>
        </div>
    }
}
