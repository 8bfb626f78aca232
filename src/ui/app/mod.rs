//! The investigator's state and its one entry point for change: `update(Action)`. Keys, mouse and
//! background results are turned into actions or applied here; drawing (draw.rs) only reads.
//! The filter, export and navigation steps live in the submodules.
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::text::Line;
use strum::{EnumIter, IntoEnumIterator};

mod export_flow;
mod filter;
mod navigate;

pub use filter::quote;
pub use navigate::parse_jump;

use super::action::Action;
use super::export;
use super::investigation::Investigation;
use super::jobs::{CopyDone, ExportDone, JobResult, Jobs};
use super::keymap::{Key, Keymap, Scope};
use super::theme::Theme;
use super::view::{Marks, View};
use super::widgets::prompt::TextInput;
use super::widgets::table::ListNav;
use super::widgets::text;
use crate::ingest::{LoadOptions, Progress};

/// Where "now" comes from (fixed in tests so default file names are stable).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(i64),
}

impl Clock {
    pub fn now_ms(self) -> i64 {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => chrono::Utc::now().timestamp_millis(),
        }
    }
}

/// Everything the app needs from outside; no globals, so tests build any state they like.
#[derive(Debug, Clone)]
pub struct Env {
    pub theme: Theme,
    pub keymap: Keymap,
    /// Where exports go by default and what relative export paths are relative to.
    pub export_dir: PathBuf,
    pub clock: Clock,
}

impl Env {
    pub fn new(theme: Theme, keymap: Keymap) -> Env {
        Env {
            theme,
            keymap,
            export_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            clock: Clock::System,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter)]
pub enum Tab {
    Overview,
    Timeline,
    S3,
    Principals,
    Anomalies,
    Findings,
    Report,
}

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Timeline => "Timeline",
            Tab::S3 => "S3",
            Tab::Principals => "Principals",
            Tab::Anomalies => "Anomalies",
            Tab::Findings => "Findings",
            Tab::Report => "Report",
        }
    }

    pub fn number(self) -> usize {
        Tab::iter().position(|t| t == self).unwrap_or(0) + 1
    }

    fn step(self, delta: isize) -> Tab {
        let all: Vec<Tab> = Tab::iter().collect();
        let n = all.len() as isize;
        let i = (self.number() as isize - 1 + delta).rem_euclid(n);
        all[i as usize]
    }

    /// The tab's own key scope and whether it shows a list.
    fn scopes(self) -> &'static [Scope] {
        match self {
            Tab::Overview => &[Scope::Overview, Scope::Global, Scope::Any],
            Tab::Timeline => &[Scope::Timeline, Scope::Table, Scope::Global, Scope::Any],
            Tab::S3 => &[Scope::S3, Scope::Table, Scope::Global, Scope::Any],
            Tab::Principals => &[Scope::Principals, Scope::Table, Scope::Global, Scope::Any],
            Tab::Report => &[Scope::Report, Scope::Global, Scope::Any],
            Tab::Anomalies | Tab::Findings => &[Scope::Global, Scope::Any],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    JumpTime,
    ExportPath,
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: TextInput,
    pub label: String,
    /// A syntax or input error, shown under the input.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Detail {
    pub row: u32,
    pub scroll: usize,
    pub json: Vec<Line<'static>>,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    LoadReport {
        scroll: usize,
    },
    Detail(Box<Detail>),
    Prompt(Prompt),
    /// The export target exists: replace it?
    ConfirmOverwrite {
        path: PathBuf,
    },
}

/// A filter submitted to the background runner whose result is still to come.
#[derive(Debug, Clone)]
struct PendingFilter {
    generation: u64,
    query: String,
    /// Push the result as a new view (Enter or a pivot) rather than preview it (typing).
    commit: bool,
}

/// Everything that exists once the store is loaded.
pub struct Session {
    pub inv: Arc<Investigation>,
    /// The filter stack: `views[0]` holds all events.
    pub views: Vec<View>,
    /// The live result of the filter being typed.
    pub preview: Option<View>,
    pub marks: Marks,
    pub timeline: ListNav,
    pub s3: ListNav,
    pub principals: ListNav,
    generation: u64,
    pending: Option<PendingFilter>,
}

