//! The real terminal: raw mode and the alternate screen on, and back off on every way out
//! (normal quit, error, panic, SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1), and around a suspension
//! (ctrl-z or SIGTSTP: restored, stopped, re-entered and redrawn on SIGCONT).
use std::io::{self, Stdout, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Switches the terminal to full-screen raw mode with mouse reporting.
pub fn setup() -> io::Result<Term> {
    enter()?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Raw mode, the alternate screen, mouse reporting and bracketed paste on, the cursor hidden.
fn enter() -> io::Result<()> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        cursor::Hide
    ) {
        let _ = restore();
        return Err(e);
    }
    Ok(())
}

/// Set by SIGTSTP (`kill -TSTP`; in raw mode ctrl-z arrives as a key instead).
static SUSPEND: AtomicBool = AtomicBool::new(false);
/// Set by SIGCONT: whoever stopped us (the shell, `kill -STOP`) may have reset the terminal.
static RESUMED: AtomicBool = AtomicBool::new(false);

/// Whether a suspension was asked for by a signal since the last call.
pub fn take_suspend_request() -> bool {
    SUSPEND.swap(false, Ordering::Relaxed)
}

/// Whether the process was continued since the last call.
pub fn take_resumed() -> bool {
    RESUMED.swap(false, Ordering::Relaxed)
}

/// Suspends like a shell job: the terminal is restored, the process stops (SIGSTOP, which cannot
/// be caught), and when the shell continues it the terminal is set up again (the caller redraws).
pub fn suspend() -> io::Result<()> {
    restore()?;
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    enter()
}

/// After a SIGCONT not of our own making: the terminal set up again (the caller redraws).
pub fn reenter() -> io::Result<()> {
    enter()
}

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore() -> io::Result<()> {
    let mut out = io::stdout();
    let r1 = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let r2 = disable_raw_mode();
    let _ = out.flush();
    r1.and(r2)
}

/// A panic on the UI (main) thread restores the terminal before the default message is printed,
/// so it is readable. Background jobs catch their panics and report them in the status bar;
/// printing them would scribble over the screen, so other threads stay quiet here.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Panics in pools the libraries run (rayon, polars) reach the job that waits on them.
        if std::thread::current().name() == Some("main") {
            let _ = restore();
            previous(info);
        }
    }));
}

/// A flag raised by SIGTERM, SIGINT, SIGHUP, SIGQUIT or SIGUSR1 (whose default actions would end
/// the process with the terminal still in raw mode); the run loop checks it and exits cleanly.
/// SIGTSTP and SIGCONT are turned into requests the run loop serves ([`take_suspend_request`],
/// [`take_resumed`]).
///
/// A watchdog thread backs it up: crossterm's `poll` can spin inside itself on a hung-up terminal
/// (the loop never gets to look at the flag; seen as orphaned processes at full CPU), so if the
/// loop has not ended shortly after the signal, the watchdog restores the terminal and exits.
pub fn stop_flag() -> io::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGUSR1};
    let flag = Arc::new(AtomicBool::new(false));
    let mut signals = signal_hook::iterator::Signals::new([
        SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGTSTP, SIGCONT,
    ])?;
    let raised = Arc::clone(&flag);
    std::thread::Builder::new()
        .name("cttui-signals".to_owned())
        .spawn(move || {
            for sig in signals.forever() {
                match sig {
                    SIGTSTP => SUSPEND.store(true, Ordering::Relaxed),
                    SIGCONT => RESUMED.store(true, Ordering::Relaxed),
                    _ => {
                        raised.store(true, Ordering::Relaxed);
                        std::thread::sleep(std::time::Duration::from_millis(750));
                        let _ = restore();
                        std::process::exit(128 + sig);
                    }
                }
            }
        })?;
    Ok(flag)
}

/// Restores the terminal when dropped (early returns and errors included).
pub struct RestoreGuard;

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}
