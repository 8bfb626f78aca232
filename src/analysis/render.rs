//! The analysis for people: Markdown (log strings escaped with `md_cell`) and plain text (log
//! strings sanitised for the terminal). Both show the same sections and rows as the JSON, cut to
//! the limits below.
use std::fmt::Write;

use super::humanize;
use super::timefmt::show;
use super::{Analysis, Level};
use crate::text::{md_cell, sanitize, truncate};

/// How much of each section to show.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub principals: usize,
    pub windows: usize,
    /// Findings shown per rule (a noisy rule must not flood the list).
    pub findings_per_rule: usize,
    pub buckets: usize,
    pub changes: usize,
    pub used_once: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            principals: 30,
            windows: 10,
            findings_per_rule: 10,
            buckets: 20,
            changes: 50,
            used_once: 30,
        }
    }
}

fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "-".to_owned(), |s| format!("{s:.3}"))
}

/// Findings in display order with at most `per_rule` per rule; returns (shown, hidden per rule).
fn capped_findings(a: &Analysis, per_rule: usize) -> (Vec<&super::Finding>, Vec<(String, usize)>) {
    let mut shown = Vec::new();
    let mut per: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in &a.findings {
        let c = per.entry(f.rule_id.as_str()).or_default();
        *c += 1;
        if *c <= per_rule {
            shown.push(f);
        }
    }
    let hidden = per
        .into_iter()
        .filter(|(_, c)| *c > per_rule)
        .map(|(r, c)| (r.to_owned(), c - per_rule))
        .collect();
    (shown, hidden)
}

/// What the ranking ranks: (one, many), e.g. ("principal", "principals").
fn entity_words(a: &Analysis) -> (&'static str, &'static str) {
    match a.model.entity {
        super::EntityKind::Principal => ("principal", "principals"),
        super::EntityKind::SourceIp => ("source IP", "source IPs"),
    }
}

/// Distinct entities, not counting the group of events without one ("(no principal)"), so the
/// count equals the summary's and the TUI's.
fn entity_count(a: &Analysis) -> usize {
    let missing = a.model.entity.missing_name();
    a.principals
        .iter()
        .filter(|p| p.principal != missing)
        .count()
}

fn header_line(a: &Analysis) -> String {
    format!(
        "{} events, {} {}, {} windows of {}; isolation forest: {} trees, sample {}, extension {}, seed {}",
        humanize::count(a.events as u64),
        humanize::count(entity_count(a) as u64),
        entity_words(a).1,
        humanize::count(a.model.windows as u64),
        humanize::duration(a.model.window_secs),
        a.model.trees,
        a.model.sample_size,
        a.model.extension_level,
        a.model.seed
    )
}

