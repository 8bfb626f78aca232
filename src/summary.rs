//! The load summary: what `cttui summary` prints and the Overview tab shows.
use serde::Serialize;

use crate::model::load::{FileReport, LoadReport, Passed};
use crate::model::store::EventStore;
use crate::model::time::format_ms;

pub use crate::model::facts::Count;

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Paths passed over without reading (digests, unreadable paths).
    pub passed: Vec<Passed>,
    /// Inputs from which no record loaded, with the reason.
    pub files: Vec<SkippedFile>,
    /// Records that failed to parse.
    pub bad_records: usize,
    /// Container elements that were not CloudTrail records.
    pub not_records: usize,
    /// One line per problem: file, line, byte offset, reason.
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub events: usize,
    /// Records read before duplicate removal (= events + duplicates).
    pub records: usize,
    pub duplicates: usize,
    /// Events kept whose time was missing or unparseable.
    pub unparsed_times: usize,
    pub skipped: Skipped,
    pub files: Vec<FileReport>,
    /// Input formats read (`Records JSON`, `Parquet (Spark/Glue, nested)` …): files per format.
    pub formats: Vec<Count>,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    /// Distinct principals.
    pub principals: usize,
    /// Distinct event sources.
    pub event_sources: usize,
    pub regions: Vec<Count>,
    pub accounts: Vec<Count>,
    pub top_principals: Vec<Count>,
    pub top_event_sources: Vec<Count>,
    pub top_event_names: Vec<Count>,
    pub error_codes: Vec<Count>,
    /// Object-level S3 events (GetObject, PutObject, ...): without them data access is invisible.
    pub s3_data_events: usize,
}

pub const TOP: usize = 10;

fn counts(v: Vec<(String, usize)>, n: usize) -> Vec<Count> {
    v.into_iter()
        .take(n)
        .map(|(value, count)| Count { value, count })
        .collect()
}

pub use crate::model::facts::{is_s3_object_api, s3_data_event_count};

impl Summary {
    pub fn new(store: &EventStore, report: &LoadReport) -> Summary {
        let principals = crate::model::facts::principal_counts(store);
        let sources = store.value_counts("event_source", None);
        let (first, last) = store.time_span().map_or((None, None), |(a, b)| {
            (Some(format_ms(a)), Some(format_ms(b)))
        });
        let s3_data_events = s3_data_event_count(store);
        let files = report
            .files
            .iter()
            .filter(|f| f.records == 0)
            .map(|f| SkippedFile {
                path: f.path.clone(),
                reason: f.error.clone().unwrap_or_else(|| {
                    if f.bad_records > 0 {
                        format!("{} bad record(s), none loaded", f.bad_records)
                    } else {
                        format!("no CloudTrail records ({} other element(s))", f.not_records)
                    }
                }),
            })
            .collect();
        let mut formats: Vec<(String, usize)> = Vec::new();
        for f in report.files.iter().filter(|f| f.records > 0) {
            let label = format!(
                "{}{}",
                f.shape.map_or("unknown", |s| s.label()),
                if f.gzip { ", gzip" } else { "" }
            );
            match formats.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => formats.push((label, 1)),
            }
        }
        formats.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Summary {
            events: store.len(),
            records: report.records,
            duplicates: report.duplicates,
            unparsed_times: report.bad_times,
            skipped: Skipped {
                passed: report.passed.clone(),
                files,
                bad_records: report.bad_records(),
                not_records: report.not_records(),
                details: report.skip_lines(),
            },
            files: report.files.clone(),
            formats: counts(formats, usize::MAX),
            first_event: first,
            last_event: last,
            principals: principals.len(),
            event_sources: sources.len(),
            regions: counts(store.value_counts("aws_region", None), usize::MAX),
            accounts: counts(store.value_counts("recipient_account_id", None), usize::MAX),
            top_principals: counts(principals, TOP),
            top_event_sources: counts(sources, TOP),
            top_event_names: counts(store.value_counts("event_name", None), TOP),
            error_codes: counts(store.value_counts("error_code", None), TOP),
            s3_data_events,
        }
    }

    /// Human-readable text.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "events:      {}", self.events);
        let _ = writeln!(
            s,
            "records:     {} read, {} duplicate(s) removed, {} with unparsed time",
            self.records, self.duplicates, self.unparsed_times
        );
        let loaded = self.files.iter().filter(|f| f.records > 0).count();
        let _ = writeln!(
            s,
            "files:       {} loaded, {} without records, {} passed over",
            loaded,
            self.skipped.files.len(),
            self.skipped.passed.len()
        );
        let formats: Vec<String> = self
            .formats
            .iter()
            .map(|c| format!("{} ({} file(s))", c.value, c.count))
            .collect();
        let _ = writeln!(
            s,
            "formats:     {}",
            if formats.is_empty() {
                "-".to_owned()
            } else {
                formats.join(", ")
            }
        );
        let _ = writeln!(
            s,
            "skipped:     {} bad record(s), {} non-CloudTrail element(s)",
            self.skipped.bad_records, self.skipped.not_records
        );
        let _ = writeln!(
            s,
            "time span:   {} .. {}",
            self.first_event.as_deref().unwrap_or("-"),
            self.last_event.as_deref().unwrap_or("-")
        );
        let _ = writeln!(
            s,
            "principals:  {}   event sources: {}   S3 data events: {}",
            self.principals, self.event_sources, self.s3_data_events
        );
        if self.s3_data_events == 0 {
            let _ = writeln!(
                s,
                "warning:     no S3 data events: object-level access is invisible in this log"
            );
        }
        for (title, list) in [
            ("regions", &self.regions),
            ("top principals", &self.top_principals),
            ("top event sources", &self.top_event_sources),
            ("top event names", &self.top_event_names),
            ("error codes", &self.error_codes),
        ] {
            let _ = writeln!(s, "\n{title}:");
            for c in list {
                let _ = writeln!(s, "  {:>8}  {}", c.count, crate::text::sanitize(&c.value));
            }
        }
        if !self.skipped.details.is_empty() {
            let _ = writeln!(s, "\nskipped input:");
            for d in &self.skipped.details {
                let _ = writeln!(s, "  {}", crate::text::sanitize(d));
            }
        }
        s
    }
}
