//! What the key form holds, and how it becomes a create or update request.

use keygate_types::keys::{ApiKeySummary, CreateApiKey, OrderMode, Scope, UpdateApiKey};

use crate::api::ApiError;
use crate::format::{from_datetime_local, lines, to_datetime_local};

/// Every scope, in the order the form lists and sends them.
pub const ALL_SCOPES: [Scope; 3] = [Scope::Read, Scope::Trade, Scope::ExitOnly];

/// The scopes for which `ticked` holds, in [`ALL_SCOPES`] order.
fn scopes_where(ticked: impl Fn(Scope) -> bool) -> Vec<Scope> {
    ALL_SCOPES
        .into_iter()
        .filter(|scope| ticked(*scope))
        .collect()
}

/// The key form's fields as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFormData {
    /// Key name.
    pub name: String,
    /// Ticked scopes, in [`ALL_SCOPES`] order (a vector: a `BTreeSet` would add its own B-tree
    /// code to the WebAssembly for three values).
    pub scopes: Vec<Scope>,
    /// Order mode (create only; existing keys change mode from the table).
    pub order_mode: OrderMode,
    /// `datetime-local` value, empty for no expiry.
    pub expires_at: String,
    /// One address or CIDR block per line.
    pub ip_allowlist: String,
    /// The broker connection the key trades on; `None`: the paper account.
    pub broker_connection_id: Option<i64>,
}

impl Default for KeyFormData {
    fn default() -> Self {
        Self {
            name: String::new(),
            scopes: vec![Scope::Read],
            order_mode: OrderMode::Auto,
            expires_at: String::new(),
            ip_allowlist: String::new(),
            broker_connection_id: None,
        }
    }
}

impl KeyFormData {
    /// The form filled with an existing key's settings.
    pub fn from_key(key: &ApiKeySummary) -> Self {
        Self {
            name: key.name.clone(),
            scopes: scopes_where(|scope| key.scopes.contains(&scope)),
            order_mode: key.order_mode,
            expires_at: key
                .expires_at
                .as_ref()
                .map(to_datetime_local)
                .unwrap_or_default(),
            ip_allowlist: key.ip_allowlist.join("\n"),
            broker_connection_id: key.broker_connection.as_ref().map(|c| c.id),
        }
    }

    /// Ticks or unticks `scope`.
    pub fn set_scope(&mut self, scope: Scope, ticked: bool) {
        self.scopes = scopes_where(|s| {
            if s == scope {
                ticked
            } else {
                self.scopes.contains(&s)
            }
        });
    }

    /// The body of `POST /api/keys`, or the first problem found in the browser.
    pub fn to_create(&self) -> Result<CreateApiKey, ApiError> {
        self.check()?;
        Ok(CreateApiKey {
            name: self.name.trim().to_owned(),
            scopes: self.scopes.clone(),
            order_mode: self.order_mode,
            expires_at: parse_expiry(&self.expires_at)?,
            ip_allowlist: lines(&self.ip_allowlist),
            broker_connection_id: self.broker_connection_id,
        })
    }

    /// The body of `PATCH /api/keys/{id}` with only the fields that differ from `key`.
    pub fn to_update(&self, key: &ApiKeySummary) -> Result<UpdateApiKey, ApiError> {
        self.check()?;
        let name = self.name.trim();
        let original_scopes = scopes_where(|scope| key.scopes.contains(&scope));
        let allowlist = lines(&self.ip_allowlist);
        let original_expiry = key.expires_at.as_ref().map(to_datetime_local);
        let expiry_changed = original_expiry.as_deref().unwrap_or("") != self.expires_at.trim();
        let original_broker = key.broker_connection.as_ref().map(|c| c.id);
        Ok(UpdateApiKey {
            name: (name != key.name).then(|| name.to_owned()),
            scopes: (self.scopes != original_scopes).then(|| self.scopes.clone()),
            order_mode: None,
            ip_allowlist: (allowlist != key.ip_allowlist).then_some(allowlist),
            expires_at: if expiry_changed {
                Some(parse_expiry(&self.expires_at)?)
            } else {
                None
            },
            broker_connection_id: (self.broker_connection_id != original_broker)
                .then_some(self.broker_connection_id),
        })
    }

