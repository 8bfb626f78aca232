//! Tab 2: every event of the current view in a virtual table, with the filter breadcrumb and a
//! time histogram of the view. Only the visible rows are ever turned into text.
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::model::query::Field;
use crate::ui::app::{App, Workspace};
use crate::ui::loaded_log::LoadedLog;
use crate::ui::view::View;
use crate::ui::widgets::histogram::{aligned_bins, draw_axis, draw_bars, draw_cursor, span};
use crate::ui::widgets::table::{ColumnSpec, draw_cells, draw_header, fit_columns};
use crate::ui::widgets::text::{self, clean, short_principal, short_source, width};

/// The timeline's columns, in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Mark,
    Time,
    Principal,
    Name,
    Error,
    Ip,
    BucketKey,
    Source,
    Region,
    UserAgent,
    AccessKey,
}

pub const COLS: [Col; 11] = [
    Col::Mark,
    Col::Time,
    Col::Principal,
    Col::Name,
    Col::Error,
    Col::Ip,
    Col::BucketKey,
    Col::Source,
    Col::Region,
    Col::UserAgent,
    Col::AccessKey,
];

impl Col {
    /// The query field that narrows to one of this column's values (`None`: the mark column).
    pub fn field(self) -> Option<Field> {
        match self {
            Col::Mark => None,
            Col::Time => Some(Field::Time),
            Col::Principal => Some(Field::User),
            Col::Name => Some(Field::Name),
            Col::Error => Some(Field::Error),
            Col::Ip => Some(Field::Ip),
            Col::BucketKey => Some(Field::Bucket),
            Col::Source => Some(Field::Source),
            Col::Region => Some(Field::Region),
            Col::UserAgent => Some(Field::Ua),
            Col::AccessKey => Some(Field::Akid),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Col::Mark => "mark",
            Col::Time => "hour (UTC)",
            Col::Principal => "principal",
            Col::Name => "event name",
            Col::Error => "error",
            Col::Ip => "source IP",
            Col::BucketKey => "bucket",
            Col::Source => "event source",
            Col::Region => "region",
            Col::UserAgent => "user agent",
            Col::AccessKey => "access key",
        }
    }

    /// The raw value a frequency table counts and a narrowing matches (not shortened): the
    /// hour for the time column, the bucket for bucket/key.
    pub fn value(self, inv: &LoadedLog, row: usize) -> Option<String> {
        let c = &inv.cols;
        let s = |ca: &polars::prelude::StringChunked| ca.get(row).map(str::to_owned);
        match self {
            Col::Mark => None,
            Col::Time => inv.store.time_at(row).and_then(|t| {
                chrono::DateTime::from_timestamp_millis(t)
                    .map(|d| d.format("%Y-%m-%dT%H").to_string())
            }),
            Col::Principal => s(&c.principal),
            Col::Name => s(&c.name),
            Col::Error => s(&c.error),
            Col::Ip => s(&c.ip),
            Col::BucketKey => s(&c.bucket),
            Col::Source => s(&c.source),
            Col::Region => s(&c.region),
            Col::UserAgent => s(&c.user_agent),
            Col::AccessKey => s(&c.access_key),
        }
    }
}

/// Column specs; the time column is 14 wide without the year (views within one year), else 19.
pub fn specs(short_time: bool) -> [ColumnSpec; 11] {
    let tw = if short_time { 14 } else { 19 };
    [
        ColumnSpec::new(" ", 1, 1, 0),
        ColumnSpec::new("Time (UTC)", tw, tw, 0),
        ColumnSpec::new("Principal", 11, 32, 1).comfy(16),
        ColumnSpec::new("Event", 11, 28, 1).comfy(14),
        ColumnSpec::new("Error", 6, 28, 4).comfy(12),
        ColumnSpec::new("Source IP", 15, 39, 2),
        ColumnSpec::new("Bucket/key", 12, 400, 3).comfy(24),
        ColumnSpec::new("Source", 6, 24, 5),
        ColumnSpec::new("Region", 9, 16, 6),
        ColumnSpec::new("User agent", 10, 400, 7),
        ColumnSpec::new("Access key", 20, 20, 8),
    ]
}

