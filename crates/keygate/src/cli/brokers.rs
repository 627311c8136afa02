//! `keygate broker ...`: a user's broker connections, from the command line. The exchange API
//! key and secret are read as two lines from standard input, never from arguments (which other
//! users can read in the process list and which shells keep in their history).

use std::io::BufRead;
use std::sync::Arc;

use clap::Subcommand;
use keygate_core::brokers::BrokerStore;
use keygate_core::keys::KeyCrypto;
use keygate_core::Settings;
use keygate_types::brokers::{
    BrokerConnection, BrokerKind, ConnectionStatus, CreateBrokerConnection,
};
use sea_orm::DatabaseConnection;

use super::keys::actor;

#[derive(Debug, Subcommand)]
pub enum BrokerCommand {
    /// Add a connection. For `binance_spot`, the exchange API key and then its secret are read
    /// as two lines from standard input and checked against the exchange before anything is
    /// stored (a key that can withdraw or cannot trade spot is refused).
    Add {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// Which broker.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// The connection's label, unique among the user's (`paper` is reserved).
        #[arg(long)]
        label: String,
        /// The exchange's base URL (default: Binance's production API; e.g.
        /// https://testnet.binance.vision for its testnet).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// List a user's connections (API keys masked).
    List {
        /// The owner's username.
        #[arg(long)]
        user: String,
    },
    /// Check a connection against the exchange again and record the result; fails when the
    /// connection is invalid.
    Check {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// The connection's label.
        #[arg(long)]
        label: String,
    },
    /// Delete a connection and its stored credentials (refused while keys are bound to it).
    Remove {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// The connection's label.
        #[arg(long)]
        label: String,
    },
}

/// A broker kind on the command line, spelled as in JSON.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    /// keygate's simulated broker.
    Paper,
    /// A Binance spot account.
    #[value(name = "binance_spot")]
    BinanceSpot,
}

pub async fn run(
    cmd: BrokerCommand,
    settings: &Settings,
    db: DatabaseConnection,
) -> anyhow::Result<()> {
    let crypto = Arc::new(KeyCrypto::new(&settings.secrets)?);
    let store = BrokerStore::new(db.clone(), crypto);
    match cmd {
        BrokerCommand::Add {
            user,
            kind,
            label,
            base_url,
        } => {
            let actor = actor(&db, &user).await?;
            let kind = match kind {
                KindArg::Paper => BrokerKind::Paper,
                KindArg::BinanceSpot => BrokerKind::BinanceSpot,
            };
            let (api_key, api_secret) = match kind {
                BrokerKind::Paper => (None, None),
                BrokerKind::BinanceSpot => {
                    let (key, secret) = read_credentials()?;
                    (Some(key), Some(secret))
                }
            };
            let connection = store
                .create(
                    &actor,
                    CreateBrokerConnection {
                        kind,
                        label,
                        base_url,
                        api_key,
                        api_secret,
                    },
                )
                .await?;
            println!("added {}", line(&connection));
        }
        BrokerCommand::List { user } => {
            let actor = actor(&db, &user).await?;
            for connection in store.list(actor.user_id).await? {
                println!("{}", line(&connection));
            }
        }
        BrokerCommand::Check { user, label } => {
            let actor = actor(&db, &user).await?;
            let connection = store.find_by_label(actor.user_id, &label).await?;
            let connection = store.check(&actor, connection.id).await?;
            println!("{}", line(&connection));
            anyhow::ensure!(
                connection.status != ConnectionStatus::Invalid,
                "'{}' is invalid: {}",
                connection.label,
                connection.reason.as_deref().unwrap_or("no reason given")
            );
        }
        BrokerCommand::Remove { user, label } => {
            let actor = actor(&db, &user).await?;
            let connection = store.find_by_label(actor.user_id, &label).await?;
            store.delete(&actor, connection.id).await?;
            println!(
                "removed broker connection '{}' (id {})",
                connection.label, connection.id
            );
        }
    }
    Ok(())
}

/// Two lines from standard input: the API key, then the secret (surrounding blanks trimmed).
fn read_credentials() -> anyhow::Result<(String, String)> {
    let mut lines = std::io::stdin().lock().lines();
    let mut next = |what: &str| -> anyhow::Result<String> {
        let line = lines.next().transpose()?.unwrap_or_default();
        let line = line.trim();
        anyhow::ensure!(
            !line.is_empty(),
            "expected the exchange {what} as a line on standard input (first the API key, then the secret)"
        );
        Ok(line.to_owned())
    };
    let key = next("API key")?;
    let secret = next("API secret")?;
    Ok((key, secret))
}

fn line(c: &BrokerConnection) -> String {
    format!(
        "{:>5}  {:<24} {:<12} {:<10} {:<9} {}{}",
        c.id,
        c.label,
        c.kind.as_str(),
        c.api_key_masked.as_deref().unwrap_or("-"),
        c.status.as_str(),
        c.base_url.as_deref().unwrap_or("-"),
        c.reason
            .as_deref()
            .map(|r| format!("  ({r})"))
            .unwrap_or_default()
    )
}
