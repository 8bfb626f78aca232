//! Tab 5: principals ranked by the behaviour analysis: rank, score, risk and the reasons.
//! Enter shows the principal's events; P pins it as SUSPECT.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::grid::{self, Cells};
use crate::analysis::Level;
use crate::ui::app::{App, Workspace};
use crate::ui::theme::Theme;
use crate::ui::widgets::charts::spark;
use crate::ui::widgets::histogram::bins;
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, short_principal};

const SPECS: [ColumnSpec; 6] = [
    ColumnSpec::new("#", 3, 5, 0).right(),
    ColumnSpec::new("Score", 5, 6, 0).right(),
    ColumnSpec::new("Risk", 8, 8, 0),
    ColumnSpec::new("Principal", 14, 40, 0),
    ColumnSpec::new("Activity", ACTIVITY_W, ACTIVITY_W, 1),
    ColumnSpec::new("Why", 10, 200, 1),
];

/// Cells of the activity sparkline: the whole log in this many bins.
pub const ACTIVITY_W: u16 = 12;

/// A principal's events over the log's span as a text sparkline.
pub fn activity(s: &Workspace, rows: &[u32]) -> String {
    let times = s.inv.store.times();
    match s.inv.store.time_span() {
        Some((a, b)) => spark(&bins(times, rows, a, b, ACTIVITY_W as usize)),
        None => String::new(),
    }
}

pub fn level_style(t: Theme, l: Level) -> Style {
    match l {
        Level::Critical | Level::High => t.error(),
        Level::Medium => t.warning(),
        Level::Low => t.dim(),
    }
}

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    if super::pending::notice(app, s, frame, area) {
        return;
    }
    let Some(a) = &s.analysis else { return };
    let t = app.env.theme;
    let buf = frame.buffer_mut();
    if area.height < 3 {
        return;
    }
    let head = format!(
        "{} principal(s) ranked, whole log ({} windows of {} s, isolation forest seed {})",
        text::thousands(a.principals.len()),
        text::thousands(a.model.windows),
        a.model.window_secs,
        a.model.seed
    );
    buf.set_stringn(area.x, area.y, head, area.width as usize, t.title());
    // Where the flagged calls came from.
    let strip = match &s.charts {
        Some(c) => grid::chart_strip(
            app,
            buf,
            Rect::new(area.x, area.y + 1, area.width, area.height - 1),
            &[&c.top_ips],
        ),
        None => 0,
    };
    let area = Rect::new(area.x, area.y + strip, area.width, area.height - strip);
    let rows: Vec<Cells> = a
        .principals
        .iter()
        .map(|p| {
            let why = p
                .reasons
                .iter()
                .map(|r| r.text.as_str())
                .chain(p.risk_reasons.iter().map(String::as_str))
                .take(2)
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                (p.rank.to_string(), t.base()),
                (
                    p.score
                        .map(|v| format!("{v:.2}"))
                        .unwrap_or_else(|| "-".into()),
                    t.base(),
                ),
                (p.risk.to_string(), level_style(t, p.risk)),
                (clean(short_principal(&p.principal)).into_owned(), t.base()),
                (activity(s, a.entity_rows(p.entity)), t.bar()),
                (clean(&why).into_owned(), t.dim()),
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
        &s.anomalies,
        "No principal to rank.",
    );
}
