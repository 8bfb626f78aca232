//! Detection rules: data files under `assets/rules/` (embedded at build time), a small matcher
//! language, optional per-principal thresholds and a few built-in detectors for what a field match
//! cannot express.
pub mod burst_detectors;
pub mod detectors;
pub mod engine;
pub mod findings;
pub mod matcher;
pub mod model;
pub mod policy;
pub mod request_detectors;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::analysis::level::Level;
use crate::error::{Error, Result};
use matcher::{Cidr, Cond, Field};
pub use model::{Mitre, OnFailure, Threshold};

/// The built-in rule files, embedded so the binary needs nothing beside it.
pub const BUILTIN: [(&str, &str); 15] = [
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
    (
        "monitoring.toml",
        include_str!("../../../assets/rules/monitoring.toml"),
    ),
    ("ec2.toml", include_str!("../../../assets/rules/ec2.toml")),
    ("ssm.toml", include_str!("../../../assets/rules/ssm.toml")),
    (
        "lambda.toml",
        include_str!("../../../assets/rules/lambda.toml"),
    ),
    (
        "identity.toml",
        include_str!("../../../assets/rules/identity.toml"),
    ),
    (
        "impact.toml",
        include_str!("../../../assets/rules/impact.toml"),
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
    /// A security-group rule opening an administration port (SSH, RDP, databases, ...) to
    /// 0.0.0.0/0 or ::/0.
    SecurityGroupAdminPortOpen,
    /// Lifecycle, policy, ACL or deletion calls on a bucket a trail in the log delivers to.
    TrailBucketChanged,
    /// StopLogging or DeleteTrail, except a trail's removal by the principal and client that
    /// created it within the hour.
    TrailStopped,
    /// Many distinct enumeration calls (the catalogue's `discovery` set) by one principal within
    /// ten minutes, from a client rather than the console.
    DiscoveryBurst,
    /// Objects read and then written back under the same key by one principal, many of them
    /// within an hour: client-side encryption for ransom.
    S3ObjectsRewritten,
}

impl Detector {
    fn parse(name: &str) -> Result<Detector> {
        match name {
            "instance_credentials_outside" => Ok(Detector::InstanceCredentialsOutside),
            "console_login_new_ip" => Ok(Detector::ConsoleLoginNewIp),
            "security_group_admin_port_open" => Ok(Detector::SecurityGroupAdminPortOpen),
            "trail_bucket_changed" => Ok(Detector::TrailBucketChanged),
            "trail_stopped" => Ok(Detector::TrailStopped),
            "discovery_burst" => Ok(Detector::DiscoveryBurst),
            "s3_objects_rewritten" => Ok(Detector::S3ObjectsRewritten),
            other => Err(Error::Invalid(format!("unknown detector '{other}'"))),
        }
    }

    /// Store columns the detector reads beyond the analysis' core ones.
    pub fn columns(self) -> Vec<&'static str> {
        use crate::analysis::columns::col;
        use crate::model::schema::s;
        match self {
            Detector::S3ObjectsRewritten => vec![col(s::OBJECT_KEY)],
            _ => Vec::new(),
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
    /// What a failed call means to this rule.
    pub on_failure: OnFailure,
    /// The title when every matched call failed (default: the title marked as a failed attempt).
    pub attempt_title: Option<String>,
    /// The file the rule came from.
    pub source: String,
}

impl Rule {
    /// The level of a finding whose calls all failed: one step below the rule's, unless failures
    /// are the rule's signal.
    pub fn attempt_level(&self) -> Level {
        match self.on_failure {
            OnFailure::Same => self.level,
            OnFailure::Attempt => match self.level {
                Level::Critical => Level::High,
                Level::High => Level::Medium,
                Level::Medium | Level::Low => Level::Low,
            },
        }
    }

    /// The title of a finding whose calls all failed.
    pub fn attempt_title(&self) -> String {
        match (self.on_failure, &self.attempt_title) {
            (OnFailure::Same, _) => self.title.clone(),
            (OnFailure::Attempt, Some(t)) => t.clone(),
            (OnFailure::Attempt, None) => format!("Failed attempt: {}", self.title),
        }
    }

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
        let mut out: Vec<&'static str> = self.detector.map(Detector::columns).unwrap_or_default();
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
            on_failure: def.on_failure,
            attempt_title: def.attempt_title,
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
