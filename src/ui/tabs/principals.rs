//! Tab 4: every principal with its counts, errors and first/last activity, from the store.
//! Enter shows the principal's events in the timeline. (Ranking by risk arrives with the
//! behaviour analysis; until then the order is by number of events.)
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::ui::app::{App, Session};
use crate::ui::widgets::table::{ColumnSpec, draw_cells, draw_header, fit_columns};
use crate::ui::widgets::text::{self, arn_account, clean, short_principal, width};

const SPECS: [ColumnSpec; 9] = [
    ColumnSpec::new("Principal", 18, 60, 0),
    ColumnSpec::new("Account", 12, 12, 6),
    ColumnSpec::new("Type", 11, 16, 3),
    ColumnSpec::new("Events", 7, 10, 0).right(),
    ColumnSpec::new("Errors", 6, 10, 1).right(),
    ColumnSpec::new("S3", 6, 10, 4).right(),
    ColumnSpec::new("IPs", 4, 6, 5).right(),
    ColumnSpec::new("First (UTC)", 16, 16, 2),
    ColumnSpec::new("Last (UTC)", 16, 16, 2),
];

pub fn draw(app: &App, s: &Session, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    let buf = frame.buffer_mut();
    let ps = &s.inv.principals;
    if area.height < 3 {
        return;
    }
    let head = format!(
        "{} principal(s), ordered by events (risk ranking: not computed in this build)",
        text::thousands(ps.len())
    );
    buf.set_stringn(area.x, area.y, head, area.width as usize, t.title());
    let table = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    let mut natural: Vec<u16> = SPECS.iter().map(|c| width(c.title) as u16).collect();
    for p in ps.iter().take(2000) {
        natural[0] = natural[0].max(width(&clean(short_principal(&p.principal))) as u16);
        natural[1] = natural[1].max(width(&clean(arn_account(&p.principal))) as u16);
        natural[2] = natural[2].max(width(&clean(&p.identity_type)) as u16);
    }
    let widths = fit_columns(&SPECS, &natural, area.width);
    draw_header(
        buf,
        Rect { height: 1, ..table },
        &SPECS,
        &widths,
        t.header(),
    );
    let rows = Rect::new(table.x, table.y + 1, table.width, table.height - 1);
    app.viewport.list.set(rows);
    app.viewport.page.set(rows.height as usize);
    if ps.is_empty() {
        buf.set_stringn(
            rows.x + 1,
            rows.y,
            "No event names a principal.",
            rows.width as usize,
            t.dim(),
        );
        return;
    }
    let off = s.principals.window(rows.height as usize, ps.len());
    let minutes = |v: Option<i64>| v.map(text::time_minutes).unwrap_or_default();
    for (i, p) in ps.iter().enumerate().skip(off).take(rows.height as usize) {
        let y = rows.y + (i - off) as u16;
        let err = if p.errors > 0 { t.error() } else { t.base() };
        let cells: Vec<(String, Style)> = vec![
            (clean(short_principal(&p.principal)).into_owned(), t.base()),
            (clean(arn_account(&p.principal)).into_owned(), t.dim()),
            (clean(&p.identity_type).into_owned(), t.dim()),
            (text::thousands(p.events), t.base()),
            (text::thousands(p.errors), err),
            (text::thousands(p.s3_events), t.base()),
            (text::thousands(p.source_ips), t.base()),
            (minutes(p.first), t.dim()),
            (minutes(p.last), t.dim()),
        ];
        draw_cells(buf, rows.x, y, rows.width, &SPECS, &widths, &cells);
        if i == s.principals.selected {
            buf.set_style(Rect::new(rows.x, y, rows.width, 1), t.selected());
        }
    }
}
