//! The signed-in user's API keys: list with each key's last 24 hours, create, reveal, roll, edit,
//! revoke, usage snippets, audit trail.

use std::rc::Rc;

use keygate_types::keys::{ApiKeyCreated, ApiKeySummary, SetOrderMode};
use yew::prelude::*;

use crate::api;
use crate::components::keys::{
    event_table, key_table, new_key_dialog, usage_help, CreateKeyForm, EditDialog, EventTableProps,
    KeyAction, KeySnippets, KeyTableProps, NewKeyDialogProps, RevealDialog, RevokeDialog,
    RollDialog,
};
use crate::components::{alert, error_alert, AlertKind};
use crate::format::mode_label;
use crate::hooks::{use_mutation, use_remote, Remote};

/// The dialog open over the page, if any.
#[derive(Clone, PartialEq)]
enum Dialog {
    NewKey {
        title: &'static str,
        created: ApiKeyCreated,
    },
    Reveal(ApiKeySummary),
    Roll(ApiKeySummary),
    Edit(ApiKeySummary),
    Revoke(ApiKeySummary),
}

/// The home page after sign-in.
#[function_component(KeysPage)]
pub fn keys_page() -> Html {
    let version = use_state(|| 0u32);
    let keys = use_remote(*version, api::keys::list);
    let events = use_remote(*version, api::keys::events);
    let usage = use_remote(*version, api::keys::usage);
    let brokers = use_remote(*version, api::brokers::list);
    // Not loaded (yet): the forms offer no broker choice and leave bindings as they are.
    let connections = match &*brokers {
        Remote::Loaded(Ok(list)) => Some(Rc::new(list.clone())),
        _ => None,
    };
    let dialog = use_state(|| None::<Dialog>);
    let notice = use_state(|| None::<String>);
    let mode_change = use_mutation();

    // Closes the dialog, shows `message` and reloads keys and events.
    let changed = {
        let (version, dialog, notice) = (version.clone(), dialog.clone(), notice.clone());
        Callback::from(move |message: String| {
            dialog.set(None);
            notice.set(Some(message));
            version.set(*version + 1);
        })
    };
    let show_new_key = |title: &'static str| {
        let (version, dialog, notice) = (version.clone(), dialog.clone(), notice.clone());
        Callback::from(move |created: ApiKeyCreated| {
            notice.set(None);
            dialog.set(Some(Dialog::NewKey { title, created }));
            version.set(*version + 1);
        })
    };
    let on_action = {
        let (dialog, mode_change, changed, notice) = (
            dialog.clone(),
            mode_change.clone(),
            changed.clone(),
            notice.clone(),
        );
        Callback::from(move |action: KeyAction| match action {
            KeyAction::SetMode(key, order_mode) => {
                let changed = changed.clone();
                notice.set(None);
                mode_change.run(
                    move |csrf| async move {
                        api::keys::set_mode(&csrf, key.id, &SetOrderMode { order_mode }).await
                    },
                    move |()| {
                        changed.emit(format!("Order mode is now {}.", mode_label(order_mode)))
                    },
                );
            }
            KeyAction::Reveal(key) => dialog.set(Some(Dialog::Reveal(key))),
            KeyAction::Roll(key) => dialog.set(Some(Dialog::Roll(key))),
            KeyAction::Edit(key) => dialog.set(Some(Dialog::Edit(key))),
            KeyAction::Revoke(key) => dialog.set(Some(Dialog::Revoke(key))),
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(None))
    };
    let done = |message: &'static str| changed.reform(move |()| message.to_owned());

    let open_dialog = match (*dialog).clone() {
        None => html! {},
        Some(Dialog::NewKey { title, created }) => html! {
            { new_key_dialog(&NewKeyDialogProps { title: title.into(), name: created.key.name.into(), api_key: created.api_key.into(), on_close: close }) }
        },
        Some(Dialog::Reveal(key)) => html! { <RevealDialog target={key} on_close={close} /> },
        Some(Dialog::Roll(key)) => html! {
            <RollDialog target={key} on_done={show_new_key("Key rolled: new secret")} on_cancel={close} />
        },
        Some(Dialog::Edit(key)) => html! {
            <EditDialog target={key} on_done={done("Key saved.")} on_cancel={close}
                        connections={connections.clone()} />
        },
        Some(Dialog::Revoke(key)) => html! {
            <RevokeDialog target={key} on_done={done("Key revoked.")} on_cancel={close} />
        },
    };

    html! {
        <section class="page" data-testid="keys-page">
            <header class="page-header">
                <h1>{ "API keys" }</h1>
                <p class="muted">{ "Keys let your bots and alerts place orders through keygate. Each key has its own scopes, order mode and IP allowlist." }</p>
            </header>
            if let Some(message) = (*notice).clone() {
                { alert(AlertKind::Success, Some("keys-notice"), html! { <> { message } </> }) }
            }
            { error_alert(mode_change.error(), "error") }
            <div class="card">
                { keys.view(|keys| {
                    let usage = match &*usage {
                        Remote::Loaded(Ok(usage)) => Some(usage.clone()),
                        _ => None,
                    };
                    html! { { key_table(&KeyTableProps { keys: keys.clone(), usage, on_action }) } }
                }) }
                if let Remote::Loaded(Err(e)) = &*usage {
                    <p class="hint" data-testid="usage-error">{ format!("Usage figures unavailable: {}", e.message) }</p>
                }
            </div>
            if let Remote::Loaded(Ok(keys)) = &*keys {
                <KeySnippets keys={keys.clone()} />
            }
            <div class="grid-2">
                <CreateKeyForm on_created={show_new_key("API key created")} {connections} />
                { usage_help() }
            </div>
            <div class="card">
                <h2>{ "Audit trail" }</h2>
                { events.view(|events| html! { { event_table(&EventTableProps { events: events.clone() }) } }) }
            </div>
            { open_dialog }
        </section>
    }
}
