//! The statement that reads a page, given the index that should find its rows.

use sea_orm::sea_query::{Alias, Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IdenStatic, QueryFilter, QueryOrder, QuerySelect, Select,
    Value,
};

use super::LogQuery;
use crate::entities::traffic_log::{self, Column};

/// The condition of the partial status index (migrations 000014 and 000080), stated literally:
/// SQLite uses a partial index only when the query states the index's condition, and cannot see
/// through bound parameters.
pub(super) const UNUSUAL: &str = "status >= 300";
/// The lowest status [`UNUSUAL`] admits.
pub(super) const UNUSUAL_LOW: i32 = 300;

/// An equality filter with a `(column, ts)` index of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyed {
    Key,
    Ip,
    Path,
    User,
}

impl Keyed {
    /// The column it compares.
    pub(super) fn column(self) -> Column {
        match self {
            Self::Key => Column::KeyId,
            Self::Ip => Column::ClientIp,
            Self::Path => Column::Path,
            Self::User => Column::UserId,
        }
    }
}

/// How one statement finds a page's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Walk {
    /// Every filter a plain condition, for a planner that keeps statistics (PostgreSQL).
    Planner,
    /// The time index, newest first; every filter is tested on the rows it reaches.
    Time,
    /// The filter's `(column, ts)` index, newest first.
    Index(Keyed),
    /// The partial status index, the rows of this one status newest first.
    Status(i32),
}

impl LogQuery {
    /// The equality filters present with their values, in the order that usually narrows most
    /// first: a key or an address narrows more than an endpoint, an endpoint more than a user.
    pub(super) fn equalities(&self) -> Vec<(Keyed, Value)> {
        let mut found = Vec::with_capacity(4);
        if let Some(key) = self.key_id {
            found.push((Keyed::Key, key.into()));
        }
        if let Some(ip) = &self.ip {
            found.push((Keyed::Ip, ip.as_str().into()));
        }
        if let Some(path) = &self.path {
            found.push((Keyed::Path, path.as_str().into()));
        }
        if let Some(user) = self.user {
            found.push((Keyed::User, user.into()));
        }
        found
    }

    /// When only rare rows can match, the statuses they can have: from `low` up to `high`
    /// (excluded; None for no bound), within the partial index's.
    pub(super) fn unusual_span(&self) -> Option<(i32, Option<i32>)> {
        self.unusual_only().then(|| match self.status {
            Some((low, high)) => (low.max(UNUSUAL_LOW), Some(high)),
            None => (UNUSUAL_LOW, None),
        })
    }

    /// The time range and the cursor's position.
    fn time_condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(from) = self.from_ms {
            condition = condition.add(Column::Ts.gte(from));
        }
        if let Some(to) = self.to_ms {
            condition = condition.add(Column::Ts.lt(to));
        }
        if let Some((ts, id)) = self.cursor {
            condition = condition.add(
                Condition::any().add(Column::Ts.lt(ts)).add(
                    Condition::all()
                        .add(Column::Ts.eq(ts))
                        .add(Column::Id.lt(id)),
                ),
            );
        }
        condition
    }

    /// The page's statement read through `walk`: up to a page and one row more (which tells
    /// whether more remain), newest first.
    pub(super) fn select(&self, walk: &Walk) -> Select<traffic_log::Entity> {
        let mut condition = self.time_condition();
        for (keyed, value) in self.equalities() {
            let column = keyed.column();
            condition = condition.add(match walk {
                Walk::Planner => column.eq(value),
                Walk::Index(walked) if *walked == keyed => column.eq(value),
                // SQLite's planner serves no `+column = ?` from an index, so it cannot walk
                // another filter's index than the one chosen.
                _ => Expr::cust_with_values(format!("+{} = ?", column.as_str()), [value]),
            });
        }
        // Literal numbers below (from a checked class digit).
        let plus = if *walk == Walk::Planner { "" } else { "+" };
        if let Some((low, high)) = self.status {
            condition = condition.add(Expr::cust(format!(
                "{plus}status >= {low} AND {plus}status < {high}"
            )));
        }
        if self.unusual_only() {
            condition = condition.add(Expr::cust(format!("{plus}{UNUSUAL}")));
        }
        if let Walk::Status(status) = walk {
            condition = condition
                .add(Column::Status.eq(*status))
                .add(Expr::cust(UNUSUAL));
        }
        if let Some(prefix) = &self.path_prefix {
            // substr counts characters on both databases; LIKE would need escaping and is
            // case-insensitive on SQLite.
            let length = prefix.chars().count() as i32;
            let head = Func::cust(Alias::new("substr"))
                .arg(Expr::col(Column::Path))
                .arg(1i32)
                .arg(length);
            condition = condition.add(Expr::expr(head).eq(prefix.as_str()));
        }
        if let Some(method) = &self.method {
            condition = condition.add(Column::Method.eq(method.as_str()));
        }
        if let Some(class) = &self.error_class {
            condition = condition.add(Column::ErrorClass.eq(class.as_str()));
        }
        if let Some(us) = self.min_duration_us {
            condition = condition.add(Column::DurationUs.gte(us));
        }
        if let Some(id) = &self.request_id {
            condition = condition.add(Column::RequestId.eq(id.as_str()));
        }
        traffic_log::Entity::find()
            .filter(condition)
            .order_by_desc(Column::Ts)
            .order_by_desc(Column::Id)
            .limit(self.limit + 1)
    }
}
