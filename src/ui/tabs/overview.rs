//! Tab 1: what was loaded, events over time, and the top sources, names, principals, regions and
//! error codes.
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::summary::Count;
use crate::ui::action::Action;
use crate::ui::app::{App, Session};
use crate::ui::keymap::Scope;
use crate::ui::widgets::histogram::{bins, draw_axis, draw_bars, span};
use crate::ui::widgets::text::{self, clean, cut, short_principal, width};

pub fn draw(app: &App, s: &Session, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    let sum = &s.inv.summary;
    let buf = frame.buffer_mut();
    let loaded = sum.files.iter().filter(|f| f.records > 0).count();
    let no_records = sum.skipped.files.len();
    let skipped = sum.skipped.details.len();
    let key = app
        .env
        .keymap
        .key_for(&[Scope::Overview], Action::ShowLoadReport)
        .map(|k| k.to_string())
        .unwrap_or_default();
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(vec![
        Span::styled("Loaded    ", t.title()),
        Span::raw(format!(
            "{} events from {} file(s); {} duplicate(s) removed",
            text::thousands(sum.events),
            loaded,
            text::thousands(sum.duplicates)
        )),
    ]));
    let mut skip = vec![
        Span::styled("Skipped   ", t.title()),
        Span::raw(format!(
            "{} file(s) without records, {} bad record(s), {} note(s)",
            no_records,
            text::thousands(sum.skipped.bad_records),
            skipped
        )),
    ];
    if !key.is_empty() {
        skip.push(Span::styled(format!("  [{key}] details"), t.key()));
    }
    lines.push(Line::from(skip));
    let span_text = match s.inv.store.time_span() {
        Some((a, b)) => format!(
            "{} .. {} UTC ({})",
            text::time(a),
            text::time(b),
            text::duration(b - a)
        ),
        None => "no event has a time".to_owned(),
    };
    lines.push(Line::from(vec![
        Span::styled("Span      ", t.title()),
        Span::raw(span_text),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Scope     ", t.title()),
        Span::raw(format!(
            "{}, {}, {}, {}, {}",
            text::plural(sum.accounts.len(), "account"),
            text::plural(sum.regions.len(), "region"),
            match &s.analysis {
                // The analysis' count, as `analyze` and the report give it.
                Some(a) => text::plural(a.principals.len(), "principal"),
                None => "… principals".to_owned(),
            },
            text::plural(sum.event_sources, "source"),
            text::plural(sum.s3_data_events, "S3 data event")
        )),
    ]));
    if sum.s3_data_events == 0 {
        lines.push(Line::styled(
            "! No S3 data events: object-level access is invisible in this log",
            t.warning(),
        ));
    }
    let head = lines.len() as u16;
    for (i, l) in lines.iter().enumerate() {
        if i as u16 >= area.height {
            return;
        }
        buf.set_line(area.x, area.y + i as u16, l, area.width);
    }
    let rest = Rect::new(
        area.x,
        area.y + head,
        area.width,
        area.height.saturating_sub(head),
    );
    let chart_h = if rest.height >= 16 { 5 } else { 0 };
    let [chart, lists] =
        Layout::vertical([Constraint::Length(chart_h), Constraint::Min(0)]).areas(rest);
    if chart.height > 0 {
        draw_chart(app, s, buf, chart);
    }
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(lists);
    let [a, b, c] = Layout::horizontal([Constraint::Ratio(1, 3); 3]).areas(top);
    let [d, e] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(bottom);
    let principals: Vec<Count> = sum
        .top_principals
        .iter()
        .map(|c| Count {
            value: short_principal(&c.value).to_owned(),
            count: c.count,
        })
        .collect();
    draw_counts(app, buf, a, "Event names", &sum.top_event_names);
    draw_counts(app, buf, b, "Principals", &principals);
    draw_counts(app, buf, c, "Event sources", &sum.top_event_sources);
    draw_counts(app, buf, d, "Regions", &sum.regions);
    draw_counts(app, buf, e, "Error codes", &sum.error_codes);
}

fn draw_chart(app: &App, s: &Session, buf: &mut Buffer, area: Rect) {
    let t = app.env.theme;
    buf.set_string(area.x, area.y, "Events over time", t.title());
    let times = s.inv.store.times();
    let rows = &s.views[0].rows;
    let Some((a, b)) = span(times, rows) else {
        return;
    };
    let bars = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    );
    let counts = bins(times, rows, a, b, area.width as usize);
    let peak = counts.iter().copied().max().unwrap_or(0);
    let label = format!(
        "peak {} per {}",
        text::thousands(peak as usize),
        text::duration((b - a) / i64::from(area.width.max(1)))
    );
    let lw = width(&label) as u16;
    if lw + 18 < area.width {
        buf.set_string(area.x + area.width - lw, area.y, label, t.dim());
    }
    draw_bars(buf, bars, &counts, t.bar());
    draw_axis(
        buf,
        Rect::new(area.x, area.y + area.height - 1, area.width, 1),
        a,
        b,
        t.dim(),
    );
}

fn draw_counts(app: &App, buf: &mut Buffer, area: Rect, title: &str, counts: &[Count]) {
    let t = app.env.theme;
    if area.height == 0 || area.width < 4 {
        return;
    }
    let w = area.width.saturating_sub(1) as usize;
    buf.set_stringn(area.x, area.y, title, w, t.title());
    if counts.is_empty() {
        if area.height > 1 {
            buf.set_stringn(area.x, area.y + 1, "  none", w, t.dim());
        }
        return;
    }
    let num_w = counts
        .iter()
        .map(|c| text::thousands(c.count).len())
        .max()
        .unwrap_or(1);
    for (i, c) in counts.iter().enumerate().take(area.height as usize - 1) {
        let y = area.y + 1 + i as u16;
        let n = format!("{:>num_w$} ", text::thousands(c.count));
        buf.set_stringn(area.x, y, &n, w, t.dim());
        let room = w.saturating_sub(num_w + 1);
        let v = clean(&c.value);
        buf.set_stringn(
            area.x + (num_w + 1) as u16,
            y,
            cut(&v, room),
            room,
            t.base(),
        );
    }
}
