//! The words a body reader and its OpenAPI schema share: what kind of value a field takes, its
//! bound, and a field as a describing [`Fields`](super::schema::Fields) notes it. Both the
//! validator ([`super::schema`], [`super::requests`]) and the schema writer ([`super::describe`])
//! use them, so they sit below both.

/// What kind of value a field takes, as the validator reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A JSON string.
    Str,
    /// A JSON string out of a fixed list (case-sensitive).
    Choice(&'static [&'static str]),
    /// A number: a JSON number or a numeric string.
    Float,
    /// A number, or `null`.
    FloatOrNull,
    /// A whole number: a JSON number (truncated) or an integer string (`_` separators allowed).
    Int,
    /// A boolean, 0/1, or one of marshmallow's spellings (`"true"`, `"off"`, `"y"`, ...).
    Bool,
    /// A list of at least one object with these fields.
    List(Vec<FieldDoc>),
}

/// A lower bound on a numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// More than 0.
    Positive,
    /// 0 or more.
    NonNegative,
}

impl Bound {
    /// True when `x` satisfies the bound.
    pub fn holds(self, x: f64) -> bool {
        match self {
            Bound::Positive => x > 0.0,
            Bound::NonNegative => x >= 0.0,
        }
    }
}

/// One field of a body, as its reader asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDoc {
    /// The JSON name.
    pub name: String,
    /// What it takes.
    pub kind: Kind,
    /// True when absence is an error (else a default applies).
    pub required: bool,
    /// The range check applied after parsing, if any.
    pub bound: Option<Bound>,
}
