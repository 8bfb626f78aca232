//! CloudTrail records built in code for the analysis and detection tests, written to a temporary
//! Records file and loaded through the real ingest path, and the scenarios made of them.

use std::io::Write;

use cttui::analysis::{Analysis, AnalysisOptions, analyze};
use cttui::ingest::{LoadOptions, load};
use cttui::model::store::EventStore;
use serde_json::{Value, json};

pub const ACCOUNT: &str = "111122223333";

/// The analysis, with default options, of `records` loaded through the real ingest path.
pub fn analysed(records: &[Value]) -> Analysis {
    analyze(&load_records(records), &AnalysisOptions::default()).expect("analysis")
}

/// Whether rule `rule` fired for `principal`.
pub fn hit(a: &Analysis, rule: &str, principal: &str) -> bool {
    a.findings
        .iter()
        .any(|f| f.rule_id == rule && f.principal == principal)
}

/// An IAM user ARN.
pub fn user(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

/// A record with the fields every event has; `identity` is the userIdentity object.
pub fn record(time: &str, source: &str, name: &str, identity: Value, ip: &str, ua: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": ua,
        "userIdentity": identity,
        "recipientAccountId": ACCOUNT,
        "eventType": "AwsApiCall",
    })
}

pub fn iam_user(name: &str) -> Value {
    json!({
        "type": "IAMUser",
        "principalId": format!("AIDA{}", name.to_uppercase()),
        "arn": user(name),
        "accountId": ACCOUNT,
        "accessKeyId": format!("AKIA{}", name.to_uppercase()),
        "userName": name,
    })
}

pub fn assumed_role(role: &str, session: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROA{}:{session}", role.to_uppercase()),
        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
                "userName": role
            }
        }
    })
}

/// Sets a field (dotted path) on a record, creating objects on the way.
pub fn with(mut rec: Value, path: &str, v: Value) -> Value {
    let mut cur = &mut rec;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            cur[*p] = v;
            break;
        }
        if !cur[*p].is_object() {
            cur[*p] = json!({});
        }
        cur = &mut cur[*p];
    }
    rec
}

/// Numbers the records' eventIDs and loads them as one Records file.
pub fn load_records(records: &[Value]) -> EventStore {
    let recs: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            if r.get("eventID").is_none() {
                r["eventID"] = json!(format!("00000000-0000-0000-0000-{i:012}"));
            }
            r
        })
        .collect();
    let mut file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("temp file");
    let body = serde_json::to_vec(&json!({ "Records": recs })).expect("json");
    file.write_all(&body).expect("write");
    file.flush().expect("flush");
    let path = file.path().to_string_lossy().into_owned();
    let (store, _) = load(&[path], &LoadOptions::default()).expect("load");
    store
}

/// Epoch seconds to RFC 3339.
pub fn t(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A small deterministic generator for scenario noise.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.step() % n
    }
}

/// 2024-03-04T00:00:00Z, a Monday.
pub const DAY0: i64 = 1_709_510_400;
pub const ATTACKER_IP: &str = "203.0.113.7";
pub const ATTACKER_UA: &str =
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023";

