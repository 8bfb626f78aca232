//! The Markdown incident report, shaped like the playbook's part 5.
use std::fmt::Write;

use serde::Serialize;

use super::health::{self, Health};
use super::queries::{Pins, aggregate};
use super::session::Session;
use super::severity::{self, Priority, Severity};
use super::triage::{self, Answer, Context};
use super::{Standing, default_pins, fmt_bytes, fmt_count, pins_for};
use crate::Result;
use crate::export::markdown::{events_table, raw_block};
use crate::ingest::LoadReport;
use crate::ingest::time::format_ms;
use crate::model::net::is_internal_source;
use crate::model::query::Query;
use crate::model::store::EventStore;
use crate::text::md_cell;

/// The query for persistence and tampering events (all principals).
pub fn persistence_query() -> String {
    let names: Vec<String> = crate::analysis::catalog::get()
        .persistence_and_tampering()
        .iter()
        .map(|n| format!("name:{n}"))
        .collect();
    format!("({})", names.join(" OR "))
}

/// Everything the report states, computed once (the TUI's playbook tab shows the same).
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub pins: Pins,
    pub answers: Vec<Answer>,
    pub severity: Severity,
    /// The analyst's severity, when set.
    pub severity_override: Option<Priority>,
    pub health: Health,
    /// The hour with the most GetObject by the suspect: (start, end, count, bytes).
    pub burst: Option<(String, String, usize, i64)>,
    pub first_outside_access: Option<String>,
    pub persistence_rows: Vec<u32>,
    pub exposure_rows: Vec<u32>,
}

/// Pins from the session, each missing one filled with the analysis' suggestion.
pub fn effective_pins(store: &EventStore, session: &Session, standings: &[Standing]) -> Pins {
    // The analyst's pins win; what is missing is suggested for the (possibly pinned) suspect.
    let d = match &session.pins.suspect {
        Some(s) => pins_for(store, Some(s.clone())),
        None => default_pins(store, standings),
    };
    Pins {
        suspect: d.suspect,
        suspect_ip: session.pins.suspect_ip.clone().or(d.suspect_ip),
        bucket: session.pins.bucket.clone().or(d.bucket),
        window: session.pins.window.or(d.window),
    }
}

/// Answers with the analyst's overrides applied.
fn apply_overrides(mut answers: Vec<Answer>, session: &Session) -> Vec<Answer> {
    for a in &mut answers {
        if let Some(o) = session.answers.get(&a.id) {
            if let Some(text) = &o.answer {
                a.answer = format!("{text} (analyst; computed: {})", a.answer);
            }
            if let Some(note) = &o.note {
                a.answer.push_str(&format!(" Note: {note}"));
            }
        }
    }
    answers
}

pub fn compute(
    store: &EventStore,
    load: &LoadReport,
    session: &Session,
    standings: &[Standing],
) -> Result<Findings> {
    let pins = effective_pins(store, session, standings);
    let ctx = Context {
        store,
        pins: &pins,
        standings,
    };
    let answers = apply_overrides(triage::answer_all(&ctx)?, session);
    let exposure_q = "source:s3.amazonaws.com -error:* (name:PutBucketPolicy OR name:DeleteBucketPublicAccessBlock OR name:DeletePublicAccessBlock OR name:PutBucketAcl OR name:PutObjectAcl OR name:PutBucketPublicAccessBlock)";
    let exposure_rows = Query::parse(exposure_q)?.rows(store, None)?;
    let public = exposure_rows
        .iter()
        .any(|&r| opens_to_public(store, r as usize));
    let severity = severity::suggest(&answers, public);
    let health = health::check(store, load, health::DEFAULT_SILENCE_MINUTES)?;
    let mut burst = None;
    let mut first_outside_access = None;
    if let Some(q) = ctx.suspect_reads_query() {
        let reads = Query::parse(&q)?.rows(store, None)?;
        burst = aggregate(store, &reads, &["hour".to_owned()], 0)
            .into_iter()
            .next()
            .map(|g| {
                let start = g.key[0].clone();
                let end = crate::ingest::time::parse_time_ms(&start)
                    .map(|t| format_ms(t + 3_600_000))
                    .unwrap_or_default();
                (start, end, g.count, g.bytes_out)
            });
    }
    if let Some(suspect_q) = pins.suspect_query() {
        let rows = Query::parse(&suspect_q)?.rows(store, None)?;
        let ips = store.str_col("source_ip");
        first_outside_access = rows
            .iter()
            .find(|&&r| {
                ips.as_ref()
                    .and_then(|c| c.get(r as usize))
                    .is_some_and(|ip| !is_internal_source(ip))
            })
            .and_then(|&r| store.time_at(r as usize))
            .map(format_ms);
    }
    let persistence_rows = Query::parse(&persistence_query())?.rows(store, None)?;
    Ok(Findings {
        pins,
        answers,
        severity,
        severity_override: session.severity.as_deref().and_then(Priority::parse),
        health,
        burst,
        first_outside_access,
        persistence_rows,
        exposure_rows,
    })
}

