//! IP bans: by the security monitor after repeated invalid keys, or by an admin. One row per
//! address group ([`IpGroup`]: an IPv4 address or an IPv6 /64); a repeat offender's ban lasts
//! twice the previous one (up to 1024 times the base length). Rows whose ban ended long ago are
//! purged ([`purge_expired`]), which also forgets the offence count.

use chrono::{Duration, Utc};
use keygate_types::traffic::IpBan;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use crate::entities::ip_ban;
use crate::error::{CoreError, CoreResult};
use crate::ip_group::IpGroup;

/// Who bans when no admin does.
pub const MONITOR: &str = "monitor";

/// Bans in force now, newest first.
pub async fn active(db: &impl ConnectionTrait) -> CoreResult<Vec<IpBan>> {
    Ok(ip_ban::Entity::find()
        .filter(ip_ban::Column::BannedUntil.gt(Utc::now()))
        .filter(ip_ban::Column::LiftedAt.is_null())
        .order_by_desc(ip_ban::Column::BannedAt)
        .all(db)
        .await?
        .into_iter()
        .map(to_wire)
        .collect())
}

/// Bans `ip` for `seconds`, or by default for `base_secs` doubled per earlier offence.
pub async fn ban(
    db: &impl ConnectionTrait,
    ip: IpGroup,
    by: &str,
    reason: &str,
    seconds: Option<u64>,
    base_secs: u64,
) -> CoreResult<IpBan> {
    let ip = ip.to_string();
    let existing = ip_ban::Entity::find()
        .filter(ip_ban::Column::Ip.eq(ip.as_str()))
        .one(db)
        .await?;
    let offences = existing
        .as_ref()
        .map_or(1, |b| b.offences.saturating_add(1));
    let seconds = seconds.unwrap_or_else(|| {
        let doublings = (offences - 1).clamp(0, 10) as u32;
        base_secs.saturating_mul(1 << doublings)
    });
    let seconds = i64::try_from(seconds.min(10 * 365 * 86_400)).unwrap_or(i64::MAX);
    if seconds <= 0 {
        return Err(CoreError::field("seconds", "must be at least 1"));
    }
    let now = Utc::now();
    let until = now + Duration::seconds(seconds);
    let reason: String = reason.chars().take(255).collect();
    let row = match existing {
        Some(row) => {
            let mut active = row.into_active_model();
            active.offences = Set(offences);
            active.reason = Set(reason);
            active.banned_by = Set(by.to_owned());
            active.banned_at = Set(now);
            active.banned_until = Set(until);
            active.lifted_at = Set(None);
            active.update(db).await?
        }
        None => {
            ip_ban::ActiveModel {
                ip: Set(ip),
                reason: Set(reason),
                offences: Set(offences),
                banned_by: Set(by.to_owned()),
                banned_at: Set(now),
                banned_until: Set(until),
                lifted_at: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    Ok(to_wire(row))
}

/// Lifts the bans in force on `ip` (rows stored under its group's text, and rows of single
/// addresses in it from before bans were grouped); NotFound when none is in force.
pub async fn lift(db: &impl ConnectionTrait, ip: IpGroup) -> CoreResult<()> {
    let ids: Vec<i64> = ip_ban::Entity::find()
        .filter(ip_ban::Column::BannedUntil.gt(Utc::now()))
        .filter(ip_ban::Column::LiftedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|row| row.ip.parse::<IpGroup>().is_ok_and(|g| g == ip))
        .map(|row| row.id)
        .collect();
    if ids.is_empty() {
        return Err(CoreError::NotFound(format!("{ip} is not banned")));
    }
    ip_ban::Entity::update_many()
        .col_expr(
            ip_ban::Column::LiftedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(ip_ban::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the rows whose ban ended (ran out or was lifted) more than `forget_after` ago, so the
/// table holds the recent offenders only, however many addresses an attacker goes through.
/// Returns how many rows went.
pub async fn purge_expired(
    db: &impl ConnectionTrait,
    forget_after: std::time::Duration,
) -> CoreResult<u64> {
    let forget_after = Duration::from_std(forget_after).unwrap_or(Duration::MAX);
    let cutoff = Utc::now()
        .checked_sub_signed(forget_after)
        .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);
    let result = ip_ban::Entity::delete_many()
        .filter(
            ip_ban::Column::BannedUntil
                .lt(cutoff)
                .or(ip_ban::Column::LiftedAt.lt(cutoff)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

fn to_wire(row: ip_ban::Model) -> IpBan {
    IpBan {
        ip: row.ip,
        reason: row.reason,
        offences: row.offences,
        banned_by: row.banned_by,
        banned_at: row.banned_at,
        banned_until: row.banned_until,
    }
}
