//! `keygate key ...`: key management for operators and automation. Commands act on the database
//! directly; running servers see the change through the key-change sequence within a second.

use std::sync::Arc;

use clap::Subcommand;
use keygate_core::brokers::{BrokerStore, PAPER_LABEL};
use keygate_core::keys::{Actor, KeyCrypto, KeyStore, KeyVerifier, UsageRecorder};
use keygate_core::{users, Settings};
use keygate_types::keys::{ApiKeySummary, CreateApiKey, OrderMode, Scope};
use sea_orm::DatabaseConnection;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Issue a key and print it once.
    Create {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// The key's name.
        #[arg(long)]
        name: String,
        /// Comma-separated scopes (`exit-only` is accepted for `exit_only`).
        #[arg(long, value_enum, value_delimiter = ',', default_value = "read")]
        scopes: Vec<ScopeArg>,
        /// Order mode (`semi-auto` is accepted for `semi_auto`).
        #[arg(long, value_enum, default_value = "auto")]
        mode: ModeArg,
        /// The label of the user's broker connection the key trades on (`paper`, the default:
        /// the user's paper account).
        #[arg(long, default_value = PAPER_LABEL)]
        broker: String,
    },
    /// Bind a key to one of the user's broker connections (`--broker paper`: back to the paper
    /// account). Its next calls go to that broker.
    Bind {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// The key's name.
        #[arg(long)]
        name: String,
        /// The connection's label, or `paper`.
        #[arg(long)]
        broker: String,
    },
    /// List a user's keys (masked).
    List {
        /// The owner's username.
        #[arg(long)]
        user: String,
    },
    /// Give a key a new secret and print it once; the old one stops at once.
    Roll {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// The key's name.
        #[arg(long)]
        name: String,
        /// Keep the old secret working this many seconds (max 86400).
        #[arg(long, default_value_t = 0)]
        grace_seconds: u32,
    },
    /// Revoke a key.
    Revoke {
        /// The owner's username.
        #[arg(long)]
        user: String,
        /// The key's name.
        #[arg(long)]
        name: String,
    },
}

/// A scope on the command line, spelled as in JSON (`exit_only`) or with a hyphen.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ScopeArg {
    /// Account and market data only.
    Read,
    /// Read, plus place, modify and cancel orders.
    Trade,
    /// Read, plus cancel orders and close positions.
    #[value(name = "exit_only", alias = "exit-only")]
    ExitOnly,
}

/// An order mode on the command line, spelled as in JSON (`semi_auto`) or with a hyphen.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    /// Orders execute at once.
    Auto,
    /// Orders wait in the Action Center for approval.
    #[value(name = "semi_auto", alias = "semi-auto")]
    SemiAuto,
}

pub async fn run(
    cmd: KeyCommand,
    settings: &Settings,
    db: DatabaseConnection,
) -> anyhow::Result<()> {
    let crypto = Arc::new(KeyCrypto::new(&settings.secrets)?);
    let verifier = Arc::new(KeyVerifier::new(
        db.clone(),
        crypto.clone(),
        Arc::new(UsageRecorder::default()),
    ));
    let store = KeyStore::new(db.clone(), crypto, verifier, settings.max_keys_per_user);
    match cmd {
        KeyCommand::Create {
            user,
            name,
            scopes,
            mode,
            broker,
        } => {
            let actor = actor(&db, &user).await?;
            let connection = connection_id(&db, settings, actor.user_id, &broker).await?;
            let input = CreateApiKey {
                name,
                scopes: scopes.into_iter().map(scope).collect(),
                order_mode: match mode {
                    ModeArg::Auto => OrderMode::Auto,
                    ModeArg::SemiAuto => OrderMode::SemiAuto,
                },
                expires_at: None,
                ip_allowlist: Vec::new(),
                broker_connection_id: connection,
            };
            let (plain, key) = store.create(&actor, input).await?;
            eprintln!(
                "created key '{}' (id {}); store it now, it is shown once:",
                key.name, key.id
            );
            println!("{}", plain.expose());
        }
        KeyCommand::Bind { user, name, broker } => {
            let actor = actor(&db, &user).await?;
            let connection = connection_id(&db, settings, actor.user_id, &broker).await?;
            let key = store.find_by_name(actor.user_id, &name).await?;
            store.bind(&actor, key.id, connection).await?;
            println!("key '{}' now trades on '{}'", key.name, broker.trim());
        }
        KeyCommand::List { user } => {
            let actor = actor(&db, &user).await?;
            for key in store.list(actor.user_id).await? {
                println!("{}", line(&key));
            }
        }
        KeyCommand::Roll {
            user,
            name,
            grace_seconds,
        } => {
            let actor = actor(&db, &user).await?;
            let key = store.find_by_name(actor.user_id, &name).await?;
            let (plain, key) = store.roll(&actor, key.id, grace_seconds).await?;
            eprintln!(
                "rolled key '{}'; store the new secret now, it is shown once:",
                key.name
            );
            println!("{}", plain.expose());
        }
        KeyCommand::Revoke { user, name } => {
            let actor = actor(&db, &user).await?;
            let key = store.find_by_name(actor.user_id, &name).await?;
            let key = store.revoke(&actor, key.id).await?;
            println!("revoked key '{}' (id {})", key.name, key.id);
        }
    }
    Ok(())
}

/// The operator acting for a named user, for the audit trails.
pub(super) async fn actor(db: &DatabaseConnection, username: &str) -> anyhow::Result<Actor> {
    let user = users::find_by_username(db, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user named '{}'", username.trim()))?;
    Ok(Actor {
        user_id: user.id,
        name: "cli".into(),
        ip: None,
    })
}

/// The id of the user's connection labelled `label`; `None` for `paper` (the paper account).
async fn connection_id(
    db: &DatabaseConnection,
    settings: &Settings,
    user_id: i64,
    label: &str,
) -> anyhow::Result<Option<i64>> {
    if label.trim().eq_ignore_ascii_case(PAPER_LABEL) {
        return Ok(None);
    }
    let crypto = Arc::new(KeyCrypto::new(&settings.secrets)?);
    let store = BrokerStore::new(db.clone(), crypto);
    Ok(Some(store.find_by_label(user_id, label).await?.id))
}

fn scope(arg: ScopeArg) -> Scope {
    match arg {
        ScopeArg::Read => Scope::Read,
        ScopeArg::Trade => Scope::Trade,
        ScopeArg::ExitOnly => Scope::ExitOnly,
    }
}

fn line(key: &ApiKeySummary) -> String {
    let scopes: Vec<&str> = key.scopes.iter().map(|s| s.as_str()).collect();
    format!(
        "{:>5}  {:<24} {}  {:<16} {:<9} {:?}  last used {}",
        key.id,
        key.name,
        key.masked_key,
        scopes.join(","),
        key.order_mode.as_str(),
        key.state,
        key.last_used_at
            .map_or_else(|| "never".to_owned(), |t| t.to_rfc3339())
    )
}
