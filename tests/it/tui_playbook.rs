//! The analysis and playbook tabs on the demo logs, rendered at 80x24 into TestBackend: the
//! analysis runs as a background job, the tabs show its ranking and findings, pins bind the
//! playbook's queries, answers can be overridden, and the session file round-trips.
use std::path::Path;

use cttui::ingest::LoadOptions;
use cttui::playbook::session::{self, Loaded, StepState};
use cttui::ui::action::Action;
use cttui::ui::app::{App, Env, Tab};
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::theme::Theme;

use crate::support::copy_dir;
use crate::support::tui::{env, render, screen, settle};

const DEMO: &str = "demo-logs";
/// The demo logs with the analysis done (no session file: nothing is written).
fn analysed() -> App {
    let inv = LoadedLog::load(&[DEMO.to_owned()], &LoadOptions::default()).expect("demo loads");
    let mut app = App::with_investigation(env(Theme::colored()), inv);
    app.start_analysis();
    settle(&mut app);
    app
}

fn snapshot(app: &App, name: &str) {
    insta::assert_snapshot!(name, render(app).backend());
}

#[test]
fn analysis_tabs() {
    let mut app = analysed();
    let a = app
        .workspace()
        .and_then(|s| s.analysis.clone())
        .expect("the analysis arrived");
    assert!(!a.principals.is_empty());
    app.apply(Action::GotoAnomalies);
    let top = a.principals[0].principal.clone();
    let short = cttui::ui::widgets::text::short_principal(&top);
    let text = screen(&app);
    assert!(
        text.contains(&short[..short.len().min(20)]),
        "rank 1 is listed:\n{text}"
    );
    snapshot(&app, "analysis_anomalies");
    // Enter pivots to the principal's events.
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);
    let s = app.workspace().expect("ready");
    assert!(!s.top().rows.is_empty());
    assert!(
        s.top()
            .rows
            .iter()
            .all(|&r| s.inv.cols.principal.get(r as usize) == Some(top.as_str()))
    );

    app.apply(Action::PopFilter);
    app.apply(Action::GotoFindings);
    snapshot(&app, "analysis_findings");
    let all = app.workspace().expect("ready").visible_findings().len();
    assert_eq!(all, a.findings.len());
    // The level filter narrows to High and above.
    for _ in 0..3 {
        app.apply(Action::CycleLevel);
    }
    let high = app.workspace().expect("ready").visible_findings().len();
    let expected = a
        .findings
        .iter()
        .filter(|f| f.level >= cttui::analysis::Level::High)
        .count();
    assert_eq!(high, expected);
    assert!(screen(&app).contains("High+"));
    app.apply(Action::CycleLevel);
    app.apply(Action::CycleLevel);
    // Enter opens the finding's rows.
    let first = a.findings[0].rows.clone();
    app.apply(Action::ShowInTimeline);
    let s = app.workspace().expect("ready");
    assert_eq!(*s.top().rows, first);

    app.apply(Action::GotoPrincipals);
    snapshot(&app, "analysis_principals");
    app.apply(Action::CycleSort);
    assert!(screen(&app).contains("by risk rank"));
    let s = app.workspace().expect("ready");
    let first = &s.analysis.as_ref().expect("analysed").principals[s.principals.order[0]].principal;
    assert_eq!(first, &top, "sorted by risk, rank 1 comes first");
    // Drill down, then the events.
    app.apply(Action::ShowInTimeline);
    let text = screen(&app);
    assert!(
        text.contains("Features") && text.contains("Reasons"),
        "{text}"
    );
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);

    app.apply(Action::GotoS3);
    snapshot(&app, "analysis_s3");
}

