//! The filter bar: time presets or a custom range, and every filter of the log. Choices apply at
//! once; typed values apply with Enter or the Apply button. Everything lives in the URL.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::view::{TrafficView, PRESETS};
use crate::format::{from_datetime_local, to_datetime_local};

/// Properties of [`FilterBar`].
#[derive(Properties, PartialEq)]
pub struct FilterBarProps {
    /// The current view.
    pub view: TrafficView,
    /// Keys to choose from: `(id, name)`.
    pub keys: Vec<(i64, String)>,
    /// Users to choose from (admins): `(id, name)`.
    pub users: Vec<(i64, String)>,
    /// Error classes to choose from (those seen in the range).
    pub error_classes: Vec<String>,
    /// Whether the user filter is shown.
    pub is_admin: bool,
    /// A problem with a typed value, shown by the form.
    #[prop_or_default]
    pub invalid: Option<String>,
    /// The new view.
    pub on_change: Callback<TrafficView>,
}

/// Texts typed but not yet applied.
#[derive(Clone, Default, PartialEq)]
struct Draft {
    prefix: String,
    ip: String,
    rid: String,
    min_ms: String,
    from: String,
    to: String,
}

impl Draft {
    fn of(view: &TrafficView) -> Self {
        let local = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| keygate_types::rfc3339::parse(t).ok())
                .map(|t| to_datetime_local(&t))
                .unwrap_or_default()
        };
        Self {
            prefix: view.prefix.clone().unwrap_or_default(),
            ip: view.ip.clone().unwrap_or_default(),
            rid: view.rid.clone().unwrap_or_default(),
            min_ms: view.min_ms.map(|m| m.to_string()).unwrap_or_default(),
            from: local(&view.from),
            to: local(&view.to),
        }
    }
}

