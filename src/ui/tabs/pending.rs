//! What an analysis tab says before the analysis is there: running, or failed (never made-up data).
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::ui::app::{App, Workspace};
use crate::ui::widgets::text::clean;

/// Draws the waiting or failure notice and returns true when the analysis is not there.
pub fn notice(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) -> bool {
    if s.analysis.is_some() {
        return false;
    }
    let t = app.env.theme;
    let lines = match &s.analysis_error {
        Some(e) => vec![
            Line::styled("The behaviour analysis failed:", t.error()),
            Line::raw(clean(e).into_owned()),
        ],
        None => vec![
            Line::styled(
                "Analysing behaviour (ranking principals, running rules)...",
                t.warning(),
            ),
            Line::raw("The other tabs work meanwhile; this tab fills in when the job is done."),
        ],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    true
}
