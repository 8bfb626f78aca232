//! Export and clipboard copy: the path prompt, the overwrite question and the jobs.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::{App, Busy, COPY_MAX_EVENTS, Overlay, PromptKind};
use crate::ui::export::{self, ExportPlan};
use crate::ui::jobs::{CopyDone, ExportDone, JobResult};
use crate::ui::widgets::text;

/// Exports of more events than this ask first.
pub const EXPORT_ASK_EVENTS: usize = 10_000;

impl App {
    /// What will be exported, from the committed filter stack and the marks.
    pub fn export_plan(&self) -> Option<ExportPlan> {
        let s = self.session()?;
        Some(export::plan(&s.views, &s.marks))
    }

    pub(super) fn export_label(&self) -> String {
        match self.session() {
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
        let Some(s) = self.session() else {
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
        let set_error = |app: &mut App, e: String| {
            if let Some(Overlay::Prompt(p)) = &mut app.overlay {
                p.error = Some(e);
            }
        };
        if text.is_empty() {
            set_error(self, "give a file name".to_owned());
            return;
        }
        let path = self.env.export_dir.join(expand_home(text));
        if path.is_dir() {
            set_error(self, format!("{} is a directory", path.display()));
            return;
        }
        if path.exists() {
            self.overlay = Some(Overlay::ConfirmOverwrite {
                path,
                report: false,
            });
            return;
        }
        self.overlay = None;
        self.start_export(path, false);
    }

    /// The number of events an export would hold (marks, else the committed view).
    pub(super) fn export_count(&self) -> Option<usize> {
        let s = self.session()?;
        Some(if s.marks.count() > 0 {
            s.marks.count()
        } else {
            s.top().len()
        })
    }

    pub(super) fn start_export(&mut self, path: PathBuf, overwrite: bool) {
        let Some(events) = self.export_count() else {
            return;
        };
        let Some(s) = self.session() else { return };
        // The plan, the Markdown and the write all happen off the UI thread.
        let (inv, views, marks) = (Arc::clone(&s.inv), s.views.clone(), s.marks.clone());
        let target = path.clone();
        let work = move || {
            let plan = export::plan(&views, &marks);
            let md = export::markdown(&inv.store, &plan);
            JobResult::Exported(
                export::write_atomic(&target, md.as_bytes(), overwrite)
                    .map(|()| ExportDone {
                        path: target.clone(),
                        events: plan.rows.len(),
                        bytes: md.len(),
                    })
                    .map_err(|e| e.to_string()),
            )
        };
        let spawned = self
            .jobs
            .spawn("export", work, |e| JobResult::Exported(Err(e)));
        match spawned {
            Ok(()) => {
                self.busy.push(Busy {
                    label: format!("exporting {} event(s)", text::thousands(events)),
                    started: Instant::now(),
                });
            }
            Err(e) => self.error(format!("export failed: {e}")),
        }
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
        let Some(s) = self.session() else { return };
        let (inv, views, marks) = (Arc::clone(&s.inv), s.views.clone(), s.marks.clone());
        let work = move || {
            let plan = export::plan(&views, &marks);
            JobResult::Copied(Ok(CopyDone {
                markdown: export::markdown(&inv.store, &plan),
                events,
            }))
        };
        let spawned = self.jobs.spawn("copy", work, |e| JobResult::Copied(Err(e)));
        match spawned {
            Ok(()) => self.busy.push(Busy {
                label: "copying".to_owned(),
                started: Instant::now(),
            }),
            Err(e) => self.error(format!("copy failed: {e}")),
        }
    }
}

impl App {
    /// `R`: asks where to write the incident report (default ./cttui-report-<UTC>.md).
    pub(super) fn open_report_prompt(&mut self) {
        if self.session().is_none() {
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
        if text.is_empty() {
            if let Some(Overlay::Prompt(p)) = &mut self.overlay {
                p.error = Some("give a file name".to_owned());
            }
            return;
        }
        let path = self.env.export_dir.join(expand_home(text));
        if path.is_dir() {
            if let Some(Overlay::Prompt(p)) = &mut self.overlay {
                p.error = Some(format!("{} is a directory", path.display()));
            }
            return;
        }
        if path.exists() {
            self.overlay = Some(Overlay::ConfirmOverwrite { path, report: true });
            return;
        }
        self.overlay = None;
        self.start_report(path, false);
    }

    /// Renders the report with the current session (pins, answers, notes, severity) and writes
    /// it atomically, off the UI thread.
    pub(super) fn start_report(&mut self, path: PathBuf, overwrite: bool) {
        self.save_case();
        let Some(s) = self.session() else { return };
        let inv = Arc::clone(&s.inv);
        let session = s.case.saved.clone();
        let analysis = s.analysis.clone();
        let target = path.clone();
        let work = move || {
            let md = crate::investigation::report_markdown(
                &inv.store,
                &inv.report,
                analysis.as_deref(),
                &session,
            );
            JobResult::Reported(match md {
                Ok(md) => export::write_atomic(&target, md.as_bytes(), overwrite)
                    .map(|()| ExportDone {
                        path: target.clone(),
                        events: 0,
                        bytes: md.len(),
                    })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            })
        };
        match self
            .jobs
            .spawn("report", work, |e| JobResult::Reported(Err(e)))
        {
            Ok(()) => self.busy.push(Busy {
                label: "report".to_owned(),
                started: Instant::now(),
            }),
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
