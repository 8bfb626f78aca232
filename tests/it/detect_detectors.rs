//! Table-driven tests of the credential and chain detectors and the network class, each case a few
//! hand-made records through the real ingest and analysis.
use cttui::analysis::evidence::EvidenceKind;
use cttui::analysis::{Analysis, Level};
use cttui::model::query::Query;
use serde_json::{Value, json};

use crate::support::records::{
    DAY0, analysed, assumed_role, iam_user, load_records, record, t, with,
};

const EC2_IP: &str = "3.225.16.109";
const OUT_IP: &str = "198.51.100.23";
const MAC_CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64";
const LINUX_CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22";
const SSM: &str = "aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/3.2";
const LAMBDA_UA: &str = "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#5.10 lang/python#3.11.5 exec-env/AWS_Lambda_python3.11";

fn call(i: i64, id: &Value, ip: &str, ua: &str) -> Value {
    record(
        &t(DAY0 + 3600 + i * 60),
        "ec2.amazonaws.com",
        "DescribeInstances",
        id.clone(),
        ip,
        ua,
    )
}

fn kinds(a: &Analysis, principal_end: &str) -> Vec<(EvidenceKind, Level)> {
    a.evidence
        .iter()
        .filter(|e| e.principal.ends_with(principal_end))
        .map(|e| (e.kind, e.level))
        .collect()
}

/// A labelled case: records and what is expected of them.
type Case<W> = (&'static str, Vec<Value>, W);

/// Each case: records, the principal to look at, the expected misuse level (None = no misuse) and
/// a word its text must hold.
#[test]
fn credential_misuse_cases() {
    let inst = assumed_role("web", "i-0123456789abcdef0");
    let lambda = assumed_role("fn-role", "orders");
    let human = iam_user("alice");
    let plain = assumed_role("deploy", "ci-run");
    let lambda_svc = json!({"type": "AWSService", "invokedBy": "lambda.amazonaws.com"});
    let assume = with(
        with(
            record(
                &t(DAY0),
                "sts.amazonaws.com",
                "AssumeRole",
                lambda_svc,
                "lambda.amazonaws.com",
                "lambda.amazonaws.com",
            ),
            "requestParameters",
            json!({"roleArn": "arn:aws:iam::111122223333:role/fn-role", "roleSessionName": "orders"}),
        ),
        "eventSource",
        json!("sts.amazonaws.com"),
    );
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, Vec<Value>, &str, Option<Level>, &str)> = vec![
        (
            "instance at home only",
            (0..5).map(|i| call(i, &inst, EC2_IP, SSM)).collect(),
            "i-0123456789abcdef0",
            None,
            "",
        ),
        (
            "instance only ever outside, Linux cli",
            (0..5).map(|i| call(i, &inst, OUT_IP, LINUX_CLI)).collect(),
            "i-0123456789abcdef0",
            Some(Level::High),
            "outside AWS",
        ),
        (
            "instance only ever outside, macOS cli",
            (0..5).map(|i| call(i, &inst, OUT_IP, MAC_CLI)).collect(),
            "i-0123456789abcdef0",
            Some(Level::Critical),
            "desktop",
        ),
        (
            "instance from a person's private address with another client",
            (0..4)
                .map(|i| call(i, &inst, EC2_IP, SSM))
                .chain((4..6).map(|i| call(i, &inst, "192.168.10.20", LINUX_CLI)))
                .chain((6..8).map(|i| call(i, &human, "192.168.10.20", LINUX_CLI)))
                .collect(),
            "i-0123456789abcdef0",
            Some(Level::Critical),
            "a person also uses",
        ),
        (
            "instance through a VPC endpoint with its own client",
            (0..4)
                .map(|i| call(i, &inst, EC2_IP, SSM))
                .chain((4..8).map(|i| call(i, &inst, "10.0.1.5", SSM)))
                .collect(),
            "i-0123456789abcdef0",
            None,
            "",
        ),
        (
            "Lambda by its runtime agent, then from outside",
            (0..4)
                .map(|i| call(i, &lambda, EC2_IP, LAMBDA_UA))
                .chain((4..6).map(|i| call(i, &lambda, OUT_IP, LINUX_CLI)))
                .collect(),
            "assumed-role/fn-role/orders",
            Some(Level::High),
            "Lambda function credentials",
        ),
        (
            "Lambda known only from the service's AssumeRole, used only outside",
            std::iter::once(assume)
                .chain((1..3).map(|i| call(i, &lambda, OUT_IP, LINUX_CLI)))
                .collect(),
            "assumed-role/fn-role/orders",
            Some(Level::High),
            "session started by AWSService:lambda.amazonaws.com",
        ),
        (
            "a person's role session from outside is not compute misuse",
            (0..5).map(|i| call(i, &plain, OUT_IP, MAC_CLI)).collect(),
            "assumed-role/deploy/ci-run",
            None,
            "",
        ),
    ];
    for (label, recs, who, want, word) in cases {
        let a = analysed(&recs);
        let got: Vec<_> = a
            .evidence
            .iter()
            .filter(|e| e.kind == EvidenceKind::CredentialMisuse && e.principal.ends_with(who))
            .collect();
        assert_eq!(got.first().map(|e| e.level), want, "{label}: {got:#?}");
        if let Some(e) = got.first() {
            assert!(e.text.contains(word), "{label}: {}", e.text);
            assert!(!e.steps.is_empty() && !e.rows.is_empty(), "{label}");
            // Cited as a finding too, and the principal's risk carries it.
            assert!(
                a.findings
                    .iter()
                    .any(|f| f.rule_id == "credential-misuse" && f.principal.ends_with(who))
            );
            let p = a
                .principals
                .iter()
                .find(|p| p.principal.ends_with(who))
                .expect("ranked");
            assert_eq!(p.compromise, want, "{label}");
            assert!(p.risk >= want.unwrap_or(Level::Low), "{label}");
        }
    }
}

