//! Markdown export of events for the incident ticket: a header, a GFM table of the key columns and
//! each event's raw JSON in a fenced block. Every log string is escaped: a log cannot inject
//! Markdown, HTML or break out of its code block.
use std::fmt::Write;

use super::KEY_COLUMNS;
use crate::model::store::EventStore;
use crate::model::time::format_ms;
use crate::text::{md_cell, md_fence};

/// What the export header states besides the events themselves.
#[derive(Debug, Clone, Default)]
pub struct ExportHeader {
    pub title: String,
    /// The filter that produced the view, if any.
    pub filter: Option<String>,
    /// Size of the view the events were chosen from.
    pub view_len: Option<usize>,
}

/// The events table alone (used by the report too).
pub fn events_table(store: &EventStore, rows: &[u32]) -> String {
    let mut s = String::from("| # | Time (UTC) |");
    for (_, h) in KEY_COLUMNS {
        let _ = write!(s, " {h} |");
    }
    s.push_str("\n|---|---|");
    s.push_str(&"---|".repeat(KEY_COLUMNS.len()));
    s.push('\n');
    let cols: Vec<_> = KEY_COLUMNS.iter().map(|(c, _)| store.str_col(c)).collect();
    for (i, &r) in rows.iter().enumerate() {
        let r = r as usize;
        let time = store.time_at(r).map(format_ms).unwrap_or_default();
        let _ = write!(s, "| {} | {} |", i + 1, md_cell(&time));
        for c in &cols {
            let v = c.as_ref().and_then(|c| c.get(r)).unwrap_or("");
            let _ = write!(s, " {} |", md_cell(v));
        }
        s.push('\n');
    }
    s
}

/// Writes the characters serde_json leaves raw but terminals and editors act on (C1 controls,
/// DEL, bidi overrides; in unparsed text also C0 controls) as `\uXXXX`. In JSON text these
/// only occur inside strings, so the JSON keeps its value; a pasted export cannot reorder or
/// restyle what the reader sees.
fn escape_invisible(text: String) -> String {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(bad) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if bad(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// One event's raw record, pretty printed in a fence it cannot close.
pub fn raw_block(store: &EventStore, row: usize) -> String {
    let text = store
        .raw_value(row)
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .or_else(|| store.raw_text(row).map(|t| t.into_owned()))
        .unwrap_or_default();
    let text = escape_invisible(text);
    let fence = md_fence(&text);
    format!("{fence}json\n{text}\n{fence}\n")
}

pub fn events_markdown(store: &EventStore, rows: &[u32], header: &ExportHeader) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", md_cell(&header.title));
    let mut files: Vec<&str> = rows
        .iter()
        .filter_map(|&r| store.source_file(r as usize))
        .collect();
    files.sort_unstable();
    files.dedup();
    let _ = writeln!(s, "- Source files ({}):", files.len());
    for f in &files {
        let _ = writeln!(s, "  - {}", md_cell(f));
    }
    match &header.filter {
        Some(f) if !f.is_empty() => {
            let _ = writeln!(s, "- Filter: {}", md_cell(f));
        }
        _ => {
            let _ = writeln!(s, "- Filter: none");
        }
    }
    let times: Vec<i64> = rows
        .iter()
        .filter_map(|&r| store.time_at(r as usize))
        .collect();
    match (times.iter().min(), times.iter().max()) {
        (Some(a), Some(b)) => {
            let _ = writeln!(
                s,
                "- Time span (UTC): {} .. {}",
                format_ms(*a),
                format_ms(*b)
            );
        }
        _ => {
            let _ = writeln!(s, "- Time span (UTC): none");
        }
    }
    let view = header
        .view_len
        .map(|v| format!(" from a view of {v}"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "- Events: {}{} (store: {} events)\n",
        rows.len(),
        view,
        store.len()
    );
    s.push_str("## Events\n\n");
    s.push_str(&events_table(store, rows));
    s.push_str("\n## Raw events\n");
    for (i, &r) in rows.iter().enumerate() {
        let r = r as usize;
        let name = store.str_at("event_name", r).unwrap_or_default();
        let time = store.time_at(r).map(format_ms).unwrap_or_default();
        let _ = writeln!(
            s,
            "\n### {}. {} at {}\n",
            i + 1,
            md_cell(&name),
            md_cell(&time)
        );
        s.push_str(&raw_block(store, r));
    }
    s
}
