//! The analysis on real third-party logs (read from ../shared/cloudtrail; skipped when absent).
use std::path::Path;

use cttui::analysis::{AnalysisOptions, Level, analyze};
use cttui::ingest::{LoadOptions, load};
use rustc_hash::FxHashMap;

fn shared(sub: &str) -> Option<String> {
    crate::support::shared_cloudtrail(sub).map(|p| p.to_string_lossy().into_owned())
}

/// A benign university teaching account (17.6k events): High/Critical principals must be rare
/// and each must say why; every S3 event name must be classified.
#[test]
fn grycap_benign_account() {
    let Some(dir) = shared("grycap-cloudtrail-tracker") else {
        return;
    };
    let (store, _) = load(&[dir], &LoadOptions::default()).expect("load");
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let high: Vec<_> = a
        .principals
        .iter()
        .filter(|p| p.risk >= Level::High)
        .collect();
    assert!(
        high.len() * 20 <= a.principals.len(),
        "{} of {} principals High or Critical: {:#?}",
        high.len(),
        a.principals.len(),
        high.iter()
            .map(|p| (&p.principal, &p.risk_reasons))
            .collect::<Vec<_>>()
    );
    for p in &high {
        // The reason names a High rule or a strong anomaly, never the "nothing found" line.
        let stated = p.risk_reasons.iter().any(|r| {
            r.contains("(high,") || r.contains("(critical,") || r.contains("strongly anomalous")
        });
        assert!(
            stated,
            "{} is {} without a stated reason: {:?}",
            p.principal, p.risk, p.risk_reasons
        );
    }
    assert!(a.principals.iter().all(|p| !p.risk_reasons.is_empty()));
    // Every anomalous score names what sets the item apart.
    let cut = a.model.anomalous;
    for p in a
        .principals
        .iter()
        .filter(|p| p.score.is_some_and(|s| s >= cut))
    {
        assert!(
            !p.reasons.is_empty(),
            "{} is anomalous without a reason",
            p.principal
        );
    }
    assert!(
        a.windows
            .iter()
            .filter(|w| w.score >= cut)
            .all(|w| !w.reasons.is_empty())
    );
    assert_eq!(
        a.s3.unknown_events, 0,
        "unclassified S3 names: {:?}",
        a.s3.unknown_names
    );
    assert_eq!(
        a.s3.data_events, 0,
        "this account logged no object-level events"
    );
    assert!(a.s3.management_events > 1000);
    // No log tampering or exposure happened here.
    assert!(a.findings.iter().all(|f| f.level < Level::Critical));
}

/// Panther's labelled rule-test events: where their rule and ours mean the same thing, ours must
/// agree with their label.
#[test]
fn panther_labelled_events() {
    let Some(dir) = shared("panther-analysis-test-events") else {
        return;
    };
    let file = format!("{dir}/panther_rule_test_events.json");
    let (store, _) = load(&[file], &LoadOptions::default()).expect("load");
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    // Record index in the file -> rules that fired on it.
    let mut fired: FxHashMap<u32, Vec<&str>> = FxHashMap::default();
    for f in &a.findings {
        for &r in &f.rows {
            let raw = store.raw_id(r as usize).expect("raw id");
            fired.entry(raw).or_default().push(f.rule_id.as_str());
        }
    }
    // (record index, our rule, expected) from the meta file's labels.
    let cases = [
        (5, "snapshot-or-image-public", true),    // AMI Made Public
        (6, "snapshot-or-image-public", false),   // group "not-all"
        (8, "snapshot-or-image-public", false),   // shared with one user
        (10, "snapshot-or-image-shared", true),   // Access Granted To Unknown User
        (25, "cloudtrail-modified", true),        // Event Selector Disabled
        (45, "cloudtrail-stopped", true),         // CloudTrail Was Stopped
        (46, "cloudtrail-stopped", false),        // CloudTrail Was Started
        (64, "console-login-no-mfa", true),       // IAM user
        (65, "console-login-no-mfa", true),       // IAM user, unknown account
        (66, "console-login-no-mfa", true),       // root
        (68, "console-login-no-mfa", false),      // MFA login
        (69, "console-login-no-mfa", false),      // login failed
        (71, "console-login-no-mfa", false),      // SSO
        (72, "console-login-no-mfa", false),      // assumed role from an MFA session
        (76, "root-activity", true),              // successful root login
        (145, "iam-admin-policy-attached", true), // AdministratorAccess
        (146, "iam-admin-policy-attached", false),
        (153, "iam-user-created", true),
        (170, "iam-access-key-created", true),
    ];
    let mut wrong = Vec::new();
    for (idx, rule, expected) in cases {
        let got = fired.get(&idx).is_some_and(|v| v.contains(&rule));
        if got != expected {
            wrong.push(format!(
                "record {idx}: {rule} expected {expected}, got {got} (fired: {:?})",
                fired.get(&idx)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
