//! Which index reads a page on SQLite. Its planner keeps no statistics, and `ANALYZE` would give
//! it only each index's average rows per value, never the count for the value asked: offered a
//! key and an address, it walked the key's 50,000 rows testing an address that is in none of them.
//! So before a page with two indexed filters or more, each counts its rows in the page's time
//! range, from its index alone and up to [`PROBE_CAP`] (or the fewest counted so far); the page
//! walks the index of the filter that found the fewest, and is empty without a read when one found
//! none. When every filter reaches the cap, the fixed order of [`LogQuery::equalities`] decides,
//! after the rare statuses. PostgreSQL plans from its statistics and skips all this.
//!
//! The rare statuses (a class of 300 or more, or an error class) have a partial index that starts
//! with `(status, ts)`, but a range of statuses cannot be read from it in time order: SQLite read
//! every row of the class (10,000 5xx rows of 1,000,000) and sorted them. So the page walks it once
//! per status present in the range, each walk in time order and stopping after a page, and merges
//! the walks. On SQLite that index also holds the other filters' columns (migration 000080), so a
//! walk tests them without fetching the rows they rule out.

use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Value,
};

use super::walk::{Keyed, Walk, UNUSUAL};
use super::LogQuery;
use crate::entities::traffic_log::{self, Column};
use crate::error::CoreResult;

/// Where a probe stops counting (an index-only read of at most this many entries): a filter with
/// more rows in the range is common, and among common filters the fixed order decides.
pub(super) const PROBE_CAP: u64 = 2_000;

/// A filter whose index can find a page's rows.
enum Candidate {
    /// The rare statuses from the first up to the second (excluded, None for no bound).
    Statuses(i32, Option<i32>),
    /// An equality with its value.
    Equal(Keyed, Value),
}

impl LogQuery {
    /// The walks whose rows, merged, make the page (none when a filter matches no row).
    pub(super) async fn sqlite_walks(&self, db: &impl ConnectionTrait) -> CoreResult<Vec<Walk>> {
        // In the order that decides ties: the rare statuses, then the equalities' fixed order.
        let mut candidates: Vec<Candidate> = self
            .unusual_span()
            .map(|(low, high)| Candidate::Statuses(low, high))
            .into_iter()
            .chain(
                self.equalities()
                    .into_iter()
                    .map(|(keyed, value)| Candidate::Equal(keyed, value)),
            )
            .collect();
        let chosen = if candidates.len() < 2 {
            // Nothing to choose between: the one filter's walk finds no row as soon as a count
            // would.
            candidates.pop()
        } else {
            let mut fewest: Option<(u64, Candidate)> = None;
            for candidate in candidates {
                // Counting past the fewest so far could not change the choice.
                let cap = fewest.as_ref().map_or(PROBE_CAP, |(least, _)| *least);
                let rows = count_up_to(db, self.probe(&candidate), cap).await?;
                if rows == 0 {
                    return Ok(Vec::new());
                }
                if fewest.as_ref().is_none_or(|(least, _)| rows < *least) {
                    fewest = Some((rows, candidate));
                }
            }
            fewest.map(|(_, candidate)| candidate)
        };
        Ok(match chosen {
            None => vec![Walk::Time],
            Some(Candidate::Equal(keyed, _)) => vec![Walk::Index(keyed)],
            Some(Candidate::Statuses(low, high)) => statuses_present(db, low, high)
                .await?
                .into_iter()
                .map(Walk::Status)
                .collect(),
        })
    }

    /// The rows `candidate` finds in the page's time range, read from its index alone.
    fn probe(&self, candidate: &Candidate) -> Condition {
        match candidate {
            Candidate::Statuses(low, high) => {
                let mut statuses = self
                    .probe_time(false)
                    .add(Column::Status.gte(*low))
                    .add(Expr::cust(UNUSUAL));
                if let Some(high) = high {
                    statuses = statuses.add(Column::Status.lt(*high));
                }
                statuses
            }
            Candidate::Equal(keyed, value) => {
                self.probe_time(true).add(keyed.column().eq(value.clone()))
            }
        }
    }

    /// The time range, and the rows at or before the cursor's time: a superset of the page's
    /// rows, so a probe that counts none proves the page empty. `indexed`: whether the probed
    /// index can seek the time range (an equality's `(column, ts)` can; a range of statuses
    /// cannot, and a plain time term would offer SQLite the time index instead).
    fn probe_time(&self, indexed: bool) -> Condition {
        let ts = |op: &str, ms: i64| {
            let plus = if indexed { "" } else { "+" };
            Expr::cust_with_values(format!("{plus}ts {op} ?"), [ms])
        };
        let mut condition = Condition::all();
        if let Some(from) = self.from_ms {
            condition = condition.add(ts(">=", from));
        }
        if let Some(to) = self.to_ms {
            condition = condition.add(ts("<", to));
        }
        if let Some((at, _)) = self.cursor {
            condition = condition.add(ts("<=", at));
        }
        condition
    }
}

/// How many rows match `condition`, counted up to `cap`.
async fn count_up_to(db: &impl ConnectionTrait, condition: Condition, cap: u64) -> CoreResult<u64> {
    let rows: SelectStatement = Query::select()
        .expr(Expr::val(1))
        .from(traffic_log::Entity)
        .cond_where(condition)
        .limit(cap)
        .to_owned();
    let count = Query::select()
        .expr(Func::count(Expr::col(Asterisk)))
        .from_subquery(rows, Alias::new("probe"))
        .to_owned();
    let backend = db.get_database_backend();
    let counted = match db.query_one(backend.build(&count)).await? {
        Some(row) => row.try_get_by_index::<i64>(0)?,
        None => 0,
    };
    Ok(u64::try_from(counted).unwrap_or(0))
}

/// The statuses from `low` up to `high` (excluded, None for no bound) that some row has, one
/// seek of the partial status index each.
async fn statuses_present(
    db: &impl ConnectionTrait,
    low: i32,
    high: Option<i32>,
) -> CoreResult<Vec<i32>> {
    let mut present = Vec::new();
    let mut next = low;
    loop {
        let mut first = traffic_log::Entity::find()
            .select_only()
            .expr(Column::Status.min())
            .filter(Column::Status.gte(next))
            .filter(Expr::cust(UNUSUAL));
        if let Some(high) = high {
            first = first.filter(Column::Status.lt(high));
        }
        match first.into_tuple::<Option<i32>>().one(db).await?.flatten() {
            Some(status) => {
                present.push(status);
                next = status + 1;
            }
            None => return Ok(present),
        }
    }
}
