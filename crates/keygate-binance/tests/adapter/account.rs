//! Account and market data, key validation, and refused credentials.

use keygate_binance::mock::{spot_only, Endpoint, MOCK_KEY, MOCK_SECRET};
use keygate_binance::wire::ApiRestrictions;
use keygate_binance::{BinanceSpot, KeyRefusal};
use keygate_broker::{Broker, BrokerError, ErrorKind, Exchange, Ledger};

use crate::setup;

#[tokio::test]
async fn funds_and_holdings_come_from_the_balances() {
    let (_mock, spot) = setup();
    let funds = spot.funds(1, Ledger::Live).await.unwrap();
    assert_eq!(funds.availablecash, 10_000.0);
    assert_eq!(funds.utiliseddebits, 0.0);
    let holdings = spot.holdings(1, Ledger::Live).await.unwrap();
    assert_eq!(holdings.len(), 1);
    assert_eq!(holdings[0].symbol, "BTCUSDT");
    assert_eq!(holdings[0].quantity, 0.5);
    assert_eq!(holdings[0].ltp, 50_000.0);
    assert_eq!(holdings[0].current_value, 25_000.0);
    assert!(spot.positions(1, Ledger::Live).await.unwrap().is_empty());
    let closed = spot.close_all_positions(1, Ledger::Live).await.unwrap();
    assert_eq!(closed.closed_positions(), 0);
}

#[tokio::test]
async fn quotes_depth_and_instruments_come_from_the_exchange() {
    let (_mock, spot) = setup();
    let quote = spot.quote("ETHUSDT", Exchange::Crypto).await.unwrap();
    assert_eq!(
        (quote.ltp, quote.bid, quote.ask),
        (3_000.0, 2_999.99, 3_000.01)
    );
    let depth = spot.depth("BTCUSDT", Exchange::Crypto).await.unwrap();
    assert_eq!(depth.bids.len(), 5);
    assert_eq!(depth.asks[0].price, 50_000.01);
    assert_eq!(depth.totalbuyqty, 15.0);
    let btc = spot.instrument("BTCUSDT", Exchange::Crypto).await.unwrap();
    assert_eq!((btc.lot_size, btc.tick_size), (0.00001, 0.01));
    for (symbol, exchange) in [
        ("FOOUSDT", Exchange::Crypto),
        ("BTCUSDT", Exchange::Nse),
        ("btc usdt", Exchange::Crypto),
    ] {
        let e = spot.quote(symbol, exchange).await.unwrap_err();
        assert_eq!(
            e,
            BrokerError::SymbolNotFound {
                symbol: symbol.into(),
                exchange
            }
        );
    }
}

#[tokio::test]
async fn validation_reports_permissions_and_refuses_withdrawal_or_non_spot_keys() {
    let (mock, spot) = setup();
    let ok = spot.validate().await.unwrap();
    assert!(ok.spot_trading && !ok.withdrawals && !ok.margin && !ok.futures);
    assert_eq!(ok.refusal(), None);
    mock.add_key(
        "withdraw-key",
        "withdraw-secret",
        ApiRestrictions {
            enable_withdrawals: true,
            ..spot_only()
        },
    );
    let spot = BinanceSpot::new(mock.config_for("withdraw-key", "withdraw-secret")).unwrap();
    assert_eq!(
        spot.validate().await.unwrap().refusal(),
        Some(KeyRefusal::WithdrawalsEnabled)
    );
    mock.add_key(
        "read-key",
        "read-secret",
        ApiRestrictions {
            enable_spot_and_margin_trading: false,
            ..spot_only()
        },
    );
    let spot = BinanceSpot::new(mock.config_for("read-key", "read-secret")).unwrap();
    let read = spot.validate().await.unwrap();
    assert_eq!(read.refusal(), Some(KeyRefusal::NoSpotTrading));
    assert_eq!(mock.count(Endpoint::ApiRestrictions), 3);
}

#[tokio::test]
async fn a_wrong_secret_or_unknown_key_is_refused_and_never_echoed() {
    let (mock, _spot) = setup();
    let secret = "wrong-secret-value-123";
    let spot = BinanceSpot::new(mock.config_for(MOCK_KEY, secret)).unwrap();
    let e = spot.funds(1, Ledger::Live).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "The exchange refused the connection's API key: Signature for this request is not valid."
    );
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    let spot = BinanceSpot::new(mock.config_for("unknown-key", MOCK_SECRET)).unwrap();
    let e = spot.validate().await.unwrap_err();
    assert_eq!(e.to_string(), "The exchange refused the connection's API key: Invalid API-key, IP, or permissions for action.");
    for shown in [e.to_string(), format!("{e:?}"), format!("{spot:?}")] {
        assert!(
            !shown.contains(MOCK_SECRET) && !shown.contains(secret),
            "{shown}"
        );
    }
}
