//! The keymap table: no key bound twice in a scope, every action reachable, key names that
//! round-trip, help and hints generated from the table, and user overrides.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cttui::ingest::LoadOptions;
use cttui::ui::action::Action;
use cttui::ui::app::{App, Clock, Env};
use cttui::ui::keymap::{Key, Keymap, Scope};
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::theme::Theme;
use strum::IntoEnumIterator;

fn default_map() -> Keymap {
    Keymap::default_map().expect("the embedded keymap parses")
}

const TIMELINE: [Scope; 4] = [Scope::Timeline, Scope::Table, Scope::Global, Scope::Any];

#[test]
fn no_key_is_bound_twice_within_a_scope() {
    let map = default_map();
    assert_eq!(map.conflicts(), Vec::new());
}

#[test]
fn a_duplicate_is_detected() {
    let text = cttui::ui::keymap::DEFAULT_KEYMAP.replacen(
        "{ scope = \"global\", keys = [\"q\"], action = \"quit\"",
        "{ scope = \"global\", keys = [\"e\"], action = \"quit\"",
        1,
    );
    let map = Keymap::from_toml(&text).expect("still parses");
    let conflicts = map.conflicts();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].scope, Scope::Global);
    assert_eq!(conflicts[0].key, Key::char('e'));
}

#[test]
fn every_action_is_bound_or_internal() {
    let map = default_map();
    for action in Action::iter() {
        let bound = map
            .bindings()
            .iter()
            .any(|b| b.action == action && !b.keys.is_empty());
        assert!(
            bound != action.is_internal(),
            "{action}: bound={bound}, internal={}",
            action.is_internal()
        );
    }
}

#[test]
fn key_names_round_trip() {
    let map = default_map();
    for b in map.bindings() {
        for k in &b.keys {
            let text = k.to_string();
            assert_eq!(Key::parse(&text).expect("parses"), *k, "{text}");
        }
    }
}

#[test]
fn help_and_hints_come_from_the_table() {
    let map = default_map();
    let rows = map.help_rows();
    assert_eq!(rows.len(), map.bindings().len());
    for b in map.bindings() {
        assert!(
            rows.iter().any(|r| r.description == b.description
                && r.keys == b.keys_text()
                && r.scope == b.scope),
            "help lacks {}",
            b.description
        );
    }
    let hints = map.hints(&TIMELINE);
    let label = |l: &str| hints.iter().find(|h| h.label == l).map(|h| h.keys.clone());
    assert_eq!(label("help").as_deref(), Some("?"));
    assert_eq!(label("pivot").as_deref(), Some("u/i/b/c/a"));
    assert_eq!(label("detail").as_deref(), Some("enter"));
    // Only bindings marked for hints appear.
    assert!(hints.iter().all(|h| {
        map.bindings()
            .iter()
            .any(|b| b.action == h.action && b.hint.as_deref() == Some(h.label.as_str()))
    }));
}

#[test]
fn lookup_goes_from_the_tab_to_global() {
    let map = default_map();
    assert_eq!(
        map.resolve(&TIMELINE, Key::char('u')),
        Some(Action::PivotPrincipal)
    );
    assert_eq!(map.resolve(&TIMELINE, Key::char('j')), Some(Action::Down));
    assert_eq!(map.resolve(&TIMELINE, Key::char('q')), Some(Action::Quit));
    let ctrl_c = Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        map.resolve(&[Scope::Prompt, Scope::Any], ctrl_c),
        Some(Action::Quit)
    );
    // In a prompt, plain letters are text, not commands.
    assert_eq!(
        map.resolve(&[Scope::Prompt, Scope::Any], Key::char('q')),
        None
    );
    // Esc pops a filter in the timeline but closes the detail view.
    assert_eq!(
        map.resolve(&TIMELINE, Key::new(KeyCode::Esc, KeyModifiers::NONE)),
        Some(Action::PopFilter)
    );
    assert_eq!(
        map.resolve(
            &[Scope::Detail, Scope::Any],
            Key::new(KeyCode::Esc, KeyModifiers::NONE)
        ),
        Some(Action::Close)
    );
}

