//! A Copy button for any text (the Clipboard API; localhost and HTTPS only), shared by the
//! Playground and Traffic Logs.

use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Properties of [`CopyButton`].
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// What is copied.
    pub text: AttrValue,
    /// The button's label.
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
    /// `data-testid`.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// Copies `text`; says "Copied", or how to copy by hand when the browser refuses. The click does
/// not reach the enclosing element (a table row opens its detail view on click).
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let result = use_state(|| None::<bool>);
    let onclick = {
        let (result, text) = (result.clone(), props.text.clone());
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let (result, text) = (result.clone(), text.clone());
            spawn_local(async move { result.set(Some(copy(&text).await)) });
        })
    };
    html! {
        <>
            <button type="button" class="btn btn-small" data-testid={props.testid.clone()} {onclick}>{ props.label.clone() }</button>
            { match *result {
                Some(true) => html! { <span class="copy-status ok" role="status">{ " Copied" }</span> },
                Some(false) => html! { <span class="copy-status bad" role="status">{ " Copy refused by the browser: select the text and press Ctrl+C" }</span> },
                None => html! {},
            } }
        </>
    }
}

async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    if !window.is_secure_context() {
        return false;
    }
    JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .is_ok()
}
