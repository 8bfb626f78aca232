//! The Markdown incident report, shaped like the playbook's part 5.
use std::fmt::Write;

use serde::Serialize;

use super::health::{self, Health};
use super::queries::{Pins, aggregate};
use super::session::Session;
use super::severity::{self, Priority, Severity};
use super::triage::{self, Answer, Context, bytes_of};
use super::{Standing, default_pins, fmt_count, object_reads, pins_for};
use crate::Result;
use crate::analysis::humanize;
use crate::export::markdown::{events_table, raw_block};
use crate::model::facts::Count;
use crate::model::load::LoadReport;
use crate::model::query::{Field, Filter, Query};
use crate::model::store::EventStore;
use crate::model::time::{HOUR, format_ms};
use crate::text::{md_cell, sanitize};

/// Persistence and tampering events (all principals).
pub fn persistence_filter() -> Filter {
    let names = crate::analysis::catalog::get().persistence_and_tampering();
    Filter::any(names.iter().map(|n| Filter::is(Field::Name, n.as_str())))
}

/// [`persistence_filter`] as query text, parenthesised so text callers can AND it to more terms.
pub fn persistence_query() -> String {
    format!("({})", persistence_filter())
}

/// Successful changes that can expose a bucket.
pub fn exposure_filter() -> Filter {
    triage::access_changes().and(Filter::present(Field::Error).not())
}

/// The hour with the most object reads by the suspect.
#[derive(Debug, Clone, Serialize)]
pub struct Burst {
    pub start: i64,
    pub end: i64,
    pub reads: usize,
    /// Known bytes out, and how many of the reads say their bytes.
    pub bytes: i64,
    pub with_bytes: usize,
}

/// What the attacker's calls (the suspect's pinned activity in the window) show: what to revoke,
/// block and pivot on.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attacker {
    pub calls: usize,
    /// Access keys that signed the calls, most used first.
    pub keys: Vec<Count>,
    /// Source addresses, most used first, each with its network class (`outside`, `aws`, …).
    pub addresses: Vec<Address>,
    pub user_agents: Vec<Count>,
    /// Successful object reads, and how many of them record their bytes out.
    pub reads: usize,
    pub reads_with_bytes: usize,
    /// Bytes out of the reads that record them.
    pub bytes_known: i64,
    /// Distinct object keys read that look sensitive (`secret`, `password`, `.pem` …), sorted.
    pub sensitive_keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Address {
    pub ip: String,
    pub net_class: String,
    pub calls: usize,
}

impl Attacker {
    fn of(ctx: &Context, suspect: &Filter) -> Result<Attacker> {
        let store = ctx.store;
        let rows = ctx.rows(suspect)?;
        let counts = |col: &str| -> Vec<Count> {
            store
                .value_counts(col, Some(&rows))
                .into_iter()
                .filter(|(v, _)| !v.is_empty())
                .map(|(value, count)| Count { value, count })
                .collect()
        };
        let net = store.str_col(crate::model::schema::NET_CLASS);
        let ips = store.str_col("source_ip");
        let mut addresses: Vec<Address> = Vec::new();
        for c in counts("source_ip") {
            // The class of the address as the store computed it (first call from it).
            let class = rows
                .iter()
                .find(|&&r| ips.as_ref().and_then(|i| i.get(r as usize)) == Some(c.value.as_str()))
                .and_then(|&r| net.as_ref()?.get(r as usize).map(str::to_owned))
                .unwrap_or_else(|| "unknown".to_owned());
            addresses.push(Address {
                ip: c.value,
                net_class: class,
                calls: c.count,
            });
        }
        let reads = ctx.rows(&suspect.clone().and(object_reads()))?;
        let (bytes_known, reads_with_bytes) = bytes_of(store, &reads);
        let sensitive = ctx.rows(&Filter::all([
            suspect.clone(),
            object_reads(),
            triage::sensitive_keys(),
        ]))?;
        let sensitive_keys: Vec<String> = store
            .value_counts("object_key", Some(&sensitive))
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !k.is_empty())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(Attacker {
            calls: rows.len(),
            keys: counts("access_key_id"),
            addresses,
            user_agents: counts("user_agent"),
            reads: reads.len(),
            reads_with_bytes,
            bytes_known,
            sensitive_keys,
        })
    }
}

