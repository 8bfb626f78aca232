//! The investigation's charts as data, and as Mermaid blocks (`pie`, `xychart-beta`) with the
//! numbers in a table beside each, for reports and exports that GitHub and GitLab render.
//!
//! The series are pure functions of the store and the analysis, so the TUI draws the same numbers
//! it writes. Labels come from the log (attacker-controlled): inside Mermaid they lose quotes,
//! backticks and control characters; in tables they go through `text::md_cell`.
use std::fmt::Write as _;

use rustc_hash::FxHashMap;

use crate::analysis::Analysis;
use crate::analysis::level::{Level, LevelCounts};
use crate::analysis::regions::RegionSummary;
use crate::model::store::EventStore;
use crate::text::md_cell;

/// Labels longer than this are cut in charts (the table beside keeps them whole).
const LABEL_MAX: usize = 40;

/// One chart's data: labelled values in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub title: String,
    /// What the labels are (the table's first header, the x axis).
    pub label: String,
    /// What the values are (the table's second header, the y axis).
    pub value: String,
    pub points: Vec<(String, f64)>,
    /// Values are percentages (0..100).
    pub percent: bool,
}

impl Series {
    fn counts(title: &str, label: &str, value: &str, points: Vec<(String, usize)>) -> Series {
        Series {
            title: title.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            points: points.into_iter().map(|(k, v)| (k, v as f64)).collect(),
            percent: false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.points.iter().all(|(_, v)| *v == 0.0)
    }

    fn show(&self, v: f64) -> String {
        if self.percent {
            format!("{v:.1}%")
        } else {
            crate::analysis::humanize::count(v as u64)
        }
    }
}

/// Events per risk level, Critical first (levels with no event included: the table says 0).
pub fn risk_levels(c: &LevelCounts) -> Series {
    Series::counts(
        "Events by risk level",
        "risk level",
        "events",
        vec![
            ("Critical".to_owned(), c.critical),
            ("High".to_owned(), c.high),
            ("Medium".to_owned(), c.medium),
            ("Low".to_owned(), c.low),
        ],
    )
}

/// The `n` values of a string column with the most events that carry a risk level, most first
/// (ties by value).
fn top_flagged(
    store: &EventStore,
    column: &str,
    risk: &[Option<Level>],
    n: usize,
) -> Vec<(String, usize)> {
    let Some(col) = store.str_col(column) else {
        return Vec::new();
    };
    let mut by: FxHashMap<&str, usize> = FxHashMap::default();
    for (row, v) in col.iter().enumerate() {
        if risk.get(row).copied().flatten().is_some() {
            *by.entry(v.unwrap_or("(none)")).or_default() += 1;
        }
    }
    let mut out: Vec<(String, usize)> = by.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(n);
    out
}

/// Event names with the most flagged (risk-level) events.
pub fn top_events_by_risk(store: &EventStore, risk: &[Option<Level>], n: usize) -> Series {
    Series::counts(
        "Top events by risk (flagged events per event name)",
        "event name",
        "flagged events",
        top_flagged(store, "event_name", risk, n),
    )
}

/// Source addresses with the most flagged (rule hit or anomalous window) events.
pub fn top_source_ips(store: &EventStore, risk: &[Option<Level>], n: usize) -> Series {
    Series::counts(
        "Top source IPs by risk and anomaly flags",
        "source IP",
        "flagged events",
        top_flagged(store, "source_ip", risk, n),
    )
}

/// Events per UTC day, every day from the first to the last (quiet days are 0).
pub fn events_per_day(store: &EventStore) -> Series {
    per_day(store.times().iter().flatten().copied())
}

/// [`events_per_day`] over some rows (an export).
pub fn events_per_day_of(store: &EventStore, rows: &[u32]) -> Series {
    per_day(rows.iter().filter_map(|&r| store.time_at(r as usize)))
}

/// The `n` most frequent values of a text column over `rows`, the rest summed as "(other)".
pub fn top_values_of(
    store: &EventStore,
    column: &str,
    rows: &[u32],
    n: usize,
    title: &str,
    label: &str,
) -> Series {
    let mut by: FxHashMap<String, usize> = FxHashMap::default();
    if let Some(col) = store.str_col(column) {
        for &r in rows {
            let v = col.get(r as usize).unwrap_or("(none)");
            *by.entry(v.to_owned()).or_default() += 1;
        }
    }
    let mut all: Vec<(String, usize)> = by.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let other: usize = all.iter().skip(n).map(|(_, c)| c).sum();
    all.truncate(n);
    if other > 0 {
        all.push(("(other)".to_owned(), other));
    }
    Series::counts(title, label, "events", all)
}

fn per_day(times: impl Iterator<Item = i64>) -> Series {
    const DAY: i64 = 86_400_000;
    let days: Vec<i64> = times.map(|t| t.div_euclid(DAY)).collect();
    let (Some(&lo), Some(&hi)) = (days.iter().min(), days.iter().max()) else {
        return Series::counts("Events per day (UTC)", "day", "events", Vec::new());
    };
    let mut counts = vec![0usize; (hi - lo + 1) as usize];
    for d in days {
        counts[(d - lo) as usize] += 1;
    }
    let points = counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let day = chrono::DateTime::from_timestamp_millis((lo + i as i64) * DAY)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            (day, n)
        })
        .collect();
    Series::counts("Events per day (UTC)", "day", "events", points)
}