#[test]
fn person_whose_address_drove_misused_credentials() {
    let inst = assumed_role("web", "i-0123456789abcdef0");
    let human = iam_user("mallory");
    let recs: Vec<Value> = (0..4)
        .map(|i| call(i, &inst, EC2_IP, SSM))
        .chain((4..6).map(|i| call(i, &human, "192.168.10.20", LINUX_CLI)))
        .chain((6..8).map(|i| call(i, &inst, "192.168.10.20", LINUX_CLI)))
        .collect();
    let a = analysed(&recs);
    assert_eq!(
        kinds(&a, "user/mallory"),
        [(EvidenceKind::StolenCredentialOperator, Level::High)]
    );
}

#[test]
fn new_long_term_key_from_a_new_address() {
    let u = iam_user("bob");
    let mut other = u.clone();
    other["accessKeyId"] = json!("AKIASECONDKEY");
    let cases: Vec<(&str, Vec<Value>, Option<Level>)> = vec![
        (
            "second key from a new address after hours of history",
            vec![
                call(0, &u, "203.0.113.10", LINUX_CLI),
                call(180, &other, "203.0.113.99", LINUX_CLI),
            ],
            Some(Level::Medium),
        ),
        (
            "second key from the usual address",
            vec![
                call(0, &u, "203.0.113.10", LINUX_CLI),
                call(180, &other, "203.0.113.10", LINUX_CLI),
            ],
            None,
        ),
        (
            "second key within the first hour",
            vec![
                call(0, &u, "203.0.113.10", LINUX_CLI),
                call(10, &other, "203.0.113.99", LINUX_CLI),
            ],
            None,
        ),
    ];
    for (label, recs, want) in cases {
        let a = analysed(&recs);
        let got = a
            .evidence
            .iter()
            .find(|e| e.kind == EvidenceKind::NewKeyNewNetwork)
            .map(|e| e.level);
        assert_eq!(got, want, "{label}");
    }
}

