//! Finding and shaping in the timeline: `/` search with n/N (the view stays), the column cursor
//! with hide/show, and the frequency table of a column with narrowing from it.
use rustc_hash::FxHashMap;

use super::{App, Overlay, PromptKind, Tab};
use crate::model::query::Filter;
use crate::ui::loaded_log::LoadedLog;
use crate::ui::tabs::timeline::{COLS, Col};
use crate::ui::widgets::table::ListNav;
use crate::ui::widgets::text;

/// The timeline's column cursor and hidden columns.
#[derive(Debug, Clone)]
pub struct ColumnState {
    /// Index into `COLS`.
    pub cursor: usize,
    pub hidden: Vec<bool>,
    /// Widths set with `<`/`>` (`None`: fitted to the screen).
    pub width: Vec<Option<u16>>,
}

impl Default for ColumnState {
    fn default() -> Self {
        ColumnState {
            cursor: 2,
            hidden: vec![false; COLS.len()],
            width: vec![None; COLS.len()],
        }
    }
}

impl ColumnState {
    /// Moves the cursor `delta` columns, over hidden ones; never onto the mark column.
    pub fn step(&mut self, delta: isize) {
        let n = COLS.len() as isize;
        let mut c = self.cursor as isize;
        for _ in 0..n {
            c = (c + delta).clamp(1, n - 1);
            if !self.hidden[c as usize] || c == 1 || c == n - 1 {
                break;
            }
        }
        self.cursor = c as usize;
    }

    /// Every column shown again at its fitted width.
    pub fn show_all(&mut self) {
        self.hidden.iter_mut().for_each(|h| *h = false);
        self.width.iter_mut().for_each(|w| *w = None);
    }
}

/// A frequency table of one column over the view: value, count (most first, ties by value).
#[derive(Debug, Clone)]
pub struct Frequency {
    pub col: Col,
    pub total: usize,
    /// `None`: events without a value.
    pub values: Vec<(Option<String>, usize)>,
    pub nav: ListNav,
}

impl Frequency {
    /// Counts `col` over `rows`.
    pub fn count(inv: &LoadedLog, col: Col, rows: &[u32]) -> Frequency {
        let mut by: FxHashMap<Option<String>, usize> = FxHashMap::default();
        for &r in rows {
            *by.entry(col.value(inv, r as usize)).or_default() += 1;
        }
        let mut values: Vec<(Option<String>, usize)> = by.into_iter().collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Frequency {
            col,
            total: rows.len(),
            values,
            nav: ListNav::default(),
        }
    }

    /// The filter that narrows to the selected value (the hour, for the time column).
    pub fn narrowing(&self) -> Option<Filter> {
        let field = self.col.field()?;
        let (v, _) = self.values.get(self.nav.selected)?;
        Some(match v {
            Some(v) => Filter::is(field, v.clone()),
            None => Filter::present(field).not(),
        })
    }
}

/// Whether an event has `needle` (lower case) in any text column the timeline can show.
pub fn row_matches(inv: &LoadedLog, row: usize, needle: &str) -> bool {
    let c = &inv.cols;
    [
        &c.principal,
        &c.name,
        &c.error,
        &c.ip,
        &c.bucket,
        &c.key,
        &c.source,
        &c.region,
        &c.user_agent,
        &c.access_key,
    ]
    .iter()
    .any(|ca| ca.get(row).is_some_and(|v| contains_ci(v, needle)))
}

/// Case-insensitive substring test; `needle` is lower case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle)
}

impl App {
    pub(super) fn open_search(&mut self) {
        if self.workspace().is_none() {
            self.info("still loading");
            return;
        }
        self.tab = Tab::Timeline;
        let last = self
            .workspace()
            .and_then(|s| s.timeline.search.clone())
            .unwrap_or_default();
        self.open_prompt(PromptKind::Search, "search: ", &last);
    }

    /// Starts a search: highlights matches and moves to the first at or after the selection.
    pub(super) fn submit_search(&mut self, text: &str) {
        self.overlay = None;
        let Some(s) = self.workspace_mut() else {
            return;
        };
        if text.is_empty() {
            s.timeline.search = None;
            self.info("search cleared");
            return;
        }
        let needle = text.to_lowercase();
        let view = s.view();
        let total = view
            .rows
            .iter()
            .filter(|&&r| row_matches(&s.inv, r as usize, &needle))
            .count();
        s.timeline.search = Some(needle);
        if total == 0 {
            self.info(format!(
                "no match for '{}' in the view",
                text::fit(text, 40)
            ));
            return;
        }
        // From the selection itself, so a match under the cursor is the first.
        self.search_step(0, total);
    }