#[test]
fn playbook_views_and_pins() {
    let mut app = analysed();
    settle(&mut app);
    app.apply(Action::GotoPlaybook);
    assert_eq!(app.tab, Tab::Playbook);
    // Part 1: logging health.
    snapshot(&app, "playbook_health");
    assert!(screen(&app).contains("S3 data event(s)"));
    // Number keys pick parts inside the tab (tab 2 elsewhere).
    app.handle_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char('2'),
    ));
    assert_eq!(app.tab, Tab::Playbook);
    let text = screen(&app);
    assert!(text.contains("Q1") && text.contains("severity"), "{text}");
    snapshot(&app, "playbook_triage");
    // Part 3: queries; with no pins the suggestion from the analysis binds them.
    app.apply(Action::PlaybookPart3);
    snapshot(&app, "playbook_queries");
    assert!(screen(&app).contains("q9"));
    // Enter opens the first query's rows.
    let rows = {
        let s = app.workspace().expect("ready");
        let case = s.case.case().expect("computed");
        case.queries
            .iter()
            .find(|q| q.id == "q9")
            .expect("q9")
            .rows
            .clone()
    };
    // The first item is "ongoing?" (Q8); q9 follows.
    assert!(screen(&app).contains("ongoing?"));
    app.apply(Action::Down);
    app.apply(Action::OpenItem);
    assert_eq!(app.tab, Tab::Timeline);
    assert_eq!(*app.workspace().expect("ready").top().rows, rows);

    // Pinning a principal from the timeline rebinds SUSPECT.
    app.apply(Action::PopFilter);
    app.apply(Action::Bottom);
    let p = {
        let s = app.workspace().expect("ready");
        let row = s.selected_row().expect("a row");
        s.inv
            .cols
            .principal
            .get(row as usize)
            .expect("a principal")
            .to_owned()
    };
    app.apply(Action::PinSuspect);
    settle(&mut app);
    let s = app.workspace().expect("ready");
    assert_eq!(s.case.saved.pins.suspect.as_deref(), Some(p.as_str()));
    assert_eq!(
        s.case
            .case()
            .expect("computed")
            .findings
            .pins
            .suspect
            .as_deref(),
        Some(p.as_str())
    );
    assert!(
        screen(&app).contains("SUSPECT"),
        "the pin is in the status bar"
    );
    // q10 says what it needs.
    app.apply(Action::GotoPlaybook);
    let s = app.workspace().expect("ready");
    let q10 = s
        .case
        .case()
        .expect("computed")
        .queries
        .iter()
        .find(|q| q.id == "q10")
        .expect("q10");
    assert!(
        q10.unavailable
            .as_deref()
            .unwrap_or("")
            .contains("server access logs")
    );
}

#[test]
fn queries_missing_a_pin_say_which() {
    // No analysis: no suggestion, so SUSPECT and BUCKET stay empty.
    let inv = LoadedLog::load(&["tests/fixtures/tui".to_owned()], &LoadOptions::default())
        .expect("fixture loads");
    let mut app = App::with_investigation(env(Theme::colored()), inv);
    app.apply(Action::GotoPlaybook);
    app.apply(Action::PlaybookPart3);
    settle(&mut app);
    let s = app.workspace().expect("ready");
    let case = s.case.case().expect("computed");
    let q7 = case.queries.iter().find(|q| q.id == "q7").expect("q7");
    assert!(
        case.findings.pins.suspect.is_none(),
        "no analysis: no suspect suggested"
    );
    assert_eq!(q7.missing, vec!["suspect".to_owned()]);
    assert!(screen(&app).contains("pin SUSPECT first"));
}

