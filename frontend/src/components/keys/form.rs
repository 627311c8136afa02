//! The fields of a key: used by the create form and the edit dialog.

use keygate_types::keys::{OrderMode, Scope};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::KeyFormData;
use crate::api::{field_errors, ApiError};
use crate::components::{error_list, InputField, TextAreaField};
use crate::format::{mode_label, scope_label};

/// Properties of [`KeyFields`].
#[derive(Properties, PartialEq)]
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
    #[prop_or_default]
    pub show_mode: bool,
}

const SCOPES: [(Scope, &str); 3] = [
    (Scope::Read, "Account and market data."),
    (Scope::Trade, "Read, plus place, modify and cancel orders."),
    (
        Scope::ExitOnly,
        "Read, plus cancel orders and close positions; never opens a position.",
    ),
];

/// Name, scopes, (order mode,) expiry and IP allowlist.
#[function_component(KeyFields)]
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
                if e.target_unchecked_into::<HtmlInputElement>().checked() {
                    data.scopes.insert(scope);
                } else {
                    data.scopes.remove(&scope);
                }
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

    html! {
        <>
            <InputField id={format!("{prefix}-name")} label="Name" value={props.data.name.clone()}
                oninput={update(|d, v| d.name = v)} required=true
                hint="For you to recognise the key, e.g. \"TradingView strategy A\"."
                errors={field_errors(&props.error, "name")} />
            <fieldset class="field">
                <legend>{ "Scopes" }</legend>
                <div class="checks">{ for SCOPES.iter().map(scope_box) }</div>
                { error_list(&field_errors(&props.error, "scopes")) }
            </fieldset>
            { mode_select }
            <InputField id={format!("{prefix}-expires")} label="Expires (optional)"
                input_type="datetime-local" value={props.data.expires_at.clone()}
                oninput={update(|d, v| d.expires_at = v)}
                hint="Your local time. Leave empty for a key that does not expire."
                errors={field_errors(&props.error, "expires_at")} />
            <TextAreaField id={format!("{prefix}-allowlist")} label="IP allowlist (optional)"
                value={props.data.ip_allowlist.clone()} oninput={update(|d, v| d.ip_allowlist = v)}
                placeholder={"203.0.113.7\n2001:db8::/32"}
                hint="One IPv4/IPv6 address or CIDR block per line. Empty allows any address."
                errors={field_errors(&props.error, "ip_allowlist")} />
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
