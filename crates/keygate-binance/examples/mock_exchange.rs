//! Serves the mock Binance spot exchange for a scripted session (tests/sdk/run.sh binds a keygate
//! key to a connection on it): BTCUSDT and ETHUSDT, 10 000 USDT and 0.5 BTC. Besides the mock's
//! own key pair it accepts one more, read as two lines (API key, then secret) from stdin, so the
//! caller picks the secret and nothing prints it. Runs until killed.
//!
//! `cargo run -p keygate-binance --features mock --example mock_exchange -- [PORT]` (PORT 0 or
//! none: a free port). The first line on stdout is the base URL.

use std::io::BufRead;

use keygate_binance::mock::{spot_only, MockExchange};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = match std::env::args().nth(1) {
        Some(port) => port
            .parse()
            .map_err(|e| format!("PORT must be a port number: {e}"))?,
        None => 0,
    };
    let mut lines = std::io::stdin().lock().lines();
    let mut line = |what: &str| -> Result<String, String> {
        match lines.next() {
            Some(Ok(line)) if !line.trim().is_empty() => Ok(line.trim().to_owned()),
            _ => Err(format!("stdin: expected the {what} on its own line")),
        }
    };
    let api_key = line("API key")?;
    let secret = line("secret")?;
    let mock = MockExchange::start_on(port)?;
    mock.add_key(&api_key, &secret, spot_only());
    println!("{}", mock.url());
    std::future::pending::<()>().await;
    Ok(())
}