#[test]
fn session_round_trips_and_a_corrupt_file_is_set_aside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    copy_dir(Path::new("tests/fixtures/tui"), &logs);
    let inputs = vec![logs.display().to_string()];
    let path = session::session_path(&inputs);
    let open = || {
        let inv = LoadedLog::load(&inputs, &LoadOptions::default()).expect("loads");
        let mut app = App::with_investigation(env(Theme::colored()), inv);
        app.attach_session_file(path.clone());
        settle(&mut app);
        app
    };
    let mut app = open();
    assert!(!path.exists(), "an untouched session leaves no file");
    app.apply(Action::GotoTimeline);
    app.apply(Action::ToggleMark);
    app.apply(Action::PinSuspect);
    app.apply(Action::GotoPlaybook);
    app.apply(Action::PlaybookPart2);
    app.apply(Action::ToggleStepDone);
    app.apply(Action::CycleSeverity);
    settle(&mut app);
    app.apply(Action::OverrideAnswer);
    app.type_text("only the analyst knows");
    app.apply(Action::Submit);
    settle(&mut app);
    app.apply(Action::AddNote);
    app.type_text("owner ok");
    app.apply(Action::Submit);
    app.apply(Action::GotoTimeline);
    app.apply(Action::QuietFrom);
    settle(&mut app);
    let quiet = app.workspace().and_then(|s| s.case.saved.quiet_from);
    assert!(quiet.is_some(), "Q starts the quiet-period check");
    let pinned = app
        .workspace()
        .and_then(|s| s.case.saved.pins.suspect.clone())
        .expect("pinned");
    app.apply(Action::Quit);
    let Loaded::Restored(saved) = session::load(&path) else {
        panic!("the session was saved");
    };
    assert_eq!(saved.pins.suspect.as_deref(), Some(pinned.as_str()));
    assert_eq!(saved.severity.as_deref(), Some("P1"));
    assert_eq!(saved.steps.get("detect"), Some(&StepState::Done));
    assert_eq!(saved.marks.len(), 1);
    assert_eq!(
        saved.answers.get("Q1").and_then(|a| a.answer.as_deref()),
        Some("only the analyst knows")
    );
    assert_eq!(saved.quiet_from, quiet, "the quiet-period start is saved");
    // Reopen: all of it is back, and the override is in the answer shown.
    let mut app = open();
    let s = app.workspace().expect("ready");
    assert_eq!(s.marks.count(), 1);
    assert_eq!(s.case.saved, saved);
    app.apply(Action::GotoPlaybook);
    app.apply(Action::PlaybookPart2);
    let text = screen(&app);
    assert!(text.contains("only the analyst knows"), "{text}");
    assert!(text.contains("note: owner ok"), "{text}");
    assert!(text.contains("set P1"), "{text}");
    // The quiet-period check is computed again from the saved start.
    settle(&mut app);
    let from = app
        .workspace()
        .and_then(|s| s.case.case())
        .and_then(|c| c.quiet.as_ref().map(|q| q.0));
    assert_eq!(from, quiet, "the quiet-period check is restored");
    drop(app);
    // A corrupt file is reported and set aside, not fatal.
    std::fs::write(&path, "{ not json").expect("write");
    let app = open();
    let msg = app.message.clone().expect("a message");
    assert!(msg.error && msg.text.contains("set aside"), "{msg:?}");
    assert!(!path.exists());
}

#[test]
fn r_writes_the_incident_report_and_asks_before_replacing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = LoadedLog::load(&["tests/fixtures/tui".to_owned()], &LoadOptions::default())
        .expect("fixture loads");
    let mut app = App::with_investigation(
        Env {
            export_dir: dir.path().to_path_buf(),
            ..env(Theme::colored())
        },
        inv,
    );
    settle(&mut app);
    app.apply(Action::WriteReport);
    let text = screen(&app);
    assert!(text.contains("cttui-report-20200913T122640Z.md"), "{text}");
    app.apply(Action::Submit);
    settle(&mut app);
    let path = dir.path().join("cttui-report-20200913T122640Z.md");
    let md = std::fs::read_to_string(&path).expect("the report was written");
    assert!(md.starts_with('#'), "{md}");
    // Again: the file exists, so it asks; "n" goes back to the path prompt.
    app.apply(Action::WriteReport);
    app.apply(Action::Submit);
    assert!(screen(&app).contains("Replace it? (y/n)"));
    app.apply(Action::No);
    assert!(screen(&app).contains("not replaced"));
    app.apply(Action::Submit);
    app.apply(Action::Yes);
    settle(&mut app);
    assert!(screen(&app).contains("report written"));
}

#[test]
fn quiet_period_check_counts_the_suspects_events_in_the_next_30_minutes() {
    let inv = LoadedLog::load(&["tests/fixtures/tui".to_owned()], &LoadOptions::default())
        .expect("fixture loads");
    let mut app = App::with_investigation(env(Theme::colored()), inv);
    settle(&mut app);
    app.apply(Action::GotoTimeline);
    app.apply(Action::PinSuspect);
    app.apply(Action::QuietFrom);
    assert_eq!(app.tab, Tab::Playbook);
    settle(&mut app);
    let s = app.workspace().expect("ready");
    let suspect = s.case.saved.pins.suspect.clone().expect("pinned");
    let t = s.inv.store.time_at(0).expect("a time");
    let expected: Vec<u32> = (0..s.inv.len() as u32)
        .filter(|&r| {
            s.inv.cols.principal.get(r as usize) == Some(suspect.as_str())
                && s.inv
                    .store
                    .time_at(r as usize)
                    .is_some_and(|x| x > t && x <= t + 30 * 60_000)
        })
        .collect();
    let (from, rows) = s
        .case
        .case()
        .and_then(|c| c.quiet.clone())
        .expect("the check ran");
    assert_eq!(from, t);
    assert_eq!(rows, expected);
    let text = screen(&app);
    assert!(text.contains("for 30 min after"), "{text}");
    snapshot(&app, "playbook_eradicate");
}
