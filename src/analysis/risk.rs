//! Composite risk: rule levels, anomaly scores and failures combined into one level per event and
//! per principal, each principal's level with the reasons that set it.
use rustc_hash::FxHashMap;

use super::features::{FeatureTable, Features};
use super::humanize;
use super::level::Level;
use super::rules::Rule;
use super::rules::engine::RuleHits;
use super::rules::findings::{Outcome, titled};

/// A principal scoring at or above this is worth a look (at least Low, with the reason).
pub const ANOMALOUS: f64 = 0.62;
/// At or above this an anomaly alone makes a principal Medium and marks the window's events; a
/// High rule hit that coincides with it becomes Critical. (On the benign GRyCAP teaching account,
/// 17.6k events and 451 principal-hours, two windows reach 0.70 and none 0.72.)
pub const STRONG: f64 = 0.70;
/// Denied calls: this many, at this share, is a failure signal.
pub const DENIED_MIN: u64 = 10;
pub const DENIED_SHARE: f64 = 0.2;

/// Highest rule level per event, then: events in strongly anomalous windows are at least Low, and
/// High rule hits inside them become Critical.
pub fn event_levels(
    n: usize,
    rules: &[Rule],
    hits: &[RuleHits],
    table: &FeatureTable,
    window_scores: &[f64],
) -> Vec<Option<Level>> {
    let mut levels: Vec<Option<Level>> = vec![None; n];
    for h in hits {
        let Some(rule) = rules.get(h.rule) else {
            continue;
        };
        for &r in &h.rows {
            let slot = &mut levels[r as usize];
            *slot = (*slot).max(Some(h.level_at(rule, r)));
        }
    }
    for (w, &score) in table.windows.iter().zip(window_scores) {
        if score < STRONG {
            continue;
        }
        for &r in table.window_rows(w) {
            let slot = &mut levels[r as usize];
            *slot = match *slot {
                Some(l) if l >= Level::High => Some(l.raise()),
                Some(l) => Some(l),
                None => Some(Level::Low),
            };
        }
    }
    levels
}

/// One rule's hits on one entity, with how many of those calls failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityHits {
    /// Index of the rule in the rule list.
    pub rule: usize,
    pub count: usize,
    pub failed: usize,
}

impl EntityHits {
    pub fn outcome(&self) -> Outcome {
        Outcome::of(self.count - self.failed, self.failed)
    }

    /// The title and level these hits carry: the attempt wording and level when every call failed.
    pub fn titled(&self, rule: &Rule) -> (String, Level) {
        titled(rule, self.outcome())
    }
}

/// Rule hits per entity, by rule index, for entity risk and reports.
pub fn hits_per_entity(table: &FeatureTable, hits: &[RuleHits], n: usize) -> Vec<Vec<EntityHits>> {
    let mut entity_of = vec![u32::MAX; n];
    for g in 0..table.groups.len() {
        for &r in table.groups.get(g) {
            entity_of[r as usize] = g as u32;
        }
    }
    let mut counts: FxHashMap<(u32, usize), (usize, usize)> = FxHashMap::default();
    for h in hits {
        for &r in &h.rows {
            let e = entity_of[r as usize];
            if e != u32::MAX {
                let c = counts.entry((e, h.rule)).or_default();
                c.0 += 1;
                c.1 += usize::from(h.is_failed(r));
            }
        }
    }
    let mut out = vec![Vec::new(); table.groups.len()];
    for ((e, rule), (count, failed)) in counts {
        out[e as usize].push(EntityHits {
            rule,
            count,
            failed,
        });
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out
}

/// An entity's composite level and the reasons for it.
pub fn entity_risk(
    rules: &[Rule],
    rule_hits: &[EntityHits],
    score: Option<f64>,
    top_reason: Option<&str>,
    f: &Features,
) -> (Level, Vec<String>) {
    let mut level: Option<Level> = None;
    let mut reasons = Vec::new();
    // (title, level for the outcome, count): an entity whose calls of a rule all failed made an
    // attempt, and its reasons say so.
    let mut fired: Vec<(String, Level, usize, &str)> = rule_hits
        .iter()
        .filter_map(|h| {
            let rule = rules.get(h.rule)?;
            let (title, level) = h.titled(rule);
            Some((title, level, h.count, rule.id.as_str()))
        })
        .collect();
    fired.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| b.2.cmp(&a.2))
            .then_with(|| a.3.cmp(b.3))
    });
    let rule_level = fired.first().map(|f| f.1);
    for (title, l, c, _) in fired.iter().take(3) {
        reasons.push(format!(
            "{title} ({l}, {} event{})",
            humanize::count(*c as u64),
            if *c == 1 { "" } else { "s" }
        ));
    }
    if fired.len() > 3 {
        reasons.push(format!("and {} more rule(s)", fired.len() - 3));
    }
    level = level.max(rule_level);
    let s = score.unwrap_or(0.0);
    let why = top_reason.map(|t| format!(": {t}")).unwrap_or_default();
    if s >= STRONG {
        level = level.max(Some(Level::Medium));
        reasons.push(format!("strongly anomalous behaviour (score {s:.2}){why}"));
    } else if s >= ANOMALOUS {
        level = level.max(Some(Level::Low));
        reasons.push(format!("anomalous behaviour (score {s:.2}){why}"));
    }
    if let Some(rl) = rule_level
        && rl >= Level::High
        && s >= STRONG
    {
        level = Some(rl.raise());
        reasons.push(format!(
            "{rl} rule hits and strongly anomalous behaviour coincide: raised to {}",
            rl.raise()
        ));
    }
    if f.access_denied >= DENIED_MIN && f.access_denied_share >= DENIED_SHARE {
        let text = format!(
            "{} calls denied ({} of all)",
            humanize::count(f.access_denied),
            humanize::percent(f.access_denied_share)
        );
        level = level.max(Some(if s >= ANOMALOUS {
            Level::Medium
        } else {
            Level::Low
        }));
        reasons.push(text);
    }
    match level {
        Some(l) => (l, reasons),
        None => (
            Level::Low,
            vec!["no rule fired and behaviour is within the population".to_owned()],
        ),
    }
}
