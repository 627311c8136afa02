//! The audit trail of the user's keys.

use keygate_types::keys::KeyEvent;
use yew::prelude::*;

use crate::format::local_time;

/// Properties of [`EventTable`].
#[derive(Properties, PartialEq)]
pub struct EventTableProps {
    /// Events, newest first.
    pub events: Vec<KeyEvent>,
}

/// Who did what to which key, when and from where.
pub fn event_table(props: &EventTableProps) -> Html {
    if props.events.is_empty() {
        return html! { <p class="empty">{ "Nothing has happened to your keys yet." }</p> };
    }
    html! {
        <div class="table-wrap">
            <table class="table table-compact" data-testid="events-table">
                <thead>
                    <tr>
                        <th>{ "When" }</th><th>{ "Key" }</th><th>{ "Event" }</th>
                        <th>{ "By" }</th><th>{ "IP" }</th><th>{ "Detail" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for props.events.iter().map(|event| html! {
                        <tr data-testid="event-row">
                            <td>{ local_time(&event.created_at) }</td>
                            <td>{ &event.key_name }</td>
                            <td><span class="tag">{ event.event.replace('_', " ") }</span></td>
                            <td>{ &event.actor }</td>
                            <td>{ event.ip.clone().unwrap_or_default() }</td>
                            <td>{ event.detail.clone().unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
