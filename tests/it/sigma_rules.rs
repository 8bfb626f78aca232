//! Sigma rules through rsigma: SigmaHQ's CloudTrail rules (read from ../shared/sigma, never
//! copied) all load or say why; known rules fire on hand-made records and on the shared real logs;
//! column-backed fields agree with the raw records; a broken file does not stop the others.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cttui::analysis::{AnalysisOptions, analyze};
use cttui::ingest::{LoadOptions, load};
use cttui::sigma::load::{UserRules, load as load_rules};
use serde_json::{Value, json};

fn shared_sigma() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/sigma/aws-cloudtrail");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} is absent (Sigma tests need ../shared/sigma)",
            p.display()
        );
        None
    }
}

fn load_records(recs: &[Value]) -> (tempfile::TempDir, cttui::model::store::EventStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("records.json");
    std::fs::write(&path, json!({ "Records": recs }).to_string()).expect("write");
    let (store, _) = load(
        &[path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load");
    (dir, store)
}

fn record(source: &str, name: &str, identity: Value, extra: Value) -> Value {
    let mut r = json!({
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": null,
        "responseElements": null,
        "eventID": format!("id-{name}"),
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    });
    if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            r.insert(k.clone(), v.clone());
        }
    }
    r
}

fn iam_user(name: &str) -> Value {
    json!({
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": format!("arn:aws:iam::111122223333:user/{name}"),
        "accountId": "111122223333",
        "accessKeyId": "AKIAEXAMPLE",
        "userName": name
    })
}

fn sigma_only(rules: UserRules) -> AnalysisOptions {
    AnalysisOptions {
        builtin_rules: false,
        sigma: Some(Arc::new(rules.sigma)),
        ..AnalysisOptions::default()
    }
}

#[test]
fn every_sigmahq_cloudtrail_rule_loads_or_says_why() {
    let Some(dir) = shared_sigma() else { return };
    let rules = load_rules(&[dir]).expect("load");
    for p in &rules.problems {
        eprintln!("not loaded: {p}");
        assert!(p.line >= 1 && !p.message.is_empty());
        assert!(p.file.extension().is_some_and(|e| e == "yml"), "{p}");
    }
    eprintln!("{}", rules.summary());
    assert_eq!(rules.files, 57);
    assert_eq!(rules.sigma.len() + rules.problems.len(), 57, "{rules:?}");
    // All 57 are for CloudTrail and rsigma reads them all today; a regression shows here.
    assert_eq!(rules.sigma.len(), 57, "{:?}", rules.problems);
    assert_eq!(rules.sigma.other_logsource, 0);
    let disable = rules
        .sigma
        .infos()
        .iter()
        .find(|i| i.id == "4db60cc0-36fb-42b7-9b58-a5b53019fb74")
        .expect("AWS CloudTrail Important Change");
    assert_eq!(disable.level, cttui::analysis::Level::Medium);
    // SigmaHQ follows ATT&CK v18 here: the new Defense Impairment tactic, technique T1685.002.
    assert_eq!(disable.mitre.technique, "T1685.002", "{disable:?}");
    assert_eq!(disable.mitre.tactic, "Defense Impairment");
    assert!(disable.author.is_some());
}

