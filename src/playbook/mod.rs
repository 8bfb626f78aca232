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
    crate::analysis::humanize::count(n as u64)
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
/// SUSPECT (narrowed to its outside-AWS activity when it also works from inside), and the bucket
/// that activity read most from as BUCKET (else the most-read bucket).
pub fn default_pins(store: &EventStore, standings: &[Standing]) -> Pins {
    let suspect = standings
        .iter()
        .min_by_key(|s| s.rank)
        .map(|s| s.principal.clone());
    pins_for(store, suspect)
}

/// Suggested scope and bucket for a suspect (or only a bucket, when there is none).
pub fn pins_for(store: &EventStore, suspect: Option<String>) -> Pins {
    let suspect_ip = suspect.as_deref().and_then(|s| suggest_scope(store, s));
    let reads = |extra: &str| {
        Query::parse(&format!("source:s3.amazonaws.com name:GetObject {extra}"))
            .and_then(|q| q.rows(store, None))
            .unwrap_or_default()
    };
    let scoped = Pins {
        suspect: suspect.clone(),
        suspect_ip: suspect_ip.clone(),
        ..Pins::default()
    };
    let from_suspect = scoped
        .suspect_query()
        .map(|q| reads(&q))
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
        suspect_ip,
        bucket,
        window: None,
    }
}

/// `outside` when the principal works both from inside (AWS services, private addresses) and
/// from public addresses: the public part is what stolen credentials look like.
pub fn suggest_scope(store: &EventStore, principal: &str) -> Option<String> {
    let q = format!("user:{}", quoted(principal));
    let all = Query::parse(&q).and_then(|q| q.rows(store, None)).ok()?;
    let outside = all
        .iter()
        .filter(|&&r| store.bool_at(crate::model::schema::OUTSIDE_AWS, r as usize) == Some(true))
        .count();
    (outside > 0 && outside < all.len()).then(|| "outside".to_owned())
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