pub fn markdown(a: &Analysis, lim: &Limits) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# cttui analysis\n");
    let _ = writeln!(o, "{}\n", md_cell(&header_line(a)));
    for n in &a.model.notes {
        let _ = writeln!(o, "- note: {}", md_cell(n));
    }
    let c = a.event_risk_counts;
    let _ = writeln!(
        o,
        "Events by risk: critical {}, high {}, medium {}, low {}.\n",
        c.critical, c.high, c.medium, c.low
    );

    let (one, many) = entity_words(a);
    let _ = writeln!(
        o,
        "## {}{} (most anomalous first)\n",
        many[..1].to_uppercase(),
        &many[1..]
    );
    let _ = writeln!(
        o,
        "| # | {one} | score | risk | events | why | risk reasons |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for p in a.principals.iter().take(lim.principals) {
        let why: Vec<String> = p.reasons.iter().map(|r| md_cell(&r.text)).collect();
        let risk: Vec<String> = p.risk_reasons.iter().map(|r| md_cell(r)).collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            p.rank,
            md_cell(&p.principal),
            score(p.score),
            p.risk,
            humanize::count(p.features.events),
            why.join("; "),
            risk.join("; ")
        );
    }
    if a.principals.len() > lim.principals {
        let _ = writeln!(
            o,
            "\n{} more {one}(s) in the JSON output.",
            a.principals.len() - lim.principals
        );
    }

    let _ = writeln!(o, "\n## Most anomalous windows\n");
    let _ = writeln!(o, "| start | principal | score | events | why |");
    let _ = writeln!(o, "|---|---|---|---|---|");
    for w in a.windows.iter().take(lim.windows) {
        let why: Vec<String> = w.reasons.iter().map(|r| md_cell(&r.text)).collect();
        let _ = writeln!(
            o,
            "| {} | {} | {:.3} | {} | {} |",
            show(Some(w.start)),
            md_cell(&w.principal),
            w.score,
            humanize::count(w.features.events),
            why.join("; ")
        );
    }

    let _ = writeln!(o, "\n## Findings (by rule and principal)\n");
    let (shown, hidden) = capped_findings(a, lim.findings_per_rule);
    let _ = writeln!(
        o,
        "| level | rule | title | MITRE | principal | count | first | last | detail |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|");
    for f in shown {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f.level,
            md_cell(&f.rule_id),
            md_cell(&f.title),
            md_cell(&format!("{} / {}", f.mitre.tactic, f.mitre.technique)),
            md_cell(&f.principal),
            humanize::count(f.count as u64),
            show(f.first),
            show(f.last),
            md_cell(f.detail.as_deref().unwrap_or(""))
        );
    }
    for (rule, n) in hidden {
        let _ = writeln!(o, "\n{} more principal(s) for rule {}.", n, md_cell(&rule));
    }

    let s3 = &a.s3;
    let _ = writeln!(o, "\n## S3\n");
    let _ = writeln!(
        o,
        "{} S3 events: {} data (object level), {} management (bucket configuration), {} unknown; {} classified from the record's own eventCategory/managementEvent.\n",
        s3.events, s3.data_events, s3.management_events, s3.unknown_events, s3.classified_by_record
    );
    if !s3.unknown_names.is_empty() {
        let names: Vec<String> = s3
            .unknown_names
            .iter()
            .map(|c| format!("{} ({})", md_cell(&c.value), c.count))
            .collect();
        let _ = writeln!(o, "Unclassified S3 event names: {}\n", names.join(", "));
    }
    let _ = writeln!(
        o,
        "| bucket | events | data | management | principals | GetObject | bytes out | changes | first | last |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|---|");
    for b in s3.buckets.iter().take(lim.buckets) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md_cell(&b.bucket),
            b.events,
            b.data_events,
            b.management_events,
            b.principals,
            b.get_object,
            humanize::bytes(b.bytes_out as f64),
            b.exposure_changes,
            show(b.first),
            show(b.last)
        );
    }
    if !s3.exposure_changes.is_empty() {
        let _ = writeln!(o, "\n### Permission and exposure changes\n");
        let _ = writeln!(
            o,
            "| time | event | bucket | principal | source IP | error |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|");
        for ch in s3.exposure_changes.iter().take(lim.changes) {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                show(ch.time),
                md_cell(&ch.event_name),
                md_cell(ch.bucket.as_deref().unwrap_or("")),
                md_cell(ch.principal.as_deref().unwrap_or("")),
                md_cell(ch.source_ip.as_deref().unwrap_or("")),
                md_cell(ch.error_code.as_deref().unwrap_or(""))
            );
        }
    }

    let _ = writeln!(o, "\n## Regions\n");
    let _ = writeln!(o, "| region | events | principals | flagged |");
    let _ = writeln!(o, "|---|---|---|---|");
    for r in &a.regions.regions {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md_cell(&r.region),
            humanize::count(r.events as u64),
            r.principals,
            humanize::percent(r.flagged_share)
        );
    }
    if !a.regions.used_once.is_empty() {
        let _ = writeln!(o, "\n### Regions a principal used only once\n");
        if a.regions.used_once.len() > FOLD_USED_ONCE {
            used_once_folded(&mut o, a);
        } else {
            let _ = writeln!(o, "| time | principal | region | event |");
            let _ = writeln!(o, "|---|---|---|---|");
            for u in &a.regions.used_once {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    show(u.time),
                    md_cell(&u.principal),
                    md_cell(&u.region),
                    md_cell(u.event_name.as_deref().unwrap_or(""))
                );
            }
        }
    }
    o
}

/// Above this many rows the regions-used-once list is folded by identity.
const FOLD_USED_ONCE: usize = 10;

