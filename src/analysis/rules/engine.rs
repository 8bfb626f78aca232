//! Runs rules over the store: per-value lookup tables for column tests, raw-record tests only on
//! the events that pass those, candidate events narrowed by event name, then thresholds.
use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::matcher::{Cidr, EventView, Field};
use super::{Rule, Threshold, detectors};
use crate::analysis::columns::{Columns, NULL, col};
use crate::analysis::features::Groups;
use crate::analysis::humanize;
use crate::model::schema::s;

/// The events one rule flagged.
#[derive(Debug, Clone, Default)]
pub struct RuleHits {
    /// Index of the rule in the rule list.
    pub rule: usize,
    /// Flagged rows in store (time) order.
    pub rows: Vec<u32>,
    /// A note per principal code (threshold peak, detector evidence).
    pub notes: BTreeMap<u32, String>,
    /// The flagged rows whose call failed (an error code or message): attempts. Sorted.
    pub failed: Vec<u32>,
}

impl RuleHits {
    /// Whether a flagged row's call failed.
    pub fn is_failed(&self, row: u32) -> bool {
        self.failed.binary_search(&row).is_ok()
    }

    /// The level a flagged row carries: the rule's, or its attempt level when the call failed.
    pub fn level_at(&self, rule: &Rule, row: u32) -> crate::analysis::Level {
        if self.is_failed(row) {
            rule.attempt_level()
        } else {
            rule.level
        }
    }
}

/// Whether the call of a row failed: CloudTrail writes an error code (or, for console sign-in
/// failures, only an error message).
pub fn call_failed(cols: &Columns<'_>, row: usize) -> bool {
    if cols
        .by_idx(s::ERROR_CODE)
        .at(row)
        .is_some_and(|c| !c.trim().is_empty())
    {
        return true;
    }
    cols.store
        .str_at(col(s::ERROR_MESSAGE), row)
        .is_some_and(|m| !m.is_empty())
}

/// Shared inputs of a rule run.
pub struct RunContext<'c, 'a> {
    pub cols: &'c Columns<'a>,
    /// Rows grouped by event-name code, to visit only candidate events.
    pub by_name: &'c Groups,
    pub known: &'c [Cidr],
}

pub fn run(rules: &[Rule], ctx: &RunContext<'_, '_>) -> Vec<RuleHits> {
    rules
        .par_iter()
        .enumerate()
        .map(|(i, rule)| {
            let (rows, mut notes) = match rule.detector {
                Some(d) => detectors::run(d, ctx),
                None => (match_rows(rule, ctx), BTreeMap::new()),
            };
            let rows = match rule.threshold {
                Some(t) => apply_threshold(&rows, t, ctx.cols, &mut notes),
                None => rows,
            };
            let failed = rows
                .iter()
                .copied()
                .filter(|&r| call_failed(ctx.cols, r as usize))
                .collect();
            RuleHits {
                rule: i,
                rows,
                notes,
                failed,
            }
        })
        .collect()
}

struct FastTest<'c> {
    codes: &'c [u32],
    table: Vec<bool>,
    null_ok: bool,
}

impl FastTest<'_> {
    #[inline]
    fn ok(&self, row: usize) -> bool {
        match self.codes.get(row) {
            Some(&c) if c != NULL => self.table[c as usize],
            _ => self.null_ok,
        }
    }
}

/// Rows matching any of the rule's blocks.
pub fn match_rows(rule: &Rule, ctx: &RunContext<'_, '_>) -> Vec<u32> {
    let cols = ctx.cols;
    let mut out: Vec<u32> = Vec::new();
    for block in &rule.blocks {
        let mut fast = Vec::new();
        let mut slow = Vec::new();
        let mut name_table: Option<Vec<bool>> = None;
        for t in block {
            match &t.field {
                Field::Column(name) if !t.cond.needs_event() => {
                    let dict = cols.dict(name);
                    let table = dict.table(|v| t.cond.holds(&[v], None));
                    if *name == col(s::EVENT_NAME) {
                        name_table = Some(match name_table {
                            Some(prev) => prev.iter().zip(&table).map(|(a, b)| *a && *b).collect(),
                            None => table.clone(),
                        });
                    }
                    fast.push(FastTest {
                        codes: dict.codes(),
                        table,
                        null_ok: t.cond.holds(&[], None),
                    });
                }
                _ => slow.push(t),
            }
        }
        // The raw record's top-level members the slow tests read: the rest is never built.
        let mut keys: Vec<String> = Vec::new();
        for t in &slow {
            let mut fields = vec![&t.field];
            t.cond.other_fields(&mut fields);
            for k in fields.into_iter().filter_map(Field::top_key) {
                if !keys.iter().any(|have| have == k) {
                    keys.push(k.to_owned());
                }
            }
        }
        let fast_ok = |r: usize| fast.iter().all(|f| f.ok(r));
        let slow_ok = |r: usize| {
            let ev = EventView::with_keys(cols, r, &keys);
            slow.iter().all(|t| {
                let vals = t.field.values(&ev);
                let refs: Vec<&str> = vals.iter().map(String::as_str).collect();
                t.cond.holds(&refs, Some(&ev))
            })
        };
        let mut cand: Vec<u32> = match name_table {
            // Only events whose name passes: visit their row groups.
            Some(names) => {
                let mut cand: Vec<u32> = Vec::new();
                for (code, ok) in names.iter().enumerate() {
                    if *ok {
                        cand.extend_from_slice(ctx.by_name.get(code));
                    }
                }
                cand.retain(|&r| fast_ok(r as usize));
                cand
            }
            None => (0..cols.n as u32)
                .filter(|&r| fast_ok(r as usize))
                .collect(),
        };
        if !slow.is_empty() {
            // Raw records read in stored order; `out` is sorted back below.
            cols.store.sort_stored_order(&mut cand);
            cand.retain(|&r| slow_ok(r as usize));
        }
        out.extend(cand);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Keeps the events that belong to a run of at least `count` matches by one principal within
/// `window_secs`, and notes each principal's peak.
pub fn apply_threshold(
    rows: &[u32],
    t: Threshold,
    cols: &Columns<'_>,
    notes: &mut BTreeMap<u32, String>,
) -> Vec<u32> {
    let principals = cols.by_idx(s::PRINCIPAL);
    let times = cols.times();
    let mut groups: FxHashMap<u32, Vec<(i64, u32)>> = FxHashMap::default();
    for &r in rows {
        if let Some(tm) = times.get(r as usize).copied().flatten() {
            groups
                .entry(principals.code(r as usize))
                .or_default()
                .push((tm, r));
        }
    }
    let w = t.window_secs * 1000;
    let mut keep = Vec::new();
    for (p, g) in groups {
        let mut i = 0;
        let mut marked = 0;
        let mut peak = 0;
        for j in 0..g.len() {
            while g[j].0 - g[i].0 > w {
                i += 1;
            }
            let n = j - i + 1;
            peak = peak.max(n);
            if n >= t.count {
                for item in &g[marked.max(i)..=j] {
                    keep.push(item.1);
                }
                marked = j + 1;
            }
        }
        if peak >= t.count {
            notes.insert(
                p,
                format!(
                    "peak {} within {} (threshold {})",
                    humanize::count(peak as u64),
                    humanize::duration(t.window_secs),
                    humanize::count(t.count as u64)
                ),
            );
        }
    }
    keep.sort_unstable();
    keep
}
