//! RFC 3339 timestamps on the wire, read and written by hand.
//!
//! Every time in these types is UTC and the server always writes it as RFC 3339
//! (`2026-12-04T10:15:00.123Z`). chrono's own serde impls go through its relaxed parser and its
//! format-item interpreter, which cost the WebAssembly app ~7 KB gzipped; this module reads the
//! one grammar RFC 3339 allows (`T`, `t` or a space between date and time, a fraction of any
//! length, `Z` or a `±HH:MM` offset) and writes exactly what chrono's serde writes (fraction of
//! 0, 3, 6 or 9 digits, `Z`), so the JSON is unchanged. Fields use it with
//! `#[serde(with = "crate::rfc3339")]` (or `::option`, `::present`).

use std::fmt::{self, Write as _};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use serde::{de, Deserializer, Serializer};

/// A text that is not an RFC 3339 time (or names a date or time that does not exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected an RFC 3339 time such as 2026-01-31T09:30:00Z")
    }
}

impl std::error::Error for InvalidTimestamp {}

/// Writes `time` as chrono's serde does: `YYYY-MM-DDTHH:MM:SS`, a fraction of 3, 6 or 9 digits
/// when not zero, then `Z`.
pub fn format(time: &DateTime<Utc>) -> String {
    let mut out = String::with_capacity(30);
    let year = time.year();
    // `fmt::Write` for `String` cannot fail.
    let _ = if (0..=9999).contains(&year) {
        write!(out, "{year:04}")
    } else {
        write!(out, "{year:+05}")
    };
    // A leap second is stored as second 59 with a nanosecond count past one billion.
    let (second, nanos) = match time.nanosecond() {
        n if n >= 1_000_000_000 => (time.second() + 1, n - 1_000_000_000),
        n => (time.second(), n),
    };
    let _ = write!(
        out,
        "-{:02}-{:02}T{:02}:{:02}:{second:02}",
        time.month(),
        time.day(),
        time.hour(),
        time.minute()
    );
    let _ = match nanos {
        0 => Ok(()),
        n if n % 1_000_000 == 0 => write!(out, ".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => write!(out, ".{:06}", n / 1_000),
        n => write!(out, ".{n:09}"),
    };
    out.push('Z');
    out
}

/// Reads an RFC 3339 time (any offset) as UTC. Digits past nanoseconds are ignored.
pub fn parse(text: &str) -> Result<DateTime<Utc>, InvalidTimestamp> {
    let mut at = Cursor(text.as_bytes());
    let year = at.number(4)?;
    at.expect(b"-")?;
    let month = at.number(2)?;
    at.expect(b"-")?;
    let day = at.number(2)?;
    at.expect(b"Tt ")?;
    let hour = at.number(2)?;
    at.expect(b":")?;
    let minute = at.number(2)?;
    at.expect(b":")?;
    let second = at.number(2)?;
    let nanos = if at.peek() == Some(b'.') {
        at.0 = &at.0[1..];
        at.fraction()?
    } else {
        0
    };
    let offset_minutes = match at.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let hours = at.number(2)?;
            at.expect(b":")?;
            let minutes = at.number(2)?;
            if hours > 23 || minutes > 59 {
                return Err(InvalidTimestamp);
            }
            let total = i64::from(hours * 60 + minutes);
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return Err(InvalidTimestamp),
    };
    if !at.0.is_empty() {
        return Err(InvalidTimestamp);
    }
    // Second 60 (a leap second) is chrono's second 59 plus one billion nanoseconds.
    let (second, nanos) = if second == 60 {
        (59, nanos + 1_000_000_000)
    } else {
        (second, nanos)
    };
    let year = i32::try_from(year).map_err(|_| InvalidTimestamp)?;
    let local = NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| date.and_hms_nano_opt(hour, minute, second, nanos))
        .ok_or(InvalidTimestamp)?;
    local
        .checked_sub_signed(TimeDelta::minutes(offset_minutes))
        .map(|utc| utc.and_utc())
        .ok_or(InvalidTimestamp)
}

/// The unread rest of the text.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    fn next(&mut self) -> Result<u8, InvalidTimestamp> {
        let (&first, rest) = self.0.split_first().ok_or(InvalidTimestamp)?;
        self.0 = rest;
        Ok(first)
    }

    /// One byte that must be one of `allowed`.
    fn expect(&mut self, allowed: &[u8]) -> Result<(), InvalidTimestamp> {
        let byte = self.next()?;
        if allowed.contains(&byte) {
            Ok(())
        } else {
            Err(InvalidTimestamp)
        }
    }

    /// Exactly `digits` decimal digits.
    fn number(&mut self, digits: usize) -> Result<u32, InvalidTimestamp> {
        let mut value = 0;
        for _ in 0..digits {
            let digit = self.next()?.wrapping_sub(b'0');
            if digit > 9 {
                return Err(InvalidTimestamp);
            }
            value = value * 10 + u32::from(digit);
        }
        Ok(value)
    }

    /// One or more digits after the decimal point, as nanoseconds.
    fn fraction(&mut self) -> Result<u32, InvalidTimestamp> {
        let (mut nanos, mut scale, mut read) = (0, 100_000_000, 0);
        while let Some(digit) = self
            .peek()
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d <= 9)
        {
            self.0 = &self.0[1..];
            nanos += u32::from(digit) * scale;
            scale /= 10;
            read += 1;
        }
        if read == 0 {
            Err(InvalidTimestamp)
        } else {
            Ok(nanos)
        }
    }
}

