//! `update(Action)` changes state only and returns effects; the run loop runs them through the job
//! runner, which coalesces session writes and triage runs. These tests count the jobs that ran
//! and read the session file, on the small TUI fixture.
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::Event;

use cttui::ingest::LoadOptions;
use cttui::playbook::session::{self, Loaded};
use cttui::ui::action::Action;
use cttui::ui::app::{App, Effect, Overlay, Tab};
use cttui::ui::jobs::JobKind;
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::run::{EventSource, ScriptedEvents, run_loop};
use cttui::ui::theme::Theme;
use cttui::ui::widgets::prompt::TextInput;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support::copy_dir;
use crate::support::tui::{env, key_of, run_scripted, settle};

/// The fixture copied to a temporary folder, opened with its session file beside it (none yet).
fn opened() -> (tempfile::TempDir, App, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    copy_dir(Path::new("tests/fixtures/tui"), &logs);
    let inputs = vec![logs.display().to_string()];
    let path = session::session_path(&inputs);
    let inv = LoadedLog::load(&inputs, &LoadOptions::default()).expect("fixture loads");
    let mut app = App::with_investigation(env(Theme::colored()), inv);
    app.attach_session_file(path.clone());
    settle(&mut app);
    assert!(!path.exists(), "an untouched session leaves no file");
    (dir, app, path)
}

fn saved(path: &Path) -> session::Session {
    match session::load(path) {
        Loaded::Restored(s) => s,
        Loaded::Fresh => panic!("no session file at {}", path.display()),
        Loaded::Corrupt { error, .. } => panic!("corrupt session file: {error}"),
    }
}

fn marked_rows(app: &App) -> Vec<u32> {
    app.workspace().expect("ready").marks.rows()
}

fn kinds(effects: &[Effect]) -> Vec<Option<JobKind>> {
    effects.iter().map(Effect::kind).collect()
}

#[test]
fn update_performs_no_io_and_returns_the_save_it_asks_for() {
    let (_dir, mut app, path) = opened();
    app.apply(Action::GotoTimeline);
    let effects = app.update(Action::ToggleMark);
    assert_eq!(kinds(&effects), vec![Some(JobKind::SaveSession)]);
    assert_eq!(marked_rows(&app).len(), 1, "the state changed at once");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!path.exists(), "nothing is written until the effect runs");
    assert_eq!(app.job_runs(JobKind::SaveSession), 0);

    // A pin asks for a save and a triage run; none starts inside update.
    let triage_runs = app.job_runs(JobKind::Triage);
    let effects = app.update(Action::PinSuspect);
    assert_eq!(
        kinds(&effects),
        vec![Some(JobKind::SaveSession), Some(JobKind::Triage)]
    );
    assert!(!path.exists());
    assert_eq!(app.job_runs(JobKind::Triage), triage_runs);

    app.run_effects(effects);
    assert!(app.flush(), "the save finishes");
    let s = saved(&path);
    assert_eq!(s.marks.len(), 1);
    assert!(s.pins.suspect.is_some(), "the pin is saved with the mark");
}

#[test]
fn ten_marks_in_a_row_write_the_session_at_most_twice_and_quit_writes_the_last_state() {
    let (_dir, mut app, path) = opened();
    app.apply(Action::GotoTimeline);
    assert_eq!(app.tab, Tab::Timeline);
    let (mark, down) = (key_of(&app, Action::ToggleMark), key_of(&app, Action::Down));
    let mut events = Vec::new();
    for _ in 0..10 {
        events.push(mark.clone());
        events.push(down.clone());
    }
    events.push(key_of(&app, Action::Quit));
    run_scripted(&mut app, events);
    // No settle: the loop waited for the write before it returned.
    let rows = marked_rows(&app);
    assert_eq!(rows.len(), 10);
    let s = saved(&path);
    let on_file: Vec<u32> = s.marks.iter().map(|m| m.row).collect();
    assert_eq!(on_file, rows, "the file holds the last state");
    let writes = app.job_runs(JobKind::SaveSession);
    assert!((1..=2).contains(&writes), "{writes} session writes");
}

#[test]
fn quit_writes_the_final_state_before_it_returns() {
    let (_dir, mut app, path) = opened();
    app.apply(Action::GotoTimeline);
    for _ in 0..3 {
        app.apply(Action::ToggleMark);
        app.apply(Action::Down);
    }
    app.apply(Action::PinWindow);
    app.apply(Action::Quit);
    // Read at once: quitting waited for the save still in flight.
    let s = saved(&path);
    assert_eq!(s.marks.len(), 3);
    assert!(s.pins.window.is_some(), "the last change is on file");
    let current = app.workspace().expect("ready").case.saved.clone();
    assert_eq!(s, current);
}

/// The triage answers as the Playbook shows them: id, status and text.
fn answers(app: &App) -> Vec<(String, String, String)> {
    let case = app
        .workspace()
        .and_then(|s| s.case.case())
        .expect("the triage is done");
    case.findings
        .answers
        .iter()
        .map(|a| (a.id.clone(), a.status.label().to_owned(), a.answer.clone()))
        .collect()
}

