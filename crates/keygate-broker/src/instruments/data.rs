//! Parsing the CSV files under `data/` (embedded with `include_str!`). The files are plain
//! comma-separated values without quoting; a header line names the columns.

use std::str::FromStr;

use crate::types::Exchange;

/// A row of the instrument data that could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file} line {line}: {message}")]
pub struct DataError {
    /// Which file.
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The data files, embedded at compile time.
pub(crate) const EQUITIES: &str = include_str!("../../data/equities.csv");
pub(crate) const INDICES: &str = include_str!("../../data/indices.csv");
pub(crate) const INDEX_FUTURES: &str = include_str!("../../data/index_futures.csv");
pub(crate) const CRYPTO: &str = include_str!("../../data/crypto.csv");

/// One data row: its line number and its fields.
pub(crate) struct Row<'a> {
    file: &'static str,
    line: usize,
    fields: Vec<&'a str>,
}

impl<'a> Row<'a> {
    fn err(&self, message: String) -> DataError {
        DataError {
            file: self.file,
            line: self.line,
            message,
        }
    }

    /// Field `i` as text (non-empty).
    pub(crate) fn text(&self, i: usize) -> Result<&'a str, DataError> {
        match self.fields.get(i) {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.err(format!("missing field {i}"))),
        }
    }

    /// Field `i` as a positive, finite number.
    pub(crate) fn positive(&self, i: usize) -> Result<f64, DataError> {
        let raw = self.text(i)?;
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
            _ => Err(self.err(format!("field {i} '{raw}' is not a positive number"))),
        }
    }

    /// Field `i` as an exchange.
    pub(crate) fn exchange(&self, i: usize) -> Result<Exchange, DataError> {
        let raw = self.text(i)?;
        Exchange::from_str(raw).map_err(|e| self.err(e.to_string()))
    }
}

/// Splits `text` into rows with at least `min_fields` fields, skipping the header and blank lines.
pub(crate) fn rows<'a>(
    file: &'static str,
    text: &'a str,
    min_fields: usize,
) -> Result<Vec<Row<'a>>, DataError> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate().skip(1) {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        let row = Row {
            file,
            line: idx + 1,
            fields,
        };
        if row.fields.len() < min_fields {
            return Err(row.err(format!("expected {min_fields} fields")));
        }
        out.push(row);
    }
    Ok(out)
}
