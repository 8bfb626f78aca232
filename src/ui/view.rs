//! Views (row-id vectors made by filters, stacked with a breadcrumb) and marks.
use std::sync::Arc;

use super::loaded_log::LoadedLog;
use super::tabs::timeline;
use crate::model::query::Filter;

/// A set of events: row ids in store order (so also in time order).
/// Ids for views, so a display order cached for one is never used for another.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[derive(Debug, Clone)]
pub struct View {
    /// Unique per view made.
    pub id: u64,
    /// The query that made this view from the one below it, as typed (the breadcrumb), or a
    /// label for evidence given as rows; `None` for all events.
    pub query: Option<String>,
    /// The typed filter behind `query`; `None` for all events and for evidence rows.
    pub filter: Option<Filter>,
    pub rows: Arc<Vec<u32>>,
    /// Natural widths of the timeline columns, measured once for the view.
    pub widths: Vec<u16>,
}

impl View {
    pub fn all(inv: &LoadedLog) -> View {
        let rows: Vec<u32> = (0..inv.len() as u32).collect();
        let widths = timeline::natural_widths(inv, &rows);
        View {
            id: next_id(),
            query: None,
            filter: None,
            rows: Arc::new(rows),
            widths,
        }
    }

    /// A view of `rows` labelled `query` (evidence given as rows: no filter behind it).
    pub fn filtered(inv: &LoadedLog, query: String, rows: Vec<u32>) -> View {
        let widths = timeline::natural_widths(inv, &rows);
        View {
            id: next_id(),
            query: Some(query),
            filter: None,
            rows: Arc::new(rows),
            widths,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    #[cfg(test)]
    fn all_empty() -> View {
        View {
            id: next_id(),
            query: None,
            filter: None,
            rows: Arc::new(vec![]),
            widths: vec![],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Position of `row` in the view, or of the first row after it.
    pub fn position_of(&self, row: u32) -> usize {
        self.rows.partition_point(|&r| r < row)
    }

    pub fn contains(&self, row: u32) -> bool {
        self.rows.binary_search(&row).is_ok()
    }
}

/// The filter that reproduces a stack of views with `cttui events --filter`: the typed filters
/// ANDed as one value when every view has one, else the labels joined.
pub fn combined_query(views: &[View]) -> Option<String> {
    let stacked: Vec<&View> = views.iter().filter(|v| v.query.is_some()).collect();
    if !stacked.is_empty() && stacked.iter().all(|v| v.filter.is_some()) {
        let all = Filter::all(stacked.iter().filter_map(|v| v.filter.clone()));
        return Some(all.to_string());
    }
    let qs: Vec<&str> = views.iter().filter_map(|v| v.query.as_deref()).collect();
    match qs.len() {
        0 => None,
        1 => Some(qs[0].to_owned()),
        _ => Some(
            qs.iter()
                .map(|q| format!("({q})"))
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// Marked events, by row id: a bitset, so marking all of a million-event view is cheap.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    bits: Vec<u64>,
    count: usize,
    /// The last event marked or unmarked: one end of a range mark.
    pub anchor: Option<u32>,
}

impl Marks {
    pub fn new(len: usize) -> Marks {
        Marks {
            bits: vec![0; len.div_ceil(64)],
            count: 0,
            anchor: None,
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn is_marked(&self, row: u32) -> bool {
        self.bits
            .get(row as usize / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    pub fn set(&mut self, row: u32, on: bool) {
        let Some(w) = self.bits.get_mut(row as usize / 64) else {
            return;
        };
        let bit = 1u64 << (row % 64);
        let was = *w & bit != 0;
        if on && !was {
            *w |= bit;
            self.count += 1;
        } else if !on && was {
            *w &= !bit;
            self.count -= 1;
        }
    }

    /// Flips a mark; returns whether the event is now marked.
    pub fn toggle(&mut self, row: u32) -> bool {
        let on = !self.is_marked(row);
        self.set(row, on);
        self.anchor = Some(row);
        on
    }

    pub fn clear(&mut self) {
        self.bits.iter_mut().for_each(|w| *w = 0);
        self.count = 0;
        self.anchor = None;
    }

    /// The first marked row id.
    pub fn first(&self) -> Option<u32> {
        let (i, w) = self.bits.iter().enumerate().find(|(_, w)| **w != 0)?;
        Some(i as u32 * 64 + w.trailing_zeros())
    }

    /// The last marked row id.
    pub fn last(&self) -> Option<u32> {
        let (i, w) = self.bits.iter().enumerate().rev().find(|(_, w)| **w != 0)?;
        Some(i as u32 * 64 + 63 - w.leading_zeros())
    }

    /// Marked row ids in store order.
    pub fn rows(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.count);
        for (i, &w) in self.bits.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros();
                out.push(i as u32 * 64 + b);
                w &= w - 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_count_and_list_in_order() {
        let mut m = Marks::new(200);
        assert!(m.toggle(130));
        assert!(m.toggle(3));
        m.set(3, true);
        assert_eq!(m.count(), 2);
        assert_eq!(m.rows(), vec![3, 130]);
        assert_eq!((m.first(), m.last()), (Some(3), Some(130)));
        assert!(!m.toggle(130));
        assert_eq!(m.rows(), vec![3]);
        m.set(500, true);
        assert_eq!(m.count(), 1);
        m.clear();
        assert_eq!(m.count(), 0);
        assert!(m.rows().is_empty());
    }

    #[test]
    fn stacked_queries_combine() {
        let v = |q: Option<&str>| View {
            id: next_id(),
            query: q.map(str::to_owned),
            filter: None,
            rows: Arc::new(vec![]),
            widths: vec![],
        };
        assert_eq!(combined_query(&[v(None)]), None);
        assert_eq!(
            combined_query(&[v(None), v(Some("a:b"))]).as_deref(),
            Some("a:b")
        );
        assert_eq!(
            combined_query(&[v(None), v(Some("a:b")), v(Some("c OR d"))]).as_deref(),
            Some("(a:b) AND (c OR d)")
        );
    }

    #[test]
    fn typed_filters_combine_as_one_value() {
        use crate::model::query::{Field, Query};
        let v = |f: Filter| View {
            id: next_id(),
            query: Some(format!("typed as {f}")),
            filter: Some(f),
            rows: Arc::new(vec![]),
            widths: vec![],
        };
        let a = Filter::is(Field::Name, "GetObject");
        let b = Filter::is(Field::Ip, "1.2.3.4").or(Filter::is(Field::Ip, "5.6.7.8"));
        let views = [View::all_empty(), v(a.clone()), v(b.clone())];
        let text = combined_query(&views).expect("a filter");
        assert_eq!(text, "name:GetObject (ip:1.2.3.4 OR ip:5.6.7.8)");
        assert_eq!(
            Query::parse(&text).expect("reads back").filter(),
            &Filter::all([a, b])
        );
    }
}
