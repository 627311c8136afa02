//! A button that copies a text to the clipboard and says whether it worked.

use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Properties of [`CopyButton`].
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// What to copy.
    pub text: AttrValue,
    /// The button's label.
    pub label: AttrValue,
    /// `data-testid`.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// Copies with the async Clipboard API (a secure context: HTTPS or localhost).
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let result = use_state(|| None::<bool>);
    let onclick = {
        let (result, text) = (result.clone(), props.text.clone());
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let (result, text) = (result.clone(), text.clone());
            spawn_local(async move {
                let copied = match web_sys::window() {
                    Some(window) if window.is_secure_context() => {
                        let promise = window.navigator().clipboard().write_text(&text);
                        JsFuture::from(promise).await.is_ok()
                    }
                    _ => false,
                };
                result.set(Some(copied));
            });
        })
    };
    html! {
        <>
            <button type="button" class="btn btn-small" data-testid={props.testid.clone()} {onclick}>
                { props.label.clone() }
            </button>
            { match *result {
                Some(true) => html! { <span class="copy-status ok" role="status">{ " Copied" }</span> },
                Some(false) => html! { <span class="copy-status bad" role="status">{ " Copy failed: select the text and press Ctrl+C" }</span> },
                None => html! {},
            } }
        </>
    }
}
