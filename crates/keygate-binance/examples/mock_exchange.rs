//! The Binance mock exchange as a process, for the scripted tests: the browser tests
//! (`scripts/browser-test.sh`) add connections on it, and the SDK session (`tests/sdk/run.sh`)
//! binds a keygate key to a connection on it (whose WebSocket feed then reads the mock's market
//! streams at `/stream`). It serves BTCUSDT and ETHUSDT (10 000 USDT and 0.5 BTC) on 127.0.0.1
//! until killed.
//!
//! It accepts the mock's own spot-only test key, a test key that may withdraw (which keygate must
//! refuse), and optionally one more key pair read as two lines (API key, then secret) from stdin,
//! so a caller can pick a secret nothing prints. The test keys are the mock's fixed values, not
//! secrets. On stdout, one `NAME=value` line each: `BINANCE_MOCK_URL`, `BINANCE_MOCK_KEY`,
//! `BINANCE_MOCK_SECRET`, `BINANCE_MOCK_WITHDRAW_KEY`.
//!
//! `cargo run -p keygate-binance --features mock --example mock_exchange -- [PORT]` (PORT 0 or
//! none: a free port).

use std::io::BufRead;

use keygate_binance::mock::{spot_only, MockExchange, MOCK_KEY, MOCK_SECRET};

/// The key with withdrawals enabled.
const WITHDRAW_KEY: &str = "mock-withdraw-key-000000000000000000000000000000000000000000000";

/// The key pair on stdin: none when stdin is empty, an error when it holds only half of one.
fn key_pair_from_stdin() -> Result<Option<(String, String)>, String> {
    let mut lines = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty());
    match (lines.next(), lines.next()) {
        (None, _) => Ok(None),
        (Some(key), Some(secret)) => Ok(Some((key, secret))),
        (Some(_), None) => Err("stdin: expected the API key and the secret, one line each".into()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = match std::env::args().nth(1) {
        Some(port) => port
            .parse()
            .map_err(|e| format!("PORT must be a port number: {e}"))?,
        None => 0,
    };
    let extra = key_pair_from_stdin()?;
    let mock = MockExchange::start_on(port)?;
    let mut may_withdraw = spot_only();
    may_withdraw.enable_withdrawals = true;
    mock.add_key(WITHDRAW_KEY, MOCK_SECRET, may_withdraw);
    if let Some((api_key, secret)) = extra {
        mock.add_key(&api_key, &secret, spot_only());
    }
    println!("BINANCE_MOCK_URL={}", mock.url());
    println!("BINANCE_MOCK_KEY={MOCK_KEY}");
    println!("BINANCE_MOCK_SECRET={MOCK_SECRET}");
    println!("BINANCE_MOCK_WITHDRAW_KEY={WITHDRAW_KEY}");
    std::future::pending::<()>().await;
    Ok(())
}
