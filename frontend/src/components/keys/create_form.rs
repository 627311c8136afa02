//! The "New API key" form.

use std::rc::Rc;

use keygate_types::brokers::BrokerConnection;
use keygate_types::keys::ApiKeyCreated;
use yew::prelude::*;

use super::{key_fields, KeyFieldsProps, KeyFormData};
use crate::api;
use crate::components::error_alert;
use crate::hooks::use_mutation;

/// Properties of [`CreateKeyForm`].
#[derive(Properties, PartialEq)]
pub struct CreateKeyFormProps {
    /// Called with the new key (and its plaintext, to show once).
    pub on_created: Callback<ApiKeyCreated>,
    /// The user's broker connections, once loaded.
    pub connections: Option<Rc<Vec<BrokerConnection>>>,
}

/// Creates a key and clears itself on success.
#[function_component(CreateKeyForm)]
pub fn create_key_form(props: &CreateKeyFormProps) -> Html {
    let mutation = use_mutation();
    let data = use_state(KeyFormData::default);
    let onsubmit = {
        let (mutation, data, on_created) =
            (mutation.clone(), data.clone(), props.on_created.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = match data.to_create() {
                Ok(body) => body,
                Err(problem) => return mutation.fail(problem),
            };
            let (data, on_created) = (data.clone(), on_created.clone());
            mutation.run(
                move |csrf| async move { api::keys::create(&csrf, &body).await },
                move |created| {
                    data.set(KeyFormData::default());
                    on_created.emit(created);
                },
            );
        })
    };
    let on_change = {
        let data = data.clone();
        Callback::from(move |new: KeyFormData| data.set(new))
    };
    html! {
        <form class="card" data-testid="create-key-form" {onsubmit} novalidate=true>
            <h2>{ "New API key" }</h2>
            { error_alert(mutation.error(), "create-key-error") }
            { key_fields(&KeyFieldsProps { id_prefix: "key".into(), data: (*data).clone(), on_change,
                error: mutation.error(), show_mode: true,
                connections: props.connections.clone() }) }
            <button type="submit" class="btn btn-primary" data-testid="create-key-submit"
                    disabled={mutation.busy()}>
                { if mutation.busy() { "Creating…" } else { "Create key" } }
            </button>
        </form>
    }
}
