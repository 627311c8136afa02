//! Confirms revoking a key.

use keygate_types::keys::ApiKeySummary;
use yew::prelude::*;

use crate::api;
use crate::components::{error_alert, modal};
use crate::hooks::use_mutation;

/// Properties of [`RevokeDialog`].
#[derive(Properties, PartialEq)]
pub struct RevokeDialogProps {
    /// The key to revoke.
    pub target: ApiKeySummary,
    /// Called after the key is revoked.
    pub on_done: Callback<()>,
    /// Called when the user changes their mind.
    pub on_cancel: Callback<()>,
}

/// "Revoke key?": the key stops working at once and for good.
#[function_component(RevokeDialog)]
pub fn revoke_dialog(props: &RevokeDialogProps) -> Html {
    let mutation = use_mutation();
    let confirm = {
        let (mutation, id, on_done) = (mutation.clone(), props.target.id, props.on_done.clone());
        Callback::from(move |_: MouseEvent| {
            let on_done = on_done.clone();
            mutation.run(
                move |csrf| async move { api::keys::revoke(&csrf, id).await },
                move |()| on_done.emit(()),
            );
        })
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
            { modal(format!("Revoke key \"{}\"?", props.target.name).into(), "revoke-dialog", None, html! { <>
                <p>
                    { "Requests with " }<code class="masked">{ &props.target.masked_key }</code>
                    { " (and any old secret still in its grace period) are refused from now on. This cannot be undone." }
                </p>
                { error_alert(mutation.error(), "error") }
                <div class="dialog-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="button" class="btn btn-danger" data-testid="revoke-confirm"
                            disabled={mutation.busy()} onclick={confirm}>
                        { "Revoke key" }
                    </button>
                </div>

    </> }) }
        }
}
