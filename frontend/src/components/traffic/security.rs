//! The security panel (admins): invalid-key attempts, banned requests, Argon2 runs, attempts by
//! IP with a quick ban, the bans in force with a countdown and a Lift button, and a ban form.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use chrono::Utc;
use keygate_types::traffic::{CreateBan, SecurityStats};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::platform::time::sleep;
use yew::prelude::*;

use super::text;
use crate::api;
use crate::components::{alert, error_alert, AlertKind};
use crate::hooks::use_mutation;

/// `in 1 h 5 min`, `in 42 s`, or `ended`.
pub fn countdown(seconds: i64) -> String {
    match seconds {
        i64::MIN..=0 => "ended".to_owned(),
        1..=59 => format!("in {seconds} s"),
        60..=3599 => format!("in {} min {} s", seconds / 60, seconds % 60),
        3600..=86_399 => format!("in {} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("in {} d {} h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

/// Properties of [`SecurityPanel`].
#[derive(Properties, PartialEq)]
pub struct SecurityPanelProps {
    /// The monitor's figures.
    pub security: SecurityStats,
    /// Called after a ban or a lift (reload the figures).
    pub on_changed: Callback<()>,
}

/// The admins' security panel.
#[function_component(SecurityPanel)]
pub fn security_panel(props: &SecurityPanelProps) -> Html {
    let change = use_mutation();
    let notice = use_state(|| None::<String>);
    let ip = use_state(String::new);
    let seconds = use_state(String::new);
    let reason = use_state(String::new);
    // A clock for the countdowns, ticking while the panel is shown.
    let now = use_state(Utc::now);
    {
        let now = now.clone();
        use_effect_with((), move |_| {
            let running = Rc::new(Cell::new(true));
            let alive = running.clone();
            spawn_local(async move {
                while alive.get() {
                    sleep(Duration::from_secs(1)).await;
                    if alive.get() {
                        now.set(Utc::now());
                    }
                }
            });
            move || running.set(false)
        });
    }

    let ban = {
        let (change, notice, on_changed) =
            (change.clone(), notice.clone(), props.on_changed.clone());
        let form = (ip.clone(), seconds.clone(), reason.clone());
        Callback::from(move |body: CreateBan| {
            let (notice, on_changed, form) = (notice.clone(), on_changed.clone(), form.clone());
            change.run(
                move |csrf| async move { api::traffic::ban(&csrf, &body).await },
                move |ban| {
                    for field in [&form.0, &form.1, &form.2] {
                        field.set(String::new());
                    }
                    notice.set(Some(format!(
                        "{} is banned {}.",
                        ban.ip,
                        countdown((ban.banned_until - Utc::now()).num_seconds())
                    )));
                    on_changed.emit(());
                },
            );
        })
    };
    let lift = {
        let (change, notice, on_changed) =
            (change.clone(), notice.clone(), props.on_changed.clone());
        Callback::from(move |address: String| {
            let (notice, on_changed) = (notice.clone(), on_changed.clone());
            change.run(
                move |csrf| async move { api::traffic::lift_ban(&csrf, &address).await },
                move |answer| {
                    notice.set(Some(answer.message));
                    on_changed.emit(());
                },
            );
        })
    };
    let submit = {
        let (ip, seconds, reason, ban, change) = (
            ip.clone(),
            seconds.clone(),
            reason.clone(),
            ban.clone(),
            change.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let seconds = match seconds.trim() {
                "" => None,
                raw => match raw.parse::<u64>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => {
                        change.fail(api::ApiError::invalid(
                            "seconds",
                            "Enter a whole number of seconds, at least 1.",
                        ));
                        return;
                    }
                },
            };
            let reason = Some(reason.trim().to_owned()).filter(|r| !r.is_empty());
            ban.emit(CreateBan {
                ip: ip.trim().to_owned(),
                seconds,
                reason,
            });
        })
    };
    let input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let s = &props.security;
    let busy = change.busy();
    html! {
        <div class="card" data-testid="security-panel">
            <h2>{ "Security" }</h2>
            if let Some(message) = (*notice).clone() {
                { alert(AlertKind::Success, Some("security-notice"), html! { <> { message } </> }) }
            }
            { error_alert(change.error(), "security-error") }
            <div class="stat-cards">
                <div class="stat-card"><span class="stat-label">{ "Invalid-key attempts" }</span><strong class="stat-value" data-testid="invalid-attempts">{ text::count(s.invalid_key_attempts as i64) }</strong><span class="stat-note">{ "since this server started" }</span></div>
                <div class="stat-card"><span class="stat-label">{ "Banned requests" }</span><strong class="stat-value">{ text::count(s.banned_requests as i64) }</strong><span class="stat-note">{ "refused before any key work" }</span></div>
                <div class="stat-card"><span class="stat-label">{ "Argon2 runs" }</span><strong class="stat-value">{ text::count(s.argon2_runs as i64) }</strong><span class="stat-note">{ "unknown keys never cost one" }</span></div>
            </div>
            <div class="grid-2">
                <div>
                    <h3>{ "Invalid-key attempts by IP (current window)" }</h3>
                    if s.attempts_by_ip.is_empty() {
                        <p class="empty">{ "None." }</p>
                    } else {
                        <table class="table table-compact">
                            <thead><tr><th>{ "IP" }</th><th>{ "Attempts" }</th><th></th></tr></thead>
                            <tbody>
                                { for s.attempts_by_ip.iter().map(|a| {
                                    let body = CreateBan { ip: a.ip.clone(), seconds: None, reason: Some(format!("{} invalid-key attempts", a.attempts)) };
                                    let onclick = ban.reform(move |_: MouseEvent| body.clone());
                                    html! {
                                        <tr>
                                            <td><code>{ a.ip.clone() }</code></td>
                                            <td class="num">{ a.attempts }</td>
                                            <td><button type="button" class="btn btn-small btn-danger" disabled={busy} {onclick}>{ "Ban" }</button></td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    }
                </div>
                <form class="ban-form" onsubmit={submit} data-testid="ban-form">
                    <h3>{ "Ban an IP" }</h3>
                    <div class="field">
                        <label for="ban-ip">{ "IP address (IPv6: its /64)" }</label>
                        <input id="ban-ip" type="text" required=true value={(*ip).clone()} oninput={input(&ip)} placeholder="203.0.113.7" />
                        { crate::components::error_list(&change.error().map(|e| e.field("ip")).unwrap_or_default()) }
                    </div>
                    <div class="field">
                        <label for="ban-seconds">{ "Seconds (empty: the configured length, doubled for repeat offenders)" }</label>
                        <input id="ban-seconds" type="text" inputmode="numeric" value={(*seconds).clone()} oninput={input(&seconds)} />
                        { crate::components::error_list(&change.error().map(|e| e.field("seconds")).unwrap_or_default()) }
                    </div>
                    <div class="field">
                        <label for="ban-reason">{ "Reason" }</label>
                        <input id="ban-reason" type="text" value={(*reason).clone()} oninput={input(&reason)} />
                    </div>
                    <button type="submit" class="btn btn-danger" disabled={busy} data-testid="ban-submit">{ "Ban" }</button>
                </form>
            </div>
            <h3>{ "Bans in force" }</h3>
            if s.active_bans.is_empty() {
                <p class="empty" data-testid="no-bans">{ "No address is banned." }</p>
            } else {
                <div class="table-wrap">
                    <table class="table table-compact" data-testid="bans-table">
                        <thead><tr><th>{ "IP" }</th><th>{ "Reason" }</th><th>{ "Offences" }</th><th>{ "By" }</th><th>{ "Until" }</th><th></th></tr></thead>
                        <tbody>
                            { for s.active_bans.iter().map(|b| {
                                let address = b.ip.clone();
                                let onclick = lift.reform(move |_: MouseEvent| address.clone());
                                html! {
                                    <tr data-testid="ban-row" data-ip={b.ip.clone()}>
                                        <td><code>{ b.ip.clone() }</code></td>
                                        <td>{ b.reason.clone() }</td>
                                        <td class="num">{ b.offences }</td>
                                        <td>{ b.banned_by.clone() }</td>
                                        <td class="nowrap" title={text::utc(&b.banned_until)}>
                                            { text::local(&b.banned_until, &now) }
                                            <span class="muted small">{ format!(" {}", countdown((b.banned_until - *now).num_seconds())) }</span>
                                        </td>
                                        <td><button type="button" class="btn btn-small" disabled={busy} data-testid="lift-ban" {onclick}>{ "Lift" }</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::countdown;

    #[test]
    fn countdowns_pick_their_units() {
        assert_eq!(countdown(0), "ended");
        assert_eq!(countdown(42), "in 42 s");
        assert_eq!(countdown(3599), "in 59 min 59 s");
        assert_eq!(countdown(3900), "in 1 h 5 min");
        assert_eq!(countdown(90_000), "in 1 d 1 h");
    }
}
