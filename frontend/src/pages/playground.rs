//! `/playground`: try the API with one of your keys, over REST or the WebSocket.

use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::playground::body::KeyPlace;
use crate::components::playground::{
    usable, ChosenKey, CollectionsPanel, KeyAction, KeyPicker, KeySource, RestTab, WsTab,
};
use crate::hooks::{use_remote, Remote};

/// `?op=` deep link.
#[derive(Debug, Default, Deserialize)]
struct PlaygroundQuery {
    #[serde(default)]
    op: Option<String>,
}

/// Which tab is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Rest,
    WebSocket,
}

/// The Playground page. Both tabs stay mounted so a WebSocket survives switching tabs.
#[function_component(PlaygroundPage)]
pub fn playground_page() -> Html {
    let location = use_location();
    let initial_op = location
        .and_then(|l| l.query::<PlaygroundQuery>().ok())
        .and_then(|q| q.op);
    let keys = use_remote(0, api::keys::list);
    let chosen = use_reducer(|| ChosenKey {
        source: KeySource::Nothing,
        place: KeyPlace::Body,
    });
    let tab = use_state(|| Tab::Rest);

    let usable_keys = match &*keys {
        Remote::Loaded(Ok(keys)) => usable(keys),
        _ => Vec::new(),
    };
    let on_pick = {
        let (chosen, usable_keys) = (chosen.dispatcher(), usable_keys.clone());
        Callback::from(move |id: Option<i64>| {
            let summary = id
                .and_then(|id| usable_keys.iter().find(|k| k.id == id).cloned())
                .map(Box::new);
            chosen.dispatch(KeyAction::Pick(summary));
        })
    };
    let on_paste = {
        let chosen = chosen.dispatcher();
        Callback::from(move |text: String| chosen.dispatch(KeyAction::Paste(text)))
    };
    let on_place = {
        let chosen = chosen.dispatcher();
        Callback::from(move |place: KeyPlace| chosen.dispatch(KeyAction::Place(place)))
    };
    let on_revealed = {
        let chosen = chosen.dispatcher();
        Callback::from(move |(id, secret): (i64, String)| {
            chosen.dispatch(KeyAction::Revealed(id, secret))
        })
    };
    let saved_key_id = match &chosen.source {
        KeySource::Saved { summary, .. } => Some(summary.id),
        _ => None,
    };
    let tab_button = |value: Tab, label: &'static str, testid: &'static str| {
        let tab_handle = tab.clone();
        let onclick = Callback::from(move |_: MouseEvent| tab_handle.set(value));
        let on = *tab == value;
        html! {
            <button type="button" role="tab" aria-selected={on.to_string()} data-testid={testid}
                    class={classes!("tab", on.then_some("on"))} {onclick}>{ label }</button>
        }
    };

    html! {
        <section class="page page-wide" data-testid="playground-page">
            <header class="page-header">
                <h1>{ "Playground" }</h1>
                <p class="muted">{ "Call the OpenAlgo-compatible API and the market-data WebSocket with one of your keys, exactly as a bot would. Requests go to this keygate and are logged in its traffic." }</p>
            </header>
            { keys.view(|_| html! {
                <KeyPicker keys={usable_keys.clone()} chosen={(*chosen).clone()} {on_pick} {on_paste} {on_place} />
            }) }
            <div class="tabs" role="tablist">
                { tab_button(Tab::Rest, "REST", "tab-rest") }
                { tab_button(Tab::WebSocket, "WebSocket", "tab-ws") }
            </div>
            <div hidden={*tab != Tab::Rest}>
                <RestTab chosen={(*chosen).clone()} on_revealed={on_revealed.clone()} {initial_op} />
            </div>
            <div hidden={*tab != Tab::WebSocket}>
                <WsTab chosen={(*chosen).clone()} {on_revealed} />
            </div>
            <CollectionsPanel key_id={saved_key_id} />
        </section>
    }
}
