//! A P1-P4 severity suggestion from the playbook's criteria.
use serde::{Deserialize, Serialize};

use super::triage::{Answer, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::P1 => "P1 Critical",
            Priority::P2 => "P2 High",
            Priority::P3 => "P3 Medium",
            Priority::P4 => "P4 Low",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        match s.trim().to_ascii_uppercase().get(..2)? {
            "P1" => Some(Priority::P1),
            "P2" => Some(Priority::P2),
            "P3" => Some(Priority::P3),
            "P4" => Some(Priority::P4),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Severity {
    pub priority: Priority,
    pub reasons: Vec<String>,
}

/// The playbook: P1 = confirmed exfiltration of sensitive data outside AWS or public exposure of
/// customer data; P2 = confirmed unauthorised reads, exfiltration unclear; P3 = anomalous patterns,
/// no confirmed unauthorised access; P4 = misconfiguration without evidence of exploitation.
/// `public_exposure` is whether a bucket was opened to the public (policy or public access block).
pub fn suggest(answers: &[Answer], public_exposure: bool) -> Severity {
    let st = |id: &str| answers.iter().find(|a| a.id == id).map(|a| a.status);
    let unauthorised = matches!(st("Q4"), Some(Status::Suspected | Status::Yes))
        || matches!(st("Q5"), Some(Status::Suspected | Status::Yes));
    let left_aws = matches!(st("Q7"), Some(Status::Suspected | Status::Yes));
    let sensitive = matches!(st("Q9"), Some(Status::Suspected | Status::Yes));
    let read = matches!(st("Q6"), Some(Status::Yes));
    let mut reasons = Vec::new();
    let priority = if unauthorised && read && left_aws && sensitive {
        reasons.push("unauthorised reads of sensitive-looking data from outside AWS".to_owned());
        Priority::P1
    } else if public_exposure && unauthorised {
        reasons.push("a bucket was opened to the public by a suspicious principal".to_owned());
        Priority::P1
    } else if unauthorised && read {
        reasons.push("unauthorised reads; exfiltration not established".to_owned());
        Priority::P2
    } else if unauthorised || matches!(st("Q5"), Some(Status::Unknown)) && read {
        reasons.push("anomalous activity without confirmed unauthorised data access".to_owned());
        Priority::P3
    } else {
        reasons.push("no evidence of exploitation".to_owned());
        Priority::P4
    };
    if public_exposure {
        reasons.push("public exposure change present".to_owned());
    }
    reasons.push(
        "a suggestion from the log alone: confirm the classification (Q2) and override".to_owned(),
    );
    Severity { priority, reasons }
}
