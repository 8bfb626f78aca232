//! False positives of the rules on benign real logs (read from ../shared/cloudtrail; skipped when
//! absent): GRyCAP's teaching account (17.6k events, 2014-2018) and Permiso's console sessions
//! (records without userIdentity or sourceIPAddress).
use std::path::Path;

use cttui::analysis::{Analysis, AnalysisOptions, Level, analyze};
use cttui::ingest::{LoadOptions, load};

fn analyse(sub: &str) -> Option<Analysis> {
    let p = Path::new("../shared/cloudtrail").join(sub);
    if !p.exists() {
        eprintln!(
            "SKIP: {} is absent (real logs live beside the repository)",
            p.display()
        );
        return None;
    }
    let (store, _) =
        load(&[p.to_string_lossy().into_owned()], &LoadOptions::default()).expect("load");
    Some(analyze(&store, &AnalysisOptions::default()).expect("analysis"))
}

/// The coverage rules of issue 8 (the older rules' benign hits are measured by
/// tests/analysis_real_logs.rs).
const NEW_RULES: &[&str] = &[
    "dns-query-logging-deleted",
    "organizations-leave",
    "cloudtrail-bucket-changed",
    "ec2-unusual-instances",
    "ec2-user-data-read",
    "ec2-user-data-read-burst",
    "ec2-user-data-modified",
    "ec2-password-data",
    "ec2-password-data-burst",
    "ec2-security-group-admin-port-open",
    "ec2-instance-connect-key",
    "ec2-serial-console-key",
    "ec2-serial-console-enabled",
    "ebs-default-encryption-disabled",
    "ssm-send-command-shell",
    "ssm-send-command",
    "ssm-start-session",
    "lambda-permission-outside",
    "lambda-layer-added",
    "lambda-layer-shared-outside",
    "lambda-public-url",
    "iam-identity-provider-added",
    "rolesanywhere-trust-anchor",
    "sts-federation-token",
    "iam-trust-policy-outside",
    "iam-password-reset-for-other-user",
    "iam-mfa-removed",
    "kms-key-deletion",
    "kms-key-policy-changed",
    "kms-key-policy-outside",
    "s3-bulk-delete",
    "s3-batch-delete",
    "s3-objects-rewritten",
    "s3-sse-c-write",
    "bedrock-model-invoked",
    "discovery-burst",
    "ses-enumeration",
    "ssm-securestring-read",
    "secret-policy-outside",
    "s3-policy-cross-account",
];

fn at_least(a: &Analysis, level: Level, only_new: bool) -> Vec<String> {
    a.findings
        .iter()
        .filter(|f| f.level >= level && (!only_new || NEW_RULES.contains(&f.rule_id.as_str())))
        .map(|f| {
            format!(
                "{} {} {} x{} ({})",
                f.level, f.rule_id, f.principal, f.count, f.outcome
            )
        })
        .collect()
}

/// GRyCAP: the new rules add a handful of Medium+ findings at most (each printed), and nothing
/// is Critical.
#[test]
fn grycap_stays_quiet() {
    let Some(a) = analyse("grycap-cloudtrail-tracker") else {
        return;
    };
    let all = at_least(&a, Level::Medium, false);
    let new = at_least(&a, Level::Medium, true);
    for f in &new {
        println!("{f}");
    }
    println!(
        "new rules: {} Medium+ findings; all rules: {} Medium+ of {} findings; {} events, {} principals",
        new.len(),
        all.len(),
        a.findings.len(),
        a.events,
        a.principals.len()
    );
    assert!(
        a.findings.iter().all(|f| f.level < Level::Critical),
        "{all:#?}"
    );
    assert!(new.len() <= 3, "{new:#?}");
}

/// Permiso's console sessions: nothing Critical, and the new rules raise nothing High.
#[test]
fn permiso_console_sessions_stay_quiet() {
    let Some(a) = analyse("permiso-console-sessions-reduced-schema") else {
        return;
    };
    let all = at_least(&a, Level::Medium, false);
    for f in &all {
        println!("{f}");
    }
    let new_high = at_least(&a, Level::High, true);
    println!(
        "{} Medium+ findings ({} from new rules) on {} events; new rules High+: {}",
        all.len(),
        at_least(&a, Level::Medium, true).len(),
        a.events,
        new_high.len()
    );
    assert!(
        a.findings.iter().all(|f| f.level < Level::Critical),
        "{all:#?}"
    );
    assert!(new_high.is_empty(), "{new_high:#?}");
}
