//! Export from the investigator: golden checks that parse the Markdown back, the identity with
//! the headless `cttui events --format md`, the overwrite question and the OSC 52 copy.
use std::path::{Path, PathBuf};

use base64::Engine;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cttui::cli::{EventsFormat, LoadArgs, run_events};
use cttui::ingest::LoadOptions;
use cttui::ui::action::Action;
use cttui::ui::app::{App, Env, Overlay, Workspace};
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::theme::Theme;

use crate::support::tui::{env, settle};

const FIXTURE: &str = "tests/fixtures/tui";

fn app_in(dir: &Path) -> App {
    let inv = LoadedLog::load(&[FIXTURE.to_owned()], &LoadOptions::default()).expect("loads");
    let env = Env {
        export_dir: dir.to_path_buf(),
        ..env(Theme::colored())
    };
    App::with_investigation(env, inv)
}

fn workspace(app: &App) -> &Workspace {
    app.workspace().expect("loaded")
}

/// Exports through the prompt to `name` in the app's export dir; returns the path.
fn export_to(app: &mut App, dir: &Path, name: &str) -> PathBuf {
    app.apply(Action::Export);
    assert!(matches!(app.overlay, Some(Overlay::Prompt(_))));
    // Replace the default path.
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    app.handle_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    app.type_text(name);
    app.apply(Action::Submit);
    settle(app);
    dir.join(name)
}

/// A Markdown export read back: header lines, table rows (cells unescaped) and raw JSON blocks.
struct Parsed {
    title: String,
    header: Vec<String>,
    table: Vec<Vec<String>>,
    blocks: Vec<serde_json::Value>,
}

fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().to_owned()),
            c => cur.push(c),
        }
    }
    cells.push(cur.trim().to_owned());
    cells
}

fn parse(md: &str) -> Parsed {
    let mut lines = md.lines();
    let title = lines
        .next()
        .expect("a title")
        .trim_start_matches("# ")
        .to_owned();
    let mut header = Vec::new();
    let mut table = Vec::new();
    let mut blocks = Vec::new();
    let mut fence: Option<(String, String)> = None;
    for line in lines {
        if let Some((f, body)) = &mut fence {
            if line == f.as_str() {
                blocks.push(serde_json::from_str(body).expect("a fenced block is JSON"));
                fence = None;
            } else {
                body.push_str(line);
                body.push('\n');
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("```") {
            let ticks = 3 + rest.chars().take_while(|&c| c == '`').count();
            assert!(
                rest[ticks - 3..].starts_with("json"),
                "blocks are tagged json"
            );
            fence = Some(("`".repeat(ticks), String::new()));
        } else if line.starts_with("| ") && !line.starts_with("| # ") {
            table.push(split_row(line));
        } else if line.starts_with("- ") || line.starts_with("  - ") {
            header.push(line.to_owned());
        }
    }
    assert!(fence.is_none(), "every fence is closed");
    Parsed {
        title,
        header,
        table,
        blocks,
    }
}

#[test]
fn marked_events_export_parses_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_in(dir.path());
    app.apply(Action::GotoTimeline);
    // Mark the first two of the attacker's downloads.
    let rows: Vec<u32> = {
        let s = workspace(&app);
        s.view()
            .rows
            .iter()
            .copied()
            .filter(|&r| {
                s.inv.cols.name.get(r as usize) == Some("GetObject")
                    && s.inv.cols.bucket.get(r as usize) == Some("customer-pii")
                    && s.inv.cols.error.get(r as usize).is_none()
            })
            .take(2)
            .collect()
    };
    assert_eq!(rows.len(), 2);
    for &r in &rows {
        let pos = workspace(&app).view().position_of(r);
        app.apply(Action::Top);
        for _ in 0..pos {
            app.apply(Action::Down);
        }
        app.apply(Action::ToggleMark);
    }
    assert_eq!(workspace(&app).marks.count(), 2);
    let path = export_to(&mut app, dir.path(), "marked.md");
    let md = std::fs::read_to_string(&path).expect("the export exists");
    let msg = app.message.clone().expect("a message").text;
    assert!(msg.starts_with("exported 2 event(s) to"), "{msg}");
    let p = parse(&md);
    assert_eq!(p.title, "cttui event export: marked events");
    assert!(
        p.header.contains(&"- Source files (1):".to_owned()),
        "{:?}",
        p.header
    );
    assert!(
        // A path is a code span: no backslash before its characters.
        p.header
            .contains(&"  - `tests/fixtures/tui/events.json`".to_owned())
    );
    assert!(p.header.contains(&"- Filter: none".to_owned()));
    assert!(
        p.header.contains(
            &"- Time span (UTC): 2020-09-14T22:41:10Z .. 2020-09-14T22:41:11Z".to_owned()
        )
    );
    assert!(
        p.header
            .iter()
            .any(|l| l == "- Events: 2 from a view of 32 (store: 32 events)")
    );
    assert_eq!(p.table.len(), 2);
    let s = workspace(&app);
    for ((cells, &r), block) in p.table.iter().zip(&rows).zip(&p.blocks) {
        let r = r as usize;
        // # | time | principal | source | event | region | ip | error | bucket | key | id
        assert_eq!(cells[2], s.inv.cols.principal.get(r).unwrap_or(""));
        assert_eq!(cells[4], "GetObject");
        assert_eq!(cells[8], "customer-pii");
        assert_eq!(cells[9], s.inv.cols.key.get(r).unwrap_or(""));
        assert_eq!(cells[10], s.inv.cols.event_id.get(r).unwrap_or(""));
        assert_eq!(
            Some(block),
            s.inv.store.raw_value(r).as_ref(),
            "the raw event, unchanged"
        );
    }
    // The escape-laden user agent never reaches the file raw.
    assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}') && !md.contains('\u{9b}'));
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn view_export_matches_the_headless_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_in(dir.path());
    app.apply(Action::Filter);
    app.type_text("name:GetObject");
    app.apply(Action::Submit);
    settle(&mut app);
    app.apply(Action::Filter);
    app.type_text("-error:*");
    app.apply(Action::Submit);
    settle(&mut app);
    assert_eq!(workspace(&app).view().len(), 13);
    let path = export_to(&mut app, dir.path(), "view.md");
    let tui = std::fs::read(&path).expect("export written");
    let filter = cttui::ui::view::combined_query(&workspace(&app).views).expect("a filter");
    // The stacked filters as one typed value (what `cttui events --filter` reads back).
    assert_eq!(filter, "name:GetObject -error:*");
    let mut headless = Vec::new();
    let args = LoadArgs {
        aws_ranges: None,
        max_inflate: cttui::ingest::DEFAULT_MAX_INFLATE,
        quiet: true,
        since: None,
        until: None,
        filter_hint: None,
    };
    run_events(
        &mut headless,
        &[FIXTURE.to_owned()],
        Some(&filter),
        EventsFormat::Md,
        None,
        &args,
    )
    .expect("headless export");
    assert_eq!(
        String::from_utf8_lossy(&tui),
        String::from_utf8_lossy(&headless)
    );
    let p = parse(&String::from_utf8_lossy(&tui));
    assert_eq!(p.table.len(), 13);
    assert_eq!(p.blocks.len(), 13);
}

