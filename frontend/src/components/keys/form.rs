//! The fields of a key: used by the create form and the edit dialog.
//!
//! A plain function rather than a component: it holds no state of its own (see `field.rs`).

use std::rc::Rc;

use keygate_types::brokers::{BrokerConnection, ConnectionStatus};
use keygate_types::keys::{OrderMode, Scope};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::KeyFormData;
use crate::api::{field_errors, ApiError};
use crate::components::{error_list, Field};
use crate::format::{broker_kind_label, mode_label, scope_label};

/// What [`key_fields`] shows.
pub struct KeyFieldsProps {
    /// Prefix of element ids (`key` gives `key-name`, `key-scope-read`, ...).
    pub id_prefix: AttrValue,
    /// Current values.
    pub data: KeyFormData,
    /// Called with the whole form after any change.
    pub on_change: Callback<KeyFormData>,
    /// The last failure, for field errors.
    pub error: Option<ApiError>,
    /// Whether to show the order-mode choice.
    pub show_mode: bool,
    /// The user's broker connections to choose from; `None` (not loaded) hides the choice, so
    /// the binding is left as it is.
    pub connections: Option<Rc<Vec<BrokerConnection>>>,
}

const SCOPES: [(Scope, &str); 3] = [
    (Scope::Read, "Account and market data."),
    (Scope::Trade, "Read, plus place, modify and cancel orders."),
    (
        Scope::ExitOnly,
        "Read, plus cancel orders and close positions; never opens a position.",
    ),
];

/// Name, scopes, (order mode,) broker, expiry and IP allowlist.
pub fn key_fields(props: &KeyFieldsProps) -> Html {
    let prefix = &props.id_prefix;
    let update = |change: fn(&mut KeyFormData, String)| {
        let (data, on_change) = (props.data.clone(), props.on_change.clone());
        Callback::from(move |value: String| {
            let mut data = data.clone();
            change(&mut data, value);
            on_change.emit(data);
        })
    };
    let scope_box = |(scope, hint): &(Scope, &'static str)| {
        let scope = *scope;
        let id = format!("{prefix}-scope-{}", scope.as_str());
        let onchange = {
            let (data, on_change) = (props.data.clone(), props.on_change.clone());
            Callback::from(move |e: Event| {
                let mut data = data.clone();
                data.set_scope(
                    scope,
                    e.target_unchecked_into::<HtmlInputElement>().checked(),
                );
                on_change.emit(data);
            })
        };
        html! {
            <label class="check" for={id.clone()}>
                <input type="checkbox" id={id} value={scope.as_str()}
                       checked={props.data.scopes.contains(&scope)} {onchange} />
                <span><strong>{ scope_label(scope) }</strong>
                    <small class="hint">{ *hint }</small></span>
            </label>
        }
    };
    let mode_select = props.show_mode.then(|| {
        let id = format!("{prefix}-mode");
        let onchange = {
            let (data, on_change) = (props.data.clone(), props.on_change.clone());
            Callback::from(move |e: Event| {
                let mut data = data.clone();
                data.order_mode =
                    parse_mode(&e.target_unchecked_into::<HtmlSelectElement>().value());
                on_change.emit(data);
            })
        };
        html! {
            <div class="field">
                <label for={id.clone()}>{ "Order mode" }</label>
                <select id={id} {onchange}>
                    { for [OrderMode::Auto, OrderMode::SemiAuto].into_iter().map(|mode| html! {
                        <option value={mode.as_str()} selected={props.data.order_mode == mode}>
                            { mode_label(mode) }
                        </option>
                    }) }
                </select>
                <small class="hint">
                    { "Semi-auto orders wait for your approval before they reach the broker." }
                </small>
                { error_list(&field_errors(&props.error, "order_mode")) }
            </div>
        }
    });

    let broker_select = props.connections.as_ref().map(|connections| {
        let id = format!("{prefix}-broker");
        let onchange = {
            let (data, on_change) = (props.data.clone(), props.on_change.clone());
            Callback::from(move |e: Event| {
                let mut data = data.clone();
                data.broker_connection_id = e
                    .target_unchecked_into::<HtmlSelectElement>()
                    .value()
                    .parse()
                    .ok();
                on_change.emit(data);
            })
        };
        let chosen = props.data.broker_connection_id;
        html! {
            <div class="field">
                <label for={id.clone()}>{ "Broker" }</label>
                <select id={id} {onchange}>
                    <option value="" selected={chosen.is_none()}>{ "Paper account" }</option>
                    { for connections.iter().map(|c| {
                        let invalid = c.status == ConnectionStatus::Invalid;
                        html! {
                            <option value={c.id.to_string()} selected={chosen == Some(c.id)}
                                    disabled={invalid}>
                                { format!("{} ({}){}", c.label, broker_kind_label(c.kind),
                                    if invalid { ", invalid" } else { "" }) }
                            </option>
                        }
                    }) }
                </select>
                <small class="hint">{ "Where the key's orders go. Add exchange accounts on the Brokers page." }</small>
                { error_list(&field_errors(&props.error, "broker_connection_id")) }
            </div>
        }
    });

    html! {
        <>
            { Field { id: format!("{prefix}-name").into(), label: "Name".into(),
                value: props.data.name.clone().into(), oninput: update(|d, v| d.name = v),
                required: true,
                hint: Some("For you to recognise the key, e.g. \"TradingView strategy A\".".into()),
                errors: field_errors(&props.error, "name"), ..Field::default() }.input() }
            <fieldset class="field">
                <legend>{ "Scopes" }</legend>
                <div class="checks">{ for SCOPES.iter().map(scope_box) }</div>
                { error_list(&field_errors(&props.error, "scopes")) }
            </fieldset>
            { mode_select }
            { broker_select }
            { Field { id: format!("{prefix}-expires").into(), label: "Expires (optional)".into(),
                input_type: Some("datetime-local".into()),
                value: props.data.expires_at.clone().into(),
                oninput: update(|d, v| d.expires_at = v),
                hint: Some("Your local time. Leave empty for a key that does not expire.".into()),
                errors: field_errors(&props.error, "expires_at"), ..Field::default() }.input() }
            { Field { id: format!("{prefix}-allowlist").into(),
                label: "IP allowlist (optional)".into(),
                value: props.data.ip_allowlist.clone().into(),
                oninput: update(|d, v| d.ip_allowlist = v),
                placeholder: Some("203.0.113.7\n2001:db8::/32".into()),
                hint: Some("One IPv4/IPv6 address or CIDR block per line. Empty allows any address.".into()),
                errors: field_errors(&props.error, "ip_allowlist"), ..Field::default() }.text_area() }
        </>
    }
}

/// Reads an order mode from a `<select>` value.
fn parse_mode(value: &str) -> OrderMode {
    if value == OrderMode::SemiAuto.as_str() {
        OrderMode::SemiAuto
    } else {
        OrderMode::Auto
    }
}