impl Session {
    pub fn new(inv: Arc<Investigation>) -> Session {
        let all = View::all(&inv);
        Session {
            marks: Marks::new(inv.len()),
            views: vec![all],
            preview: None,
            timeline: ListNav::default(),
            s3: ListNav::default(),
            principals: ListNav::default(),
            generation: 0,
            pending: None,
            inv,
        }
    }

    /// The view the timeline shows: the preview while typing, else the top of the stack.
    pub fn view(&self) -> &View {
        match &self.preview {
            Some(v) => v,
            None => self.top(),
        }
    }

    /// The top of the stack (never empty: views[0] is kept).
    pub fn top(&self) -> &View {
        &self.views[self.views.len() - 1]
    }

    pub fn selected_row(&self) -> Option<u32> {
        self.view().rows.get(self.timeline.selected).copied()
    }

    pub fn filtering(&self) -> bool {
        self.pending.is_some()
    }

    /// Keeps the selection on the same event (or the next one) after the view changed.
    fn reselect(&mut self, row: Option<u32>) {
        let len = self.view().len();
        let idx = row.map_or(0, |r| self.view().position_of(r));
        self.timeline.select(idx, len);
    }
}

pub enum Phase {
    /// Nothing to show yet (tests that build the app before giving it data).
    Empty,
    Loading {
        progress: Arc<Progress>,
        inputs: Vec<String>,
        started: Instant,
    },
    Ready(Box<Session>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// Layout facts the last frame measured; drawing writes them, key handling reads them.
#[derive(Debug, Default)]
pub struct Viewport {
    /// Rows of the list or text that is scrolled.
    pub page: Cell<usize>,
    /// Largest scroll offset of the open help / load report / detail text.
    pub scroll_max: Cell<usize>,
    /// The rows area of the list on screen (for mouse clicks).
    pub list: Cell<Rect>,
}

/// A running export or copy, for the status bar.
#[derive(Debug, Clone)]
pub struct Busy {
    pub label: String,
    pub started: Instant,
}

pub struct App {
    pub env: Env,
    pub phase: Phase,
    pub tab: Tab,
    pub overlay: Option<Overlay>,
    pub message: Option<Message>,
    pub viewport: Viewport,
    pub busy: Vec<Busy>,
    pub tick: u64,
    jobs: Jobs,
    quit: bool,
    clear_screen: bool,
    terminal_out: Vec<Vec<u8>>,
}

/// Clipboard copies are refused above this many events (the Markdown would be too large).
pub const COPY_MAX_EVENTS: usize = 2000;

impl App {
    pub fn new(env: Env) -> App {
        App {
            env,
            phase: Phase::Empty,
            tab: Tab::Overview,
            overlay: None,
            message: None,
            viewport: Viewport::default(),
            busy: Vec::new(),
            tick: 0,
            jobs: Jobs::new(),
            quit: false,
            clear_screen: false,
            terminal_out: Vec::new(),
        }
    }

    /// An app showing an investigation that is already loaded.
    pub fn with_investigation(env: Env, inv: Investigation) -> App {
        let mut app = App::new(env);
        app.phase = Phase::Ready(Box::new(Session::new(Arc::new(inv))));
        app
    }

    /// Starts loading `paths` on a background thread; the UI runs meanwhile.
    pub fn start_loading(&mut self, paths: Vec<String>, mut opts: LoadOptions) {
        let progress = Arc::new(Progress::default());
        opts.progress = Some(Arc::clone(&progress));
        let inputs = paths.clone();
        let spawned = self.jobs.spawn(
            "load",
            move || JobResult::Loaded(Box::new(Investigation::load(&paths, &opts))),
            |e| JobResult::Loaded(Box::new(Err(crate::error::Error::Invalid(e)))),
        );
        self.phase = match spawned {
            Ok(()) => Phase::Loading {
                progress,
                inputs,
                started: Instant::now(),
            },
            Err(e) => Phase::Failed(format!("cannot start loading: {e}")),
        };
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.phase {
            Phase::Ready(s) => Some(s),
            _ => None,
        }
    }

    fn session_mut(&mut self) -> Option<&mut Session> {
        match &mut self.phase {
            Phase::Ready(s) => Some(s),
            _ => None,
        }
    }

    /// Whether anything runs in the background (the loop then redraws often for progress).
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Loading { .. })
            || !self.busy.is_empty()
            || self.session().is_some_and(Session::filtering)
    }

