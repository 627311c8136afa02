//! Changes a key's name, scopes, broker, allowlist and expiry.

use std::rc::Rc;

use keygate_types::brokers::BrokerConnection;
use keygate_types::keys::{ApiKeySummary, UpdateApiKey};
use yew::prelude::*;

use super::{key_fields, KeyFieldsProps, KeyFormData};
use crate::api;
use crate::components::{error_alert, modal};
use crate::hooks::use_mutation;

/// Properties of [`EditDialog`].
#[derive(Properties, PartialEq)]
pub struct EditDialogProps {
    /// The key to change.
    pub target: ApiKeySummary,
    /// Called after the change is saved (or when nothing changed).
    pub on_done: Callback<()>,
    /// Called when the user changes their mind.
    pub on_cancel: Callback<()>,
    /// The user's broker connections, once loaded.
    pub connections: Option<Rc<Vec<BrokerConnection>>>,
}

/// The key form in a dialog; only changed fields are sent.
#[function_component(EditDialog)]
pub fn edit_dialog(props: &EditDialogProps) -> Html {
    let mutation = use_mutation();
    let data = use_state(|| KeyFormData::from_key(&props.target));
    let onsubmit = {
        let (mutation, data, key, on_done) = (
            mutation.clone(),
            data.clone(),
            props.target.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = match data.to_update(&key) {
                Ok(body) => body,
                Err(problem) => return mutation.fail(problem),
            };
            if body == UpdateApiKey::default() {
                return on_done.emit(());
            }
            let (id, on_done) = (key.id, on_done.clone());
            mutation.run(
                move |csrf| async move { api::keys::update(&csrf, id, &body).await },
                move |()| on_done.emit(()),
            );
        })
    };
    let on_change = {
        let data = data.clone();
        Callback::from(move |new: KeyFormData| data.set(new))
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
            { modal(format!("Edit key \"{}\"", props.target.name).into(), "edit-dialog", None, html! { <>
                <form {onsubmit} novalidate=true>
                    { error_alert(mutation.error(), "error") }
                    { key_fields(&KeyFieldsProps { id_prefix: "edit".into(), data: (*data).clone(),
                        on_change, error: mutation.error(), show_mode: false,
                        connections: props.connections.clone() }) }
                    <div class="dialog-actions">
                        <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                        <button type="submit" class="btn btn-primary" data-testid="edit-save"
                                disabled={mutation.busy()}>
                            { "Save" }
                        </button>
                    </div>
                </form>

    </> }) }
        }
}
