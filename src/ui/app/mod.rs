//! The investigator's state and its one entry point for change: `update(Action)`, which changes
//! state only and returns the side effects to run (saving the session, filters, the triage,
//! exports; see [`effects`]). Keys and mouse become actions here; the run loop runs the effects
//! through the job runner, and finished jobs come back as state through `apply_job`. Drawing
//! (draw.rs) only reads. The filter, export and navigation steps live in the submodules.
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::text::Line;
use strum::{EnumIter, IntoEnumIterator};

pub mod analysis_flow;
pub mod casework;
pub mod effects;
pub mod export_flow;
mod filter;
mod navigate;
pub mod playbook_items;
pub mod row_text;
pub mod search;
pub mod sort;
pub mod step;
pub mod tab_state;

pub use effects::Effect;
pub use navigate::parse_jump;

use super::action::Action;
use super::jobs::{JobKind, Jobs};
use super::keymap::{Key, Keymap, Scope};
use super::loaded_log::LoadedLog;
use super::theme::Theme;
use super::view::{Marks, View};
use super::widgets::prompt::TextInput;
use super::widgets::table::ListNav;
use super::widgets::text;
use crate::ingest::{LoadOptions, Progress};
use crate::model::query::Field;
use export_flow::Output;
use step::Part;
use tab_state::{FindingsTab, PrincipalsTab, S3Tab, TimelineTab};

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
    Playbook,
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
            Tab::Playbook => "Playbook",
        }
    }

    /// The title on a narrow tab bar.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Principals => "Princ.",
            Tab::Anomalies => "Anom.",
            t => t.title(),
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

    /// The tab bar's labels: " 1 Overview " each when they fit in `total` columns, else tighter
    /// labels with short titles for the tabs that are not active.
    pub fn labels(total: u16, active: Tab) -> Vec<(Tab, String)> {
        let full: Vec<(Tab, String)> = Tab::iter()
            .map(|t| (t, format!(" {} {} ", t.number(), t.title())))
            .collect();
        if full.iter().map(|(_, l)| text::width(l)).sum::<usize>() <= total as usize {
            return full;
        }
        Tab::iter()
            .map(|t| {
                let title = if t == active {
                    t.title()
                } else {
                    t.short_title()
                };
                (t, format!(" {} {}", t.number(), title))
            })
            .collect()
    }

    /// The tab under column `x` of a tab bar `total` columns wide.
    pub fn at(x: u16, total: u16, active: Tab) -> Option<Tab> {
        let mut at = 0u16;
        for (tab, label) in Tab::labels(total, active) {
            let w = text::width(&label) as u16;
            if x >= at && x < at + w {
                return Some(tab);
            }
            at += w;
        }
        None
    }

    /// The tab's own key scope and whether it shows a list.
    fn scopes(self) -> &'static [Scope] {
        match self {
            Tab::Overview => &[Scope::Overview, Scope::Global, Scope::Any],
            Tab::Timeline => &[Scope::Timeline, Scope::Table, Scope::Global, Scope::Any],
            Tab::S3 => &[Scope::S3, Scope::Table, Scope::Global, Scope::Any],
            Tab::Principals => &[Scope::Principals, Scope::Table, Scope::Global, Scope::Any],
            Tab::Report => &[Scope::Report, Scope::Global, Scope::Any],
            Tab::Anomalies => &[Scope::Anomalies, Scope::Table, Scope::Global, Scope::Any],
            Tab::Findings => &[Scope::Findings, Scope::Table, Scope::Global, Scope::Any],
            Tab::Playbook => &[Scope::Playbook, Scope::Table, Scope::Global, Scope::Any],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    JumpTime,
    ExportPath,
    ReportPath,
    Search,
    /// An answer override or a note (the target is in the session).
    Note,
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
    Frequency(Box<search::Frequency>),
    /// The selected row of a table in full.
    Row(Box<row_text::RowText>),
    /// The export holds more than `EXPORT_ASK_EVENTS` events: go on?
    ConfirmLarge {
        events: usize,
    },
    /// The export or report target exists: replace it?
    ConfirmOverwrite {
        path: PathBuf,
        output: export_flow::Output,
    },
}

