//! The playbook's steps and investigation queries, read from the embedded `assets/playbook.toml`.
use serde::{Deserialize, Serialize};

const PLAYBOOK_TOML: &str = include_str!("../../assets/playbook.toml");

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Step {
    pub id: String,
    pub part: String,
    pub title: String,
    pub goal: String,
    pub checks: Vec<String>,
    /// Views that answer the step: query ids (`q1`..`q12`) or `triage`, `health`, `persistence`,
    /// `quiet`, `report`.
    pub views: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct QuerySpec {
    pub id: String,
    pub title: String,
    /// Pins the query needs: `bucket`, `suspect`.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Query-language text with `{BUCKET}` / `{SUSPECT}` placeholders.
    #[serde(default)]
    pub filter: Option<String>,
    /// Columns to aggregate by (`hour` is the event time floored to the hour).
    #[serde(default)]
    pub group_by: Vec<String>,
    /// Keep only groups with more events than this.
    #[serde(default)]
    pub having: Option<usize>,
    /// Why this query cannot run on CloudTrail, when it cannot.
    #[serde(default)]
    pub unavailable: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Playbook {
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
    #[serde(rename = "query")]
    pub queries: Vec<QuerySpec>,
}

impl Playbook {
    /// The built-in playbook. The file is part of the binary and checked by a test, so a parse
    /// failure here is a build defect, reported as an error rather than a panic.
    pub fn builtin() -> crate::Result<Playbook> {
        toml::from_str(PLAYBOOK_TOML)
            .map_err(|e| crate::Error::Invalid(format!("assets/playbook.toml: {e}")))
    }

    pub fn query(&self, id: &str) -> Option<&QuerySpec> {
        self.queries.iter().find(|q| q.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_playbook_has_all_parts_and_twelve_queries() {
        let p = Playbook::builtin().expect("parses");
        let parts: Vec<_> = p.steps.iter().map(|s| s.part.as_str()).collect();
        assert_eq!(parts, ["1", "2", "3", "4", "4b", "5"]);
        let ids: Vec<_> = p.queries.iter().map(|q| q.id.clone()).collect();
        assert_eq!(ids, (1..=12).map(|i| format!("q{i}")).collect::<Vec<_>>());
        for q in &p.queries {
            assert!(q.filter.is_some() != q.unavailable.is_some(), "{}", q.id);
        }
        // Every view a step names exists.
        for s in &p.steps {
            for v in &s.views {
                let known = p.query(v).is_some()
                    || ["triage", "health", "persistence", "quiet", "report"].contains(&v.as_str());
                assert!(known, "{}: unknown view {v}", s.id);
            }
        }
    }
}