/// A week of ordinary activity by six people, a backup role and a CI user, and on day 5 at
/// 02:00 UTC the CI user's stolen key used from a new address with a Kali user agent: recon,
/// a run of denied calls, then 1,200 GetObject from the customer bucket.
pub fn theft_scenario() -> Vec<Value> {
    let mut rng = Lcg(7);
    let mut out = Vec::new();
    let people = ["alice", "bob", "carol", "dave", "erin", "frank"];
    let names = [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("ec2.amazonaws.com", "DescribeSecurityGroups"),
        ("s3.amazonaws.com", "ListObjects"),
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "PutObject"),
        ("cloudwatch.amazonaws.com", "GetMetricData"),
        ("lambda.amazonaws.com", "ListFunctions20150331"),
    ];
    for day in 0..7 {
        for (pi, p) in people.iter().enumerate() {
            let ip = format!("198.51.100.{}", 10 + pi);
            let ua = if pi % 2 == 0 {
                "aws-cli/2.13.0 Python/3.11.4 Darwin/23.1.0 exe/x86_64"
            } else {
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) console.aws.amazon.com"
            };
            let n = 15 + rng.below(20);
            for _ in 0..n {
                let secs = DAY0 + day * 86_400 + 8 * 3600 + rng.below(9 * 3600) as i64;
                let (src, name) = names[rng.below(names.len() as u64) as usize];
                let mut r = record(&t(secs), src, name, iam_user(p), &ip, ua);
                if src == "s3.amazonaws.com" {
                    r = with(r, "requestParameters.bucketName", json!("team-data"));
                    r = with(
                        r,
                        "requestParameters.key",
                        json!(format!("reports/{}.csv", rng.below(50))),
                    );
                }
                if name == "GetObject" {
                    r = with(
                        r,
                        "additionalEventData.bytesTransferredOut",
                        json!(20_000 + rng.below(5000)),
                    );
                }
                if rng.below(40) == 0 {
                    r["errorCode"] = json!("AccessDenied");
                }
                out.push(r);
            }
        }
        // The backup role reads a few objects every hour.
        for hour in 0..24 {
            for k in 0..4 {
                let secs = DAY0 + day * 86_400 + hour * 3600 + 60 * k + rng.below(50) as i64;
                let r = record(
                    &t(secs),
                    "s3.amazonaws.com",
                    "GetObject",
                    assumed_role("backup", "backup-job"),
                    "10.0.1.5",
                    "aws-sdk-java/2.20.0 Linux/5.10 OpenJDK_64-Bit_Server_VM",
                );
                let r = with(r, "requestParameters.bucketName", json!("customer-pii"));
                let r = with(
                    r,
                    "requestParameters.key",
                    json!(format!("db/{hour}-{k}.parquet")),
                );
                out.push(with(
                    r,
                    "additionalEventData.bytesTransferredOut",
                    json!(1_000_000),
                ));
            }
        }
        // The CI user deploys twice a day.
        for slot in [10, 15] {
            for k in 0..6 {
                let secs = DAY0 + day * 86_400 + slot * 3600 + 20 * k;
                let (src, name) = [
                    ("sts.amazonaws.com", "GetCallerIdentity"),
                    ("s3.amazonaws.com", "PutObject"),
                    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
                ][(k % 3) as usize];
                let mut r = record(
                    &t(secs),
                    src,
                    name,
                    iam_user("ci-deploy"),
                    "198.51.100.200",
                    "aws-cli/2.13.0 Python/3.11.4 Linux/5.15 exe/x86_64 command/ci",
                );
                if src == "s3.amazonaws.com" {
                    r = with(r, "requestParameters.bucketName", json!("artifacts"));
                }
                out.push(r);
            }
        }
    }
    // Day 5, 02:00 UTC: the stolen CI key.
    let start = DAY0 + 5 * 86_400 + 2 * 3600;
    let thief = |secs: i64, src: &str, name: &str| {
        record(
            &t(secs),
            src,
            name,
            iam_user("ci-deploy"),
            ATTACKER_IP,
            ATTACKER_UA,
        )
    };
    out.push(thief(start, "sts.amazonaws.com", "GetCallerIdentity"));
    out.push(thief(start + 5, "s3.amazonaws.com", "ListBuckets"));
    for k in 0..30 {
        let (src, name) = [
            ("iam.amazonaws.com", "ListUsers"),
            ("secretsmanager.amazonaws.com", "ListSecrets"),
            ("ec2.amazonaws.com", "DescribeInstances"),
        ][k % 3];
        let mut r = thief(start + 10 + k as i64, src, name);
        r["errorCode"] = json!("AccessDenied");
        out.push(r);
    }
    for k in 0..1200 {
        let r = thief(start + 60 + k / 2, "s3.amazonaws.com", "GetObject");
        let r = with(r, "requestParameters.bucketName", json!("customer-pii"));
        let r = with(
            r,
            "requestParameters.key",
            json!(format!("customers/{k:05}.json")),
        );
        out.push(with(
            r,
            "additionalEventData.bytesTransferredOut",
            json!(250_000),
        ));
    }
    out.sort_by(|a, b| a["eventTime"].as_str().cmp(&b["eventTime"].as_str()));
    out
}

