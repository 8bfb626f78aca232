//! The playbook case in the app: pins, step states, answer overrides, notes and severity, kept in
//! the session file beside the logs (every change asks for a save, which runs off the UI thread
//! and coalesces; quitting waits for it), and the background job that answers the triage
//! questions and runs the 12 queries for the pins.
use std::path::PathBuf;
use std::sync::Arc;

use super::analysis_flow::standings;
use super::effects::{Effect, SaveRequest};
use super::playbook_items::{Open, items};
use super::step::{Part, StepKind};
use super::{App, Overlay, Prompt, PromptKind, Tab};
use crate::model::query::Query;
use crate::playbook::queries::{self, QueryResult};
use crate::playbook::report::{self, CaseFacts};
use crate::playbook::session::{self as saved, Loaded, StepState};
use crate::playbook::severity::Priority;
use crate::playbook::{Playbook, Standing};
use crate::ui::jobs::JobResult;
use crate::ui::loaded_log::LoadedLog;
use crate::ui::widgets::prompt::TextInput;
use crate::ui::widgets::text;

/// The minutes of silence the quiet-period check asks for (playbook part 4).
pub const QUIET_MINUTES: i64 = 30;

/// What the pins job computes: the report's findings (answers with overrides, severity, health,
/// persistence) and the 12 queries bound to the effective pins.
pub struct CaseResult {
    pub findings: CaseFacts,
    pub queries: Vec<QueryResult>,
    /// The quiet-period check: from when, and the suspect's events in the 30 minutes after.
    pub quiet: Option<(i64, Vec<u32>)>,
    /// The suspect's own persistence and tampering events (when a suspect is known).
    pub suspect_persistence: Option<Vec<u32>>,
}

/// The analyst's case for this investigation.
pub struct Casework {
    pub book: Option<Playbook>,
    /// The saved part: pins, marks, notes, answers, step states, severity.
    pub saved: saved::Session,
    /// Where it is saved; `None` keeps it in memory (tests, stdin input).
    pub path: Option<PathBuf>,
    /// The selected step (index into the playbook's steps).
    pub step: usize,
    /// The latest computed case, and the pins generation it answers.
    pub result: Option<Result<Arc<CaseResult>, String>>,
    pub generation: u64,
    pub pending: bool,
    /// What the file holds once the saves asked for are done (as last read or asked to be
    /// written), so unchanged sessions are not rewritten and a fresh, untouched one leaves no
    /// file behind.
    written: Option<saved::Session>,
    /// Numbers the save requests.
    saves: u64,
    /// Why the newest write failed (cleared when a newer one succeeds).
    unsaved: Option<String>,
}

impl Casework {
    pub fn new() -> Casework {
        Casework {
            book: Playbook::builtin().ok(),
            saved: saved::Session::new(),
            path: None,
            step: 0,
            result: None,
            generation: 0,
            pending: false,
            written: None,
            saves: 0,
            unsaved: None,
        }
    }

    pub fn step_id(&self) -> Option<&str> {
        self.book
            .as_ref()
            .and_then(|b| b.steps.get(self.step))
            .map(|s| s.id.as_str())
    }

    /// The selected step as one the app knows (`None` for a step it has no special items for).
    pub fn step_kind(&self) -> Option<StepKind> {
        self.step_id().and_then(StepKind::of)
    }

    pub fn step_state(&self, id: &str) -> StepState {
        self.saved.steps.get(id).copied().unwrap_or_default()
    }

    pub fn case(&self) -> Option<&CaseResult> {
        match &self.result {
            Some(Ok(c)) => Some(c),
            _ => None,
        }
    }
}

impl Default for Casework {
    fn default() -> Self {
        Casework::new()
    }
}

/// Which triage question an override or note prompt is for (`None`: a case note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteTarget {
    Answer(String),
    AnswerNote(String),
    CaseNote,
}

/// The triage for the pins as they were when asked for.
pub struct TriageRequest {
    pub generation: u64,
    pub inv: Arc<LoadedLog>,
    pub session: saved::Session,
    pub book: Option<Playbook>,
    pub standings: Vec<Standing>,
}

impl TriageRequest {
    pub(super) fn run(self) -> JobResult {
        JobResult::Cased(self.compute().map(Box::new).map_err(|e| e.to_string()))
    }