/// Sanitised text of one cell (without the mark column, which depends on the marks).
pub fn cell(inv: &LoadedLog, col: Col, row: usize, short_time: bool) -> String {
    let c = &inv.cols;
    let s = |v: Option<&str>| clean(v.unwrap_or("")).into_owned();
    match col {
        Col::Mark => String::new(),
        Col::Time => match inv.store.time_at(row) {
            Some(t) if short_time => text::time_short(t),
            Some(t) => text::time(t),
            None => {
                // Records whose time did not parse keep the text they had.
                let raw = inv.store.str_at("event_time_raw", row).unwrap_or_default();
                clean(&raw).into_owned()
            }
        },
        Col::Principal => s(c.principal.get(row).map(short_principal)),
        Col::Name => s(c.name.get(row)),
        Col::Error => s(c.error.get(row)),
        Col::Ip => s(c.ip.get(row)),
        Col::BucketKey => match (c.bucket.get(row), c.key.get(row)) {
            (Some(b), Some(k)) => clean(&format!("{b}/{k}")).into_owned(),
            (Some(b), None) => s(Some(b)),
            (None, Some(k)) => s(Some(k)),
            (None, None) => String::new(),
        },
        Col::Source => s(c.source.get(row).map(short_source)),
        Col::Region => s(c.region.get(row)),
        Col::UserAgent => s(c.user_agent.get(row)),
        Col::AccessKey => s(c.access_key.get(row)),
    }
}

/// Rows measured for natural widths: all of a small view, an even sample of a large one.
const WIDTH_SAMPLE: usize = 4096;

/// Natural column widths for a view, measured once when the view is made. A column with no
/// value in the sample measures 0 and is hidden, leaving its room to the others.
pub fn natural_widths(inv: &LoadedLog, rows: &[u32]) -> Vec<u16> {
    let mut w: Vec<u16> = vec![0; COLS.len()];
    let step = rows.len().div_ceil(WIDTH_SAMPLE).max(1);
    for &r in rows.iter().step_by(step) {
        for (i, &col) in COLS.iter().enumerate() {
            if col == Col::Mark || col == Col::Time {
                continue;
            }
            let cw = width(&cell(inv, col, r as usize, false)).min(u16::MAX as usize) as u16;
            w[i] = w[i].max(cw);
        }
    }
    for (i, s) in specs(false).iter().enumerate() {
        if w[i] > 0 {
            w[i] = w[i].max(width(s.title) as u16);
        }
    }
    w[0] = 1;
    w[1] = 19;
    w
}

/// Whether the view's events all fall in one year (the time column then leaves the year out).
pub fn within_one_year(inv: &LoadedLog, rows: &[u32]) -> bool {
    use chrono::Datelike;
    let year = |t: i64| chrono::DateTime::from_timestamp_millis(t).map(|d| d.year());
    let untimed_last = rows
        .last()
        .is_some_and(|&r| inv.store.time_at(r as usize).is_none());
    match span(inv.store.times(), rows) {
        Some((a, b)) => year(a) == year(b) && !untimed_last,
        None => false,
    }
}

/// `All events 1,234 › name:GetObject 56 › user:*x* 3`
fn breadcrumb(app: &App, s: &Workspace) -> Line<'static> {
    let t = &app.env.theme;
    let mut spans = vec![Span::styled("All events ", t.title())];
    spans.push(Span::styled(text::thousands(s.views[0].len()), t.dim()));
    for v in &s.views[1..] {
        spans.push(Span::styled(" › ", t.dim()));
        spans.push(Span::styled(
            clean(v.query.as_deref().unwrap_or("")).into_owned(),
            t.title(),
        ));
        spans.push(Span::styled(
            format!(" {}", text::thousands(v.len())),
            t.dim(),
        ));
    }
    if let Some(sort) = s.timeline.sort {
        spans.push(Span::styled(
            format!("  sorted: {} {}", sort.col.title(), sort.arrow()),
            t.key(),
        ));
    }
    if let Some(p) = &s.preview {
        spans.push(Span::styled(" › ", t.dim()));
        spans.push(Span::styled(
            clean(p.query.as_deref().unwrap_or("")).into_owned(),
            t.warning(),
        ));
        spans.push(Span::styled(
            format!(" {} (typing)", text::thousands(p.len())),
            t.dim(),
        ));
    }
    Line::from(spans)
}

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let t = app.env.theme;
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &breadcrumb(app, s), area.width);
    let view = s.view();
    let mut y = area.y + 1;
    let mut left = area.height - 1;
    let times = s.inv.store.times();
    // The histogram needs room: at least 8 table rows stay.
    if left >= 14 {
        if let Some((a, b)) = span(times, &view.rows) {
            let bars = Rect::new(area.x, y, area.width, 3);
            // Bins on round times (minutes, hours, days), as many as the width allows.
            let ab = aligned_bins(times, &view.rows, a, b, area.width as usize);
            draw_bars(buf, bars, &ab.spread(area.width as usize), t.bar());
            let marker = s
                .selected_row()
                .and_then(|r| s.inv.store.time_at(r as usize));
            if let Some(m) = marker {
                draw_cursor(buf, bars, ab.start, ab.end(), m, t.cursor_marker());
            }
            draw_axis(
                buf,
                Rect::new(area.x, y + 3, area.width, 1),
                ab.start,
                ab.end(),
                t.dim(),
            );
        }
        y += 4;
        left -= 4;
    }
    let table = Rect::new(area.x, y, area.width, left);
    draw_table(app, s, view, buf, table);
}