/// serde: a time as an RFC 3339 string.
pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(time))
}

/// serde: an RFC 3339 string as a time.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(TimeVisitor)
}

struct TimeVisitor;

impl de::Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time such as 2026-01-31T09:30:00Z")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

/// serde for `Option<DateTime<Utc>>`: `null` (or, with `#[serde(default)]`, an absent field) is
/// `None`.
pub mod option {
    use chrono::{DateTime, Utc};
    use serde::{de, Deserializer, Serializer};

    /// serde: `None` as `null`, a time as an RFC 3339 string.
    pub fn serialize<S: Serializer>(
        time: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => super::serialize(time, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// serde: `null` as `None`, an RFC 3339 string as a time.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> de::Visitor<'de> for OptionVisitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("null or an RFC 3339 time")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
            super::deserialize(inner).map(Some)
        }
    }
}

/// serde for `Option<Option<DateTime<Utc>>>` in update bodies, with `#[serde(default,
/// skip_serializing_if = "Option::is_none")]`: an absent field is `None`, `null` is `Some(None)`.
pub mod present {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    /// serde: `Some(None)` as `null`, `Some(Some(time))` as the time (`None` is skipped).
    pub fn serialize<S: Serializer>(
        time: &Option<Option<DateTime<Utc>>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        super::option::serialize(&time.flatten(), serializer)
    }

    /// serde: a present field, `null` or a time.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<DateTime<Utc>>>, D::Error> {
        super::option::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{SecondsFormat, TimeZone};

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn writes_what_chrono_serde_writes() {
        for text in [
            "2026-12-04T10:15:00Z",
            "2026-12-04T10:15:00.123Z",
            "2026-12-04T10:15:00.120Z",
            "2026-12-04T10:15:00.123456Z",
            "2026-12-04T10:15:00.123456789Z",
            "2026-12-04T10:15:00.000000001Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999Z",
            "2016-12-31T23:59:60.5Z",
        ] {
            let time = at(text);
            let chrono = serde_json::to_string(&time).unwrap();
            assert_eq!(format!("\"{}\"", format(&time)), chrono, "{text}");
        }
        let far = Utc.with_ymd_and_hms(12345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            format!("\"{}\"", format(&far)),
            serde_json::to_string(&far).unwrap()
        );
    }

    #[test]
    fn reads_every_rfc_3339_form_as_chrono_does() {
        for text in [
            "2026-12-04T10:15:00Z",
            "2026-12-04t10:15:00z",
            "2026-12-04 10:15:00Z",
            "2026-12-04T10:15:00.5Z",
            "2026-12-04T10:15:00.123456789Z",
            "2026-12-04T10:15:00.1234567891234Z",
            "2026-12-04T10:15:00+05:30",
            "2026-12-04T01:15:00-09:45",
            "2026-01-01T00:30:00+01:00",
            "2016-12-31T23:59:60Z",
            "2024-02-29T12:00:00Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text).unwrap().to_utc();
            assert_eq!(parse(text), Ok(chrono), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for text in [
            "",
            "tomorrow",
            "2026-12-04",
            "2026-12-04T10:15Z",
            "2026-12-04T10:15:00",
            "2026-12-04T10:15:00.Z",
            "2026-12-04T10:15:00+0530",
            "2026-12-04T10:15:00Z ",
            "2026-12-04X10:15:00Z",
            "2026-13-04T10:15:00Z",
            "2026-02-30T10:15:00Z",
            "2026-12-04T24:00:00Z",
            "2026-12-04T10:60:00Z",
            "2026-12-04T10:15:61Z",
            "2026-12-04T10:15:00+24:00",
            "+2026-12-04T10:15:00Z",
            "２026-12-04T10:15:00Z",
        ] {
            assert_eq!(parse(text), Err(InvalidTimestamp), "{text:?}");
        }
    }

    #[test]
    fn round_trips_through_serde_fields() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Row {
            #[serde(with = "crate::rfc3339")]
            at: DateTime<Utc>,
            #[serde(default, with = "crate::rfc3339::option")]
            until: Option<DateTime<Utc>>,
            #[serde(
                default,
                with = "crate::rfc3339::present",
                skip_serializing_if = "Option::is_none"
            )]
            change: Option<Option<DateTime<Utc>>>,
        }
        let row: Row = serde_json::from_str(r#"{"at":"2026-12-04T10:15:00.5+01:00"}"#).unwrap();
        assert_eq!(row.at, at("2026-12-04T09:15:00.5Z"));
        assert_eq!((row.until, row.change), (None, None));
        let row: Row =
            serde_json::from_str(r#"{"at":"2026-12-04T10:15:00Z","until":null,"change":null}"#)
                .unwrap();
        assert_eq!((row.until, row.change), (None, Some(None)));
        let json = serde_json::to_string(&Row {
            at: at("2026-12-04T10:15:00Z"),
            until: Some(at("2026-12-05T00:00:00.250Z")),
            change: Some(Some(at("2027-01-01T00:00:00Z"))),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"at":"2026-12-04T10:15:00Z","until":"2026-12-05T00:00:00.250Z","change":"2027-01-01T00:00:00Z"}"#
        );
        let error = serde_json::from_str::<Row>(r#"{"at":"tomorrow"}"#).unwrap_err();
        assert!(error.to_string().contains("RFC 3339"), "{error}");
        assert_eq!(
            format(&at("2026-12-04T10:15:00.250Z")),
            at("2026-12-04T10:15:00.250Z").to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
    }
}