/// The identity a one-off region call is folded under: a role for its sessions (every CI run is
/// a new session), else the principal.
fn fold_key(principal: &str) -> &str {
    match principal.find(":assumed-role/") {
        Some(at) => {
            let role_end = principal[at + ":assumed-role/".len()..]
                .find('/')
                .map_or(principal.len(), |i| at + ":assumed-role/".len() + i);
            &principal[..role_end]
        }
        None => principal,
    }
}

/// The long regions-used-once list folded to one row per identity, most calls first: a role
/// whose every session touches a new region (CI) is one row, a lone stolen credential another.
fn used_once_folded(o: &mut String, a: &Analysis) {
    struct Fold<'a> {
        key: &'a str,
        calls: usize,
        regions: std::collections::BTreeSet<&'a str>,
        first: Option<i64>,
        last: Option<i64>,
    }
    let mut folds: Vec<Fold> = Vec::new();
    for u in &a.regions.used_once {
        let key = fold_key(&u.principal);
        let i = match folds.iter().position(|f| f.key == key) {
            Some(i) => i,
            None => {
                folds.push(Fold {
                    key,
                    calls: 0,
                    regions: Default::default(),
                    first: u.time,
                    last: u.time,
                });
                folds.len() - 1
            }
        };
        let f = &mut folds[i];
        f.calls += 1;
        f.regions.insert(&u.region);
        // The list is in time order (untimed last).
        if u.time.is_some() {
            f.last = u.time;
        }
    }
    folds.sort_by(|x, y| y.calls.cmp(&x.calls).then_with(|| x.key.cmp(y.key)));
    let _ = writeln!(
        o,
        "{} one-off calls, folded by identity (sessions of a role together); `cttui analyze --format json` lists each.\n",
        a.regions.used_once.len()
    );
    let _ = writeln!(o, "| identity | one-off calls | regions | first | last |");
    let _ = writeln!(o, "|---|---|---|---|---|");
    for f in &folds {
        let regions: Vec<String> = f.regions.iter().map(|r| md_cell(r)).collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md_cell(f.key),
            f.calls,
            regions.join(", "),
            show(f.first),
            show(f.last)
        );
    }
}

fn clean(s: &str, max: usize) -> String {
    truncate(&sanitize(s), max).into_owned()
}

fn level_tag(l: Level) -> &'static str {
    match l {
        Level::Low => "LOW",
        Level::Medium => "MEDIUM",
        Level::High => "HIGH",
        Level::Critical => "CRITICAL",
    }
}

