//! The user's broker connections: list, add, re-check, relabel and delete.
//!
//! The exchange secret only ever lives in the add form's password field: it is cleared the moment
//! the form is sent (the request holds the only copy), and the server never shows it again.

use keygate_types::brokers::{
    BrokerConnection, BrokerKind, ConnectionStatus, CreateBrokerConnection, RelabelBrokerConnection,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api::{self, field_errors};
use crate::components::{error_alert, Field};
use crate::format::{broker_kind_label, local_time_or};
use crate::hooks::{use_mutation, use_remote};

/// Binance's spot testnet, offered beside production (the default) and a URL of the user's own.
const TESTNET_URL: &str = "https://testnet.binance.vision";

/// The connections table, its row actions, and the add form.
#[function_component(BrokersPage)]
pub fn brokers_page() -> Html {
    let version = use_state(|| 0u32);
    let connections = use_remote(*version, api::brokers::list);
    let action = use_mutation();
    // The row being relabelled and the label typed so far.
    let editing = use_state(|| None::<(i64, String)>);
    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };

    let check = {
        let (action, reload) = (action.clone(), reload.clone());
        Callback::from(move |id: i64| {
            let reload = reload.clone();
            action.run(
                move |csrf| async move { api::brokers::check(&csrf, id).await },
                move |_| reload.emit(()),
            );
        })
    };
    let remove = {
        let (action, reload) = (action.clone(), reload.clone());
        Callback::from(move |id: i64| {
            let reload = reload.clone();
            action.run(
                move |csrf| async move { api::brokers::remove(&csrf, id).await },
                move |()| reload.emit(()),
            );
        })
    };
    let save_label = {
        let (action, reload, editing) = (action.clone(), reload.clone(), editing.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some((id, label)) = (*editing).clone() else {
                return;
            };
            let (reload, editing) = (reload.clone(), editing.clone());
            let body = RelabelBrokerConnection {
                label: label.trim().to_owned(),
            };
            action.run(
                move |csrf| async move { api::brokers::relabel(&csrf, id, &body).await },
                move |_| {
                    editing.set(None);
                    reload.emit(());
                },
            );
        })
    };

    let busy = action.busy();
    let row = |c: &BrokerConnection| {
        let id = c.id;
        let label = match &*editing {
            Some((editing_id, text)) if *editing_id == id => {
                let oninput = {
                    let editing = editing.clone();
                    Callback::from(move |text: String| editing.set(Some((id, text))))
                };
                let cancel = {
                    let editing = editing.clone();
                    Callback::from(move |_: MouseEvent| editing.set(None))
                };
                html! {
                    <form class="inline" onsubmit={save_label.clone()} data-testid="relabel-form">
                        { Field { id: "broker-relabel".into(), label: "New label".into(),
                            value: text.clone().into(), oninput, required: true,
                            errors: field_errors(&action.error(), "label"), ..Field::default() }.input() }
                        <button type="submit" class="btn btn-small btn-primary" disabled={busy}>{ "Save" }</button>
                        <button type="button" class="btn btn-small" onclick={cancel}>{ "Cancel" }</button>
                    </form>
                }
            }
            _ => html! { <strong data-testid="broker-label">{ &c.label }</strong> },
        };
        let on = |callback: &Callback<i64>| callback.reform(move |_: MouseEvent| id);
        let start_relabel = {
            let (editing, text) = (editing.clone(), c.label.clone());
            Callback::from(move |_: MouseEvent| editing.set(Some((id, text.clone()))))
        };
        html! {
            <tr data-testid="broker-row">
                <td>{ label }<div class="muted">{ broker_kind_label(c.kind) }</div></td>
                <td class="mono">{ c.base_url.clone().unwrap_or_default() }</td>
                <td class="mono" data-testid="broker-masked-key">{ c.api_key_masked.clone().unwrap_or_default() }</td>
                <td data-testid="broker-status">{ status(c) }</td>
                <td>{ local_time_or(c.checked_at.as_ref(), "never") }</td>
                <td>{ permissions(c) }</td>
                <td>
                    <div class="actions">
                        if c.kind != BrokerKind::Paper {
                            <button type="button" class="btn btn-small" data-testid="broker-check"
                                    disabled={busy} onclick={on(&check)}>{ "Re-check" }</button>
                        }
                        <button type="button" class="btn btn-small" data-testid="broker-relabel"
                                disabled={busy} onclick={start_relabel}>{ "Relabel" }</button>
                        <button type="button" class="btn btn-small btn-danger" data-testid="broker-delete"
                                disabled={busy} onclick={on(&remove)}>{ "Delete" }</button>
                    </div>
                </td>
            </tr>
        }
    };

    html! {
        <section class="page" data-testid="brokers-page">
            <header class="page-header">
                <h1>{ "Brokers" }</h1>
                <p class="muted">{ "Exchange accounts your API keys can trade on. Keys not bound to one trade on your paper account." }</p>
            </header>
            <div class="card">
                    <h2>{ "Connections" }</h2>
                    { error_alert(action.error(), "broker-action-error") }
                    { connections.view(|list| if list.is_empty() {
                        html! { <p class="muted" data-testid="brokers-empty">{ "No connections yet." }</p> }
                    } else {
                        html! {
                            <div class="table-wrap">
                                <table class="table table-compact" data-testid="brokers-table">
                                    <thead><tr>
                                        <th>{ "Label" }</th><th>{ "Base URL" }</th><th>{ "API key" }</th>
                                        <th>{ "Status" }</th><th>{ "Checked" }</th><th>{ "Permissions" }</th><th></th>
                                    </tr></thead>
                                    <tbody>{ for list.iter().map(row) }</tbody>
                                </table>
                            </div>
                        }
                    }) }
            </div>
            <AddBrokerForm on_added={reload} />
        </section>
    }
}

