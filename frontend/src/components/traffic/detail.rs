//! A request's detail view: every field, and what to do next (filter by its key, IP or path,
//! open its endpoint in the Playground, ban its IP, copy it as JSON).

use chrono::Utc;
use keygate_types::traffic::{CreateBan, TrafficEntry};
use yew::prelude::*;

use super::table::Names;
use super::text;
use super::view::Filter;
use crate::api;
use crate::components::CopyButton;
use crate::components::{alert, error_alert, modal, AlertKind};
use crate::hooks::use_mutation;

/// Properties of [`RowDetail`].
#[derive(Properties, PartialEq)]
pub struct RowDetailProps {
    /// The request.
    pub entry: TrafficEntry,
    /// Key and user names.
    pub names: Names,
    /// Admins may ban and see users.
    pub is_admin: bool,
    /// The Playground operation of this path, when it has one.
    pub operation: Option<String>,
    /// Filters the log (and closes the dialog).
    pub on_filter: Callback<Filter>,
    /// A ban was made (reload the security figures).
    pub on_banned: Callback<()>,
    /// Closes the dialog.
    pub on_close: Callback<()>,
}

/// The detail dialog of one log row.
#[function_component(RowDetail)]
pub fn row_detail(props: &RowDetailProps) -> Html {
    let ban = use_mutation();
    let banned = use_state(|| None::<String>);
    let e = &props.entry;
    let now = Utc::now();
    let (class, tone) = text::status_class(e.status);
    let json = serde_json::to_string_pretty(e).unwrap_or_default();
    let filter = |label: &'static str, f: Filter, testid: &'static str| {
        let onclick = props.on_filter.reform(move |_: MouseEvent| f.clone());
        html! { <button type="button" class="btn btn-small" data-testid={testid} {onclick}>{ label }</button> }
    };
    let ban_ip = {
        let (ban, banned, on_banned, ip) = (
            ban.clone(),
            banned.clone(),
            props.on_banned.clone(),
            e.client_ip.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (banned, on_banned) = (banned.clone(), on_banned.clone());
            let body = CreateBan {
                ip: ip.clone(),
                seconds: None,
                reason: Some("banned from the traffic log".to_owned()),
            };
            ban.run(
                move |csrf| async move { api::traffic::ban(&csrf, &body).await },
                move |made| {
                    banned.set(Some(format!(
                        "{} is banned until {}.",
                        made.ip,
                        text::utc(&made.banned_until)
                    )));
                    on_banned.emit(());
                },
            );
        })
    };
    let field =
        |name: &'static str, value: Html| html! { <><dt>{ name }</dt><dd>{ value }</dd></> };
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    html! {
            { modal("Request".into(), "row-detail", Some(props.on_close.clone()), html! { <>
                <dl class="detail-list">
                    { field("Time", html! { <span title={text::utc(&e.at)}>{ format!("{} ({}), UTC {}", text::local(&e.at, &now), text::relative(&e.at, &now), text::utc(&e.at)) }</span> }) }
                    { field("Method", html! { <code>{ e.method.clone() }</code> }) }
                    { field("Path", html! { <code>{ e.path.clone() }</code> }) }
                    { field("Status", html! { <span class={classes!("status", tone)}>{ format!("{} ({class})", e.status) }</span> }) }
                    { field("Error class", html! { or_dash(e.error_class.clone()) }) }
                    { field("Latency", html! { format!("{} ({} µs)", text::latency(e.duration_us), e.duration_us) }) }
                    { field("Key", html! { or_dash(e.key_id.map(|k| format!("{} (id {k})", props.names.key(k)))) }) }
                    { field("Client IP", html! { <code>{ e.client_ip.clone() }</code> }) }
                    if props.is_admin {
                        { field("User", html! { or_dash(e.user_id.map(|u| format!("{} (id {u})", props.names.user(u)))) }) }
                    }
                    { field("Request id", html! { <code data-testid="detail-request-id">{ e.request_id.clone() }</code> }) }
                    { field("Row id", html! { e.id }) }
                </dl>
                if let Some(message) = (*banned).clone() {
                    { alert(AlertKind::Success, Some("detail-banned"), html! { <> { message } </> }) }
                }
                { error_alert(ban.error(), "error") }
                <div class="detail-actions">
                    if let Some(key) = e.key_id { { filter("Filter by this key", Filter::Key(key), "detail-filter-key") } }
                    { filter("Filter by this IP", Filter::Ip(e.client_ip.clone()), "detail-filter-ip") }
                    { filter("Filter by this path", Filter::Path(e.path.clone()), "detail-filter-path") }
                    if let Some(op) = &props.operation {
                        <a class="btn btn-small" href={format!("/playground?op={op}")} data-testid="detail-playground">{ "Open in the Playground" }</a>
                    }
                    <CopyButton text={json} label="Copy as JSON" testid="detail-copy-json" />
                    if props.is_admin {
                        <button type="button" class="btn btn-small btn-danger" disabled={ban.busy()} onclick={ban_ip} data-testid="detail-ban-ip">
                            { format!("Ban {}", e.client_ip) }
                        </button>
                    }
                </div>

    </> }) }
        }
}
