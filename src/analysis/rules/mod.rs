//! Detection rules: data files under `assets/rules/` (embedded at build time), a small matcher
//! language, optional per-principal thresholds and a few built-in detectors for what a field match
//! cannot express.
pub mod detectors;
pub mod engine;
pub mod findings;
pub mod matcher;
pub mod model;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::analysis::level::Level;
use crate::error::{Error, Result};
use matcher::{Cidr, Cond, Field};
pub use model::{Mitre, Threshold};

/// The built-in rule files, embedded so the binary needs nothing beside it.
pub const BUILTIN: [(&str, &str); 9] = [
    (
        "logging.toml",
        include_str!("../../../assets/rules/logging.toml"),
    ),
    ("s3.toml", include_str!("../../../assets/rules/s3.toml")),
    (
        "recon.toml",
        include_str!("../../../assets/rules/recon.toml"),
    ),
    (
        "persistence.toml",
        include_str!("../../../assets/rules/persistence.toml"),
    ),
    (
        "console.toml",
        include_str!("../../../assets/rules/console.toml"),
    ),
    (
        "secrets.toml",
        include_str!("../../../assets/rules/secrets.toml"),
    ),
    (
        "sharing.toml",
        include_str!("../../../assets/rules/sharing.toml"),
    ),
    (
        "credentials.toml",
        include_str!("../../../assets/rules/credentials.toml"),
    ),
    (
        "tools.toml",
        include_str!("../../../assets/rules/tools.toml"),
    ),
];

/// Built-in detectors a rule can name with `detector = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    /// An assumed-role session named after an EC2 instance (`i-…`) calling from a public address
    /// that is not its usual one (or outside the known ranges, when given).
    InstanceCredentialsOutside,
    /// A console login from an address the principal had not used before, by a principal that
    /// had logged in before from elsewhere.
    ConsoleLoginNewIp,
}

impl Detector {
    fn parse(name: &str) -> Result<Detector> {
        match name {
            "instance_credentials_outside" => Ok(Detector::InstanceCredentialsOutside),
            "console_login_new_ip" => Ok(Detector::ConsoleLoginNewIp),
            other => Err(Error::Invalid(format!("unknown detector '{other}'"))),
        }
    }
}

/// A field test within a match block.
#[derive(Debug, Clone)]
pub struct Test {
    pub field: Field,
    pub cond: Cond,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub description: String,
    pub level: Level,
    pub mitre: Mitre,
    /// Alternatives: the rule matches an event when every test of any block holds.
    pub blocks: Vec<Vec<Test>>,
    pub threshold: Option<Threshold>,
    pub detector: Option<Detector>,
    /// The file the rule came from.
    pub source: String,
}

impl Rule {
    /// Store columns the rule's tests read.
    pub fn columns(&self) -> Vec<&'static str> {
        fn walk(c: &Cond, out: &mut Vec<&'static str>) {
            match c {
                Cond::DiffersFrom(Field::Column(n)) => out.push(n),
                Cond::Not(c) => walk(c, out),
                Cond::All(v) => v.iter().for_each(|c| walk(c, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for t in self.blocks.iter().flatten() {
            if let Field::Column(n) = t.field {
                out.push(n);
            }
            walk(&t.cond, &mut out);
        }
        out
    }
}

/// Parses one rule file. `known` are the analyst's own address ranges (for `ip = "public"`).
pub fn parse_rules(text: &str, source: &str, known: &Arc<[Cidr]>) -> Result<Vec<Rule>> {
    let file: model::RuleFile =
        toml::from_str(text).map_err(|e| Error::Invalid(format!("rule file {source}: {e}")))?;
    let mut out = Vec::with_capacity(file.rule.len());
    for def in file.rule {
        let ctx = |e: Error| Error::Invalid(format!("rule {} in {source}: {e}", def.id));
        let mut blocks = Vec::with_capacity(def.matches.len());
        for block in &def.matches {
            let mut tests = Vec::with_capacity(block.len());
            for (path, cond) in block {
                tests.push(Test {
                    field: Field::parse(path).map_err(ctx)?,
                    cond: Cond::compile(cond, known).map_err(ctx)?,
                });
            }
            if tests.is_empty() {
                return Err(ctx(Error::Invalid("empty match block".to_owned())));
            }
            blocks.push(tests);
        }
        let detector = def
            .detector
            .as_deref()
            .map(Detector::parse)
            .transpose()
            .map_err(ctx)?;
        if blocks.is_empty() && detector.is_none() {
            return Err(ctx(Error::Invalid(
                "needs a match block or a detector".to_owned(),
            )));
        }
        if let Some(t) = def.threshold
            && (t.count == 0 || t.window_secs <= 0)
        {
            return Err(ctx(Error::Invalid(
                "threshold needs count >= 1 and window_secs > 0".to_owned(),
            )));
        }
        out.push(Rule {
            id: def.id,
            title: def.title,
            description: def.description,
            level: def.level,
            mitre: Mitre {
                tactic: def.tactic,
                technique: def.technique,
            },
            blocks,
            threshold: def.threshold,
            detector,
            source: source.to_owned(),
        });
    }
    Ok(out)
}

/// The built-in rules.
pub fn builtin(known: &Arc<[Cidr]>) -> Result<Vec<Rule>> {
    let mut all = Vec::new();
    for (name, text) in BUILTIN {
        all.extend(parse_rules(text, name, known)?);
    }
    check_unique(&all)?;
    Ok(all)
}

pub fn check_unique(rules: &[Rule]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for r in rules {
        if !seen.insert(r.id.as_str()) {
            return Err(Error::Invalid(format!("duplicate rule id '{}'", r.id)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests on raw-record fields parse the event's JSON: every built-in block that has one must
    /// also narrow by event name, so a rule never parses every record of a large log.
    #[test]
    fn raw_field_tests_are_narrowed_by_event_name() {
        let known: Arc<[Cidr]> = Arc::from(Vec::new());
        for rule in builtin(&known).expect("built-in rules") {
            for block in &rule.blocks {
                let raw = block.iter().any(|t| matches!(t.field, Field::Raw(_)));
                let by_name = block.iter().any(|t| {
                    t.field
                        == Field::Column(crate::analysis::columns::col(
                            crate::model::schema::s::EVENT_NAME,
                        ))
                });
                let root_only = block.iter().any(|t| {
                    t.field
                        == Field::Column(crate::analysis::columns::col(
                            crate::model::schema::s::IDENTITY_TYPE,
                        ))
                });
                assert!(
                    !raw || by_name || root_only,
                    "rule {}: raw-field test without an event name",
                    rule.id
                );
            }
        }
    }
}