#[test]
fn user_overrides_replace_keys() {
    let mut map = default_map();
    map.apply_overrides("[timeline]\npivot_principal = [\"p\", \"ctrl-p\"]\n")
        .expect("a valid override");
    assert_eq!(
        map.resolve(&TIMELINE, Key::char('p')),
        Some(Action::PivotPrincipal)
    );
    assert_eq!(
        map.resolve(
            &TIMELINE,
            Key::new(KeyCode::Char('p'), KeyModifiers::CONTROL)
        ),
        Some(Action::PivotPrincipal)
    );
    assert_eq!(
        map.resolve(&TIMELINE, Key::char('u')),
        None,
        "the old key is free"
    );
    assert!(map.help_rows().iter().any(|r| r.keys == "p ctrl-p"));
    // Overrides that clash, or name unknown things, change nothing.
    let before = map.clone();
    for bad in [
        "[timeline]\npivot_ip = [\"p\"]\n",
        "[timeline]\nno_such_action = [\"x\"]\n",
        "[nowhere]\nquit = [\"x\"]\n",
        "[global]\nquit = [\"hyper-q\"]\n",
        "[global]\ntick = [\"x\"]\n",
        "not toml at all [",
    ] {
        assert!(map.apply_overrides(bad).is_err(), "{bad}");
        assert_eq!(
            map.resolve(&TIMELINE, Key::char('p')),
            Some(Action::PivotPrincipal)
        );
        assert_eq!(map.bindings().len(), before.bindings().len());
    }
}

#[test]
fn user_file_is_read_and_bad_files_warn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keymap.toml");
    let (map, warning) = Keymap::with_user_file(Some(&path)).expect("a missing file is fine");
    assert!(warning.is_none());
    assert_eq!(
        map.resolve(&TIMELINE, Key::char('u')),
        Some(Action::PivotPrincipal)
    );
    std::fs::write(&path, "[global]\nhelp = [\"z\"]\n").expect("write");
    let (map, warning) = Keymap::with_user_file(Some(&path)).expect("loads");
    assert!(warning.is_none());
    assert_eq!(map.resolve(&TIMELINE, Key::char('z')), Some(Action::Help));
    std::fs::write(&path, "[global]\nhelp = [\"q\"]\n").expect("write");
    let (map, warning) = Keymap::with_user_file(Some(&path)).expect("loads");
    assert!(warning.is_some_and(|w| w.contains("bound to both")));
    assert_eq!(
        map.resolve(&TIMELINE, Key::char('q')),
        Some(Action::Quit),
        "defaults stay"
    );
}

#[test]
fn the_app_follows_overridden_keys() {
    let mut keymap = default_map();
    keymap
        .apply_overrides("[timeline]\npivot_principal = [\"p\"]\n")
        .expect("override");
    let inv = LoadedLog::load(&["tests/fixtures/tui".to_owned()], &LoadOptions::default())
        .expect("loads");
    let env = Env {
        theme: Theme::colored(),
        keymap,
        export_dir: std::path::PathBuf::from("exports"),
        clock: Clock::Fixed(0),
    };
    let mut app = App::with_investigation(env, inv);
    app.apply(Action::GotoTimeline);
    app.handle_key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE));
    assert!(app.wait_idle(std::time::Duration::from_secs(20)));
    let s = app.workspace().expect("loaded");
    assert_eq!(s.views.len(), 2);
    assert!(
        s.top()
            .query
            .as_deref()
            .is_some_and(|q| q.starts_with("user:"))
    );
}

#[test]
fn readme_documents_every_action_and_scope() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let keys = readme.split("### Keys").nth(1).expect("a Keys section");
    for b in default_map().bindings() {
        assert!(
            keys.contains(&format!("`{}`", b.action)),
            "README lacks action {}",
            b.action
        );
        let scope: &str = b.scope.into();
        assert!(keys.contains(scope), "README lacks scope {scope}");
    }
}