    fn check(&self) -> Result<(), ApiError> {
        if self.name.trim().is_empty() {
            return Err(ApiError::invalid("name", "Give the key a name."));
        }
        if self.scopes.is_empty() {
            return Err(ApiError::invalid("scopes", "Tick at least one scope."));
        }
        Ok(())
    }
}

fn parse_expiry(value: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    from_datetime_local(value).map_err(|problem| ApiError::invalid("expires_at", problem))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use keygate_types::brokers::BrokerKind;
    use keygate_types::keys::{BoundConnection, KeyState};

    use super::*;

    fn key() -> ApiKeySummary {
        ApiKeySummary {
            id: 7,
            name: "tv-bot".to_owned(),
            masked_key: "abcd…wxyz".to_owned(),
            scopes: vec![Scope::Trade, Scope::Read],
            order_mode: OrderMode::Auto,
            ip_allowlist: vec!["10.0.0.1".to_owned()],
            state: KeyState::Active,
            created_at: Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
            expires_at: Some(Utc.with_ymd_and_hms(2031, 1, 1, 12, 0, 0).unwrap()),
            revoked_at: None,
            last_used_at: None,
            last_used_ip: None,
            grace: None,
            broker_connection: Some(BoundConnection {
                id: 3,
                kind: BrokerKind::BinanceSpot,
                label: "main".to_owned(),
            }),
        }
    }

    #[test]
    fn an_untouched_edit_form_changes_nothing() {
        let update = KeyFormData::from_key(&key()).to_update(&key()).unwrap();
        assert_eq!(update, UpdateApiKey::default());
    }

    #[test]
    fn scopes_stay_in_form_order_whatever_order_they_are_ticked_in() {
        let mut form = KeyFormData::from_key(&key());
        assert_eq!(form.scopes, vec![Scope::Read, Scope::Trade]);
        form.set_scope(Scope::Read, false);
        form.set_scope(Scope::ExitOnly, true);
        form.set_scope(Scope::Read, true);
        assert_eq!(
            form.scopes,
            vec![Scope::Read, Scope::Trade, Scope::ExitOnly]
        );
        let update = form.to_update(&key()).unwrap();
        assert_eq!(update.scopes, Some(form.scopes.clone()));
    }

    #[test]
    fn clearing_the_expiry_sends_an_explicit_null() {
        let mut form = KeyFormData::from_key(&key());
        form.expires_at.clear();
        form.ip_allowlist = "10.0.0.1\n10.0.0.0/8\n".to_owned();
        let update = form.to_update(&key()).unwrap();
        assert_eq!(update.expires_at, Some(None));
        assert_eq!(
            update.ip_allowlist,
            Some(vec!["10.0.0.1".to_owned(), "10.0.0.0/8".to_owned()])
        );
        assert_eq!(update.name, None);
    }

    #[test]
    fn choosing_paper_unbinds_and_another_connection_binds() {
        let mut form = KeyFormData::from_key(&key());
        assert_eq!(form.broker_connection_id, Some(3));
        form.broker_connection_id = None;
        assert_eq!(
            form.to_update(&key()).unwrap().broker_connection_id,
            Some(None)
        );
        form.broker_connection_id = Some(4);
        assert_eq!(
            form.to_update(&key()).unwrap().broker_connection_id,
            Some(Some(4))
        );
    }

    #[test]
    fn create_needs_a_name_and_a_scope() {
        let mut form = KeyFormData::default();
        assert!(!form.to_create().unwrap_err().field("name").is_empty());
        form.name = " bot ".to_owned();
        form.scopes.clear();
        assert!(!form.to_create().unwrap_err().field("scopes").is_empty());
        form.set_scope(Scope::ExitOnly, true);
        let body = form.to_create().unwrap();
        assert_eq!(body.name, "bot");
        assert_eq!(body.scopes, vec![Scope::ExitOnly]);
        assert_eq!(body.expires_at, None);
        assert_eq!(body.broker_connection_id, None);
    }
}
