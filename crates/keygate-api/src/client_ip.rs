//! The client's address, as every rule that depends on it (allowlists, rate limits, audit) sees it.

use std::future::{ready, Ready};
use std::net::{IpAddr, Ipv4Addr};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

/// The peer address of the connection (IPv4-mapped IPv6 folded to IPv4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address of `req`'s peer; unspecified when the transport has none (in-process tests).
    pub fn of(req: &HttpRequest) -> Self {
        let ip = req
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip().to_canonical());
        Self(ip)
    }
}

impl FromRequest for ClientIp {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}