pub fn text(a: &Analysis, lim: &Limits) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "cttui analysis: {}", header_line(a));
    for n in &a.model.notes {
        let _ = writeln!(o, "note: {}", sanitize(n));
    }
    let c = a.event_risk_counts;
    let _ = writeln!(
        o,
        "events by risk: critical {}, high {}, medium {}, low {}",
        c.critical, c.high, c.medium, c.low
    );

    let _ = writeln!(
        o,
        "\n{} (most anomalous first)",
        entity_words(a).1.to_uppercase()
    );
    for p in a.principals.iter().take(lim.principals) {
        let _ = writeln!(
            o,
            "{:>3}. {:<8} score {}  events {:>9}  {}",
            p.rank,
            level_tag(p.risk),
            score(p.score),
            humanize::count(p.features.events),
            clean(&p.principal, 100)
        );
        for r in &p.reasons {
            let _ = writeln!(o, "       why:  {}", clean(&r.text, 160));
        }
        for r in &p.risk_reasons {
            let _ = writeln!(o, "       risk: {}", clean(r, 160));
        }
    }
    if a.principals.len() > lim.principals {
        let _ = writeln!(
            o,
            "     ... {} more (see --format json)",
            a.principals.len() - lim.principals
        );
    }

    let _ = writeln!(o, "\nMOST ANOMALOUS WINDOWS");
    for w in a.windows.iter().take(lim.windows) {
        let _ = writeln!(
            o,
            "  {}  score {:.3}  events {:>7}  {}",
            show(Some(w.start)),
            w.score,
            humanize::count(w.features.events),
            clean(&w.principal, 100)
        );
        for r in &w.reasons {
            let _ = writeln!(o, "       why:  {}", clean(&r.text, 160));
        }
    }

    let _ = writeln!(o, "\nFINDINGS (by rule and principal)");
    let (shown, hidden) = capped_findings(a, lim.findings_per_rule);
    for f in shown {
        let _ = writeln!(
            o,
            "  {:<8} {:<32} x{:<7} {}",
            level_tag(f.level),
            clean(&f.rule_id, 32),
            humanize::count(f.count as u64),
            clean(&f.principal, 100)
        );
        let _ = writeln!(
            o,
            "           {} [{} / {}] {} .. {}",
            clean(&f.title, 80),
            f.mitre.tactic,
            f.mitre.technique,
            show(f.first),
            show(f.last)
        );
        if let Some(d) = &f.detail {
            let _ = writeln!(o, "           {}", clean(d, 160));
        }
    }
    for (rule, n) in hidden {
        let _ = writeln!(o, "  ... {n} more principal(s) for {}", clean(&rule, 40));
    }

    let s3 = &a.s3;
    let _ = writeln!(
        o,
        "\nS3: {} events: {} data, {} management, {} unknown ({} classified from the record)",
        s3.events, s3.data_events, s3.management_events, s3.unknown_events, s3.classified_by_record
    );
    if !s3.unknown_names.is_empty() {
        let names: Vec<String> = s3
            .unknown_names
            .iter()
            .map(|c| format!("{} ({})", clean(&c.value, 60), c.count))
            .collect();
        let _ = writeln!(o, "  unclassified names: {}", names.join(", "));
    }
    for b in s3.buckets.iter().take(lim.buckets) {
        let _ = writeln!(
            o,
            "  {:<40} events {:>7}  data {:>7}  mgmt {:>5}  principals {:>3}  GetObject {:>7}  out {:>10}  changes {}  {} .. {}",
            clean(&b.bucket, 40),
            b.events,
            b.data_events,
            b.management_events,
            b.principals,
            b.get_object,
            humanize::bytes(b.bytes_out as f64),
            b.exposure_changes,
            show(b.first),
            show(b.last)
        );
    }
    if !s3.exposure_changes.is_empty() {
        let _ = writeln!(o, "  permission and exposure changes:");
        for ch in s3.exposure_changes.iter().take(lim.changes) {
            let _ = writeln!(
                o,
                "    {}  {:<32} {:<30} {} {}{}",
                show(ch.time),
                clean(&ch.event_name, 32),
                clean(ch.bucket.as_deref().unwrap_or("-"), 30),
                clean(ch.principal.as_deref().unwrap_or("-"), 80),
                clean(ch.source_ip.as_deref().unwrap_or("-"), 40),
                ch.error_code
                    .as_deref()
                    .map(|e| format!("  FAILED {}", clean(e, 40)))
                    .unwrap_or_default()
            );
        }
    }

    let _ = writeln!(o, "\nREGIONS");
    for r in &a.regions.regions {
        let _ = writeln!(
            o,
            "  {:<16} events {:>9}  principals {:>4}  flagged {:>4}",
            clean(&r.region, 16),
            humanize::count(r.events as u64),
            r.principals,
            humanize::percent(r.flagged_share)
        );
    }
    if !a.regions.used_once.is_empty() {
        let _ = writeln!(o, "  regions a principal used only once:");
        for u in a.regions.used_once.iter().take(lim.used_once) {
            let _ = writeln!(
                o,
                "    {}  {:<16} {:<28} {}",
                show(u.time),
                clean(&u.region, 16),
                clean(u.event_name.as_deref().unwrap_or("-"), 28),
                clean(&u.principal, 100)
            );
        }
        if a.regions.used_once.len() > lim.used_once {
            let _ = writeln!(
                o,
                "    ... {} more",
                a.regions.used_once.len() - lim.used_once
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::fold_key;

    #[test]
    fn sessions_of_a_role_fold_together() {
        assert_eq!(
            fold_key("arn:aws:sts::1:assumed-role/terraform-ci/terraform-run-42"),
            "arn:aws:sts::1:assumed-role/terraform-ci"
        );
        assert_eq!(
            fold_key("arn:aws:sts::1:assumed-role/r"),
            "arn:aws:sts::1:assumed-role/r"
        );
        assert_eq!(
            fold_key("arn:aws:iam::1:user/alice"),
            "arn:aws:iam::1:user/alice"
        );
    }
}
