//! Tab 4: every principal with its counts, errors, first/last activity and (once the analysis is
//! done) its risk rank. A key cycles the sort column; enter drills down to the principal's
//! features and reasons, enter again shows its events in the timeline.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::anomalies::{ACTIVITY_W, activity, level_style};
use crate::analysis::PrincipalReport;

use crate::ui::app::{App, Workspace};
use crate::ui::widgets::table::{ColumnSpec, draw_cells, draw_header, fit_columns};
use crate::ui::widgets::text::{self, arn_account, clean, short_principal, width};

const SPECS: [ColumnSpec; 11] = [
    ColumnSpec::new("Principal", 18, 60, 0),
    ColumnSpec::new("Risk", 11, 14, 1),
    ColumnSpec::new("Activity", ACTIVITY_W, ACTIVITY_W, 2),
    ColumnSpec::new("Account", 12, 12, 6),
    ColumnSpec::new("Type", 11, 16, 3),
    ColumnSpec::new("Events", 7, 10, 0).right(),
    ColumnSpec::new("Errors", 6, 10, 1).right(),
    ColumnSpec::new("GetObj", 6, 10, 4).right(),
    ColumnSpec::new("IPs", 4, 6, 5).right(),
    ColumnSpec::new("First (UTC)", 16, 16, 2),
    ColumnSpec::new("Last (UTC)", 16, 16, 2),
];

/// The kind of identity an ARN names (`assumed-role`, `user`, `root`...), from its resource part.
pub fn identity_kind(p: &str) -> &str {
    if !p.starts_with("arn:") {
        return "";
    }
    let res = short_principal(p);
    res.split('/').next().unwrap_or(res)
}

pub fn draw(app: &App, s: &Workspace, frame: &mut Frame, area: Rect) {
    if super::pending::notice(app, s, frame, area) {
        return;
    }
    let Some(a) = &s.analysis else { return };
    let t = app.env.theme;
    let ps = &a.principals;
    if area.height < 3 {
        return;
    }
    if s.principals.drill
        && let Some(p) = s.selected_principal_report()
    {
        drill(app, p, frame, area);
        return;
    }
    let buf = frame.buffer_mut();
    let head = format!(
        "{} principal(s), by {} (whole log)",
        text::thousands(s.principal_count()),
        s.principals.sort.label()
    );
    buf.set_stringn(area.x, area.y, head, area.width as usize, t.title());
    let table = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    let mut natural: Vec<u16> = SPECS.iter().map(|c| width(c.title) as u16).collect();
    for p in ps.iter().take(2000) {
        natural[0] = natural[0].max(width(&clean(short_principal(&p.principal))) as u16);
        natural[3] = natural[3].max(width(&clean(arn_account(&p.principal))) as u16);
        natural[4] = natural[4].max(width(&clean(identity_kind(&p.principal))) as u16);
    }
    let widths = fit_columns(&SPECS, &natural, area.width);
    draw_header(
        buf,
        Rect { height: 1, ..table },
        &SPECS,
        &widths,
        t.header(),
    );
    let rows = Rect::new(table.x, table.y + 1, table.width, table.height - 1);
    app.viewport.list.set(rows);
    app.viewport.page.set(rows.height as usize);
    if ps.is_empty() {
        buf.set_stringn(
            rows.x + 1,
            rows.y,
            "No principal in this log.",
            rows.width as usize,
            t.dim(),
        );
        return;
    }
    let off = s.principals.nav.window(rows.height as usize, ps.len());
    let minutes = |v: Option<i64>| v.map(text::time_minutes).unwrap_or_default();
    for (i, &pi) in s
        .principals
        .order
        .iter()
        .enumerate()
        .skip(off)
        .take(rows.height as usize)
    {
        let p = &ps[pi];
        let f = &p.features;
        let y = rows.y + (i - off) as u16;
        let err = if f.failures > 0 { t.error() } else { t.base() };
        let n = |v: u64| text::thousands(v as usize);
        let cells: Vec<(String, Style)> = vec![
            (clean(short_principal(&p.principal)).into_owned(), t.base()),
            (format!("#{} {}", p.rank, p.risk), level_style(t, p.risk)),
            (activity(s, a.entity_rows(p.entity)), t.bar()),
            (clean(arn_account(&p.principal)).into_owned(), t.dim()),
            (clean(identity_kind(&p.principal)).into_owned(), t.dim()),
            (n(f.events), t.base()),
            (n(f.failures), err),
            (n(f.get_object), t.base()),
            (n(f.source_ips), t.base()),
            (minutes(f.first), t.dim()),
            (minutes(f.last), t.dim()),
        ];
        draw_cells(buf, rows.x, y, rows.width, &SPECS, &widths, &cells);
        if i == s.principals.nav.selected {
            buf.set_style(Rect::new(rows.x, y, rows.width, 1), t.selected());
        }
    }
}

/// The drill-down: one principal's facts, its analysis features and the reasons it ranks where it
/// does. Every value from the log is sanitised.
fn drill(app: &App, p: &PrincipalReport, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    let f = &p.features;
    let mut lines = vec![
        Line::styled(clean(&p.principal).into_owned(), t.title()),
        Line::raw(format!(
            "{} · {} event(s), {} failed, {} GetObject, {} source IP(s)",
            clean(identity_kind(&p.principal)),
            text::thousands(f.events as usize),
            text::thousands(f.failures as usize),
            text::thousands(f.get_object as usize),
            text::thousands(f.source_ips as usize)
        )),
    ];
    {
        {
            let r = p;
            let f = &r.features;
            lines.push(Line::from(vec![
                Span::styled(
                    format!("rank {} · risk {}", r.rank, r.risk),
                    level_style(t, r.risk),
                ),
                Span::raw(format!(
                    " · score {}",
                    r.score.map_or("-".to_owned(), |v| format!("{v:.2}"))
                )),
            ]));
            lines.push(Line::styled("Features", t.header()));
            let feats = [
                ("active minutes", f.active_minutes.to_string()),
                ("peak per minute", f.peak_per_minute.to_string()),
                (
                    "services / event names",
                    format!("{} / {}", f.services, f.event_names),
                ),
                (
                    "user agents / regions",
                    format!("{} / {}", f.user_agents, f.regions),
                ),
                ("failure rate", format!("{:.0}%", f.failure_rate * 100.0)),
                ("access denied", f.access_denied.to_string()),
                (
                    "off-hours share",
                    format!("{:.0}%", f.off_hours_share * 100.0),
                ),
                (
                    "GetObject / bytes out",
                    format!("{} / {}", f.get_object, text::bytes(f.get_object_bytes)),
                ),
                ("bytes out, all calls", text::bytes(f.bytes_out)),
                ("sensitive calls", f.sensitive_calls.to_string()),
                (
                    "exclusive IPs / agents",
                    format!("{} / {}", f.exclusive_ips, f.exclusive_user_agents),
                ),
            ];
            for (k, v) in feats {
                lines.push(Line::raw(format!("  {k:<24} {v}")));
            }
            lines.push(Line::styled("Reasons", t.header()));
            for why in r
                .reasons
                .iter()
                .map(|x| x.text.as_str())
                .chain(r.risk_reasons.iter().map(String::as_str))
            {
                lines.push(Line::raw(format!("  - {}", clean(why))));
            }
            for (rule, n) in &r.rules {
                lines.push(Line::raw(format!("  rule {} x{n}", clean(rule))));
            }
        }
    }
    lines.push(Line::styled(
        "enter: its events in the timeline · esc: back to the list",
        t.dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
