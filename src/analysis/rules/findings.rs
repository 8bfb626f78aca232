//! Rule hits grouped by rule and principal, so a noisy rule gives one line per principal with a
//! count instead of one line per event.
use std::collections::BTreeMap;

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

/// Whether a finding's calls took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Outcome {
    /// Every call succeeded.
    Succeeded,
    /// Every call failed: an attempt, one level lower than a success (unless the rule looks for
    /// failures).
    Failed,
    /// Some succeeded, some failed: the rule's own level.
    Mixed,
}

impl Outcome {
    pub fn of(succeeded: usize, failed: usize) -> Outcome {
        match (succeeded, failed) {
            (_, 0) => Outcome::Succeeded,
            (0, _) => Outcome::Failed,
            _ => Outcome::Mixed,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule_id: String,
    /// Says "attempt" when every call failed (the rule's `attempt_title`).
    pub title: String,
    /// The rule's level, or one lower when every call failed.
    pub level: Level,
    pub mitre: Mitre,
    pub principal: String,
    pub count: usize,
    /// Whether the calls took effect, with the counts behind it.
    pub outcome: Outcome,
    pub succeeded: usize,
    pub failed: usize,
    /// When some calls failed: which succeeded and which failed, by call and error
    /// ("succeeded: DeleteTrail x2; failed: StopLogging x3 (TrailNotFoundException)").
    pub outcome_note: Option<String>,
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
    /// The highest level among the rule's findings.
    pub level: Level,
    pub events: usize,
    pub principals: usize,
    pub outcome: Outcome,
    pub succeeded: usize,
    pub failed: usize,
}

/// The outcome of a set of rows (for findings made outside the rule engine, such as evidence):
/// (outcome, succeeded, failed).
pub fn outcome_of(cols: &Columns<'_>, rows: &[u32]) -> (Outcome, usize, usize) {
    let failed = rows
        .iter()
        .filter(|&&r| super::engine::call_failed(cols, r as usize))
        .count();
    let succeeded = rows.len() - failed;
    (Outcome::of(succeeded, failed), succeeded, failed)
}

/// A finding's title and level for its outcome: an attempt when every call failed. Every place
/// that names a rule's hits (findings, summaries, principals' reasons) goes through here.
pub fn titled(rule: &Rule, outcome: Outcome) -> (String, Level) {
    match outcome {
        Outcome::Failed => (rule.attempt_title(), rule.attempt_level()),
        Outcome::Succeeded | Outcome::Mixed => (rule.title.clone(), rule.level),
    }
}

/// Calls by outcome: "succeeded: A x2; failed: B x3 (Error)".
fn outcome_note(cols: &Columns<'_>, h: &RuleHits, rows: &[u32]) -> String {
    let names = cols.by_idx(s::EVENT_NAME);
    let errors = cols.by_idx(s::ERROR_CODE);
    let mut ok: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bad: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for &r in rows {
        let name = names.at(r as usize).unwrap_or("(no name)");
        if h.is_failed(r) {
            let err = errors.at(r as usize).unwrap_or("error");
            *bad.entry((name, err)).or_default() += 1;
        } else {
            *ok.entry(name).or_default() += 1;
        }
    }
    let mut parts = Vec::new();
    if !ok.is_empty() {
        let list: Vec<String> = ok.iter().map(|(n, c)| format!("{n} x{c}")).collect();
        parts.push(format!("succeeded: {}", list.join(", ")));
    }
    let list: Vec<String> = bad
        .iter()
        .map(|((n, e), c)| format!("{n} x{c} ({e})"))
        .collect();
    parts.push(format!("failed: {}", list.join(", ")));
    parts.join("; ")
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
        let failed_all = h.failed.len();
        let outcome_all = Outcome::of(h.rows.len() - failed_all, failed_all);
        let (title_all, level_all) = titled(rule, outcome_all);
        summaries.push(RuleSummary {
            rule_id: rule.id.clone(),
            title: title_all,
            level: level_all,
            events: h.rows.len(),
            principals: by_principal.len(),
            outcome: outcome_all,
            succeeded: h.rows.len() - failed_all,
            failed: failed_all,
        });
        for (p, rows) in by_principal {
            let failed = rows.iter().filter(|&&r| h.is_failed(r)).count();
            let outcome = Outcome::of(rows.len() - failed, failed);
            let (title, level) = titled(rule, outcome);
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
                title,
                level,
                mitre: rule.mitre.clone(),
                principal: if p == NULL {
                    "(no principal)".to_owned()
                } else {
                    principals.value(p).unwrap_or("").to_owned()
                },
                count: rows.len(),
                outcome,
                succeeded: rows.len() - failed,
                failed,
                outcome_note: (failed > 0).then(|| outcome_note(cols, h, &rows)),
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
