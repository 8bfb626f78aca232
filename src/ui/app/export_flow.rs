//! Export and clipboard copy: the path prompt, the overwrite question and the jobs.
use std::path::PathBuf;
use std::sync::Arc;

use super::effects::Effect;
use super::{App, COPY_MAX_EVENTS, Overlay, PromptKind};
use crate::ui::export::{self, ExportPlan};
use crate::ui::jobs::{CopyDone, ExportDone, JobKind, JobResult};
use crate::ui::loaded_log::LoadedLog;
use crate::ui::view::{Marks, View};
use crate::ui::widgets::text;

/// What an export or a copy holds: the committed views and the marks when it was asked for.
/// The plan and the Markdown are made off the UI thread.
pub struct Selection {
    pub inv: Arc<LoadedLog>,
    pub views: Vec<View>,
    pub marks: Marks,
    pub events: usize,
}

impl Selection {
    fn markdown(&self) -> (ExportPlan, String) {
        let plan = export::plan(&self.views, &self.marks);
        let md = export::markdown(&self.inv.store, &plan);
        (plan, md)
    }

    pub(super) fn copy(self) -> JobResult {
        let (_, markdown) = self.markdown();
        JobResult::Copied(Ok(CopyDone {
            markdown,
            events: self.events,
        }))
    }
}

/// An export of the selection to a file.
pub struct ExportRequest {
    pub path: PathBuf,
    pub overwrite: bool,
    pub selection: Selection,
}

impl ExportRequest {
    pub(super) fn run(self) -> JobResult {
        let (plan, md) = self.selection.markdown();
        JobResult::Exported(
            export::write_atomic(&self.path, md.as_bytes(), self.overwrite)
                .map(|()| ExportDone {
                    path: self.path.clone(),
                    events: plan.rows.len(),
                    bytes: md.len(),
                })
                .map_err(|e| e.to_string()),
        )
    }
}

/// The incident report with the session as it was when asked for.
pub struct ReportRequest {
    pub path: PathBuf,
    pub overwrite: bool,
    pub inv: Arc<LoadedLog>,
    pub session: crate::playbook::session::Session,
    pub analysis: Option<Arc<crate::analysis::Analysis>>,
}

impl ReportRequest {
    pub(super) fn run(self) -> JobResult {
        let md = crate::investigation::report_markdown(
            &self.inv.store,
            &self.inv.report,
            self.analysis.as_deref(),
            &self.session,
        );
        JobResult::Reported(match md {
            Ok(md) => export::write_atomic(&self.path, md.as_bytes(), self.overwrite)
                .map(|()| ExportDone {
                    path: self.path.clone(),
                    events: 0,
                    bytes: md.len(),
                })
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        })
    }
}

/// What a path prompt writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Events as Markdown.
    Export,
    /// The incident report.
    Report,
}

/// What is at a path about to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Free,
    File,
    Directory,
}

impl Target {
    /// Looks (one stat; run by the effect runner, never by `update`).
    pub fn of(path: &std::path::Path) -> Target {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Target::Directory,
            Ok(_) => Target::File,
            Err(_) => Target::Free,
        }
    }
}

/// Exports of more events than this ask first.
pub const EXPORT_ASK_EVENTS: usize = 10_000;

impl App {
    /// What will be exported, from the committed filter stack and the marks.
    pub fn export_plan(&self) -> Option<ExportPlan> {
        let s = self.workspace()?;
        Some(export::plan(&s.views, &s.marks))
    }

    pub(super) fn export_label(&self) -> String {
        match self.workspace() {
            Some(s) if s.marks.count() > 0 => {
                format!(
                    "export {} marked event(s) to: ",
                    text::thousands(s.marks.count())
                )
            }
            Some(s) => format!(
                "export the view ({} events) to: ",
                text::thousands(s.top().len())
            ),
            None => "export to: ".to_owned(),
        }
    }

    pub(super) fn open_export(&mut self) {
        let Some(s) = self.workspace() else {
            self.info("still loading");
            return;
        };
        if s.marks.count() == 0 && s.top().is_empty() {
            self.error("nothing to export: the view is empty");
            return;
        }
        let n = self.export_count().unwrap_or(0);
        if n > EXPORT_ASK_EVENTS {
            // Each event carries its raw JSON: a large view makes a file nobody pastes.
            self.overlay = Some(Overlay::ConfirmLarge { events: n });
            return;
        }
        self.open_export_path();
    }

    /// The path prompt of an export (after the size question, when there was one).
    pub(super) fn open_export_path(&mut self) {
        let path = export::default_path(&self.env.export_dir, self.env.clock.now_ms());
        let label = self.export_label();
        self.open_prompt(PromptKind::ExportPath, &label, &path.display().to_string());
        if let Some(Overlay::Prompt(p)) = &mut self.overlay {
            p.label = label;
        }
    }

    pub(super) fn submit_export_path(&mut self, text: &str) {
        self.submit_output_path(Output::Export, text);
    }

    /// A path typed for an export or the report: asks whether the file is there (the prompt
    /// stays open until the answer, see [`App::target_probed`]).
    fn submit_output_path(&mut self, output: Output, text: &str) {
        if text.is_empty() {
            self.prompt_error("give a file name".to_owned());
            return;
        }
        let path = self.env.export_dir.join(expand_home(text));
        self.effect(Effect::ProbeTarget { path, output });
    }

