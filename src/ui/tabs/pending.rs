//! Tabs 5 and 6: anomaly scores and findings come from the behaviour analysis. When it is not in
//! the investigation these tabs say so plainly and point at what the store already shows; they
//! never show made-up data.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::ui::app::{App, Session, Tab};
use crate::ui::widgets::text::{self, clean, short_principal};

pub fn draw(app: &App, s: &Session, tab: Tab, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    if let Some(a) = &s.inv.analysis {
        // The analysis type has no values in this build; wiring it in replaces this match.
        match *a {}
    }
    let (what, how) = match tab {
        Tab::Anomalies => (
            "Anomaly scores",
            "per-principal baselines, isolation forest",
        ),
        _ => ("Findings", "detection rules, severity, evidence"),
    };
    let mut lines = vec![
        Line::styled(format!("{what}: not computed in this build."), t.warning()),
        Line::raw(format!("(needs the behaviour analysis: {how})")),
        Line::raw("Nothing here is scored or guessed."),
        Line::raw(""),
        Line::styled("What the store already shows:", t.title()),
    ];
    let sum = &s.inv.summary;
    let errors: usize = s.inv.principals.iter().map(|p| p.errors).sum();
    lines.push(Line::raw(format!(
        "  {} failed call(s) (errorCode set) across {} principal(s): tab 4 Principals",
        text::thousands(errors),
        s.inv.principals.iter().filter(|p| p.errors > 0).count()
    )));
    if let Some(p) = s
        .inv
        .principals
        .iter()
        .filter(|p| p.errors > 0)
        .max_by(|a, b| {
            a.errors
                .cmp(&b.errors)
                .then_with(|| b.principal.cmp(&a.principal))
        })
    {
        lines.push(Line::from(vec![
            Span::raw("  most failed calls: "),
            Span::styled(clean(short_principal(&p.principal)).into_owned(), t.title()),
            Span::raw(format!(" ({})", text::thousands(p.errors))),
        ]));
    }
    lines.push(Line::raw(format!(
        "  {} S3 data event(s) in {} bucket(s): tab 3 S3",
        text::thousands(sum.s3_data_events),
        s.inv.s3.buckets.len()
    )));
    lines.push(Line::raw(
        "  every event, filterable with / and pivots: tab 2 Timeline",
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
