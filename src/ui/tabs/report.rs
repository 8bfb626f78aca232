//! Tab 7: the export. Shows what `e` would write (marked events, else the current view) and how.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::ui::action::Action;
use crate::ui::app::{App, Workspace};
use crate::ui::export;
use crate::ui::keymap::Scope;
use crate::ui::view::combined_query;
use crate::ui::widgets::histogram::span;
use crate::ui::widgets::text::{self, clean};

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    let key = |a: Action| {
        app.env
            .keymap
            .key_for(&[Scope::Report, Scope::Global], a)
            .map_or_else(|| "(unbound)".to_owned(), |k| k.to_string())
    };
    let view = s.top();
    let marked = s.marks.count();
    // Counts and span without copying the rows: this runs every frame.
    let (what, first_last) = if marked > 0 {
        // The first and last marks bound the span: rows are in time order.
        let ends: Vec<u32> = s.marks.first().into_iter().chain(s.marks.last()).collect();
        (
            format!("{} marked event(s)", text::thousands(marked)),
            span(s.inv.store.times(), &ends),
        )
    } else {
        (
            format!(
                "the current view, {} event(s) (nothing is marked)",
                text::thousands(view.len())
            ),
            span(s.inv.store.times(), &view.rows),
        )
    };
    let filter = combined_query(&s.views).unwrap_or_else(|| "none".to_owned());
    let span_text = first_last.map_or_else(
        || "none".to_owned(),
        |(a, b)| format!("{} .. {} UTC", text::time(a), text::time(b)),
    );
    let default = export::default_path(&app.env.export_dir, app.env.clock.now_ms());
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("  {label:<9}"), t.title()),
            Span::raw(value),
        ])
    };
    let lines = vec![
        Line::styled("Export to Markdown for the incident ticket", t.title()),
        Line::raw(""),
        field("Events", what),
        field("Filter", clean(&filter).into_owned()),
        field("Span", span_text),
        field("File", clean(&default.display().to_string()).into_owned()),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("  {:<9}", key(Action::Export)), t.key()),
            Span::raw(
                "write the Markdown file (asks for the path; never overwrites without asking)",
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("  {:<9}", key(Action::CopyMarkdown)), t.key()),
            Span::raw(format!(
                "copy the same Markdown to the clipboard (OSC 52, up to {} events)",
                text::thousands(crate::ui::app::COPY_MAX_EVENTS)
            )),
        ]),
        Line::raw(""),
        Line::raw(
            "The file holds a header (source files, filter, time span, counts), a table of the key \
             columns and each event's raw JSON in a fenced block. The same view exported headless:",
        ),
        Line::styled(
            format!(
                "  cttui events --format md{} PATHS",
                combined_query(&s.views)
                    .map(|q| format!(" --filter '{}'", clean(&q).replace('\'', "'\\''")))
                    .unwrap_or_default()
            ),
            t.dim(),
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("  {:<9}", key(Action::WriteReport)), t.key()),
            Span::raw(
                "write the incident report (Markdown): pins, triage answers, severity, notes, \
                 findings and the analysis; the same as `cttui report PATHS`",
            ),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
