//! A modal dialog drawn over the page.

use yew::prelude::*;

/// A centred dialog over a dimmed page, headed `title`, with `data-testid` `testid`. It closes
/// only through its own buttons (and the × button when `on_close` is given), so a stray click
/// cannot lose a key that is shown once. A plain function rather than a component: it has no
/// state, and each component costs ~1 KB of WebAssembly.
pub fn modal(
    title: AttrValue,
    testid: &'static str,
    on_close: Option<Callback<()>>,
    children: Html,
) -> Html {
    let close = on_close.map(|on_close| {
        let onclick = on_close.reform(|_: MouseEvent| ());
        html! {
            <button type="button" class="dialog-close" aria-label="Close" {onclick}>{ "×" }</button>
        }
    });
    html! {
        <div class="overlay">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title"
                 data-testid={testid}>
                <header class="dialog-header">
                    <h2 id="dialog-title">{ title }</h2>
                    { close }
                </header>
                <div class="dialog-body">{ children }</div>
            </div>
        </div>
    }
}
