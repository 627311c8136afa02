//! The client's address, as every rule that depends on it (allowlists, rate limits, bans, the
//! traffic log, audit) sees it.
//!
//! It is the connection's peer address, unless that peer is one of `KEYGATE_TRUSTED_PROXIES`: then
//! `X-Forwarded-For` is read from the right, skipping trusted hops, and the first untrusted hop is
//! the client. Nothing is trusted by default, so a forged header changes nothing.

use std::future::{ready, Ready};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use ipnet::IpNet;

use crate::error::ApiError;

/// The client address (IPv4-mapped IPv6 folded to IPv4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The proxies whose `X-Forwarded-For` is believed (`KEYGATE_TRUSTED_PROXIES`), registered as
/// app data for the [`ClientIp`] extractor (`startup.rs`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpNet]>);

impl ClientIp {
    /// The client address of `req`: the peer, or (behind one of the `trusted` proxies) the
    /// rightmost untrusted `X-Forwarded-For` hop. Unspecified when the transport has no peer
    /// (in-process tests).
    pub fn of(req: &HttpRequest, trusted: &[IpNet]) -> Self {
        Self::resolve(req.peer_addr().map(|a| a.ip()), req.headers(), trusted)
    }

    /// The rule itself, over a peer address, the headers and the trusted proxies.
    pub fn resolve(
        peer: Option<IpAddr>,
        headers: &actix_web::http::header::HeaderMap,
        trusted: &[IpNet],
    ) -> Self {
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ip| ip.to_canonical());
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        if trusted.is_empty() || !is_trusted(&peer) {
            return Self(peer);
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip.to_canonical();
                    if !is_trusted(&client) {
                        break;
                    }
                }
                // Garbage from an untrusted party: keep the last hop a trusted proxy vouched for.
                Err(_) => break,
            }
        }
        Self(client)
    }
}

/// For handlers: the address under the server's [`TrustedProxies`]. Without them registered
/// the request fails (a logged 500 naming them) rather than guess which proxies to believe.
impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.app_data::<TrustedProxies>() {
            Some(trusted) => Ok(Self::of(req, &trusted.0)),
            None => Err(ApiError::internal(
                "the ClientIp extractor needs TrustedProxies in the app data",
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_str(xff).unwrap(),
        );
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_trusted() {
        let h = headers("1.2.3.4");
        assert_eq!(
            ClientIp::resolve(Some(ip("9.9.9.9")), &h, &[]).0,
            ip("9.9.9.9")
        );
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            ClientIp::resolve(Some(ip("9.9.9.9")), &h, &trusted).0,
            ip("9.9.9.9")
        );
        assert_eq!(
            ClientIp::resolve(Some(ip("10.0.0.1")), &h, &trusted).0,
            ip("1.2.3.4")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let h = headers("6.6.6.6, 1.2.3.4, 10.0.0.7");
        assert_eq!(
            ClientIp::resolve(Some(ip("10.0.0.1")), &h, &trusted).0,
            ip("1.2.3.4")
        );
        let h = headers("1.2.3.4, garbage, 10.0.0.7");
        assert_eq!(
            ClientIp::resolve(Some(ip("10.0.0.1")), &h, &trusted).0,
            ip("10.0.0.7")
        );
    }
}