#[test]
fn pin_changes_in_a_row_start_at_most_two_triage_runs_and_show_the_last_pins() {
    let (_dir, mut app, _path) = opened();
    app.apply(Action::GotoTimeline);
    let runs_before = app.job_runs(JobKind::Triage);
    let (pin, down) = (key_of(&app, Action::PinSuspect), key_of(&app, Action::Down));
    // Six pins, three rows apart: alice, AppRole, ... (each a change of SUSPECT).
    let mut events = Vec::new();
    let mut downs = 0;
    for i in 0..6 {
        if i > 0 {
            for _ in 0..3 {
                events.push(down.clone());
                downs += 1;
            }
        }
        events.push(pin.clone());
    }
    events.push(key_of(&app, Action::Quit));
    run_scripted(&mut app, events);
    settle(&mut app);
    let runs = app.job_runs(JobKind::Triage) - runs_before;
    assert!((1..=2).contains(&runs), "{runs} triage runs for six pins");

    let s = app.workspace().expect("ready");
    let last = s.case.saved.pins.suspect.clone().expect("a suspect pinned");
    let shown = s
        .case
        .case()
        .expect("computed")
        .findings
        .pins
        .suspect
        .clone();
    assert_eq!(
        shown.as_deref(),
        Some(last.as_str()),
        "answers for the last pin"
    );

    // The same answers as an app that only ever pinned that principal.
    let (_dir2, mut fresh, _) = opened();
    fresh.apply(Action::GotoTimeline);
    for _ in 0..downs {
        fresh.apply(Action::Down);
    }
    fresh.apply(Action::PinSuspect);
    settle(&mut fresh);
    let fresh_pin = fresh
        .workspace()
        .and_then(|s| s.case.saved.pins.suspect.clone());
    assert_eq!(fresh_pin.as_deref(), Some(last.as_str()));
    assert_eq!(answers(&app), answers(&fresh));
}

/// Replaces the open prompt's text.
fn retype(app: &mut App, text: &str) {
    let Some(Overlay::Prompt(p)) = &mut app.overlay else {
        panic!("a prompt is open");
    };
    p.input = TextInput::with_text(text);
}

fn prompt_error(app: &App) -> Option<String> {
    match &app.overlay {
        Some(Overlay::Prompt(p)) => p.error.clone(),
        _ => None,
    }
}

#[test]
fn an_export_looks_at_its_target_and_writes_only_when_its_effects_run() {
    let (dir, mut app, _path) = opened();
    app.env.export_dir = dir.path().to_path_buf();
    app.apply(Action::GotoTimeline);
    app.apply(Action::ToggleMark);
    app.apply(Action::Export);
    // A directory: update does not even look; running its effect does, and refuses it.
    retype(&mut app, &dir.path().display().to_string());
    let effects = app.update(Action::Submit);
    assert!(
        matches!(effects[..], [Effect::ProbeTarget { .. }]),
        "{effects:?}"
    );
    assert_eq!(prompt_error(&app), None);
    app.run_effects(effects);
    let error = prompt_error(&app).expect("refused in the prompt");
    assert!(error.contains("is a directory"), "{error}");
    // A new file: the probe starts the export job; nothing is written before it runs.
    let target = dir.path().join("out.md");
    retype(&mut app, &target.display().to_string());
    let effects = app.update(Action::Submit);
    assert!(
        matches!(effects[..], [Effect::ProbeTarget { .. }]),
        "{effects:?}"
    );
    assert!(!target.exists(), "update wrote nothing");
    let exports = app.job_runs(JobKind::Export);
    app.run_effects(effects);
    settle(&mut app);
    assert_eq!(app.job_runs(JobKind::Export), exports + 1);
    let md = std::fs::read_to_string(&target).expect("exported");
    assert!(md.contains("ConsoleLogin"), "{md}");
}

/// Hands out its events, then raises the stop flag as a signal would.
struct ThenSignal<'a> {
    events: VecDeque<Event>,
    stop: &'a AtomicBool,
}

impl EventSource for ThenSignal<'_> {
    fn next(&mut self, _timeout: Duration) -> cttui::Result<Option<Event>> {
        let ev = self.events.pop_front();
        if ev.is_none() {
            self.stop.store(true, Ordering::Relaxed);
        }
        Ok(ev)
    }
}

#[test]
fn a_signal_ends_the_loop_after_the_last_state_is_written() {
    let (_dir, mut app, path) = opened();
    app.apply(Action::GotoTimeline);
    let (mark, down) = (key_of(&app, Action::ToggleMark), key_of(&app, Action::Down));
    let stop = AtomicBool::new(false);
    let mut source = ThenSignal {
        events: vec![mark.clone(), down, mark].into(),
        stop: &stop,
    };
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    let mut out = |_: &[u8]| Ok(());
    run_loop(&mut term, &mut app, &mut source, &mut out, &stop).expect("runs");
    assert!(!app.should_quit(), "stopped by the signal, not by quit");
    let s = saved(&path);
    assert_eq!(s.marks.len(), 2);
    assert_eq!(
        s.marks.iter().map(|m| m.row).collect::<Vec<_>>(),
        marked_rows(&app)
    );
}

#[test]
fn a_session_that_cannot_be_written_is_said_when_the_loop_ends() {
    let (dir, mut app, _path) = opened();
    // The session's folder would be a file: every write fails.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").expect("write");
    app.attach_session_file(blocker.join("session.json"));
    settle(&mut app);
    app.apply(Action::GotoTimeline);
    let events = vec![key_of(&app, Action::ToggleMark), key_of(&app, Action::Quit)];
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    let mut source = ScriptedEvents(events.into());
    let mut out = |_: &[u8]| Ok(());
    let stop = AtomicBool::new(false);
    let err = run_loop(&mut term, &mut app, &mut source, &mut out, &stop)
        .expect_err("the failed write is reported");
    assert!(err.to_string().contains("session not saved"), "{err}");
}
