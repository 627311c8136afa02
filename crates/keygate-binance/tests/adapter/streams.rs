//! Market streams against the mock: watches become ticks in the feed's shape, one socket per
//! exchange shared by every watcher, unsubscribes, the exchange's pings, a lost upstream
//! reported and reconnected, and the renewal before Binance's 24-hour disconnect.

use std::time::Duration;

use keygate_binance::mock::MockExchange;
use keygate_binance::stream::{MarketStreams, StreamConfig, StreamEvent, StreamStatus};
use keygate_broker::market::Tick;
use keygate_broker::Exchange;
use tokio::sync::broadcast::Receiver;
use tokio::time::{sleep, timeout, Instant};

fn fast() -> StreamConfig {
    StreamConfig {
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_millis(400),
        ..StreamConfig::default()
    }
}

/// The next tick of `symbol` that satisfies `want`, within 5 s.
async fn tick_of(
    events: &mut Receiver<StreamEvent>,
    symbol: &str,
    want: impl Fn(&Tick) -> bool,
) -> Tick {
    let wait = async {
        loop {
            if let Ok(StreamEvent::Tick(t)) = events.recv().await {
                if t.quote.symbol == symbol && want(&t) {
                    return t;
                }
            }
        }
    };
    timeout(Duration::from_secs(5), wait)
        .await
        .expect("a tick within 5 s")
}

async fn event(events: &mut Receiver<StreamEvent>, want: fn(&StreamEvent) -> bool) -> StreamEvent {
    let wait = async {
        loop {
            if let Ok(e) = events.recv().await {
                if want(&e) {
                    return e;
                }
            }
        }
    };
    timeout(Duration::from_secs(5), wait)
        .await
        .expect("the event within 5 s")
}

#[tokio::test]
async fn watched_pairs_tick_in_the_feed_shape_over_one_shared_socket() {
    let mock = MockExchange::start().unwrap();
    let streams = MarketStreams::new(fast());
    let stream = streams.for_base(mock.url());
    assert!(std::sync::Arc::ptr_eq(
        &stream,
        &streams.for_base(&format!("{}/", mock.url()))
    ));
    let mut events = stream.events();
    let btc = stream.watch("BTCUSDT", false).unwrap();
    let t = tick_of(&mut events, "BTCUSDT", |_| true).await;
    assert_eq!(t.quote.exchange, Exchange::Crypto);
    assert_eq!(
        (t.quote.ltp, t.quote.bid, t.quote.ask),
        (50_000.0, 49_999.99, 50_000.01)
    );
    // A second watcher of another pair, with depth: the same socket, a live SUBSCRIBE.
    let eth = streams.for_base(mock.url()).watch("ETHUSDT", true).unwrap();
    let t = tick_of(&mut events, "ETHUSDT", |t| t.bids.len() == 5).await;
    assert_eq!(
        (t.bids[0].price, t.asks[0].price, t.asks[4].quantity),
        (2_999.99, 3_000.01, 5.0)
    );
    assert_eq!(t.totalbuyqty, 15.0);
    mock.set_last("BTCUSDT", 51_000.0);
    tick_of(&mut events, "BTCUSDT", |t| t.quote.ltp == 51_000.0).await;
    assert_eq!(stream.last("BTCUSDT").unwrap().quote.ltp, 51_000.0);
    assert_eq!(
        mock.stream_connects(),
        1,
        "one upstream socket for every watcher"
    );
    assert_eq!(stream.status(), StreamStatus::Up);
    assert_eq!(
        stream.streams(),
        ["btcusdt@ticker", "ethusdt@depth5@100ms", "ethusdt@ticker"]
    );
    drop((btc, eth));
}

#[tokio::test]
async fn a_released_pair_stops_ticking_and_the_last_release_closes_the_socket() {
    let mock = MockExchange::start().unwrap();
    let stream = MarketStreams::new(fast()).for_base(mock.url());
    let mut events = stream.events();
    let first = stream.watch("BTCUSDT", false).unwrap();
    let second = stream.watch("BTCUSDT", false).unwrap();
    let eth = stream.watch("ETHUSDT", false).unwrap();
    tick_of(&mut events, "ETHUSDT", |_| true).await;
    drop(first);
    assert_eq!(
        stream.streams(),
        ["btcusdt@ticker", "ethusdt@ticker"],
        "still watched once"
    );
    drop(second);
    assert_eq!(stream.streams(), ["ethusdt@ticker"]);
    // Let the UNSUBSCRIBE land, then no BTCUSDT tick arrives while ETHUSDT keeps ticking.
    sleep(Duration::from_millis(300)).await;
    let mut events = stream.events();
    let until = Instant::now() + Duration::from_millis(600);
    let mut eth_ticks = 0;
    while let Ok(Ok(StreamEvent::Tick(t))) = timeout(until - Instant::now(), events.recv()).await {
        assert_eq!(t.quote.symbol, "ETHUSDT", "an unsubscribed pair ticked");
        eth_ticks += 1;
    }
    assert!(eth_ticks >= 3, "{eth_ticks}");
    drop(eth);
    let idle = async {
        while stream.status() != StreamStatus::Idle {
            sleep(Duration::from_millis(20)).await;
        }
    };
    timeout(Duration::from_secs(2), idle)
        .await
        .expect("idle once nothing is watched");
    assert_eq!(mock.stream_connects(), 1);
}