/// Widths for the timeline's columns: hidden ones get none, and while the cursor's column does
/// not fit, columns left of it scroll out (horizontal scroll). Returns the widths and how many
/// columns scrolled out.
pub fn fit_timeline(
    specs: &[ColumnSpec],
    natural: &[u16],
    hidden: &[bool],
    cursor: usize,
    total: u16,
) -> (Vec<Option<u16>>, usize) {
    let mut nat: Vec<u16> = natural
        .iter()
        .enumerate()
        .map(|(i, &w)| if hidden.get(i) == Some(&true) { 0 } else { w })
        .collect();
    let mut scrolled = 0;
    loop {
        let widths = fit_columns(specs, &nat, total);
        if widths.get(cursor).is_none_or(|w| w.is_some()) || nat.get(cursor) == Some(&0) {
            return (widths, scrolled);
        }
        // Drop the first shown column left of the cursor (never the mark or the time).
        let Some(i) = (2..cursor).find(|&i| nat[i] > 0) else {
            // Nothing left to drop: drop the lowest-priority columns right of the cursor.
            let Some(j) = (cursor + 1..nat.len())
                .filter(|&j| nat[j] > 0)
                .max_by_key(|&j| specs[j].priority)
            else {
                return (widths, scrolled);
            };
            nat[j] = 0;
            continue;
        };
        nat[i] = 0;
        scrolled += 1;
    }
}

