//! Tab 3: S3 activity as the analysis classifies it (s3_classified.rs draws it); until the
//! analysis is done the tab says so rather than showing a second, different count.
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::ui::app::{App, Workspace};

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    if super::pending::notice(app, s, frame, area) {
        return;
    }
    if let Some(a) = &s.analysis {
        super::s3_classified::draw(app, s, a, frame, area);
    }
}
