//! Accounts: first-run setup, creation, sign-in checks and password changes.

use chrono::Utc;
use keygate_types::account::User;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};

use crate::entities::{session, user};
use crate::error::{CoreError, CoreResult};
use crate::password;

/// Shortest accepted password.
pub const MIN_PASSWORD_LEN: usize = 12;
const MAX_PASSWORD_LEN: usize = 1024;

/// Serialises first-run setup inside this process, so two racing requests cannot both create "the
/// first" admin.
static SETUP_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id,
            username: m.username,
            is_admin: m.is_admin,
            created_at: m.created_at,
        }
    }
}

/// Shortest and longest username (the column holds 32 characters).
pub const USERNAME_LEN: std::ops::RangeInclusive<usize> = 3..=32;

/// A checked username in its canonical, lower-case form: what accounts are stored, found and
/// rate-limited under. Usernames are case-insensitive (`Bob` signs in as `bob`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// The canonical form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Checks a username as typed at any entry (setup, account creation, sign-in, the CLI): trimmed,
/// 3 to 32 characters from ASCII letters, digits, `.`, `_` and `-`; returned lower-cased. Bounded
/// and canonical, so it is safe to key limits on.
pub fn validate_username(raw: &str) -> CoreResult<Username> {
    let name = raw.trim();
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !USERNAME_LEN.contains(&name.len()) || !ok_chars {
        return Err(CoreError::field(
            "username",
            "must be 3 to 32 characters: letters, digits, '.', '_' or '-'",
        ));
    }
    Ok(Username(name.to_ascii_lowercase()))
}

fn check_new_password(field: &str, password: &str) -> CoreResult<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(CoreError::field(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(CoreError::field(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

/// How many accounts exist.
pub async fn count(db: &impl ConnectionTrait) -> CoreResult<u64> {
    Ok(user::Entity::find().count(db).await?)
}

/// Creates an account.
pub async fn create_user(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
    is_admin: bool,
) -> CoreResult<user::Model> {
    let username = validate_username(username)?;
    check_new_password("password", password)?;
    if find_user(db, &username).await?.is_some() {
        return Err(taken(&username));
    }
    let hash = password::hash_blocking(password.as_bytes().to_vec(), None).await?;
    let now = Utc::now();
    let row = user::ActiveModel {
        username: Set(username.as_str().to_owned()),
        password_hash: Set(hash),
        is_admin: Set(is_admin),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        // Two racing creates of one name (in any case): the unique index decides.
        Some(SqlErr::UniqueConstraintViolation(_)) => taken(&username),
        _ => CoreError::Database(e),
    })?;
    Ok(row)
}

fn taken(username: &Username) -> CoreError {
    CoreError::Conflict(format!("username '{}' is taken", username.as_str()))
}

/// Creates the first (admin) account; refused once any account exists.
pub async fn setup_first_user(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
) -> CoreResult<user::Model> {
    let _guard = SETUP_LOCK.lock().await;
    if count(db).await? > 0 {
        return Err(CoreError::Conflict("setup is already complete".into()));
    }
    create_user(db, username, password, true).await
}

/// The account with this username, in any case. A malformed name is a validation error.
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> CoreResult<Option<user::Model>> {
    find_user(db, &validate_username(username)?).await
}

/// The account with this (checked) username, in any case: accounts made before names were
/// stored lower-case are found too, through the `lower(username)` index.
pub async fn find_user(
    db: &impl ConnectionTrait,
    username: &Username,
) -> CoreResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(user::Column::Username))).eq(username.as_str()))
        .one(db)
        .await?)
}

/// The account with this id.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> CoreResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// All accounts, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> CoreResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

/// Checks a username and password. A wrong username and a wrong password fail alike, in about the
/// same time.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
) -> CoreResult<user::Model> {
    let found = find_user(db, &validate_username(username)?).await?;
    let phc = found
        .as_ref()
        .map_or_else(|| password::DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let ok = password::verify_blocking(password.as_bytes().to_vec(), phc, None).await;
    match found {
        Some(user) if ok => Ok(user),
        _ => Err(CoreError::InvalidCredentials),
    }
}

/// Changes a password after checking the current one, and ends every session of the account.
pub async fn change_password(
    db: &impl ConnectionTrait,
    user_id: i64,
    current: &str,
    new: &str,
) -> CoreResult<()> {
    let user = find_by_id(db, user_id)
        .await?
        .ok_or_else(|| CoreError::NotFound("user not found".into()))?;
    check_new_password("new_password", new)?;
    if !password::verify_blocking(
        current.as_bytes().to_vec(),
        user.password_hash.clone(),
        None,
    )
    .await
    {
        return Err(CoreError::field("current_password", "is not correct"));
    }
    set_password(db, user, new).await
}

/// Sets a new password without knowing the old one (operators' `user reset-password`), and ends
/// every session of the account.
pub async fn reset_password(
    db: &impl ConnectionTrait,
    username: &str,
    new: &str,
) -> CoreResult<()> {
    check_new_password("password", new)?;
    let user = find_by_username(db, username)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("no user named '{}'", username.trim())))?;
    set_password(db, user, new).await
}

async fn set_password(db: &impl ConnectionTrait, user: user::Model, new: &str) -> CoreResult<()> {
    let hash = password::hash_blocking(new.as_bytes().to_vec(), None).await?;
    let id = user.id;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lower_cased_and_bounded() {
        assert_eq!(
            validate_username("  Bob.Smith_1 ").unwrap().as_str(),
            "bob.smith_1"
        );
        for bad in [
            "",
            "ab",
            "has space",
            "émile",
            &"x".repeat(33),
            &"x".repeat(100_000),
        ] {
            assert!(validate_username(bad).is_err(), "{bad:.40}");
        }
    }

    #[test]
    fn debug_of_a_user_row_hides_the_password_hash() {
        let now = Utc::now();
        let row = user::Model {
            id: 1,
            username: "bob".into(),
            password_hash: "$argon2id$v=19$secret-hash".into(),
            is_admin: false,
            created_at: now,
            updated_at: now,
        };
        let text = format!("{row:?}");
        assert!(text.contains("bob") && !text.contains("argon2id"), "{text}");
    }
}
