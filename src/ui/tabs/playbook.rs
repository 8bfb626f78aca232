//! Tab 8: the IRP-DataAccess playbook. A strip of the parts (1, 2, 3, 4, 4b, 5) with their state,
//! the selected step's goal, the pins, and the step's evidence as a list: logging health (1),
//! triage Q1-Q9 and severity (2), the 12 queries bound to the pins, persistence, secrets and the
//! quiet-period check (4). Enter opens the selected item's events as a timeline view.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::grid::{self, Cells};
use crate::playbook::session::StepState;
use crate::ui::app::playbook_items::{Tone, items};
use crate::ui::app::{App, Workspace};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, short_principal};

const SPECS: [ColumnSpec; 3] = [
    ColumnSpec::new("Item", 6, 14, 0),
    ColumnSpec::new("Status", 9, 16, 0),
    ColumnSpec::new("Answer / result", 10, 400, 0),
];

/// The theme's style for an item's tone.
fn style(t: Theme, tone: Tone) -> Style {
    match tone {
        Tone::Base => t.base(),
        Tone::Dim => t.dim(),
        Tone::Ok => t.ok(),
        Tone::Warning => t.warning(),
        Tone::Error => t.error(),
        Tone::Title => t.title(),
        Tone::Key => t.key(),
    }
}

/// The pins in short, for the tab and the status bar.
pub fn pins_text(s: &Workspace) -> String {
    let p = &s.case.saved.pins;
    let mut parts = Vec::new();
    if let Some(sus) = &p.suspect {
        parts.push(format!("SUSPECT {}", clean(short_principal(sus))));
    }
    if let Some(b) = &p.bucket {
        parts.push(format!("BUCKET {}", clean(b)));
    }
    if let Some((a, b)) = p.window {
        parts.push(format!(
            "WINDOW {}..{}",
            text::time_short(a),
            text::time_short(b)
        ));
    }
    parts.join(" ")
}

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    if area.height < 5 {
        return;
    }
    let Some(book) = &s.case.book else {
        frame.buffer_mut().set_stringn(
            area.x,
            area.y,
            "The built-in playbook did not load.",
            area.width as usize,
            t.error(),
        );
        return;
    };
    let buf = frame.buffer_mut();
    let mut spans = Vec::new();
    for (i, st) in book.steps.iter().enumerate() {
        let done = s.case.step_state(&st.id) == StepState::Done;
        let name = st.title.split(':').next().unwrap_or(&st.title);
        let label = format!(" {} {}{} ", st.part, name, if done { " ✓" } else { "" });
        let style = if i == s.case.step {
            t.tab_active()
        } else if done {
            t.ok()
        } else {
            t.tab()
        };
        spans.push(Span::styled(label, style));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    let Some(step) = book.steps.get(s.case.step) else {
        return;
    };
    let state = match s.case.step_state(&step.id) {
        StepState::Done => "done",
        StepState::Todo => "to do",
    };
    buf.set_stringn(
        area.x,
        area.y + 1,
        format!("Part {} [{state}]: {}", step.part, step.title),
        area.width as usize,
        t.title(),
    );
    buf.set_stringn(area.x, area.y + 2, &step.goal, area.width as usize, t.dim());
    let pins = pins_text(s);
    let suggested = s
        .case
        .case()
        .map(|c| {
            let p = &c.findings.pins;
            let mut v = Vec::new();
            if s.case.saved.pins.suspect.is_none()
                && let Some(x) = &p.suspect
            {
                v.push(format!("SUSPECT {}", clean(short_principal(x))));
            }
            if s.case.saved.pins.bucket.is_none()
                && let Some(x) = &p.bucket
            {
                v.push(format!("BUCKET {}", clean(x)));
            }
            v.join(" ")
        })
        .unwrap_or_default();
    let pins_line = match (pins.is_empty(), suggested.is_empty()) {
        (true, true) => "pins: none (P pins SUSPECT, B pins BUCKET, W the window)".to_owned(),
        (true, false) => format!("pins: none; suggested {suggested}"),
        (false, true) => format!("pins: {pins}"),
        (false, false) => format!("pins: {pins}; suggested {suggested}"),
    };
    buf.set_stringn(area.x, area.y + 3, pins_line, area.width as usize, t.base());
    let table = Rect::new(area.x, area.y + 4, area.width, area.height - 4);
    let empty = match &s.case.result {
        Some(Err(e)) => format!("the playbook checks failed: {}", clean(e)),
        _ if s.case.pending => "computing the answers for the pins...".to_owned(),
        _ => "nothing to show".to_owned(),
    };
    let rows: Vec<Cells> = items(s)
        .into_iter()
        .map(|i| {
            vec![
                (i.name, t.base()),
                (i.status.0, style(t, i.status.1)),
                (i.text, t.base()),
            ]
        })
        .collect();
    grid::draw(app, buf, table, &SPECS, &rows, &s.playbook, &empty);
}
