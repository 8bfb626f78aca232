//! The investigator driven in-process: its environment, waiting for its background work, and
//! what it draws into ratatui's `TestBackend`, as text.
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crossterm::event::{Event, KeyEvent};
use cttui::ui::action::Action;
use cttui::ui::app::{App, Clock, Env};
use cttui::ui::keymap::Keymap;
use cttui::ui::run::{ScriptedEvents, run_loop};
use cttui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// 2020-09-13T12:26:40Z: a fixed clock, so default export names are stable.
pub const NOW: i64 = 1_600_000_000_000;
/// How long background work (loading, the analysis) may take: generous, since every test of the
/// crate runs in parallel in one process.
pub const WAIT: Duration = Duration::from_secs(120);

/// The default keymap, a fixed clock and exports to `exports/`.
pub fn env(theme: Theme) -> Env {
    Env {
        theme,
        keymap: Keymap::default_map().expect("the default keymap parses"),
        export_dir: PathBuf::from("exports"),
        clock: Clock::Fixed(NOW),
    }
}

/// Waits for the app's background work (see [`WAIT`]).
pub fn settle(app: &mut App) {
    assert!(app.wait_idle(WAIT), "background work did not finish");
}

pub fn render_at(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| app.render(f)).expect("draw");
    term
}

/// The app drawn at 80x24.
pub fn render(app: &App) -> Terminal<TestBackend> {
    render_at(app, 80, 24)
}

/// The cells' symbols, one line per row.
pub fn screen_text(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

pub fn screen_at(app: &App, w: u16, h: u16) -> String {
    screen_text(render_at(app, w, h).backend().buffer())
}

/// The app drawn at 80x24, as text.
pub fn screen(app: &App) -> String {
    screen_at(app, 80, 24)
}

/// The key press the app's keymap binds to `action` in the app's current context.
pub fn key_of(app: &App, action: Action) -> Event {
    let key = app
        .env
        .keymap
        .key_for(&app.scopes(), action)
        .unwrap_or_else(|| panic!("{action} has a key here"));
    Event::Key(KeyEvent::new(key.code, key.mods))
}

/// Runs the real event loop over `events` (which must end by quitting) at 80x24; the loop
/// applies queued events as one batch before it runs their effects.
pub fn run_scripted(app: &mut App, events: Vec<Event>) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    let mut source = ScriptedEvents(events.into());
    let mut out = |_: &[u8]| Ok(());
    let stop = AtomicBool::new(false);
    run_loop(&mut term, app, &mut source, &mut out, &stop).expect("the loop runs");
    assert!(app.should_quit(), "the scripted events quit");
    term
}
