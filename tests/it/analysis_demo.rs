//! Acceptance on the committed demo logs (`demo-logs/`, ground truth in demo-logs/README.md):
//! the stolen instance credentials rank first with reasons naming the burst, the new address,
//! the Kali user agent and the failures, and the incident's rules fire.
use std::path::Path;

use cttui::analysis::{AnalysisOptions, Level, analyze};
use cttui::ingest::{LoadOptions, load};

const DEMO: &str = "demo-logs";
const ATTACKER: &str =
    "arn:aws:sts::111122223333:assumed-role/webapp-prod-ec2-role/i-0a3f5c9e27b14d6f8";
/// 2024-04-15T04:00:00Z, the burst hour.
const BURST_HOUR_MS: i64 = 1_713_153_600_000;

#[test]
fn demo_incident() {
    let (store, _) = load(&[DEMO.to_owned()], &LoadOptions::default()).expect("load");
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");

    let top = &a.principals[0];
    assert_eq!(top.principal, ATTACKER);
    assert_eq!(top.risk, Level::Critical, "{:?}", top.risk_reasons);
    let why: Vec<&str> = top.reasons.iter().map(|r| r.text.as_str()).collect();
    let why = why.join("\n");
    for needle in ["GetObject", "203.0.113.77", "kali", "failed (AccessDenied"] {
        assert!(why.contains(needle), "reasons do not name {needle}:\n{why}");
    }
    // A clear margin over the next principal.
    let (s0, s1) = (
        top.score.unwrap_or(0.0),
        a.principals[1].score.unwrap_or(0.0),
    );
    assert!(s0 > s1, "{s0} vs {s1}");

    // The burst hour: 4,047 GetObject by the attacker plus the role's own 23 (README).
    let ws = a.table.windows_of(top.entity as usize);
    let burst = ws
        .iter()
        .find(|w| w.start == BURST_HOUR_MS)
        .expect("burst window");
    assert_eq!(burst.features.get_object, 4047 + 23);

    for rule in [
        "s3-bulk-getobject",
        "ec2-instance-credentials-outside",
        "offensive-os-user-agent",
        "s3-public-access-block-removed",
        "s3-public-policy",
        "cloudtrail-stopped",
    ] {
        assert!(
            a.findings
                .iter()
                .any(|f| f.rule_id == rule && f.principal == ATTACKER),
            "rule {rule} did not fire on the attacker"
        );
    }
    // The instance-credential rule flags exactly the incident's events (README: 4,068), not the
    // instance's own calls from 10.0.12.34.
    let stolen = a
        .findings
        .iter()
        .find(|f| f.rule_id == "ec2-instance-credentials-outside")
        .expect("finding");
    assert_eq!(stolen.count, 4068);

    // S3: the bucket, its exposure changes (README: failed PutBucketPolicy, BPA removed, public
    // policy), every S3 name classified.
    assert_eq!(a.s3.unknown_events, 0, "{:?}", a.s3.unknown_names);
    let bucket =
        a.s3.buckets
            .iter()
            .find(|b| b.bucket == "acme-customer-data")
            .expect("bucket");
    assert!(bucket.get_object >= 4047);
    let changes: Vec<(&str, bool)> =
        a.s3.exposure_changes
            .iter()
            .filter(|c| c.principal.as_deref() == Some(ATTACKER))
            .map(|c| (c.event_name.as_str(), c.error_code.is_some()))
            .collect();
    assert_eq!(
        changes,
        vec![
            ("PutBucketPolicy", true),
            ("DeleteBucketPublicAccessBlock", false),
            ("PutBucketPolicy", false)
        ]
    );
    // Nobody else is Critical.
    assert!(a.principals[1..].iter().all(|p| p.risk < Level::Critical));
}
