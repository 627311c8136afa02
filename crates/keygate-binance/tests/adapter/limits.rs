//! Time, weight and failure handling: clock skew, the weight budget, Retry-After, bans, stalls
//! and server errors.

use std::time::{Duration, Instant};

use keygate_binance::mock::{Endpoint, Fault};
use keygate_broker::{Broker, BrokerError, ErrorKind, Exchange, Ledger};

use crate::setup;

#[tokio::test]
async fn clock_skew_is_corrected_by_the_server_time_offset() {
    let (mock, spot) = setup();
    mock.set_clock_skew_ms(30_000);
    spot.funds(1, Ledger::Live).await.unwrap();
    // The exchange's clock jumps after the offset was measured: one -1021, a resync, a retry.
    mock.set_clock_skew_ms(-20_000);
    spot.funds(1, Ledger::Live).await.unwrap();
    let accounts: Vec<u16> = mock
        .requests()
        .iter()
        .filter(|r| r.endpoint == Endpoint::Account)
        .map(|r| r.status)
        .collect();
    assert_eq!(accounts, vec![200, 400, 200]);
    assert_eq!(mock.count(Endpoint::Time), 2);
}

#[tokio::test]
async fn the_weight_budget_waits_for_the_next_minute_instead_of_hitting_the_limit() {
    let (mock, spot) = setup();
    // Put the exchange's minute 1.5 s from its end.
    let now = mock.server_now();
    let end = (now.div_euclid(60_000) + 1) * 60_000;
    mock.set_clock_skew_ms(end - 1_500 - now);
    spot.instrument("BTCUSDT", Exchange::Crypto).await.unwrap();
    mock.set_used_weight(5_990);
    spot.quote("BTCUSDT", Exchange::Crypto).await.unwrap();
    assert_eq!(spot.used_weight().await, 5_992);
    let started = Instant::now();
    spot.funds(1, Ledger::Live).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    let requests = mock.requests();
    assert!(requests.iter().all(|r| r.status != 429), "{requests:?}");
    let account = requests
        .iter()
        .find(|r| r.endpoint == Endpoint::Account)
        .unwrap();
    assert!(account.server_time >= end, "sent in the next minute");
}

#[tokio::test]
async fn a_429_waits_its_retry_after_then_succeeds() {
    let (mock, spot) = setup();
    spot.sync_time().await.unwrap();
    mock.push_fault(Fault::RateLimit {
        status: 429,
        retry_after_s: 1,
    });
    let started = Instant::now();
    spot.quote("BTCUSDT", Exchange::Crypto).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![200, 429, 200, 200],
        "time, refused info, info, ticker"
    );
}

#[tokio::test]
async fn a_long_ban_fails_fast_without_calling_the_exchange_again() {
    let (mock, spot) = setup();
    spot.sync_time().await.unwrap();
    mock.push_fault(Fault::RateLimit {
        status: 418,
        retry_after_s: 120,
    });
    let started = Instant::now();
    let e = spot.quote("BTCUSDT", Exchange::Crypto).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Internal);
    let e = spot.funds(1, Ledger::Live).await.unwrap_err();
    assert!(matches!(e, BrokerError::Unavailable(_)), "{e}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(mock.requests().len(), 2, "time and the banned call only");
}

#[tokio::test]
async fn a_stalled_or_failing_exchange_is_unavailable_within_the_timeout() {
    let (mock, spot) = setup();
    spot.sync_time().await.unwrap();
    mock.push_fault(Fault::Stall(Duration::from_secs(3)));
    let started = Instant::now();
    let e = spot.funds(1, Ledger::Live).await.unwrap_err();
    assert!(matches!(e, BrokerError::Unavailable(_)), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
    mock.push_fault(Fault::Fail {
        status: 500,
        code: -1000,
        msg: "An unknown error occurred while processing the request.".into(),
    });
    let e = spot.funds(1, Ledger::Live).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Internal);
    assert!(
        spot.funds(1, Ledger::Live).await.is_ok(),
        "served again once the fault is spent"
    );
}
