//! Traffic Logs (`/traffic`): the request log with filters kept in the URL, cursor paging and
//! auto-refresh, a row's detail, the CSV export of exactly the rows shown, stat cards, SVG
//! charts, and for admins the security panel.
//!
//! Each load fixes the range to absolute times (a [`Snapshot`]): the table, the stats and the
//! export then cover the same rows, and auto-refresh only counts rows newer than the snapshot
//! ("N new rows") instead of moving the table under the reader.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use keygate_types::traffic::{TrafficEntry, TrafficStats};
use web_sys::HtmlSelectElement;
use yew::platform::spawn_local;
use yew::platform::time::sleep;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};
use crate::app::Route;
use crate::components::error_alert;
use crate::components::traffic::view::{with_bucket, Filter, TrafficView};
use crate::components::traffic::{
    bar_list, count, latency, per_minute_chart, stat_cards, status_mix, traffic_table, BarRow,
    FilterBar, Names, RowDetail, SecurityPanel,
};
use crate::hooks::{expire_on_unauthorized, use_remote, use_session, Remote};

/// The rows shown so far and the cursor of the next (older) page.
#[derive(Debug, Clone, PartialEq)]
struct Rows {
    items: Vec<TrafficEntry>,
    next: Option<String>,
}

/// Rows that arrived after the snapshot: how many (up to a page), and whether there are more.
type NewRows = Option<(usize, bool)>;