/// Hand-made records for rules whose logic is plain: each fires on its record and on no other.
#[test]
fn known_rules_fire_on_hand_made_records() {
    let Some(dir) = shared_sigma() else { return };
    let rules = load_rules(&[dir]).expect("load");
    let root = json!({"type": "Root", "principalId": "111122223333",
        "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    let recs = vec![
        // aws_cloudtrail_disable_logging: StopLogging on cloudtrail.
        record(
            "cloudtrail.amazonaws.com",
            "StopLogging",
            iam_user("alice"),
            json!({}),
        ),
        // aws_root_account_usage: Root identity, not an AwsServiceEvent.
        record("s3.amazonaws.com", "ListBuckets", root, json!({})),
        // aws_disable_bucket_versioning: PutBucketVersioning with Suspended.
        record(
            "s3.amazonaws.com",
            "PutBucketVersioning",
            iam_user("bob"),
            json!({"requestParameters": {"bucketName": "b",
                "VersioningConfiguration": {"Status": "Suspended"}}}),
        ),
        // An ordinary read that no rule should flag.
        record(
            "s3.amazonaws.com",
            "GetObject",
            iam_user("carol"),
            json!({}),
        ),
    ];
    let (_d, store) = load_records(&recs);
    let a = analyze(&store, &sigma_only(rules)).expect("analysis");
    let fired = |id: &str| -> Vec<String> {
        let mut v: Vec<String> = a
            .findings
            .iter()
            .filter(|f| f.rule_id == id)
            .flat_map(|f| {
                f.rows
                    .iter()
                    .map(|&r| store.str_at("event_name", r as usize).unwrap_or_default())
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        fired("4db60cc0-36fb-42b7-9b58-a5b53019fb74"),
        ["StopLogging"]
    );
    assert_eq!(
        fired("8ad1600d-e9dc-4251-b0ee-a65268f29add"),
        ["ListBuckets"]
    );
    assert_eq!(
        fired("a136ac98-b2bc-4189-a14d-f0d0388e57a7"),
        ["PutBucketVersioning"]
    );
    assert!(
        !a.findings.iter().any(|f| f
            .rows
            .iter()
            .any(|&r| store.str_at("event_name", r as usize).as_deref() == Some("GetObject"))),
        "{:?}",
        a.findings
    );
    // A Sigma finding is a finding like ours: level, MITRE, principal, event rows.
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "4db60cc0-36fb-42b7-9b58-a5b53019fb74")
        .expect("finding");
    assert!(f.principal.contains("alice"), "{f:?}");
    assert_eq!(f.event_ids, ["id-StopLogging"]);
    assert_eq!(f.mitre.technique, "T1685.002");
}

/// Events whose logs record the technique a SigmaHQ rule looks for (SOURCE.md of each folder).
#[test]
fn known_rules_fire_on_the_shared_real_logs() {
    let Some(dir) = shared_sigma() else { return };
    let Some(stratus) = crate::support::shared_cloudtrail("invictus-aws-stratus-32-techniques")
    else {
        return;
    };
    let rules = load_rules(&[dir]).expect("load");
    let (store, _) = load(
        &[stratus.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load stratus");
    let a = analyze(&store, &sigma_only(rules)).expect("analysis");
    let mut fired: Vec<(&str, usize)> = a
        .rules
        .iter()
        .map(|r| (r.rule_id.as_str(), r.events))
        .collect();
    fired.sort();
    eprintln!("{} Sigma rules fired: {fired:?}", fired.len());
    // Stratus Red Team techniques detonated in these logs, and the SigmaHQ rule for each.
    for (id, what) in [
        (
            "4db60cc0-36fb-42b7-9b58-a5b53019fb74",
            "defense-evasion-cloudtrail-stop/delete",
        ),
        (
            "e386b9b5-af12-450e-afff-761730fb8a98",
            "defense-evasion-vpc-remove-flow-logs",
        ),
        (
            "abae8fec-57bd-4f87-aff6-6e3db989843d",
            "exfiltration-ec2-share-ebs-snapshot",
        ),
        (
            "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
            "persistence-iam-create-user-login-profile / backdoor keys",
        ),
    ] {
        assert!(
            fired.iter().any(|(i, n)| *i == id && *n > 0),
            "{what} did not fire: {fired:?}"
        );
    }
}

/// The fields the Sigma event answers from columns must equal what the record itself holds.
#[test]
fn column_backed_fields_agree_with_raw_records() {
    use rsigma_eval::{Event, JsonEvent};
    let Some(dir) = crate::support::shared_cloudtrail("invictus-aws-stratus-32-techniques") else {
        return;
    };
    let (store, _) = load(
        &[dir.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load");
    let cols = cttui::sigma::event::FieldColumns::build(&store);
    let mut checked = 0;
    for row in 0..store.len() {
        let Some(raw) = store.raw_value(row) else {
            continue;
        };
        let ev = cttui::sigma::event::StoreEvent::new(&store, &cols, row);
        let js = JsonEvent::borrow(&raw);
        for (path, _) in cttui::sigma::event::COLUMN_FIELDS {
            let want = js
                .get_field(path)
                .and_then(|v| v.as_str().map(|s| s.into_owned()))
                .filter(|s| !s.is_empty());
            let got = ev
                .get_field(path)
                .and_then(|v| v.as_str().map(|s| s.into_owned()));
            assert_eq!(got, want, "row {row} {path}");
            checked += 1;
        }
        assert!(!ev.parsed(), "column fields must not parse the record");
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn a_broken_file_is_named_and_the_others_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = "title: Stop\nid: 0c5f1a4e-0000-4000-8000-000000000001\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: StopLogging\n  condition: sel\nlevel: high\n";
    std::fs::write(dir.path().join("good.yml"), good).expect("write");
    std::fs::write(
        dir.path().join("broken.yml"),
        "title: Broken\nlogsource:\n  product: aws\ndetection:\n  sel:\n    eventName: [unclosed\n  condition: sel\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(
        dir.path().join("sub/ours.toml"),
        "[[rule]]\nid = \"x\"\ntitle = \"t\"\ndescription = \"d\"\nlevel = \"nope\"\ntactic = \"a\"\ntechnique = \"b\"\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a rule").expect("write");
    let rules = load_rules(&[dir.path().to_path_buf()]).expect("load");
    assert_eq!(rules.sigma.len(), 1);
    assert_eq!(rules.files, 3, "the .txt is not a rule file");
    let names: Vec<String> = rules.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].contains("broken.yml:"), "{names:?}");
    assert!(rules.problems[0].line >= 6, "{names:?}");
    assert!(names[1].contains("ours.toml:5:"), "{names:?}");
    assert!(load_rules(&[dir.path().join("absent")]).is_err());
}
