//! Markdown export of events for the incident ticket: a header, a GFM table of the key columns and
//! each event's raw JSON in a fenced block. Every log string is escaped: a log cannot inject
//! Markdown, HTML or break out of its code block.
use std::fmt::Write;

use super::KEY_COLUMNS;
use super::charts;
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

/// The export's table: the key columns, then the access key and the user agent (what responders
/// revoke and pivot on).
pub const EXPORT_COLUMNS: [(&str, &str); 11] = [
    KEY_COLUMNS[0],
    KEY_COLUMNS[1],
    KEY_COLUMNS[2],
    KEY_COLUMNS[3],
    KEY_COLUMNS[4],
    KEY_COLUMNS[5],
    KEY_COLUMNS[6],
    KEY_COLUMNS[7],
    KEY_COLUMNS[8],
    ("access_key_id", "Access key"),
    ("user_agent", "User agent"),
];

/// Exports of at least this many events get charts (fewer read better as the table alone).
pub const CHART_MIN_EVENTS: usize = 50;

/// The events table alone, with the key columns (used by the report).
pub fn events_table(store: &EventStore, rows: &[u32]) -> String {
    events_table_with(store, rows, &KEY_COLUMNS)
}

/// The events table with the given (store column, header) columns.
pub fn events_table_with(store: &EventStore, rows: &[u32], columns: &[(&str, &str)]) -> String {
    let mut s = String::from("| # | Time (UTC) |");
    for (_, h) in columns {
        let _ = write!(s, " {h} |");
    }
    s.push_str("\n|---|---|");
    s.push_str(&"---|".repeat(columns.len()));
    s.push('\n');
    let cols: Vec<_> = columns.iter().map(|(c, _)| store.str_col(c)).collect();
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

/// Text as an inline code span (file paths): nothing inside needs a backslash, and the span's
/// backtick run is longer than any run inside, so a name cannot close it.
pub fn md_code(s: &str) -> String {
    let clean = crate::text::sanitize(s);
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let ticks = "`".repeat(longest + 1);
    // A space keeps a backtick at either end apart from the fence (CommonMark strips one).
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{clean}{pad}{ticks}")
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
        let _ = writeln!(s, "  - {}", md_code(f));
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
    if rows.len() >= CHART_MIN_EVENTS {
        s.push_str("## Charts\n\n");
        charts::block(&mut s, 3, &charts::events_per_day_of(store, rows), false);
        let names =
            charts::top_values_of(store, "event_name", rows, 8, "Events by name", "event name");
        charts::block(&mut s, 3, &names, true);
    }
    s.push_str("## Events\n\n");
    s.push_str(&events_table_with(store, rows, &EXPORT_COLUMNS));
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

#[cfg(test)]
mod tests {
    use super::md_code;

    #[test]
    fn paths_are_code_spans_without_backslashes() {
        assert_eq!(
            md_code("demo-logs/a_b*c.json.gz"),
            "`demo-logs/a_b*c.json.gz`"
        );
        assert_eq!(md_code(r"C:\logs\x.json"), r"`C:\logs\x.json`");
        // A name with backticks cannot close its span, nor break the line.
        assert_eq!(md_code("a``b"), "```a``b```");
        assert_eq!(md_code("`x"), "`` `x ``");
        // Control characters are written visibly, as everywhere (`text::sanitize`).
        assert!(!md_code("a\nb").contains('\n'));
    }
}
