//! The interactive investigator (`cttui PATHS…`): tabs over the event store, a live filter,
//! marks and Markdown export, drawn with ratatui.
//!
//! State lives in [`app::App`] and changes only through `update(Action)`; keys are data
//! ([`keymap`]); long work runs on threads ([`jobs`]); [`run::run_loop`] is generic over the
//! backend so tests drive it without a terminal.
pub mod action;
pub mod app;
pub mod draw;
pub mod export;
pub mod jobs;
pub mod keymap;
pub mod loaded_log;
mod overlays;
pub mod run;
pub mod tabs;
pub mod terminal;
pub mod theme;
pub mod view;
pub mod widgets;

use std::io::Write;

use crate::config::{SessionPlace, Settings, ThemeChoice};
use crate::error::{Error, Result};
use crate::ingest::LoadOptions;
use app::{App, Env};
use keymap::Keymap;
use theme::Theme;

/// Opens the investigator on `paths` (checked and set up by the caller: `load`) and runs it until
/// the user quits.
pub fn run(paths: &[String], load: LoadOptions, settings: &Settings) -> Result<()> {
    let (keymap, warning) = Keymap::with_user_file(Keymap::user_path().as_deref())?;
    let theme = match settings.config.theme {
        ThemeChoice::Auto => Theme::from_env(),
        ThemeChoice::Color => Theme::colored(),
        ThemeChoice::Mono => Theme::monochrome(),
    };
    let mut app = App::new(Env::new(theme, keymap));
    app.analysis_options = settings.analysis.clone();
    app.sessions_beside = settings.config.sessions == SessionPlace::Beside;
    app.start_loading(paths.to_vec(), load);
    if let Some(w) = warning {
        app.message = Some(app::Message {
            text: w,
            error: true,
        });
    }
    terminal::install_panic_hook();
    let stop = terminal::stop_flag().map_err(|e| Error::io("signals", e))?;
    let mut term = terminal::setup().map_err(|e| Error::io("terminal", e))?;
    let _guard = terminal::RestoreGuard;
    let mut raw_out = |bytes: &[u8]| {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    };
    run::run_loop(
        &mut term,
        &mut app,
        &mut run::CrosstermEvents::default(),
        &mut raw_out,
        &stop,
    )
}