/// Whether an exposure change opens a bucket to everyone: a policy with a `*` principal, public
/// access block removed or switched off, or an ACL granting AllUsers.
pub fn opens_to_public(store: &EventStore, row: usize) -> bool {
    let name = store.str_at("event_name", row).unwrap_or_default();
    match name.as_str() {
        "DeleteBucketPublicAccessBlock" | "DeletePublicAccessBlock" => true,
        _ => {
            let raw = store.raw_compact(row).unwrap_or_default();
            match name.as_str() {
                "PutBucketPolicy" => {
                    raw.contains(r#"\"Principal\":\"*\""#)
                        || raw.contains(r#"\"AWS\":\"*\""#)
                        || raw.contains(r#""Principal":"*""#)
                        || raw.contains(r#""AWS":"*""#)
                }
                "PutBucketAcl" | "PutObjectAcl" => {
                    raw.contains("AllUsers") || raw.contains("public-read")
                }
                "PutBucketPublicAccessBlock" | "PutPublicAccessBlock" => {
                    raw.contains(r#""BlockPublicAcls":false"#)
                        || raw.contains(r#""RestrictPublicBuckets":false"#)
                }
                _ => false,
            }
        }
    }
}

/// Inputs of the report besides the store.
pub struct ReportInput<'a> {
    pub store: &'a EventStore,
    pub load: &'a LoadReport,
    pub session: &'a Session,
    pub standings: &'a [Standing],
    /// Sections rendered by the analysis layer (findings, anomalies): (title, Markdown body).
    pub analysis_sections: Vec<(String, String)>,
}

/// The timeline: the suspect's activity with runs of one call collapsed, plus exposure and
/// tampering changes by anyone, in time order.
fn timeline_rows(input: &ReportInput, f: &Findings) -> Result<Vec<(i64, String, String, String)>> {
    let store = input.store;
    let mut out = Vec::new();
    let name = store.str_col("event_name");
    let bucket = store.str_col("bucket");
    let ip = store.str_col("source_ip");
    let err = store.str_col("error_code");
    let principal = store.str_col("principal");
    let get = |c: &Option<polars::prelude::StringChunked>, r: usize| {
        c.as_ref().and_then(|c| c.get(r)).unwrap_or("").to_owned()
    };
    if let (Some(s), Some(suspect_q)) = (f.pins.suspect.as_deref(), f.pins.suspect_query()) {
        let rows = Query::parse(&suspect_q)?.rows(store, None)?;
        let mut i = 0;
        while i < rows.len() {
            let r = rows[i] as usize;
            let key = (get(&name, r), get(&bucket, r), get(&ip, r), get(&err, r));
            let t0 = store.time_at(r).unwrap_or(0);
            let mut j = i + 1;
            while j < rows.len() {
                let rj = rows[j] as usize;
                let same = (
                    get(&name, rj),
                    get(&bucket, rj),
                    get(&ip, rj),
                    get(&err, rj),
                ) == key;
                if !same || store.time_at(rj).unwrap_or(0) - t0 > 3_600_000 {
                    break;
                }
                j += 1;
            }
            let n = j - i;
            let mut event = if n > 1 {
                format!("{} x {}", fmt_count(n), key.0)
            } else {
                key.0.clone()
            };
            if !key.3.is_empty() {
                event.push_str(&format!(" ({})", key.3));
            }
            let evidence = match (&key.1, n) {
                (b, _) if !b.is_empty() => format!("bucket {b}, from {}", key.2),
                _ => format!("from {}", key.2),
            };
            out.push((t0, event, evidence, s.to_owned()));
            i = j;
        }
    }
    for &r in f.exposure_rows.iter().chain(&f.health.tampering) {
        let r = r as usize;
        let p = get(&principal, r);
        if f.pins.suspect.as_deref() == Some(p.as_str()) {
            continue;
        }
        let mut event = get(&name, r);
        let e = get(&err, r);
        if !e.is_empty() {
            event.push_str(&format!(" ({e})"));
        }
        out.push((
            store.time_at(r).unwrap_or(0),
            event,
            format!("bucket {}", get(&bucket, r)),
            p,
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out)
}

/// Renders the report.
pub fn render(input: &ReportInput) -> Result<String> {
    let store = input.store;
    let f = compute(store, input.load, input.session, input.standings)?;
    let mut s = String::new();
    let suspect = f
        .pins
        .suspect
        .clone()
        .unwrap_or_else(|| "(none pinned)".into());
    let bucket = f
        .pins
        .bucket
        .clone()
        .unwrap_or_else(|| "(none pinned)".into());
    let _ = writeln!(s, "# Incident report: data access\n");
    let _ = writeln!(
        s,
        "Generated by cttui following AWS IRP-DataAccess (part 5, post-incident).\n"
    );
    s.push_str("## Summary\n\n");
    let priority = f.severity_override.unwrap_or(f.severity.priority);
    let sev_note = if f.severity_override.is_some() {
        format!(
            "{} (set by the analyst; suggested {})",
            priority.label(),
            f.severity.priority.label()
        )
    } else {
        format!(
            "{} (suggested: {})",
            priority.label(),
            f.severity.reasons.join("; ")
        )
    };
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Severity | {} |", md_cell(&sev_note));
    let _ = writeln!(s, "| Suspect | {} |", md_cell(&suspect));
    let scope = match f.pins.suspect_ip.as_deref() {
        None => "all of its calls".to_owned(),
        Some("outside") => "its calls from outside AWS (it also works from inside: that part is taken as its owner's)".to_owned(),
        Some(ip) => format!("its calls from {ip}"),
    };
    let _ = writeln!(s, "| Suspect activity | {} |", md_cell(&scope));
    let _ = writeln!(s, "| Bucket | {} |", md_cell(&bucket));
    if let Some((a, b, n, bytes)) = &f.burst {
        let _ = writeln!(
            s,
            "| Burst window | {} .. {} UTC: {} GetObject, {} |",
            md_cell(a),
            md_cell(b),
            fmt_count(*n),
            md_cell(&fmt_bytes(*bytes))
        );
    }
    if let Some((a, b)) = store.time_span() {
        let _ = writeln!(
            s,
            "| Log span | {} .. {} ({} events) |",
            format_ms(a),
            format_ms(b),
            fmt_count(store.len())
        );
    }
    let _ = writeln!(
        s,
        "| Sources | {} file(s) |",
        input.load.files.iter().filter(|f| f.records > 0).count()
    );
    s.push('\n');

    s.push_str("## Key metrics\n\n| Metric | Value |\n|---|---|\n");
    let _ = writeln!(
        s,
        "| First unauthorised access (first suspect call from outside AWS) | {} |",
        md_cell(
            f.first_outside_access
                .as_deref()
                .unwrap_or("not established")
        )
    );
    let q6 = f.answers.iter().find(|a| a.id == "Q6");
    let _ = writeln!(
        s,
        "| Data volume accessed | {} |",
        md_cell(q6.map_or("", |a| a.answer.as_str()))
    );
    let q7 = f.answers.iter().find(|a| a.id == "Q7");
    let exfil = match q7.map(|a| a.status) {
        Some(triage::Status::Yes) => "Confirmed",
        Some(triage::Status::Suspected) => "Suspected",
        Some(triage::Status::No) => "No",
        _ => "Unknown",
    };
    let _ = writeln!(s, "| Exfiltrated? | {exfil} |");
    let _ = writeln!(
        s,
        "| Time to detect / contain | not in the logs: record in the notes |\n"
    );

    s.push_str("## Triage answers\n\n| # | Question | Status | Answer | Evidence |\n|---|---|---|---|---|\n");
    for a in &f.answers {
        let ev = match &a.evidence_query {
            Some(q) => format!("{} event(s): `{}`", a.evidence_count, q.replace('`', "'")),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            a.id,
            md_cell(&a.question),
            a.status.label(),
            md_cell(&a.answer),
            ev.replace('|', "\\|")
        );
    }
    s.push('\n');

    s.push_str(
        "## Timeline\n\n| Timestamp (UTC) | Event | Source/Evidence | Actor |\n|---|---|---|---|\n",
    );
    let rows = timeline_rows(input, &f)?;
    const MAX_TIMELINE: usize = 200;
    for (t, event, evidence, actor) in rows.iter().take(MAX_TIMELINE) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            format_ms(*t),
            md_cell(event),
            md_cell(evidence),
            md_cell(actor)
        );
    }
    if rows.len() > MAX_TIMELINE {
        let _ = writeln!(
            s,
            "\n{} more timeline rows not shown.",
            rows.len() - MAX_TIMELINE
        );
    }
    s.push('\n');

    for (title, body) in &input.analysis_sections {
        let _ = writeln!(s, "## {}\n\n{}\n", md_cell(title), body);
    }

    s.push_str("## Objects the suspect read\n\n");
    let ctx = Context {
        store,
        pins: &f.pins,
        standings: input.standings,
    };
    match ctx.suspect_reads_query() {
        Some(q) => {
            let reads = Query::parse(&q)?.rows(store, None)?;
            let groups = aggregate(
                store,
                &reads,
                &["bucket".to_owned(), "object_key".to_owned()],
                0,
            );
            let total: i64 = groups.iter().map(|g| g.bytes_out).sum();
            let _ = writeln!(
                s,
                "{} reads of {} objects, {} in total.\n\n| Bucket | Key | Reads | Bytes out | First | Last |\n|---|---|---|---|---|---|",
                fmt_count(reads.len()),
                fmt_count(groups.len()),
                md_cell(&fmt_bytes(total))
            );
            const MAX_OBJECTS: usize = 100;
            for g in groups.iter().take(MAX_OBJECTS) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    md_cell(&g.key[0]),
                    md_cell(&g.key[1]),
                    g.count,
                    g.bytes_out,
                    g.first.as_deref().unwrap_or(""),
                    g.last.as_deref().unwrap_or("")
                );
            }
            if groups.len() > MAX_OBJECTS {
                let _ = writeln!(
                    s,
                    "\n{} more objects: run `cttui events --filter '{}'`.",
                    groups.len() - MAX_OBJECTS,
                    q.replace('\'', "'\\''")
                );
            }
        }
        None => s.push_str("No suspect pinned.\n"),
    }
    s.push('\n');

    s.push_str("## Persistence and tampering found\n\n");
    if f.persistence_rows.is_empty() {
        s.push_str("None of the playbook's persistence or tampering calls appear in this log.\n");
    } else {
        s.push_str(&events_table(store, &f.persistence_rows));
    }
    s.push('\n');

    s.push_str("## Logging gaps and health\n\n");
    if f.health.warnings.is_empty() {
        s.push_str("No warnings.\n");
    }
    for w in &f.health.warnings {
        let _ = writeln!(s, "- {}", md_cell(w));
    }
    for g in f.health.silences.iter().take(10) {
        let _ = writeln!(
            s,
            "- silence in {} / {}: {} .. {} ({} min)",
            md_cell(&g.account),
            md_cell(&g.region),
            g.from,
            g.to,
            g.minutes
        );
    }
    s.push('\n');

    s.push_str("## Analyst notes\n\n");
    if input.session.notes.is_empty() {
        s.push_str("None.\n");
    }
    for n in &input.session.notes {
        let _ = writeln!(s, "- {}", md_cell(n));
    }
    s.push('\n');

    s.push_str("## Marked events\n\n");
    let marks = input.session.resolve_marks(store);
    if marks.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str(&events_table(store, &marks));
        for (i, &r) in marks.iter().enumerate() {
            let _ = writeln!(s, "\n### Marked event {}\n", i + 1);
            s.push_str(&raw_block(store, r as usize));
        }
    }
    Ok(s)
}