    fn compute(&self) -> crate::Result<CaseResult> {
        let inv = &self.inv;
        let findings = report::compute(&inv.store, &inv.report, &self.session, &self.standings)?;
        let mut qs = Vec::new();
        for spec in self.book.iter().flat_map(|b| b.queries.iter()) {
            qs.push(queries::run(&inv.store, spec, &findings.pins)?);
        }
        let quiet = match (self.session.quiet_from, findings.pins.suspect_filter()) {
            (Some(t), Some(f)) => {
                let end = t + QUIET_MINUTES * 60_000;
                let rows = Query::new(f)?
                    .rows(&inv.store, None)?
                    .into_iter()
                    .filter(|&r| {
                        inv.store
                            .time_at(r as usize)
                            .is_some_and(|x| x > t && x <= end)
                    })
                    .collect();
                Some((t, rows))
            }
            _ => None,
        };
        let suspect_persistence = match findings.pins.suspect_filter() {
            Some(sf) => Some(queries::in_window(
                &inv.store,
                Query::new(report::persistence_filter().and(sf))?.rows(&inv.store, None)?,
                findings.pins.window,
            )),
            None => None,
        };
        Ok(CaseResult {
            findings,
            queries: qs,
            quiet,
            suspect_persistence,
        })
    }
}

impl App {
    /// Reads and binds the session file at `path` now (tests; the app reads it with the logs).
    pub fn attach_session_file(&mut self, path: PathBuf) {
        let loaded = saved::load(&path);
        self.restore_session(path, loaded);
        let fx = self.take_effects();
        self.run_effects(fx);
    }

