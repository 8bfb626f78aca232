//! Tab 6: rule hits grouped by rule and principal, with counts; `v` cycles the level filter and
//! enter shows the finding's events.
use ratatui::Frame;
use ratatui::layout::Rect;

use super::anomalies::level_style;
use super::grid::{self, Cells};
use crate::ui::app::analysis_flow::level_filter_label;
use crate::ui::app::{App, Workspace};
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, short_principal};

const SPECS: [ColumnSpec; 6] = [
    ColumnSpec::new("Level", 8, 8, 0),
    ColumnSpec::new("Rule", 8, 28, 0),
    ColumnSpec::new("Principal", 12, 36, 0),
    ColumnSpec::new("Hits", 5, 8, 0).right(),
    ColumnSpec::new("First (UTC)", 16, 16, 2),
    ColumnSpec::new("Title", 10, 200, 1),
];

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    if super::pending::notice(app, s, frame, area) {
        return;
    }
    let t = app.env.theme;
    let buf = frame.buffer_mut();
    if area.height < 3 {
        return;
    }
    let shown = s.visible_findings();
    let total = s.analysis.as_ref().map_or(0, |a| a.findings.len());
    let head = format!(
        "{} of {} finding(s), level {} (whole log)",
        text::thousands(shown.len()),
        text::thousands(total),
        level_filter_label(s.findings.level)
    );
    buf.set_stringn(area.x, area.y, head, area.width as usize, t.title());
    // What the hits are about: which calls and which regions carry the flagged events.
    let strip = match &s.charts {
        Some(c) => grid::chart_strip(
            app,
            buf,
            Rect::new(area.x, area.y + 1, area.width, area.height - 1),
            &[&c.top_events, &c.regions],
        ),
        None => 0,
    };
    let area = Rect::new(area.x, area.y + strip, area.width, area.height - strip);
    let rows: Vec<Cells> = shown
        .iter()
        .map(|f| {
            vec![
                (f.level.to_string(), level_style(t, f.level)),
                (clean(&f.rule_id).into_owned(), t.base()),
                (clean(short_principal(&f.principal)).into_owned(), t.base()),
                (text::thousands(f.count), t.base()),
                (f.first.map(text::time_minutes).unwrap_or_default(), t.dim()),
                (clean(&f.title).into_owned(), t.dim()),
            ]
        })
        .collect();
    let table = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    grid::draw(
        app,
        buf,
        table,
        &SPECS,
        &rows,
        &s.findings.nav,
        "No finding at this level.",
    );
}
