//! Ranking principals: evidence of compromise (credential misuse, chains, tampering followed by
//! action) first, then rule severity, then anomaly; a robust-statistics score when there are too
//! few points for the forest; and the suggested suspect with a confidence and its reasons.
use serde::Serialize;

use super::PrincipalReport;
use super::evidence::Evidence;
use super::level::Level;
use super::scaling::Robust;

/// Anomaly-like scores (0.5 = typical) from robust z-scores, for populations too small for the
/// forest: the largest |z| over the features, 0.04 per unit (|z| 3 reaches the "anomalous" 0.62,
/// |z| 5 the "strong" 0.70), capped at 0.9. Each point is compared with the others only, so a
/// single outlier does not pull the median towards itself.
pub fn robust_scores<const N: usize>(points: &[[f64; N]]) -> Option<Vec<f64>> {
    if points.len() < 3 {
        return None;
    }
    Some(
        (0..points.len())
            .map(|i| {
                let mut worst = 0.0f64;
                for k in 0..N {
                    let others: Vec<f64> = points
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| j != i)
                        .map(|(_, p)| p[k])
                        .collect();
                    let r = Robust::fit(&others);
                    // Spread floors: counts on a log scale move by ~0.7 per doubling.
                    let z = (points[i][k] - r.median).abs() / r.scale.max(0.5);
                    worst = worst.max(z);
                }
                (0.5 + 0.04 * worst).min(0.9)
            })
            .collect(),
    )
}

/// What a principal's evidence adds to its ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EvidenceKey {
    pub level: Option<Level>,
    pub weight: u32,
}

/// Low evidence is context (one credential on two networks with the same client), not evidence
/// of compromise: it is listed, but does not order principals.
pub fn evidence_key(items: &[&Evidence]) -> EvidenceKey {
    let counted = || items.iter().filter(|e| e.level > Level::Low);
    EvidenceKey {
        level: counted().map(|e| e.level).max(),
        weight: counted()
            .map(|e| e.kind.weight() * level_weight(e.level))
            .sum(),
    }
}

fn level_weight(l: Level) -> u32 {
    match l {
        Level::Low => 1,
        Level::Medium => 2,
        Level::High => 4,
        Level::Critical => 8,
    }
}

/// The ranking order: overall level, then evidence of compromise (level, weight), then the rules'
/// level, then the anomaly score, then volume, then name.
pub fn order(a: &PrincipalReport, b: &PrincipalReport) -> std::cmp::Ordering {
    let score = |s: Option<f64>| s.map_or(-1.0, |s| (s * 1000.0).round() / 1000.0);
    b.risk
        .cmp(&a.risk)
        .then_with(|| b.compromise_key.cmp(&a.compromise_key))
        .then_with(|| b.rule_level.cmp(&a.rule_level))
        .then_with(|| score(b.score).total_cmp(&score(a.score)))
        .then_with(|| b.features.events.cmp(&a.features.events))
        .then_with(|| a.principal.cmp(&b.principal))
}

/// How sure the suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        })
    }
}

/// The principal the analysis suggests as SUSPECT: a suggestion, never a pin.
#[derive(Debug, Clone, Serialize)]
pub struct Suspect {
    pub principal: String,
    pub level: Level,
    pub confidence: Confidence,
    /// Why, strongest first (quotes log values: sanitise before drawing).
    pub reasons: Vec<String>,
    /// The runner-up and why it ranks lower, when there is one.
    pub runner_up: Option<String>,
}

/// Suggests the top-ranked principal when it is at least Medium.
pub fn suggest(ranked: &[PrincipalReport]) -> Option<Suspect> {
    // Records without an identity are not an actor to suspect.
    let top = ranked
        .iter()
        .find(|p| p.principal != super::features::EntityKind::Principal.missing_name())?;
    if top.risk < Level::Medium {
        return None;
    }
    let next = ranked.iter().find(|p| p.rank != top.rank);
    let top_ev = top.compromise_key.level;
    let next_ev = next.and_then(|n| n.compromise_key.level);
    let confidence = match top_ev {
        Some(l) if l >= Level::High && next_ev.is_none_or(|n| n < l) => Confidence::High,
        Some(l) if l >= Level::High => Confidence::Medium,
        Some(_) => Confidence::Medium,
        None if top.risk >= Level::High && next.is_none_or(|n| n.risk < top.risk) => {
            Confidence::Medium
        }
        None => Confidence::Low,
    };
    let mut reasons: Vec<String> = top.evidence.clone();
    for r in &top.risk_reasons {
        if reasons.len() >= 6 {
            break;
        }
        if !reasons.contains(r) {
            reasons.push(r.clone());
        }
    }
    let runner_up = next.map(|n| {
        let why = if n.risk < top.risk {
            format!("{} vs {}", n.risk, top.risk)
        } else if n.compromise_key < top.compromise_key {
            "less evidence of compromise".to_owned()
        } else if n.rule_level < top.rule_level {
            "lower rule levels".to_owned()
        } else {
            "lower anomaly score".to_owned()
        };
        format!("{} ({}; {why})", n.principal, n.risk)
    });
    Some(Suspect {
        principal: top.principal.clone(),
        level: top.risk,
        confidence,
        reasons,
        runner_up,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robust_scores_single_out_the_outlier() {
        let mut pts = vec![[1.0, 2.0]; 4];
        pts.push([9.0, 2.0]);
        let s = robust_scores(&pts).expect("scores");
        assert!(s[4] >= 0.70, "{s:?}");
        assert!(s[..4].iter().all(|&x| x < 0.62), "{s:?}");
        assert!(robust_scores(&pts[..2]).is_none());
    }
}
