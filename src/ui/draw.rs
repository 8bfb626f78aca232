//! Drawing the whole screen from the app state: tab bar, the active tab or overlay, the prompt,
//! the status bar and the hint bar (overlays: overlays.rs). Drawing only reads the state (and
//! records viewport sizes).
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph, Wrap};

use super::action::Action;
use super::app::{App, Overlay, Phase, PromptKind, Tab, Workspace};
use super::keymap::{Hint, Scope};
use super::tabs;
use super::widgets::text::{self, clean, cut, width};

/// A spinner for background work, one step per tick.
const SPIN: [char; 4] = ['|', '/', '-', '\\'];

impl App {
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        self.viewport.width.set(area.width);
        if area.height < 4 || area.width < 20 {
            frame.render_widget(Paragraph::new("cttui: window too small"), area);
            return;
        }
        let prompt_h = match &self.overlay {
            Some(Overlay::Prompt(_)) => 2,
            Some(Overlay::ConfirmOverwrite { .. }) | Some(Overlay::ConfirmLarge { .. }) => 1,
            _ => 0,
        };
        let [tabs_area, body, prompt, status, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(prompt_h),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_tabs(frame.buffer_mut(), tabs_area);
        match &self.phase {
            Phase::Empty => frame.render_widget(Paragraph::new("Nothing loaded."), body),
            Phase::Loading { .. } => self.draw_loading(frame, body),
            Phase::Failed(e) => self.draw_failed(frame, body, e),
            Phase::Ready(s) => self.draw_tab(s, frame, body),
        }
        match (&self.overlay, self.workspace()) {
            (Some(Overlay::Help { scroll }), _) => self.draw_help(frame, body, *scroll),
            (Some(Overlay::LoadReport { scroll }), Some(s)) => {
                self.draw_load_report(s, frame, body, *scroll)
            }
            (Some(Overlay::Detail(d)), Some(s)) => self.draw_detail(s, d, frame, body),
            (Some(Overlay::Frequency(f)), Some(_)) => self.draw_frequency(f, frame, body),
            (Some(Overlay::Row(r)), Some(_)) => self.draw_row_text(r, frame, body),
            _ => {}
        }
        self.draw_prompt(frame, prompt);
        self.draw_status(frame.buffer_mut(), status);
        self.draw_hints(frame.buffer_mut(), hints);
    }

    fn draw_tabs(&self, buf: &mut Buffer, area: Rect) {
        let t = self.env.theme;
        let mut x = area.x;
        for (tab, label) in Tab::labels(area.width, self.tab) {
            let style = if tab == self.tab {
                t.tab_active()
            } else {
                t.tab()
            };
            let w = width(&label) as u16;
            if x + w > area.x + area.width {
                break;
            }
            buf.set_string(x, area.y, &label, style);
            x += w;
        }
        let name = " cttui ";
        if x + 2 + name.len() as u16 <= area.x + area.width {
            buf.set_string(
                area.x + area.width - name.len() as u16,
                area.y,
                name,
                t.dim(),
            );
        }
    }

    fn draw_tab(&self, s: &Workspace, frame: &mut Frame, area: Rect) {
        match self.tab {
            Tab::Overview => tabs::overview::draw(self, s, frame, area),
            Tab::Timeline => tabs::timeline::draw(self, s, frame, area),
            Tab::S3 => tabs::s3::draw(self, s, frame, area),
            Tab::Principals => tabs::principals::draw(self, s, frame, area),
            Tab::Anomalies => tabs::anomalies::draw(self, s, frame, area),
            Tab::Findings => tabs::findings::draw(self, s, frame, area),
            Tab::Playbook => tabs::playbook::draw(self, s, frame, area),
            Tab::Report => tabs::report::draw(self, s, frame, area),
        }
    }

