//! Which API key the Playground uses, and the picker that chooses it.
//!
//! A saved key's secret is fetched with the (audited) reveal route only when a request first
//! needs it, and lives in the page's memory only: never in `localStorage`, the URL or history.

use std::rc::Rc;

use keygate_types::keys::{ApiKeySummary, KeyState, OrderMode, Scope};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::body::{mask, KeyPlace};
use super::spec::Endpoint;
use crate::api::{self, ApiError};
use crate::components::CopyButton;
use crate::format::{local_time, mode_label, scope_label};

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum KeySource {
    /// Nothing chosen yet.
    Nothing,
    /// One of the user's keys; `secret` once revealed.
    Saved {
        /// The key as listed.
        summary: Box<ApiKeySummary>,
        /// The full key, after the first request revealed it.
        secret: Option<String>,
    },
    /// A key pasted by the user (maybe someone else's, or one made elsewhere).
    Pasted(String),
}

/// The chosen key and where it travels.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenKey {
    /// Where the key comes from.
    pub source: KeySource,
    /// Body `apikey` or `X-API-KEY`.
    pub place: KeyPlace,
}

impl ChosenKey {
    /// The name shown in history (never the key).
    pub fn name(&self) -> String {
        match &self.source {
            KeySource::Nothing => "no key".to_owned(),
            KeySource::Saved { summary, .. } => summary.name.clone(),
            KeySource::Pasted(_) => "pasted key".to_owned(),
        }
    }

    /// The saved key's scopes (unknown for a pasted key).
    pub fn scopes(&self) -> Option<&[Scope]> {
        match &self.source {
            KeySource::Saved { summary, .. } => Some(&summary.scopes),
            _ => None,
        }
    }

    /// The saved key's order mode.
    pub fn order_mode(&self) -> Option<OrderMode> {
        match &self.source {
            KeySource::Saved { summary, .. } => Some(summary.order_mode),
            _ => None,
        }
    }

    /// The secret if it is already in memory.
    pub fn known_secret(&self) -> Option<&str> {
        match &self.source {
            KeySource::Saved { secret, .. } => secret.as_deref(),
            KeySource::Pasted(key) => Some(key.trim()),
            KeySource::Nothing => None,
        }
    }

    /// Why `endpoint` cannot be used with this key, if it cannot (a `read` key and an order
    /// endpoint; `exit_only` may reduce positions but not toggle the analyzer).
    pub fn blocked(&self, endpoint: &Endpoint) -> Option<String> {
        let scopes = self.scopes()?;
        if !endpoint.needs_trade() || scopes.contains(&Scope::Trade) {
            return None;
        }
        if scopes.contains(&Scope::ExitOnly) && endpoint.places_orders() {
            return None;
        }
        Some(if scopes.contains(&Scope::ExitOnly) {
            "This key is exit_only: it may reduce positions but not switch the analyzer. That needs the trade scope.".to_owned()
        } else {
            "This key has only the read scope: order endpoints need the trade (or exit_only) scope. Edit the key on the API Keys page or pick another.".to_owned()
        })
    }

    /// The full key: the pasted one, the one in memory, or revealed now (recorded in the key's
    /// audit trail). `on_revealed` stores a freshly revealed secret.
    pub async fn obtain(
        &self,
        csrf: &str,
        on_revealed: &Callback<(i64, String)>,
    ) -> Result<String, ApiError> {
        match &self.source {
            KeySource::Nothing => Err(ApiError::invalid(
                "key",
                "Choose one of your keys or paste a key first.",
            )),
            KeySource::Pasted(key) => {
                let key = key.trim();
                if key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
                    Ok(key.to_owned())
                } else {
                    Err(ApiError::invalid(
                        "key",
                        "A keygate API key is 64 hexadecimal characters.",
                    ))
                }
            }
            KeySource::Saved {
                secret: Some(secret),
                ..
            } => Ok(secret.clone()),
            KeySource::Saved { summary, .. } => {
                let revealed = api::keys::reveal(csrf, summary.id).await?;
                on_revealed.emit((summary.id, revealed.api_key.clone()));
                Ok(revealed.api_key)
            }
        }
    }
}

/// Changes to the chosen key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyAction {
    /// Use this saved key (its secret not yet revealed), or a pasted key when `None`.
    Pick(Option<Box<ApiKeySummary>>),
    /// The pasted key's text changed.
    Paste(String),
    /// Body or header.
    Place(KeyPlace),
    /// The reveal of key `id` answered; kept only if that key is still the chosen one.
    Revealed(i64, String),
}

impl Reducible for ChosenKey {
    type Action = KeyAction;