    /// Bytes for the terminal itself (OSC 52), which the run loop writes out.
    pub fn take_terminal_output(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.terminal_out)
    }

    /// Whether the screen should be cleared and fully redrawn (ctrl-l).
    pub fn take_clear_request(&mut self) -> bool {
        std::mem::take(&mut self.clear_screen)
    }

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// The key scopes of the current context, most specific first.
    pub fn scopes(&self) -> Vec<Scope> {
        match &self.overlay {
            Some(Overlay::Prompt(_)) => vec![Scope::Prompt, Scope::Any],
            Some(Overlay::ConfirmOverwrite { .. }) => vec![Scope::Confirm, Scope::Any],
            Some(Overlay::Help { .. }) => vec![Scope::Help, Scope::Any],
            Some(Overlay::LoadReport { .. }) => vec![Scope::LoadReport, Scope::Any],
            Some(Overlay::Detail(_)) => vec![Scope::Detail, Scope::Any],
            None => self.tab.scopes().to_vec(),
        }
    }

    /// A key press: bound keys become actions; in a prompt, other keys edit the text.
    pub fn handle_key(&mut self, ev: KeyEvent) {
        if ev.kind == KeyEventKind::Release {
            return;
        }
        let key = Key::from_event(&ev);
        if let Some(action) = self.env.keymap.resolve(&self.scopes(), key) {
            self.update(action);
            return;
        }
        let changed = match &mut self.overlay {
            Some(Overlay::Prompt(p)) => p.input.handle(&ev),
            _ => false,
        };
        if changed {
            self.prompt_changed();
        }
    }

    /// Types text into the open prompt, as if keyed in (tests and paste).
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.handle_key(KeyEvent::from(crossterm::event::KeyCode::Char(c)));
        }
    }

    pub fn handle_mouse(&mut self, ev: MouseEvent) {
        match ev.kind {
            MouseEventKind::ScrollDown => (0..3).for_each(|_| self.update(Action::Down)),
            MouseEventKind::ScrollUp => (0..3).for_each(|_| self.update(Action::Up)),
            MouseEventKind::Down(MouseButton::Left) => self.click(ev.column, ev.row),
            _ => {}
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        if y == 0 && self.overlay.is_none() {
            if let Some(tab) = super::draw::tab_at(x) {
                self.tab = tab;
            }
            return;
        }
        if self.overlay.is_some() {
            return;
        }
        let area = self.viewport.list.get();
        if y < area.y || y >= area.y + area.height || x < area.x || x >= area.x + area.width {
            return;
        }
        let tab = self.tab;
        let Some(s) = self.session_mut() else { return };
        let (nav, len) = match tab {
            Tab::Timeline => (
                &mut s.timeline,
                s.preview
                    .as_ref()
                    .unwrap_or(&s.views[s.views.len() - 1])
                    .len(),
            ),
            Tab::S3 => (&mut s.s3, s.inv.s3.buckets.len()),
            Tab::Principals => (&mut s.principals, s.inv.principals.len()),
            _ => return,
        };
        let idx = nav.offset.get() + (y - area.y) as usize;
        if idx >= len {
            return;
        }
        let again = nav.selected == idx;
        nav.select(idx, len);
        if again {
            let action = if tab == Tab::Timeline {
                Action::OpenDetail
            } else {
                Action::ShowInTimeline
            };
            self.update(action);
        }
    }

    /// Applies every finished background result; returns whether anything changed.
    pub fn poll_jobs(&mut self) -> bool {
        let mut any = false;
        while let Some(r) = self.jobs.try_recv() {
            self.apply_job(r);
            any = true;
        }
        any
    }

    /// Waits until no background work is left (or `timeout` passes); for tests and benches.
    pub fn wait_idle(&mut self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while self.is_busy() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if let Some(r) = self.jobs.recv_timeout(left.min(Duration::from_millis(50))) {
                self.apply_job(r);
            }
        }
        self.poll_jobs();
        true
    }

    pub fn apply_job(&mut self, r: JobResult) {
        match r {
            JobResult::Loaded(res) => match *res {
                Ok(inv) => {
                    let msg = format!(
                        "loaded {} events from {} file(s)",
                        text::thousands(inv.len()),
                        inv.report.files.iter().filter(|f| f.records > 0).count()
                    );
                    self.phase = Phase::Ready(Box::new(Session::new(Arc::new(inv))));
                    self.info(msg);
                }
                Err(e) => self.phase = Phase::Failed(e.to_string()),
            },
            JobResult::Filtered { generation, result } => self.filter_done(generation, result),
            JobResult::Exported(res) => {
                self.busy.retain(|b| !b.label.starts_with("export"));
                match res {
                    Ok(ExportDone {
                        path,
                        events,
                        bytes,
                    }) => self.info(format!(
                        "exported {} event(s) to {} ({})",
                        text::thousands(events),
                        path.display(),
                        text::bytes(bytes as i64)
                    )),
                    Err(e) => self.error(format!("export failed: {e}")),
                }
            }
            JobResult::Copied(res) => {
                self.busy.retain(|b| !b.label.starts_with("copy"));
                match res {
                    Ok(CopyDone { markdown, .. }) if markdown.len() > export::OSC52_MAX => self
                        .error(format!(
                            "too large for the clipboard ({}); export to a file with e",
                            text::bytes(markdown.len() as i64)
                        )),
                    Ok(CopyDone { markdown, events }) => {
                        self.terminal_out.push(export::osc52(&markdown));
                        self.info(format!(
                            "copied {} event(s) as Markdown (OSC 52: needs terminal support)",
                            text::thousands(events)
                        ));
                    }
                    Err(e) => self.error(format!("copy failed: {e}")),
                }
            }
        }
    }

    pub fn update(&mut self, action: Action) {
        if !matches!(action, Action::Tick | Action::Resize) && self.overlay.is_none() {
            // A new command replaces the last message.
            self.message = None;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Tick => self.tick = self.tick.wrapping_add(1),
            Action::Resize => {}
            Action::Redraw => self.clear_screen = true,
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::NextTab => self.tab = self.tab.step(1),
            Action::PrevTab => self.tab = self.tab.step(-1),
            Action::GotoOverview => self.tab = Tab::Overview,
            Action::GotoTimeline => self.tab = Tab::Timeline,
            Action::GotoS3 => self.tab = Tab::S3,
            Action::GotoPrincipals => self.tab = Tab::Principals,
            Action::GotoAnomalies => self.tab = Tab::Anomalies,
            Action::GotoFindings => self.tab = Tab::Findings,
            Action::GotoReport => self.tab = Tab::Report,
            Action::Up => self.scroll(-1),
            Action::Down => self.scroll(1),
            Action::PageUp => self.scroll(-(self.page() as isize)),
            Action::PageDown => self.scroll(self.page() as isize),
            Action::Top => self.scroll(isize::MIN / 2),
            Action::Bottom => self.scroll(isize::MAX / 2),
            Action::Filter => self.open_filter(),
            Action::PopFilter => self.pop_filter(),
            Action::JumpTime => self.open_prompt(PromptKind::JumpTime, "jump to time (UTC): ", ""),
            Action::OpenDetail => self.open_detail(),
            Action::Close => self.overlay = None,
            Action::NextEvent => self.step_detail(1),
            Action::PrevEvent => self.step_detail(-1),
            Action::ToggleMark => self.toggle_mark(),
            Action::MarkRange => self.mark_range(),
            Action::MarkAllInView => self.mark_all(),
            Action::ClearMarks => {
                if let Some(s) = self.session_mut() {
                    s.marks.clear();
                    self.info("marks cleared");
                }
            }
            Action::PivotPrincipal => self.pivot("user", |c| &c.principal),
            Action::PivotIp => self.pivot("ip", |c| &c.ip),
            Action::PivotBucket => self.pivot("bucket", |c| &c.bucket),
            Action::PivotEventName => self.pivot("name", |c| &c.name),
            Action::PivotAccessKey => self.pivot("akid", |c| &c.access_key),
            Action::ShowInTimeline => self.show_in_timeline(),
            Action::ShowLoadReport => {
                if self.session().is_some() {
                    self.overlay = Some(Overlay::LoadReport { scroll: 0 });
                }
            }
            Action::Export => self.open_export(),
            Action::CopyMarkdown => self.copy_markdown(),
            Action::Submit => self.submit_prompt(),
            Action::Cancel => self.cancel_prompt(),
            Action::Yes => {
                if let Some(Overlay::ConfirmOverwrite { path }) = self.overlay.take() {
                    self.start_export(path, true);
                }
            }
            Action::No => {
                if let Some(Overlay::ConfirmOverwrite { path }) = self.overlay.take() {
                    let label = self.export_label();
                    self.overlay = Some(Overlay::Prompt(Prompt {
                        kind: PromptKind::ExportPath,
                        input: TextInput::with_text(&path.display().to_string()),
                        label,
                        error: Some("not replaced: choose another file".to_owned()),
                    }));
                }
            }
        }
    }

    fn page(&self) -> usize {
        self.viewport.page.get().max(1)
    }

    /// Moves the selection or scrolls the open text by `delta`.
    fn scroll(&mut self, delta: isize) {
        let max = self.viewport.scroll_max.get();
        let step = |v: usize| (v as isize).saturating_add(delta).clamp(0, max as isize) as usize;
        match &mut self.overlay {
            Some(Overlay::Help { scroll }) | Some(Overlay::LoadReport { scroll }) => {
                *scroll = step(*scroll);
                return;
            }
            Some(Overlay::Detail(d)) => {
                d.scroll = step(d.scroll);
                return;
            }
            Some(_) => return,
            None => {}
        }
        let tab = self.tab;
        let Some(s) = self.session_mut() else { return };
        match tab {
            Tab::Timeline => {
                let len = s.view().len();
                s.timeline.move_by(delta, len);
            }
            Tab::S3 => {
                let len = s.inv.s3.buckets.len();
                s.s3.move_by(delta, len);
            }
            Tab::Principals => {
                let len = s.inv.principals.len();
                s.principals.move_by(delta, len);
            }
            _ => {}
        }
    }

    fn open_prompt(&mut self, kind: PromptKind, label: &str, text: &str) {
        if self.session().is_none() {
            self.info("still loading");
            return;
        }
        self.overlay = Some(Overlay::Prompt(Prompt {
            kind,
            input: TextInput::with_text(text),
            label: label.to_owned(),
            error: None,
        }));
    }

    fn submit_prompt(&mut self) {
        let Some(Overlay::Prompt(p)) = &self.overlay else {
            return;
        };
        let text = p.input.text().trim().to_owned();
        match p.kind {
            PromptKind::Filter => self.submit_filter_prompt(text),
            PromptKind::JumpTime => self.submit_jump(&text),
            PromptKind::ExportPath => self.submit_export_path(&text),
        }
    }

    fn cancel_prompt(&mut self) {
        if let Some(Overlay::Prompt(p)) = self.overlay.take()
            && p.kind == PromptKind::Filter
        {
            self.drop_pending();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_times() {
        let day = parse_jump("2020-09-14", None);
        assert_eq!(day, Some(1_600_041_600_000));
        assert_eq!(
            parse_jump("2020-09-14 00:40", None),
            Some(1_600_044_000_000)
        );
        assert_eq!(
            parse_jump("2020-09-14T00:40:12Z", None),
            Some(1_600_044_012_000)
        );
        assert_eq!(
            parse_jump("00:40:12", Some(1_600_041_601_000)),
            Some(1_600_044_012_000)
        );
        assert_eq!(parse_jump("00:40", None), None);
        assert_eq!(parse_jump("yesterday", None), None);
        assert_eq!(parse_jump("12345", None), None);
    }

    #[test]
    fn quoting_round_trips_through_the_query_language() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert!(
            crate::model::query::Query::parse(&format!(
                "user:{}",
                quote("arn:aws:iam::1:user/x (y)")
            ))
            .is_ok()
        );
    }

    #[test]
    fn tabs_cycle() {
        assert_eq!(Tab::Report.step(1), Tab::Overview);
        assert_eq!(Tab::Overview.step(-1), Tab::Report);
        assert_eq!(Tab::S3.number(), 3);
    }
}
