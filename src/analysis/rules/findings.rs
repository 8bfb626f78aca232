//! Rule hits grouped by rule and principal, so a noisy rule gives one line per principal with a
//! count instead of one line per event.
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::engine::RuleHits;
use super::{Mitre, Rule};
use crate::analysis::columns::{Columns, NULL};
use crate::analysis::level::Level;
use crate::analysis::timefmt;
use crate::model::schema::s;

/// How many event ids a finding lists (all its rows stay in `rows`).
pub const MAX_EVENT_IDS: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub level: Level,
    pub mitre: Mitre,
    pub principal: String,
    pub count: usize,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub first: Option<i64>,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub last: Option<i64>,
    /// The first event ids (at most [`MAX_EVENT_IDS`]).
    pub event_ids: Vec<String>,
    /// Threshold peak or detector evidence.
    pub detail: Option<String>,
    /// Every flagged row, in time order, for pivoting to the events.
    #[serde(skip)]
    pub rows: Vec<u32>,
}

/// One line per rule that fired.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub rule_id: String,
    pub title: String,
    pub level: Level,
    pub events: usize,
    pub principals: usize,
}

pub fn group(
    rules: &[Rule],
    hits: &[RuleHits],
    cols: &Columns<'_>,
) -> (Vec<Finding>, Vec<RuleSummary>) {
    let principals = cols.by_idx(s::PRINCIPAL);
    let ids = cols
        .store
        .str_col(crate::analysis::columns::col(s::EVENT_ID));
    let times = cols.times();
    let mut findings = Vec::new();
    let mut summaries = Vec::new();
    for h in hits {
        let Some(rule) = rules.get(h.rule) else {
            continue;
        };
        if h.rows.is_empty() {
            continue;
        }
        let mut by_principal: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for &r in &h.rows {
            by_principal
                .entry(principals.code(r as usize))
                .or_default()
                .push(r);
        }
        summaries.push(RuleSummary {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            level: rule.level,
            events: h.rows.len(),
            principals: by_principal.len(),
        });
        for (p, rows) in by_principal {
            let timed = rows
                .iter()
                .filter_map(|&r| times.get(r as usize).copied().flatten());
            let (first, last) =
                timed.fold((None, None), |(a, b): (Option<i64>, Option<i64>), t| {
                    (
                        Some(a.map_or(t, |a| a.min(t))),
                        Some(b.map_or(t, |b| b.max(t))),
                    )
                });
            let event_ids = rows
                .iter()
                .filter_map(|&r| {
                    ids.as_ref()
                        .and_then(|c| c.get(r as usize))
                        .map(str::to_owned)
                })
                .take(MAX_EVENT_IDS)
                .collect();
            findings.push(Finding {
                rule_id: rule.id.clone(),
                title: rule.title.clone(),
                level: rule.level,
                mitre: rule.mitre.clone(),
                principal: if p == NULL {
                    "(no principal)".to_owned()
                } else {
                    principals.value(p).unwrap_or("").to_owned()
                },
                count: rows.len(),
                first,
                last,
                event_ids,
                detail: h.notes.get(&p).cloned(),
                rows,
            });
        }
    }
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.principal.cmp(&b.principal))
    });
    summaries.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| b.events.cmp(&a.events))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    (findings, summaries)
}
