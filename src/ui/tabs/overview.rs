//! Tab 1: what was loaded, events over time, and the top sources, names, principals, regions and
//! error codes.
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::export::charts;
use crate::summary::Count;
use crate::ui::action::Action;
use crate::ui::app::{App, Workspace};
use crate::ui::keymap::Scope;
use crate::ui::widgets::charts::{draw_bars, risk_label_style};
use crate::ui::widgets::histogram::{aligned_bins, draw_axis, span};
use crate::ui::widgets::text::{self, clean, cut, short_principal, width};

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
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
                Some(_) => text::plural(s.principal_count(), "principal"),
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
        // Events over time, and beside it (once analysed) the events by risk level.
        let risk_w = if chart.width >= 70 && s.analysis.is_some() {
            (chart.width / 3).min(40)
        } else {
            0
        };
        let [time, risk] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(risk_w)]).areas(chart);
        draw_chart(
            app,
            s,
            buf,
            Rect::new(
                time.x,
                time.y,
                time.width.saturating_sub(u16::from(risk_w > 0) * 2),
                time.height,
            ),
        );
        if let Some(a) = &s.analysis
            && risk.width > 0
        {
            let series = charts::risk_levels(&a.event_risk_counts);
            draw_bars(buf, risk, &series, t, &|label| risk_label_style(t, label));
        }
    }
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(lists);
    // Where calls came from, with which key and agent, get the room: addresses carry their
    // network class, keys are 20 characters.
    let [a, b, c] = Layout::horizontal([
        Constraint::Ratio(1, 4),
        Constraint::Ratio(1, 4),
        Constraint::Ratio(1, 2),
    ])
    .areas(top);
    // An access key is 20 characters and its count up to 7: its list keeps 28 columns.
    let wide = bottom.width >= 120;
    let [f, h, g, e, d] = Layout::horizontal(if wide {
        [
            Constraint::Length(28),
            Constraint::Min(0),
            Constraint::Length(22),
            Constraint::Length(18),
            Constraint::Length(24),
        ]
    } else {
        [
            Constraint::Length(28),
            Constraint::Min(0),
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Length(0),
        ]
    })
    .areas(bottom);
    let tops = &s.inv.tops;
    let ips: Vec<Count> = tops
        .source_ips
        .iter()
        .zip(&tops.source_ip_classes)
        .map(|(c, class)| Count {
            value: format!("{} {class}", c.value),
            count: c.count,
        })
        .collect();
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
    draw_counts(app, buf, c, "Source IPs (network class)", &ips);
    draw_counts(app, buf, f, "Access keys", &tops.access_keys);
    // Shown when the screen is wide; the Scope line counts them always.
    draw_counts(app, buf, d, "Event sources", &sum.top_event_sources);
    draw_counts(app, buf, e, "Regions", &sum.regions);
    draw_counts(app, buf, g, "Error codes", &sum.error_codes);
    draw_counts(app, buf, h, "User agents", &tops.user_agents);
}

fn draw_chart(app: &App, s: &Workspace, buf: &mut Buffer, area: Rect) {
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
    // Bins on round times (hours, days), as many as the width allows.
    let bins = aligned_bins(times, rows, a, b, area.width as usize);
    let peak = bins.counts.iter().copied().max().unwrap_or(0);
    let label = format!(
        "peak {} per {}",
        text::thousands(peak as usize),
        bins.step_label()
    );
    let lw = width(&label) as u16;
    if lw + 18 < area.width {
        buf.set_string(area.x + area.width - lw, area.y, label, t.dim());
    }
    let spread = bins.spread(area.width as usize);
    crate::ui::widgets::histogram::draw_bars(buf, bars, &spread, t.bar());
    draw_axis(
        buf,
        Rect::new(area.x, area.y + area.height - 1, area.width, 1),
        bins.start,
        bins.end(),
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
