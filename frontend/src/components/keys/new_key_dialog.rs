//! The one and only showing of a new plaintext key (after create or roll).

use yew::prelude::*;

use crate::components::{alert, modal, AlertKind, SecretKey};

/// Properties of [`NewKeyDialog`].
#[derive(Properties, PartialEq)]
pub struct NewKeyDialogProps {
    /// Heading, e.g. "API key created".
    pub title: AttrValue,
    /// The key's name.
    pub name: AttrValue,
    /// The plaintext key.
    pub api_key: AttrValue,
    /// Called when the user confirms they stored the key.
    pub on_close: Callback<()>,
}

/// Shows a new key with a Copy button and a warning that it is shown only now.
pub fn new_key_dialog(props: &NewKeyDialogProps) -> Html {
    let onclick = props.on_close.reform(|_: MouseEvent| ());
    html! {
            { modal(props.title.clone().into(), "new-key-dialog", None, html! { <>
                <p>{ "Key " }<strong>{ props.name.clone() }</strong>{ ":" }</p>
                <SecretKey value={props.api_key.clone()} testid="new-key-value" />
                { alert(AlertKind::Warning, Some("new-key-warning"), html! { <> <strong>{ "Store this key now." }</strong>
                    { " It will not be shown again here. Copy it into your trading tool or password manager before closing this window." } </> }) }
                <div class="dialog-actions">
                    <button type="button" class="btn btn-primary" data-testid="new-key-close" {onclick}>
                        { "I have stored the key" }
                    </button>
                </div>

    </> }) }
        }
}
