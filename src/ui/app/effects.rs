//! What `update` asks the outside world to do, as values. `update(Action)` only changes state and
//! returns effects; [`App::run_effects`] hands them to the job runner (one lane per kind, see
//! [`crate::ui::jobs`]), and [`App::apply_job`] turns finished jobs back into state. Each effect
//! carries a snapshot of what its job reads, so it runs the same whenever the runner gets to it.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{App, Busy, Phase, Workspace};
use crate::analysis::AnalysisOptions;
use crate::ingest::LoadOptions;
use crate::playbook::session as saved;
use crate::ui::jobs::{Coalesce, Done, FilterRequest, JobKind, JobResult, Loaded, run_query};
use crate::ui::loaded_log::LoadedLog;

/// How long quitting waits for the session writes still in flight.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// A side effect `update` asks for.
pub enum Effect {
    /// Read the logs, and the session file found for them.
    Load(Box<LoadRequest>),
    /// Run a filter (typed or built) for the view stack.
    RunFilter(FilterRequest),
    /// The behaviour analysis and logging health over the loaded store.
    StartAnalysis(AnalysisRequest),
    /// The triage answers and playbook queries for the pins.
    StartTriage(Box<super::casework::TriageRequest>),
    /// Write the session file (pins, marks, notes, answers).
    SaveSession(Box<SaveRequest>),
    /// Export events as Markdown to a file.
    Export(Box<super::export_flow::ExportRequest>),
    /// Render events as Markdown for the clipboard.
    Copy(Box<super::export_flow::Selection>),
    /// Write the incident report.
    WriteReport(Box<super::export_flow::ReportRequest>),
    /// Look whether a file or a directory is at the path an export or the report would write
    /// (one stat, run in place: its answer opens the overwrite question or starts the job).
    ProbeTarget {
        path: PathBuf,
        output: super::export_flow::Output,
    },
    /// Wait until the session writes in flight are done (before the process exits).
    FlushSaves,
}

impl Effect {
    /// The runner lane the effect goes to (`None`: the effect runs in place rather than as a
    /// job).
    pub fn kind(&self) -> Option<JobKind> {
        Some(match self {
            Effect::Load(_) => JobKind::Load,
            Effect::RunFilter(_) => JobKind::Filter,
            Effect::StartAnalysis(_) => JobKind::Analysis,
            Effect::StartTriage(_) => JobKind::Triage,
            Effect::SaveSession(_) => JobKind::SaveSession,
            Effect::Export(_) => JobKind::Export,
            Effect::Copy(_) => JobKind::Copy,
            Effect::WriteReport(_) => JobKind::Report,
            Effect::ProbeTarget { .. } | Effect::FlushSaves => return None,
        })
    }
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self, self.kind()) {
            (_, Some(k)) => write!(f, "Effect::{}", k.name()),
            (Effect::ProbeTarget { path, .. }, None) => {
                write!(f, "Effect::ProbeTarget({})", path.display())
            }
            (_, None) => f.write_str("Effect::FlushSaves"),
        }
    }
}

pub struct LoadRequest {
    pub paths: Vec<String>,
    pub opts: LoadOptions,
    /// Sessions beside the log rather than under `$XDG_DATA_HOME`.
    pub sessions_beside: bool,
}

impl LoadRequest {
    /// Loads the logs, then finds and reads their session file (stdin has none).
    fn run(self) -> JobResult {
        let investigation = LoadedLog::load(&self.paths, &self.opts);
        let session = match &investigation {
            Ok(inv) if !inv.inputs.iter().all(|p| p == "-") => {
                let path = saved::session_path_in(&inv.inputs, self.sessions_beside);
                let loaded = saved::load(&path);
                Some((path, loaded))
            }
            _ => None,
        };
        JobResult::Loaded(Box::new(Loaded {
            investigation,
            session,
        }))
    }
}

pub struct AnalysisRequest {
    pub inv: Arc<LoadedLog>,
    pub opts: AnalysisOptions,
}

pub struct SaveRequest {
    pub generation: u64,
    pub path: PathBuf,
    pub session: saved::Session,
}

impl App {
    /// Queues an effect for the action being handled; `update` returns them.
    pub(super) fn effect(&mut self, e: Effect) {
        self.outbox.push(e);
    }

