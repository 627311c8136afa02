//! Shows an existing key in full, on request.

use keygate_types::keys::ApiKeySummary;
use yew::prelude::*;

use crate::api;
use crate::components::{error_alert, modal, SecretKey};
use crate::hooks::use_mutation;

/// Properties of [`RevealDialog`].
#[derive(Properties, PartialEq)]
pub struct RevealDialogProps {
    /// The key to reveal.
    pub target: ApiKeySummary,
    /// Called when the user hides the key again.
    pub on_close: Callback<()>,
}

/// Asks the server for the full key when opened (the server records each reveal in the audit
/// trail) and shows it until the user hides it.
#[function_component(RevealDialog)]
pub fn reveal_dialog(props: &RevealDialogProps) -> Html {
    let mutation = use_mutation();
    let revealed = use_state(|| None::<String>);
    {
        let (mutation, revealed, id) = (mutation.clone(), revealed.clone(), props.target.id);
        use_effect_with(id, move |_| {
            mutation.run(
                move |csrf| async move { api::keys::reveal(&csrf, id).await },
                move |answer| revealed.set(Some(answer.api_key)),
            );
        });
    }
    let onclick = props.on_close.reform(|_: MouseEvent| ());
    html! {
            { modal(format!("Key \"{}\"", props.target.name).into(), "reveal-dialog", None, html! { <>
                { error_alert(mutation.error(), "error") }
                if let Some(key) = (*revealed).clone() {
                    <SecretKey value={key} testid="revealed-key-value" />
                    <p class="hint">{ "Anyone with this key can use it within its scopes. Hide it when you are done." }</p>
                } else if mutation.busy() {
                    <p class="muted" aria-busy="true">{ "Loading…" }</p>
                }
                <div class="dialog-actions">
                    <button type="button" class="btn" data-testid="reveal-hide" {onclick}>{ "Hide" }</button>
                </div>

    </> }) }
        }
}
