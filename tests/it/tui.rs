//! The investigator driven by actions on a small fixture, rendered into ratatui's TestBackend at
//! 80x24: snapshots of every tab, the help overlay, the detail view and the filter flow, plus
//! explicit checks of styles, sanitising, marks, pivots and the loading screen.
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use cttui::ingest::{LoadOptions, Progress};
use cttui::model::query::{Field, Filter, Query};
use cttui::ui::action::Action;
use cttui::ui::app::{App, Overlay, Phase, Tab};
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::support::tui::{env, render, render_at, screen, screen_text, settle};

const FIXTURE: &str = "tests/fixtures/tui";

fn investigation() -> LoadedLog {
    LoadedLog::load(&[FIXTURE.to_owned()], &LoadOptions::default()).expect("the fixture loads")
}

fn app() -> App {
    App::with_investigation(env(Theme::colored()), investigation())
}

/// The app with its behaviour analysis done (the S3 and Principals tabs read it).
fn analysed() -> App {
    let mut app = app();
    app.start_analysis();
    settle(&mut app);
    app
}

fn row_of(buf: &Buffer, needle: &str) -> Option<u16> {
    let text = screen_text(buf);
    text.lines()
        .position(|l| l.contains(needle))
        .map(|y| y as u16)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Selects the first event in the timeline whose row on screen contains `needle`.
fn select_containing(app: &mut App, needle: &str) {
    app.apply(Action::GotoTimeline);
    app.apply(Action::Top);
    for _ in 0..200 {
        let s = app.workspace().expect("loaded");
        let row = s.selected_row().expect("a selection") as usize;
        let inv = &s.inv;
        let line = format!(
            "{} {} {} {}",
            inv.cols.principal.get(row).unwrap_or(""),
            inv.cols.name.get(row).unwrap_or(""),
            inv.cols.bucket.get(row).unwrap_or(""),
            inv.cols.key.get(row).unwrap_or("")
        );
        if line.contains(needle) {
            return;
        }
        app.apply(Action::Down);
    }
    panic!("no event with {needle}");
}

/// No cell may hold a character that a terminal would act on.
fn assert_no_control_chars(buf: &Buffer) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            for c in buf[(x, y)].symbol().chars() {
                let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
                assert!(!c.is_control() && !bidi, "unsafe char {c:?} at {x},{y}");
            }
        }
    }
}

#[test]
fn overview_tab() {
    let app = app();
    let term = render(&app);
    insta::assert_snapshot!("overview", term.backend());
    let text = screen_text(term.backend().buffer());
    assert!(text.contains("32 events from 2 file(s); 1 duplicate(s) removed"));
    assert!(text.contains("1 bad record(s)"));
    assert!(
        !text.contains("No S3 data events"),
        "the fixture has S3 data events"
    );
}

#[test]
fn overview_warns_when_the_log_has_no_s3_data_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mgmt.json");
    std::fs::write(
        &path,
        r#"{"Records":[{"eventTime":"2020-09-14T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","eventID":"1"}]}"#,
    )
    .expect("write");
    let inv =
        LoadedLog::load(&[path.display().to_string()], &LoadOptions::default()).expect("loads");
    let mut app = App::with_investigation(env(Theme::colored()), inv);
    assert!(
        screen(&app).contains("No S3 data events: object-level access is invisible in this log")
    );
    app.start_analysis();
    settle(&mut app);
    app.apply(Action::GotoS3);
    assert!(screen(&app).contains("object-level access is invisible"));
}