/// Byte ranges of case-insensitive matches of `needle` (already lower case) in `hay`.
pub fn match_ranges(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let lower = hay.to_lowercase();
    if lower.len() != hay.len() {
        // Lower-casing changed byte offsets: no highlight rather than a wrong one.
        return Vec::new();
    }
    lower
        .match_indices(needle)
        .filter(|(i, _)| hay.is_char_boundary(*i) && hay.is_char_boundary(i + needle.len()))
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

fn draw_table(app: &App, s: &Workspace, view: &View, buf: &mut Buffer, area: Rect) {
    let t = app.env.theme;
    if area.height < 3 {
        return;
    }
    let short_time = within_one_year(&s.inv, &view.rows);
    let mut specs = specs(short_time);
    let mut natural = view.widths.clone();
    // Widths set with `<`/`>` hold whatever the screen.
    for (i, w) in s.timeline.columns.width.iter().enumerate() {
        if let (Some(w), Some(spec), Some(n)) = (*w, specs.get_mut(i), natural.get_mut(i)) {
            *spec = ColumnSpec {
                min: w,
                max: w,
                comfy: w,
                ..*spec
            };
            if *n > 0 {
                *n = w;
            }
        }
    }
    let cursor = s.timeline.columns.cursor;
    let (widths, scrolled) = fit_timeline(
        &specs,
        &natural,
        &s.timeline.columns.hidden,
        cursor,
        area.width,
    );
    app.viewport.columns.replace(widths.clone());
    let error_hidden = COLS
        .iter()
        .zip(&widths)
        .any(|(&c, w)| c == Col::Error && w.is_none());
    draw_header(buf, Rect { height: 1, ..area }, &specs, &widths, t.header());
    // The cursor's column header stands out; a « says columns scrolled out to the left.
    let mut x = area.x;
    for (i, w) in widths.iter().enumerate() {
        let Some(w) = *w else { continue };
        if i == cursor {
            buf.set_style(
                Rect::new(x, area.y, w.min(area.x + area.width - x), 1),
                t.column_cursor(),
            );
        }
        // The sorted column's header ends in its direction.
        if let Some(sort) = s.timeline.sort
            && COLS.get(i) == Some(&sort.col)
            && w >= 2
        {
            let at = x + (width(specs[i].title) as u16).min(w - 1);
            if at < area.x + area.width {
                buf.set_string(at, area.y, sort.arrow(), t.key());
            }
        }
        x = (x + w + 1).min(area.x + area.width);
    }
    if scrolled > 0 {
        buf.set_string(area.x, area.y, "«", t.key());
    }
    // The last line shows the cursor's cell of the selected event in full.
    let rows_area = Rect::new(area.x, area.y + 1, area.width, area.height - 2);
    let pane = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
    app.viewport.list.set(rows_area);
    app.viewport.page.set(rows_area.height as usize);
    if view.is_empty() {
        let msg = if s.views.len() > 1 || s.preview.is_some() {
            "No event matches this filter (esc drops it)."
        } else {
            "No events."
        };
        buf.set_stringn(
            rows_area.x + 1,
            rows_area.y,
            msg,
            rows_area.width as usize,
            t.dim(),
        );
        return;
    }
    let needle = s.timeline.search.as_deref().unwrap_or("");
    let h = rows_area.height as usize;
    let off = s.timeline.nav.window(h, view.len());
    let order = s.display_order();
    let shown = order.as_deref().unwrap_or(&view.rows);
    for (i, &row) in shown.iter().enumerate().skip(off).take(h) {
        let y = rows_area.y + (i - off) as u16;
        let r = row as usize;
        let failed = s.inv.cols.error.get(r).is_some();
        let risk = s
            .analysis
            .as_ref()
            .and_then(|a| a.event_risk.get(r).copied().flatten());
        let base = match risk {
            _ if failed => t.error(),
            Some(l) if t.color => t.base().patch(t.risk(l)),
            _ => t.base(),
        };
        let cells: Vec<(String, Style)> = COLS
            .iter()
            .zip(&widths)
            .map(|(&col, w)| {
                if w.is_none() {
                    return (String::new(), base);
                }
                match col {
                    Col::Mark if s.marks.is_marked(row) => ("*".to_owned(), t.mark()),
                    // With the error column off screen, a failed call still shows.
                    Col::Mark if failed && error_hidden => ("!".to_owned(), base),
                    Col::Mark => (String::new(), base),
                    Col::Time => (
                        cell(&s.inv, col, r, short_time),
                        if failed { base } else { t.dim() },
                    ),
                    _ => (cell(&s.inv, col, r, short_time), base),
                }
            })
            .collect();
        draw_cells(
            buf,
            rows_area.x,
            y,
            rows_area.width,
            &specs,
            &widths,
            &cells,
        );
        if i == s.timeline.nav.selected {
            buf.set_style(Rect::new(rows_area.x, y, rows_area.width, 1), t.selected());
        }
        if !needle.is_empty() {
            highlight(buf, rows_area, y, &widths, &cells, needle, t.search_match());
        }
    }
    if let Some(row) = s.selected_row()
        && let Some(&col) = COLS.get(cursor)
    {
        let full = cell(&s.inv, col, row as usize, false);
        let full = if col == Col::Principal {
            clean(s.inv.cols.principal.get(row as usize).unwrap_or("")).into_owned()
        } else {
            full
        };
        let line = Line::from(vec![
            Span::styled(format!("{}: ", specs[cursor].title), t.header()),
            Span::styled(full, t.dim()),
        ]);
        buf.set_line(pane.x, pane.y, &line, pane.width);
    }
}

/// Marks the search matches inside the cells drawn on line `y`.
fn highlight(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    widths: &[Option<u16>],
    cells: &[(String, Style)],
    needle: &str,
    style: Style,
) {
    let end = area.x + area.width;
    let mut x = area.x;
    for (w, (textv, _)) in widths.iter().zip(cells) {
        let Some(w) = *w else { continue };
        if x >= end {
            break;
        }
        let shown = text::cut(textv, w as usize);
        // A cut cell keeps a prefix of the text and an ellipsis: a match running past the cut
        // is highlighted up to and including the ellipsis.
        let cut = shown.len() < textv.len();
        let kept = if cut {
            shown.trim_end_matches('…').len()
        } else {
            shown.len()
        };
        for (a, b) in match_ranges(textv, needle) {
            if a >= kept {
                continue;
            }
            let lead = width(&textv[..a]) as u16;
            let len = width(&textv[a..b.min(kept)]) as u16 + u16::from(b > kept);
            let from = x + lead;
            if from < end {
                buf.set_style(Rect::new(from, y, len.min(end - from), 1), style);
            }
        }
        x += w + 1;
    }
}
