//! The analysis for tools: JSON that pandas/polars read directly (objects, never `[id, n]`
//! tuples; every event id of every finding, not a sample) and CSV summaries of regions and
//! principal risk.
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::model::store::EventStore;
use crate::sigma::SigmaRules;
use crate::text::{csv_cell, sanitize};

/// The analysis as JSON: the derived serialisation, with each finding's `event_ids` complete
/// (in time order), `author` and `origin` (`builtin`, the rule file, or `sigma`) added, and each
/// principal's rule counts as `{rule_id, events}` objects.
pub fn json_value(
    analysis: &Analysis,
    store: &EventStore,
    sigma: Option<&SigmaRules>,
) -> Result<Value> {
    let mut v = serde_json::to_value(analysis)?;
    let ids = store.str_col("event_id");
    if let Some(findings) = v.get_mut("findings").and_then(Value::as_array_mut) {
        for (out, f) in findings.iter_mut().zip(&analysis.findings) {
            let Some(o) = out.as_object_mut() else {
                continue;
            };
            let all: Vec<Value> = f
                .rows
                .iter()
                .filter_map(|&r| ids.as_ref().and_then(|c| c.get(r as usize)))
                .map(|s| Value::String(s.to_owned()))
                .collect();
            o.insert("event_ids".into(), Value::Array(all));
            let info = sigma.and_then(|s| s.info(&f.rule_id));
            o.insert(
                "author".into(),
                info.and_then(|i| i.author.clone())
                    .map_or(Value::Null, Value::String),
            );
            o.insert(
                "origin".into(),
                Value::String(if info.is_some() { "sigma" } else { "cttui" }.into()),
            );
        }
    }
    if let Some(principals) = v.get_mut("principals").and_then(Value::as_array_mut) {
        for p in principals {
            if let Some(rules) = p.get_mut("rules").and_then(Value::as_array_mut) {
                for r in rules.iter_mut() {
                    if let Some([id, n]) = r.as_array().map(Vec::as_slice) {
                        *r = json!({ "rule_id": id, "events": n });
                    }
                }
            }
        }
    }
    Ok(v)
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("csv output", io),
        other => Error::Invalid(format!("csv: {other:?}")),
    }
}

fn cell(s: &str) -> String {
    csv_cell(&sanitize(s)).into_owned()
}

/// Regions: events, principals, flagged events and share.
pub fn regions_csv<W: Write>(out: W, analysis: &Analysis) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "region",
        "events",
        "principals",
        "flagged_events",
        "flagged_share",
    ])
    .map_err(csv_err)?;
    for r in &analysis.regions.regions {
        w.write_record([
            cell(&r.region),
            r.events.to_string(),
            r.principals.to_string(),
            r.flagged_events.to_string(),
            format!("{:.4}", r.flagged_share),
        ])
        .map_err(csv_err)?;
    }
    w.flush().map_err(|e| Error::io("csv output", e))
}

/// Principals by rank: score, risk, why, and the rules that fired on their events.
pub fn risk_csv<W: Write>(out: W, analysis: &Analysis) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "rank",
        "principal",
        "risk",
        "score",
        "events",
        "first",
        "last",
        "risk_reasons",
        "rules",
    ])
    .map_err(csv_err)?;
    let time = |t: Option<i64>| t.map(crate::model::time::format_ms).unwrap_or_default();
    for p in &analysis.principals {
        let rules: Vec<String> = p.rules.iter().map(|(id, n)| format!("{id}={n}")).collect();
        w.write_record([
            p.rank.to_string(),
            cell(&p.principal),
            p.risk.to_string(),
            p.score.map(|s| format!("{s:.4}")).unwrap_or_default(),
            p.features.events.to_string(),
            time(p.features.first),
            time(p.features.last),
            cell(&p.risk_reasons.join("; ")),
            cell(&rules.join(";")),
        ])
        .map_err(csv_err)?;
    }
    w.flush().map_err(|e| Error::io("csv output", e))
}

/// Writes `regions.csv`, `risk.csv` and `analysis.json` into `dir` (created when missing).
pub fn write_dir(
    dir: &Path,
    analysis: &Analysis,
    store: &EventStore,
    sigma: Option<&SigmaRules>,
) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<()> {
        let p = dir.join(name);
        crate::fsutil::write_atomic(&p, &bytes, true).map_err(|e| Error::io(&p, e))?;
        written.push(p);
        Ok(())
    };
    let mut buf = Vec::new();
    regions_csv(&mut buf, analysis)?;
    put("regions.csv", buf)?;
    let mut buf = Vec::new();
    risk_csv(&mut buf, analysis)?;
    put("risk.csv", buf)?;
    let mut buf = serde_json::to_vec_pretty(&json_value(analysis, store, sigma)?)?;
    buf.push(b'\n');
    put("analysis.json", buf)?;
    Ok(written)
}
