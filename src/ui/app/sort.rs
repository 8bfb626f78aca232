//! Shaping the timeline: sorting the view by any column (time order stays the default and the
//! view itself stays in store order, so filters, marks and ranges keep working on row ids) and
//! per-column width overrides.
use std::cmp::Ordering;
use std::sync::Arc;

use rayon::slice::ParallelSliceMut;

use super::{App, Workspace};
use crate::ui::loaded_log::LoadedLog;
use crate::ui::tabs::timeline::{COLS, Col};
use crate::ui::widgets::text::{short_principal, short_source};

/// A sort of the timeline by a column other than time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub col: Col,
    pub desc: bool,
}

impl Sort {
    /// The arrow the column header shows.
    pub fn arrow(self) -> &'static str {
        if self.desc { "▼" } else { "▲" }
    }

    /// `event name, descending`.
    pub fn label(self) -> String {
        format!(
            "{}, {}",
            self.col.title(),
            if self.desc { "descending" } else { "ascending" }
        )
    }

    /// The next sort when the key is pressed on `col`: ascending, descending, then time order.
    /// On the time column: newest first, then time order again.
    pub fn cycle(current: Option<Sort>, col: Col) -> Option<Sort> {
        match current {
            Some(s) if s.col == col && s.desc => None,
            Some(s) if s.col == col => Some(Sort { col, desc: true }),
            _ if col == Col::Time || col == Col::Mark => Some(Sort {
                col: Col::Time,
                desc: true,
            }),
            _ => Some(Sort { col, desc: false }),
        }
    }
}

/// The text a column sorts by: what the cell shows (the short principal, the short source), the
/// bucket then the key for bucket/key. Empty values sort last in either direction.
fn keys(inv: &LoadedLog, col: Col, row: usize) -> (Option<&str>, Option<&str>) {
    let c = &inv.cols;
    match col {
        Col::Mark | Col::Time => (None, None),
        Col::Principal => (c.principal.get(row).map(short_principal), None),
        Col::Name => (c.name.get(row), None),
        Col::Error => (c.error.get(row), None),
        Col::Ip => (c.ip.get(row), None),
        Col::BucketKey => (c.bucket.get(row), c.key.get(row)),
        Col::Source => (c.source.get(row).map(short_source), None),
        Col::Region => (c.region.get(row), None),
        Col::UserAgent => (c.user_agent.get(row), None),
        Col::AccessKey => (c.access_key.get(row), None),
    }
}

fn cmp_text(a: Option<&str>, b: Option<&str>, desc: bool) -> Ordering {
    match (a.filter(|s| !s.is_empty()), b.filter(|s| !s.is_empty())) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let o = x.cmp(y);
            if desc { o.reverse() } else { o }
        }
    }
}

/// `rows` (store order) in the order of `sort`; ties keep time order.
pub fn sorted(inv: &LoadedLog, rows: &[u32], sort: Sort) -> Vec<u32> {
    let mut v = rows.to_vec();
    if matches!(sort.col, Col::Time | Col::Mark) {
        if sort.desc {
            v.reverse();
        }
        return v;
    }
    v.par_sort_by(|&a, &b| {
        let (ka, kb) = (
            keys(inv, sort.col, a as usize),
            keys(inv, sort.col, b as usize),
        );
        cmp_text(ka.0, kb.0, sort.desc)
            .then_with(|| cmp_text(ka.1, kb.1, sort.desc))
            .then(a.cmp(&b))
    });
    v
}

/// The display order cached for one view and sort.
#[derive(Debug, Clone)]
pub struct Order {
    view: u64,
    sort: Sort,
    pub rows: Arc<Vec<u32>>,
}

