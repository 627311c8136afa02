//! Command-line interface: `serve` (the default), `migrate`, `openapi`, `collections`, and operator commands for
//! users, keys and broker connections that act on the database directly (running servers notice key changes within a
//! second).

mod brokers;
mod collections;
mod keys;
mod secrets;
mod users;

use clap::{Parser, Subcommand};
use keygate_api::Application;
use keygate_core::{db, Settings};
use sea_orm::DatabaseConnection;

/// keygate: a self-hosted API-key gateway for algorithmic trading.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// More log output: `-v` info, `-vv` debug (`RUST_LOG` overrides). Commands other than
    /// `serve` print warnings and errors only by default.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Option<Command>,
}

impl Cli {
    /// The log filter when `RUST_LOG` is not set: `serve` logs at info, the one-shot commands
    /// stay quiet (no migration lines on every `key create`) unless `-v` asks for more.
    pub fn default_log_filter(&self) -> &'static str {
        let serving = matches!(self.command, None | Some(Command::Serve));
        match (self.verbose, serving) {
            (0, false) => "warn",
            (0, true) | (1, _) => "info",
            (2, _) => "debug",
            _ => "trace",
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Write the Bruno and Postman collections generated from the OpenAPI document.
    Collections {
        /// Where to write them (`bruno/` and `postman/` go below it).
        #[arg(long, default_value = "collections")]
        out: std::path::PathBuf,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// Manage broker connections (exchange credentials, checked before they are stored).
    #[command(subcommand)]
    Broker(brokers::BrokerCommand),
    /// Rotate the Fernet key or the pepper (new values go to the secrets file only).
    #[command(subcommand)]
    Secrets(secrets::SecretsCommand),
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            print!("{}", keygate_api::openapi::openapi_json());
            Ok(())
        }
        Command::Collections { out } => collections::run(&out),
        Command::Serve => {
            let settings = Settings::from_env()?;
            let app = Application::build(settings.clone()).await?;
            log::info!(
                "keygate listening on http://{}:{} (database: {})",
                settings.bind.ip(),
                app.port(),
                settings.database_url.redacted()
            );
            match (settings.ws.bind, app.ws_port()) {
                (Some(ws), Some(port)) => log::info!(
                    "market-data WebSocket feed at ws://{}:{port}/ (and /ws on the HTTP port)",
                    ws.ip()
                ),
                _ => log::info!("market-data WebSocket feed at /ws on the HTTP port only"),
            }
            let public = if settings.metrics.public {
                " (and on the HTTP port)"
            } else {
                ""
            };
            match (settings.metrics.bind, app.metrics_port()) {
                (Some(bind), Some(port)) => log::info!(
                    "Prometheus metrics at http://{}:{port}/metrics{public}",
                    bind.ip()
                ),
                _ if settings.metrics.public => {
                    log::info!("Prometheus metrics at /metrics on the HTTP port only")
                }
                _ => log::info!("Prometheus metrics off (KEYGATE_METRICS_BIND=off)"),
            }
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Migrate => {
            let (_, db) = open().await?;
            db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User(cmd) => {
            let (_, db) = open().await?;
            users::run(cmd, &db).await
        }
        Command::Key(cmd) => {
            let (settings, db) = open().await?;
            keys::run(cmd, &settings, db).await
        }
        Command::Broker(cmd) => {
            let (settings, db) = open().await?;
            brokers::run(cmd, &settings, db).await
        }
        Command::Secrets(cmd) => secrets::run(cmd).await,
    }
}

/// Loads the settings and opens the (migrated) database.
async fn open() -> anyhow::Result<(Settings, DatabaseConnection)> {
    let settings = Settings::from_env()?;
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    Ok((settings, db))
}
