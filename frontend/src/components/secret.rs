//! A full API key with a Copy button.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlDocument, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

/// Properties of [`SecretKey`].
#[derive(Properties, PartialEq)]
pub struct SecretKeyProps {
    /// The plaintext key.
    pub value: AttrValue,
    /// `data-testid` of the read-only input holding the key.
    pub testid: AttrValue,
}

/// What the Copy button last did.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Not,
    Yes,
    Failed,
}

/// Shows a plaintext key in a read-only box with a Copy button.
///
/// The async Clipboard API needs a secure context (HTTPS or localhost); elsewhere the key is
/// selected and copied with `execCommand("copy")`, and if even that fails it stays selected
/// so the user can press Ctrl+C.
#[function_component(SecretKey)]
pub fn secret_key(props: &SecretKeyProps) -> Html {
    let input = use_node_ref();
    let copied = use_state(|| Copied::Not);
    let onclick = {
        let (input, copied, value) = (input.clone(), copied.clone(), props.value.clone());
        Callback::from(move |_: MouseEvent| {
            let (input, copied, value) = (input.clone(), copied.clone(), value.clone());
            spawn_local(async move {
                let ok = copy(&input, &value).await;
                copied.set(if ok { Copied::Yes } else { Copied::Failed });
            });
        })
    };
    let select = Callback::from(|e: FocusEvent| {
        e.target_unchecked_into::<HtmlInputElement>().select();
    });
    let status = match *copied {
        Copied::Not => html! {},
        Copied::Yes => html! { <span class="copy-status ok" role="status">{ "Copied" }</span> },
        Copied::Failed => html! {
            <span class="copy-status bad" role="status">{ "Press Ctrl+C to copy" }</span>
        },
    };
    html! {
        <div class="secret">
            <input ref={input} class="secret-value" type="text" readonly=true spellcheck="false"
                   aria-label="API key" value={props.value.clone()}
                   data-testid={props.testid.clone()} onfocus={select} />
            <button type="button" class="btn" data-testid="copy-key" {onclick}>{ "Copy" }</button>
            { status }
        </div>
    }
}

async fn copy(input: &NodeRef, value: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    if window.is_secure_context() {
        let promise = window.navigator().clipboard().write_text(value);
        if JsFuture::from(promise).await.is_ok() {
            return true;
        }
    }
    let Some(element) = input.cast::<HtmlInputElement>() else {
        return false;
    };
    element.select();
    window
        .document()
        .and_then(|doc| doc.dyn_into::<HtmlDocument>().ok())
        .and_then(|doc| doc.exec_command("copy").ok())
        .unwrap_or(false)
}