/// Everything the report states, computed once (the TUI's playbook tab shows the same).
#[derive(Debug, Clone, Serialize)]
pub struct CaseFacts {
    pub pins: Pins,
    /// Whether the suspect is the analysis' suggestion (the analyst pinned none).
    pub suggested: bool,
    /// The suspect's standing in the anomaly ranking, when it has one.
    pub suspect_standing: Option<Standing>,
    pub answers: Vec<Answer>,
    pub severity: Severity,
    /// The analyst's severity, when set.
    pub severity_override: Option<Priority>,
    pub health: Health,
    pub burst: Option<Burst>,
    /// First and last call of the suspect's pinned activity (the attacker's calls, not those its
    /// service makes from inside when the scope is narrowed).
    pub first_access: Option<i64>,
    pub last_access: Option<i64>,
    /// Keys, addresses, agents, bytes and sensitive objects of the attacker's calls.
    pub attacker: Option<Attacker>,
    pub persistence_rows: Vec<u32>,
    /// Persistence and tampering calls of the suspect's pinned activity, in the window.
    pub suspect_persistence: Vec<u32>,
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
) -> Result<CaseFacts> {
    let pins = effective_pins(store, session, standings);
    let ctx = Context {
        store,
        pins: &pins,
        standings,
    };
    let answers = apply_overrides(triage::answer_all(&ctx)?, session);
    let exposure_rows = Query::new(exposure_filter())?.rows(store, None)?;
    let public = exposure_rows
        .iter()
        .any(|&r| opens_to_public(store, r as usize));
    let severity = severity::suggest(&answers, public);
    let health = health::check(store, load, health::DEFAULT_SILENCE_MINUTES)?;
    let mut burst = None;
    if let Some(f) = ctx.suspect_reads() {
        let reads = ctx.rows(&f)?;
        burst = aggregate(store, &reads, &["hour".to_owned()], 0)
            .into_iter()
            .next()
            .and_then(|g| {
                let start = store.time_at(*g.rows.first()? as usize)?;
                let start = start - start.rem_euclid(HOUR);
                let (bytes, with_bytes) = bytes_of(store, &g.rows);
                Some(Burst {
                    start,
                    end: start + HOUR,
                    reads: g.count,
                    bytes,
                    with_bytes,
                })
            });
    }
    let (mut first_access, mut last_access) = (None, None);
    let mut suspect_persistence = Vec::new();
    let mut attacker = None;
    if let Some(s) = ctx.suspect() {
        let rows = ctx.rows(&s)?;
        first_access = rows.iter().find_map(|&r| store.time_at(r as usize));
        last_access = rows.iter().rev().find_map(|&r| store.time_at(r as usize));
        attacker = Some(Attacker::of(&ctx, &s)?);
        suspect_persistence = ctx.rows(&s.and(persistence_filter()))?;
    }
    let persistence_rows = Query::new(persistence_filter())?.rows(store, None)?;
    let suspect_standing = pins
        .suspect
        .as_deref()
        .and_then(|p| standings.iter().find(|s| s.principal == p))
        .cloned();
    Ok(CaseFacts {
        suggested: session.pins.suspect.is_none(),
        suspect_standing,
        pins,
        answers,
        severity,
        severity_override: session.severity.as_deref().and_then(Priority::parse),
        health,
        burst,
        first_access,
        last_access,
        attacker,
        persistence_rows,
        suspect_persistence,
        exposure_rows,
    })
}

/// The suspect's calls in the `minutes` after `from` (the playbook's quiet-period check).
pub fn quiet_rows(store: &EventStore, pins: &Pins, from: i64, minutes: i64) -> Result<Vec<u32>> {
    let Some(s) = pins.suspect_filter() else {
        return Ok(Vec::new());
    };
    let end = from + minutes * 60_000;
    Ok(Query::new(s)?
        .rows(store, None)?
        .into_iter()
        .filter(|&r| {
            store
                .time_at(r as usize)
                .is_some_and(|t| t > from && t <= end)
        })
        .collect())
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

/// One timeline row: a call, or a run of the same call by the same actor from the same place
/// with nothing else in between.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    pub start: i64,
    pub end: i64,
    pub count: usize,
    pub event: String,
    pub evidence: String,
    pub actor: String,
}