    fn draw_loading(&self, frame: &mut Frame, area: Rect) {
        let Phase::Loading {
            progress,
            inputs,
            started,
        } = &self.phase
        else {
            return;
        };
        let t = self.env.theme;
        let w = area.width.min(64);
        let h = area.height.min(7);
        let r = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        let block = Block::bordered().title(Span::styled(" Loading ", t.title()));
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let (fd, ft, bd, bt) = progress.snapshot();
        let ratio = progress.ratio().clamp(0.0, 1.0);
        let names = inputs
            .iter()
            .map(|p| clean(p).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let lines = vec![
            Line::raw(cut(&names, inner.width as usize).into_owned()),
            Line::raw(format!(
                "{} {} · {fd}/{ft} file(s) · {} of {}{}",
                SPIN[(self.tick % 4) as usize],
                progress.stage(),
                text::bytes(bd as i64),
                text::bytes(bt as i64),
                // Whole files finish at once: the clock shows it is alive meanwhile.
                match started.elapsed().as_secs() {
                    s if s >= 2 => format!(" · {s}s"),
                    _ => String::new(),
                }
            )),
        ];
        let [info, gauge, _, help] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(lines), info);
        frame.render_widget(
            Gauge::default()
                .gauge_style(t.selected())
                .ratio(ratio)
                .label(format!("{:.0}%", ratio * 100.0)),
            gauge,
        );
        frame.render_widget(
            Paragraph::new(Line::styled("q quits at any time", t.dim())),
            help,
        );
    }