/// A filter submitted to the background runner whose result is still to come.
#[derive(Debug, Clone)]
struct PendingFilter {
    generation: u64,
    query: String,
    /// Push the result as a new view (Enter or a pivot) rather than preview it (typing).
    commit: bool,
    /// The event to select in the new view (else the one selected before).
    select: Option<u32>,
}

/// The analyst's workspace once the store is loaded: views, marks, each tab's state (see
/// [`tab_state`]), the analysis and the case.
pub struct Workspace {
    pub inv: Arc<LoadedLog>,
    /// The filter stack: `views[0]` holds all events.
    pub views: Vec<View>,
    /// The live result of the filter being typed.
    pub preview: Option<View>,
    pub marks: Marks,
    pub timeline: TimelineTab,
    pub s3: S3Tab,
    pub principals: PrincipalsTab,
    pub anomalies: ListNav,
    pub findings: FindingsTab,
    pub playbook: ListNav,
    /// The behaviour analysis, once its job is done.
    pub analysis: Option<Arc<crate::analysis::Analysis>>,
    pub analysis_error: Option<String>,
    /// The analysis tabs' charts, with the analysis.
    pub charts: Option<analysis_flow::ChartSet>,
    pub health: Option<Result<crate::playbook::health::Health, String>>,
    pub case: casework::Casework,
    note_target: Option<casework::NoteTarget>,
    generation: u64,
    pending: Option<PendingFilter>,
}

impl Workspace {
    pub fn new(inv: Arc<LoadedLog>) -> Workspace {
        let all = View::all(&inv);
        Workspace {
            marks: Marks::new(inv.len()),
            views: vec![all],
            preview: None,
            timeline: TimelineTab::default(),
            s3: S3Tab::default(),
            principals: PrincipalsTab::default(),
            anomalies: ListNav::default(),
            findings: FindingsTab::default(),
            playbook: ListNav::default(),
            analysis: None,
            analysis_error: None,
            charts: None,
            health: None,
            case: casework::Casework::new(),
            note_target: None,
            generation: 0,
            pending: None,
            inv,
        }
    }

    /// Findings at or above the level filter, in the analysis' order.
    pub fn visible_findings(&self) -> Vec<&crate::analysis::rules::findings::Finding> {
        self.analysis
            .as_ref()
            .map(|a| self.findings.visible(&a.findings))
            .unwrap_or_default()
    }

    /// The analysis' report for a principal.
    pub fn principal_report(&self, p: &str) -> Option<&crate::analysis::PrincipalReport> {
        self.analysis
            .as_ref()?
            .principals
            .iter()
            .find(|r| r.principal == p)
    }

    /// The bucket under the S3 tab's cursor (from the analysis' S3 summary).
    pub fn selected_bucket(&self) -> Option<String> {
        self.analysis
            .as_ref()?
            .s3
            .buckets
            .get(self.s3.buckets.selected)
            .map(|b| b.bucket.clone())
    }

    pub fn bucket_count(&self) -> usize {
        self.analysis.as_ref().map_or(0, |a| a.s3.buckets.len())
    }

    pub fn exposure_change_count(&self) -> usize {
        self.analysis
            .as_ref()
            .map_or(0, |a| a.s3.exposure_changes.len())
    }

    /// Principals as `analyze` and the report count them: the ranked groups, not counting the
    /// events without a principal.
    pub fn principal_count(&self) -> usize {
        let missing = crate::analysis::features::EntityKind::Principal.missing_name();
        self.analysis.as_ref().map_or(0, |a| {
            a.principals
                .iter()
                .filter(|p| p.principal != missing)
                .count()
        })
    }

    /// Orders the Principals tab by its sort (no rows until the analysis is done).
    fn sort_principals(&mut self) {
        let principals = self
            .analysis
            .as_ref()
            .map_or(&[][..], |a| &a.principals[..]);
        self.principals.reorder(principals);
    }