fn text(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The filter bar.
#[function_component(FilterBar)]
pub fn filter_bar(props: &FilterBarProps) -> Html {
    let draft = use_state(|| Draft::of(&props.view));
    let problem = use_state(|| None::<String>);
    {
        let (draft, problem) = (draft.clone(), problem.clone());
        use_effect_with(props.view.clone(), move |view| {
            draft.set(Draft::of(view));
            problem.set(None);
        });
    }
    let view = &props.view;
    let preset = |name: &'static str, label: &'static str| {
        let pressed = view.range_name() == name;
        let next = TrafficView {
            range: Some(name.to_owned()),
            from: None,
            to: None,
            ..view.clone()
        };
        let onclick = props.on_change.reform(move |_: MouseEvent| next.clone());
        html! {
            <button type="button" class={classes!("btn", "btn-small", pressed.then_some("btn-primary"))}
                    aria-pressed={pressed.to_string()} data-testid={format!("range-{name}")} {onclick}>{ label }</button>
        }
    };
    let custom = {
        let (view, on_change) = (view.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            on_change.emit(TrafficView {
                range: Some("custom".into()),
                ..view.clone()
            })
        })
    };
    // A <select> that sets one field at once.
    let select = |id: &'static str,
                  label: &'static str,
                  current: String,
                  options: Vec<(String, String)>,
                  set: fn(&mut TrafficView, Option<String>)| {
        let (view, on_change) = (view.clone(), props.on_change.clone());
        let onchange = Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut next = view.clone();
            set(&mut next, text(&value));
            on_change.emit(next);
        });
        html! {
            <div class="filter">
                <label for={id}>{ label }</label>
                <select id={id} {onchange} data-testid={id}>
                    <option value="" selected={current.is_empty()}>{ "Any" }</option>
                    { for options.into_iter().map(|(value, text)| html! {
                        <option selected={value == current} value={value.clone()}>{ text }</option>
                    }) }
                </select>
            </div>
        }
    };
    let input = |id: &'static str,
                 label: &'static str,
                 value: String,
                 placeholder: &'static str,
                 set: fn(&mut Draft, String)| {
        let draft = draft.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let mut next = (*draft).clone();
            set(
                &mut next,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            draft.set(next);
        });
        html! {
            <div class="filter">
                <label for={id}>{ label }</label>
                <input id={id} type="text" {value} {placeholder} {oninput} data-testid={id} />
            </div>
        }
    };
    let onsubmit = {
        let (draft, problem, view, on_change) = (
            draft.clone(),
            problem.clone(),
            view.clone(),
            props.on_change.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let d = (*draft).clone();
            let min_ms = match d.min_ms.trim() {
                "" => None,
                raw => match raw.parse::<u32>() {
                    Ok(ms) => Some(ms).filter(|ms| *ms > 0),
                    Err(_) => {
                        problem.set(Some(
                            "Minimum latency: enter a whole number of milliseconds.".into(),
                        ));
                        return;
                    }
                },
            };
            let mut next = TrafficView {
                prefix: text(&d.prefix),
                ip: text(&d.ip),
                rid: text(&d.rid),
                min_ms,
                ..view.clone()
            };
            if next.range_name() == "custom" {
                match (from_datetime_local(&d.from), from_datetime_local(&d.to)) {
                    (Ok(from), Ok(to)) => {
                        let rfc =
                            |t: chrono::DateTime<chrono::Utc>| keygate_types::rfc3339::format(&t);
                        if let (Some(f), Some(t)) = (from, to) {
                            if f >= t {
                                problem.set(Some("The range must start before it ends.".into()));
                                return;
                            }
                        }
                        next.from = from.map(rfc);
                        next.to = to.map(rfc);
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        problem.set(Some(format!("Custom range: {e}")));
                        return;
                    }
                }
            }
            problem.set(None);
            on_change.emit(next);
        })
    };
    let reset = {
        let (view, on_change) = (view.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            on_change.emit(TrafficView {
                range: view.range.clone(),
                from: view.from.clone(),
                to: view.to.clone(),
                refresh: view.refresh,
                ..TrafficView::default()
            })
        })
    };
    let status_options = ["2xx", "3xx", "4xx", "5xx"]
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let method_options = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .iter()
        .map(|m| (m.to_string(), m.to_string()))
        .collect();
    let mut error_names = props.error_classes.clone();
    if let Some(current) = &view.error {
        if !error_names.contains(current) {
            error_names.push(current.clone());
        }
    }
    let error_options = error_names.into_iter().map(|c| (c.clone(), c)).collect();
    let key_options = props
        .keys
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let user_options = props
        .users
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let shown_problem = (*problem).clone().or_else(|| props.invalid.clone());
    let d = (*draft).clone();
    html! {
        <form class="card filters" {onsubmit} data-testid="traffic-filters" aria-label="Filters">
            <div class="filter-row">
                <div class="presets" role="group" aria-label="Time range">
                    { for PRESETS.iter().map(|p| preset(p.0, p.1)) }
                    <button type="button" class={classes!("btn", "btn-small", (view.range_name() == "custom").then_some("btn-primary"))}
                            aria-pressed={(view.range_name() == "custom").to_string()} data-testid="range-custom" onclick={custom}>{ "Custom" }</button>
                </div>
                if view.range_name() == "custom" {
                    <div class="filter">
                        <label for="filter-from">{ "From" }</label>
                        <input id="filter-from" type="datetime-local" value={d.from.clone()} oninput={{
                            let draft = draft.clone();
                            Callback::from(move |e: InputEvent| { let mut n = (*draft).clone(); n.from = e.target_unchecked_into::<HtmlInputElement>().value(); draft.set(n); })
                        }} />
                    </div>
                    <div class="filter">
                        <label for="filter-to">{ "To (empty: now)" }</label>
                        <input id="filter-to" type="datetime-local" value={d.to.clone()} oninput={{
                            let draft = draft.clone();
                            Callback::from(move |e: InputEvent| { let mut n = (*draft).clone(); n.to = e.target_unchecked_into::<HtmlInputElement>().value(); draft.set(n); })
                        }} />
                    </div>
                }
            </div>
            <div class="filter-row">
                { select("filter-status", "Status", view.status.clone().unwrap_or_default(), status_options, |v, x| v.status = x) }
                { select("filter-key", "Key", view.key.map(|k| k.to_string()).unwrap_or_default(), key_options, |v, x| v.key = x.and_then(|x| x.parse().ok())) }
                if props.is_admin {
                    { select("filter-user", "User", view.user.map(|u| u.to_string()).unwrap_or_default(), user_options, |v, x| v.user = x.and_then(|x| x.parse().ok())) }
                }
                { select("filter-method", "Method", view.method.clone().unwrap_or_default(), method_options, |v, x| v.method = x) }
                { select("filter-error", "Error class", view.error.clone().unwrap_or_default(), error_options, |v, x| v.error = x) }
            </div>
            <div class="filter-row">
                { input("filter-prefix", "Endpoint (path starts with)", d.prefix.clone(), "/api/v1/", |d, x| d.prefix = x) }
                { input("filter-ip", "Client IP", d.ip.clone(), "203.0.113.7", |d, x| d.ip = x) }
                { input("filter-min-ms", "Min latency (ms)", d.min_ms.clone(), "250", |d, x| d.min_ms = x) }
                { input("filter-rid", "Request id", d.rid.clone(), "", |d, x| d.rid = x) }
                <div class="filter filter-buttons">
                    <button type="submit" class="btn btn-primary btn-small" data-testid="filters-apply">{ "Apply" }</button>
                    <button type="button" class="btn btn-small" onclick={reset} data-testid="filters-reset">{ "Clear filters" }</button>
                </div>
            </div>
            if let Some(path) = &view.path {
                <p class="active-filter">{ "Exact path: " }<code>{ path.clone() }</code>{ " " }
                    <button type="button" class="btn-link" data-testid="clear-path" onclick={{
                        let (view, on_change) = (view.clone(), props.on_change.clone());
                        Callback::from(move |_: MouseEvent| on_change.emit(TrafficView { path: None, ..view.clone() }))
                    }}>{ "remove" }</button>
                </p>
            }
            if let Some(problem) = shown_problem {
                <div class="alert alert-error" role="alert" data-testid="filters-error">{ problem }</div>
            }
        </form>
    }
}
