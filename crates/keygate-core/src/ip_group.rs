//! The unit every per-address rule applies to: bans, the invalid-key count, and every per-IP rate
//! limit. An IPv4 address is its own group; an IPv6 address stands for its /64, because one
//! subscriber is routinely handed a whole /64 and can rotate through it freely. An IPv4-mapped
//! IPv6 address (`::ffff:1.2.3.4`) is the IPv4 address.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 address, or the network address of an IPv6 /64. Built only by [`IpGroup::of`] (or
/// parsed from its text), so two addresses of one /64 always give equal groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpGroup(IpAddr);

/// Bits of an IPv6 address that name its group.
const V6_PREFIX: u32 = 64;

impl IpGroup {
    /// The group `ip` belongs to.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let mask = u128::MAX << (128 - V6_PREFIX);
                Self(IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)))
            }
        }
    }

    /// The group's first address (the IPv4 address itself, or the /64's network address).
    pub fn network(&self) -> IpAddr {
        self.0
    }

    /// Whether `ip` is in this group.
    pub fn contains(&self, ip: IpAddr) -> bool {
        Self::of(ip) == *self
    }
}

impl From<IpAddr> for IpGroup {
    fn from(ip: IpAddr) -> Self {
        Self::of(ip)
    }
}

/// `1.2.3.4`, or `2001:db8:0:1::/64`: the text bans are stored and shown under.
impl fmt::Display for IpGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/{V6_PREFIX}"),
        }
    }
}

/// Why a text is not an address or an IPv6 /64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an IP address or an IPv6 /64")]
pub struct InvalidIpGroup;

/// Accepts any address (`2001:db8::5` gives its /64) or an IPv6 block written with `/64`.
impl FromStr for IpGroup {
    type Err = InvalidIpGroup;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        let address = match raw.split_once('/') {
            Some((address, prefix)) if prefix == V6_PREFIX.to_string() => address,
            Some(_) => return Err(InvalidIpGroup),
            None => raw,
        };
        let ip: IpAddr = address.parse().map_err(|_| InvalidIpGroup)?;
        if raw.contains('/') && !matches!(ip.to_canonical(), IpAddr::V6(_)) {
            return Err(InvalidIpGroup);
        }
        Ok(Self::of(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(s: &str) -> IpGroup {
        IpGroup::of(s.parse().unwrap())
    }

    #[test]
    fn ipv6_addresses_of_one_64_share_a_group_and_ipv4_stays_exact() {
        assert_eq!(group("2001:db8:1:2::1"), group("2001:db8:1:2:ffff:1:2:3"));
        assert_ne!(group("2001:db8:1:2::1"), group("2001:db8:1:3::1"));
        assert_ne!(group("10.0.0.1"), group("10.0.0.2"));
        assert_eq!(group("::ffff:10.0.0.1"), group("10.0.0.1"));
        assert_eq!(group("2001:db8:1:2::9").to_string(), "2001:db8:1:2::/64");
        assert_eq!(group("::ffff:10.0.0.1").to_string(), "10.0.0.1");
    }

    #[test]
    fn groups_parse_from_addresses_and_their_own_text() {
        for text in ["2001:db8:1:2::/64", "2001:db8:1:2::77", "1.2.3.4"] {
            let parsed: IpGroup = text.parse().unwrap();
            assert_eq!(parsed.to_string().parse::<IpGroup>().unwrap(), parsed);
        }
        assert!("2001:db8::/48".parse::<IpGroup>().is_err());
        assert!("1.2.3.4/64".parse::<IpGroup>().is_err());
        assert!("nope".parse::<IpGroup>().is_err());
    }
}
