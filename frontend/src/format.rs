//! Turning wire values into text for people, and form text back into wire values.

use chrono::{DateTime, Datelike, Local, NaiveDate, TimeZone, Timelike, Utc};
use keygate_types::brokers::BrokerKind;
use keygate_types::keys::{BoundConnection, KeyState, OrderMode, Scope};

// Times are written with `format!` and read by hand rather than through chrono's strftime
// (`format`, `parse_from_str`): its format-string interpreter costs ~15 KB of WebAssembly.

/// `YYYY-MM-DD`, then `sep`, then `HH:MM` of `time` (in its own zone).
pub fn date_minute<Tz: TimeZone>(time: &DateTime<Tz>, sep: char) -> String {
    let (date, clock) = (time.date_naive(), time.time());
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}",
        date.year(),
        date.month(),
        date.day(),
        clock.hour(),
        clock.minute()
    )
}

/// A time in the browser's time zone, to the minute.
pub fn local_time(time: &DateTime<Utc>) -> String {
    date_minute(&time.with_timezone(&Local), ' ')
}

/// An optional time, or `none` when absent.
pub fn local_time_or(time: Option<&DateTime<Utc>>, none: &str) -> String {
    time.map_or_else(|| none.to_owned(), local_time)
}

/// The value for a `datetime-local` input showing `time` in the browser's time zone.
pub fn to_datetime_local(time: &DateTime<Utc>) -> String {
    date_minute(&time.with_timezone(&Local), 'T')
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
    let naive = parse_datetime_local(value).ok_or_else(|| "Enter a date and time.".to_owned())?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|time| Some(time.with_timezone(&Utc)))
        .ok_or_else(|| "That time does not exist in your time zone.".to_owned())
}

/// Reads `YYYY-MM-DDTHH:MM`, with `:SS` that browsers add when the input's step allows it.
fn parse_datetime_local(value: &str) -> Option<chrono::NaiveDateTime> {
    fn number(part: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
        let ok = digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| part.parse().ok()).flatten()
    }
    let (date, clock) = value.split_once('T')?;
    let mut date = date.split('-');
    let (year, month, day) = (date.next()?, date.next()?, date.next()?);
    let mut clock = clock.split(':');
    let (hour, minute, second) = (clock.next()?, clock.next()?, clock.next().unwrap_or("00"));
    if date.next().is_some() || clock.next().is_some() {
        return None;
    }
    let year = i32::try_from(number(year, 4..=6)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(month, 2..=2)?, number(day, 2..=2)?)?.and_hms_opt(
        number(hour, 2..=2)?,
        number(minute, 2..=2)?,
        number(second, 2..=2)?,
    )
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

/// Human name of a broker kind.
pub fn broker_kind_label(kind: BrokerKind) -> &'static str {
    match kind {
        BrokerKind::Paper => "Paper",
        BrokerKind::BinanceSpot => "Binance spot",
    }
}

/// Where a key's orders go: `Paper` (the paper account), or the connection's label and kind.
pub fn key_broker_label(bound: Option<&BoundConnection>) -> String {
    bound.map_or_else(
        || "Paper".to_owned(),
        |c| format!("{} ({})", c.label, broker_kind_label(c.kind)),
    )
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
        for bad in [
            "tomorrow",
            "2030-01-02",
            "2030-01-02T10",
            "2030-13-02T10:30",
            "2030-02-30T10:30",
            "2030-01-02T24:00",
            "2030-01-02T10:30:00:00",
            "2030-1-02T10:30",
            "2030-01-02T+1:30",
            "2030-01-02-03T10:30",
        ] {
            assert!(from_datetime_local_in(bad, &Utc).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_are_written_to_the_minute_in_their_own_zone() {
        let ist = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let time = Utc.with_ymd_and_hms(2031, 5, 6, 7, 8, 9).unwrap();
        assert_eq!(date_minute(&time, ' '), "2031-05-06 07:08");
        assert_eq!(
            date_minute(&time.with_timezone(&ist), 'T'),
            "2031-05-06T12:38"
        );
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