#[test]
fn load_report_is_one_key_away() {
    let mut app = app();
    key(&mut app, KeyCode::Char('s'));
    assert!(matches!(app.overlay, Some(Overlay::LoadReport { .. })));
    let text = screen(&app);
    assert!(
        text.contains("more.jsonl:3"),
        "the bad line is named:\n{text}"
    );
    assert!(text.contains("1 duplicate(s) removed"));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn timeline_tab_and_styles() {
    let mut app = app();
    app.apply(Action::GotoTimeline);
    let term = render(&app);
    insta::assert_snapshot!("timeline", term.backend());
    let buf = term.backend().buffer();
    // The first row is selected: reversed across the width.
    let first = row_of(buf, "ConsoleLogin").expect("first event shown");
    assert!(buf[(5, first)].modifier.contains(Modifier::REVERSED));
    // Failed calls are red, others not.
    let denied = row_of(buf, "anonymous").expect("the failed anonymous read");
    assert_eq!(buf[(20, denied)].fg, Color::Red);
    // At 80 columns the error column is off screen: a '!' marks the failed call.
    assert_eq!(buf[(0, denied)].symbol(), "!");
    let ok = row_of(buf, "ListBuckets").expect("an ok row");
    assert_ne!(buf[(20, ok)].fg, Color::Red);
    assert!(!buf[(20, ok)].modifier.contains(Modifier::REVERSED));
    assert_eq!(buf[(0, ok)].symbol(), " ");
    // Wider, the error code has its own column.
    let wide = render_at(&app, 120, 30);
    let text = screen_text(wide.backend().buffer());
    assert!(text.contains("AccessDenied"));
}

#[test]
fn timeline_scrolls_and_jumps() {
    let mut app = app();
    app.apply(Action::GotoTimeline);
    app.apply(Action::Bottom);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.timeline.nav.selected, 31);
    let text = screen(&app);
    assert!(text.contains("11:00:00"), "the last event is on screen");
    app.apply(Action::PageUp);
    assert!(app.workspace().expect("loaded").timeline.nav.selected < 31);
    app.apply(Action::Top);
    assert_eq!(app.workspace().expect("loaded").timeline.nav.selected, 0);
    // Jump to a time.
    app.apply(Action::JumpTime);
    app.type_text("2020-09-14 22:41");
    app.apply(Action::Submit);
    let s = app.workspace().expect("loaded");
    let t = s
        .inv
        .store
        .time_at(s.selected_row().expect("selection") as usize);
    assert_eq!(
        t,
        Some(1_600_123_260_000),
        "first event at or after 22:41:00"
    );
    app.apply(Action::JumpTime);
    app.type_text("not a time");
    app.apply(Action::Submit);
    assert!(screen(&app).contains("expected a time"));
}

#[test]
fn other_tabs() {
    let mut app = app();
    for (action, name) in [
        (Action::GotoS3, "s3"),
        (Action::GotoPrincipals, "principals"),
        (Action::GotoAnomalies, "anomalies"),
        (Action::GotoFindings, "findings"),
        (Action::GotoReport, "report"),
    ] {
        app.apply(action);
        let term = render(&app);
        insta::assert_snapshot!(name, term.backend());
    }
    // Before the analysis job is done these tabs say so (the analysis tabs are tested with the
    // job's results in tests/tui_playbook.rs).
    app.apply(Action::GotoAnomalies);
    assert!(screen(&app).contains("Analysing behaviour"));
    app.apply(Action::GotoFindings);
    assert!(screen(&app).contains("Analysing behaviour"));
}

#[test]
fn tabs_cycle_and_jump() {
    let mut app = app();
    for (c, tab) in [
        ('2', Tab::Timeline),
        ('7', Tab::Report),
        ('1', Tab::Overview),
    ] {
        key(&mut app, KeyCode::Char(c));
        assert_eq!(app.tab, tab);
    }
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Timeline);
    app.handle_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(app.tab, Tab::Overview);
}

