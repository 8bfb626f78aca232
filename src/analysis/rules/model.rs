//! Rule files: the data model and its TOML form.
//!
//! ```toml
//! [[rule]]
//! id = "cloudtrail-stopped"
//! title = "CloudTrail logging stopped or deleted"
//! description = "..."
//! level = "critical"                      # low | medium | high | critical
//! tactic = "TA0005 Defense Evasion"
//! technique = "T1562.008 Disable or Modify Cloud Logs"
//! detector = "..."                        # optional: a built-in detector instead of match blocks
//! attempt_title = "..."                    # optional: the title when every matched call failed
//! on_failure = "attempt"                   # attempt (default): failed calls are attempts, one
//!                                          # level lower; same: failures are the signal itself
//! [[rule.match]]                          # blocks are alternatives (any block may match);
//! eventSource = "cloudtrail.amazonaws.com" # within a block every field must hold
//! eventName = ["StopLogging", "DeleteTrail"]
//! [rule.threshold]                        # optional: only when a principal reaches `count`
//! count = 100                             # matching events within `window_secs`
//! window_secs = 3600
//! ```
//!
//! A field is a CloudTrail record path (`eventName`, `userIdentity.type`,
//! `requestParameters.x-amz-acl`, `resources[*].accountId`; `[*]` means any element) or
//! `principal` (cttui's canonical principal). Its condition is a string (equals), a list of
//! strings (any of), or a table whose keys must all hold: `equals`, `any_of`, `glob` (one pattern or
//! a list; `*` and `?`, case-insensitive), `exists` (true/false), `not` (a condition),
//! `differs_from` (another field; holds when both are present and differ), `ip`
//! (`public` | `private` | `not_ip`), `in_set` (a set of the API catalogue, `assets/catalog.toml`)
//! and `grants_outside` (true: the value, a policy document or a principal, lets in `*` or an
//! account other than the event's own).
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::level::Level;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub title: String,
    pub description: String,
    pub level: Level,
    pub tactic: String,
    pub technique: String,
    #[serde(default, rename = "match")]
    pub matches: Vec<BTreeMap<String, CondDef>>,
    #[serde(default)]
    pub threshold: Option<Threshold>,
    #[serde(default)]
    pub detector: Option<String>,
    #[serde(default)]
    pub attempt_title: Option<String>,
    #[serde(default)]
    pub on_failure: OnFailure,
}

/// What a failed call means to a rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// A failed call is an attempt: reported as such, one level lower than a success.
    #[default]
    Attempt,
    /// Failures are what the rule looks for (denied bursts, failed logins): level unchanged.
    Same,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub count: usize,
    pub window_secs: i64,
}

/// A condition as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum CondDef {
    Equals(String),
    AnyOf(Vec<String>),
    Table(Box<CondTable>),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondTable {
    pub equals: Option<String>,
    pub any_of: Option<Vec<String>>,
    pub glob: Option<OneOrMany>,
    pub exists: Option<bool>,
    pub not: Option<CondDef>,
    pub differs_from: Option<String>,
    pub ip: Option<IpClass>,
    pub in_set: Option<String>,
    pub grants_outside: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpClass {
    /// A valid address outside private, loopback, link-local, shared (CGNAT) and reserved ranges
    /// and outside the analysis' known ranges.
    Public,
    /// A valid address inside those ranges.
    Private,
    /// Not an address (AWS service names such as `ec2.amazonaws.com`, `AWS Internal`).
    NotIp,
}

/// MITRE ATT&CK mapping of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mitre {
    pub tactic: String,
    pub technique: String,
}
