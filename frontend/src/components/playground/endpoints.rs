//! The endpoint list (grouped by tag, collapsible, searchable) and the field table beside the
//! body editor. Plain functions: the state lives in the REST tab.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::key::ChosenKey;
use super::spec::{Endpoint, FieldDoc, Group};

/// What the endpoint list needs to draw itself.
pub struct ListView<'a> {
    /// Every group from the document.
    pub groups: &'a [Group],
    /// The search text.
    pub search: &'a str,
    /// Tags folded shut.
    pub collapsed: &'a [String],
    /// The open operation.
    pub selected: Option<&'a str>,
    /// The chosen key (for greying out what it may not call).
    pub key: &'a ChosenKey,
    /// Search text changed.
    pub on_search: Callback<String>,
    /// Fold or unfold a tag.
    pub on_toggle: Callback<String>,
    /// Open an operation.
    pub on_select: Callback<String>,
}

/// The searchable, grouped list.
pub fn endpoint_list(view: ListView<'_>) -> Html {
    let query = view.search.trim().to_ascii_lowercase();
    let oninput = view
        .on_search
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let mut shown = 0;
    let groups: Html = view
        .groups
        .iter()
        .map(|group| {
            let members: Vec<&Endpoint> =
                group.endpoints.iter().filter(|e| e.matches(&query)).collect();
            if members.is_empty() {
                return html! {};
            }
            shown += members.len();
            // A search opens every group that has a match.
            let open = !query.is_empty() || !view.collapsed.contains(&group.tag);
            let tag = group.tag.clone();
            let toggle = view.on_toggle.reform(move |_: MouseEvent| tag.clone());
            html! {
                <section class="pg-group" data-testid={format!("group-{}", group.tag)}>
                    <button type="button" class="pg-group-head" aria-expanded={open.to_string()} onclick={toggle}
                            title={group.description.clone().unwrap_or_default()}>
                        <span>{ if open { "▾ " } else { "▸ " } }{ group.tag.clone() }</span>
                        <span class="muted">{ members.len() }</span>
                    </button>
                    if open {
                        <ul class="pg-ops">
                            { for members.iter().map(|e| item(e, &view)) }
                        </ul>
                    }
                </section>
            }
        })
        .collect();
    html! {
        <nav class="pg-list" aria-label="Endpoints">
            <input type="search" class="pg-search" placeholder="Search name or path" aria-label="Search endpoints"
                   data-testid="op-search" value={view.search.to_owned()} {oninput} />
            { groups }
            if shown == 0 {
                <p class="empty" data-testid="op-none">{ "No endpoint matches." }</p>
            }
        </nav>
    }
}

fn item(endpoint: &Endpoint, view: &ListView<'_>) -> Html {
    let blocked = view.key.blocked(endpoint);
    let is_blocked = blocked.is_some();
    let current = view.selected == Some(endpoint.id.as_str());
    let id = endpoint.id.clone();
    let onclick = view.on_select.reform(move |_: MouseEvent| id.clone());
    html! {
        <li>
            <button type="button" onclick={onclick}
                    class={classes!("pg-op", current.then_some("active"), is_blocked.then_some("blocked"))}
                    aria-current={current.then_some("true")}
                    data-testid={format!("op-{}", endpoint.short_name().replace('/', "-"))}
                    data-blocked={is_blocked.to_string()}
                    title={blocked.unwrap_or_else(|| endpoint.summary.clone())}>
                <span class="method">{ "POST" }</span>
                <span class="pg-op-name">{ endpoint.short_name().to_owned() }</span>
            </button>
        </li>
    }
}

/// The body's fields: type, required, allowed values, notes.
pub fn field_table(fields: &[FieldDoc]) -> Html {
    if fields.is_empty() {
        return html! { <p class="empty">{ "This operation takes no body fields." }</p> };
    }
    html! {
        <div class="pg-fields" data-testid="field-table">
            <h3>{ "Body fields" }</h3>
            <dl>
                { for fields.iter().map(|f| html! {
                    <>
                        <dt>
                            <code>{ f.name.clone() }</code>
                            <span class="muted">{ format!(" {}", f.kind) }</span>
                            if f.required { <span class="badge badge-req">{ "required" }</span> }
                        </dt>
                        <dd>
                            if !f.allowed.is_empty() {
                                <div class="pg-allowed">{ for f.allowed.iter().map(|v| html! { <code>{ v.clone() }</code> }) }</div>
                            }
                            if let Some(text) = &f.description { <small>{ text.clone() }</small> }
                        </dd>
                    </>
                }) }
            </dl>
        </div>
    }
}
