//! The detection timeline: one row per (event, rule hit), in time order, with who, from where,
//! with which key and tool, what and the outcome — the shape of hayabusa's `csv-timeline` and
//! suzaku's `aws-ct-timeline`, so Timeline Explorer, Timesketch or a spreadsheet can take it.
use std::io::Write;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::model::store::EventStore;
use crate::model::time::format_ms;
use crate::text::{csv_cell, sanitize};

/// One timeline line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    pub timestamp: String,
    pub level: String,
    pub rule_id: String,
    pub rule_title: String,
    pub tactic: String,
    pub technique: String,
    pub principal: String,
    pub source_ip: String,
    /// Network class of the source address (see `export::network_class`).
    pub network: String,
    pub user_agent: String,
    pub access_key_id: String,
    pub event_source: String,
    pub event_name: String,
    pub region: String,
    pub error_code: String,
    pub event_id: String,
}

/// CSV headers, in [`TimelineRow`] field order (Timeline Explorer shows them as they are).
pub const HEADERS: [&str; 16] = [
    "Timestamp",
    "Level",
    "RuleID",
    "RuleTitle",
    "Tactic",
    "Technique",
    "Principal",
    "SourceIP",
    "Network",
    "UserAgent",
    "AccessKeyID",
    "EventSource",
    "EventName",
    "Region",
    "ErrorCode",
    "EventID",
];

impl TimelineRow {
    fn cells(&self) -> [&str; 16] {
        [
            &self.timestamp,
            &self.level,
            &self.rule_id,
            &self.rule_title,
            &self.tactic,
            &self.technique,
            &self.principal,
            &self.source_ip,
            &self.network,
            &self.user_agent,
            &self.access_key_id,
            &self.event_source,
            &self.event_name,
            &self.region,
            &self.error_code,
            &self.event_id,
        ]
    }
}

/// Every (event, rule hit), by time, then level (highest first), then rule id. Events without a
/// time sort last.
pub fn rows(store: &EventStore, analysis: &Analysis) -> Vec<TimelineRow> {
    let mut hits: Vec<(u32, usize)> = analysis
        .findings
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.rows.iter().map(move |&r| (r, i)))
        .collect();
    hits.sort_by(|a, b| {
        let (fa, fb) = (&analysis.findings[a.1], &analysis.findings[b.1]);
        let t = |r: u32| store.time_at(r as usize).unwrap_or(i64::MAX);
        t(a.0)
            .cmp(&t(b.0))
            .then(a.0.cmp(&b.0))
            .then(fb.level.cmp(&fa.level))
            .then(fa.rule_id.cmp(&fb.rule_id))
    });
    let s = |name: &str, r: usize| store.str_at(name, r).unwrap_or_default();
    hits.into_iter()
        .map(|(r, i)| {
            let f = &analysis.findings[i];
            let r = r as usize;
            TimelineRow {
                timestamp: store.time_at(r).map(format_ms).unwrap_or_default(),
                level: f.level.to_string(),
                rule_id: f.rule_id.clone(),
                rule_title: f.title.clone(),
                tactic: f.mitre.tactic.clone(),
                technique: f.mitre.technique.clone(),
                principal: s("principal", r),
                source_ip: s("source_ip", r),
                network: super::network_class(store, r),
                user_agent: s("user_agent", r),
                access_key_id: s("access_key_id", r),
                event_source: s("event_source", r),
                event_name: s("event_name", r),
                region: s("aws_region", r),
                error_code: s("error_code", r),
                event_id: s("event_id", r),
            }
        })
        .collect()
}

pub fn write_csv<W: Write>(out: W, rows: &[TimelineRow]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("stdout", io),
        other => Error::Invalid(format!("csv: {other:?}")),
    };
    w.write_record(HEADERS).map_err(err)?;
    for row in rows {
        w.write_record(row.cells().map(|c| csv_cell(&sanitize(c)).into_owned()))
            .map_err(err)?;
    }
    w.flush().map_err(|e| Error::io("stdout", e))
}

pub fn write_jsonl<W: Write>(out: &mut W, rows: &[TimelineRow]) -> Result<()> {
    for row in rows {
        serde_json::to_writer(&mut *out, row)?;
        out.write_all(b"\n").map_err(|e| Error::io("stdout", e))?;
    }
    Ok(())
}