/// A run continues while the same call repeats with gaps of at most this.
const RUN_GAP: i64 = HOUR;

/// The timeline: the suspect's pinned activity plus exposure and tampering changes by anyone,
/// in time order; adjacent repeats of one call are collapsed into a run with its first and last
/// time, never across another row.
pub fn timeline(store: &EventStore, f: &CaseFacts) -> Result<Vec<TimelineRow>> {
    let mut rows: Vec<u32> = match f.pins.suspect_filter() {
        Some(s) => Query::new(s.and(f.pins.window_filter()))?.rows(store, None)?,
        None => Vec::new(),
    };
    rows.extend(f.exposure_rows.iter().chain(&f.health.tampering));
    rows.sort_unstable();
    rows.dedup();
    let col = |name: &str| store.str_col(name);
    let (name, bucket, ip, err, principal) = (
        col("event_name"),
        col("bucket"),
        col("source_ip"),
        col("error_code"),
        col("principal"),
    );
    let get = |c: &Option<polars::prelude::StringChunked>, r: usize| {
        c.as_ref().and_then(|c| c.get(r)).unwrap_or("").to_owned()
    };
    let mut out: Vec<(TimelineRow, [String; 5])> = Vec::new();
    // Store rows are in time order, so `rows` is too.
    for &r in &rows {
        let r = r as usize;
        let t = store.time_at(r).unwrap_or(0);
        let key = [
            get(&principal, r),
            get(&name, r),
            get(&bucket, r),
            get(&ip, r),
            get(&err, r),
        ];
        if let Some((last, k)) = out.last_mut()
            && *k == key
            && t - last.end <= RUN_GAP
        {
            last.count += 1;
            last.end = t;
            continue;
        }
        let mut event = key[1].clone();
        if !key[4].is_empty() {
            event.push_str(&format!(" ({})", key[4]));
        }
        let evidence = match (key[2].is_empty(), key[3].is_empty()) {
            (false, false) => format!("bucket {}, from {}", key[2], key[3]),
            (false, true) => format!("bucket {}", key[2]),
            (true, false) => format!("from {}", key[3]),
            (true, true) => String::new(),
        };
        out.push((
            TimelineRow {
                start: t,
                end: t,
                count: 1,
                event,
                evidence,
                actor: key[0].clone(),
            },
            key,
        ));
    }
    Ok(out
        .into_iter()
        .map(|(mut row, _)| {
            if row.count > 1 {
                row.event = format!("{} x {}", fmt_count(row.count), row.event);
            }
            row
        })
        .collect())
}

/// `code` as a Markdown code span inside a table cell: control bytes escaped, pipes escaped, a
/// fence longer than any backtick run inside.
fn md_code_cell(code: &str) -> String {
    md_code(code).replace('|', "\\|")
}

/// `code` as a Markdown code span, control bytes escaped.
fn md_code(code: &str) -> String {
    let clean = sanitize(code);
    let fence = "`".repeat(clean.split(|c| c != '`').map(str::len).max().unwrap_or(0) + 1);
    format!("{fence} {clean} {fence}")
}

/// A principal as the report names it: the log's text sanitised, never empty.
fn who(p: &str) -> String {
    if p.is_empty() {
        "(no principal)".to_owned()
    } else {
        md_cell(p)
    }
}

/// Renders the report.
pub fn render(input: &ReportInput) -> Result<String> {
    let store = input.store;
    let f = compute(store, input.load, input.session, input.standings)?;
    render_case(input, &f)
}

/// How the analysis ranks the suspect, for a suggested pin: "anomaly rank 1 of 418, score 0.756,
/// risk Critical".
fn standing_note(f: &CaseFacts, of: usize) -> String {
    match &f.suspect_standing {
        Some(st) => {
            let mut note = format!(
                "anomaly rank {} of {of}, score {:.3}, risk {}",
                st.rank, st.score, st.risk
            );
            if let Some(c) = &st.suggested {
                note.push_str(&format!(", suggested with {c} confidence"));
            }
            note
        }
        None => "not ranked by the analysis".to_owned(),
    }
}