#[tokio::test]
async fn a_lost_upstream_is_reported_then_reconnected_with_the_same_pairs() {
    let mock = MockExchange::start().unwrap();
    let stream = MarketStreams::new(fast()).for_base(mock.url());
    let mut events = stream.events();
    let _btc = stream.watch("BTCUSDT", true).unwrap();
    tick_of(&mut events, "BTCUSDT", |_| true).await;
    mock.stop_streams();
    let down = event(&mut events, |e| matches!(e, StreamEvent::Down(_))).await;
    let StreamEvent::Down(why) = down else {
        unreachable!()
    };
    assert!(!why.is_empty());
    // Refused while stopped: still down, retried with backoff.
    sleep(Duration::from_millis(500)).await;
    assert!(
        matches!(stream.status(), StreamStatus::Down(_)),
        "{:?}",
        stream.status()
    );
    assert!(stream.losses() >= 2, "{}", stream.losses());
    mock.start_streams();
    event(&mut events, |e| matches!(e, StreamEvent::Up)).await;
    mock.set_last("BTCUSDT", 52_000.0);
    let t = tick_of(&mut events, "BTCUSDT", |t| {
        t.quote.ltp == 52_000.0 && t.bids.len() == 5
    })
    .await;
    assert_eq!(t.bids[0].price, 51_999.99);
    assert_eq!(stream.status(), StreamStatus::Up);
}

#[tokio::test]
async fn the_exchanges_pings_are_answered() {
    let mock = MockExchange::start().unwrap();
    let stream = MarketStreams::new(fast()).for_base(mock.url());
    let _btc = stream.watch("BTCUSDT", false).unwrap();
    let answered = async {
        while mock.stream_pongs() < 2 {
            sleep(Duration::from_millis(50)).await;
        }
    };
    timeout(Duration::from_secs(5), answered)
        .await
        .expect("pongs for the mock's 1 s pings");
}

#[tokio::test]
async fn the_socket_is_renewed_before_the_exchanges_session_limit_without_a_loss() {
    let mock = MockExchange::start().unwrap();
    let config = StreamConfig {
        max_session: Duration::from_millis(400),
        ..fast()
    };
    let stream = MarketStreams::new(config).for_base(mock.url());
    let mut events = stream.events();
    let _btc = stream.watch("BTCUSDT", false).unwrap();
    sleep(Duration::from_millis(1_000)).await;
    assert!(mock.stream_connects() >= 2, "{}", mock.stream_connects());
    assert_eq!(stream.losses(), 0);
    tick_of(&mut events, "BTCUSDT", |_| true).await;
}

#[test]
fn a_pair_name_that_is_not_a_binance_symbol_is_refused() {
    let streams = MarketStreams::default();
    let stream = streams.for_base("http://127.0.0.1:9");
    for bad in ["btcusdt", "BTC/USDT", "", "BTCUSDT@ticker"] {
        assert!(stream.watch(bad, false).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn a_burst_of_watches_is_one_request_within_binances_message_rate() {
    let mock = MockExchange::start().unwrap();
    let stream = MarketStreams::new(fast()).for_base(mock.url());
    let mut events = stream.events();
    let _btc = stream.watch("BTCUSDT", false).unwrap();
    tick_of(&mut events, "BTCUSDT", |_| true).await;
    let pairs: Vec<_> = (b'A'..=b'J')
        .map(|c| stream.watch(&format!("{}USDT", c as char), true).unwrap())
        .collect();
    let _eth = stream.watch("ETHUSDT", false).unwrap();
    tick_of(&mut events, "ETHUSDT", |_| true).await;
    assert_eq!(
        mock.stream_requests(),
        1,
        "one SUBSCRIBE for 21 new streams"
    );
    drop(pairs);
    sleep(Duration::from_millis(600)).await;
    assert_eq!(
        mock.stream_requests(),
        2,
        "one UNSUBSCRIBE for 20 released streams"
    );
    assert_eq!(stream.streams(), ["btcusdt@ticker", "ethusdt@ticker"]);
    assert_eq!(mock.stream_connects(), 1);
}
