//! Each tab's own state: its cursor and the settings only that tab reads. The workspace holds
//! one of each (tabs with nothing but a cursor keep a plain `ListNav`); what also needs the
//! views or the analysis stays on the workspace and hands the data in.
use std::cell::RefCell;

use super::analysis_flow::{LevelFilter, PrincipalSort};
use super::search::ColumnState;
use super::sort::{Order, Sort};
use crate::analysis::PrincipalReport;
use crate::analysis::rules::findings::Finding;
use crate::ui::widgets::table::ListNav;

/// The Timeline tab: cursor, columns, sort and search highlight.
#[derive(Debug, Default)]
pub struct TimelineTab {
    pub nav: ListNav,
    /// The search (lower case) whose matches the timeline highlights.
    pub search: Option<String>,
    pub columns: ColumnState,
    /// The sort (`None`: time order).
    pub sort: Option<Sort>,
    /// The display order the sort made, cached for one view (see `Workspace::display_order`).
    pub(super) order: RefCell<Option<Order>>,
}

/// The S3 tab: the buckets, the exposure changes, and which of the two has the cursor.
#[derive(Debug, Default)]
pub struct S3Tab {
    pub buckets: ListNav,
    pub changes: ListNav,
    /// The exposure changes (not the buckets) have the cursor.
    pub changes_focus: bool,
}

/// The Principals tab: cursor, sort, the order it made, and the drill-down.
#[derive(Debug, Default)]
pub struct PrincipalsTab {
    pub nav: ListNav,
    pub sort: PrincipalSort,
    /// Indices into the analysis' principals in the chosen order (empty until it is done).
    pub order: Vec<usize>,
    /// The tab shows the selected principal's features and reasons.
    pub drill: bool,
}

impl PrincipalsTab {
    /// Rows of the tab: every group the analysis ranks, the events without a principal
    /// included.
    pub fn rows(&self) -> usize {
        self.order.len()
    }

    /// The index into the analysis' principals under the cursor.
    pub fn selected(&self) -> Option<usize> {
        self.order.get(self.nav.selected).copied()
    }

    /// Orders `principals` (the analysis') by the chosen column, then by name.
    pub fn reorder(&mut self, principals: &[PrincipalReport]) {
        use PrincipalSort as S;
        let sort = self.sort;
        let mut order: Vec<usize> = (0..principals.len()).collect();
        order.sort_by(|&i, &j| {
            let (x, y) = (&principals[i], &principals[j]);
            let (fx, fy) = (&x.features, &y.features);
            let primary = match sort {
                S::Events => fy.events.cmp(&fx.events),
                S::Risk => x.rank.cmp(&y.rank),
                S::Errors => fy.failures.cmp(&fx.failures),
                S::S3 => fy.get_object.cmp(&fx.get_object),
                S::Ips => fy.source_ips.cmp(&fx.source_ips),
                S::Name => std::cmp::Ordering::Equal,
            };
            primary.then_with(|| x.principal.cmp(&y.principal))
        });
        self.order = order;
    }
}

/// The Findings tab: cursor and level filter.
#[derive(Debug, Default)]
pub struct FindingsTab {
    pub nav: ListNav,
    pub level: LevelFilter,
}

impl FindingsTab {
    /// The findings at or above the level filter, in their given order.
    pub fn visible<'a>(&self, findings: &'a [Finding]) -> Vec<&'a Finding> {
        let min = self.level.min();
        findings
            .iter()
            .filter(|f| min.is_none_or(|m| f.level >= m))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_cursor_maps_through_the_order() {
        let mut p = PrincipalsTab::default();
        assert_eq!((p.rows(), p.selected()), (0, None), "no analysis yet");
        p.order = vec![2, 0, 1];
        p.nav.select(1, p.rows());
        assert_eq!(p.selected(), Some(0));
        p.nav.select(9, p.rows());
        assert_eq!(p.selected(), Some(1), "the cursor is clamped to the rows");
    }
}
