//! `keygate user ...`: accounts for operators without the web UI. Passwords come from a prompt,
//! or from standard input when it is not a terminal (for scripts); never from the command line.

use std::io::{IsTerminal, Read};

use clap::Subcommand;
use keygate_core::users;
use sea_orm::DatabaseConnection;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password (ends every session of the account).
    ResetPassword {
        /// Login name.
        #[arg(long)]
        username: String,
    },
}

pub async fn run(cmd: UserCommand, db: &DatabaseConnection) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create { username, admin } => {
            let password = read_password()?;
            let user = users::create_user(db, &username, &password, admin).await?;
            println!(
                "created {} '{}' (id {})",
                if user.is_admin { "admin" } else { "user" },
                user.username,
                user.id
            );
        }
        UserCommand::ResetPassword { username } => {
            let password = read_password()?;
            users::reset_password(db, &username, &password).await?;
            println!(
                "password of '{}' changed; its sessions have ended",
                username.trim()
            );
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        anyhow::ensure!(first == second, "the passwords differ");
        return Ok(first);
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}
