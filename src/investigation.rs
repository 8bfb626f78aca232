//! An investigation: the event store, the account of its load, the analysis, the case (pins,
//! marks, notes) and the facts derived from them. The TUI, `cttui report` and the subcommands
//! read their numbers from here, so they give the same answers.
use serde::Serialize;

use crate::Result;
use crate::analysis::render::{Limits, markdown};
use crate::analysis::{Analysis, AnalysisOptions, analyze};
use crate::model::facts::{self, ObjectReadBytes};
use crate::model::load::LoadReport;
use crate::model::query::{Annotations, Query, RuleHit};
use crate::model::store::EventStore;
use crate::playbook::Standing;
use crate::playbook::report::{self, CaseFacts, ReportInput, render};
use crate::playbook::session::Session;

/// The answers every view must agree on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facts {
    pub events: usize,
    /// Distinct principals (events without one are counted apart, never as a principal).
    pub principals: usize,
    pub events_without_principal: usize,
    /// Events per principal, most first.
    pub events_per_principal: Vec<(String, usize)>,
    /// GetObject bytes over the whole log.
    pub object_reads: ObjectReadBytes,
}

impl Facts {
    pub fn of(store: &EventStore) -> Facts {
        let per = facts::principal_counts(store);
        Facts {
            events: store.len(),
            principals: per.len(),
            events_without_principal: facts::events_without_principal(store),
            events_per_principal: per,
            object_reads: facts::object_read_bytes(store, None),
        }
    }
}

/// The analysis' per-event annotations for the `rule:`, `level:` and `risk:` query fields.
pub fn annotations(analysis: &Analysis) -> Annotations {
    let rank = |l: crate::analysis::Level| Annotations::rank(&l.to_string()).unwrap_or(0);
    Annotations {
        risk: analysis.event_risk.iter().map(|l| l.map(rank)).collect(),
        hits: analysis
            .findings
            .iter()
            .map(|f| RuleHit {
                rule: f.rule_id.clone(),
                level: rank(f.level),
                rows: f.rows.clone(),
            })
            .collect(),
    }
}

pub struct Investigation {
    pub store: EventStore,
    pub load: LoadReport,
    pub analysis: Analysis,
    /// The anomaly standing of every ranked principal, best rank first.
    pub standings: Vec<Standing>,
    pub annotations: Annotations,
}

/// "critical" -> "Critical".
fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What the playbook needs from the ranking; the analysis' suggested suspect carries its
/// confidence.
pub fn standings(analysis: &Analysis) -> Vec<Standing> {
    let suspect = analysis.suspect.as_ref();
    analysis
        .principals
        .iter()
        .map(|p| Standing {
            suggested: suspect
                .filter(|s| s.principal == p.principal)
                .map(|s| s.confidence.to_string()),
            principal: p.principal.clone(),
            rank: p.rank,
            score: p.score.unwrap_or(0.0),
            risk: title_case(&p.risk.to_string()),
            reasons: p
                .reasons
                .iter()
                .map(|r| r.text.clone())
                .chain(p.risk_reasons.iter().cloned())
                .collect(),
        })
        .collect()
}

/// The analysis' Markdown as a report section: its title dropped, its headings one level down.
fn as_section(md: &str) -> String {
    md.lines()
        .skip_while(|l| !l.starts_with("# "))
        .skip(1)
        .map(|l| {
            if l.starts_with('#') {
                format!("#{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Investigation {
    /// Runs the analysis over a loaded store.
    pub fn analyze(store: EventStore, load: LoadReport) -> Result<Investigation> {
        let analysis = analyze(&store, &AnalysisOptions::default())?;
        Ok(Investigation::with_analysis(store, load, analysis))
    }

    pub fn with_analysis(store: EventStore, load: LoadReport, analysis: Analysis) -> Investigation {
        let standings = standings(&analysis);
        let annotations = annotations(&analysis);
        Investigation {
            store,
            load,
            analysis,
            standings,
            annotations,
        }
    }

    pub fn facts(&self) -> Facts {
        Facts::of(&self.store)
    }

    /// The facts of a case: pins (the analyst's, else suggested), triage answers
    /// with their evidence, the suspect's first and last call, severity.
    pub fn case_facts(&self, session: &Session) -> Result<CaseFacts> {
        report::compute(&self.store, &self.load, session, &self.standings)
    }

    /// Rows a query selects, with the analysis' annotations available to it.
    pub fn rows(&self, q: &Query) -> Result<Vec<u32>> {
        q.rows_annotated(&self.store, None, Some(&self.annotations))
    }

    pub fn report_markdown(&self, session: &Session) -> Result<String> {
        report_markdown(&self.store, &self.load, Some(&self.analysis), session)
    }
}

/// The incident report: `cttui report` and the TUI's `R` both write exactly this.
pub fn report_markdown(
    store: &EventStore,
    load: &LoadReport,
    analysis: Option<&Analysis>,
    session: &Session,
) -> Result<String> {
    let limits = Limits {
        principals: 10,
        windows: 5,
        ..Limits::default()
    };
    let standings = analysis.map(standings).unwrap_or_default();
    let analysis_sections = analysis
        .map(|a| {
            vec![
                (
                    "Findings and anomalies".to_owned(),
                    as_section(&markdown(a, &limits)),
                ),
                // Mermaid charts with their numbers (GitHub and GitLab draw them).
                (
                    "Charts".to_owned(),
                    crate::export::charts::blocks(store, a, 3),
                ),
            ]
        })
        .unwrap_or_default();
    render(&ReportInput {
        store,
        load,
        session,
        standings: &standings,
        analysis_sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_demoted() {
        assert_eq!(as_section("# T\n\nx\n## A\ny"), "\nx\n### A\ny");
        assert_eq!(title_case("critical"), "Critical");
    }
}
