//! Table-driven rule tests: (rule, event JSON, expected hit), plus thresholds, detectors, grouping
//! and the rule-file loader.

use crate::support::records::*;
use cttui::analysis::rules::{builtin, parse_rules};
use cttui::analysis::{Analysis, AnalysisOptions, Level, analyze};
use serde_json::{Value, json};

const T0: i64 = 1_709_546_400; // 2024-03-04T10:00:00Z

fn ev(source: &str, name: &str) -> Value {
    record(
        &t(T0),
        source,
        name,
        iam_user("someone"),
        "198.51.100.1",
        "aws-cli/2.13.0 Python/3.11.4",
    )
}

fn root() -> Value {
    json!({"type": "Root", "principalId": ACCOUNT, "arn": format!("arn:aws:iam::{ACCOUNT}:root"), "accountId": ACCOUNT})
}

fn with_identity(r: Value, id: Value) -> Value {
    with(r, "userIdentity", id)
}

fn console_login(identity: Value, mfa: &str, outcome: &str) -> Value {
    let r = with_identity(ev("signin.amazonaws.com", "ConsoleLogin"), identity);
    let r = with(r, "additionalEventData.MFAUsed", json!(mfa));
    with(r, "responseElements.ConsoleLogin", json!(outcome))
}

/// (rule id, event, expected hit, what the case checks)
fn cases() -> Vec<(&'static str, Value, bool, &'static str)> {
    let s3 = "s3.amazonaws.com";
    let iam = "iam.amazonaws.com";
    let ct = "cloudtrail.amazonaws.com";
    let bpa = |v: bool| json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": v, "RestrictPublicBuckets": true});
    let policy = |principal: Value| {
        json!(serde_json::to_string(&json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})).expect("policy"))
    };
    let policy_obj = |principal: Value| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject"}]});
    vec![
        (
            "cloudtrail-stopped",
            ev(ct, "StopLogging"),
            true,
            "StopLogging",
        ),
        (
            "cloudtrail-stopped",
            ev(ct, "DeleteTrail"),
            true,
            "DeleteTrail",
        ),
        (
            "cloudtrail-stopped",
            ev("ec2.amazonaws.com", "StopLogging"),
            false,
            "wrong service",
        ),
        (
            "cloudtrail-stopped",
            ev(ct, "CreateTrail"),
            false,
            "creating is not stopping",
        ),
        (
            "cloudtrail-modified",
            ev(ct, "PutEventSelectors"),
            true,
            "selectors",
        ),
        ("cloudtrail-modified", ev(ct, "UpdateTrail"), true, "update"),
        (
            "security-monitoring-disabled",
            ev("guardduty.amazonaws.com", "DeleteDetector"),
            true,
            "GuardDuty off",
        ),
        (
            "security-monitoring-disabled",
            ev("ec2.amazonaws.com", "DeleteFlowLogs"),
            true,
            "flow logs",
        ),
        (
            "s3-permissions-changed",
            ev(s3, "PutBucketPolicy"),
            true,
            "policy",
        ),
        (
            "s3-permissions-changed",
            ev(s3, "GetBucketPolicy"),
            false,
            "reading a policy",
        ),
        (
            "s3-public-access-block-removed",
            ev(s3, "DeleteBucketPublicAccessBlock"),
            true,
            "deleted",
        ),
        (
            "s3-public-access-block-removed",
            with(
                ev(s3, "PutBucketPublicAccessBlock"),
                "requestParameters.PublicAccessBlockConfiguration",
                bpa(true),
            ),
            false,
            "all four on",
        ),
        (
            "s3-public-access-block-removed",
            with(
                ev(s3, "PutBucketPublicAccessBlock"),
                "requestParameters.PublicAccessBlockConfiguration",
                bpa(false),
            ),
            true,
            "one off",
        ),
        (
            "s3-public-acl",
            with(
                ev(s3, "PutObjectAcl"),
                "requestParameters.x-amz-acl",
                json!("public-read"),
            ),
            true,
            "canned public-read",
        ),
        (
            "s3-public-acl",
            with(
                ev(s3, "PutObjectAcl"),
                "requestParameters.x-amz-acl",
                json!("private"),
            ),
            false,
            "canned private",
        ),
        (
            "s3-public-acl",
            with(
                ev(s3, "PutBucketAcl"),
                "requestParameters.AccessControlPolicy",
                json!({"AccessControlList": {"Grant": [{"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}),
            ),
            true,
            "AllUsers grant",
        ),
        (
            "s3-public-policy",
            with(
                ev(s3, "PutBucketPolicy"),
                "requestParameters.bucketPolicy",
                policy_obj(json!("*")),
            ),
            true,
            "Principal * (object)",
        ),
        (
            "s3-public-policy",
            with(
                ev(s3, "PutBucketPolicy"),
                "requestParameters.bucketPolicy",
                policy(json!({"AWS": "*"})),
            ),
            true,
            "AWS * (string)",
        ),
        (
            "s3-public-policy",
            with(
                ev(s3, "PutBucketPolicy"),
                "requestParameters.bucketPolicy",
                policy_obj(json!({"AWS": "arn:aws:iam::444455556666:root"})),
            ),
            false,
            "named account",
        ),
        (
            "s3-copy-cross-account",
            with(
                ev(s3, "CopyObject"),
                "resources",
                json!([{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::dst/k"}, {"accountId": "999988887777", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::dst"}]),
            ),
            true,
            "destination bucket in another account",
        ),
        (
            "s3-copy-cross-account",
            with(
                ev(s3, "CopyObject"),
                "resources",
                json!([{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::dst"}]),
            ),
            false,
            "same account",
        ),
        (
            "s3-copy-cross-account",
            with(
                ev(s3, "CopyObject"),
                "recipientAccountId",
                json!("999988887777"),
            ),
            true,
            "recipient differs",
        ),
        (
            "s3-data-routing-changed",
            ev(s3, "PutBucketReplication"),
            true,
            "replication",
        ),
        (
            "recon-caller-identity",
            ev("sts.amazonaws.com", "GetCallerIdentity"),
            true,
            "whoami",
        ),
        (
            "recon-list-buckets",
            ev(s3, "ListBuckets"),
            true,
            "list buckets",
        ),
        (
            "iam-access-key-created",
            ev(iam, "CreateAccessKey"),
            true,
            "key",
        ),
        ("iam-user-created", ev(iam, "CreateUser"), true, "user"),
        (
            "iam-login-profile",
            ev(iam, "CreateLoginProfile"),
            true,
            "password",
        ),
        (
            "iam-policy-attached",
            ev(iam, "AttachUserPolicy"),
            true,
            "attach",
        ),
        (
            "iam-admin-policy-attached",
            with(
                ev(iam, "AttachUserPolicy"),
                "requestParameters.policyArn",
                json!("arn:aws:iam::aws:policy/AdministratorAccess"),
            ),
            true,
            "admin",
        ),
        (
            "iam-admin-policy-attached",
            with(
                ev(iam, "AttachUserPolicy"),
                "requestParameters.policyArn",
                json!("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            ),
            false,
            "read-only",
        ),
        (
            "iam-trust-policy-changed",
            ev(iam, "UpdateAssumeRolePolicy"),
            true,
            "trust",
        ),
        ("iam-role-created", ev(iam, "CreateRole"), true, "role"),
        (
            "lambda-persistence",
            ev("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
            true,
            "versioned name",
        ),
        (
            "lambda-persistence",
            ev("lambda.amazonaws.com", "ListFunctions20150331"),
            false,
            "listing",
        ),
        (
            "console-login-no-mfa",
            console_login(iam_user("someone"), "No", "Success"),
            true,
            "password only",
        ),
        (
            "console-login-no-mfa",
            console_login(iam_user("someone"), "Yes", "Success"),
            false,
            "with MFA",
        ),
        (
            "console-login-no-mfa",
            console_login(iam_user("someone"), "No", "Failure"),
            false,
            "failed login",
        ),
        (
            "console-login-no-mfa",
            console_login(
                assumed_role("AWSReservedSSO_Admin", "alice"),
                "No",
                "Success",
            ),
            false,
            "federated",
        ),
        (
            "root-activity",
            with_identity(ev("ec2.amazonaws.com", "DescribeInstances"), root()),
            true,
            "root call",
        ),
        (
            "root-activity",
            with(
                with_identity(ev("ec2.amazonaws.com", "DescribeInstances"), root()),
                "userIdentity.invokedBy",
                json!("support.amazonaws.com"),
            ),
            false,
            "service on root's behalf",
        ),
        (
            "root-activity",
            with(
                with_identity(ev("signin.amazonaws.com", "CheckMfa"), root()),
                "eventType",
                json!("AwsServiceEvent"),
            ),
            false,
            "service event",
        ),
        (
            "secrets-manager-read",
            ev("secretsmanager.amazonaws.com", "GetSecretValue"),
            true,
            "secret",
        ),
        (
            "ssm-parameter-read",
            ev("ssm.amazonaws.com", "GetParametersByPath"),
            true,
            "parameters",
        ),
        (
            "snapshot-or-image-shared",
            with(
                ev("ec2.amazonaws.com", "ModifySnapshotAttribute"),
                "requestParameters.createVolumePermission",
                json!({"add": {"items": [{"userId": "999988887777"}]}}),
            ),
            true,
            "snapshot to account",
        ),
        (
            "snapshot-or-image-shared",
            with(
                ev("ec2.amazonaws.com", "ModifySnapshotAttribute"),
                "requestParameters.createVolumePermission",
                json!({"remove": {"items": [{"userId": "999988887777"}]}}),
            ),
            false,
            "unsharing",
        ),
        (
            "snapshot-or-image-public",
            with(
                ev("ec2.amazonaws.com", "ModifyImageAttribute"),
                "requestParameters.launchPermission",
                json!({"add": {"items": [{"group": "all"}]}}),
            ),
            true,
            "public AMI",
        ),
        (
            "snapshot-or-image-public",
            with(
                ev("ec2.amazonaws.com", "ModifySnapshotAttribute"),
                "requestParameters.createVolumePermission",
                json!({"add": {"items": [{"userId": "999988887777"}]}}),
            ),
            false,
            "one account is not public",
        ),
        (
            "offensive-os-user-agent",
            with(
                ev("sts.amazonaws.com", "GetCallerIdentity"),
                "userAgent",
                json!(ATTACKER_UA),
            ),
            true,
            "Kali",
        ),
        (
            "offensive-os-user-agent",
            ev("sts.amazonaws.com", "GetCallerIdentity"),
            false,
            "ordinary CLI",
        ),
        (
            "offensive-tool-user-agent",
            with(
                ev("iam.amazonaws.com", "ListUsers"),
                "userAgent",
                json!("aws-sdk-go/1.44 (go1.20; linux; amd64) stratus-red-team_0a1b"),
            ),
            true,
            "Stratus Red Team",
        ),
        (
            "security-scanner-user-agent",
            with(
                ev("iam.amazonaws.com", "ListUsers"),
                "userAgent",
                json!("Boto3/1.26 Python/3.10 Linux/5.15 Botocore/1.29 prowler/3.2"),
            ),
            true,
            "Prowler",
        ),
    ]
}

#[test]
fn rule_table() {
    let cases = cases();
    // One store for every case; each case gets its own principal so its hits are its own.
    let recs: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, r, _, _))| {
            let arn = r["userIdentity"]["arn"].as_str().unwrap_or("").to_owned();
            with(
                r.clone(),
                "userIdentity.arn",
                json!(format!("{arn}-case{i}")),
            )
        })
        .collect();
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let mut failures = Vec::new();
    for (i, (rule, r, expected, what)) in cases.iter().enumerate() {
        let arn = format!(
            "{}-case{i}",
            r["userIdentity"]["arn"].as_str().unwrap_or("")
        );
        if hit(&a, rule, &arn) != *expected {
            failures.push(format!("case {i} {rule} ({what}): expected hit={expected}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every built-in rule is exercised by at least one positive case or a dedicated test below.
    let known = std::sync::Arc::from(Vec::new());
    let rules = builtin(&known).expect("rules");
    let dedicated = [
        "s3-bulk-getobject",
        "recon-access-denied-burst",
        "console-login-failures",
        "console-login-new-ip",
        "secrets-bulk-read",
        "ec2-instance-credentials-outside",
    ];
    // The coverage rules of issue 8 have their table in tests/rules_coverage.rs.
    let elsewhere = [
        "monitoring.toml",
        "ec2.toml",
        "ssm.toml",
        "lambda.toml",
        "identity.toml",
        "impact.toml",
    ];
    let elsewhere_ids = [
        "discovery-burst",
        "ses-enumeration",
        "ssm-securestring-read",
        "secret-policy-outside",
        "s3-policy-cross-account",
    ];
    for r in &rules {
        let covered = cases.iter().any(|c| c.0 == r.id && c.2)
            || dedicated.contains(&r.id.as_str())
            || elsewhere.contains(&r.source.as_str())
            || elsewhere_ids.contains(&r.id.as_str());
        assert!(covered, "rule {} has no positive test", r.id);
    }
}

/// `n` events spaced `step` seconds apart.
fn series(n: usize, step: i64, f: impl Fn(i64) -> Value) -> Vec<Value> {
    (0..n as i64).map(|k| f(T0 + k * step)).collect()
}

fn get_object(secs: i64, who: &str) -> Value {
    let r = record(
        &t(secs),
        "s3.amazonaws.com",
        "GetObject",
        iam_user(who),
        "198.51.100.9",
        "aws-cli/2",
    );
    with(r, "requestParameters.bucketName", json!("b"))
}

#[test]
fn thresholds_count_per_principal_within_window() {
    let mut recs = series(100, 30, |s| get_object(s, "hundred")); // 100 within 50 min
    recs.extend(series(99, 30, |s| get_object(s, "ninetynine")));
    // 120 reads, but never 100 within an hour: 60 now, 60 two hours later.
    recs.extend(series(60, 30, |s| get_object(s, "spread")));
    recs.extend(series(60, 30, |s| get_object(s + 7200, "spread")));
    let denied = |secs: i64, who: &str| {
        let mut r = record(
            &t(secs),
            "iam.amazonaws.com",
            "ListUsers",
            iam_user(who),
            "198.51.100.9",
            "aws-cli/2",
        );
        r["errorCode"] = json!("AccessDenied");
        r
    };
    recs.extend(series(10, 60, |s| denied(s, "ten-denied")));
    recs.extend(series(9, 60, |s| denied(s, "nine-denied")));
    recs.extend(series(10, 120, |s| denied(s, "slow-denied"))); // 10 over 18 minutes
    let failed_login = |secs: i64| {
        let r = console_login(iam_user("guessed"), "No", "Failure");
        with(
            with(r, "eventTime", json!(t(secs))),
            "errorMessage",
            json!("Failed authentication"),
        )
    };
    recs.extend(series(5, 30, failed_login));
    let secret = |secs: i64| {
        record(
            &t(secs),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            iam_user("harvester"),
            "198.51.100.9",
            "aws-cli/2",
        )
    };
    recs.extend(series(20, 10, secret));
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    assert!(hit(&a, "s3-bulk-getobject", &user("hundred")));
    assert!(!hit(&a, "s3-bulk-getobject", &user("ninetynine")));
    assert!(!hit(&a, "s3-bulk-getobject", &user("spread")));
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "s3-bulk-getobject")
        .expect("finding");
    assert_eq!(f.count, 100);
    assert_eq!(
        f.detail.as_deref(),
        Some("peak 100 within 1 h (threshold 100)")
    );
    assert_eq!(
        f.event_ids.len(),
        cttui::analysis::rules::findings::MAX_EVENT_IDS
    );
    assert_eq!(f.rows.len(), 100);
    assert!(hit(&a, "recon-access-denied-burst", &user("ten-denied")));
    assert!(!hit(&a, "recon-access-denied-burst", &user("nine-denied")));
    assert!(!hit(&a, "recon-access-denied-burst", &user("slow-denied")));
    assert!(hit(&a, "console-login-failures", &user("guessed")));
    assert!(hit(&a, "secrets-bulk-read", &user("harvester")));
}

#[test]
fn noisy_rule_is_one_finding_per_principal() {
    let whoami = |secs: i64, who: &str| {
        record(
            &t(secs),
            "sts.amazonaws.com",
            "GetCallerIdentity",
            iam_user(who),
            "198.51.100.9",
            "aws-cli/2",
        )
    };
    let mut recs = series(300, 5, |s| whoami(s, "loop"));
    recs.extend(series(3, 5, |s| whoami(s, "other")));
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let f: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.rule_id == "recon-caller-identity")
        .collect();
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].principal.as_str(), f[0].count),
        (user("loop").as_str(), 300)
    );
    assert_eq!(
        (f[1].principal.as_str(), f[1].count),
        (user("other").as_str(), 3)
    );
    let summary = a
        .rules
        .iter()
        .find(|r| r.rule_id == "recon-caller-identity")
        .expect("summary");
    assert_eq!((summary.events, summary.principals), (303, 2));
    assert_eq!(f[0].first, Some(T0 * 1000));
    assert_eq!(f[0].last, Some((T0 + 299 * 5) * 1000));
}

fn instance_call(secs: i64, ip: &str) -> Value {
    record(
        &t(secs),
        "s3.amazonaws.com",
        "ListBuckets",
        assumed_role("web", "i-0123456789abcdef0"),
        ip,
        "aws-sdk-go/1.44",
    )
}

#[test]
fn instance_credentials_used_elsewhere() {
    let mut recs = series(20, 60, |s| instance_call(s, "10.0.2.10"));
    recs.push(instance_call(T0 + 3000, "203.0.113.9"));
    recs.push(instance_call(T0 + 3100, "ec2.amazonaws.com")); // a service name, not an address
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "ec2-instance-credentials-outside")
        .expect("finding");
    assert_eq!(f.count, 1);
    let detail = f.detail.as_deref().unwrap_or("");
    assert!(
        detail.contains("10.0.2.10 (20 calls)") && detail.contains("203.0.113.9"),
        "{detail}"
    );

    // An instance with a public address is fine at its usual address, and with the analyst's
    // ranges declared only calls from outside them are flagged.
    let mut recs = series(20, 60, |s| instance_call(s, "54.1.2.3"));
    recs.push(instance_call(T0 + 3000, "54.9.9.9"));
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "ec2-instance-credentials-outside")
        .expect("finding");
    assert_eq!(f.count, 1, "only the unusual address");
    let opts = AnalysisOptions {
        known_cidrs: vec!["54.0.0.0/8".into()],
        ..AnalysisOptions::default()
    };
    let a = analyze(&store, &opts).expect("analysis");
    assert!(
        a.findings
            .iter()
            .all(|f| f.rule_id != "ec2-instance-credentials-outside")
    );
}

#[test]
fn console_login_from_a_new_address() {
    let login = |secs: i64, ip: &str| {
        let r = console_login(iam_user("eve"), "Yes", "Success");
        with(
            with(r, "eventTime", json!(t(secs))),
            "sourceIPAddress",
            json!(ip),
        )
    };
    let call = |secs: i64, ip: &str| {
        record(
            &t(secs),
            "ec2.amazonaws.com",
            "DescribeInstances",
            iam_user("eve"),
            ip,
            "console",
        )
    };
    let recs = vec![
        login(T0, "198.51.100.1"), // first login ever: nothing to compare with
        login(T0 + 86_400, "198.51.100.1"), // usual address
        call(T0 + 90_000, "198.51.100.2"), // used for API calls before logging in from it
        login(T0 + 100_000, "198.51.100.2"),
        login(T0 + 200_000, "203.0.113.50"), // new
    ];
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "console-login-new-ip")
        .expect("finding");
    assert_eq!(f.count, 1);
    assert_eq!(f.first, Some((T0 + 200_000) * 1000));
    assert!(f.detail.as_deref().unwrap_or("").contains("203.0.113.50"));
}

#[test]
fn rule_files_are_validated() {
    let known = std::sync::Arc::from(Vec::new());
    let ok = r#"
[[rule]]
id = "x"
title = "t"
description = "d"
level = "high"
tactic = "TA0001"
technique = "T1078"
[[rule.match]]
eventName = { not = { glob = "Get*" } }
"requestParameters.a[*].b" = { exists = true }
"#;
    let rules = parse_rules(ok, "ok.toml", &known).expect("valid");
    assert_eq!(rules[0].level, Level::High);
    for (bad, why) in [
        (ok.replace("level = \"high\"", "level = \"severe\""), "unknown level"),
        (ok.replace("[[rule.match]]\neventName = { not = { glob = \"Get*\" } }\n\"requestParameters.a[*].b\" = { exists = true }", "detector = \"nope\""), "unknown detector"),
        (ok.replace("exists = true", "exist = true"), "misspelt condition"),
        (ok.replace("[[rule.match]]\neventName = { not = { glob = \"Get*\" } }\n\"requestParameters.a[*].b\" = { exists = true }", ""), "no match and no detector"),
        (format!("{ok}\n[rule.threshold]\ncount = 0\nwindow_secs = 60\n"), "zero threshold"),
    ] {
        assert!(parse_rules(&bad, "bad.toml", &known).is_err(), "{why} was accepted");
    }
    let dup = AnalysisOptions {
        extra_rules: vec![(
            "dup.toml".into(),
            ok.replace("id = \"x\"", "id = \"cloudtrail-stopped\""),
        )],
        ..AnalysisOptions::default()
    };
    assert!(
        cttui::analysis::load_rules(&dup).is_err(),
        "duplicate id accepted"
    );
}
