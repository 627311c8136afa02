//! Routes, and which page each one shows for the current session.

use std::collections::HashMap;

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{alert, AlertKind, Layout};
use crate::hooks::{use_session, Auth, SessionAction, SessionProvider};
use crate::pages::{
    account_page, not_found_page, ActionCenterPage, BrokersPage, KeysPage, LoginPage,
    PlaygroundPage, SetupPage, TrafficPage,
};

/// Every page of the app.
///
/// `Routable` is written out rather than derived: the derive recognises paths with
/// route-recognizer's NFA (~4 KB of gzipped WebAssembly), while these paths are fixed strings
/// with no parameters, so one table lookup does the same job (see the tests).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Route {
    /// Sends signed-in users to their keys.
    Home,
    /// First-run account creation.
    Setup,
    /// Sign-in.
    Login,
    /// The user's API keys (home page after sign-in).
    Keys,
    /// Orders of semi-auto keys waiting for approval, and past decisions (`?item=<id>` scrolls to
    /// and highlights one item, see `pages::action_center::item_href`).
    ActionCenter,
    /// The user's broker connections (exchange credentials), which keys are bound to.
    Brokers,
    /// The request log, its stats and (admins) the security panel.
    Traffic,
    /// Try the API and the WebSocket with a key (`?op=<operationId>` opens one operation).
    Playground,
    /// Password and, for admins, users.
    Account,
    /// Anything else.
    NotFound,
}

/// Each route with its path.
const ROUTES: [(Route, &str); 10] = [
    (Route::Home, "/"),
    (Route::Setup, "/setup"),
    (Route::Login, "/login"),
    (Route::Keys, "/keys"),
    (Route::ActionCenter, "/action-center"),
    (Route::Brokers, "/brokers"),
    (Route::Traffic, "/traffic"),
    (Route::Playground, "/playground"),
    (Route::Account, "/account"),
    (Route::NotFound, "/404"),
];

/// A path without its trailing slash (`/` becomes empty), as yew-router compares them.
fn trimmed(path: &str) -> &str {
    path.strip_suffix('/').unwrap_or(path)
}

impl Routable for Route {
    fn from_path(path: &str, params: &HashMap<&str, &str>) -> Option<Self> {
        let path = trimmed(path);
        ROUTES
            .iter()
            .find(|(_, p)| params.is_empty() && trimmed(p) == path)
            .map(|(route, _)| *route)
    }

    fn to_path(&self) -> String {
        ROUTES
            .iter()
            .find(|(route, _)| route == self)
            .map_or("/404", |(_, path)| path)
            .to_owned()
    }

    fn routes() -> Vec<&'static str> {
        ROUTES.iter().map(|(_, path)| *path).collect()
    }

    fn not_found_route() -> Option<Self> {
        Some(Route::NotFound)
    }

    fn recognize(pathname: &str) -> Option<Self> {
        Self::from_path(pathname, &HashMap::new()).or(Some(Route::NotFound))
    }
}

/// The whole app: session checks, then the router.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <Switch<Route> render={switch} />
            </SessionProvider>
        </BrowserRouter>
    }
}

fn switch(route: Route) -> Html {
    html! { <Guard {route} /> }
}

/// Properties of [`Guard`].
#[derive(Properties, PartialEq)]
struct GuardProps {
    route: Route,
}

/// Shows the page for `route`, or redirects where the session state requires.
#[function_component(Guard)]
fn guard(props: &GuardProps) -> Html {
    let session = use_session();
    let route = props.route;
    match (&session.auth, route) {
        (Auth::Checking, _) => html! {
            <div class="splash" aria-busy="true" data-testid="checking">{ "Loading keygate…" }</div>
        },
        (Auth::Unreachable(error), _) => {
            let retry = {
                let session = session.clone();
                Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Retry))
            };
            html! {
                <div class="splash">
                    { alert(AlertKind::Error, Some("boot-error"), html! { <> { error.message.clone() } </> }) }
                    <button type="button" class="btn btn-primary" onclick={retry}>{ "Try again" }</button>
                </div>
            }
        }
        (Auth::NeedsSetup, Route::Setup) => html! { <SetupPage /> },
        (Auth::NeedsSetup, _) => html! { <Redirect<Route> to={Route::Setup} /> },
        (Auth::SignedOut, Route::Login) => html! { <LoginPage /> },
        (Auth::SignedOut, Route::NotFound) => html! { { not_found_page() } },
        (Auth::SignedOut, _) => html! { <Redirect<Route> to={Route::Login} /> },
        (Auth::SignedIn(_), Route::Home | Route::Login | Route::Setup) => {
            html! { <Redirect<Route> to={Route::Keys} /> }
        }
        (Auth::SignedIn(_), Route::Keys) => html! { <Layout><KeysPage /></Layout> },
        (Auth::SignedIn(_), Route::ActionCenter) => {
            html! { <Layout><ActionCenterPage /></Layout> }
        }
        (Auth::SignedIn(_), Route::Brokers) => html! { <Layout><BrokersPage /></Layout> },
        (Auth::SignedIn(_), Route::Traffic) => html! { <Layout><TrafficPage /></Layout> },
        (Auth::SignedIn(_), Route::Playground) => {
            html! { <Layout><PlaygroundPage /></Layout> }
        }
        (Auth::SignedIn(info), Route::Account) => {
            html! { <Layout>{ account_page(&info.user) }</Layout> }
        }
        (Auth::SignedIn(_), Route::NotFound) => html! { <Layout>{ not_found_page() }</Layout> },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_recognised_with_or_without_a_trailing_slash() {
        for (route, path) in ROUTES {
            assert_eq!(Route::recognize(path), Some(route), "{path}");
            if path != "/" {
                assert_eq!(
                    Route::recognize(&format!("{path}/")),
                    Some(route),
                    "{path}/"
                );
            }
            assert_eq!(route.to_path(), path);
        }
        assert_eq!(Route::recognize(""), Some(Route::Home));
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in ["/nope", "/keys/1", "/Keys", "/brokerss", "keys"] {
            assert_eq!(Route::recognize(path), Some(Route::NotFound), "{path}");
        }
    }
}