    fn prompt_error(&mut self, e: String) {
        if let Some(Overlay::Prompt(p)) = &mut self.overlay {
            p.error = Some(e);
        }
    }

    /// What is at the path an export or the report was asked to write: a directory is refused
    /// in the prompt, an existing file is replaced only when the analyst says so.
    pub(super) fn target_probed(&mut self, path: PathBuf, output: Output, found: Target) {
        match found {
            Target::Directory => self.prompt_error(format!("{} is a directory", path.display())),
            Target::File => self.overlay = Some(Overlay::ConfirmOverwrite { path, output }),
            Target::Free => {
                self.overlay = None;
                self.start_output(output, path, false);
            }
        }
    }

    /// Starts the export or the report to `path`.
    pub(super) fn start_output(&mut self, output: Output, path: PathBuf, overwrite: bool) {
        match output {
            Output::Export => self.start_export(path, overwrite),
            Output::Report => self.start_report(path, overwrite),
        }
    }

    /// The number of events an export would hold (marks, else the committed view).
    pub(super) fn export_count(&self) -> Option<usize> {
        let s = self.workspace()?;
        Some(if s.marks.count() > 0 {
            s.marks.count()
        } else {
            s.top().len()
        })
    }

    pub(super) fn start_export(&mut self, path: PathBuf, overwrite: bool) {
        let Some(selection) = self.selection() else {
            return;
        };
        let label = format!("exporting {} event(s)", text::thousands(selection.events));
        self.effect(Effect::Export(Box::new(ExportRequest {
            path,
            overwrite,
            selection,
        })));
        self.busy_start(JobKind::Export, label);
    }

    fn selection(&self) -> Option<Selection> {
        let events = self.export_count()?;
        let s = self.workspace()?;
        Some(Selection {
            inv: Arc::clone(&s.inv),
            views: s.views.clone(),
            marks: s.marks.clone(),
            events,
        })
    }

    pub(super) fn copy_markdown(&mut self) {
        let Some(events) = self.export_count() else {
            self.info("still loading");
            return;
        };
        if events == 0 {
            self.error("nothing to copy: the view is empty");
            return;
        }
        if events > COPY_MAX_EVENTS {
            self.error(format!(
                "{} events are too many for the clipboard (at most {COPY_MAX_EVENTS}): mark some, or export with e",
                text::thousands(events)
            ));
            return;
        }
        let Some(selection) = self.selection() else {
            return;
        };
        self.effect(Effect::Copy(Box::new(selection)));
        self.busy_start(JobKind::Copy, "copying".to_owned());
    }

    pub(super) fn export_done(&mut self, res: Result<ExportDone, String>) {
        match res {
            Ok(ExportDone {
                path,
                events,
                bytes,
            }) => self.info(format!(
                "exported {} event(s) to {} ({})",
                text::thousands(events),
                path.display(),
                text::bytes(bytes as i64)
            )),
            Err(e) => self.error(format!("export failed: {e}")),
        }
    }

    pub(super) fn copy_done(&mut self, res: Result<CopyDone, String>) {
        match res {
            Ok(CopyDone { markdown, .. }) if markdown.len() > export::OSC52_MAX => {
                self.error(format!(
                    "too large for the clipboard ({}); export to a file with e",
                    text::bytes(markdown.len() as i64)
                ))
            }
            Ok(CopyDone { markdown, events }) => {
                self.terminal_out.push(export::osc52(&markdown));
                self.info(format!(
                    "copied {} event(s) as Markdown (OSC 52: needs terminal support)",
                    text::thousands(events)
                ));
            }
            Err(e) => self.error(format!("copy failed: {e}")),
        }
    }
}

impl App {
    /// `R`: asks where to write the incident report (default ./cttui-report-<UTC>.md).
    pub(super) fn open_report_prompt(&mut self) {
        if self.workspace().is_none() {
            self.info("still loading");
            return;
        }
        let stamp = chrono::DateTime::from_timestamp_millis(self.env.clock.now_ms())
            .map(|d| d.format("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_default();
        let path = self.env.export_dir.join(format!("cttui-report-{stamp}.md"));
        let label = "write the incident report to: ";
        self.open_prompt(PromptKind::ReportPath, label, &path.display().to_string());
    }

    pub(super) fn submit_report_path(&mut self, text: &str) {
        self.submit_output_path(Output::Report, text);
    }

    /// Renders the report with the current session (pins, answers, notes, severity) and writes
    /// it atomically, off the UI thread; the session is saved first.
    pub(super) fn start_report(&mut self, path: PathBuf, overwrite: bool) {
        self.save_case();
        let Some(s) = self.workspace() else { return };
        let r = ReportRequest {
            path,
            overwrite,
            inv: Arc::clone(&s.inv),
            session: s.case.saved.clone(),
            analysis: s.analysis.clone(),
        };
        self.effect(Effect::WriteReport(Box::new(r)));
        self.busy_start(JobKind::Report, "report".to_owned());
    }

    pub(super) fn report_done(&mut self, res: Result<ExportDone, String>) {
        match res {
            Ok(d) => self.info(format!(
                "report written to {} ({})",
                d.path.display(),
                text::bytes(d.bytes as i64)
            )),
            Err(e) => self.error(format!("report failed: {e}")),
        }
    }
}

fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(p),
    }
}