fn iam(
    i: i64,
    who: &Value,
    name: &str,
    params: Value,
    response: Value,
    error: Option<&str>,
) -> Value {
    let mut r = record(
        &t(DAY0 + 7200 + i * 10),
        "iam.amazonaws.com",
        name,
        who.clone(),
        OUT_IP,
        LINUX_CLI,
    );
    r["requestParameters"] = params;
    r["responseElements"] = response;
    if let Some(e) = error {
        r["errorCode"] = json!(e);
    }
    r
}

const STAR: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

#[test]
fn escalation_chain_cases() {
    let me = iam_user("eve");
    let put_self = |i, err| {
        iam(
            i,
            &me,
            "PutUserPolicy",
            json!({"userName": "eve", "policyName": "p", "policyDocument": STAR}),
            Value::Null,
            err,
        )
    };
    let enum_self = |i| {
        iam(
            i,
            &me,
            "ListAttachedUserPolicies",
            json!({"userName": "eve"}),
            Value::Null,
            None,
        )
    };
    let key_self = |i| {
        iam(
            i,
            &me,
            "CreateAccessKey",
            json!({"userName": "eve"}),
            json!({"accessKey": {"accessKeyId": "AKIANEW1", "userName": "eve"}}),
            None,
        )
    };
    let mut new_me = me.clone();
    new_me["accessKeyId"] = json!("AKIANEW1");
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, Vec<Value>, Option<(EvidenceKind, Level)>, usize)> = vec![
        (
            "grant alone",
            vec![put_self(1, None)],
            Some((EvidenceKind::PrivilegeEscalation, Level::High)),
            1,
        ),
        (
            "enumerate then grant",
            vec![enum_self(0), put_self(1, None)],
            Some((EvidenceKind::PrivilegeEscalation, Level::Critical)),
            2,
        ),
        (
            "grant, new key, its use",
            vec![
                put_self(1, None),
                key_self(2),
                call(200, &new_me, OUT_IP, LINUX_CLI),
            ],
            Some((EvidenceKind::PrivilegeEscalation, Level::Critical)),
            3,
        ),
        (
            "denied grant is an attempt",
            vec![enum_self(0), put_self(1, Some("AccessDenied"))],
            Some((EvidenceKind::PrivilegeEscalation, Level::Medium)),
            2,
        ),
        (
            "narrow policy is no escalation",
            vec![iam(
                1,
                &me,
                "PutUserPolicy",
                json!({"userName": "eve", "policyDocument": r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#}),
                Value::Null,
                None,
            )],
            None,
            0,
        ),
        (
            "admin for a user it created, with a key",
            vec![
                iam(
                    0,
                    &me,
                    "CreateUser",
                    json!({"userName": "backdoor"}),
                    Value::Null,
                    None,
                ),
                iam(
                    1,
                    &me,
                    "AttachUserPolicy",
                    json!({"userName": "backdoor", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                    Value::Null,
                    None,
                ),
                iam(
                    2,
                    &me,
                    "CreateAccessKey",
                    json!({"userName": "backdoor"}),
                    json!({"accessKey": {"accessKeyId": "AKIABACK", "userName": "backdoor"}}),
                    None,
                ),
            ],
            Some((EvidenceKind::PrivilegeEscalation, Level::Critical)),
            2,
        ),
        (
            "admin for someone else is not a self-escalation chain",
            vec![iam(
                1,
                &me,
                "AttachUserPolicy",
                json!({"userName": "carol", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                Value::Null,
                None,
            )],
            None,
            0,
        ),
        (
            "key for another user, then used",
            vec![
                iam(
                    1,
                    &me,
                    "CreateAccessKey",
                    json!({"userName": "carol"}),
                    json!({"accessKey": {"accessKeyId": "AKIACAROL2"}}),
                    None,
                ),
                call(
                    200,
                    &{
                        let mut c = iam_user("carol");
                        c["accessKeyId"] = json!("AKIACAROL2");
                        c
                    },
                    OUT_IP,
                    LINUX_CLI,
                ),
            ],
            Some((EvidenceKind::CredentialPersistence, Level::High)),
            2,
        ),
    ];
    for (label, recs, want, min_steps) in cases {
        let a = analysed(&recs);
        let got = a.evidence.iter().find(|e| {
            matches!(
                e.kind,
                EvidenceKind::PrivilegeEscalation | EvidenceKind::CredentialPersistence
            )
        });
        assert_eq!(got.map(|e| (e.kind, e.level)), want, "{label}: {got:#?}");
        if let Some(e) = got {
            assert!(e.steps.len() >= min_steps, "{label}: {:#?}", e.steps);
            assert!(e.steps.iter().all(|s| s.event_id.is_some()), "{label}");
            assert_eq!(
                e.steps.iter().any(|s| s.failed),
                label.contains("denied"),
                "{label}: {:#?}",
                e.steps
            );
        }
    }
}

#[test]
fn recon_reads_and_tampering_cases() {
    let me = iam_user("eve");
    let at = |s: i64, src: &str, name: &str, err: Option<&str>| {
        let mut r = record(&t(DAY0 + s), src, name, me.clone(), OUT_IP, LINUX_CLI);
        if let Some(e) = err {
            r["errorCode"] = json!(e);
        }
        r
    };
    let recon = || {
        vec![
            at(0, "sts.amazonaws.com", "GetCallerIdentity", None),
            at(5, "iam.amazonaws.com", "ListUsers", Some("AccessDenied")),
            at(9, "iam.amazonaws.com", "ListRoles", None),
        ]
    };
    let reads = |n: i64| -> Vec<Value> {
        (0..n)
            .map(|i| {
                with(
                    at(60 + i, "s3.amazonaws.com", "GetObject", None),
                    "requestParameters",
                    json!({"bucketName": "b", "key": format!("k{i}")}),
                )
            })
            .collect()
    };
    let cases: Vec<Case<Option<(EvidenceKind, Level)>>> = vec![
        (
            "recon then burst",
            [recon(), reads(60)].concat(),
            Some((EvidenceKind::ReconThenReads, Level::High)),
        ),
        ("burst without recon (a sync)", reads(60), None),
        (
            "recon then a few reads",
            [recon(), reads(10)].concat(),
            None,
        ),
        (
            "tampering then action",
            vec![
                at(0, "cloudtrail.amazonaws.com", "StopLogging", None),
                at(60, "iam.amazonaws.com", "CreateUser", None),
            ],
            Some((EvidenceKind::TamperingThenAction, Level::Critical)),
        ),
        (
            "denied tampering then action",
            vec![
                at(
                    0,
                    "cloudtrail.amazonaws.com",
                    "StopLogging",
                    Some("AccessDenied"),
                ),
                at(60, "iam.amazonaws.com", "CreateUser", None),
            ],
            None,
        ),
        (
            "tampering and nothing after",
            vec![at(0, "ec2.amazonaws.com", "DeleteFlowLogs", None)],
            None,
        ),
    ];
    for (label, recs, want) in cases {
        let a = analysed(&recs);
        let got = a
            .evidence
            .iter()
            .find(|e| {
                matches!(
                    e.kind,
                    EvidenceKind::ReconThenReads | EvidenceKind::TamperingThenAction
                )
            })
            .map(|e| (e.kind, e.level));
        assert_eq!(got, want, "{label}");
    }
}

#[test]
fn network_class_column_and_query_field() {
    let u = iam_user("x");
    let recs = vec![
        call(0, &u, EC2_IP, LINUX_CLI),
        call(1, &u, "10.1.2.3", LINUX_CLI),
        call(2, &u, OUT_IP, LINUX_CLI),
        call(3, &u, "AWS Internal", "AWS Internal"),
        call(4, &u, "ec2.amazonaws.com", "ec2.amazonaws.com"),
    ];
    let store = load_records(&recs);
    let rows = |q: &str| -> Vec<u32> {
        Query::parse(q)
            .expect("parses")
            .rows(&store, None)
            .expect("runs")
    };
    for (q, want) in [
        ("net:aws", vec![0]),
        ("net:private", vec![1]),
        ("net:outside", vec![2]),
        ("net:aws-service", vec![3, 4]),
        ("outside:true", vec![2]),
    ] {
        assert_eq!(rows(q), want, "{q}");
    }
}

/// Three principals are too few for the forest, but their principal × network × client contexts are
/// enough: the model runs on those and says so.
#[test]
fn small_log_scored_by_contexts() {
    let inst = assumed_role("web", "i-0123456789abcdef0");
    let a_user = iam_user("ann");
    let b_user = iam_user("ben");
    let uas = [
        SSM,
        LINUX_CLI,
        MAC_CLI,
        "Boto3/1.26 Python/3.10 Linux/5.19 Botocore/1.29",
        "AWS Internal",
    ];
    let ips = [EC2_IP, "10.0.1.5", OUT_IP];
    let mut recs = Vec::new();
    let mut i = 0;
    for who in [&inst, &a_user, &b_user] {
        for ua in &uas[..3] {
            for ip in &ips[..2] {
                for _ in 0..3 {
                    i += 1;
                    recs.push(call(i, who, ip, ua));
                }
            }
        }
    }
    let a = analysed(&recs);
    assert!(
        a.principals
            .iter()
            .filter(|p| p.features.events > 0)
            .count()
            == 3
    );
    assert!(
        a.model
            .notes
            .iter()
            .any(|n| n.contains("principal × network × client contexts")),
        "{:?}",
        a.model.notes
    );
    assert!(
        a.principals
            .iter()
            .filter(|p| p.features.events > 0)
            .all(|p| p.score.is_some())
    );
}

/// A principal's reasons name a rule by its outcome: "Failed attempt…" (and the attempt level)
/// when every call of that rule failed, the rule's own title when any succeeded.
#[test]
fn principal_reasons_say_attempt_when_every_call_failed() {
    let stop = |i: i64, who: &Value, err: Option<&str>| {
        let r = with(
            record(
                &t(DAY0 + 3600 + i * 60),
                "cloudtrail.amazonaws.com",
                "StopLogging",
                who.clone(),
                OUT_IP,
                LINUX_CLI,
            ),
            "requestParameters",
            json!({"name": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}),
        );
        match err {
            Some(e) => with(r, "errorCode", json!(e)),
            None => r,
        }
    };
    let (mallory, bob, carol) = (iam_user("mallory"), iam_user("bob"), iam_user("carol"));
    // (principal, records, attempt wording expected, level of its reasons' rule)
    let cases: Vec<(&str, Vec<Value>, bool, Level)> = vec![
        (
            "mallory",
            vec![
                stop(0, &mallory, Some("AccessDenied")),
                stop(1, &mallory, Some("AccessDenied")),
            ],
            true,
            Level::High,
        ),
        ("bob", vec![stop(2, &bob, None)], false, Level::Critical),
        (
            "carol",
            vec![stop(3, &carol, Some("AccessDenied")), stop(4, &carol, None)],
            false,
            Level::Critical,
        ),
    ];
    let recs: Vec<Value> = cases.iter().flat_map(|c| c.1.clone()).collect();
    let a = analysed(&recs);
    for (who, _, attempt, level) in &cases {
        let p = a
            .principals
            .iter()
            .find(|p| p.principal.ends_with(&format!(":user/{who}")))
            .unwrap_or_else(|| panic!("{who} ranked"));
        let reason = p
            .risk_reasons
            .iter()
            .find(|r| r.contains("CloudTrail"))
            .unwrap_or_else(|| panic!("{who}: {:?}", p.risk_reasons));
        assert_eq!(
            reason.starts_with("Failed attempt"),
            *attempt,
            "{who}: {reason}"
        );
        assert!(reason.contains(&format!("({level},")), "{who}: {reason}");
        assert_eq!(p.rule_level, Some(*level), "{who}");
        // The finding for the same principal and rule carries the same wording.
        let f = a
            .findings
            .iter()
            .find(|f| f.rule_id == "cloudtrail-stopped" && f.principal == p.principal)
            .expect("finding");
        assert!(
            reason.starts_with(&f.title),
            "{who}: {reason} vs {}",
            f.title
        );
    }
}
