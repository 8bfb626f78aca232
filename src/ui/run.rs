//! The event loop, generic over the ratatui backend and the event source so tests can run it
//! against a `TestBackend` with scripted events. Events become actions, `update` turns them into
//! state and effects, and the loop runs the effects of each batch of events through the app's job
//! runner at once (so a held key that marks ten events asks for one session write).
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::action::Action;
use super::app::{App, Effect};
use crate::error::{Error, Result};

/// Where terminal events come from.
pub trait EventSource {
    /// The next event, waiting at most `timeout`.
    fn next(&mut self, timeout: Duration) -> Result<Option<Event>>;

    /// Suspends the program if asked (`key`: ctrl-z was pressed; or a signal asked) and brings
    /// it back; true when the screen must be redrawn from scratch. Scripted sources never do.
    fn suspend_if_asked(&mut self, _key: bool) -> Result<bool> {
        Ok(false)
    }
}

/// The real terminal's events.
pub struct CrosstermEvents {
    last_check: std::time::Instant,
}

impl Default for CrosstermEvents {
    fn default() -> Self {
        CrosstermEvents {
            last_check: std::time::Instant::now(),
        }
    }
}

impl EventSource for CrosstermEvents {
    fn next(&mut self, timeout: Duration) -> Result<Option<Event>> {
        let io = |e| Error::io("terminal", e);
        // A hung-up terminal can keep reporting input without a SIGHUP reaching us (seen with
        // orphaned PTY children spinning at full CPU); once a second, check it is still there.
        if self.last_check.elapsed() >= Duration::from_secs(1) {
            self.last_check = std::time::Instant::now();
            std::fs::File::open("/dev/tty")
                .map_err(|e| Error::io("/dev/tty (terminal gone)", e))?;
        }
        if crossterm::event::poll(timeout).map_err(io)? {
            Ok(Some(crossterm::event::read().map_err(io)?))
        } else {
            Ok(None)
        }
    }

    fn suspend_if_asked(&mut self, key: bool) -> Result<bool> {
        let io = |e| Error::io("terminal", e);
        if key || super::terminal::take_suspend_request() {
            super::terminal::suspend().map_err(io)?;
            // The SIGCONT that woke us is served here.
            let _ = super::terminal::take_resumed();
            return Ok(true);
        }
        if super::terminal::take_resumed() {
            super::terminal::reenter().map_err(io)?;
            return Ok(true);
        }
        Ok(false)
    }
}

/// Ctrl-z: in raw mode the terminal sends it as a key, not as SIGTSTP.
fn is_suspend_key(ev: &Event) -> bool {
    use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    matches!(ev, Event::Key(k) if k.code == KeyCode::Char('z')
        && k.modifiers.contains(KeyModifiers::CONTROL)
        && k.kind != KeyEventKind::Release)
}

/// Scripted events (tests): hands them out in order, then reports none.
pub struct ScriptedEvents(pub std::collections::VecDeque<Event>);

impl EventSource for ScriptedEvents {
    fn next(&mut self, _timeout: Duration) -> Result<Option<Event>> {
        Ok(self.0.pop_front())
    }
}

/// Most queued events applied between two redraws.
const MAX_BATCH: usize = 256;

fn term_err(e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("terminal: {e}"))
}

/// Applies one terminal event to the state; returns the effects it asks for.
#[must_use]
pub fn handle_event(app: &mut App, ev: Event) -> Vec<Effect> {
    match ev {
        Event::Key(k) => app.on_key(k),
        Event::Mouse(m) => app.on_mouse(m),
        Event::Resize(_, _) => app.update(Action::Resize),
        Event::Paste(s) => {
            // Only a prompt takes pasted text; newlines would submit, so they become spaces.
            if matches!(app.overlay, Some(super::app::Overlay::Prompt(_))) {
                app.on_text(&s.replace(['\n', '\r'], " "))
            } else {
                Vec::new()
            }
        }
        Event::FocusGained | Event::FocusLost => Vec::new(),
    }
}

/// Runs until the app quits, `stop` is raised (signals) or the events run out with `until_idle`.
/// `raw_out` receives bytes meant for the terminal itself (OSC 52). Before it returns, the
/// session writes still in flight are waited for; it fails when the last state could not be
/// written.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut dyn EventSource,
    raw_out: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    stop: &AtomicBool,
) -> Result<()> {
    let run = event_loop(terminal, app, events, raw_out, stop);
    let flushed = app.flush();
    run?;
    // The screen is gone after this: a session that is not on file is said on the way out.
    if !flushed {
        return Err(Error::Invalid(format!(
            "the session file was still being written after {} s: the last changes may be lost",
            super::app::effects::FLUSH_TIMEOUT.as_secs()
        )));
    }
    match app.unsaved_session() {
        Some(e) => Err(Error::Invalid(e.to_owned())),
        None => Ok(()),
    }
}

fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut dyn EventSource,
    raw_out: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    stop: &AtomicBool,
) -> Result<()> {
    let mut dirty = true;
    loop {
        if app.poll_jobs() {
            dirty = true;
        }
        if events.suspend_if_asked(false)? {
            terminal.clear().map_err(term_err)?;
            dirty = true;
        }
        for bytes in app.take_terminal_output() {
            raw_out(&bytes).map_err(|e| Error::io("terminal", e))?;
        }
        if app.take_clear_request() {
            terminal.clear().map_err(term_err)?;
            dirty = true;
        }
        if dirty {
            terminal.draw(|f| app.render(f)).map_err(term_err)?;
            dirty = false;
        }
        if app.should_quit() || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        // Short waits while work runs (progress, results), long ones when idle.
        let wait = if app.is_busy() {
            Duration::from_millis(40)
        } else {
            Duration::from_millis(250)
        };
        match events.next(wait)? {
            Some(ev) if is_suspend_key(&ev) => {
                if events.suspend_if_asked(true)? {
                    terminal.clear().map_err(term_err)?;
                }
                dirty = true;
            }
            Some(ev) => {
                let mut effects = handle_event(app, ev);
                // Apply what is already queued (held keys, fast typing) before one redraw, but
                // boundedly: a hung-up terminal can report events forever, and a signal must
                // still end the loop.
                for _ in 0..MAX_BATCH {
                    if app.should_quit() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match events.next(Duration::ZERO) {
                        Ok(Some(ev)) => effects.extend(handle_event(app, ev)),
                        Ok(None) => break,
                        Err(e) => {
                            // The changes made so far are still saved.
                            app.run_effects(effects);
                            return Err(e);
                        }
                    }
                }
                app.run_effects(effects);
                dirty = true;
            }
            None if app.is_busy() => {
                let effects = app.update(Action::Tick);
                app.run_effects(effects);
                dirty = true;
            }
            None => {}
        }
    }
}
