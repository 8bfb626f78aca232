//! Tab 3 with the analysis: buckets with data and management counts, principals, GetObject,
//! bytes out and first/last (rows with permission or exposure changes highlighted), data events
//! beside management events by name, and the exposure changes in time order. Enter shows the
//! bucket's events; B pins it as BUCKET.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::grid::{self, Cells};
use crate::analysis::Analysis;
use crate::ui::app::{App, Session};
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, cut, short_principal};

const SPECS: [ColumnSpec; 9] = [
    ColumnSpec::new("Bucket", 12, 40, 0),
    ColumnSpec::new("Events", 6, 9, 0).right(),
    ColumnSpec::new("Data", 6, 9, 1).right(),
    ColumnSpec::new("Mgmt", 5, 8, 1).right(),
    ColumnSpec::new("Princ", 5, 6, 2).right(),
    ColumnSpec::new("GetObj", 6, 9, 0).right(),
    ColumnSpec::new("Bytes out", 9, 11, 0).right(),
    ColumnSpec::new("First (UTC)", 16, 16, 3),
    ColumnSpec::new("Last (UTC)", 16, 16, 3),
];

pub fn draw(app: &App, s: &Session, a: &Analysis, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    let s3 = &a.s3;
    if area.height < 6 {
        return;
    }
    let buf = frame.buffer_mut();
    let head = format!(
        "S3 (whole log): {} data event(s) │ {} management │ {} unclassified │ {} exposure change(s)",
        text::thousands(s3.data_events),
        text::thousands(s3.management_events),
        text::thousands(s3.unknown_events),
        text::thousands(s3.exposure_changes.len())
    );
    buf.set_stringn(area.x, area.y, head, area.width as usize, t.title());
    // Tabs 3-6 count the whole log, whatever the timeline's filter.
    let mut top = area.y + 1;
    if s3.data_events == 0 {
        buf.set_stringn(
            area.x,
            top,
            "! No S3 data events: object-level access is invisible in this log",
            area.width as usize,
            t.warning(),
        );
        top += 1;
    }
    let area = Rect::new(
        area.x,
        top - 1,
        area.width,
        area.height - (top - 1 - area.y),
    );
    let bottom = area.y + area.height;
    let changes_h = (s3.exposure_changes.len() as u16 + 1).min(5);
    let names_h = 5u16;
    let table_h = (s3.buckets.len() as u16 + 1)
        .max(2)
        .min(area.height.saturating_sub(1 + names_h + changes_h).max(2));
    let minutes = |v: Option<i64>| v.map(text::time_minutes).unwrap_or_default();
    let rows: Vec<Cells> = s3
        .buckets
        .iter()
        .map(|b| {
            let base = if b.exposure_changes > 0 {
                t.warning()
            } else {
                t.base()
            };
            vec![
                (clean(&b.bucket).into_owned(), base),
                (text::thousands(b.events), base),
                (text::thousands(b.data_events), base),
                (text::thousands(b.management_events), base),
                (text::thousands(b.principals), base),
                (text::thousands(b.get_object), base),
                (text::bytes(b.bytes_out), base),
                (minutes(b.first), t.dim()),
                (minutes(b.last), t.dim()),
            ]
        })
        .collect();
    let table = Rect::new(area.x, area.y + 1, area.width, table_h);
    grid::draw(
        app,
        buf,
        table,
        &SPECS,
        &rows,
        &s.s3,
        "No S3 bucket in this log.",
    );
    // Data beside management, by name.
    let mut y = table.y + table.height;
    if y + 2 > bottom {
        return;
    }
    let half = area.width / 2;
    buf.set_stringn(area.x, y, "Data events", half as usize, t.header());
    buf.set_stringn(
        area.x + half,
        y,
        "Management events",
        half as usize,
        t.header(),
    );
    y += 1;
    let room = names_h.saturating_sub(1).min(bottom.saturating_sub(y)) as usize;
    for (col, list) in [&s3.data_by_name, &s3.management_by_name]
        .into_iter()
        .enumerate()
    {
        let x = area.x + col as u16 * half;
        for (i, c) in list.iter().take(room).enumerate() {
            let line = format!("{:>8} {}", text::thousands(c.count), clean(&c.value));
            buf.set_stringn(
                x,
                y + i as u16,
                cut(&line, half as usize - 1),
                half as usize - 1,
                t.base(),
            );
        }
    }
    y += room as u16;
    if s3.exposure_changes.is_empty() || y + 2 > bottom {
        return;
    }
    buf.set_stringn(
        area.x,
        y,
        "Permission and exposure changes",
        area.width as usize,
        t.warning(),
    );
    y += 1;
    for c in s3
        .exposure_changes
        .iter()
        .take(bottom.saturating_sub(y) as usize)
    {
        let line = format!(
            "{} {} {} by {}{}",
            c.time.map(text::time_minutes).unwrap_or_default(),
            clean(&c.event_name),
            clean(c.bucket.as_deref().unwrap_or("-")),
            clean(short_principal(c.principal.as_deref().unwrap_or("-"))),
            c.error_code
                .as_deref()
                .map(|e| format!(" (failed: {})", clean(e)))
                .unwrap_or_default()
        );
        let style: Style = if c.error_code.is_some() {
            t.dim()
        } else {
            t.error()
        };
        buf.set_stringn(
            area.x,
            y,
            cut(&line, area.width as usize),
            area.width as usize,
            style,
        );
        y += 1;
    }
}
