//! Routes, and which page each one shows for the current session.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{alert, AlertKind, Layout};
use crate::hooks::{use_session, Auth, SessionAction, SessionProvider};
use crate::pages::{
    account_page, not_found_page, ActionCenterPage, BrokersPage, KeysPage, LoginPage,
    PlaygroundPage, SetupPage, TrafficPage,
};

/// Every page of the app.
#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    /// Sends signed-in users to their keys.
    #[at("/")]
    Home,
    /// First-run account creation.
    #[at("/setup")]
    Setup,
    /// Sign-in.
    #[at("/login")]
    Login,
    /// The user's API keys (home page after sign-in).
    #[at("/keys")]
    Keys,
    /// Orders of semi-auto keys waiting for approval, and past decisions (`?item=<id>` scrolls to
    /// and highlights one item, see `pages::action_center::item_href`).
    #[at("/action-center")]
    ActionCenter,
    /// The user's broker connections (exchange credentials), which keys are bound to.
    #[at("/brokers")]
    Brokers,
    /// The request log, its stats and (admins) the security panel.
    #[at("/traffic")]
    Traffic,
    /// Try the API and the WebSocket with a key (`?op=<operationId>` opens one operation).
    #[at("/playground")]
    Playground,
    /// Password and, for admins, users.
    #[at("/account")]
    Account,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
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
    let route = props.route.clone();
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
