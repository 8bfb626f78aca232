//! Tab 5: principals ranked by the behaviour analysis: rank, score, risk and the reasons.
//! Enter shows the principal's events; P pins it as SUSPECT.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::grid::{self, Cells};
use crate::analysis::Level;
use crate::ui::app::{App, Session};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, short_principal};

const SPECS: [ColumnSpec; 5] = [
    ColumnSpec::new("#", 3, 5, 0).right(),
    ColumnSpec::new("Score", 5, 6, 0).right(),
    ColumnSpec::new("Risk", 8, 8, 0),
    ColumnSpec::new("Principal", 14, 40, 0),
    ColumnSpec::new("Why", 10, 200, 1),
];

pub fn level_style(t: Theme, l: Level) -> Style {
    match l {
        Level::Critical | Level::High => t.error(),
        Level::Medium => t.warning(),
        Level::Low => t.dim(),
    }
}

pub fn draw(app: &App, s: &Session, frame: &mut Frame, area: Rect) {
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