    /// The principal report under the Principals tab's cursor.
    pub fn selected_principal_report(&self) -> Option<&crate::analysis::PrincipalReport> {
        let i = self.principals.selected()?;
        self.analysis.as_ref()?.principals.get(i)
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
        self.row_at(self.timeline.nav.selected)
    }

    pub fn filtering(&self) -> bool {
        self.pending.is_some()
    }

    /// Keeps the selection on the same event (or the next one) after the view changed.
    fn reselect(&mut self, row: Option<u32>) {
        let len = self.view().len();
        let idx = row.map_or(0, |r| self.index_of(r));
        self.timeline.nav.select(idx, len);
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
    Ready(Box<Workspace>),
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
    /// The screen's width (the tab bar's labels depend on it).
    pub width: Cell<u16>,
    /// The timeline's column widths as last drawn (`<`/`>` start from them).
    pub columns: std::cell::RefCell<Vec<Option<u16>>>,
}

/// A running job (the analysis, an export, a copy, a report), for the status bar.
#[derive(Debug, Clone)]
pub struct Busy {
    pub kind: JobKind,
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
    /// The effects of the action being handled, which `update` returns.
    outbox: Vec<Effect>,
    quit: bool,
    clear_screen: bool,
    terminal_out: Vec<Vec<u8>>,
    /// Rules and defaults of the analysis (config file and `--rules`).
    pub analysis_options: crate::analysis::AnalysisOptions,
    /// Sessions beside the log (when writable) rather than under `$XDG_DATA_HOME` (config).
    pub sessions_beside: bool,
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
            outbox: Vec::new(),
            quit: false,
            clear_screen: false,
            terminal_out: Vec::new(),
            analysis_options: crate::analysis::AnalysisOptions::default(),
            sessions_beside: true,
        }
    }

    /// An app showing an investigation that is already loaded.
    pub fn with_investigation(env: Env, inv: LoadedLog) -> App {
        let mut app = App::new(env);
        app.phase = Phase::Ready(Box::new(Workspace::new(Arc::new(inv))));
        app.refresh_casework();
        let fx = app.take_effects();
        app.run_effects(fx);
        app
    }

    /// Starts loading `paths` on a background thread; the UI runs meanwhile.
    pub fn start_loading(&mut self, paths: Vec<String>, mut opts: LoadOptions) {
        let progress = Arc::new(Progress::default());
        opts.progress = Some(Arc::clone(&progress));
        let inputs = paths.clone();
        self.phase = Phase::Loading {
            progress,
            inputs,
            started: Instant::now(),
        };
        let load = effects::LoadRequest {
            paths,
            opts,
            sessions_beside: self.sessions_beside,
        };
        self.run_effects(vec![Effect::Load(Box::new(load))]);
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn workspace(&self) -> Option<&Workspace> {
        match &self.phase {
            Phase::Ready(s) => Some(s),
            _ => None,
        }
    }

    fn workspace_mut(&mut self) -> Option<&mut Workspace> {
        match &mut self.phase {
            Phase::Ready(s) => Some(s),
            _ => None,
        }
    }

    /// Whether anything runs in the background (the loop then redraws often for progress).
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Loading { .. })
            || !self.busy.is_empty()
            || self.jobs.any_busy()
            || self
                .workspace()
                .is_some_and(|s| s.filtering() || s.case.pending)
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
            Some(Overlay::ConfirmOverwrite { .. }) | Some(Overlay::ConfirmLarge { .. }) => {
                vec![Scope::Confirm, Scope::Any]
            }
            Some(Overlay::Help { .. }) => vec![Scope::Help, Scope::Any],
            Some(Overlay::LoadReport { .. }) => vec![Scope::LoadReport, Scope::Any],
            Some(Overlay::Frequency(_)) => vec![Scope::Frequency, Scope::Any],
            Some(Overlay::Row(_)) => vec![Scope::Row, Scope::Any],
            Some(Overlay::Detail(_)) => vec![Scope::Detail, Scope::Any],
            None => self.tab.scopes().to_vec(),
        }
    }

    /// A key press: bound keys become actions; in a prompt, other keys edit the text. Changes
    /// state only and returns the effects to run, like [`App::update`].
    #[must_use]
    pub fn on_key(&mut self, ev: KeyEvent) -> Vec<Effect> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let key = Key::from_event(&ev);
        if let Some(action) = self.env.keymap.resolve(&self.scopes(), key) {
            return self.update(action);
        }
        let changed = match &mut self.overlay {
            Some(Overlay::Prompt(p)) => p.input.handle(&ev),
            _ => false,
        };
        if changed {
            self.prompt_changed();
        }
        self.take_effects()
    }

    /// Text typed or pasted into the open prompt, as if keyed in; returns the effects to run.
    #[must_use]
    pub fn on_text(&mut self, s: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        for c in s.chars() {
            fx.extend(self.on_key(KeyEvent::from(crossterm::event::KeyCode::Char(c))));
        }
        fx
    }

    /// A mouse event: the wheel moves, a left click is [`Action::Click`].
    #[must_use]
    pub fn on_mouse(&mut self, ev: MouseEvent) -> Vec<Effect> {
        let (action, times) = match ev.kind {
            MouseEventKind::ScrollDown => (Action::Down, 3),
            MouseEventKind::ScrollUp => (Action::Up, 3),
            MouseEventKind::Down(MouseButton::Left) => (
                Action::Click {
                    x: ev.column,
                    y: ev.row,
                },
                1,
            ),
            _ => return Vec::new(),
        };
        (0..times).flat_map(|_| self.update(action)).collect()
    }

    /// [`App::on_key`] with its effects run (tests).
    pub fn handle_key(&mut self, ev: KeyEvent) {
        let fx = self.on_key(ev);
        self.run_effects(fx);
    }

    /// [`App::on_text`] with its effects run (tests).
    pub fn type_text(&mut self, s: &str) {
        let fx = self.on_text(s);
        self.run_effects(fx);
    }

    /// [`App::on_mouse`] with its effects run (tests).
    pub fn handle_mouse(&mut self, ev: MouseEvent) {
        let fx = self.on_mouse(ev);
        self.run_effects(fx);
    }

    fn click(&mut self, x: u16, y: u16) {
        if y == 0 && self.overlay.is_none() {
            let total = self.viewport.width.get();
            if let Some(tab) = Tab::at(x, total, self.tab) {
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
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let (nav, len) = match tab {
            Tab::Timeline => (
                &mut s.timeline.nav,
                s.preview
                    .as_ref()
                    .unwrap_or(&s.views[s.views.len() - 1])
                    .len(),
            ),
            Tab::S3 => {
                let n = s.bucket_count();
                (&mut s.s3.buckets, n)
            }
            Tab::Principals => {
                let n = s.principals.rows();
                (&mut s.principals.nav, n)
            }
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
            self.step(action);
        }
    }

    /// Applies every finished background result and runs what follows from them; returns
    /// whether anything changed.
    pub fn poll_jobs(&mut self) -> bool {
        let mut any = false;
        while let Some(done) = self.jobs.try_recv() {
            let fx = self.apply_job(done);
            self.run_effects(fx);
            any = true;
        }
        any
    }

    /// Waits until no background work is left (or `timeout` passes); for tests and benches.
    pub fn wait_idle(&mut self, timeout: Duration) -> bool {
        if !self.wait_while(Self::is_busy, timeout) {
            return false;
        }
        self.poll_jobs();
        true
    }

    /// Applies finished jobs as they come while `busy` holds (false when `timeout` passes first).
    fn wait_while(&mut self, busy: impl Fn(&Self) -> bool, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while busy(self) {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if let Some(done) = self.jobs.recv_timeout(left.min(Duration::from_millis(50))) {
                let fx = self.apply_job(done);
                self.run_effects(fx);
            }
        }
        true
    }

    /// Applies `action` to the state and returns the side effects it asks for; performs none
    /// itself (no file is written, no job started: see [`App::run_effects`], [`App::apply`]).
    #[must_use]
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.step(action);
        self.take_effects()
    }

    /// The state change of `action`; its effects go to the outbox.
    fn step(&mut self, action: Action) {
        if !action.is_internal() && self.overlay.is_none() {
            // A new command replaces the last message.
            self.message = None;
        }
        match action {
            Action::Quit => {
                // The final state is written before the process exits.
                self.save_case();
                self.effect(Effect::FlushSaves);
                self.quit = true;
            }
            Action::Tick => self.tick = self.tick.wrapping_add(1),
            Action::Resize => {}
            Action::Click { x, y } => self.click(x, y),
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
            Action::GotoPlaybook => self.tab = Tab::Playbook,
            Action::CycleSort => self.cycle_sort(),
            Action::CycleLevel => self.cycle_level(),
            Action::PinSuspect => self.pin_suspect(),
            Action::PinBucket => self.pin_bucket(),
            Action::PinWindow => self.pin_window(),
            Action::QuietFrom => self.quiet_from(),
            Action::PlaybookPart1 => self.select_part(Part::Prepare),
            Action::PlaybookPart2 => self.select_part(Part::Detect),
            Action::PlaybookPart3 => self.select_part(Part::Contain),
            Action::PlaybookPart4 => self.select_part(Part::Eradicate),
            Action::PlaybookPart4b => self.select_part(Part::Recover),
            Action::PlaybookPart5 => self.select_part(Part::PostIncident),
            Action::NextStep => self.next_step(),
            Action::ToggleStepDone => self.toggle_step_done(),
            Action::OpenItem => self.open_item(),
            Action::OverrideAnswer => self.open_note_prompt(true),
            Action::AddNote => self.open_note_prompt(false),
            Action::CycleSeverity => self.cycle_severity(),
            Action::WriteReport => self.open_report_prompt(),
            Action::Up => self.scroll(-1),
            Action::Down => self.scroll(1),
            Action::PageUp => self.scroll(-(self.page() as isize)),
            Action::PageDown => self.scroll(self.page() as isize),
            Action::Top => self.scroll(isize::MIN / 2),
            Action::Bottom => self.scroll(isize::MAX / 2),
            Action::Filter => self.open_filter(),
            Action::Search => self.open_search(),
            Action::SearchNext => self.search_step(1, 0),
            Action::SearchPrev => self.search_step(-1, 0),
            Action::NextColumn => self.move_column(1),
            Action::PrevColumn => self.move_column(-1),
            Action::HideColumn => self.hide_column(),
            Action::ShowColumns => self.show_columns(),
            Action::SortColumn => self.sort_column(),
            Action::ShowRow => self.open_row_text(),
            Action::SwitchList => self.switch_s3_list(),
            Action::NarrowerColumn => self.resize_column(false),
            Action::WiderColumn => self.resize_column(true),
            Action::Frequency => self.open_frequency(),
            Action::Narrow => self.narrow_from_frequency(),
            Action::PopFilter => self.pop_filter(),
            Action::JumpTime => self.open_prompt(PromptKind::JumpTime, "jump to time (UTC): ", ""),
            Action::OpenDetail => self.open_detail(),
            Action::Close => {
                if self.overlay.is_none()
                    && let Some(s) = self.workspace_mut()
                {
                    s.principals.drill = false;
                }
                self.overlay = None;
            }
            Action::NextEvent => self.step_detail(1),
            Action::PrevEvent => self.step_detail(-1),
            Action::ToggleMark => {
                self.toggle_mark();
                self.save_case();
            }
            Action::MarkRange => {
                self.mark_range();
                self.save_case();
            }
            Action::MarkAllInView => {
                self.mark_all();
                self.save_case();
            }
            Action::ClearMarks => {
                if let Some(s) = self.workspace_mut() {
                    s.marks.clear();
                    self.info("marks cleared");
                    self.save_case();
                }
            }
            Action::PivotPrincipal => self.pivot(Field::User, |c| &c.principal),
            Action::PivotIp => self.pivot(Field::Ip, |c| &c.ip),
            Action::PivotBucket => self.pivot(Field::Bucket, |c| &c.bucket),
            Action::PivotEventName => self.pivot(Field::Name, |c| &c.name),
            Action::PivotAccessKey => self.pivot(Field::Akid, |c| &c.access_key),
            Action::ShowInTimeline => {
                if !self.analysis_pivot() {
                    self.show_in_timeline();
                }
            }
            Action::ShowLoadReport => {
                if self.workspace().is_some() {
                    self.overlay = Some(Overlay::LoadReport { scroll: 0 });
                }
            }
            Action::Export => self.open_export(),
            Action::CopyMarkdown => self.copy_markdown(),
            Action::Submit => self.submit_prompt(),
            Action::Cancel => self.cancel_prompt(),
            Action::Yes if matches!(self.overlay, Some(Overlay::ConfirmLarge { .. })) => {
                self.overlay = None;
                self.open_export_path();
            }
            Action::No if matches!(self.overlay, Some(Overlay::ConfirmLarge { .. })) => {
                self.overlay = None;
                self.info("export cancelled: mark events or filter the view first");
            }
            Action::Yes => {
                if let Some(Overlay::ConfirmOverwrite { path, output }) = self.overlay.take() {
                    self.start_output(output, path, true);
                }
            }
            Action::No => {
                if let Some(Overlay::ConfirmOverwrite { path, output }) = self.overlay.take() {
                    let (kind, label) = match output {
                        Output::Report => (
                            PromptKind::ReportPath,
                            "write the incident report to: ".to_owned(),
                        ),
                        Output::Export => (PromptKind::ExportPath, self.export_label()),
                    };
                    self.overlay = Some(Overlay::Prompt(Prompt {
                        kind,
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
            Some(Overlay::Row(r)) => {
                r.scroll = step(r.scroll);
                return;
            }
            Some(Overlay::Detail(d)) => {
                d.scroll = step(d.scroll);
                return;
            }
            Some(Overlay::Frequency(f)) => {
                let len = f.values.len();
                f.nav.move_by(delta, len);
                return;
            }
            Some(_) => return,
            None => {}
        }
        let tab = self.tab;
        let Some(s) = self.workspace_mut() else {
            return;
        };
        match tab {
            Tab::Timeline => {
                let len = s.view().len();
                s.timeline.nav.move_by(delta, len);
            }
            Tab::S3 if s.s3.changes_focus => {
                let len = s.exposure_change_count();
                s.s3.changes.move_by(delta, len);
            }
            Tab::S3 => {
                let len = s.bucket_count();
                s.s3.buckets.move_by(delta, len);
            }
            Tab::Principals => {
                let len = s.principals.rows();
                s.principals.nav.move_by(delta, len);
            }
            Tab::Anomalies => {
                let len = s.analysis.as_ref().map_or(0, |a| a.principals.len());
                s.anomalies.move_by(delta, len);
            }
            Tab::Findings => {
                let len = s.visible_findings().len();
                s.findings.nav.move_by(delta, len);
            }
            Tab::Playbook => {
                let len = playbook_items::item_count(s);
                s.playbook.move_by(delta, len);
            }
            _ => {}
        }
    }

    fn open_prompt(&mut self, kind: PromptKind, label: &str, text: &str) {
        if self.workspace().is_none() {
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
            PromptKind::ReportPath => self.submit_report_path(&text),
            PromptKind::Search => self.submit_search(&text),
            PromptKind::Note => self.submit_note(&text),
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
    fn tabs_cycle() {
        assert_eq!(Tab::Playbook.step(1), Tab::Overview);
        assert_eq!(Tab::Overview.step(-1), Tab::Playbook);
        assert_eq!(Tab::S3.number(), 3);
    }
}