#[test]
fn s3_and_principals_lists_lead_to_the_timeline() {
    let mut app = analysed();
    app.apply(Action::GotoS3);
    let s3 = &app
        .workspace()
        .expect("loaded")
        .analysis
        .as_ref()
        .expect("analysed")
        .s3;
    let (first, expected) = (s3.buckets[0].bucket.clone(), s3.buckets[0].events);
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.views.len(), 2);
    assert_eq!(s.view().len(), expected);
    assert!(
        s.view()
            .rows
            .iter()
            .all(|&r| s.inv.cols.bucket.get(r as usize) == Some(first.as_str()))
    );
    app.apply(Action::PopFilter);
    app.apply(Action::GotoPrincipals);
    app.apply(Action::Down);
    // Enter drills down to the principal; enter again shows its events.
    app.apply(Action::ShowInTimeline);
    assert_eq!(app.tab, Tab::Principals);
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    let s = app.workspace().expect("loaded");
    let a = s.analysis.as_ref().expect("analysed");
    let p = &a.principals[s.principals.order[1]];
    assert_eq!(s.view().len() as u64, p.features.events);
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut app = app();
    key(&mut app, KeyCode::Char('?'));
    let term = render(&app);
    insta::assert_snapshot!("help", term.backend());
    // Scrolling through the help shows every binding's description.
    let mut seen = String::new();
    for _ in 0..80 {
        seen.push_str(&screen(&app));
        app.apply(Action::PageDown);
    }
    for b in app.env.keymap.bindings() {
        assert!(
            seen.contains(&b.description),
            "help lacks '{}'",
            b.description
        );
    }
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn detail_view_shows_the_raw_event_sanitised() {
    let mut app = app();
    select_containing(&mut app, "attacker-temp GetObject customer-pii");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Some(Overlay::Detail(_))));
    let term = render(&app);
    insta::assert_snapshot!("detail", term.backend());
    let buf = term.backend().buffer();
    assert_no_control_chars(buf);
    let text = screen_text(buf);
    assert!(
        text.contains("\\x1b[2J"),
        "escape sequences are shown, not run"
    );
    // The JSON scrolls to its end; all of it is sanitised.
    let mut all = String::new();
    for _ in 0..10 {
        let term = render(&app);
        assert_no_control_chars(term.backend().buffer());
        all.push_str(&screen_text(term.backend().buffer()));
        app.apply(Action::PageDown);
    }
    assert!(all.contains("\"eventCategory\": \"Data\""), "{all}");
    assert!(
        all.contains("\\u{202e}gnp.exe"),
        "bidi override shown escaped"
    );
    assert!(
        all.contains("\\u001b]0;pwned\\u0007"),
        "OSC sequence shown escaped"
    );
    // Next and previous event.
    let before = match &app.overlay {
        Some(Overlay::Detail(d)) => d.row,
        _ => panic!("detail"),
    };
    app.apply(Action::NextEvent);
    let after = match &app.overlay {
        Some(Overlay::Detail(d)) => d.row,
        _ => panic!("detail"),
    };
    assert_eq!(after, before + 1);
    app.apply(Action::Close);
    assert_eq!(app.workspace().expect("loaded").selected_row(), Some(after));
}

#[test]
fn every_screen_is_free_of_control_characters() {
    let mut app = app();
    select_containing(&mut app, "attacker-temp");
    for action in [
        Action::GotoOverview,
        Action::GotoTimeline,
        Action::GotoS3,
        Action::GotoPrincipals,
        Action::GotoAnomalies,
        Action::GotoFindings,
        Action::GotoReport,
    ] {
        app.apply(action);
        assert_no_control_chars(render(&app).backend().buffer());
        assert_no_control_chars(render_at(&app, 200, 50).backend().buffer());
    }
    app.apply(Action::GotoTimeline);
    app.apply(Action::OpenDetail);
    assert_no_control_chars(render_at(&app, 200, 50).backend().buffer());
}

#[test]
fn filter_flow() {
    let mut app = app();
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.tab, Tab::Timeline);
    app.type_text("name:GetObject");
    settle(&mut app);
    let term = render(&app);
    insta::assert_snapshot!("filter_typing", term.backend());
    let s = app.workspace().expect("loaded");
    assert_eq!(s.view().len(), 14, "live preview while typing");
    assert_eq!(s.views.len(), 1, "nothing committed yet");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(app.workspace().expect("loaded").views.len(), 2);
    // A second filter stacks on the first.
    key(&mut app, KeyCode::Char('f'));
    app.type_text("user:*attacker* nmae:x");
    settle(&mut app);
    let term = render(&app);
    insta::assert_snapshot!("filter_error", term.backend());
    assert!(screen(&app).contains("col 17: unknown field 'nmae'"));
    // Enter keeps the prompt open on an error.
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Some(Overlay::Prompt(_))));
    for _ in 0..7 {
        key(&mut app, KeyCode::Backspace);
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let term = render(&app);
    insta::assert_snapshot!("filter_stacked", term.backend());
    let s = app.workspace().expect("loaded");
    assert_eq!(s.views.len(), 3);
    assert_eq!(s.view().len(), 6);
    // The stacked view equals the combined query run headless.
    let combined = cttui::ui::view::combined_query(&s.views).expect("a filter");
    let headless = cttui::model::query::Query::parse(&combined)
        .expect("parses")
        .rows(&s.inv.store, None)
        .expect("runs");
    assert_eq!(*s.view().rows, headless);
    // Esc pops one filter at a time, keeping the selected event.
    let sel = s.selected_row();
    key(&mut app, KeyCode::Esc);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.views.len(), 2);
    assert_eq!(s.selected_row(), sel);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.workspace().expect("loaded").views.len(), 1);
    // Esc in the prompt cancels the preview.
    key(&mut app, KeyCode::Char('f'));
    app.type_text("name:ListBuckets");
    settle(&mut app);
    assert_eq!(app.workspace().expect("loaded").view().len(), 2);
    key(&mut app, KeyCode::Esc);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.view().len(), 32);
    assert!(s.preview.is_none());
}

