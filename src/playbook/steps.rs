//! The playbook's steps and investigation queries, read from the embedded `assets/playbook.toml`.
use serde::{Deserialize, Serialize};

use crate::analysis::catalog;

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
        let mut p: Playbook = toml::from_str(PLAYBOOK_TOML)
            .map_err(|e| crate::Error::Invalid(format!("assets/playbook.toml: {e}")))?;
        for q in &mut p.queries {
            if let Some(f) = &q.filter {
                q.filter = Some(expand_sets(f)?);
            }
        }
        Ok(p)
    }

    pub fn query(&self, id: &str) -> Option<&QuerySpec> {
        self.queries.iter().find(|q| q.id == id)
    }
}

/// Replaces every `{set:NAME}` with `(name:A OR name:B ...)` over the catalogue's set NAME.
pub fn expand_sets(filter: &str) -> crate::Result<String> {
    const OPEN: &str = "{set:";
    let mut out = String::with_capacity(filter.len());
    let mut rest = filter;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let end = after
            .find('}')
            .ok_or_else(|| crate::Error::Invalid(format!("unclosed {{set:...}} in '{filter}'")))?;
        let key = &after[..end];
        let names = catalog::names_by_key(key).ok_or_else(|| {
            crate::Error::Invalid(format!("unknown API catalogue set '{key}' in '{filter}'"))
        })?;
        let alts: Vec<String> = names.iter().map(|n| format!("name:{n}")).collect();
        out.push('(');
        out.push_str(&alts.join(" OR "));
        out.push(')');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_expand_from_the_catalogue() {
        assert_eq!(
            expand_sets("user:x {set:identity_creation}").expect("expands"),
            "user:x (name:CreateUser OR name:CreateRole)"
        );
        assert!(expand_sets("{set:nope}").is_err());
        assert!(expand_sets("{set:recon").is_err());
        assert_eq!(expand_sets("plain").expect("as is"), "plain");
    }

    #[test]
    fn builtin_playbook_has_all_parts_and_twelve_queries() {
        let p = Playbook::builtin().expect("parses");
        let parts: Vec<_> = p.steps.iter().map(|s| s.part.as_str()).collect();
        assert_eq!(parts, ["1", "2", "3", "4", "4b", "5"]);
        let ids: Vec<_> = p.queries.iter().map(|q| q.id.clone()).collect();
        assert_eq!(ids, (1..=12).map(|i| format!("q{i}")).collect::<Vec<_>>());
        for q in &p.queries {
            assert!(q.filter.is_some() != q.unavailable.is_some(), "{}", q.id);
            if let Some(f) = &q.filter {
                assert!(!f.contains("{set:"), "{}: {f}", q.id);
                let bound = f.replace("{BUCKET}", "b").replace("{SUSPECT}", "s");
                crate::model::query::Query::parse(&bound).expect("expanded filter parses");
            }
        }
        let q9 = p.query("q9").and_then(|q| q.filter.clone()).expect("q9");
        assert!(
            q9.contains("name:PutBucketPolicy OR") && q9.ends_with(')'),
            "{q9}"
        );
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
