//! What a key allows: scopes, order mode, IP allowlist, expiry. Parsing of the owner's input into
//! these, with field-level errors.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use keygate_types::keys::{OrderMode, Scope};

use crate::error::{CoreError, CoreResult};

/// Most addresses/blocks one key's allowlist may hold.
pub const MAX_ALLOWLIST: usize = 50;

/// What an `/api/v1` route needs from a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Account and market data.
    Read,
    /// Opening or adding to a position (place, smart order, modify).
    Open,
    /// Cancelling orders and closing positions.
    Exit,
}

/// The set of scopes a key holds, as bits for a cheap check on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    const READ: u8 = 1;
    const TRADE: u8 = 2;
    const EXIT_ONLY: u8 = 4;

    fn bit(scope: Scope) -> u8 {
        match scope {
            Scope::Read => Self::READ,
            Scope::Trade => Self::TRADE,
            Scope::ExitOnly => Self::EXIT_ONLY,
        }
    }

    /// The set holding `scopes`.
    pub fn from_list(scopes: &[Scope]) -> Self {
        Self(scopes.iter().fold(0, |acc, s| acc | Self::bit(*s)))
    }

    /// Parses the stored comma-separated form; unknown names are ignored.
    pub fn from_db(raw: &str) -> Self {
        let list: Vec<Scope> = raw
            .split(',')
            .filter_map(|s| match s.trim() {
                "read" => Some(Scope::Read),
                "trade" => Some(Scope::Trade),
                "exit_only" => Some(Scope::ExitOnly),
                _ => None,
            })
            .collect();
        Self::from_list(&list)
    }

    /// The scopes in their canonical order.
    pub fn to_list(self) -> Vec<Scope> {
        [Scope::Read, Scope::Trade, Scope::ExitOnly]
            .into_iter()
            .filter(|s| self.0 & Self::bit(*s) != 0)
            .collect()
    }

    /// The stored comma-separated form.
    pub fn to_db(self) -> String {
        self.to_list()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether these scopes grant `permission`. `trade` and `exit_only` include `read`.
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => self.0 != 0,
            Permission::Open => self.0 & Self::TRADE != 0,
            Permission::Exit => self.0 & (Self::TRADE | Self::EXIT_ONLY) != 0,
        }
    }

    /// The scope a caller should ask for to get `permission`.
    pub fn needed_for(permission: Permission) -> &'static str {
        match permission {
            Permission::Read => "read",
            Permission::Open => "trade",
            Permission::Exit => "trade or exit_only",
        }
    }
}

/// Parses a stored order mode; anything unknown is treated as the safer `semi_auto`.
pub fn order_mode_from_db(raw: &str) -> OrderMode {
    match raw {
        "auto" => OrderMode::Auto,
        _ => OrderMode::SemiAuto,
    }
}