#[test]
fn latest_filter_input_wins() {
    let mut app = app();
    key(&mut app, KeyCode::Char('f'));
    // Each keystroke submits; only the last result may show.
    app.type_text("name:GetObject");
    for _ in 0.."GetObject".len() {
        key(&mut app, KeyCode::Backspace);
    }
    app.type_text("ListBuckets");
    settle(&mut app);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.view().query.as_deref(), Some("name:ListBuckets"));
    assert_eq!(s.view().len(), 2);
}

#[test]
fn pivots_on_the_selected_event() {
    let mut app = app();
    select_containing(&mut app, "attacker-temp");
    for (c, field) in [('u', "user:"), ('i', "ip:"), ('c', "name:"), ('a', "akid:")] {
        key(&mut app, KeyCode::Char(c));
        settle(&mut app);
        let s = app.workspace().expect("loaded");
        let q = s.top().query.clone().expect("a filter");
        assert!(q.starts_with(field), "{q}");
        assert!(!s.view().is_empty());
        key(&mut app, KeyCode::Esc);
    }
    key(&mut app, KeyCode::Char('u'));
    settle(&mut app);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.view().len(), 13, "all of the attacker's events");
    // The pivot is a typed filter: the breadcrumb is its Display, which the filter box reads back.
    let built = Filter::is(Field::User, "arn:aws:iam::111122223333:user/attacker-temp").to_string();
    assert!(screen(&app).contains(&built), "{built}");
    assert_eq!(
        Query::parse(&built).expect("parses").filter(),
        &Filter::is(Field::User, "arn:aws:iam::111122223333:user/attacker-temp")
    );
    // An event without a bucket cannot pivot on one.
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Char('b'));
    assert!(screen(&app).contains("this event has no bucket"));
}

#[test]
fn marks() {
    let mut app = app();
    app.apply(Action::GotoTimeline);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    let s = app.workspace().expect("loaded");
    assert_eq!(s.marks.count(), 2);
    assert_eq!(s.timeline.nav.selected, 2, "marking moves on");
    let text = screen(&app);
    assert!(text.contains("2 marked"));
    // A range from the last mark to here.
    app.apply(Action::Down);
    app.apply(Action::Down);
    key(&mut app, KeyCode::Char('V'));
    assert_eq!(app.workspace().expect("loaded").marks.count(), 5);
    key(&mut app, KeyCode::Char('A'));
    assert_eq!(app.workspace().expect("loaded").marks.count(), 32);
    key(&mut app, KeyCode::Char('C'));
    assert_eq!(app.workspace().expect("loaded").marks.count(), 0);
    assert!(!screen(&app).contains("marked "));
}

#[test]
fn no_color_keeps_selection_visible() {
    let mut app = App::with_investigation(env(Theme::monochrome()), investigation());
    app.apply(Action::GotoTimeline);
    for action in [
        Action::GotoTimeline,
        Action::GotoOverview,
        Action::GotoS3,
        Action::Help,
    ] {
        app.apply(action);
        let term = render(&app);
        let buf = term.backend().buffer();
        for cell in buf.content() {
            assert_eq!(cell.fg, Color::Reset, "no foreground colour");
            assert_eq!(cell.bg, Color::Reset, "no background colour");
        }
        app.apply(Action::Close);
    }
    app.apply(Action::GotoTimeline);
    let term = render(&app);
    let buf = term.backend().buffer();
    let first = row_of(buf, "ConsoleLogin").expect("first event");
    assert!(buf[(5, first)].modifier.contains(Modifier::REVERSED));
    let tab = row_of(buf, "2 Timeline").expect("tab bar");
    assert!(
        buf[(14, tab)].modifier.contains(Modifier::REVERSED),
        "the active tab"
    );
    assert!(
        !buf[(4, tab)].modifier.contains(Modifier::REVERSED),
        "an inactive tab"
    );
}

