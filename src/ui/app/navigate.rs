//! Moving in the timeline and the detail view, and marking events.
use std::sync::Arc;

use super::{App, Detail, Overlay, Workspace};
use crate::ui::widgets::histogram::first_at_or_after;
use crate::ui::widgets::json::{json_lines, text_lines};
use crate::ui::widgets::text;

impl App {
    pub(super) fn submit_jump(&mut self, input: &str) {
        let Some(s) = self.workspace() else { return };
        let reference = s
            .selected_row()
            .and_then(|r| s.inv.store.time_at(r as usize));
        let Some(t) = parse_jump(input, reference) else {
            if let Some(Overlay::Prompt(p)) = &mut self.overlay {
                p.error = Some(
                    "expected a time like 2020-09-14 00:40, 2020-09-14T00:40:12Z or 00:40"
                        .to_owned(),
                );
            }
            return;
        };
        self.overlay = None;
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let pos = first_at_or_after(s.inv.store.times(), &s.view().rows, t);
        // Sorted by another column, the event found is wherever the sort put it.
        let idx = match s.view().rows.get(pos) {
            Some(&r) => s.index_of(r),
            None => pos,
        };
        let len = s.view().len();
        s.timeline.nav.select(idx, len);
        let shown = s
            .selected_row()
            .and_then(|r| s.inv.store.time_at(r as usize))
            .map(text::time);
        match shown {
            Some(at) => self.info(format!("at {at}")),
            None => self.info("no event at or after that time"),
        }
    }

    pub(super) fn open_detail(&mut self) {
        let Some(s) = self.workspace() else { return };
        let Some(row) = s.selected_row() else { return };
        let d = self.detail_for(row);
        self.overlay = Some(Overlay::Detail(Box::new(d)));
    }

    pub(super) fn detail_for(&self, row: u32) -> Detail {
        let theme = self.env.theme;
        let json = self
            .workspace()
            .map(|s| match s.inv.store.raw_value(row as usize) {
                Some(v) => json_lines(&v, &theme),
                None => text_lines(&s.inv.store.raw_text(row as usize).unwrap_or_default()),
            })
            .unwrap_or_default();
        Detail {
            row,
            scroll: 0,
            json,
        }
    }

    pub(super) fn step_detail(&mut self, delta: isize) {
        let Some(Overlay::Detail(d)) = &self.overlay else {
            return;
        };
        let row = d.row;
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let len = s.view().len();
        if len == 0 {
            return;
        }
        let pos = s.index_of(row) as isize + delta;
        let pos = pos.clamp(0, len as isize - 1) as usize;
        s.timeline.nav.select(pos, len);
        let Some(next) = s.selected_row() else { return };
        if next != row {
            let d = self.detail_for(next);
            self.overlay = Some(Overlay::Detail(Box::new(d)));
        }
    }

    pub(super) fn toggle_mark(&mut self) {
        let in_detail = matches!(self.overlay, Some(Overlay::Detail(_)));
        let row = match &self.overlay {
            Some(Overlay::Detail(d)) => Some(d.row),
            _ => self.workspace().and_then(Workspace::selected_row),
        };
        let Some(row) = row else { return };
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.marks.toggle(row);
        if !in_detail {
            // Mark and move on, so runs of events are marked with repeated presses.
            let len = s.view().len();
            s.timeline.nav.move_by(1, len);
        }
    }

    pub(super) fn mark_range(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let Some(anchor) = s.marks.anchor else {
            self.info("mark an event first (space), then mark the range to here");
            return;
        };
        // The range as the timeline shows it (sorted or in time order).
        let len = s.view().len();
        let a = s.index_of(anchor).min(len.saturating_sub(1));
        let b = s.timeline.nav.selected;
        let (lo, hi) = (a.min(b), a.max(b).min(len.saturating_sub(1)));
        let rows: Vec<u32> = (lo..=hi).filter_map(|i| s.row_at(i)).collect();
        for &r in &rows {
            s.marks.set(r, true);
        }
        s.marks.anchor = s.selected_row();
        let n = rows.len();
        self.info(format!("marked {} event(s)", text::thousands(n)));
    }

    pub(super) fn mark_all(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let rows = Arc::clone(&s.view().rows);
        for &r in rows.iter() {
            s.marks.set(r, true);
        }
        self.info(format!(
            "marked all {} event(s) in the view",
            text::thousands(rows.len())
        ));
    }
}

/// A time typed into the jump prompt: a date, a date and time (space or `T`, with or without
/// seconds and `Z`), or a bare `HH:MM[:SS]` on the day of `reference`.
pub fn parse_jump(input: &str, reference: Option<i64>) -> Option<i64> {
    use crate::ingest::time::parse_time_ms;
    let t = input.trim().replacen(' ', "T", 1);
    let b = t.as_bytes();
    let bare_clock = (b.len() == 5 || b.len() == 8) && b.get(2) == Some(&b':');
    if bare_clock {
        let day = chrono::DateTime::from_timestamp_millis(reference?)?.format("%Y-%m-%d");
        let s = if b.len() == 5 {
            format!("{day}T{t}:00Z")
        } else {
            format!("{day}T{t}Z")
        };
        return parse_time_ms(&s);
    }
    let full = match t.len() {
        10 => format!("{t}T00:00:00Z"),
        13 => format!("{t}:00:00Z"),
        16 => format!("{t}:00Z"),
        19 => format!("{t}Z"),
        _ => t.clone(),
    };
    // Only dates and times: a bare number is not taken as epoch seconds here.
    if !t.contains('-') {
        return None;
    }
    parse_time_ms(&full)
}