/// `/traffic`.
#[function_component(TrafficPage)]
pub fn traffic_page() -> Html {
    let session = use_session();
    let is_admin = session.user().is_some_and(|u| u.is_admin);
    let navigator = use_navigator();
    let location = use_location();
    let view: TrafficView = location
        .and_then(|l| l.query::<TrafficView>().ok())
        .unwrap_or_default();
    let reloads = use_state(|| 0u32);
    let snapshot = use_memo((view.clone(), *reloads), |(view, _)| {
        view.snapshot(Utc::now())
    });

    let rows = use_state(|| Remote::<Rows>::Loading);
    let stats = use_state(|| Remote::<TrafficStats>::Loading);
    let more = use_state(|| (false, None::<ApiError>));
    let new_rows = use_state(|| None as NewRows);
    let selected = use_state(|| None::<TrafficEntry>);
    let operations = use_state(|| None::<Vec<(String, String)>>);
    // Answers for an older snapshot are dropped.
    let generation = use_mut_ref(|| 0u32);
    let keys = use_remote(0, api::keys::list);
    let users = use_remote(u32::from(is_admin), move || async move {
        if is_admin {
            api::users::list().await
        } else {
            Ok(Vec::new())
        }
    });

    {
        let (rows, stats, more, new_rows, generation, session) = (
            rows.clone(),
            stats.clone(),
            more.clone(),
            new_rows.clone(),
            generation.clone(),
            session.clone(),
        );
        use_effect_with(snapshot.clone(), move |snap| {
            *generation.borrow_mut() += 1;
            let current = *generation.borrow();
            new_rows.set(None);
            more.set((false, None));
            let (list_query, stats_query) = (snap.list_query(), snap.stats_query());
            {
                let (generation, session) = (generation.clone(), session.clone());
                spawn_local(async move {
                    let page = api::traffic::list(&list_query).await;
                    if *generation.borrow() != current {
                        return;
                    }
                    if let Err(error) = &page {
                        expire_on_unauthorized(&session, error);
                    }
                    rows.set(Remote::Loaded(page.map(|p| Rows {
                        items: p.items,
                        next: p.next_cursor,
                    })));
                });
            }
            spawn_local(async move {
                let figures = api::traffic::stats(&stats_query).await;
                if *generation.borrow() != current {
                    return;
                }
                if let Err(error) = &figures {
                    expire_on_unauthorized(&session, error);
                }
                stats.set(Remote::Loaded(figures));
            });
        });
    }

    // Auto-refresh: every N seconds while the tab is visible, count the rows newer than the
    // snapshot.
    {
        let (new_rows, generation) = (new_rows.clone(), generation.clone());
        let period = view.refresh.filter(|s| [5, 15, 30].contains(s));
        use_effect_with((period, snapshot.clone()), move |(period, snap)| {
            let running = Rc::new(Cell::new(true));
            if let (Some(seconds), true) = (*period, snap.live()) {
                let (alive, query, current) =
                    (running.clone(), snap.newer_query(), *generation.borrow());
                spawn_local(async move {
                    while alive.get() {
                        sleep(Duration::from_secs(u64::from(seconds))).await;
                        if !alive.get() || *generation.borrow() != current {
                            break;
                        }
                        if hidden() {
                            continue;
                        }
                        if let Ok(page) = api::traffic::list(&query).await {
                            if alive.get() && *generation.borrow() == current {
                                let n = page.items.len();
                                new_rows.set((n > 0).then_some((n, page.next_cursor.is_some())));
                            }
                        }
                    }
                });
            }
            move || running.set(false)
        });
    }

    let go = {
        let navigator = navigator.clone();
        let selected = selected.clone();
        Callback::from(move |next: TrafficView| {
            selected.set(None);
            if let Some(navigator) = &navigator {
                let _ = navigator.push_with_query(&Route::Traffic, &next);
            }
        })
    };
    let on_filter = {
        let (go, view) = (go.clone(), view.clone());
        Callback::from(move |filter: Filter| go.emit(view.with(filter)))
    };
    let on_bucket = {
        let (go, view) = (go.clone(), view.clone());
        Callback::from(move |(from, minutes): (DateTime<Utc>, i64)| {
            go.emit(with_bucket(&view, from, minutes))
        })
    };
    let reload = {
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| reloads.set(*reloads + 1))
    };
    let reload_stats = {
        let reloads = reloads.clone();
        Callback::from(move |()| reloads.set(*reloads + 1))
    };
    let on_refresh = {
        let (go, view) = (go.clone(), view.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            go.emit(TrafficView {
                refresh: value.parse().ok().filter(|s: &u32| *s > 0),
                ..view.clone()
            });
        })
    };
    let load_older = {
        let (rows, more, snapshot, session) = (
            rows.clone(),
            more.clone(),
            snapshot.clone(),
            session.clone(),
        );
        let generation = generation.clone();
        Callback::from(move |_: MouseEvent| {
            let Remote::Loaded(Ok(current)) = (*rows).clone() else {
                return;
            };
            let Some(cursor) = current.next.clone() else {
                return;
            };
            let (rows, more, session, generation) = (
                rows.clone(),
                more.clone(),
                session.clone(),
                generation.clone(),
            );
            let mut query = snapshot.list_query();
            query.push(("cursor", cursor));
            let started = *generation.borrow();
            more.set((true, None));
            spawn_local(async move {
                let answer = api::traffic::list(&query).await;
                if *generation.borrow() != started {
                    return;
                }
                match answer {
                    Ok(page) => {
                        let mut items = current.items;
                        items.extend(page.items);
                        rows.set(Remote::Loaded(Ok(Rows {
                            items,
                            next: page.next_cursor,
                        })));
                        more.set((false, None));
                    }
                    Err(error) => {
                        expire_on_unauthorized(&session, &error);
                        more.set((false, Some(error)));
                    }
                }
            });
        })
    };
    let on_open = {
        let (selected, operations) = (selected.clone(), operations.clone());
        Callback::from(move |entry: TrafficEntry| {
            selected.set(Some(entry));
            if operations.is_none() {
                let operations = operations.clone();
                spawn_local(async move {
                    // Without the document the dialog simply offers no Playground link.
                    operations.set(Some(
                        api::traffic::operation_ids().await.unwrap_or_default(),
                    ));
                });
            }
        })
    };
    let close = {
        let selected = selected.clone();
        Callback::from(move |()| selected.set(None))
    };

    // Names for ids: the user's keys, the keys in the stats, the users (admins).
    let mut names = Names::default();
    if let Remote::Loaded(Ok(list)) = &*keys {
        for k in list {
            names.add_key(k.id, &k.name);
        }
    }
    if let Remote::Loaded(Ok(figures)) = &*stats {
        for k in &figures.keys {
            if let Some(name) = &k.name {
                names.add_key(k.key_id, name);
            }
        }
    }
    if let Remote::Loaded(Ok(list)) = &*users {
        for u in list {
            names.add_user(u.id, &u.username);
        }
    }
    if let Some(user) = session.user() {
        names.add_user(user.id, &user.username);
    }
    let error_classes: Vec<String> = match &*stats {
        Remote::Loaded(Ok(figures)) => figures
            .error_classes
            .iter()
            .map(|e| e.error_class.clone())
            .collect(),
        _ => Vec::new(),
    };

    let now = Utc::now();
    let export = api::traffic::export_url(&snapshot.list_query());
    let table = rows.view(|rows| {
        if rows.items.is_empty() {
            return html! {
                <p class="empty" data-testid="traffic-empty">
                    { if view.filtered() { "No request matches these filters in this time range." } else { "No requests in this time range yet. Calls to /api/v1 with a key, sign-ins and key changes appear here." } }
                </p>
            };
        }
        html! {
            <>
                { traffic_table(&rows.items, &now, &names, is_admin, &on_filter, &on_open) }
                <div class="table-footer">
                    <span class="muted" data-testid="traffic-count">{ format!("{} rows shown", count(rows.items.len() as i64)) }</span>
                    if rows.next.is_some() {
                        <button type="button" class="btn btn-small" data-testid="load-older" disabled={more.0} onclick={load_older.clone()}>
                            { if more.0 { "Loading…" } else { "Load older" } }
                        </button>
                    }
                </div>
                { error_alert(more.1.clone(), "error") }
            </>
        }
    });
    let charts = stats.view(|figures| {
        let by_key = view.key.is_some();
        let endpoints: Vec<BarRow> = figures.endpoints.iter().take(10).map(|e| BarRow {
            label: format!("{} {}", e.method, e.path),
            value: e.requests,
            shown: if e.errors > 0 { format!("{} ({} errors)", count(e.requests), count(e.errors)) } else { count(e.requests) },
            filter: Some(Filter::Path(e.path.clone())),
            tone: "seg-ok",
        }).collect();
        let mut slowest: Vec<_> = figures.endpoints.iter().collect();
        slowest.sort_by_key(|e| std::cmp::Reverse(e.p95_us));
        let latencies: Vec<BarRow> = slowest.into_iter().take(10).map(|e| BarRow {
            label: format!("{} {}", e.method, e.path),
            value: e.p95_us,
            shown: format!("{} / {} / {}", latency(e.p50_us), latency(e.p95_us), latency(e.p99_us)),
            filter: Some(Filter::Path(e.path.clone())),
            tone: "seg-lat",
        }).collect();
        let ips: Vec<BarRow> = figures.top_ips.iter().map(|i| BarRow {
            label: i.ip.clone(),
            value: i.requests,
            shown: count(i.requests),
            filter: Some(Filter::Ip(i.ip.clone())),
            tone: "seg-ip",
        }).collect();
        let keys: Vec<BarRow> = figures.keys.iter().take(10).map(|k| BarRow {
            label: k.name.clone().unwrap_or_else(|| format!("#{} (deleted)", k.key_id)),
            value: k.requests,
            shown: if k.errors > 0 { format!("{} ({} errors)", count(k.requests), count(k.errors)) } else { count(k.requests) },
            filter: Some(Filter::Key(k.key_id)),
            tone: "seg-key",
        }).collect();
        let errors: Vec<BarRow> = figures.error_classes.iter().map(|e| BarRow {
            label: e.error_class.clone(),
            value: e.requests,
            shown: count(e.requests),
            filter: Some(Filter::ErrorClass(e.error_class.clone())),
            tone: "seg-4xx",
        }).collect();
        html! {
            <>
                { stat_cards(figures, by_key) }
                <p class="muted small">{ "The stats cover the time range, and the user and key filters; the other filters narrow the table only." }</p>
                <div class="card">
                    { per_minute_chart(figures.from, figures.to, &figures.per_minute, &now, &on_bucket) }
                    { status_mix(&figures.status_classes, &on_filter) }
                </div>
                <div class="chart-grid">
                    <div class="card">{ bar_list("Top endpoints", "chart-endpoints", endpoints, &on_filter) }</div>
                    <div class="card">{ bar_list(if by_key { "Latency per endpoint: p50 / p95 / p99 (bar: p95; ±7 %)" } else { "Latency per endpoint: p50 / p95 / p99 (bar: p95; ±7 %, whole hours)" }, "chart-latency", latencies, &on_filter) }</div>
                    <div class="card">{ bar_list("Top client IPs", "chart-ips", ips, &on_filter) }</div>
                    <div class="card">{ bar_list("Requests per key", "chart-keys", keys, &on_filter) }</div>
                    <div class="card">{ bar_list("Error classes", "chart-errors", errors, &on_filter) }</div>
                </div>
            </>
        }
    });
    let security = match (&*stats, is_admin) {
        (Remote::Loaded(Ok(figures)), true) => figures.security.clone().map(|security| {
            html! {
                <SecurityPanel {security} on_changed={reload_stats.clone()} />
            }
        }),
        _ => None,
    };
    let key_choices = names.keys().to_vec();
    let user_choices = names.users().to_vec();
    let refresh = view.refresh.unwrap_or(0);
    let detail = (*selected).clone().map(|entry| {
        let operation = (*operations).as_ref().and_then(|ops| {
            let path = entry.path.trim_end_matches('/');
            ops.iter().find(|(known, _)| known == path).map(|(_, id)| id.clone())
        }).filter(|_| entry.path.starts_with("/api/v1/"));
        html! {
            <RowDetail {entry} names={names.clone()} {is_admin} {operation}
                       on_filter={on_filter.clone()} on_banned={reload_stats.clone()} on_close={close.clone()} />
        }
    });

    html! {
        <section class="page traffic-page" data-testid="traffic-page">
            <header class="page-header">
                <h1>{ "Traffic Logs" }</h1>
                <p class="muted">{ "Every call keygate answered: who, what, how fast, and how it ended. Bodies, header values and keys are never logged." }</p>
            </header>
            <FilterBar view={view.clone()} keys={key_choices} users={user_choices} {is_admin} {error_classes} on_change={go.clone()} />
            <div class="card">
                <div class="card-header table-toolbar">
                    <h2>{ "Requests" }</h2>
                    <div class="toolbar">
                        if let Some((n, more_than)) = *new_rows {
                            <button type="button" class="btn btn-small btn-primary" data-testid="new-rows" onclick={reload.clone()}>
                                { format!("{}{n} new row{}: show", if more_than { "over " } else { "" }, if n == 1 { "" } else { "s" }) }
                            </button>
                        }
                        <label class="inline" for="auto-refresh">{ "Auto-refresh" }</label>
                        <select id="auto-refresh" onchange={on_refresh} data-testid="auto-refresh">
                            { for [(0, "Off"), (5, "5 s"), (15, "15 s"), (30, "30 s")].into_iter().map(|(s, label)| html! {
                                <option value={s.to_string()} selected={refresh == s}>{ label }</option>
                            }) }
                        </select>
                        <button type="button" class="btn btn-small" data-testid="reload" onclick={reload}>{ "Reload" }</button>
                        <a class="btn btn-small" href={export} download="traffic.csv" data-testid="export-csv">{ "Export CSV" }</a>
                    </div>
                </div>
                if !snapshot.live() || refresh == 0 { } else {
                    <p class="muted small">{ format!("Checking for new rows every {refresh} s while this tab is visible.") }</p>
                }
                { table }
            </div>
            { charts }
            { security.unwrap_or_default() }
            { detail.unwrap_or_default() }
        </section>
    }
}

/// Whether the browser tab is hidden (auto-refresh pauses).
fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}