    pub(super) fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.outbox)
    }

    /// Runs effects through the job runner. Within one batch only the last request of a kind
    /// whose newest request wins is sent (ten marks applied between two frames are one save).
    pub fn run_effects(&mut self, effects: Vec<Effect>) {
        let kinds: Vec<Option<JobKind>> = effects.iter().map(Effect::kind).collect();
        let mut flush = false;
        for (i, fx) in effects.into_iter().enumerate() {
            let superseded = kinds[i].is_some_and(|k| {
                k.coalesce() == Coalesce::Latest && kinds[i + 1..].contains(&Some(k))
            });
            if superseded {
                continue;
            }
            match fx {
                Effect::FlushSaves => flush = true,
                Effect::ProbeTarget { path, output } => {
                    let found = super::export_flow::Target::of(&path);
                    self.target_probed(path, output, found);
                    let fx = self.take_effects();
                    self.run_effects(fx);
                }
                fx => self.submit(fx),
            }
        }
        // Saves asked for after the flush in the same batch are waited for too.
        if flush {
            self.wait_for(JobKind::SaveSession, FLUSH_TIMEOUT);
        }
    }

    fn submit(&mut self, fx: Effect) {
        match fx {
            Effect::Load(r) => self.jobs.submit(JobKind::Load, 0, move || r.run()),
            Effect::RunFilter(r) => self.jobs.submit(JobKind::Filter, r.generation, move || {
                JobResult::Filtered(
                    run_query(&r.inv, &r.query, r.within.as_ref().map(|w| w.as_slice()))
                        .map_err(|e| e.to_string()),
                )
            }),
            Effect::StartAnalysis(r) => self
                .jobs
                .submit(JobKind::Analysis, 0, move || super::analysis_flow::run(r)),
            Effect::StartTriage(r) => {
                let g = r.generation;
                self.jobs.submit(JobKind::Triage, g, move || r.run())
            }
            Effect::SaveSession(r) => {
                self.jobs
                    .submit(JobKind::SaveSession, r.generation, move || {
                        JobResult::Saved(
                            saved::save(&r.path, &r.session).map_err(|e| {
                                format!("session not saved to {}: {e}", r.path.display())
                            }),
                        )
                    })
            }
            Effect::Export(r) => self.jobs.submit(JobKind::Export, 0, move || r.run()),
            Effect::Copy(r) => self.jobs.submit(JobKind::Copy, 0, move || r.copy()),
            Effect::WriteReport(r) => self.jobs.submit(JobKind::Report, 0, move || r.run()),
            Effect::ProbeTarget { .. } | Effect::FlushSaves => {}
        }
    }

    /// Update and run its effects: the entry point for tests, benches and key handling that
    /// does not batch.
    pub fn apply(&mut self, action: crate::ui::action::Action) {
        let fx = self.update(action);
        self.run_effects(fx);
    }

    /// Applies finished jobs as they come until no job of `kind` is left (or `timeout` passes).
    pub(super) fn wait_for(&mut self, kind: JobKind, timeout: Duration) -> bool {
        self.wait_while(|app| app.jobs.busy(kind), timeout)
    }

    /// Waits for the session writes in flight (the run loop's end, a signal).
    pub fn flush(&mut self) -> bool {
        self.wait_for(JobKind::SaveSession, FLUSH_TIMEOUT)
    }

    /// How many jobs of `kind` have started running (coalesced requests never run).
    pub fn job_runs(&self, kind: JobKind) -> u64 {
        self.jobs.runs(kind)
    }

    /// Marks a job as running on the status bar. A kind whose newest request wins shows once.
    pub(super) fn busy_start(&mut self, kind: JobKind, label: String) {
        if kind.coalesce() == Coalesce::Latest {
            self.busy.retain(|b| b.kind != kind);
        }
        self.busy.push(Busy {
            kind,
            label,
            started: Instant::now(),
        });
    }

    /// A job of `kind` is done: its status entry goes (a kind whose newest request wins keeps
    /// its entry while a newer request runs).
    fn busy_end(&mut self, kind: JobKind) {
        match kind.coalesce() {
            Coalesce::Latest if self.jobs.busy(kind) => {}
            Coalesce::Latest => self.busy.retain(|b| b.kind != kind),
            Coalesce::Queue => {
                if let Some(i) = self.busy.iter().position(|b| b.kind == kind) {
                    self.busy.remove(i);
                }
            }
        }
    }

    /// Turns a finished job into state; returns the effects that follow from it.
    pub fn apply_job(&mut self, done: Done) -> Vec<Effect> {
        let Done {
            kind,
            generation,
            result,
        } = done;
        let result = result.unwrap_or_else(|e| JobResult::failed(kind, e));
        self.busy_end(kind);
        match result {
            JobResult::Loaded(loaded) => self.loaded(*loaded),
            JobResult::Filtered(result) => self.filter_done(generation, result),
            JobResult::Analyzed(res) => self.analysis_done(*res),
            JobResult::Cased(result) => self.case_done(generation, result),
            JobResult::Saved(res) => self.save_done(generation, res),
            JobResult::Reported(res) => self.report_done(res),
            JobResult::Exported(res) => self.export_done(res),
            JobResult::Copied(res) => self.copy_done(res),
        }
        self.take_effects()
    }

    fn loaded(&mut self, loaded: Loaded) {
        match loaded.investigation {
            Ok(inv) => {
                let msg = format!(
                    "loaded {} events from {} file(s)",
                    crate::ui::widgets::text::thousands(inv.len()),
                    inv.report.files.iter().filter(|f| f.records > 0).count()
                );
                self.phase = Phase::Ready(Box::new(Workspace::new(Arc::new(inv))));
                self.info(msg);
                match loaded.session {
                    Some((path, session)) => self.restore_session(path, session),
                    None => self.refresh_casework(),
                }
                self.request_analysis();
            }
            Err(e) => self.phase = Phase::Failed(e.to_string()),
        }
    }
}

impl JobResult {
    /// The result of a job of `kind` that ended without one (it panicked or could not start).
    pub fn failed(kind: JobKind, e: String) -> JobResult {
        match kind {
            JobKind::Load => JobResult::Loaded(Box::new(Loaded {
                investigation: Err(crate::error::Error::Invalid(e)),
                session: None,
            })),
            JobKind::Filter => JobResult::Filtered(Err(e)),
            JobKind::Analysis => JobResult::Analyzed(Box::new(Err(e))),
            JobKind::Triage => JobResult::Cased(Err(e)),
            JobKind::SaveSession => JobResult::Saved(Err(e)),
            JobKind::Export => JobResult::Exported(Err(e)),
            JobKind::Copy => JobResult::Copied(Err(e)),
            JobKind::Report => JobResult::Reported(Err(e)),
        }
    }
}
