//! ChartInk webhook tokens: one per key, created or rotated with the order settings ChartInk
//! alerts cannot carry, shown once, revocable.

use keygate_types::action_center::{ChartinkSettings, ChartinkToken, ChartinkTokenCreated};
use keygate_types::keys::{ApiKeySummary, KeyState};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::api;
use crate::components::{error_alert, SecretKey};
use crate::format::local_time_or;
use crate::hooks::{use_mutation, use_remote};

/// The form's values.
#[derive(Clone, PartialEq)]
struct Form {
    key_id: Option<i64>,
    action: String,
    exchange: String,
    product: String,
    pricetype: String,
    quantity: String,
}

impl Default for Form {
    fn default() -> Self {
        Self {
            key_id: None,
            action: "BUY".into(),
            exchange: "NSE".into(),
            product: "MIS".into(),
            pricetype: "MARKET".into(),
            quantity: "1".into(),
        }
    }
}

fn select(
    id: &'static str,
    label: &'static str,
    options: &[&'static str],
    value: &str,
    onchange: Callback<String>,
) -> Html {
    let onchange =
        onchange.reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    html! {
        <div class="field">
            <label for={id}>{ label }</label>
            <select {id} {onchange}>
                { for options.iter().map(|o| html! { <option value={*o} selected={*o == value}>{ *o }</option> }) }
            </select>
        </div>
    }
}

/// The user's ChartInk tokens, and a form to create or rotate one.
#[function_component(ChartinkTokens)]
pub fn chartink_tokens() -> Html {
    let version = use_state(|| 0u32);
    let tokens = use_remote(*version, api::webhooks::list);
    let keys = use_remote(0, api::keys::list);
    let form = use_state(Form::default);
    let created = use_state(|| None::<ChartinkTokenCreated>);
    let mutation = use_mutation();

    let set = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
        })
    };
    let onsubmit = {
        let (form, mutation, created, version) = (
            form.clone(),
            mutation.clone(),
            created.clone(),
            version.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(key_id) = form.key_id else {
                return mutation.fail(api::ApiError::invalid("key_id", "Choose a key."));
            };
            let Ok(quantity) = form.quantity.trim().parse::<f64>() else {
                return mutation.fail(api::ApiError::invalid("quantity", "Enter a number."));
            };
            let body = ChartinkSettings {
                key_id,
                strategy: None,
                action: form.action.clone(),
                exchange: Some(form.exchange.clone()),
                product: Some(form.product.clone()),
                pricetype: Some(form.pricetype.clone()),
                quantity,
            };
            let (created, version) = (created.clone(), version.clone());
            mutation.run(
                move |csrf| async move { api::webhooks::create(&csrf, &body).await },
                move |answer| {
                    created.set(Some(answer));
                    version.set(*version + 1);
                },
            );
        })
    };
    let revoke = |key_id: i64| {
        let (mutation, version, created) = (mutation.clone(), version.clone(), created.clone());
        Callback::from(move |_: MouseEvent| {
            let (version, created) = (version.clone(), created.clone());
            mutation.run(
                move |csrf| async move { api::webhooks::revoke(&csrf, key_id).await },
                move |()| {
                    created.set(None);
                    version.set(*version + 1);
                },
            );
        })
    };
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let shown = (*created).clone().map(|c| {
        html! {
            <div class="alert alert-success" data-testid="chartink-created">
                <p>{ format!("Webhook URL for key \"{}\" (shown once; give it to ChartInk):",
                             c.settings.key_name.clone().unwrap_or_default()) }</p>
                <SecretKey value={format!("{origin}{}", c.webhook_path)} testid="chartink-url" />
            </div>
        }
    });
    let key_options = |keys: &Vec<ApiKeySummary>| {
        let onchange = {
            let form = form.clone();
            Callback::from(move |e: Event| {
                let mut next = (*form).clone();
                next.key_id = e
                    .target_unchecked_into::<HtmlSelectElement>()
                    .value()
                    .parse()
                    .ok();
                form.set(next);
            })
        };
        html! {
            <div class="field">
                <label for="chartink-key">{ "Key" }</label>
                <select id="chartink-key" {onchange}>
                    <option value="" selected={form.key_id.is_none()}>{ "Choose a key…" }</option>
                    { for keys.iter().filter(|k| k.state != KeyState::Revoked).map(|k| html! {
                        <option value={k.id.to_string()} selected={form.key_id == Some(k.id)}>{ &k.name }</option>
                    }) }
                </select>
            </div>
        }
    };
    let token_rows = |tokens: &Vec<ChartinkToken>| {
        if tokens.is_empty() {
            return html! { <p class="empty" data-testid="chartink-empty">{ "No ChartInk webhooks yet." }</p> };
        }
        html! {
            <div class="table-wrap">
                <table class="table table-compact" data-testid="chartink-table">
                    <thead><tr>
                        <th>{ "Key" }</th><th>{ "Token" }</th><th>{ "Order per stock" }</th>
                        <th>{ "Last alert" }</th><th></th>
                    </tr></thead>
                    <tbody>
                        { for tokens.iter().map(|t| html! {
                            <tr>
                                <td>{ t.key_name.clone().unwrap_or_default() }</td>
                                <td><code class="masked">{ format!("{}…", t.hint) }</code></td>
                                <td>{ format!("{} {} {} {} {}", t.action, t.quantity, t.exchange, t.product, t.pricetype) }</td>
                                <td>{ local_time_or(t.last_used_at.as_ref(), "never") }</td>
                                <td><button type="button" class="btn btn-small btn-danger"
                                            onclick={revoke(t.key_id)}>{ "Revoke" }</button></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        }
    };
    let quantity_input = {
        let oninput = set(|f, v| f.quantity = v)
            .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
        html! {
            <div class="field">
                <label for="chartink-quantity">{ "Quantity per stock" }</label>
                <input id="chartink-quantity" type="text" inputmode="decimal"
                       value={form.quantity.clone()} {oninput} />
            </div>
        }
    };
    html! {
        <div class="card" data-testid="chartink-card">
            <h2>{ "ChartInk webhooks" }</h2>
            <p class="muted">
                { "ChartInk cannot send an API key, and keys never go in URLs, so each key gets its own webhook token. Alerts through it follow the key's scopes and order mode; creating one again rotates it." }
            </p>
            { shown }
            { error_alert(mutation.error(), "error") }
            { tokens.view(token_rows) }
            <form {onsubmit} novalidate=true class="grid-2">
                { keys.view(key_options) }
                { select("chartink-action", "Action", &["BUY", "SELL"], &form.action, set(|f, v| f.action = v)) }
                { quantity_input }
                { select("chartink-exchange", "Exchange", &["NSE", "BSE"], &form.exchange, set(|f, v| f.exchange = v)) }
                { select("chartink-product", "Product", &["MIS", "CNC"], &form.product, set(|f, v| f.product = v)) }
                { select("chartink-pricetype", "Price type", &["MARKET", "LIMIT"], &form.pricetype, set(|f, v| f.pricetype = v)) }
                <div>
                    <button type="submit" class="btn btn-primary" data-testid="chartink-submit"
                            disabled={mutation.busy()}>{ "Create or rotate webhook" }</button>
                </div>
            </form>
        </div>
    }
}