#[test]
fn loading_screen_and_quit_during_load() {
    let mut app = App::new(env(Theme::colored()));
    let progress = Arc::new(Progress::default());
    progress.start(4, 4 << 20);
    progress.file_done(1 << 20);
    app.phase = Phase::Loading {
        progress,
        inputs: vec!["logs/a.json.gz".to_owned(), "logs/b.json.gz".to_owned()],
        started: Instant::now(),
    };
    let term = render(&app);
    insta::assert_snapshot!("loading", term.backend());
    assert!(screen(&app).contains("25%"));
    key(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit());
}

#[test]
fn real_loading_arrives_in_the_background() {
    let mut app = App::new(env(Theme::colored()));
    app.start_loading(vec![FIXTURE.to_owned()], LoadOptions::default());
    assert!(app.is_busy());
    settle(&mut app);
    assert_eq!(app.workspace().expect("loaded").inv.len(), 32);
    assert!(screen(&app).contains("loaded 32 events"));
    // A path that holds nothing shows the reason and still quits.
    let mut bad = App::new(env(Theme::colored()));
    bad.start_loading(
        vec!["tests/fixtures/tui/none-such".to_owned()],
        LoadOptions::default(),
    );
    settle(&mut bad);
    assert!(matches!(bad.phase, Phase::Failed(_)));
    assert!(screen(&bad).contains("Nothing could be shown"));
    key(&mut bad, KeyCode::Char('q'));
    assert!(bad.should_quit());
}

#[test]
fn mouse_clicks_tabs_and_scrolls() {
    let mut app = app();
    render(&app);
    let click = |x, y| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    app.handle_mouse(click(13, 0));
    assert_eq!(app.tab, Tab::Timeline);
    render(&app);
    app.handle_mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.workspace().expect("loaded").timeline.nav.selected, 3);
    // Clicking a row selects it; clicking it again opens it.
    let term = render(&app);
    let y = row_of(term.backend().buffer(), "DescribeIn").expect("row on screen");
    app.handle_mouse(click(30, y));
    assert_eq!(app.workspace().expect("loaded").timeline.nav.selected, 1);
    app.handle_mouse(click(30, y));
    assert!(matches!(app.overlay, Some(Overlay::Detail(_))));
}

#[test]
fn redraws_at_any_size() {
    let mut app = app();
    for tab in [
        Action::GotoOverview,
        Action::GotoTimeline,
        Action::GotoS3,
        Action::GotoPrincipals,
        Action::GotoReport,
    ] {
        app.apply(tab);
        for (w, h) in [(80, 24), (120, 40), (40, 12), (20, 4), (10, 2), (250, 70)] {
            let term = render_at(&app, w, h);
            let buf = term.backend().buffer();
            assert_eq!((buf.area.width, buf.area.height), (w, h));
            assert_no_control_chars(buf);
        }
    }
    app.apply(Action::Help);
    assert_no_control_chars(render_at(&app, 30, 8).backend().buffer());
}

