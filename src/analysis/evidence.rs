//! Evidence of compromise: what the credential and chain detectors found, each item with its
//! level, a sentence and the cited steps (events), so the ranking can put it first and a reader can
//! check every step.
use serde::Serialize;

use super::columns::{self, Columns, NULL};
use super::level::Level;
use super::rules::Mitre;
use super::rules::findings::{Finding, MAX_EVENT_IDS};
use super::timefmt;
use crate::model::schema::s;

/// What kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// Compute credentials used where their compute does not run.
    CredentialMisuse,
    /// A principal whose address also drove misused credentials.
    StolenCredentialOperator,
    /// A long-term key first seen in this log from a network its user never used.
    NewKeyNewNetwork,
    /// One person's credential (an access key, a role session) used from two networks outside
    /// AWS, or by clients on two operating systems, switching within minutes.
    ConcurrentUse,
    /// Enumeration, broad rights to itself (or a principal it created), new keys, their use.
    PrivilegeEscalation,
    /// New credentials for a principal it created or another user, then used.
    CredentialPersistence,
    /// Discovery, then a burst of object reads.
    ReconThenReads,
    /// Logging or detection switched off, then a sensitive action.
    TamperingThenAction,
}

impl EvidenceKind {
    /// The id under which the evidence appears among the findings.
    pub fn id(self) -> &'static str {
        match self {
            EvidenceKind::CredentialMisuse => "credential-misuse",
            EvidenceKind::StolenCredentialOperator => "credential-misuse-operator",
            EvidenceKind::NewKeyNewNetwork => "credential-new-key-new-network",
            EvidenceKind::ConcurrentUse => "credential-concurrent-use",
            EvidenceKind::PrivilegeEscalation => "chain-privilege-escalation",
            EvidenceKind::CredentialPersistence => "chain-credential-persistence",
            EvidenceKind::ReconThenReads => "chain-recon-then-reads",
            EvidenceKind::TamperingThenAction => "chain-tampering-then-action",
        }
    }

    pub fn mitre(self) -> Mitre {
        let (tactic, technique) = match self {
            EvidenceKind::CredentialMisuse | EvidenceKind::StolenCredentialOperator => (
                "TA0006 Credential Access",
                "T1552.005 Unsecured Credentials: Cloud Instance Metadata API",
            ),
            EvidenceKind::NewKeyNewNetwork | EvidenceKind::ConcurrentUse => (
                "TA0001 Initial Access",
                "T1078.004 Valid Accounts: Cloud Accounts",
            ),
            EvidenceKind::PrivilegeEscalation => (
                "TA0004 Privilege Escalation",
                "T1098.003 Account Manipulation: Additional Cloud Roles",
            ),
            EvidenceKind::CredentialPersistence => (
                "TA0003 Persistence",
                "T1098.001 Account Manipulation: Additional Cloud Credentials",
            ),
            EvidenceKind::ReconThenReads => ("TA0009 Collection", "T1530 Data from Cloud Storage"),
            EvidenceKind::TamperingThenAction => (
                "TA0005 Defense Evasion",
                "T1562.008 Impair Defenses: Disable or Modify Cloud Logs",
            ),
        };
        Mitre {
            tactic: tactic.to_owned(),
            technique: technique.to_owned(),
        }
    }

    /// How much this kind weighs in ordering principals with evidence of the same level.
    pub fn weight(self) -> u32 {
        match self {
            EvidenceKind::PrivilegeEscalation | EvidenceKind::CredentialMisuse => 4,
            EvidenceKind::StolenCredentialOperator
            | EvidenceKind::CredentialPersistence
            | EvidenceKind::TamperingThenAction => 3,
            EvidenceKind::ReconThenReads | EvidenceKind::ConcurrentUse => 2,
            EvidenceKind::NewKeyNewNetwork => 1,
        }
    }
}

/// One cited step of a story.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub time: Option<i64>,
    pub event_name: String,
    pub event_id: Option<String>,
    /// What the step did ("granted itself Action * on Resource *").
    pub text: String,
    /// Denied or failed: an attempt, not an achievement.
    pub failed: bool,
    #[serde(skip)]
    pub row: u32,
}

impl Step {
    pub fn at(cols: &Columns<'_>, row: u32, text: impl Into<String>) -> Step {
        let r = row as usize;
        Step {
            time: cols.times().get(r).copied().flatten(),
            event_name: cols.by_idx(s::EVENT_NAME).at(r).unwrap_or("").to_owned(),
            event_id: cols.store.str_at(columns::col(s::EVENT_ID), r),
            text: text.into(),
            failed: cols.by_idx(s::ERROR_CODE).code(r) != NULL,
            row,
        }
    }
}

/// One piece of evidence of compromise about one principal.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub level: Level,
    pub principal: String,
    pub title: String,
    /// The story in one sentence (quotes log values: sanitise before drawing).
    pub text: String,
    /// Cited steps in time order (at most a few per stage).
    pub steps: Vec<Step>,
    /// Every event the evidence rests on, sorted.
    #[serde(skip)]
    pub rows: Vec<u32>,
    /// The principal's dictionary code.
    #[serde(skip)]
    pub principal_code: u32,
}

impl Evidence {
    /// The evidence as a finding, so lists, reports and the timeline show it with the rules'.
    pub fn finding(&self, cols: &Columns<'_>) -> Finding {
        let times = cols.times();
        let t = |r: &u32| times.get(*r as usize).copied().flatten();
        let ids = cols.store.str_col(columns::col(s::EVENT_ID));
        let failed = self
            .rows
            .iter()
            .filter(|&&r| crate::analysis::rules::engine::call_failed(cols, r as usize))
            .count();
        let succeeded = self.rows.len() - failed;
        Finding {
            outcome: crate::analysis::rules::findings::Outcome::of(succeeded, failed),
            succeeded,
            failed,
            outcome_note: None,
            rule_id: self.kind.id().to_owned(),
            title: self.title.clone(),
            level: self.level,
            mitre: self.kind.mitre(),
            principal: self.principal.clone(),
            count: self.rows.len(),
            first: self.rows.iter().filter_map(t).min(),
            last: self.rows.iter().filter_map(t).max(),
            event_ids: self
                .rows
                .iter()
                .filter_map(|&r| {
                    ids.as_ref()
                        .and_then(|c| c.get(r as usize))
                        .map(str::to_owned)
                })
                .take(MAX_EVENT_IDS)
                .collect(),
            detail: Some(self.text.clone()),
            rows: self.rows.clone(),
        }
    }
}

/// The principal's name for a code (as the findings name it).
pub fn principal_name(cols: &Columns<'_>, code: u32) -> String {
    if code == NULL {
        "(no principal)".to_owned()
    } else {
        cols.by_idx(s::PRINCIPAL)
            .value(code)
            .unwrap_or("")
            .to_owned()
    }
}

/// A short list of values, "a, b, c and 2 more".
pub fn short_list<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let mut out: Vec<&str> = items.iter().take(max).map(AsRef::as_ref).collect();
    let more = items.len().saturating_sub(max);
    let mut s = out.join(", ");
    if more > 0 {
        out.clear();
        s.push_str(&format!(" and {more} more"));
    }
    s
}