#[test]
fn never_overwrites_without_asking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_in(dir.path());
    let target = dir.path().join("taken.md");
    std::fs::write(&target, "keep me").expect("write");
    app.apply(Action::GotoTimeline);
    app.apply(Action::ToggleMark);
    export_to(&mut app, dir.path(), "taken.md");
    assert!(matches!(
        app.overlay,
        Some(Overlay::ConfirmOverwrite { .. })
    ));
    app.apply(Action::No);
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me");
    let Some(Overlay::Prompt(p)) = &app.overlay else {
        panic!("back to the path prompt");
    };
    assert!(
        p.error
            .as_deref()
            .is_some_and(|e| e.contains("not replaced"))
    );
    app.apply(Action::Submit);
    assert!(matches!(
        app.overlay,
        Some(Overlay::ConfirmOverwrite { .. })
    ));
    app.apply(Action::Yes);
    settle(&mut app);
    let md = std::fs::read_to_string(&target).expect("read");
    assert!(md.starts_with("# cttui event export: marked events"));
    // A directory is refused in the prompt.
    app.apply(Action::Export);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    app.type_text(&dir.path().display().to_string());
    app.apply(Action::Submit);
    let Some(Overlay::Prompt(p)) = &app.overlay else {
        panic!("still prompting");
    };
    assert!(
        p.error
            .as_deref()
            .is_some_and(|e| e.contains("is a directory"))
    );
}

#[test]
fn default_export_path_is_in_the_export_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_in(dir.path());
    app.apply(Action::Export);
    let Some(Overlay::Prompt(p)) = &app.overlay else {
        panic!("prompt");
    };
    let expected = dir.path().join("cttui-export-20200913T122640Z.md");
    assert_eq!(p.input.text(), expected.display().to_string());
    assert!(p.label.contains("the view (32 events)"));
    app.apply(Action::Submit);
    settle(&mut app);
    assert!(expected.exists());
}

#[test]
fn copy_sends_the_same_markdown_over_osc52() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_in(dir.path());
    app.apply(Action::GotoTimeline);
    app.apply(Action::ToggleMark);
    app.apply(Action::ToggleMark);
    app.apply(Action::CopyMarkdown);
    settle(&mut app);
    let out = app.take_terminal_output();
    assert_eq!(out.len(), 1);
    let seq = &out[0];
    assert!(seq.starts_with(b"\x1b]52;c;"));
    assert_eq!(seq.last(), Some(&0x07));
    let b64 = &seq[7..seq.len() - 1];
    let md = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    let plan = app.export_plan().expect("a plan");
    let expected = cttui::ui::export::markdown(&workspace(&app).inv.store, &plan);
    assert_eq!(String::from_utf8(md).expect("utf-8"), expected);
    assert_eq!(parse(&expected).blocks.len(), 2);
    assert!(
        app.message
            .expect("message")
            .text
            .contains("copied 2 event(s)")
    );
}

#[test]
fn exporting_more_than_ten_thousand_events_asks_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv =
        LoadedLog::load(&["demo-logs".to_owned()], &LoadOptions::default()).expect("demo loads");
    let mut app = App::with_investigation(
        Env {
            export_dir: dir.path().to_path_buf(),
            ..env(Theme::monochrome())
        },
        inv,
    );
    app.apply(Action::GotoTimeline);
    app.apply(Action::Export);
    assert!(
        matches!(app.overlay, Some(Overlay::ConfirmLarge { events: 34_038 })),
        "34,038 events: the app asks before the path"
    );
    app.apply(Action::No);
    assert!(app.overlay.is_none());
    app.apply(Action::Export);
    app.apply(Action::Yes);
    assert!(
        matches!(app.overlay, Some(Overlay::Prompt(_))),
        "yes: the path prompt"
    );
    app.apply(Action::Cancel);
    // A few marked events go straight to the path.
    app.apply(Action::ToggleMark);
    app.apply(Action::Export);
    assert!(matches!(app.overlay, Some(Overlay::Prompt(_))));
}
