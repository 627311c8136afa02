//! Any unknown address.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

/// "Page not found", with a way back.
pub fn not_found_page() -> Html {
    html! {
        <section class="page narrow" data-testid="not-found">
            <h1>{ "Page not found" }</h1>
            <p class="muted">{ "There is nothing at this address." }</p>
            <Link<Route> to={Route::Keys} classes="btn btn-primary">{ "Go to API keys" }</Link<Route>>
        </section>
    }
}