impl Workspace {
    /// The timeline's rows in display order, or `None` in time order (the view's own rows).
    pub fn display_order(&self) -> Option<Arc<Vec<u32>>> {
        let sort = self.timeline.sort?;
        let view = self.view();
        let mut cache = self.timeline.order.borrow_mut();
        if let Some(o) = cache.as_ref()
            && o.view == view.id
            && o.sort == sort
        {
            return Some(Arc::clone(&o.rows));
        }
        let rows = Arc::new(sorted(&self.inv, &view.rows, sort));
        *cache = Some(Order {
            view: view.id,
            sort,
            rows: Arc::clone(&rows),
        });
        Some(rows)
    }

    /// The event at display position `i`.
    pub fn row_at(&self, i: usize) -> Option<u32> {
        match self.display_order() {
            Some(o) => o.get(i).copied(),
            None => self.view().rows.get(i).copied(),
        }
    }

    /// The display position of `row`; in time order, of the first event after it when it is
    /// not in the view; sorted, 0 when it is not.
    pub fn index_of(&self, row: u32) -> usize {
        match self.display_order() {
            Some(o) => o.iter().position(|&r| r == row).unwrap_or(0),
            None => self.view().position_of(row),
        }
    }
}

/// Narrowest a column can be made.
const MIN_WIDTH: u16 = 3;
/// Cells a width key adds or takes.
const WIDTH_STEP: u16 = 2;

impl App {
    /// The sort key: the cursor's column ascending, descending, then time order again.
    pub(super) fn sort_column(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let col = COLS[s.timeline.columns.cursor.min(COLS.len() - 1)];
        let row = s.selected_row();
        s.timeline.sort = Sort::cycle(s.timeline.sort, col);
        let msg = match s.timeline.sort {
            Some(sort) => format!("sorted by {}", sort.label()),
            None => "time order".to_owned(),
        };
        if let Some(r) = row {
            let i = s.index_of(r);
            let n = s.view().len();
            s.timeline.nav.select(i, n);
        }
        self.info(msg);
    }

    /// `<` / `>`: the cursor's column narrower or wider than it is drawn now.
    pub(super) fn resize_column(&mut self, wider: bool) {
        let drawn = self.viewport.columns.borrow().clone();
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let c = s.timeline.columns.cursor.min(COLS.len() - 1);
        let now = s.timeline.columns.width[c]
            .or_else(|| drawn.get(c).copied().flatten())
            .unwrap_or(MIN_WIDTH);
        let w = if wider {
            now.saturating_add(WIDTH_STEP).min(400)
        } else {
            now.saturating_sub(WIDTH_STEP).max(MIN_WIDTH)
        };
        s.timeline.columns.width[c] = Some(w);
        let title = COLS[c].title();
        self.info(format!("{title}: {w} wide (+ resets)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sort_key_cycles_per_column() {
        let name = Col::Name;
        let asc = Sort::cycle(None, name);
        assert_eq!(
            asc,
            Some(Sort {
                col: name,
                desc: false
            })
        );
        let desc = Sort::cycle(asc, name);
        assert_eq!(
            desc,
            Some(Sort {
                col: name,
                desc: true
            })
        );
        assert_eq!(Sort::cycle(desc, name), None);
        // Another column starts ascending.
        assert_eq!(
            Sort::cycle(desc, Col::Ip),
            Some(Sort {
                col: Col::Ip,
                desc: false
            })
        );
        // Time: newest first, then back to time order.
        let newest = Sort::cycle(None, Col::Time);
        assert_eq!(
            newest,
            Some(Sort {
                col: Col::Time,
                desc: true
            })
        );
        assert_eq!(Sort::cycle(newest, Col::Time), None);
    }

    #[test]
    fn empty_values_sort_last_both_ways() {
        assert_eq!(cmp_text(None, Some("a"), false), Ordering::Greater);
        assert_eq!(cmp_text(None, Some("a"), true), Ordering::Greater);
        assert_eq!(cmp_text(Some(""), Some("a"), true), Ordering::Greater);
        assert_eq!(cmp_text(Some("a"), Some("b"), false), Ordering::Less);
        assert_eq!(cmp_text(Some("a"), Some("b"), true), Ordering::Greater);
    }
}