/// Share of flagged events per region, for the `n` busiest regions.
pub fn flagged_share_by_region(r: &RegionSummary, n: usize) -> Series {
    Series {
        title: "Flagged share by region (busiest regions)".to_owned(),
        label: "region".to_owned(),
        value: "flagged events (%)".to_owned(),
        points: r
            .regions
            .iter()
            .take(n)
            .map(|row| (row.region.clone(), row.flagged_share * 100.0))
            .collect(),
        percent: true,
    }
}

/// A label as Mermaid can take it between double quotes: no quotes, backticks, brackets that end
/// the axis list, control characters or newlines; at most `LABEL_MAX` characters.
fn mermaid_label(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| match c {
            '"' | '`' => '\'',
            '[' | ']' | '{' | '}' | ';' | '#' | '%' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let clean = crate::text::sanitize(clean.trim()).into_owned();
    if clean.chars().count() > LABEL_MAX {
        let mut cut: String = clean.chars().take(LABEL_MAX - 1).collect();
        cut.push('…');
        cut
    } else {
        clean
    }
}

/// A number as Mermaid reads it (no thousands separators).
fn mermaid_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The series' numbers as a Markdown table.
pub fn table(s: &Series) -> String {
    let mut out = format!(
        "| {} | {} |\n|---|---:|\n",
        md_cell(&s.label),
        md_cell(&s.value)
    );
    for (k, v) in &s.points {
        let _ = writeln!(out, "| {} | {} |", md_cell(k), s.show(*v));
    }
    out
}

/// A Mermaid pie chart (slices of 0 left out: Mermaid draws nothing for them).
pub fn mermaid_pie(s: &Series) -> String {
    let mut out = format!(
        "```mermaid\npie showData\n    title {}\n",
        mermaid_label(&s.title)
    );
    for (k, v) in s.points.iter().filter(|(_, v)| *v > 0.0) {
        let _ = writeln!(out, "    \"{}\" : {}", mermaid_label(k), mermaid_number(*v));
    }
    out.push_str("```\n");
    out
}

/// A Mermaid `xychart-beta` bar chart.
pub fn mermaid_bar(s: &Series) -> String {
    let labels: Vec<String> = s
        .points
        .iter()
        .map(|(k, _)| format!("\"{}\"", mermaid_label(k)))
        .collect();
    let values: Vec<String> = s.points.iter().map(|(_, v)| mermaid_number(*v)).collect();
    let top = s.points.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let top = if s.percent { 100.0 } else { top.max(1.0) };
    format!(
        "```mermaid\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> {}\n    bar [{}]\n```\n",
        mermaid_label(&s.title),
        labels.join(", "),
        mermaid_label(&s.value),
        mermaid_number(top),
        values.join(", ")
    )
}

/// A chart under a heading of `level` with its table beside it; "no data" when it is empty.
pub fn block(out: &mut String, level: usize, s: &Series, pie: bool) {
    let _ = writeln!(out, "{} {}\n", "#".repeat(level), md_cell(&s.title));
    if s.points.is_empty() || s.is_empty() {
        out.push_str("No data.\n\n");
        return;
    }
    out.push_str(&if pie { mermaid_pie(s) } else { mermaid_bar(s) });
    out.push('\n');
    out.push_str(&table(s));
    out.push('\n');
}

/// The five charts of an investigation as a Markdown section (`## Charts` at `level` 2).
pub fn section(store: &EventStore, a: &Analysis, level: usize) -> String {
    let mut out = format!("{} Charts\n\n", "#".repeat(level));
    out.push_str(&blocks(store, a, level + 1));
    out
}

/// The five charts, each under a heading of `level`, without a section heading.
pub fn blocks(store: &EventStore, a: &Analysis, level: usize) -> String {
    let mut out = String::new();
    let sub = level;
    block(&mut out, sub, &risk_levels(&a.event_risk_counts), true);
    block(
        &mut out,
        sub,
        &top_events_by_risk(store, &a.event_risk, 10),
        false,
    );
    block(&mut out, sub, &events_per_day(store), false);
    block(
        &mut out,
        sub,
        &flagged_share_by_region(&a.regions, 10),
        false,
    );
    block(
        &mut out,
        sub,
        &top_source_ips(store, &a.event_risk, 10),
        false,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_mermaid() {
        assert_eq!(mermaid_label("a\"b`c"), "a'b'c");
        assert_eq!(mermaid_label("x]\ny"), "x  y");
        assert_eq!(mermaid_label("%%{init}%%"), "init");
        let long = "a".repeat(60);
        assert_eq!(mermaid_label(&long).chars().count(), LABEL_MAX);
    }

    #[test]
    fn numbers_have_no_separators() {
        assert_eq!(mermaid_number(12345.0), "12345");
        assert_eq!(mermaid_number(12.345), "12.3");
    }

    #[test]
    fn pies_leave_out_empty_slices_but_tables_keep_them() {
        let s = risk_levels(&LevelCounts {
            low: 3,
            medium: 0,
            high: 1,
            critical: 2,
        });
        let pie = mermaid_pie(&s);
        assert!(pie.contains("\"Critical\" : 2"));
        assert!(!pie.contains("Medium"));
        assert!(table(&s).contains("| Medium | 0 |"));
    }
}
