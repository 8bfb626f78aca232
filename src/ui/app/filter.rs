//! Filtering: the live filter prompt, the coalesced background runs, the view stack and pivots.
use std::sync::Arc;

use super::effects::Effect;
use super::{App, Overlay, PendingFilter, Phase, PromptKind, Tab};
use crate::error::Error;
use crate::model::query::{Field, Filter, Query};
use crate::ui::jobs::FilterRequest;
use crate::ui::view::View;
use crate::ui::widgets::text;

impl App {
    pub(super) fn filter_done(&mut self, generation: u64, result: Result<View, String>) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let Some(p) = s.pending.clone().filter(|p| p.generation == generation) else {
            return; // a newer filter was asked for: this result is stale
        };
        s.pending = None;
        let view = match result {
            Ok(v) => v,
            Err(e) => {
                s.preview = None;
                if let Some(Overlay::Prompt(pr)) = &mut self.overlay {
                    pr.error = Some(e);
                } else {
                    self.error(format!("filter failed: {e}"));
                }
                return;
            }
        };
        let row = p.select.or(s.selected_row());
        let n = view.len();
        if p.commit {
            s.preview = None;
            s.views.push(view);
            s.reselect(row);
            let q = p.query;
            self.info(format!(
                "{}: {} event(s)",
                text::fit(&q, 40),
                text::thousands(n)
            ));
        } else {
            s.preview = Some(view);
            s.reselect(row);
        }
    }

    /// Sends a filter over the top view to the background runner.
    pub(super) fn submit_filter(&mut self, query: Query, commit: bool) {
        self.submit_filter_at(query, commit, None);
    }

    /// [`App::submit_filter`], selecting `select` in the new view when it is there.
    pub(super) fn submit_filter_at(&mut self, query: Query, commit: bool, select: Option<u32>) {
        let Phase::Ready(s) = &mut self.phase else {
            return;
        };
        s.generation += 1;
        let within = (s.views.len() > 1).then(|| Arc::clone(&s.top().rows));
        s.pending = Some(PendingFilter {
            generation: s.generation,
            query: query.text().to_owned(),
            commit,
            select,
        });
        let req = FilterRequest {
            generation: s.generation,
            inv: Arc::clone(&s.inv),
            query,
            within,
        };
        self.effect(Effect::RunFilter(req));
    }

    /// Forgets any filter in flight and the preview.
    pub(super) fn drop_pending(&mut self) {
        if let Some(s) = self.workspace_mut() {
            let row = s.selected_row();
            s.generation += 1;
            s.pending = None;
            s.preview = None;
            s.reselect(row);
        }
    }

    /// Runs a filter built as a value (pivots, narrowing, evidence) and pushes its view; its
    /// `Display` is the breadcrumb and the text `cttui events --filter` takes.
    pub(super) fn submit_built(&mut self, filter: Filter) {
        match Query::new(filter) {
            Ok(q) => self.submit_filter(q, true),
            Err(e) => self.error(format!("filter failed: {e}")),
        }
    }

    pub(super) fn prompt_changed(&mut self) {
        let Some(Overlay::Prompt(p)) = &mut self.overlay else {
            return;
        };
        match p.kind {
            PromptKind::Filter => {
                let text = p.input.text().trim().to_owned();
                match Query::parse(&text) {
                    Err(e) => p.error = Some(query_error(&e)),
                    Ok(q) => {
                        p.error = None;
                        if text.is_empty() {
                            self.drop_pending();
                        } else {
                            self.submit_filter(q, false);
                        }
                    }
                }
            }
            PromptKind::JumpTime
            | PromptKind::Search
            | PromptKind::ExportPath
            | PromptKind::ReportPath
            | PromptKind::Note => p.error = None,
        }
    }

    pub(super) fn open_filter(&mut self) {
        if self.workspace().is_none() {
            self.info("still loading");
            return;
        }
        self.tab = Tab::Timeline;
        self.open_prompt(PromptKind::Filter, "/", "");
    }

    pub(super) fn pop_filter(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if s.views.len() <= 1 {
            self.info("no filter to drop");
            return;
        }
        let row = s.selected_row();
        s.generation += 1;
        s.pending = None;
        s.preview = None;
        s.views.pop();
        s.reselect(row);
    }

    pub(super) fn submit_filter_prompt(&mut self, text: String) {
        if let Some(Overlay::Prompt(p)) = &self.overlay
            && p.error.is_some()
        {
            return; // keep the prompt open on the error
        }
        self.overlay = None;
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if text.is_empty() {
            self.drop_pending();
            return;
        }
        match (&mut s.pending, &s.preview) {
            (Some(p), _) if p.query == text => p.commit = true,
            (None, Some(v)) if v.query.as_deref() == Some(text.as_str()) => {
                if let Some(v) = s.preview.take() {
                    let n = v.len();
                    s.views.push(v);
                    self.info(format!(
                        "{}: {} event(s)",
                        text::fit(&text, 40),
                        text::thousands(n)
                    ));
                }
            }
            _ => match Query::parse(&text) {
                Ok(q) => self.submit_filter(q, true),
                Err(e) => self.error(format!("filter: {}", query_error(&e))),
            },
        }
    }

    pub(super) fn pivot(
        &mut self,
        field: Field,
        col: fn(&crate::ui::loaded_log::TableColumns) -> &polars::prelude::StringChunked,
    ) {
        let Some(s) = self.workspace() else { return };
        let Some(row) = s.selected_row() else { return };
        let value = col(&s.inv.cols).get(row as usize).map(str::to_owned);
        match value {
            Some(v) => self.submit_built(Filter::is(field, v)),
            None => self.info(format!("this event has no {}", field.name())),
        }
    }

    pub(super) fn show_in_timeline(&mut self) {
        let tab = self.tab;
        let Some(s) = self.workspace() else { return };
        let filter = match tab {
            Tab::S3 if s.s3.changes_focus => return self.open_exposure_changes(),
            Tab::S3 => s.selected_bucket().map(|b| Filter::is(Field::Bucket, b)),
            _ => None,
        };
        if let Some(f) = filter {
            self.open_evidence_filter(f);
        }
    }

    /// Enter on an exposure change: the bucket's exposure changes in the timeline (the change
    /// selected), as a filter built from the catalogue's exposure set.
    fn open_exposure_changes(&mut self) {
        let Some(s) = self.workspace() else { return };
        let Some(c) = s
            .analysis
            .as_ref()
            .and_then(|a| a.s3.exposure_changes.get(s.s3.changes.selected))
        else {
            return;
        };
        let bucket = match &c.bucket {
            Some(b) => Filter::is(Field::Bucket, b.clone()),
            None => Filter::present(Field::Bucket).not(),
        };
        let names = crate::analysis::catalog::names(crate::analysis::catalog::ApiSet::S3Exposure);
        let filter = bucket.and(Filter::any(
            names.iter().map(|n| Filter::is(Field::Name, n.as_str())),
        ));
        let row = c.row;
        match Query::new(filter) {
            Ok(q) => {
                if self.already_open(q.text()) {
                    if let Some(s) = self.workspace_mut() {
                        let i = s.index_of(row);
                        let n = s.view().len();
                        s.timeline.nav.select(i, n);
                    }
                    return;
                }
                self.reset_views();
                self.tab = Tab::Timeline;
                self.submit_filter_at(q, true, Some(row));
            }
            Err(e) => self.error(format!("cannot open the changes: {e}")),
        }
    }

    /// The S3 tab's cursor between the buckets and the exposure changes.
    pub(super) fn switch_s3_list(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if !s.s3.changes_focus && s.exposure_change_count() == 0 {
            self.info("no exposure change in this log");
            return;
        }
        s.s3.changes_focus = !s.s3.changes_focus;
        let msg = if s.s3.changes_focus {
            "exposure changes: enter shows the bucket's changes in the timeline"
        } else {
            "buckets: enter shows the bucket's events"
        };
        self.info(msg);
    }
}

/// A query error as the prompt shows it: `col 8: unknown field 'nmae'`.
fn query_error(e: &Error) -> String {
    match e {
        Error::Query { pos, msg } => format!("col {pos}: {msg}"),
        other => other.to_string(),
    }
}
