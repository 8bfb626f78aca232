//! A titled table with a selection, shared by the analysis and playbook tabs. Cells arrive
//! already sanitised (callers run log values through `clean`).
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::export::charts::Series;
use crate::ui::app::App;
use crate::ui::widgets::charts::draw_bars;
use crate::ui::widgets::table::{ColumnSpec, ListNav, draw_cells, draw_header, fit_columns};
use crate::ui::widgets::text::width;

pub type Cells = Vec<(String, Style)>;

/// Draws `rows` under a header in `area`, keeping `nav`'s selection in view; returns nothing
/// when the area is too small. `empty` is said when there are no rows.
pub fn draw(
    app: &App,
    buf: &mut Buffer,
    area: Rect,
    specs: &[ColumnSpec],
    rows: &[Cells],
    nav: &ListNav,
    empty: &str,
) {
    let t = app.env.theme;
    if area.height < 2 {
        return;
    }
    let mut natural: Vec<u16> = specs.iter().map(|c| width(c.title) as u16).collect();
    for r in rows.iter().take(2000) {
        for (i, (c, _)) in r.iter().enumerate().take(natural.len()) {
            natural[i] = natural[i].max(width(c).min(u16::MAX as usize) as u16);
        }
    }
    let widths = fit_columns(specs, &natural, area.width);
    draw_header(buf, Rect { height: 1, ..area }, specs, &widths, t.header());
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    app.viewport.list.set(body);
    app.viewport.page.set(body.height as usize);
    if rows.is_empty() {
        buf.set_stringn(body.x + 1, body.y, empty, body.width as usize, t.dim());
        return;
    }
    let off = nav.window(body.height as usize, rows.len());
    for (i, r) in rows.iter().enumerate().skip(off).take(body.height as usize) {
        let y = body.y + (i - off) as u16;
        draw_cells(buf, body.x, y, body.width, specs, &widths, r);
        if i == nav.selected {
            buf.set_style(Rect::new(body.x, y, body.width, 1), t.selected());
        }
    }
}

/// Charts above a tab's table, side by side, when the screen has room (at least 18 rows keep
/// 12 for the table). Returns the rows used.
pub fn chart_strip(app: &App, buf: &mut Buffer, area: Rect, charts: &[&Series]) -> u16 {
    let t = app.env.theme;
    let h: u16 = match area.height {
        0..18 => return 0,
        18..34 => 5,
        _ => 9,
    };
    let n = charts.len().max(1) as u16;
    let w = area.width / n;
    let mut used = 0;
    for (i, s) in charts.iter().enumerate() {
        let x = area.x + w * i as u16;
        // A column between charts.
        let cw = if (i as u16) + 1 < n {
            w.saturating_sub(2)
        } else {
            area.width - w * i as u16
        };
        used = used.max(draw_bars(buf, Rect::new(x, area.y, cw, h), s, t, &|_| {
            t.bar()
        }));
    }
    used.max(h)
}