/// A key name: 1 to 64 characters, trimmed, no control characters.
pub fn parse_name(raw: &str) -> CoreResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(CoreError::field(
            "name",
            "must be 1 to 64 characters without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// At least one scope; duplicates collapse.
pub fn parse_scopes(scopes: &[Scope]) -> CoreResult<Scopes> {
    let set = Scopes::from_list(scopes);
    if set == Scopes::default() {
        return Err(CoreError::field(
            "scopes",
            "must hold at least one of read, trade, exit_only",
        ));
    }
    Ok(set)
}

/// Addresses and CIDR blocks, normalised (`10.0.0.7` becomes `10.0.0.7/32`, host bits cleared).
pub fn parse_allowlist(entries: &[String]) -> CoreResult<Vec<IpNet>> {
    if entries.len() > MAX_ALLOWLIST {
        return Err(CoreError::field(
            "ip_allowlist",
            format!("may hold at most {MAX_ALLOWLIST} entries"),
        ));
    }
    let mut nets = Vec::with_capacity(entries.len());
    for entry in entries {
        let text = entry.trim();
        let net = text
            .parse::<IpNet>()
            .map(|n| n.trunc())
            .or_else(|_| {
                text.parse::<IpAddr>()
                    .map(|ip| IpNet::from(ip.to_canonical()))
            })
            .map_err(|_| {
                CoreError::field(
                    "ip_allowlist",
                    format!("'{text}' is not an IPv4/IPv6 address or CIDR block"),
                )
            })?;
        if !nets.contains(&net) {
            nets.push(net);
        }
    }
    Ok(nets)
}

/// The stored JSON form of an allowlist.
pub fn allowlist_to_db(nets: &[IpNet]) -> String {
    serde_json::to_string(&nets.iter().map(ToString::to_string).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

/// A key's allowlist as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowlist {
    /// No restriction (the stored list is empty).
    Any,
    /// Only these addresses and blocks.
    Only(Vec<IpNet>),
    /// The stored form does not parse: nobody is let in (fail closed), not everybody.
    Unreadable,
}

/// Parses the stored JSON form. Anything that does not parse (the JSON or any one entry) makes
/// the whole list [`Allowlist::Unreadable`], which refuses every address: a damaged list must
/// never widen to "any address". Logged without the list's content.
pub fn allowlist_from_db(raw: &str) -> Allowlist {
    let parsed = serde_json::from_str::<Vec<String>>(raw)
        .ok()
        .and_then(|entries| {
            entries
                .iter()
                .map(|e| e.parse::<IpNet>().ok())
                .collect::<Option<Vec<_>>>()
        });
    match parsed {
        Some(nets) if nets.is_empty() => Allowlist::Any,
        Some(nets) => Allowlist::Only(nets),
        None => {
            log::warn!(
                "a stored IP allowlist does not parse; the key is refused from every address"
            );
            Allowlist::Unreadable
        }
    }
}

/// Whether `ip` may use a key with this allowlist.
pub fn ip_allowed(allowlist: &Allowlist, ip: IpAddr) -> bool {
    match allowlist {
        Allowlist::Any => true,
        Allowlist::Only(nets) => {
            let ip = ip.to_canonical();
            nets.iter().any(|net| net.contains(&ip))
        }
        Allowlist::Unreadable => false,
    }
}

/// An expiry must lie in the future.
pub fn parse_expiry(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CoreResult<Option<DateTime<Utc>>> {
    match expires_at {
        Some(t) if t <= now => Err(CoreError::field("expires_at", "must be in the future")),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_grant_what_the_docs_say() {
        let read = Scopes::from_list(&[Scope::Read]);
        let trade = Scopes::from_list(&[Scope::Trade]);
        let exit = Scopes::from_list(&[Scope::ExitOnly]);
        assert!(
            read.allows(Permission::Read)
                && !read.allows(Permission::Open)
                && !read.allows(Permission::Exit)
        );
        assert!(
            trade.allows(Permission::Read)
                && trade.allows(Permission::Open)
                && trade.allows(Permission::Exit)
        );
        assert!(
            exit.allows(Permission::Read)
                && !exit.allows(Permission::Open)
                && exit.allows(Permission::Exit)
        );
        assert_eq!(Scopes::from_db(&trade.to_db()), trade);
    }

    #[test]
    fn allowlist_accepts_addresses_and_blocks_and_matches_mapped_ipv4() {
        let nets = parse_allowlist(&[
            "10.1.2.3".into(),
            "192.168.0.0/16".into(),
            "2001:db8::/32".into(),
        ])
        .unwrap();
        let list = allowlist_from_db(&allowlist_to_db(&nets));
        assert_eq!(list, Allowlist::Only(nets));
        let nets = &list;
        assert!(ip_allowed(nets, "10.1.2.3".parse().unwrap()));
        assert!(ip_allowed(nets, "::ffff:192.168.9.9".parse().unwrap()));
        assert!(ip_allowed(nets, "2001:db8::1".parse().unwrap()));
        assert!(!ip_allowed(nets, "10.1.2.4".parse().unwrap()));
        assert!(parse_allowlist(&["10.0.0.0/33".into()]).is_err());
        assert!(parse_allowlist(&["example.com".into()]).is_err());
    }

    #[test]
    fn an_empty_stored_allowlist_allows_any_address() {
        assert!(ip_allowed(
            &allowlist_from_db("[]"),
            "203.0.113.9".parse().unwrap()
        ));
    }

    #[test]
    fn an_unparsable_stored_allowlist_denies_every_address() {
        for raw in [
            "not json",
            "{}",
            r#"["10.0.0.0/8", "garbage"]"#,
            r#"["garbage"]"#,
            "",
        ] {
            let list = allowlist_from_db(raw);
            assert_eq!(list, Allowlist::Unreadable, "{raw}");
            assert!(!ip_allowed(&list, "10.1.2.3".parse().unwrap()), "{raw}");
        }
    }
}