fn status(c: &BrokerConnection) -> Html {
    match c.status {
        ConnectionStatus::Valid => html! { <span class="badge">{ "valid" }</span> },
        ConnectionStatus::Unchecked => {
            html! { <span class="badge badge-muted">{ "unchecked" }</span> }
        }
        ConnectionStatus::Invalid => html! {
            <>
                <span class="badge badge-warn">{ "invalid" }</span>
                <div class="muted" data-testid="broker-reason">{ c.reason.clone().unwrap_or_default() }</div>
            </>
        },
    }
}

fn permissions(c: &BrokerConnection) -> String {
    let p = c.permissions;
    let named = [
        (p.spot, "spot"),
        (p.margin, "margin"),
        (p.futures, "futures"),
    ];
    let list: Vec<&str> = named
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
    if list.is_empty() {
        "—".to_owned()
    } else {
        list.join(", ")
    }
}

/// Properties of [`AddBrokerForm`].
#[derive(Properties, PartialEq)]
struct AddBrokerFormProps {
    /// Called once a connection is stored.
    on_added: Callback<()>,
}

/// Adds a connection: the server checks the credentials with the exchange first.
#[function_component(AddBrokerForm)]
fn add_broker_form(props: &AddBrokerFormProps) -> Html {
    let mutation = use_mutation();
    let paper = use_state(|| false);
    // `production`, `testnet` or `custom` (then `base_url` holds the URL).
    let endpoint = use_state(|| "production".to_owned());
    let label = use_state(String::new);
    let base_url = use_state(String::new);
    let api_key = use_state(String::new);
    let api_secret = use_state(String::new);

    let onsubmit = {
        let (mutation, on_added) = (mutation.clone(), props.on_added.clone());
        let (paper, endpoint, label, base_url) = (
            paper.clone(),
            endpoint.clone(),
            label.clone(),
            base_url.clone(),
        );
        let (api_key, api_secret) = (api_key.clone(), api_secret.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let credential = |state: &UseStateHandle<String>| (!*paper).then(|| (**state).clone());
            let body = CreateBrokerConnection {
                kind: if *paper {
                    BrokerKind::Paper
                } else {
                    BrokerKind::BinanceSpot
                },
                label: label.trim().to_owned(),
                base_url: match endpoint.as_str() {
                    _ if *paper => None,
                    "testnet" => Some(TESTNET_URL.to_owned()),
                    "custom" => Some(base_url.trim().to_owned()),
                    _ => None,
                },
                api_key: credential(&api_key).map(|key| key.trim().to_owned()),
                api_secret: credential(&api_secret),
            };
            // The request now holds the only copy of the credentials.
            api_key.set(String::new());
            api_secret.set(String::new());
            let (on_added, label) = (on_added.clone(), label.clone());
            mutation.run(
                move |csrf| async move { api::brokers::create(&csrf, &body).await },
                move |_| {
                    label.set(String::new());
                    on_added.emit(());
                },
            );
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let select = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.set(e.target_unchecked_into::<HtmlSelectElement>().value());
        })
    };
    let on_kind = {
        let paper = paper.clone();
        Callback::from(move |e: Event| {
            paper.set(e.target_unchecked_into::<HtmlSelectElement>().value() == "paper");
        })
    };
    let error = mutation.error();

    html! {
        <form class="card narrow" data-testid="add-broker-form" {onsubmit} novalidate=true>
            <h2>{ "Add a connection" }</h2>
            { error_alert(error.clone(), "add-broker-error") }
            <div class="field">
                <label for="broker-kind">{ "Broker" }</label>
                <select id="broker-kind" onchange={on_kind}>
                    <option value="binance_spot" selected={!*paper}>{ "Binance spot" }</option>
                    <option value="paper" selected={*paper}>{ "Paper (simulated)" }</option>
                </select>
            </div>
            { Field { id: "broker-label".into(), label: "Label".into(), value: (*label).clone().into(),
                oninput: set(&label), autocomplete: Some("off".into()), required: true,
                errors: field_errors(&error, "label"), ..Field::default() }.input() }
            if !*paper {
                <div class="field">
                    <label for="broker-endpoint">{ "Exchange" }</label>
                    <select id="broker-endpoint" onchange={select(&endpoint)}>
                        <option value="production" selected={*endpoint == "production"}>{ "Production (api.binance.com)" }</option>
                        <option value="testnet" selected={*endpoint == "testnet"}>{ "Testnet (testnet.binance.vision)" }</option>
                        <option value="custom" selected={*endpoint == "custom"}>{ "Another URL" }</option>
                    </select>
                </div>
                if *endpoint == "custom" {
                    { Field { id: "broker-base-url".into(), label: "Base URL".into(),
                        value: (*base_url).clone().into(), oninput: set(&base_url), required: true,
                        errors: field_errors(&error, "base_url"), ..Field::default() }.input() }
                }
                { Field { id: "broker-api-key".into(), label: "API key".into(),
                    input_type: Some("password".into()), value: (*api_key).clone().into(),
                    oninput: set(&api_key), autocomplete: Some("off".into()), required: true,
                    errors: field_errors(&error, "api_key"), ..Field::default() }.input() }
                { Field { id: "broker-api-secret".into(), label: "API secret".into(),
                    input_type: Some("password".into()), value: (*api_secret).clone().into(),
                    oninput: set(&api_secret), autocomplete: Some("off".into()), required: true,
                    hint: Some("Checked with the exchange before it is stored, encrypted, and never shown again. Keys that can withdraw are refused.".into()),
                    errors: field_errors(&error, "api_secret"), ..Field::default() }.input() }
            }
            <button type="submit" class="btn btn-primary" data-testid="add-broker-submit"
                    disabled={mutation.busy()}>
                { if mutation.busy() { "Checking with the exchange…" } else { "Add connection" } }
            </button>
        </form>
    }
}