    /// n (`dir` 1) / N (-1): the next or previous match, wrapping; `dir` 0 starts at the selection.
    pub(super) fn search_step(&mut self, dir: isize, total: usize) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let Some(needle) = s.timeline.search.clone() else {
            self.info("no search: / starts one");
            return;
        };
        let view = s.view();
        let n = view.len();
        if n == 0 {
            return;
        }
        // Matches in the order the timeline shows (sorted or in time order).
        let order = s.display_order();
        let at = |i: usize| order.as_ref().map_or(view.rows[i], |o| o[i]);
        let start = s.timeline.nav.selected.min(n - 1);
        let step = if dir < 0 { n - 1 } else { 1 };
        let first = if dir == 0 { start } else { (start + step) % n };
        let mut i = first;
        let mut wrapped = false;
        let found = loop {
            if row_matches(&s.inv, at(i) as usize, &needle) {
                break Some(i);
            }
            i = (i + step) % n;
            if i == first {
                break None;
            }
            if (dir >= 0 && i == 0) || (dir < 0 && i == n - 1) {
                wrapped = true;
            }
        };
        let Some(i) = found else {
            self.info("no match in the view");
            return;
        };
        s.timeline.nav.select(i, n);
        // The position first: a narrow status bar cuts the tail.
        let mut msg = format!(
            "match at event {} of {}",
            text::thousands(i + 1),
            text::thousands(n)
        );
        if wrapped {
            msg.push_str(" (wrapped)");
        }
        if total > 0 {
            msg.push_str(&format!(", {} in all", text::thousands(total)));
        }
        msg.push_str(&format!(": {}", text::clean(&needle)));
        self.info(msg);
    }

    pub(super) fn move_column(&mut self, delta: isize) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.timeline.columns.step(delta);
    }

    pub(super) fn hide_column(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let c = s.timeline.columns.cursor;
        if c <= 1 {
            self.info("the time column stays");
            return;
        }
        s.timeline.columns.hidden[c] = true;
        let title = COLS[c].title();
        self.move_column(1);
        self.info(format!("{title} hidden (+ shows all columns)"));
    }

    pub(super) fn show_columns(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.timeline.columns.show_all();
        self.info("all columns shown at their own widths");
    }

    pub(super) fn open_frequency(&mut self) {
        let Some(s) = self.workspace() else { return };
        let col = COLS[s.timeline.columns.cursor.min(COLS.len() - 1)];
        if col == Col::Mark {
            return;
        }
        let f = Frequency::count(&s.inv, col, &s.view().rows);
        self.overlay = Some(Overlay::Frequency(Box::new(f)));
    }

    /// Enter in the frequency table: the view narrowed to the selected value.
    pub(super) fn narrow_from_frequency(&mut self) {
        let Some(Overlay::Frequency(f)) = &self.overlay else {
            return;
        };
        let Some(q) = f.narrowing() else { return };
        self.overlay = None;
        self.tab = Tab::Timeline;
        self.submit_built(q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_cursor_skips_hidden_and_stays_off_the_mark() {
        let mut c = ColumnState::default();
        let last = COLS.len() - 1;
        c.hidden[3] = true;
        c.hidden[4] = true;
        c.step(1);
        assert_eq!(c.cursor, 5, "from {:?} over two hidden columns", COLS[2]);
        c.step(-1);
        assert_eq!(c.cursor, 2);
        c.step(-5);
        assert_eq!(c.cursor, 1, "the time column, never the mark column");
        c.step(-1);
        assert_eq!(c.cursor, 1);
        c.hidden[last] = true;
        c.cursor = last - 1;
        c.step(1);
        assert_eq!(
            c.cursor, last,
            "the last column takes the cursor even hidden"
        );
        c.width[2] = Some(9);
        c.show_all();
        assert!(c.hidden.iter().all(|h| !h));
        assert!(c.width.iter().all(Option::is_none));
    }
}
