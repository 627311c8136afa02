//! The log table: one row per request, each value a button that filters by it.

use chrono::{DateTime, Utc};
use keygate_types::traffic::TrafficEntry;
use yew::prelude::*;

use super::text;
use super::view::Filter;
use crate::components::CopyButton;

/// Names for ids: keys and users, each list sorted by id. Vectors rather than a
/// `BTreeMap<i64, String>`, which would add its own copy of the B-tree code (~5 KB) to the
/// WebAssembly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    /// Key id and key name.
    keys: Vec<(i64, String)>,
    /// User id and username.
    users: Vec<(i64, String)>,
}

impl Names {
    /// Names key `id` `name`, unless it already has a name.
    pub fn add_key(&mut self, id: i64, name: &str) {
        add(&mut self.keys, id, name);
    }

    /// Names user `id` `name`, unless it already has a name.
    pub fn add_user(&mut self, id: i64, name: &str) {
        add(&mut self.users, id, name);
    }

    /// The named keys (id, name), by id.
    pub fn keys(&self) -> &[(i64, String)] {
        &self.keys
    }

    /// The named users (id, username), by id.
    pub fn users(&self) -> &[(i64, String)] {
        &self.users
    }

    /// A key's name, or `#id` when unknown.
    pub fn key(&self, id: i64) -> String {
        find(&self.keys, id)
    }

    /// A user's name, or `#id` when unknown.
    pub fn user(&self, id: i64) -> String {
        find(&self.users, id)
    }
}

fn add(names: &mut Vec<(i64, String)>, id: i64, name: &str) {
    if let Err(at) = names.binary_search_by_key(&id, |(known, _)| *known) {
        names.insert(at, (id, name.to_owned()));
    }
}

fn find(names: &[(i64, String)], id: i64) -> String {
    match names.binary_search_by_key(&id, |(known, _)| *known) {
        Ok(at) => names[at].1.clone(),
        Err(_) => format!("#{id}"),
    }
}

/// A value shown as a button that filters the log by it.
fn filter_button(
    label: String,
    filter: Filter,
    on_filter: &Callback<Filter>,
    testid: &'static str,
) -> Html {
    let title = format!("Show only rows with {label}");
    let onclick = on_filter.reform(move |_: MouseEvent| filter.clone());
    html! {
        <button type="button" class="cell-filter" {title} data-testid={testid} {onclick}>{ label }</button>
    }
}

/// The table of `rows`.
pub fn traffic_table(
    rows: &[TrafficEntry],
    now: &DateTime<Utc>,
    names: &Names,
    is_admin: bool,
    on_filter: &Callback<Filter>,
    on_open: &Callback<TrafficEntry>,
) -> Html {
    let row = |entry: &TrafficEntry| {
        let (class, tone) = text::status_class(entry.status);
        let open = {
            let entry = entry.clone();
            on_open.reform(move |_: MouseEvent| entry.clone())
        };
        let status_label = match &entry.error_class {
            Some(error) => format!("{} {error}", entry.status),
            None => entry.status.to_string(),
        };
        let status_filter = match &entry.error_class {
            Some(error) => Filter::ErrorClass(error.clone()),
            None => Filter::Status(class),
        };
        html! {
            <tr data-testid="traffic-row" data-request-id={entry.request_id.clone()}>
                <td class="nowrap">
                    <button type="button" class="cell-open" title={text::utc(&entry.at)} onclick={open}
                            data-testid="open-row" aria-label="Show this request's details">
                        <span>{ text::local(&entry.at, now) }</span>
                        <span class="muted small">{ text::relative(&entry.at, now) }</span>
                    </button>
                </td>
                <td>{ filter_button(entry.method.clone(), Filter::Method(entry.method.clone()), on_filter, "cell-method") }</td>
                <td class="path-cell">{ filter_button(entry.path.clone(), Filter::Path(entry.path.clone()), on_filter, "cell-path") }</td>
                <td class="nowrap">
                    <span class={classes!("status", tone)}>
                        { filter_button(status_label, status_filter, on_filter, "cell-status") }
                    </span>
                </td>
                <td class="nowrap num">{ text::latency(entry.duration_us) }</td>
                <td>{ match entry.key_id {
                    Some(key) => filter_button(names.key(key), Filter::Key(key), on_filter, "cell-key"),
                    None => html! { <span class="muted">{ "—" }</span> },
                } }</td>
                <td class="nowrap">{ filter_button(entry.client_ip.clone(), Filter::Ip(entry.client_ip.clone()), on_filter, "cell-ip") }</td>
                if is_admin {
                    <td>{ match entry.user_id {
                        Some(user) => filter_button(names.user(user), Filter::User(user), on_filter, "cell-user"),
                        None => html! { <span class="muted">{ "—" }</span> },
                    } }</td>
                }
                <td class="nowrap">
                    <code class="small">{ entry.request_id.clone() }</code>
                    { " " }
                    <CopyButton text={entry.request_id.clone()} label="Copy" />
                </td>
            </tr>
        }
    };
    html! {
        <div class="table-wrap">
            <table class="table table-compact traffic-table" data-testid="traffic-table">
                <thead>
                    <tr>
                        <th>{ "Time" }</th>
                        <th>{ "Method" }</th>
                        <th>{ "Path" }</th>
                        <th>{ "Status" }</th>
                        <th>{ "Latency" }</th>
                        <th>{ "Key" }</th>
                        <th>{ "Client IP" }</th>
                        if is_admin { <th>{ "User" }</th> }
                        <th>{ "Request id" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows.iter().map(row) }</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kept_by_id_and_the_first_name_wins() {
        let mut names = Names::default();
        names.add_key(9, "nine");
        names.add_key(2, "two");
        names.add_key(9, "other");
        names.add_user(1, "admin");
        assert_eq!(
            names.keys(),
            &[(2, "two".to_owned()), (9, "nine".to_owned())]
        );
        assert_eq!(names.key(9), "nine");
        assert_eq!(names.key(5), "#5");
        assert_eq!(names.user(1), "admin");
        assert_eq!(names.user(2), "#2");
    }
}
