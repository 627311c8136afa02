//! Turning wire values into text for people, and form text back into wire values.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use keygate_types::keys::{KeyState, OrderMode, Scope};

/// The format of `<input type="datetime-local">` values.
const DATETIME_LOCAL: &str = "%Y-%m-%dT%H:%M";

/// A time in the browser's time zone, to the minute.
pub fn local_time(time: &DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An optional time, or `none` when absent.
pub fn local_time_or(time: Option<&DateTime<Utc>>, none: &str) -> String {
    time.map_or_else(|| none.to_owned(), local_time)
}

/// The value for a `datetime-local` input showing `time` in the browser's time zone.
pub fn to_datetime_local(time: &DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format(DATETIME_LOCAL)
        .to_string()
}

/// Reads a `datetime-local` value (browser time zone); empty means no time.
pub fn from_datetime_local(value: &str) -> Result<Option<DateTime<Utc>>, String> {
    from_datetime_local_in(value, &Local)
}

fn from_datetime_local_in<Tz: TimeZone>(
    value: &str,
    zone: &Tz,
) -> Result<Option<DateTime<Utc>>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    // Browsers add seconds when the step allows it.
    let naive = NaiveDateTime::parse_from_str(value, DATETIME_LOCAL)
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "Enter a date and time.".to_owned())?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|time| Some(time.with_timezone(&Utc)))
        .ok_or_else(|| "That time does not exist in your time zone.".to_owned())
}

/// One entry per non-empty line, trimmed (for the IP allowlist textarea).
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Human name of a scope.
pub fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Read => "Read",
        Scope::Trade => "Trade",
        Scope::ExitOnly => "Exit only",
    }
}

/// Human name of an order mode.
pub fn mode_label(mode: OrderMode) -> &'static str {
    match mode {
        OrderMode::Auto => "Auto",
        OrderMode::SemiAuto => "Semi-auto",
    }
}

/// Human name and CSS modifier of a key state.
pub fn state_label(state: KeyState) -> (&'static str, &'static str) {
    match state {
        KeyState::Active => ("Active", "ok"),
        KeyState::InGrace => ("In grace", "warn"),
        KeyState::Expired => ("Expired", "muted"),
        KeyState::Revoked => ("Revoked", "bad"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    #[test]
    fn datetime_local_values_are_read_in_the_given_zone() {
        let ist = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let time = from_datetime_local_in("2030-01-02T10:30", &ist).unwrap();
        assert_eq!(time.unwrap().to_rfc3339(), "2030-01-02T05:00:00+00:00");
        let with_seconds = from_datetime_local_in("2030-01-02T10:30:00", &ist).unwrap();
        assert_eq!(with_seconds, time);
    }

    #[test]
    fn empty_datetime_is_none_and_garbage_is_an_error() {
        assert_eq!(from_datetime_local_in("  ", &Utc), Ok(None));
        assert!(from_datetime_local_in("tomorrow", &Utc).is_err());
    }

    #[test]
    fn datetime_local_round_trips() {
        let time = Utc.with_ymd_and_hms(2031, 5, 6, 7, 8, 0).unwrap();
        assert_eq!(
            from_datetime_local(&to_datetime_local(&time)),
            Ok(Some(time))
        );
    }

    #[test]
    fn allowlist_lines_are_trimmed_and_blank_lines_dropped() {
        assert_eq!(
            lines(" 10.0.0.1 \n\n2001:db8::/32\r\n  "),
            vec!["10.0.0.1".to_owned(), "2001:db8::/32".to_owned()]
        );
    }
}
