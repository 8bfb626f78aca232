//! Times in analysis results: epoch milliseconds in memory, RFC 3339 UTC when serialised.
use serde::Serializer;

pub use crate::model::time::format_ms;

pub fn ser_opt<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(ms) => s.serialize_str(&format_ms(*ms)),
        None => s.serialize_none(),
    }
}

pub fn ser<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_ms(*t))
}

/// Text for people: `2024-05-01 13:05:09Z`-style, or "-" when unknown.
pub fn show(t: Option<i64>) -> String {
    t.map(format_ms).unwrap_or_else(|| "-".to_owned())
}
