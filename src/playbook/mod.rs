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

use crate::model::query::{Field, Filter, Query};
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
    /// The analysis' confidence (low, medium, high) when it suggests this principal as SUSPECT.
    #[serde(default)]
    pub suggested: Option<String>,
}

/// 1234567 -> "1,234,567".
pub fn fmt_count(n: usize) -> String {
    crate::analysis::humanize::count(n as u64)
}

/// Bytes with the exact count: "3.9 GiB (4,164,140,560 bytes)".
pub fn fmt_bytes(b: i64) -> String {
    crate::analysis::humanize::bytes_exact(b)
}

/// Milliseconds as "2 h 05 min", "6 d 18 h", "40 s".
pub fn fmt_duration(ms: i64) -> String {
    crate::analysis::humanize::elapsed(ms)
}

/// Successful S3 object reads (GetObject), the playbook's measure of data accessed.
pub fn object_reads() -> Filter {
    Filter::all([
        Filter::is(Field::Source, "s3.amazonaws.com"),
        Filter::is(Field::Name, "GetObject"),
        Filter::present(Field::Error).not(),
    ])
}

fn rows(store: &EventStore, f: Filter) -> Vec<u32> {
    Query::new(f)
        .and_then(|q| q.rows(store, None))
        .unwrap_or_default()
}

/// Pins the analysis suggests when the analyst has pinned nothing: the top-ranked principal as
/// SUSPECT (narrowed to its outside-AWS activity when it also works from inside), and the bucket
/// that activity read most from as BUCKET (else the bucket its S3 calls name most, else the
/// most-read bucket).
pub fn default_pins(store: &EventStore, standings: &[Standing]) -> Pins {
    // The analysis' suggestion when it makes one, else the top rank.
    let suspect = standings
        .iter()
        .find(|s| s.suggested.is_some())
        .or_else(|| standings.iter().min_by_key(|s| s.rank))
        .map(|s| s.principal.clone());
    pins_for(store, suspect)
}

/// Suggested scope and bucket for a suspect (or only a bucket, when there is none).
pub fn pins_for(store: &EventStore, suspect: Option<String>) -> Pins {
    let suspect_ip = suspect.as_deref().and_then(|s| suggest_scope(store, s));
    let scoped = Pins {
        suspect: suspect.clone(),
        suspect_ip: suspect_ip.clone(),
        ..Pins::default()
    };
    // Attempts count: a bucket the suspect tried to read (even denied) is the one to pin.
    let attempts = Filter::all([
        Filter::is(Field::Source, "s3.amazonaws.com"),
        Filter::is(Field::Name, "GetObject"),
    ]);
    let from_suspect = scoped
        .suspect_filter()
        .map(|f| rows(store, f.and(attempts.clone())))
        .unwrap_or_default();
    // A suspect that read nothing may still have touched a bucket (its policy, ACL, listing):
    // that bucket beats the log's most-read one, which a busy application owns.
    let touched = || {
        scoped
            .suspect_filter()
            .map(|f| {
                rows(
                    store,
                    f.and(Filter::is(Field::Source, "s3.amazonaws.com"))
                        .and(Filter::present(Field::Bucket)),
                )
            })
            .unwrap_or_default()
    };
    let reads = if !from_suspect.is_empty() {
        from_suspect
    } else {
        let t = touched();
        if t.is_empty() {
            rows(store, attempts)
        } else {
            t
        }
    };
    let bucket = store
        .value_counts("bucket", Some(&reads))
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
/// from outside: the outside part is what stolen credentials look like.
pub fn suggest_scope(store: &EventStore, principal: &str) -> Option<String> {
    let all = rows(store, Filter::is(Field::User, principal));
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
        assert_eq!(fmt_bytes(999), "999 bytes");
        assert_eq!(fmt_bytes(1_500_000), "1.4 MiB (1,500,000 bytes)");
        assert_eq!(fmt_duration(7_500_000), "2 h 05 min");
        assert_eq!(
            object_reads().to_string(),
            "source:s3.amazonaws.com name:GetObject -error:*"
        );
    }
}
