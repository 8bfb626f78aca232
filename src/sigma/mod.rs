//! Sigma rules (SigmaHQ's YAML detection format) evaluated with the rsigma engine, so rules
//! written for other tools run here unchanged. A Sigma hit becomes a finding like ours: the rule
//! list gets one [`Rule`] per Sigma rule (no match blocks of its own) and the hits are added to
//! the analysis' rule hits, so findings, event risk and principal risk treat both alike.
//!
//! Only rules for CloudTrail are kept (`logsource.product: aws`, service `cloudtrail` or none):
//! a whole SigmaHQ checkout can be given and its Windows or Linux rules are counted, not run.
//! A rule that cannot be read is a [`Problem`] naming its file and line; the others still load.
pub mod event;
pub mod load;
pub mod meta;

use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rsigma_eval::Engine;
use rustc_hash::FxHashMap;

use crate::analysis::Level;
use crate::analysis::rules::engine::RuleHits;
use crate::analysis::rules::{Mitre, Rule};
use crate::model::store::EventStore;
use event::{FieldColumns, StoreEvent};

/// A rule (or a file) that could not be loaded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line the problem is at (the rule's first line when the parser does not say).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.file.display(),
            self.line,
            crate::text::sanitize(&self.message)
        )
    }
}

/// One loaded Sigma rule's description.
#[derive(Debug, Clone)]
pub struct SigmaRuleInfo {
    /// The rule's `id` (a UUID in SigmaHQ), or `sigma:<file stem>` when it has none.
    pub id: String,
    pub title: String,
    pub description: String,
    pub level: Level,
    pub mitre: Mitre,
    pub author: Option<String>,
    pub file: PathBuf,
}

/// Loaded Sigma rules and the compiled engine.
#[derive(Default)]
pub struct SigmaRules {
    infos: Vec<SigmaRuleInfo>,
    engine: Engine,
    /// Rule id (or title) as the engine reports it -> index into `infos`.
    by_key: FxHashMap<String, usize>,
    /// Rules for other log sources, counted and left out.
    pub other_logsource: usize,
}

impl fmt::Debug for SigmaRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigmaRules")
            .field("rules", &self.infos.len())
            .field("other_logsource", &self.other_logsource)
            .finish()
    }
}

/// Whether a rule's log source is CloudTrail (or says nothing that excludes it).
fn for_cloudtrail(ls: &rsigma_parser::LogSource) -> bool {
    let is =
        |v: &Option<String>, want: &str| v.as_deref().is_none_or(|v| v.eq_ignore_ascii_case(want));
    ls.product.is_some() && is(&ls.product, "aws") && is(&ls.service, "cloudtrail")
}

