//! The Bruno and Postman downloads, generated from the same OpenAPI document as the endpoint list.

use keygate_types::collections::CollectionDownload;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api;
use crate::hooks::use_remote;

/// Props: the saved key chosen above, if any (a pasted key is never sent to the server).
#[derive(Properties, PartialEq)]
pub struct CollectionsPanelProps {
    /// Id of the chosen saved key.
    pub key_id: Option<i64>,
}

/// Links to each download; with the box ticked, the chosen key is filled in (an audited reveal,
/// answered with `Cache-Control: no-store`).
#[function_component(CollectionsPanel)]
pub fn collections_panel(props: &CollectionsPanelProps) -> Html {
    let downloads = use_remote(0, api::playground::collection_downloads);
    let with_key = use_state(|| false);
    let on_with_key = {
        let with_key = with_key.clone();
        Callback::from(move |e: Event| {
            with_key.set(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    let key_id = props.key_id.filter(|_| *with_key);
    html! {
        <details class="card pg-collections" data-testid="collections-panel">
            <summary><h2 class="inline">{ "Bruno and Postman collections" }</h2></summary>
            <p class="muted">{ "Every /api/v1 operation with its example body, ordered so a run places, modifies, cancels and closes an order and leaves the account as it found it. Set the apikey variable, or fill it in here." }</p>
            <label class="check">
                <input type="checkbox" checked={*with_key} disabled={props.key_id.is_none()}
                       data-testid="collections-with-key" onchange={on_with_key} />
                { match props.key_id {
                    Some(_) => " Fill in the chosen key (revealed for the download and recorded in its audit trail)",
                    None => " Fill in a key: choose one of your saved keys above",
                } }
            </label>
            { downloads.view(|list| html! {
                <ul class="downloads">
                    { for list.iter().map(|d| download_link(d, key_id)) }
                </ul>
            }) }
        </details>
    }
}

fn download_link(download: &CollectionDownload, key_id: Option<i64>) -> Html {
    let href = match key_id {
        Some(id) => format!("{}?key_id={id}", download.url),
        None => download.url.clone(),
    };
    html! {
        <li>
            <a href={href} download={download.name.clone()} data-testid={format!("download-{}", download.name)}>
                { &download.name }
            </a>
            <span class="muted">{ format!(" — {}", download.title) }</span>
        </li>
    }
}
