//! Tab 3 with the analysis: buckets with data and management counts, principals, GetObject,
//! bytes out and first/last (rows with permission or exposure changes highlighted), data events
//! beside management events by name, and the exposure changes in time order with each bucket's
//! exposure at the end of the log (`analysis::exposure`). Enter shows the bucket's events; `c`
//! moves the cursor to the changes, where enter shows the bucket's changes; B pins the bucket.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::grid::{self, Cells};
use crate::analysis::Analysis;
use crate::analysis::exposure::{BucketExposure, ExposureLevel};
use crate::ui::app::{App, Workspace};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, cut, short_principal};

const SPECS: [ColumnSpec; 10] = [
    ColumnSpec::new("Bucket", 12, 40, 0),
    ColumnSpec::new("Exposure", 9, 9, 1),
    ColumnSpec::new("Events", 6, 9, 0).right(),
    ColumnSpec::new("Data", 6, 9, 1).right(),
    ColumnSpec::new("Mgmt", 5, 8, 1).right(),
    ColumnSpec::new("Princ", 5, 6, 2).right(),
    ColumnSpec::new("GetObj", 6, 9, 0).right(),
    ColumnSpec::new("Bytes out", 9, 11, 0).right(),
    ColumnSpec::new("First (UTC)", 16, 16, 3),
    ColumnSpec::new("Last (UTC)", 16, 16, 3),
];

pub fn draw(app: &App, s: &Workspace, a: &Analysis, frame: &mut Frame, area: Rect) {
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
            let exp = exposure_of(a, Some(&b.bucket));
            vec![
                (clean(&b.bucket).into_owned(), base),
                match exp {
                    Some(e) => (e.level.label().to_owned(), exposure_style(t, e.level)),
                    None => (String::new(), t.dim()),
                },
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
        &s.s3.buckets,
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
    // The title names the selected change's bucket and its state at the end of the log.
    let nav = &s.s3.changes;
    let selected = s3.exposure_changes.get(nav.selected);
    let state = selected
        .and_then(|c| exposure_of(a, c.bucket.as_deref()))
        .map(|e| {
            format!(
                ": {} at the end: {}",
                clean(e.bucket.as_deref().unwrap_or("account")),
                e.state
            )
        })
        .unwrap_or_default();
    let key = if s.s3.changes_focus { "" } else { " [c]" };
    buf.set_stringn(
        area.x,
        y,
        cut(
            &format!("Exposure changes{key}{state}"),
            area.width as usize,
        ),
        area.width as usize,
        t.warning(),
    );
    y += 1;
    let h = bottom.saturating_sub(y) as usize;
    let off = nav.window(h, s3.exposure_changes.len());
    if s.s3.changes_focus {
        app.viewport.page.set(h.max(1));
    }
    for (i, c) in s3.exposure_changes.iter().enumerate().skip(off).take(h) {
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
        if s.s3.changes_focus && i == nav.selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), t.selected());
        }
        y += 1;
    }
}

/// The analysis' end-of-log exposure of a bucket (`None`: account-level calls).
fn exposure_of<'a>(a: &'a Analysis, bucket: Option<&str>) -> Option<&'a BucketExposure> {
    a.exposure.iter().find(|e| e.bucket.as_deref() == bucket)
}

/// Exposed now: error; weakened or shared: warning; closed or never open: dim.
fn exposure_style(t: Theme, l: ExposureLevel) -> Style {
    match l {
        ExposureLevel::Public => t.error(),
        ExposureLevel::Shared | ExposureLevel::Weakened => t.warning(),
        ExposureLevel::Restored | ExposureLevel::Private | ExposureLevel::Attempted => t.dim(),
    }
}
