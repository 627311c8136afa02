//! The list of the user's keys with per-key actions.

use chrono::{DateTime, Utc};
use keygate_types::keys::{
    ApiKeySummary, GraceInfo, KeyHourlyUsage, KeyState, KeysUsage, OrderMode,
};
use yew::prelude::*;

use super::usage::{idle_text, usage_cell};
use crate::format::{
    key_broker_label, local_time, local_time_or, mode_label, scope_label, state_label,
};

/// What the user asked to do with a key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyAction {
    /// Show the full key.
    Reveal(ApiKeySummary),
    /// Issue a new secret.
    Roll(ApiKeySummary),
    /// Change name, scopes, allowlist or expiry.
    Edit(ApiKeySummary),
    /// Switch between auto and semi-auto.
    SetMode(ApiKeySummary, OrderMode),
    /// Stop the key for good.
    Revoke(ApiKeySummary),
}

/// Properties of [`KeyTable`].
#[derive(Properties, PartialEq)]
pub struct KeyTableProps {
    /// The keys, as listed by the server.
    pub keys: Vec<ApiKeySummary>,
    /// Their last 24 hours, once loaded.
    pub usage: Option<KeysUsage>,
    /// Called when a row's button is used.
    pub on_action: Callback<KeyAction>,
}

/// A table of keys with their last 24 hours and idle time; each row has Reveal, Roll, Edit and
/// Revoke buttons and a mode switch.
pub fn key_table(props: &KeyTableProps) -> Html {
    if props.keys.is_empty() {
        return html! {
            <p class="empty" data-testid="keys-empty">
                { "No API keys yet. Create one with the form below." }
            </p>
        };
    }
    let now = Utc::now();
    html! {
        <div class="table-wrap">
            <table class="table" data-testid="keys-table">
                <thead>
                    <tr>
                        <th>{ "Name" }</th><th>{ "Key" }</th><th>{ "Scopes" }</th>
                        <th>{ "Order mode" }</th><th>{ "State" }</th><th>{ "Created / expires" }</th>
                        <th>{ "Last 24 h" }</th><th>{ "Last used" }</th><th>{ "Actions" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for props.keys.iter().map(|key| {
                        let usage = props.usage.as_ref().and_then(|u| u.keys.iter().find(|k| k.key_id == key.id));
                        row(key, usage, &now, &props.on_action)
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn row(
    key: &ApiKeySummary,
    usage: Option<&KeyHourlyUsage>,
    now: &DateTime<Utc>,
    on_action: &Callback<KeyAction>,
) -> Html {
    let revoked = key.state == KeyState::Revoked;
    let (state, state_class) = state_label(key.state);
    let button = |label: &'static str,
                  testid: &'static str,
                  make: fn(ApiKeySummary) -> KeyAction| {
        let key = key.clone();
        let onclick = on_action.reform(move |_: MouseEvent| make(key.clone()));
        let class = if testid == "key-revoke" {
            "btn btn-small btn-danger"
        } else {
            "btn btn-small"
        };
        html! { <button type="button" {class} data-testid={testid} {onclick}>{ label }</button> }
    };
    let other_mode = match key.order_mode {
        OrderMode::Auto => OrderMode::SemiAuto,
        OrderMode::SemiAuto => OrderMode::Auto,
    };
    let on_mode = {
        let key = key.clone();
        on_action.reform(move |_: MouseEvent| KeyAction::SetMode(key.clone(), other_mode))
    };
    let idle = idle_text(key.last_used_at.as_ref(), now);
    let last_used = match (&key.last_used_at, &key.last_used_ip) {
        (None, _) => html! { <span class="muted" data-testid="key-idle">{ idle }</span> },
        (Some(at), ip) => html! {
            <>
                { local_time(at) }
                if let Some(ip) = ip { <br /><small class="muted">{ format!("from {ip}") }</small> }
                <br /><small class="muted" data-testid="key-idle">{ idle }</small>
            </>
        },
    };
    html! {
        <>
            <tr data-testid="key-row" data-key-id={key.id.to_string()} data-key-name={key.name.clone()}
                class={classes!(revoked.then_some("row-revoked"))}>
                <td>
                    <strong data-testid="key-name">{ &key.name }</strong>
                    <div><small class="muted" data-testid="key-broker">
                        { key_broker_label(key.broker_connection.as_ref()) }
                    </small></div>
                </td>
                <td><code class="masked" data-testid="key-masked">{ &key.masked_key }</code></td>
                <td>
                    { for key.scopes.iter().map(|s| html! { <span class="tag">{ scope_label(*s) }</span> }) }
                    if !key.ip_allowlist.is_empty() {
                        <div><small class="muted" title={key.ip_allowlist.join(", ")}>
                            { format!("IPs: {}", key.ip_allowlist.join(", ")) }
                        </small></div>
                    }
                </td>
                <td>
                    <span class="tag" data-testid="key-mode">{ mode_label(key.order_mode) }</span>
                    if !revoked {
                        <button type="button" class="btn btn-link" data-testid="key-mode-toggle"
                                onclick={on_mode}>
                            { format!("Switch to {}", mode_label(other_mode).to_ascii_lowercase()) }
                        </button>
                    }
                </td>
                <td><span class={classes!("status", state_class)} data-testid="key-state">{ state }</span></td>
                <td class="nowrap">
                    { local_time(&key.created_at) }<br />
                    <small class="muted" data-testid="key-expires">
                        { format!("expires: {}", local_time_or(key.expires_at.as_ref(), "never")) }
                    </small>
                </td>
                <td>{ usage_cell(usage) }</td>
                <td>{ last_used }</td>
                <td>
                    if !revoked {
                        <div class="actions">
                            { button("Reveal", "key-reveal", KeyAction::Reveal) }
                            { button("Roll", "key-roll", KeyAction::Roll) }
                            { button("Edit", "key-edit", KeyAction::Edit) }
                            { button("Revoke", "key-revoke", KeyAction::Revoke) }
                        </div>
                    }
                </td>
            </tr>
            if let Some(grace) = &key.grace {
                { grace_row(grace) }
            }
        </>
    }
}

fn grace_row(grace: &GraceInfo) -> Html {
    let used_from = if grace.old_used_from.is_empty() {
        "Nobody has used the old key since the roll.".to_owned()
    } else {
        format!("Still used from: {}", grace.old_used_from.join(", "))
    };
    html! {
        <tr class="grace-row" data-testid="key-grace">
            <td colspan="9">
                <span class="status warn">{ "Old key" }</span>
                <code class="masked">{ &grace.old_masked_key }</code>
                { format!(" keeps working until {}. ", local_time(&grace.grace_until)) }
                { format!("Last used: {}. ", local_time_or(grace.old_last_used_at.as_ref(), "never")) }
                <strong>{ used_from }</strong>
            </td>
        </tr>
    }
}