#[test]
fn run_loop_draws_and_quits_on_scripted_keys() {
    use crossterm::event::Event;
    use cttui::ui::run::{ScriptedEvents, run_loop};
    use std::sync::atomic::AtomicBool;
    let mut app = app();
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let events = [
        KeyCode::Char('2'),
        KeyCode::Char('j'),
        KeyCode::Char(' '),
        KeyCode::Char('q'),
    ]
    .into_iter()
    .map(|c| Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
    .collect();
    let mut source = ScriptedEvents(events);
    let mut out = |_: &[u8]| Ok(());
    let stop = AtomicBool::new(false);
    run_loop(&mut term, &mut app, &mut source, &mut out, &stop).expect("runs");
    assert!(app.should_quit());
    assert_eq!(app.workspace().expect("loaded").marks.count(), 1);
    assert!(screen_text(term.backend().buffer()).contains("1 marked"));
}

#[test]
fn stacked_filters_agree_with_one_combined_query() {
    use cttui::model::query::Query;
    use cttui::ui::jobs::run_filter;
    let inv = investigation();
    // A one-event parent filters within its rows; a large one intersects a whole-store run.
    for parent_q in ["user:anonymous", "region:us-east-1"] {
        let parent = run_filter(&inv, parent_q, None).expect("parent");
        let child = run_filter(&inv, "error:*", Some(&parent.rows)).expect("child");
        let combined = Query::parse(&format!("({parent_q}) AND (error:*)"))
            .expect("parses")
            .rows(&inv.store, None)
            .expect("runs");
        assert_eq!(*child.rows, combined, "{parent_q}");
        assert!(!combined.is_empty());
    }
}

#[test]
fn search_moves_between_matches_and_keeps_the_view() {
    let mut app = app();
    app.apply(Action::GotoTimeline);
    key(&mut app, KeyCode::Char('/'));
    app.type_text("ATTACKER-temp");
    app.apply(Action::Submit);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.views.len(), 1, "search does not filter");
    let matches: Vec<usize> = (0..s.view().len())
        .filter(|&i| {
            let r = s.view().rows[i] as usize;
            s.inv
                .cols
                .principal
                .get(r)
                .is_some_and(|p| p.contains("attacker-temp"))
        })
        .collect();
    assert!(matches.len() > 2);
    assert_eq!(s.timeline.nav.selected, matches[0]);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        app.workspace().expect("loaded").timeline.nav.selected,
        matches[1]
    );
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        app.workspace().expect("loaded").timeline.nav.selected,
        matches[2]
    );
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(
        app.workspace().expect("loaded").timeline.nav.selected,
        matches[1]
    );
    // The match is highlighted in the row.
    let term = render(&app);
    let buf = term.backend().buffer();
    let y = row_of(buf, "attacker-t").expect("a matching row on screen");
    let x = (0..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == "a" && buf[(x + 1, y)].symbol() == "t")
        .expect("the match");
    assert_eq!(buf[(x, y)].bg, Color::Yellow, "matches are highlighted");
    // Back at the first match, N wraps to the last.
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(
        app.workspace().expect("loaded").timeline.nav.selected,
        *matches.last().expect("matches")
    );
}

#[test]
fn frequency_table_counts_the_view_and_narrows() {
    let mut app = app();
    app.apply(Action::GotoTimeline);
    // Cursor to the event name column.
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('F'));
    let text = screen(&app);
    assert!(text.contains("event name in the view"), "{text}");
    let (value, count, total) = match &app.overlay {
        Some(Overlay::Frequency(f)) => {
            let (v, n) = f.values[0].clone();
            (v.expect("a name"), n, f.total)
        }
        _ => panic!("the frequency table is open"),
    };
    assert_eq!(total, 32);
    let s = app.workspace().expect("loaded");
    let expected = s
        .view()
        .rows
        .iter()
        .filter(|&&r| s.inv.cols.name.get(r as usize) == Some(value.as_str()))
        .count();
    assert_eq!(count, expected);
    let share = format!("{:.1}%", count as f64 * 100.0 / 32.0);
    assert!(text.contains(&share), "{text}");
    app.apply(Action::Narrow);
    settle(&mut app);
    let s = app.workspace().expect("loaded");
    assert_eq!(s.view().len(), count);
    assert_eq!(
        s.top().query,
        Some(Filter::is(Field::Name, value.clone()).to_string())
    );
}

#[test]
fn columns_hide_show_and_scroll() {
    let mut app = app();
    app.apply(Action::GotoTimeline);
    assert!(screen(&app).contains("Principal"));
    app.apply(Action::HideColumn);
    assert!(!screen(&app).contains("Principal "), "{}", screen(&app));
    app.apply(Action::ShowColumns);
    assert!(screen(&app).contains("Principal"));
    // Far right: the access key column scrolls into view at 80 columns.
    for _ in 0..12 {
        app.apply(Action::NextColumn);
    }
    let text = screen(&app);
    assert!(text.contains("Access key"), "{text}");
    assert!(
        text.contains('«'),
        "columns scrolled out are flagged: {text}"
    );
}
