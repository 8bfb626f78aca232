//! The analysis on a synthetic data-theft scenario: the stolen-credential principal must rank
//! first, with reasons naming its burst, its new address and user agent and its failures, and the
//! incident's rules must fire.

use crate::support::records::*;
use cttui::analysis::{AnalysisOptions, Level, analyze};

#[test]
fn stolen_key_ranks_first_with_reasons() {
    let store = load_records(&theft_scenario());
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let top = &a.principals[0];
    assert_eq!(
        top.principal,
        user("ci-deploy"),
        "ranking: {:#?}",
        a.principals
            .iter()
            .map(|p| (&p.principal, p.score))
            .collect::<Vec<_>>()
    );
    let text: Vec<&str> = top.reasons.iter().map(|r| r.text.as_str()).collect();
    let all = text.join("\n");
    assert!(all.contains("1,200 GetObject"), "burst not named:\n{all}");
    assert!(all.contains(ATTACKER_IP), "new IP not named:\n{all}");
    assert!(all.contains("kali"), "user agent not named:\n{all}");
    assert!(
        all.contains("failed (AccessDenied)"),
        "failures not named:\n{all}"
    );
    assert!(top.score.unwrap_or(0.0) > 0.7, "score {:?}", top.score);
    assert_eq!(
        top.risk,
        Level::Critical,
        "risk reasons: {:?}",
        top.risk_reasons
    );

    // The incident's rules fire for the CI user.
    for rule in [
        "s3-bulk-getobject",
        "offensive-os-user-agent",
        "recon-access-denied-burst",
        "recon-list-buckets",
    ] {
        assert!(
            a.findings
                .iter()
                .any(|f| f.rule_id == rule && f.principal == user("ci-deploy")),
            "rule {rule} did not fire"
        );
    }
    let burst = a
        .findings
        .iter()
        .find(|f| f.rule_id == "s3-bulk-getobject")
        .expect("burst finding");
    assert_eq!(
        burst.count, 1200,
        "only the attacker's reads reach the threshold"
    );
    // The backup role reads steadily, far below the bulk threshold, and is not flagged for it.
    assert!(
        !a.findings
            .iter()
            .any(|f| f.rule_id == "s3-bulk-getobject" && f.principal.contains("backup")),
    );
    // Its busiest window is the theft hour.
    let w = &a.windows[0];
    assert_eq!(w.principal, user("ci-deploy"));
    assert_eq!(w.start, (DAY0 + 5 * 86_400 + 2 * 3600) * 1000);

    // S3: data events, the bucket and its bytes.
    let pii =
        a.s3.buckets
            .iter()
            .find(|b| b.bucket == "customer-pii")
            .expect("bucket");
    assert_eq!(pii.get_object, 1200 + 7 * 24 * 4);
    assert_eq!(pii.bytes_out, 1200 * 250_000 + 7 * 24 * 4 * 1_000_000);
    assert_eq!(pii.principals, 2);
    assert!(a.s3.management_events >= 1); // ListBuckets
    assert_eq!(a.s3.unknown_events, 0);
    // Per-event risk covers every event; the thief's reads are High or more.
    assert_eq!(a.event_risk.len(), store.len());
    let burst_row = burst.rows[0] as usize;
    assert!(a.event_risk[burst_row] >= Some(Level::High));
    // Each event can say why it is coloured.
    let why = a.event_reasons(burst.rows[0]);
    assert!(
        why.iter().any(|r| r == "Bulk S3 object reads (high)"),
        "{why:?}"
    );
    assert!(
        why.iter()
            .any(|r| r.starts_with("in a strongly anomalous window")),
        "{why:?}"
    );
    let w = a.window_of_row(burst.rows[0]).expect("window");
    assert_eq!(
        a.table.windows[w].start,
        (DAY0 + 5 * 86_400 + 2 * 3600) * 1000
    );
    let quiet = a
        .principals
        .iter()
        .find(|p| p.principal == user("alice"))
        .expect("alice");
    let row = a.entity_rows(quiet.entity)[0];
    assert_eq!(a.event_risk[row as usize], None);
    assert!(a.event_reasons(row).is_empty());
}

#[test]
fn grouping_by_source_ip_ranks_the_attacker_address_first() {
    let store = load_records(&theft_scenario());
    let opts = AnalysisOptions {
        entity: cttui::analysis::features::EntityKind::SourceIp,
        ..AnalysisOptions::default()
    };
    let a = analyze(&store, &opts).expect("analysis");
    assert_eq!(a.principals[0].principal, ATTACKER_IP);
}