    fn draw_failed(&self, frame: &mut Frame, area: Rect, e: &str) {
        let t = self.env.theme;
        let lines = vec![
            Line::styled("Nothing could be shown", t.error()),
            Line::raw(""),
            Line::raw(clean(e).into_owned()),
            Line::raw(""),
            Line::styled("q quits", t.dim()),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    fn draw_prompt(&self, frame: &mut Frame, area: Rect) {
        if area.height == 0 {
            return;
        }
        let t = self.env.theme;
        match &self.overlay {
            Some(Overlay::Prompt(p)) => {
                let line = Rect { height: 1, ..area };
                let pos = p
                    .input
                    .draw(frame.buffer_mut(), line, &p.label, t.key(), t.base());
                frame.set_cursor_position(pos);
                let below = Rect {
                    y: area.y + 1,
                    height: 1,
                    ..area
                };
                let (text, style) = match &p.error {
                    Some(e) => (clean(e).into_owned(), t.error()),
                    None => {
                        let hint = match p.kind {
                            PromptKind::Filter => {
                                "live filter, e.g. name:GetObject user:*attacker* -error:*  (fields: see help)"
                            }
                            PromptKind::JumpTime => {
                                "2020-09-14 00:40, 2020-09-14T00:40:12Z, or 00:40 on the selected day"
                            }
                            PromptKind::ExportPath => "enter writes the Markdown file, esc cancels",
                            PromptKind::Search => {
                                "highlights matches in the view; n / N move between them (f filters)"
                            }
                            PromptKind::ReportPath => {
                                "enter writes the incident report (Markdown), esc cancels"
                            }
                            PromptKind::Note => "enter saves to the session file, esc cancels",
                        };
                        (hint.to_owned(), t.dim())
                    }
                };
                frame.buffer_mut().set_stringn(
                    below.x,
                    below.y,
                    cut(&text, below.width as usize),
                    below.width as usize,
                    style,
                );
            }
            Some(Overlay::ConfirmLarge { events }) => {
                let q = format!(
                    "Export {} events, each with its raw JSON? (y/n)",
                    text::thousands(*events)
                );
                frame.buffer_mut().set_stringn(
                    area.x,
                    area.y,
                    cut(&q, area.width as usize),
                    area.width as usize,
                    t.warning(),
                );
            }
            Some(Overlay::ConfirmOverwrite { path, .. }) => {
                let q = format!(
                    "{} exists. Replace it? (y/n)",
                    clean(&path.display().to_string())
                );
                frame.buffer_mut().set_stringn(
                    area.x,
                    area.y,
                    cut(&q, area.width as usize),
                    area.width as usize,
                    t.warning(),
                );
            }
            _ => {}
        }
    }

    fn draw_status(&self, buf: &mut Buffer, area: Rect) {
        let t = self.env.theme;
        buf.set_style(area, t.status());
        // Left: the view size, the filter, the marks. Right: background work and the message.
        // When they do not fit, the filter goes first (the breadcrumb shows it), then the
        // message is cut.
        let mut size = String::new();
        let mut filter = String::new();
        let mut marks = String::new();
        match &self.phase {
            Phase::Loading { progress, .. } => {
                size = format!(
                    "loading: {} {:.0}%",
                    progress.stage(),
                    progress.ratio() * 100.0
                );
            }
            Phase::Ready(s) => {
                let all = s.views[0].len();
                size = if s.views.len() > 1 || s.preview.is_some() {
                    format!(
                        "{} of {} events",
                        text::thousands(s.view().len()),
                        text::thousands(all)
                    )
                } else {
                    format!("{} events", text::thousands(all))
                };
                let depth = s.views.len() - 1;
                if let Some(q) = s.top().query.as_deref() {
                    let more = if depth > 1 {
                        format!("{depth} filters, last: ")
                    } else {
                        String::new()
                    };
                    filter = format!(" │ {more}{}", cut(&clean(q), 28));
                }
                if s.marks.count() > 0 {
                    marks = format!(" │ {} marked", text::thousands(s.marks.count()));
                }
                let pins = tabs::playbook::pins_text(s);
                if !pins.is_empty() {
                    // Short, so the message keeps its room; the Playbook tab shows them in full.
                    marks.push_str(&format!(" │ {}", cut(&pins, 34)));
                }
            }
            Phase::Failed(_) => size = "load failed".to_owned(),
            Phase::Empty => {}
        }
        let mut right: Vec<(String, Style)> = Vec::new();
        let spin = SPIN[(self.tick % 4) as usize];
        if self.workspace().is_some_and(Workspace::filtering) {
            right.push((format!("{spin} filtering"), t.status()));
        }
        for b in &self.busy {
            let secs = b.started.elapsed().as_secs_f32();
            right.push((format!("{spin} {} {secs:.0}s", b.label), t.status()));
        }
        if let Some(m) = &self.message {
            let style = if m.error {
                t.status().patch(t.error())
            } else {
                t.status()
            };
            right.push((clean(&m.text).into_owned(), style));
        }
        let w = area.width as usize;
        let right_w: usize = right.iter().map(|(s, _)| width(s) + 3).sum();
        let full = format!(" {size}{filter}{marks}");
        let left = if width(&full) + right_w < w || filter.is_empty() {
            full
        } else {
            format!(" {size}{marks}")
        };
        buf.set_stringn(area.x, area.y, &left, w, t.status());
        let room = w.saturating_sub(width(&left) + 1);
        let mut x = area.x + (w - right_w.min(room)) as u16;
        for (s, style) in right {
            let avail = (area.x + area.width).saturating_sub(x) as usize;
            if avail < 4 {
                break;
            }
            let piece = format!(" │ {}", cut(&s, avail - 3));
            buf.set_stringn(x, area.y, &piece, avail, style);
            x += width(&piece) as u16;
        }
    }

    fn draw_hints(&self, buf: &mut Buffer, area: Rect) {
        let t = self.env.theme;
        let scopes = match self.phase {
            Phase::Ready(_) => self.scopes(),
            _ => vec![Scope::Global, Scope::Any],
        };
        let loading = matches!(self.phase, Phase::Loading { .. } | Phase::Failed(_));
        let hints: Vec<Hint> = self
            .env
            .keymap
            .hints(&scopes)
            .into_iter()
            .filter(|h| !loading || h.action == Action::Quit)
            .collect();
        let cost = |h: &Hint| width(&h.keys) + width(&h.label) + 3;
        // The help key always shows, at the end; others fill the room in table order.
        let help = hints.iter().position(|h| h.action == Action::Help);
        let mut room =
            (area.width as usize).saturating_sub(1 + help.map_or(0, |i| cost(&hints[i])));
        let mut spans: Vec<Span> = vec![Span::raw(" ")];
        let push = |h: &Hint, spans: &mut Vec<Span>| {
            spans.push(Span::styled(h.keys.clone(), t.key()));
            spans.push(Span::styled(format!(" {}  ", h.label), t.dim()));
        };
        for (i, h) in hints.iter().enumerate() {
            if Some(i) == help || cost(h) > room {
                continue;
            }
            room -= cost(h);
            push(h, &mut spans);
        }
        if let Some(i) = help {
            push(&hints[i], &mut spans);
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}