    fn reduce(self: Rc<Self>, action: KeyAction) -> Rc<Self> {
        let source = match action {
            KeyAction::Pick(Some(summary)) => KeySource::Saved {
                summary,
                secret: None,
            },
            KeyAction::Pick(None) => KeySource::Pasted(String::new()),
            KeyAction::Paste(text) => KeySource::Pasted(text),
            KeyAction::Place(place) => {
                return Rc::new(ChosenKey {
                    source: self.source.clone(),
                    place,
                })
            }
            KeyAction::Revealed(id, secret) => match &self.source {
                KeySource::Saved { summary, .. } if summary.id == id => KeySource::Saved {
                    summary: summary.clone(),
                    secret: Some(secret),
                },
                _ => return self,
            },
        };
        Rc::new(ChosenKey {
            source,
            place: self.place,
        })
    }
}

/// Keys that can be used now.
pub fn usable(keys: &[ApiKeySummary]) -> Vec<ApiKeySummary> {
    keys.iter()
        .filter(|k| matches!(k.state, KeyState::Active | KeyState::InGrace))
        .cloned()
        .collect()
}

/// Properties of [`KeyPicker`].
#[derive(Properties, PartialEq)]
pub struct KeyPickerProps {
    /// The user's usable keys.
    pub keys: Vec<ApiKeySummary>,
    /// The current choice.
    pub chosen: ChosenKey,
    /// Picks a saved key by id, or `None` for "paste a key".
    pub on_pick: Callback<Option<i64>>,
    /// The pasted key changed.
    pub on_paste: Callback<String>,
    /// Body or header.
    pub on_place: Callback<KeyPlace>,
}

