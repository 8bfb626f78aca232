//! The IRP-DataAccess playbook as the spine of an investigation: steps as data, triage answers,
//! the 12 queries bound to pins, logging health, severity, sessions and the incident report.
pub mod health;
pub mod queries;
pub mod report;
pub mod session;
pub mod severity;
pub mod steps;
pub mod triage;

use serde::{Deserialize, Serialize};

pub use queries::Pins;
pub use steps::Playbook;

use crate::model::query::Query;
use crate::model::store::EventStore;

/// A principal's standing in the anomaly ranking, as the playbook needs it (filled from the analysis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub principal: String,
    pub rank: usize,
    pub score: f64,
    /// Low, Medium, High or Critical.
    pub risk: String,
    pub reasons: Vec<String>,
}

/// A value for the query language, quoted and escaped.
pub fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// 1234567 -> "1,234,567".
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in decimal units with the exact count: "1.3 GB (1,288,490,188 bytes)".
pub fn fmt_bytes(b: i64) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} bytes")
    } else {
        format!(
            "{v:.1} {} ({} bytes)",
            units[u],
            fmt_count(b.max(0) as usize)
        )
    }
}

/// Milliseconds as "2 h 05 min", "3 d 4 h", "40 s".
pub fn fmt_duration(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        s => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// Pins the analysis suggests when the analyst has pinned nothing: the top-ranked principal as
/// SUSPECT and the bucket it read most from as BUCKET (else the most-read bucket).
pub fn default_pins(store: &EventStore, standings: &[Standing]) -> Pins {
    let suspect = standings
        .iter()
        .min_by_key(|s| s.rank)
        .map(|s| s.principal.clone());
    let reads = |extra: &str| {
        Query::parse(&format!("source:s3.amazonaws.com name:GetObject {extra}"))
            .and_then(|q| q.rows(store, None))
            .unwrap_or_default()
    };
    let from_suspect = suspect
        .as_deref()
        .map(|s| reads(&format!("user:{}", quoted(s))))
        .unwrap_or_default();
    let rows = if from_suspect.is_empty() {
        reads("")
    } else {
        from_suspect
    };
    let bucket = store
        .value_counts("bucket", Some(&rows))
        .into_iter()
        .next()
        .map(|(b, _)| b);
    Pins {
        suspect,
        bucket,
        window: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_count(1_234_567), "1,234,567");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_bytes(999), "999 bytes");
        assert_eq!(fmt_bytes(1_500_000), "1.5 MB (1,500,000 bytes)");
        assert_eq!(fmt_duration(7_500_000), "2 h 05 min");
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