/// The 1-based line a parser message points at (`... at line 7 column 3`), if it says.
fn line_in_message(msg: &str) -> Option<usize> {
    let at = msg.find("line ")?;
    let digits: String = msg[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The first line at or after `from` (1-based) that contains `needle`.
fn line_of(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
}

/// Where each YAML document of a file starts (1-based lines).
fn document_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![1];
    for (i, l) in text.lines().enumerate() {
        if l.trim_end() == "---" && i > 0 {
            starts.push(i + 2);
        }
    }
    starts
}

/// Where in the file a message about a rule (starting at `start`) points: the line the parser
/// names, else the line holding a quoted name from the message, else the rule's `detection:`.
fn locate(text: &str, start: usize, msg: &str) -> usize {
    if let Some(l) = line_in_message(msg) {
        return l;
    }
    let quoted = msg
        .split(['\'', '`'])
        .skip(1)
        .step_by(2)
        .filter(|q| !q.is_empty());
    for q in quoted {
        if let Some(l) = line_of(text, q, start) {
            return l;
        }
    }
    line_of(text, "detection:", start).unwrap_or(start)
}

impl SigmaRules {
    pub fn new() -> SigmaRules {
        SigmaRules::default()
    }

    pub fn len(&self) -> usize {
        self.infos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }

    pub fn infos(&self) -> &[SigmaRuleInfo] {
        &self.infos
    }

    /// The description of a loaded rule by id.
    pub fn info(&self, id: &str) -> Option<&SigmaRuleInfo> {
        self.infos.iter().find(|i| i.id == id)
    }

    /// Parses one file's YAML (one or more documents) and adds its CloudTrail rules. Returns what
    /// could not be loaded; the rules that could are kept.
    pub fn add_yaml(&mut self, text: &str, file: &Path) -> Vec<Problem> {
        let problem = |line: usize, message: String| Problem {
            file: file.to_path_buf(),
            line,
            message,
        };
        let collection = match rsigma_parser::parse_sigma_yaml(text) {
            Ok(c) => c,
            Err(e) => {
                let msg = e.to_string();
                return vec![problem(locate(text, 1, &msg), msg)];
            }
        };
        let starts = document_starts(text);
        let mut problems: Vec<Problem> = collection
            .errors
            .iter()
            .map(|msg| problem(locate(text, 1, msg), msg.clone()))
            .collect();
        if !collection.correlations.is_empty() || !collection.filters.is_empty() {
            problems.push(problem(
                1,
                format!(
                    "{} correlation and {} filter rule(s) not run (only detection rules are)",
                    collection.correlations.len(),
                    collection.filters.len()
                ),
            ));
        }
        for rule in &collection.rules {
            if !for_cloudtrail(&rule.logsource) {
                self.other_logsource += 1;
                continue;
            }
            let start = line_of(text, &rule.title, 1)
                .and_then(|l| starts.iter().rev().find(|&&s| s <= l).copied())
                .unwrap_or(1);
            let id = rule.id.clone().unwrap_or_else(|| {
                let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
                format!("sigma:{}", stem.unwrap_or_default())
            });
            let key = rule.id.clone().unwrap_or_else(|| rule.title.clone());
            if let Some(&other) = self.by_key.get(&key) {
                problems.push(problem(
                    start,
                    format!(
                        "duplicate rule '{key}' (already loaded from {})",
                        self.infos[other].file.display()
                    ),
                ));
                continue;
            }
            if let Err(e) = self.engine.add_rule(rule) {
                let msg = e.to_string();
                problems.push(problem(locate(text, start, &msg), msg));
                continue;
            }
            self.by_key.insert(key, self.infos.len());
            self.infos.push(SigmaRuleInfo {
                id,
                title: rule.title.clone(),
                description: rule.description.clone().unwrap_or_default(),
                level: meta::level(rule.level),
                mitre: meta::mitre(&rule.tags),
                author: rule.author.clone(),
                file: file.to_path_buf(),
            });
        }
        problems
    }

    /// One analysis rule per Sigma rule: same id, title, level and MITRE mapping, no match blocks
    /// (the hits come from [`SigmaRules::hits`]).
    pub fn as_rules(&self) -> Vec<Rule> {
        self.infos
            .iter()
            .map(|i| Rule {
                id: i.id.clone(),
                title: i.title.clone(),
                description: i.description.clone(),
                level: i.level,
                mitre: i.mitre.clone(),
                blocks: Vec::new(),
                threshold: None,
                detector: None,
                source: i.file.display().to_string(),
            })
            .collect()
    }

    /// The rows each rule matches, in store order (index as in [`SigmaRules::infos`]).
    pub fn run(&self, store: &EventStore) -> Vec<Vec<u32>> {
        let mut per_rule: Vec<Vec<u32>> = vec![Vec::new(); self.infos.len()];
        if self.infos.is_empty() {
            return per_rule;
        }
        let cols = FieldColumns::build(store);
        const CHUNK: usize = 8192;
        let chunks: Vec<Vec<(usize, u32)>> = (0..store.len().div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut out = Vec::new();
                for row in c * CHUNK..((c + 1) * CHUNK).min(store.len()) {
                    let ev = StoreEvent::new(store, &cols, row);
                    for hit in self.engine.evaluate(&ev) {
                        let key = hit
                            .header
                            .rule_id
                            .as_deref()
                            .unwrap_or(&hit.header.rule_title);
                        if let Some(&i) = self.by_key.get(key) {
                            out.push((i, row as u32));
                        }
                    }
                }
                out
            })
            .collect();
        for (i, row) in chunks.into_iter().flatten() {
            per_rule[i].push(row);
        }
        per_rule
    }

    /// [`SigmaRules::run`] as analysis rule hits; rule `i` is at `base + i` in the rule list.
    pub fn hits(&self, store: &EventStore, base: usize) -> Vec<RuleHits> {
        self.run(store)
            .into_iter()
            .enumerate()
            .map(|(i, rows)| RuleHits {
                rule: base + i,
                rows,
                notes: Default::default(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "title: Trail stopped
id: 11111111-2222-4333-8444-555555555555
author: someone
level: high
tags:
  - attack.defense-evasion
  - attack.t1562.008
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: StopLogging
  condition: selection
";

    #[test]
    fn loads_metadata_and_skips_other_products() {
        let mut s = SigmaRules::new();
        let windows = "title: W\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Image: x\n  condition: sel\n";
        assert!(s.add_yaml(GOOD, Path::new("a.yml")).is_empty());
        assert!(s.add_yaml(windows, Path::new("w.yml")).is_empty());
        assert_eq!(s.len(), 1);
        assert_eq!(s.other_logsource, 1);
        let r = &s.as_rules()[0];
        assert_eq!(r.id, "11111111-2222-4333-8444-555555555555");
        assert_eq!(
            (r.level, r.mitre.technique.as_str()),
            (Level::High, "T1562.008")
        );
        assert_eq!(s.infos()[0].author.as_deref(), Some("someone"));
    }

    #[test]
    fn a_broken_rule_names_its_line_and_the_rest_load() {
        let mut s = SigmaRules::new();
        let bad_modifier = GOOD
            .replace("id: 1111", "id: 9111")
            .replace("eventName: StopLogging", "eventName|nosuchmod: StopLogging");
        let p = s.add_yaml(&bad_modifier, Path::new("bad.yml"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 14, "{}", p[0]);
        assert!(p[0].to_string().starts_with("bad.yml:14: "), "{}", p[0]);
        let bad_yaml = "title: x\nlogsource: [\n";
        let p = s.add_yaml(bad_yaml, Path::new("y.yml"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].line >= 2, "{}", p[0]);
        assert!(s.add_yaml(GOOD, Path::new("a.yml")).is_empty());
        assert_eq!(s.len(), 1);
        let dup = s.add_yaml(GOOD, Path::new("again.yml"));
        assert!(dup[0].message.contains("duplicate"), "{dup:?}");
    }
}