/// At most `n` items joined, then how many more.
fn listed(items: impl ExactSizeIterator<Item = String>, n: usize) -> String {
    let total = items.len();
    let mut out: Vec<String> = items.take(n).collect();
    if total > n {
        out.push(format!("and {} more", fmt_count(total - n)));
    }
    if out.is_empty() {
        "none".to_owned()
    } else {
        out.join(", ")
    }
}

/// The summary rows on the attacker's calls: what to revoke, block and pivot on.
fn attacker_rows(s: &mut String, f: &CaseFacts, a: &Attacker) {
    let show = |t: Option<i64>| t.map_or_else(|| "-".to_owned(), format_ms);
    let _ = writeln!(
        s,
        "| Attacker calls | {} calls, first {} UTC, last {} UTC |",
        fmt_count(a.calls),
        show(f.first_access),
        show(f.last_access)
    );
    let counted = |c: &Count| format!("{} ({})", md_cell(&c.value), fmt_count(c.count));
    let _ = writeln!(
        s,
        "| Attacker access keys | {} |",
        listed(a.keys.iter().map(counted), 5)
    );
    let _ = writeln!(
        s,
        "| Attacker source addresses | {} |",
        listed(
            a.addresses.iter().map(|ad| format!(
                "{} ({}, {})",
                md_cell(&ad.ip),
                md_cell(&ad.net_class),
                fmt_count(ad.calls)
            )),
            5
        )
    );
    let _ = writeln!(
        s,
        "| Attacker user agents | {} |",
        listed(a.user_agents.iter().map(counted), 3)
    );
    // Known bytes and reads without a byte count stay apart: an unknown is never a zero.
    let known = if a.reads_with_bytes == 0 {
        "none recorded".to_owned()
    } else {
        format!(
            "{} from {} read(s)",
            humanize::bytes_exact(a.bytes_known),
            fmt_count(a.reads_with_bytes)
        )
    };
    let _ = writeln!(
        s,
        "| Bytes out (object reads) | known: {known}; unknown: {} read(s) without a byte count |",
        fmt_count(a.reads - a.reads_with_bytes)
    );
    let _ = writeln!(
        s,
        "| Sensitive-looking objects read | {} |",
        listed(a.sensitive_keys.iter().map(|k| md_cell(k)), 5)
    );
}

