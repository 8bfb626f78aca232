//! Tab 3: S3 activity as the store shows it: buckets and S3 event names. Enter shows a bucket's
//! events in the timeline. Once the analysis is done, s3_classified.rs draws the tab instead.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::ui::app::{App, Session};
use crate::ui::widgets::table::{ColumnSpec, draw_cells, draw_header, fit_columns};
use crate::ui::widgets::text::{self, clean, width};

const SPECS: [ColumnSpec; 6] = [
    ColumnSpec::new("Bucket", 16, 63, 0),
    ColumnSpec::new("Events", 7, 10, 0).right(),
    ColumnSpec::new("GetObject", 9, 10, 1).right(),
    ColumnSpec::new("Errors", 7, 10, 2).right(),
    ColumnSpec::new("Principals", 10, 10, 3).right(),
    ColumnSpec::new("Bytes out", 10, 12, 4).right(),
];

pub fn draw(app: &App, s: &Session, frame: &mut Frame, area: Rect) {
    if let Some(a) = &s.analysis {
        super::s3_classified::draw(app, s, a, frame, area);
        return;
    }
    let t = app.env.theme;
    let buf = frame.buffer_mut();
    let s3 = &s.inv.s3;
    if area.height < 3 {
        return;
    }
    let head = format!(
        "{} S3 event(s), {} object-level (data); {} bucket(s)",
        text::thousands(s3.events),
        text::thousands(s3.data_events),
        s3.buckets.len()
    );
    buf.set_stringn(area.x, area.y, head, area.width as usize, t.title());
    let mut y = area.y + 1;
    if s3.data_events == 0 {
        buf.set_stringn(
            area.x,
            y,
            "! No S3 data events: object-level access is invisible in this log",
            area.width as usize,
            t.warning(),
        );
        y += 1;
    }
    if s3.events == 0 {
        if y + 1 >= area.y + area.height {
            return;
        }
        buf.set_stringn(
            area.x,
            y + 1,
            "No S3 events in this log.",
            area.width as usize,
            t.dim(),
        );
        return;
    }
    let bottom = area.y + area.height;
    // Event names take the lower part, at most 8 rows.
    let names_h = (s3.names.len() as u16 + 1).min(8).min((bottom - y) / 3);
    let table_h = bottom - y - names_h;
    let table = Rect::new(area.x, y, area.width, table_h);
    let natural: Vec<u16> = {
        let mut w: Vec<u16> = SPECS.iter().map(|c| width(c.title) as u16).collect();
        for b in s3.buckets.iter().take(2000) {
            w[0] = w[0].max(width(&clean(&b.bucket)) as u16);
        }
        w
    };
    let widths = fit_columns(&SPECS, &natural, area.width);
    draw_header(
        buf,
        Rect { height: 1, ..table },
        &SPECS,
        &widths,
        t.header(),
    );
    let rows = Rect::new(
        table.x,
        table.y + 1,
        table.width,
        table.height.saturating_sub(1),
    );
    app.viewport.list.set(rows);
    app.viewport.page.set(rows.height as usize);
    let off = s.s3.window(rows.height as usize, s3.buckets.len());
    for (i, b) in s3
        .buckets
        .iter()
        .enumerate()
        .skip(off)
        .take(rows.height as usize)
    {
        let yy = rows.y + (i - off) as u16;
        let err = if b.errors > 0 { t.error() } else { t.base() };
        let cells: Vec<(String, Style)> = vec![
            (clean(&b.bucket).into_owned(), t.base()),
            (text::thousands(b.events), t.base()),
            (text::thousands(b.get_object), t.base()),
            (text::thousands(b.errors), err),
            (text::thousands(b.principals), t.base()),
            (text::bytes(b.bytes_out), t.base()),
        ];
        draw_cells(buf, rows.x, yy, rows.width, &SPECS, &widths, &cells);
        if i == s.s3.selected {
            buf.set_style(Rect::new(rows.x, yy, rows.width, 1), t.selected());
        }
    }
    if names_h < 2 {
        return;
    }
    let ny = bottom - names_h;
    buf.set_stringn(area.x, ny, "S3 event names", area.width as usize, t.title());
    // Names flow into columns across the width.
    let col_w: u16 = 26;
    let per_col = (names_h - 1) as usize;
    for (i, (name, n)) in s3.names.iter().enumerate() {
        let (c, r) = (i / per_col, i % per_col);
        let x = area.x + c as u16 * col_w;
        if x + col_w > area.x + area.width {
            break;
        }
        let line = format!("{:>7} {}", text::thousands(*n), clean(name));
        buf.set_stringn(
            x,
            ny + 1 + r as u16,
            text::cut(&line, (col_w - 1) as usize),
            (col_w - 1) as usize,
            t.base(),
        );
    }
}