/// A smaller story for the golden file: eight people over three days, then the CI key stolen:
/// recon, denied calls, 120 reads, a public bucket policy and CloudTrail stopped.
pub fn small_theft_scenario() -> Vec<Value> {
    let mut rng = Lcg(11);
    let mut out = Vec::new();
    let people = ["ana", "ben", "cleo", "dan", "eva", "finn", "gus", "hana"];
    let names = [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "ListObjects"),
        ("s3.amazonaws.com", "GetObject"),
        ("cloudwatch.amazonaws.com", "GetMetricData"),
    ];
    for day in 0..3 {
        for (pi, p) in people.iter().enumerate() {
            for _ in 0..8 {
                let secs = DAY0 + day * 86_400 + 9 * 3600 + rng.below(8 * 3600) as i64;
                let (src, name) = names[rng.below(names.len() as u64) as usize];
                let ip = format!("198.51.100.{}", 20 + pi);
                let mut r = record(
                    &t(secs),
                    src,
                    name,
                    iam_user(p),
                    &ip,
                    "aws-cli/2.13.0 Python/3.11.4 Darwin/23.1.0",
                );
                if src == "s3.amazonaws.com" {
                    r = with(r, "requestParameters.bucketName", json!("team-data"));
                }
                if name == "GetObject" {
                    r = with(r, "additionalEventData.bytesTransferredOut", json!(10_000));
                }
                out.push(r);
            }
        }
        for k in 0..3 {
            let secs = DAY0 + day * 86_400 + 11 * 3600 + 30 * k;
            out.push(record(
                &t(secs),
                "sts.amazonaws.com",
                "GetCallerIdentity",
                iam_user("ci-deploy"),
                "198.51.100.200",
                "aws-cli/2.13.0 Python/3.11.4 Linux/5.15 command/ci",
            ));
        }
    }
    let start = DAY0 + 2 * 86_400 + 2 * 3600;
    let thief = |secs: i64, src: &str, name: &str| {
        record(
            &t(secs),
            src,
            name,
            iam_user("ci-deploy"),
            ATTACKER_IP,
            ATTACKER_UA,
        )
    };
    out.push(thief(start, "sts.amazonaws.com", "GetCallerIdentity"));
    out.push(thief(start + 5, "s3.amazonaws.com", "ListBuckets"));
    for k in 0..12 {
        let mut r = thief(start + 10 + k, "iam.amazonaws.com", "ListUsers");
        r["errorCode"] = json!("AccessDenied");
        out.push(r);
    }
    for k in 0..120 {
        let r = thief(start + 60 + k, "s3.amazonaws.com", "GetObject");
        let r = with(r, "requestParameters.bucketName", json!("customer-pii"));
        let r = with(
            r,
            "requestParameters.key",
            json!(format!("customers/{k:04}.json")),
        );
        out.push(with(
            r,
            "additionalEventData.bytesTransferredOut",
            json!(50_000),
        ));
    }
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-pii/*"}]});
    let r = thief(start + 200, "s3.amazonaws.com", "PutBucketPolicy");
    let r = with(r, "requestParameters.bucketName", json!("customer-pii"));
    out.push(with(r, "requestParameters.bucketPolicy", policy));
    out.push(thief(
        start + 300,
        "cloudtrail.amazonaws.com",
        "StopLogging",
    ));
    out.sort_by(|a, b| a["eventTime"].as_str().cmp(&b["eventTime"].as_str()));
    out
}

/// The coverage rules of issue 8: each has a positive case in tests/rules_coverage.rs, and
/// tests/rules_benign.rs measures their hits on benign real logs.
pub const NEW_RULES: &[&str] = &[
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
