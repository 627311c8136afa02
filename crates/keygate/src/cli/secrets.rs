//! `keygate secrets ...`: rotating the Fernet key and the pepper. New values go to the secrets
//! file only (never to the terminal or a log): `KEYGATE_SECRETS_FILE` / `--secrets-file`, or in
//! development `secrets.env` in the data directory. Production refuses without a named file.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use keygate_core::config::{FERNET_VAR, PEPPER_VAR, SECRETS_FILE_VAR};
use keygate_core::keys::rotation::{self, Rotated};
use keygate_core::{db, Settings};

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Put a new Fernet key first (old ones keep decrypting) and re-encrypt every stored key copy
    /// and every broker connection's exchange credentials.
    RotateFernet {
        /// The secrets file the servers read (default: `KEYGATE_SECRETS_FILE`, or in development
        /// `secrets.env` in the data directory).
        #[arg(long, env = SECRETS_FILE_VAR)]
        secrets_file: Option<PathBuf>,
    },
    /// New pepper: rebuild every key's hash and lookup digest from its encrypted copy, in one
    /// transaction. Stop the servers first and start them again afterwards.
    RotatePepper {
        /// The secrets file the servers read (default: `KEYGATE_SECRETS_FILE`, or in development
        /// `secrets.env` in the data directory).
        #[arg(long, env = SECRETS_FILE_VAR)]
        secrets_file: Option<PathBuf>,
    },
}

pub async fn run(cmd: SecretsCommand) -> anyhow::Result<()> {
    let (variable, secrets_file) = match &cmd {
        SecretsCommand::RotateFernet { secrets_file } => (FERNET_VAR, secrets_file),
        SecretsCommand::RotatePepper { secrets_file } => (PEPPER_VAR, secrets_file),
    };
    let settings = Settings::from_lookup(|name| {
        if name == SECRETS_FILE_VAR {
            if let Some(file) = secrets_file {
                return Some(file.display().to_string());
            }
        }
        std::env::var(name).ok()
    })?;
    let Some(file) = settings.secrets.file.clone() else {
        anyhow::bail!(
            "name the secrets file the servers read with --secrets-file or {SECRETS_FILE_VAR}: \
             rotation writes the new value there and nowhere else"
        );
    };
    anyhow::ensure!(
        std::env::var_os(variable).is_none(),
        "{variable} is set in the environment (or .env), where keygate cannot change it; move it \
         into {} and unset it, then run this again",
        file.display()
    );
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    match cmd {
        SecretsCommand::RotateFernet { .. } => {
            let done = rotation::rotate_fernet(&db, &settings.secrets, &file).await?;
            report(
                &done,
                &file,
                "re-encrypted {n} stored key secrets with a new Fernet key (the old keys still decrypt)",
            );
            println!(
                "re-encrypted the exchange credentials of {} broker connections",
                done.connections
            );
        }
        SecretsCommand::RotatePepper { .. } => {
            let done = rotation::rotate_pepper(&db, &settings.secrets, &file).await?;
            if done.resumed {
                println!("finished an interrupted pepper rotation");
            }
            report(
                &done,
                &file,
                "rebuilt the hash and lookup digest of {n} stored key secrets under a new pepper",
            );
        }
    }
    println!("start (or restart) every keygate server now, so it reads the new secrets");
    Ok(())
}

fn report(done: &Rotated, file: &Path, what: &str) {
    println!("{}", what.replace("{n}", &done.secrets.to_string()));
    match &done.backup {
        Some(backup) => println!(
            "updated {} (previous copy: {})",
            file.display(),
            backup.display()
        ),
        None => println!("wrote {}", file.display()),
    }
}
