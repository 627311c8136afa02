//! Where a key goes in a request.

use yew::prelude::*;

/// A short note on sending the key: in the JSON body or the `X-API-KEY` header.
pub fn usage_help() -> Html {
    html! {
        <aside class="card help" data-testid="key-usage-help">
            <h2>{ "Using a key" }</h2>
            <p>{ "In a TradingView alert or any JSON body, put the key in the " }<code>{ "apikey" }</code>{ " field:" }</p>
            <pre><code>{ "{ \"apikey\": \"<your key>\", ... }" }</code></pre>
            <p>{ "Or send it in a header:" }</p>
            <pre><code>{ "X-API-KEY: <your key>" }</code></pre>
            <p class="muted">{ "Authorization: Bearer is not supported." }</p>
        </aside>
    }
}