    /// Binds the session file at `path`: restores what it held, reports a corrupt one.
    pub(super) fn restore_session(&mut self, path: PathBuf, loaded: Loaded) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.case.path = Some(path);
        match loaded {
            Loaded::Fresh => {}
            Loaded::Restored(session) => {
                let rows = session.resolve_marks(&s.inv.store);
                for r in rows {
                    s.marks.set(r, true);
                }
                s.case.written = Some(session.clone());
                s.case.saved = session;
                let msg = "session restored";
                self.info(msg);
            }
            Loaded::Corrupt { error, moved_to } => {
                self.error(format!(
                    "session file unreadable ({}): set aside as {}; starting fresh",
                    text::fit(&error, 60),
                    moved_to.display()
                ));
            }
        }
        self.refresh_casework();
    }

    /// Asks for the session file to be written (when there is one and it changed). The write
    /// runs off the UI thread; a failure is shown, never fatal.
    pub(super) fn save_case(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let rows = s.marks.rows();
        let store = Arc::clone(&s.inv);
        s.case.saved.set_marks(&store.store, &rows);
        let Some(path) = s.case.path.clone() else {
            return;
        };
        let unchanged = match &s.case.written {
            Some(w) => *w == s.case.saved,
            None => s.case.saved == saved::Session::new(),
        };
        if unchanged {
            return;
        }
        s.case.saves += 1;
        s.case.written = Some(s.case.saved.clone());
        let r = SaveRequest {
            generation: s.case.saves,
            path,
            session: s.case.saved.clone(),
        };
        self.effect(Effect::SaveSession(Box::new(r)));
    }

    /// A session write is done. When the newest one failed, the file may not hold the state,
    /// so the next change writes again (an older failure is mended by the newer write).
    pub(super) fn save_done(&mut self, generation: u64, res: Result<(), String>) {
        if let Some(s) = self.workspace_mut()
            && generation == s.case.saves
        {
            s.case.unsaved = res.as_ref().err().cloned();
            if res.is_err() {
                s.case.written = None;
            }
        }
        if let Err(e) = res {
            self.error(e);
        }
    }

    /// Why the session's last state is not on file, when its newest write failed.
    pub fn unsaved_session(&self) -> Option<&str> {
        self.workspace()?.case.unsaved.as_deref()
    }

    /// Asks for the answers and queries for the current pins, in the background; a newer
    /// request replaces one not started yet, and results for older pins are dropped.
    pub(super) fn refresh_casework(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.case.generation += 1;
        s.case.pending = true;
        let r = TriageRequest {
            generation: s.case.generation,
            inv: Arc::clone(&s.inv),
            session: s.case.saved.clone(),
            book: s.case.book.clone(),
            standings: s.analysis.as_deref().map(standings).unwrap_or_default(),
        };
        self.effect(Effect::StartTriage(Box::new(r)));
    }

    pub(super) fn case_done(&mut self, generation: u64, result: Result<Box<CaseResult>, String>) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if generation != s.case.generation {
            return; // pins changed since: a newer run is coming
        }
        s.case.pending = false;
        s.case.result = Some(result.map(Arc::from));
    }

    pub(super) fn pin_suspect(&mut self) {
        let Some(p) = self.selected_principal() else {
            self.info("no principal here to pin");
            return;
        };
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let same = s.case.saved.pins.suspect.as_deref() == Some(p.as_str());
        s.case.saved.pins.suspect = (!same).then(|| p.clone());
        s.case.saved.pins.suspect_ip = None;
        self.changed(if same {
            "SUSPECT unpinned".to_owned()
        } else {
            format!("SUSPECT pinned: {}", text::short_principal(&p))
        });
    }

    pub(super) fn pin_bucket(&mut self) {
        let Some(s) = self.workspace() else { return };
        let bucket = match self.tab {
            Tab::S3 => s.selected_bucket(),
            Tab::Timeline => s
                .selected_row()
                .and_then(|r| s.inv.cols.bucket.get(r as usize).map(str::to_owned)),
            _ => None,
        };
        let Some(b) = bucket else {
            self.info("no bucket here to pin");
            return;
        };
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let same = s.case.saved.pins.bucket.as_deref() == Some(b.as_str());
        s.case.saved.pins.bucket = (!same).then(|| b.clone());
        self.changed(if same {
            "BUCKET unpinned".to_owned()
        } else {
            format!("BUCKET pinned: {b}")
        });
    }

    /// Pins the window of the marked events, else of the view; pressed on a pinned window, unpins.
    pub(super) fn pin_window(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if s.case.saved.pins.window.is_some() {
            s.case.saved.pins.window = None;
            self.changed("window unpinned".to_owned());
            return;
        }
        let store = &s.inv.store;
        let (first, last) = if s.marks.count() > 0 {
            (s.marks.first(), s.marks.last())
        } else {
            (s.top().rows.first().copied(), s.top().rows.last().copied())
        };
        let span = first
            .and_then(|f| store.time_at(f as usize))
            .zip(last.and_then(|l| store.time_at(l as usize)));
        let Some((a, b)) = span else {
            self.info("nothing to take a window from");
            return;
        };
        s.case.saved.pins.window = Some((a.min(b), a.max(b)));
        self.changed(format!(
            "window pinned: {} .. {}",
            text::time(a.min(b)),
            text::time(a.max(b))
        ));
    }

    pub(super) fn quiet_from(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let Some(t) = s
            .selected_row()
            .and_then(|r| s.inv.store.time_at(r as usize))
        else {
            return;
        };
        s.case.saved.quiet_from = Some(t);
        s.case.step = s
            .case
            .book
            .as_ref()
            .and_then(|b| {
                b.steps
                    .iter()
                    .position(|st| StepKind::of(&st.id) == Some(StepKind::Eradicate))
            })
            .unwrap_or(s.case.step);
        self.tab = Tab::Playbook;
        self.changed(format!("quiet-period check from {}", text::time(t)));
    }

    /// Saves, recomputes and says what changed.
    fn changed(&mut self, msg: String) {
        self.save_case();
        self.refresh_casework();
        self.info(msg);
    }

    pub(super) fn select_part(&mut self, part: Part) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if let Some(i) = s.case.book.as_ref().and_then(|b| {
            b.steps
                .iter()
                .position(|st| Part::of(&st.part) == Some(part))
        }) {
            s.case.step = i;
            s.playbook.select(0, usize::MAX);
        }
    }

    pub(super) fn next_step(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let n = s.case.book.as_ref().map_or(0, |b| b.steps.len());
        if n > 0 {
            s.case.step = (s.case.step + 1) % n;
            s.playbook.select(0, usize::MAX);
        }
    }

    pub(super) fn toggle_step_done(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let Some(id) = s.case.step_id().map(str::to_owned) else {
            return;
        };
        let next = match s.case.step_state(&id) {
            StepState::Todo => StepState::Done,
            StepState::Done => StepState::Todo,
        };
        s.case.saved.steps.insert(id.clone(), next);
        self.save_case();
        self.info(format!(
            "step {id}: {}",
            if next == StepState::Done {
                "done"
            } else {
                "to do"
            }
        ));
    }

    pub(super) fn cycle_severity(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        // Unset, P1 .. P4, then unset again (the suggestion applies).
        let next = match s.case.saved.severity.as_deref().map(Priority::parse) {
            None => Some(Priority::P1),
            Some(Some(Priority::P1)) => Some(Priority::P2),
            Some(Some(Priority::P2)) => Some(Priority::P3),
            Some(Some(Priority::P3)) => Some(Priority::P4),
            Some(_) => None,
        };
        s.case.saved.severity = next.map(|p| priority_code(p).to_owned());
        self.changed(format!(
            "severity: {}",
            next.map_or("auto (suggested)", priority_code)
        ));
    }

    /// The triage question under the cursor (the Detect step lists Q1..Q9 first).
    fn selected_question(&self) -> Option<String> {
        let s = self.workspace()?;
        if s.case.step_kind() != Some(StepKind::Detect) {
            return None;
        }
        let case = s.case.case()?;
        case.findings
            .answers
            .get(s.playbook.selected)
            .map(|a| a.id.clone())
    }

    pub(super) fn open_note_prompt(&mut self, override_answer: bool) {
        let q = self.selected_question();
        let (target, label, current) = match (q, override_answer) {
            (Some(id), true) => {
                let cur = self
                    .workspace()
                    .and_then(|s| s.case.saved.answers.get(&id))
                    .and_then(|o| o.answer.clone())
                    .unwrap_or_default();
                (
                    NoteTarget::Answer(id.clone()),
                    format!("{id} answer (empty: computed): "),
                    cur,
                )
            }
            (Some(id), false) => {
                let cur = self
                    .workspace()
                    .and_then(|s| s.case.saved.answers.get(&id))
                    .and_then(|o| o.note.clone())
                    .unwrap_or_default();
                (
                    NoteTarget::AnswerNote(id.clone()),
                    format!("{id} note: "),
                    cur,
                )
            }
            (None, true) => {
                self.info("select a triage question (part 2) to override its answer");
                return;
            }
            (None, false) => (
                NoteTarget::CaseNote,
                "case note: ".to_owned(),
                String::new(),
            ),
        };
        if let Some(s) = self.workspace_mut() {
            s.note_target = Some(target);
        }
        self.overlay = Some(Overlay::Prompt(Prompt {
            kind: PromptKind::Note,
            input: TextInput::with_text(&current),
            label,
            error: None,
        }));
    }

    pub(super) fn submit_note(&mut self, text: &str) {
        self.overlay = None;
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let Some(target) = s.note_target.take() else {
            return;
        };
        let value = (!text.is_empty()).then(|| text.to_owned());
        let msg = match target {
            NoteTarget::Answer(id) => {
                s.case.saved.answers.entry(id.clone()).or_default().answer = value;
                format!("{id}: answer saved")
            }
            NoteTarget::AnswerNote(id) => {
                s.case.saved.answers.entry(id.clone()).or_default().note = value;
                format!("{id}: note saved")
            }
            NoteTarget::CaseNote => match value {
                Some(v) => {
                    s.case.saved.notes.push(v);
                    "note added".to_owned()
                }
                None => return,
            },
        };
        self.changed(msg);
    }

    /// Enter on a playbook item: its evidence or query result as a timeline view.
    pub(super) fn open_item(&mut self) {
        let Some(s) = self.workspace() else { return };
        let open = items(s)
            .into_iter()
            .nth(s.playbook.selected)
            .and_then(|i| i.open);
        match open {
            // The playbook hands over query text (the triage's own builder made it); it goes
            // through the parser once, like the filter box.
            Some(Open::Query(q)) => match Query::parse(&q) {
                Ok(q) => self.open_evidence_query(q),
                Err(e) => self.error(format!("cannot open the evidence: {e}")),
            },
            Some(Open::Rows(label, rows)) => self.open_evidence_rows(label, rows),
            None => self.info("nothing to open here"),
        }
    }
}

/// How the session file and the status line name a priority: `P1` .. `P4`.
fn priority_code(p: Priority) -> &'static str {
    match p {
        Priority::P1 => "P1",
        Priority::P2 => "P2",
        Priority::P3 => "P3",
        Priority::P4 => "P4",
    }
}
