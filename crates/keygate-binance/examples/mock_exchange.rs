//! The Binance mock exchange as a process, for the browser tests (`scripts/browser-test.sh`):
//! serves on 127.0.0.1 (a free port) until killed, after printing its URL and the test keys it
//! accepts, one `NAME=value` line each: a spot-only key, and a key that may withdraw (which
//! keygate must refuse). The keys are the mock's fixed test values, not secrets.
//!
//! `cargo run -p keygate-binance --example mock_exchange`

use keygate_binance::mock::{spot_only, MockExchange, MOCK_KEY, MOCK_SECRET};

/// The key with withdrawals enabled.
const WITHDRAW_KEY: &str = "mock-withdraw-key-000000000000000000000000000000000000000000000";

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mock = MockExchange::start()?;
    let mut may_withdraw = spot_only();
    may_withdraw.enable_withdrawals = true;
    mock.add_key(WITHDRAW_KEY, MOCK_SECRET, may_withdraw);
    println!("BINANCE_MOCK_URL={}", mock.url());
    println!("BINANCE_MOCK_KEY={MOCK_KEY}");
    println!("BINANCE_MOCK_SECRET={MOCK_SECRET}");
    println!("BINANCE_MOCK_WITHDRAW_KEY={WITHDRAW_KEY}");
    std::future::pending::<()>().await;
    Ok(())
}
