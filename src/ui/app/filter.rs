//! Filtering: the live filter prompt, the coalesced background runs, the view stack and pivots.
use std::sync::Arc;

use super::{App, Overlay, PendingFilter, Phase, PromptKind, Tab};
use crate::error::Error;
use crate::model::query::Query;
use crate::ui::jobs::FilterRequest;
use crate::ui::view::View;
use crate::ui::widgets::text;

impl App {
    pub(super) fn filter_done(&mut self, generation: u64, result: Result<View, String>) {
        let Some(s) = self.session_mut() else { return };
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
        let row = s.selected_row();
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
    pub(super) fn submit_filter(&mut self, query: String, commit: bool) {
        let Phase::Ready(s) = &mut self.phase else {
            return;
        };
        s.generation += 1;
        let within = (s.views.len() > 1).then(|| Arc::clone(&s.top().rows));
        s.pending = Some(PendingFilter {
            generation: s.generation,
            query: query.clone(),
            commit,
        });
        let req = FilterRequest {
            generation: s.generation,
            inv: Arc::clone(&s.inv),
            query,
            within,
        };
        self.jobs.submit_filter(req);
    }

    /// Forgets any filter in flight and the preview.
    pub(super) fn drop_pending(&mut self) {
        if let Some(s) = self.session_mut() {
            let row = s.selected_row();
            s.generation += 1;
            s.pending = None;
            s.preview = None;
            s.reselect(row);
        }
    }

    pub(super) fn prompt_changed(&mut self) {
        let Some(Overlay::Prompt(p)) = &mut self.overlay else {
            return;
        };
        match p.kind {
            PromptKind::Filter => {
                let text = p.input.text().trim().to_owned();
                match Query::parse(&text).and_then(|q| q.expr().map(|_| ())) {
                    Err(e) => p.error = Some(query_error(&e)),
                    Ok(()) => {
                        p.error = None;
                        if text.is_empty() {
                            self.drop_pending();
                        } else {
                            self.submit_filter(text, false);
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
        if self.session().is_none() {
            self.info("still loading");
            return;
        }
        self.tab = Tab::Timeline;
        self.open_prompt(PromptKind::Filter, "/", "");
    }

    pub(super) fn pop_filter(&mut self) {
        let Some(s) = self.session_mut() else { return };
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
        let Some(s) = self.session_mut() else { return };
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
            _ => self.submit_filter(text, true),
        }
    }

    pub(super) fn pivot(
        &mut self,
        field: &str,
        col: fn(&crate::ui::investigation::Columns) -> &polars::prelude::StringChunked,
    ) {
        let Some(s) = self.session() else { return };
        let Some(row) = s.selected_row() else { return };
        let value = col(&s.inv.cols).get(row as usize).map(str::to_owned);
        match value {
            Some(v) => self.submit_filter(format!("{field}:{}", quote(&v)), true),
            None => self.info(format!("this event has no {field}")),
        }
    }

    pub(super) fn show_in_timeline(&mut self) {
        let tab = self.tab;
        let Some(s) = self.session() else { return };
        let query = match tab {
            Tab::S3 => s.selected_bucket().map(|b| format!("bucket:{}", quote(&b))),
            _ => None,
        };
        if let Some(q) = query {
            self.open_evidence_query(q);
        }
    }
}

/// A query error as the prompt shows it: `col 8: unknown field 'nmae'`.
fn query_error(e: &Error) -> String {
    match e {
        Error::Query { pos, msg } => format!("col {pos}: {msg}"),
        other => other.to_string(),
    }
}

/// A query value in quotes, so spaces, colons and parentheses stay part of it.
pub fn quote(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