/// The key choice: a select of the user's keys with badges, or a pasted key; the revealed key
/// masked, with show and copy; body or header.
#[function_component(KeyPicker)]
pub fn key_picker(props: &KeyPickerProps) -> Html {
    let show = use_state(|| false);
    let selected = match &props.chosen.source {
        KeySource::Saved { summary, .. } => summary.id.to_string(),
        KeySource::Pasted(_) => "paste".to_owned(),
        KeySource::Nothing => String::new(),
    };
    let onchange = {
        let (on_pick, show) = (props.on_pick.clone(), show.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            show.set(false);
            if value == "paste" {
                on_pick.emit(None);
            } else if let Ok(id) = value.parse() {
                on_pick.emit(Some(id));
            }
        })
    };
    let on_paste = props
        .on_paste
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let place = props.chosen.place;
    let place_button = |value: KeyPlace, label: &'static str, testid: &'static str| {
        let onclick = props.on_place.reform(move |_: MouseEvent| value);
        html! {
            <button type="button" role="radio" aria-checked={(place == value).to_string()} data-testid={testid}
                    class={classes!("seg", (place == value).then_some("on"))} {onclick}>{ label }</button>
        }
    };
    let toggle_show = {
        let show = show.clone();
        Callback::from(move |_: MouseEvent| show.set(!*show))
    };

    let detail = match &props.chosen.source {
        KeySource::Nothing => html! {
            <p class="muted" data-testid="key-none">{ "Choose a key to send requests with." }</p>
        },
        KeySource::Pasted(key) => html! {
            <div class="field">
                <label for="pg-paste">{ "Pasted key" }</label>
                <input id="pg-paste" type="password" autocomplete="off" spellcheck="false"
                       placeholder="64 hexadecimal characters" value={key.clone()} oninput={on_paste} />
                <small class="hint">{ "Kept in this page's memory only." }</small>
            </div>
        },
        KeySource::Saved { summary, secret } => html! {
            <>
                <div class="pg-badges" data-testid="key-badges">
                    { for summary.scopes.iter().map(|s| html! {
                        <span class={classes!("badge", (*s == Scope::Read).then_some("badge-muted"))} data-testid="key-scope">{ scope_label(*s) }</span>
                    }) }
                    <span class="badge" data-testid="key-order-mode">{ mode_label(summary.order_mode) }</span>
                    <span class="badge badge-muted">{
                        summary.expires_at.as_ref().map_or_else(|| "never expires".to_owned(), |t| format!("expires {}", local_time(t)))
                    }</span>
                    <span class="badge badge-muted">{
                        if summary.ip_allowlist.is_empty() { "any IP".to_owned() } else { format!("{} allowed IP range(s)", summary.ip_allowlist.len()) }
                    }</span>
                    if summary.state == KeyState::InGrace { <span class="badge badge-warn">{ "in grace" }</span> }
                </div>
                if let Some(secret) = secret {
                    <div class="pg-secret">
                        <code data-testid="key-secret">{ if *show { secret.clone() } else { mask(secret) } }</code>
                        <button type="button" class="btn btn-small" data-testid="key-show" onclick={toggle_show}>
                            { if *show { "Hide" } else { "Show" } }
                        </button>
                        <CopyButton text={secret.clone()} testid="key-copy" />
                        <small class="hint">{ "Revealed for this page only (not stored); the reveal is in the key's audit trail." }</small>
                    </div>
                } else {
                    <p class="hint" data-testid="key-reveal-note">
                        { format!("Key {}: the full key is revealed on the first Send, and that reveal is recorded in the key's audit trail.", summary.masked_key) }
                    </p>
                }
            </>
        },
    };

    html! {
        <div class="card pg-keys" data-testid="key-picker">
            <div class="pg-key-row">
                <div class="field">
                    <label for="pg-key">{ "API key" }</label>
                    <select id="pg-key" {onchange}>
                        <option value="" selected={selected.is_empty()} disabled=true>{ "Choose a key…" }</option>
                        { for props.keys.iter().map(|k| {
                            let value = k.id.to_string();
                            let on = selected == value;
                            html! { <option selected={on} {value}>{ format!("{} ({})", k.name, k.masked_key) }</option> }
                        }) }
                        <option value="paste" selected={selected == "paste"}>{ "Paste a key…" }</option>
                    </select>
                </div>
                <div class="field">
                    <span class="label" id="pg-place-label">{ "Send the key in" }</span>
                    <div class="segmented" role="radiogroup" aria-labelledby="pg-place-label">
                        { place_button(KeyPlace::Body, "body apikey", "place-body") }
                        { place_button(KeyPlace::Header, "X-API-KEY header", "place-header") }
                    </div>
                </div>
            </div>
            if props.keys.is_empty() {
                <p class="hint" data-testid="no-keys">{ "You have no active keys: create one on the API Keys page, or paste a key." }</p>
            }
            { detail }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn summary(id: i64, scopes: Vec<Scope>, state: KeyState) -> ApiKeySummary {
        ApiKeySummary {
            id,
            name: format!("k{id}"),
            masked_key: "abcd…wxyz".to_owned(),
            scopes,
            order_mode: OrderMode::Auto,
            ip_allowlist: Vec::new(),
            state,
            created_at: Utc::now(),
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
            last_used_ip: None,
            grace: None,
            broker_connection: None,
        }
    }

    fn endpoint(id: &str, tag: &str) -> Endpoint {
        Endpoint {
            id: id.to_owned(),
            path: format!("/api/v1/{id}"),
            tag: tag.to_owned(),
            summary: String::new(),
            description: None,
            body_note: None,
            example: None,
            fields: Vec::new(),
        }
    }

    fn chosen(scopes: Vec<Scope>) -> ChosenKey {
        ChosenKey {
            source: KeySource::Saved {
                summary: Box::new(summary(1, scopes, KeyState::Active)),
                secret: None,
            },
            place: KeyPlace::Body,
        }
    }

    #[test]
    fn read_keys_are_blocked_from_orders_and_exit_only_from_the_toggle() {
        let order = endpoint("place_order", "orders");
        let toggle = endpoint("toggle_analyzer", "utilities");
        let funds = endpoint("funds", "account");
        let read = chosen(vec![Scope::Read]);
        assert!(read.blocked(&order).unwrap().contains("read scope"));
        assert!(read.blocked(&toggle).is_some());
        assert!(read.blocked(&funds).is_none());
        let exit = chosen(vec![Scope::ExitOnly]);
        assert!(exit.blocked(&order).is_none());
        assert!(exit.blocked(&toggle).unwrap().contains("exit_only"));
        assert!(chosen(vec![Scope::Trade]).blocked(&toggle).is_none());
        let pasted = ChosenKey {
            source: KeySource::Pasted("x".into()),
            place: KeyPlace::Body,
        };
        assert!(
            pasted.blocked(&order).is_none(),
            "a pasted key's scopes are unknown"
        );
    }

    #[test]
    fn a_reveal_lands_only_on_the_key_it_was_for() {
        let start = Rc::new(chosen(vec![Scope::Trade]));
        let other = start.clone().reduce(KeyAction::Revealed(2, "s".into()));
        assert_eq!(other.known_secret(), None);
        let same = start.reduce(KeyAction::Revealed(1, "s".into()));
        assert_eq!(same.known_secret(), Some("s"));
        let header = same.reduce(KeyAction::Place(KeyPlace::Header));
        assert_eq!(
            (header.place, header.known_secret()),
            (KeyPlace::Header, Some("s"))
        );
        let repicked = header.reduce(KeyAction::Pick(Some(Box::new(summary(
            1,
            vec![],
            KeyState::Active,
        )))));
        assert_eq!(
            repicked.known_secret(),
            None,
            "picking again forgets the secret"
        );
    }

    #[test]
    fn only_active_and_grace_keys_are_offered() {
        let keys = [
            summary(1, vec![], KeyState::Active),
            summary(2, vec![], KeyState::Revoked),
            summary(3, vec![], KeyState::InGrace),
            summary(4, vec![], KeyState::Expired),
        ];
        let ids: Vec<i64> = usable(&keys).iter().map(|k| k.id).collect();
        assert_eq!(ids, [1, 3]);
    }
}
