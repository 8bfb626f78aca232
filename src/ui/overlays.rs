//! The overlays drawn over a tab: help (generated from the keymap), the load report and the
//! detail view of one event.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::app::{App, Detail, Workspace};
use super::keymap::Scope;
use super::widgets::json::{field_line, wrap};
use super::widgets::text::{self, clean};
use crate::model::query::FIELD_HELP;

impl App {
    /// A scrollable text in a bordered box over `area`; records the scroll limits.
    fn draw_scrolled(
        &self,
        frame: &mut Frame,
        area: Rect,
        title: &str,
        lines: Vec<Line<'static>>,
        scroll: usize,
    ) {
        let t = self.env.theme;
        frame.render_widget(Clear, area);
        let block = Block::bordered().title(Span::styled(format!(" {title} "), t.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines = wrap(&lines, inner.width as usize);
        let h = inner.height as usize;
        let max = lines.len().saturating_sub(h);
        self.viewport.scroll_max.set(max);
        self.viewport.page.set(h);
        let top = scroll.min(max);
        let shown: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
        frame.render_widget(Paragraph::new(shown), inner);
    }

    pub(super) fn draw_help(&self, frame: &mut Frame, area: Rect, scroll: usize) {
        let t = self.env.theme;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let mut group = String::new();
        let rows = self.env.keymap.help_rows();
        // Keys wider than the key column get a line of their own, so a description never runs
        // into them.
        let kw = 16;
        for row in rows {
            if row.group != group {
                if !group.is_empty() {
                    lines.push(Line::raw(""));
                }
                group = row.group.clone();
                lines.push(Line::styled(group.clone(), t.title()));
            }
            let scope = match row.scope {
                Scope::Global | Scope::Any => String::new(),
                s => format!("  ({})", s.title()),
            };
            let keys = if text::width(&row.keys) + 2 > kw {
                lines.push(Line::styled(format!("  {}", row.keys), t.key()));
                String::new()
            } else {
                row.keys.clone()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<kw$}"), t.key()),
                Span::raw(row.description.clone()),
                Span::styled(scope, t.dim()),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Filter language", t.title()));
        for l in [
            "  name:GetObject user:*attacker*   fields AND together; * and ? are wildcards",
            "  -error:* or NOT error:*          negation;  a OR b;  ( ) groups",
            "  ua:\"aws-cli/2*\"                  quotes keep spaces and colons",
            "  time>=2020-09-14T00:40 bytes_out>1M   times and sizes compare",
            "  ListBuckets                      a bare word searches the text columns",
        ] {
            lines.push(Line::raw(l));
        }
        lines.push(Line::raw(format!("  fields: {FIELD_HELP}")));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Change keys in $XDG_CONFIG_HOME/cttui/keymap.toml (~/.config/cttui/keymap.toml); see README",
            t.dim(),
        ));
        self.draw_scrolled(frame, area, "Help", lines, scroll);
    }

    /// The selected row in full: each label on its own line, the value wrapped under it.
    pub(super) fn draw_row_text(
        &self,
        r: &super::app::row_text::RowText,
        frame: &mut Frame,
        area: Rect,
    ) {
        let t = self.env.theme;
        let mut lines: Vec<Line<'static>> = Vec::new();
        for (label, value) in &r.fields {
            lines.push(Line::from(vec![
                Span::styled(format!("{label}: "), t.header()),
                Span::raw(value.clone()),
            ]));
        }
        self.draw_scrolled(frame, area, &r.title, lines, r.scroll);
    }

    pub(super) fn draw_load_report(
        &self,
        s: &Workspace,
        frame: &mut Frame,
        area: Rect,
        scroll: usize,
    ) {
        let t = self.env.theme;
        let sum = &s.inv.summary;
        let mut lines: Vec<Line<'static>> = vec![
            Line::styled("Inputs", t.title()),
            Line::raw(format!(
                "  {} record(s) read, {} duplicate(s) removed, {} event(s) kept, {} with an unparsed time",
                text::thousands(sum.records),
                text::thousands(sum.duplicates),
                text::thousands(sum.events),
                text::thousands(sum.unparsed_times)
            )),
        ];
        for f in &sum.files {
            let shape = f.shape.map_or("unknown", |s| s.label());
            let gz = if f.gzip { ", gzip" } else { "" };
            let style = if f.records == 0 { t.error() } else { t.base() };
            lines.push(Line::styled(format!("  {}", clean(&f.path)), style));
            lines.push(Line::styled(
                format!(
                    "      {shape}{gz}, {}, {} record(s), {} bad, {} other element(s)",
                    text::bytes(f.bytes as i64),
                    text::thousands(f.records),
                    text::thousands(f.bad_records),
                    text::thousands(f.not_records)
                ),
                t.dim(),
            ));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Skipped input", t.title()));
        if sum.skipped.details.is_empty() {
            lines.push(Line::styled("  nothing was skipped", t.dim()));
        }
        for d in &sum.skipped.details {
            lines.push(Line::raw(format!("  {}", clean(d))));
        }
        self.draw_scrolled(frame, area, "Load report", lines, scroll);
    }

    pub(super) fn draw_detail(&self, s: &Workspace, d: &Detail, frame: &mut Frame, area: Rect) {
        let t = self.env.theme;
        frame.render_widget(Clear, area);
        let row = d.row as usize;
        let c = &s.inv.cols;
        let view = s.view();
        let pos = s.index_of(d.row);
        let name = c.name.get(row).unwrap_or("?");
        let marked = if s.marks.is_marked(d.row) {
            " [marked]"
        } else {
            ""
        };
        let title = format!(
            " Event {} of {} · {}{marked} ",
            text::thousands(pos + 1),
            text::thousands(view.len()),
            clean(name)
        );
        let block = Block::bordered().title(Span::styled(title, t.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let get = |ca: &polars::prelude::StringChunked| ca.get(row).unwrap_or("").to_owned();
        let lab = t.header();
        let time = s
            .inv
            .store
            .time_at(row)
            .map(|ms| format!("{} UTC", text::time(ms)))
            .unwrap_or_default();
        let mut head = vec![
            field_line(
                "time",
                &format!("{time}   region {}", get(&c.region)),
                lab,
                t.base(),
            ),
            field_line(
                "principal",
                &format!("{} ({})", get(&c.principal), get(&c.identity_type)),
                lab,
                t.base(),
            ),
            field_line(
                "call",
                &format!("{} {}", get(&c.source), name),
                lab,
                t.base(),
            ),
        ];
        if let Some(code) = c.error.get(row) {
            let msg = s.inv.store.str_at("error_message", row).unwrap_or_default();
            head.push(field_line(
                "error",
                &format!("{code} {msg}"),
                lab,
                t.error(),
            ));
        }
        head.push(field_line(
            "from",
            &format!("{}  {}", get(&c.ip), get(&c.user_agent)),
            lab,
            t.base(),
        ));
        if c.bucket.get(row).is_some() || c.key.get(row).is_some() {
            head.push(field_line(
                "object",
                &format!("{}/{}", get(&c.bucket), get(&c.key)),
                lab,
                t.base(),
            ));
        }
        head.push(field_line(
            "event id",
            &format!(
                "{}   file {}",
                get(&c.event_id),
                s.inv.store.source_file(row).unwrap_or("")
            ),
            lab,
            t.dim(),
        ));
        // One line each, cut at the edge: the JSON below has everything in full.
        let head_h = (head.len() as u16 + 1).min(inner.height / 2);
        let [top, body] =
            Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(inner);
        for (i, l) in head
            .iter()
            .enumerate()
            .take(top.height.saturating_sub(1) as usize)
        {
            frame
                .buffer_mut()
                .set_line(top.x, top.y + i as u16, l, top.width);
        }
        if top.height > 0 {
            frame.buffer_mut().set_string(
                top.x,
                top.y + top.height - 1,
                "─".repeat(top.width as usize),
                t.dim(),
            );
        }
        let lines = wrap(&d.json, body.width as usize);
        let h = body.height as usize;
        let max = lines.len().saturating_sub(h);
        self.viewport.scroll_max.set(max);
        self.viewport.page.set(h);
        let first = d.scroll.min(max);
        let shown: Vec<Line> = lines.into_iter().skip(first).take(h).collect();
        frame.render_widget(Paragraph::new(shown), body);
    }
}

impl App {
    /// The frequency table: value, count, share and a bar, over the view.
    pub(super) fn draw_frequency(
        &self,
        f: &super::app::search::Frequency,
        frame: &mut Frame,
        area: Rect,
    ) {
        let t = self.env.theme;
        frame.render_widget(Clear, area);
        let title = format!(
            " {} in the view: {} value(s) over {} event(s) ",
            f.col.title(),
            text::thousands(f.values.len()),
            text::thousands(f.total)
        );
        let block = Block::bordered().title(Span::styled(title, t.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 2 || inner.width < 20 {
            return;
        }
        let buf = frame.buffer_mut();
        let count_w = f
            .values
            .first()
            .map_or(5, |(_, n)| text::thousands(*n).len().max(5));
        let bar_w = (inner.width as usize / 4).clamp(4, 30);
        let value_w = (inner.width as usize).saturating_sub(count_w + 7 + bar_w + 3);
        let header = format!(
            "{:<value_w$} {:>count_w$} {:>6} {}",
            "Value", "Count", "Share", ""
        );
        buf.set_stringn(inner.x, inner.y, &header, inner.width as usize, t.header());
        // A selected value the column cuts (or a shortened principal) is written whole at the
        // bottom, up to three lines.
        let full: Vec<String> = match f.values.get(f.nav.selected) {
            Some((Some(v), _)) => {
                let v = clean(v).into_owned();
                if text::width(&v) > value_w {
                    wrap(&[Line::raw(v)], inner.width as usize)
                        .into_iter()
                        .take(3)
                        .map(|l| l.to_string())
                        .collect()
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        };
        let pane_h = (full.len() as u16).min(inner.height.saturating_sub(3));
        for (i, l) in full.iter().take(pane_h as usize).enumerate() {
            let y = inner.y + inner.height - pane_h + i as u16;
            buf.set_stringn(inner.x, y, l, inner.width as usize, t.dim());
        }
        let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1 - pane_h);
        self.viewport.page.set(body.height as usize);
        let off = f.nav.window(body.height as usize, f.values.len());
        let top = f.values.first().map_or(1, |(_, n)| (*n).max(1));
        for (i, (v, n)) in f
            .values
            .iter()
            .enumerate()
            .skip(off)
            .take(body.height as usize)
        {
            let y = body.y + (i - off) as u16;
            let shown = match v {
                Some(v) if f.col == super::tabs::timeline::Col::Principal => {
                    clean(text::short_principal(v)).into_owned()
                }
                Some(v) => clean(v).into_owned(),
                None => "(none)".to_owned(),
            };
            let share = *n as f64 * 100.0 / f.total.max(1) as f64;
            let line = format!(
                "{:<value_w$} {:>count_w$} {:>5.1}% ",
                text::cut(&shown, value_w),
                text::thousands(*n),
                share
            );
            buf.set_stringn(body.x, y, &line, body.width as usize, t.base());
            let filled = (*n * bar_w).div_ceil(top).min(bar_w);
            let bx = body.x + text::width(&line) as u16;
            if bx < body.x + body.width {
                buf.set_stringn(
                    bx,
                    y,
                    "█".repeat(filled),
                    (body.x + body.width - bx) as usize,
                    t.bar(),
                );
            }
            if i == f.nav.selected {
                buf.set_style(Rect::new(body.x, y, body.width, 1), t.selected());
            }
        }
    }
}