/// Renders the report from the computed case facts.
pub fn render_case(input: &ReportInput, f: &CaseFacts) -> Result<String> {
    let store = input.store;
    let mut s = String::new();
    let _ = writeln!(s, "# Incident report: data access\n");
    let _ = writeln!(
        s,
        "Generated by cttui following AWS IRP-DataAccess (part 5, post-incident).\n"
    );
    if f.suggested {
        s.push_str(
            "No suspect is pinned: the suspect, bucket, severity and verdicts below are the \
             analysis' suggestions, not findings. Pin them (TUI `P`/`B`, or `cttui report \
             --suspect/--bucket`) once confirmed.\n\n",
        );
    }
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
            "Suggested: {} ({})",
            priority.label(),
            f.severity.reasons.join("; ")
        )
    };
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Severity | {} |", md_cell(&sev_note));
    let suspect = match (&f.pins.suspect, f.suggested) {
        (None, _) => "(none pinned)".to_owned(),
        (Some(p), false) => who(p),
        (Some(p), true) => format!(
            "Suggested: {} ({})",
            who(p),
            md_cell(&standing_note(f, input.standings.len()))
        ),
    };
    let _ = writeln!(s, "| Suspect | {suspect} |");
    let scope = match f.pins.suspect_ip.as_deref() {
        None => "all of its calls".to_owned(),
        Some("outside") => "its calls from outside AWS (it also works from inside: that part is taken as its owner's)".to_owned(),
        Some(ip) => format!("its calls from {ip}"),
    };
    let _ = writeln!(s, "| Suspect activity | {} |", md_cell(&scope));
    let bucket = match (&f.pins.bucket, input.session.pins.bucket.is_some()) {
        (None, _) => "(none pinned)".to_owned(),
        (Some(b), true) => md_cell(b),
        (Some(b), false) => format!("Suggested: {}", md_cell(b)),
    };
    let _ = writeln!(s, "| Bucket | {bucket} |");
    if let Some(a) = &f.attacker {
        attacker_rows(&mut s, f, a);
    }
    if let Some(b) = &f.burst {
        let _ = writeln!(
            s,
            "| Burst window | {} .. {} UTC: {} GetObject, {} |",
            format_ms(b.start),
            format_ms(b.end),
            fmt_count(b.reads),
            md_cell(&humanize::bytes_known(
                b.bytes,
                b.with_bytes,
                b.reads,
                "reads"
            ))
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
    let show = |t: Option<i64>| t.map_or_else(|| "not established".to_owned(), format_ms);
    let _ = writeln!(
        s,
        "| First unauthorised access (first call of the suspect's pinned activity) | {} |",
        show(f.first_access)
    );
    let _ = writeln!(
        s,
        "| Last unauthorised access (last call of the suspect's pinned activity) | {} |",
        show(f.last_access)
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
        Some(triage::Status::No) => "No evidence in the log",
        _ => "Unknown",
    };
    let exfil = if f.suggested && f.pins.suspect.is_some() {
        format!("{exfil} (for the suggested suspect; not confirmed)")
    } else {
        exfil.to_owned()
    };
    let _ = writeln!(s, "| Exfiltrated? | {exfil} |");
    let _ = writeln!(
        s,
        "| Time to detect / contain | not in the logs: record in the notes |\n"
    );

    s.push_str("## Triage answers\n\n| # | Question | Status | Answer | Evidence |\n|---|---|---|---|---|\n");
    for a in &f.answers {
        let ev = match &a.evidence_query {
            Some(q) => format!(
                "{} event(s): {}",
                fmt_count(a.evidence_count),
                md_code_cell(q)
            ),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {ev} |",
            a.id,
            md_cell(&a.question),
            a.status.label(),
            md_cell(&a.answer),
        );
    }
    s.push('\n');

    s.push_str(
        "## Timeline\n\n| Timestamp (UTC) | Event | Source/Evidence | Actor |\n|---|---|---|---|\n",
    );
    let rows = timeline(store, f)?;
    const MAX_TIMELINE: usize = 200;
    for r in rows.iter().take(MAX_TIMELINE) {
        let when = if r.count > 1 {
            format!("{} .. {}", format_ms(r.start), format_ms(r.end))
        } else {
            format_ms(r.start)
        };
        let _ = writeln!(
            s,
            "| {when} | {} | {} | {} |",
            md_cell(&r.event),
            md_cell(&r.evidence),
            who(&r.actor)
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
    match ctx.suspect_reads() {
        Some(q) => {
            let reads = ctx.rows(&q)?;
            let groups = aggregate(
                store,
                &reads,
                &["bucket".to_owned(), "object_key".to_owned()],
                0,
            );
            let (bytes, with_bytes) = bytes_of(store, &reads);
            let _ = writeln!(
                s,
                "{} reads of {} objects, {} in total.\n\n| Bucket | Key | Reads | Bytes out | First | Last |\n|---|---|---|---|---|---|",
                fmt_count(reads.len()),
                fmt_count(groups.len()),
                md_cell(&humanize::bytes_known(
                    bytes,
                    with_bytes,
                    reads.len(),
                    "reads"
                ))
            );
            const MAX_OBJECTS: usize = 100;
            for g in groups.iter().take(MAX_OBJECTS) {
                let (b, known) = bytes_of(store, &g.rows);
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    md_cell(&g.key[0]),
                    md_cell(&g.key[1]),
                    g.count,
                    if known == 0 {
                        "unknown".to_owned()
                    } else {
                        b.to_string()
                    },
                    g.first.as_deref().unwrap_or(""),
                    g.last.as_deref().unwrap_or("")
                );
            }
            if groups.len() > MAX_OBJECTS {
                let text = Query::new(q.and(f.pins.window_filter()))?.to_string();
                let cmd = format!("cttui events --filter '{}'", text.replace('\'', "'\\''"));
                let _ = writeln!(
                    s,
                    "\n{} more objects: run {}.",
                    groups.len() - MAX_OBJECTS,
                    md_code(&cmd)
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
