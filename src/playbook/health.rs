//! Logging health (playbook part 1): coverage, silences, tampering, duplicate deliveries.
use serde::Serialize;

use super::fmt_duration;
use crate::Result;
use crate::analysis::catalog::{self, ApiSet};
use crate::model::load::LoadReport;
use crate::model::query::{Field, Filter, Query};
use crate::model::store::EventStore;
use crate::model::time::format_ms;

/// Trail changes that stop or narrow logging: the catalogue's `logging_tampering` calls.
pub fn tampering_filter() -> Filter {
    Filter::is(Field::Source, "cloudtrail.amazonaws.com")
        .and(super::triage::in_set(ApiSet::LoggingTampering))
}

/// The tampering calls by name, for sentences ("StopLogging, DeleteTrail, ...").
pub fn tampering_names() -> String {
    catalog::names(ApiSet::LoggingTampering).join(", ")
}

#[derive(Debug, Clone, Serialize)]
pub struct Silence {
    pub account: String,
    pub region: String,
    pub from: String,
    pub to: String,
    pub minutes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub s3_data_events: usize,
    pub regions: Vec<String>,
    pub accounts: Vec<String>,
    /// More than one region, but none of it from us-east-1 (where global services log).
    pub missing_us_east_1: bool,
    pub duplicates: usize,
    pub digest_files_skipped: usize,
    /// The longest silences per account and region, longest first.
    pub silences: Vec<Silence>,
    pub silence_threshold_minutes: i64,
    pub tampering_query: String,
    #[serde(skip)]
    pub tampering: Vec<u32>,
    pub tampering_events: usize,
    /// Of those, the calls that failed (denied, trail not found): attempts, logging went on.
    pub tampering_failed: usize,
    /// Human-readable warnings, most important first.
    pub warnings: Vec<String>,
}

/// Default silence threshold: six hours without any event in an account-region.
pub const DEFAULT_SILENCE_MINUTES: i64 = 360;

pub fn check(store: &EventStore, report: &LoadReport, threshold_minutes: i64) -> Result<Health> {
    let regions: Vec<String> = store
        .value_counts("aws_region", None)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let accounts: Vec<String> = store
        .value_counts("recipient_account_id", None)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let missing_us_east_1 = regions.len() > 1 && !regions.iter().any(|r| r == "us-east-1");
    let s3_data_events = crate::model::facts::s3_data_event_count(store);
    let tampering_f = tampering_filter();
    let tampering = Query::new(tampering_f.clone())?.rows(store, None)?;
    let tampering_failed = Query::new(tampering_f.and(Filter::present(Field::Error)))?
        .rows(store, None)?
        .len();
    let digest_files_skipped = report
        .passed
        .iter()
        .filter(|p| p.reason.contains("digest"))
        .count();
    let silences = silences(store, threshold_minutes * 60_000);
    let mut warnings = Vec::new();
    let tampering_done = tampering.len() - tampering_failed;
    if tampering_done > 0 {
        warnings.push(format!(
            "{tampering_done} trail change(s) that stop or narrow logging ({})",
            tampering_names()
        ));
    }
    if tampering_failed > 0 {
        warnings.push(format!(
            "{tampering_failed} failed attempt(s) to stop or narrow logging: the calls failed, logging went on"
        ));
    }
    if s3_data_events == 0 {
        warnings.push("no S3 data events: object-level access is invisible in this log".to_owned());
    }
    if missing_us_east_1 {
        warnings.push(
            "several regions but no us-east-1: global services (IAM, STS, CloudFront) log there"
                .to_owned(),
        );
    }
    if !silences.is_empty() {
        warnings.push(format!(
            "{} silence(s) longer than {} in an account-region (longest {})",
            silences.len(),
            fmt_duration(threshold_minutes * 60_000),
            fmt_duration(silences[0].minutes * 60_000)
        ));
    }
    if report.duplicates > 0 {
        warnings.push(format!(
            "{} duplicate deliveries removed",
            report.duplicates
        ));
    }
    Ok(Health {
        s3_data_events,
        regions,
        accounts,
        missing_us_east_1,
        duplicates: report.duplicates,
        digest_files_skipped,
        silences,
        silence_threshold_minutes: threshold_minutes,
        tampering_query: tampering_filter().to_string(),
        tampering_events: tampering.len(),
        tampering_failed,
        tampering,
        warnings,
    })
}

/// Gaps longer than `threshold_ms` between consecutive events of each (account, region), within
/// the log's overall span.
fn silences(store: &EventStore, threshold_ms: i64) -> Vec<Silence> {
    use rustc_hash::FxHashMap;
    let (Some(acct), Some(region)) = (
        store.str_col("recipient_account_id"),
        store.str_col("aws_region"),
    ) else {
        return Vec::new();
    };
    let mut last: FxHashMap<(&str, &str), i64> = FxHashMap::default();
    let mut out = Vec::new();
    for (row, t) in store.times().iter().enumerate() {
        let Some(t) = *t else { continue };
        let key = (acct.get(row).unwrap_or(""), region.get(row).unwrap_or(""));
        if let Some(prev) = last.insert(key, t)
            && t - prev > threshold_ms
        {
            out.push(Silence {
                account: key.0.to_owned(),
                region: key.1.to_owned(),
                from: format_ms(prev),
                to: format_ms(t),
                minutes: (t - prev) / 60_000,
            });
        }
    }
    out.sort_by(|a, b| {
        b.minutes
            .cmp(&a.minutes)
            .then_with(|| a.from.cmp(&b.from))
            .then_with(|| a.region.cmp(&b.region))
    });
    out
}
