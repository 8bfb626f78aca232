//! Hand-made incidents shaped like the held-out real ones: stolen instance credentials used from a
//! laptop (only ever seen there), Lambda and ECS task credentials used from an attacker's address,
//! and an IAM user's key that escalates its own rights amid a busy owner. The attacker must rank
//! first at High or Critical, with the decoys below.
use cttui::analysis::evidence::EvidenceKind;
use cttui::analysis::{Analysis, Confidence, Level};
use serde_json::{Value, json};

use crate::support::records::{DAY0, analysed, assumed_role, iam_user, record, t, user, with};

const LAPTOP: &str = "198.51.100.23";
const MAC_CLI: &str =
    "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/s3.ls";
const FIREFOX: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
/// Addresses inside AWS's published EC2 prefixes (us-east-1).
const EC2_IP: &str = "3.225.16.109";
const EC2_IP2: &str = "52.45.102.28";

fn table(a: &Analysis) -> String {
    a.principals
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {:?}\n",
                p.rank, p.risk, p.principal, p.risk_reasons
            )
        })
        .collect()
}

fn s3(
    time: i64,
    name: &str,
    id: Value,
    ip: &str,
    ua: &str,
    bucket: &str,
    key: Option<&str>,
) -> Value {
    let mut r = record(&t(time), "s3.amazonaws.com", name, id, ip, ua);
    r = with(r, "requestParameters.bucketName", json!(bucket));
    if let Some(k) = key {
        r = with(r, "requestParameters.key", json!(k));
    }
    r
}

/// 103 events, 4 principals, like the held-out case: a console admin at work, a service, a backup
/// role, and the web instance's credentials only ever seen from a macOS laptop outside AWS.
#[test]
fn instance_credentials_from_a_laptop() {
    let mut recs = Vec::new();
    let admin = iam_user("alice");
    let inst = assumed_role("web-ec2-role", "i-0a1b2c3d4e5f60718");
    let backup = assumed_role("backup-role", "nightly");
    let svc = json!({"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"});
    let mut now = DAY0 + 9 * 3600;
    recs.push(with(
        record(
            &t(now),
            "signin.amazonaws.com",
            "ConsoleLogin",
            admin.clone(),
            "203.0.113.10",
            FIREFOX,
        ),
        "additionalEventData.MFAUsed",
        json!("Yes"),
    ));
    for i in 0..40 {
        now += 37;
        let name = [
            "DescribeInstances",
            "ListBuckets",
            "GetBucketPolicy",
            "DescribeSecurityGroups",
            "ListRoles",
        ][i % 5];
        let src = if name.starts_with("Describe") {
            "ec2.amazonaws.com"
        } else if name == "ListRoles" {
            "iam.amazonaws.com"
        } else {
            "s3.amazonaws.com"
        };
        recs.push(record(
            &t(now),
            src,
            name,
            admin.clone(),
            "203.0.113.10",
            "AWS Internal",
        ));
    }
    for i in 0..12 {
        recs.push(record(
            &t(DAY0 + 2 * 3600 + i * 60),
            "s3.amazonaws.com",
            "PutObject",
            backup.clone(),
            EC2_IP2,
            "aws-sdk-java/1.12.500 Linux/5.10 OpenJDK_64-Bit_Server_VM/17",
        ));
    }
    for i in 0..10 {
        recs.push(record(
            &t(DAY0 + 3 * 3600 + i * 300),
            "s3.amazonaws.com",
            "GetBucketAcl",
            svc.clone(),
            "cloudtrail.amazonaws.com",
            "cloudtrail.amazonaws.com",
        ));
    }
    // The stolen credentials, from the laptop: who am I, list, read.
    let mut now = DAY0 + 11 * 3600;
    recs.push(record(
        &t(now),
        "sts.amazonaws.com",
        "GetCallerIdentity",
        inst.clone(),
        LAPTOP,
        MAC_CLI,
    ));
    now += 20;
    recs.push(s3(
        now,
        "ListBuckets",
        inst.clone(),
        LAPTOP,
        MAC_CLI,
        "",
        None,
    ));
    for i in 0..38 {
        now += 3;
        let name = if i % 10 == 0 {
            "ListObjects"
        } else {
            "GetObject"
        };
        recs.push(s3(
            now,
            name,
            inst.clone(),
            LAPTOP,
            MAC_CLI,
            "web-uploads",
            Some(&format!("u/{i}.pdf")),
        ));
    }
    assert_eq!(recs.len(), 103);
    let a = analysed(&recs);
    let top = &a.principals[0];
    assert!(
        top.principal
            .ends_with("assumed-role/web-ec2-role/i-0a1b2c3d4e5f60718"),
        "{}",
        table(&a)
    );
    assert!(top.risk >= Level::High, "{}", table(&a));
    let ev = a
        .evidence
        .iter()
        .find(|e| e.kind == EvidenceKind::CredentialMisuse)
        .expect("misuse");
    assert!(
        ev.text.contains("outside AWS") && ev.text.contains("desktop"),
        "{}",
        ev.text
    );
    let cred = a
        .credentials
        .credentials
        .iter()
        .find(|c| c.principal == top.principal)
        .expect("followed");
    assert_eq!(
        cred.compute,
        Some(cttui::analysis::credentials::Compute::Ec2)
    );
    let s = a.suspect.as_ref().expect("suspect");
    assert_eq!(s.principal, top.principal);
    assert!(s.confidence >= Confidence::Medium, "{s:?}");
    // Four principals: too few for the forest, scored by robust statistics with the reason stated.
    assert!(a.principals.iter().all(|p| p.score.is_some()));
    assert!(
        a.model.notes.iter().any(|n| n.contains("robust z-scores")),
        "{:?}",
        a.model.notes
    );
    let admin_rank = a
        .principals
        .iter()
        .find(|p| p.principal == user("alice"))
        .expect("alice");
    assert!(admin_rank.risk < top.risk || admin_rank.rank > 1);
}

/// 37 events, 7 principals: a Lambda's and an ECS task's role sessions working from AWS, then the
/// same sessions used from the attacker's laptop with a macOS aws-cli.
#[test]
fn lambda_and_task_credentials_from_outside() {
    let lambda_ua = "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#5.10.192 md/arch#x86_64 lang/python#3.11.5 exec-env/AWS_Lambda_python3.11 Botocore/1.31.57";
    let ecs_ua =
        "aws-sdk-java/2.20.160 Linux/5.10.198 OpenJDK_64-Bit_Server_VM/17 exec-env/AWS_ECS_FARGATE";
    let fnc = assumed_role("orders-fn-role", "orders-fn");
    let task = assumed_role("orders-task-role", "5f1c0e7a9b2d4c6e8f0a1b2c3d4e5f60");
    let others = [
        (iam_user("dev"), "203.0.113.10", FIREFOX),
        (
            assumed_role("ci-deploy", "build-77"),
            "203.0.113.40",
            "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22",
        ),
        (
            assumed_role("monitor", "probe"),
            EC2_IP2,
            "aws-sdk-go/1.44.0 (go1.20; linux; amd64)",
        ),
        (
            json!({"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}),
            "lambda.amazonaws.com",
            "lambda.amazonaws.com",
        ),
        (
            json!({"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"}),
            "ecs-tasks.amazonaws.com",
            "ecs-tasks.amazonaws.com",
        ),
    ];
    let mut recs = Vec::new();
    let mut now = DAY0 + 8 * 3600;
    for (i, (id, ip, ua)) in others.iter().enumerate() {
        for j in 0..3 {
            now += 61;
            let (src, name) = [
                ("ec2.amazonaws.com", "DescribeInstances"),
                ("sts.amazonaws.com", "AssumeRole"),
                ("logs.amazonaws.com", "CreateLogStream"),
            ][(i + j) % 3];
            recs.push(record(&t(now), src, name, id.clone(), ip, ua));
        }
    }
    for i in 0..10 {
        now += 120;
        recs.push(record(
            &t(now),
            "dynamodb.amazonaws.com",
            "PutItem",
            fnc.clone(),
            EC2_IP,
            lambda_ua,
        ));
        if i % 2 == 0 {
            recs.push(record(
                &t(now + 5),
                "sqs.amazonaws.com",
                "ReceiveMessage",
                task.clone(),
                EC2_IP2,
                ecs_ua,
            ));
        }
    }
    now += 3600;
    for (id, names) in [
        (
            &fnc,
            ["GetCallerIdentity", "ListTables", "Scan", "Scan"].as_slice(),
        ),
        (
            &task,
            ["GetCallerIdentity", "ListQueues", "ListBuckets"].as_slice(),
        ),
    ] {
        for n in names {
            now += 15;
            let src = match *n {
                "GetCallerIdentity" => "sts.amazonaws.com",
                "ListQueues" => "sqs.amazonaws.com",
                "ListBuckets" => "s3.amazonaws.com",
                _ => "dynamodb.amazonaws.com",
            };
            recs.push(record(&t(now), src, n, id.clone(), LAPTOP, MAC_CLI));
        }
    }
    assert_eq!(recs.len(), 37);
    let a = analysed(&recs);
    assert_eq!(
        a.principals
            .iter()
            .filter(|p| p.features.events > 0)
            .count(),
        7
    );
    let top = &a.principals[0];
    assert!(
        top.principal.ends_with("orders-fn")
            || top.principal.ends_with("5f1c0e7a9b2d4c6e8f0a1b2c3d4e5f60"),
        "{}",
        table(&a)
    );
    assert!(
        a.principals[1].principal.contains("orders-"),
        "{}",
        table(&a)
    );
    for p in &a.principals[..2] {
        assert_eq!(p.risk, Level::Critical, "{}", table(&a));
        // The attacker's address is named, not the function's own AWS address as the odd one.
        assert!(
            p.evidence.iter().any(|e| e.contains(LAPTOP)),
            "{:?}",
            p.evidence
        );
        assert!(
            p.evidence
                .iter()
                .all(|e| !e.contains(&format!("from {EC2_IP}"))),
            "{:?}",
            p.evidence
        );
    }
    // Every principal is scored, small as the log is.
    assert!(a.principals.iter().all(|p| p.score.is_some()));
}

/// A CI user's key, after days of routine use from inside AWS, used from a new address: denied
/// recon, its own permissions read, PutUserPolicy granting itself */*, CreateAccessKey and the new
/// key's use — amid an owner who syncs the log bucket and signs in as root from the usual address.
#[test]
fn iam_user_escalates_itself_amid_a_busy_owner() {
    let mut recs = Vec::new();
    let owner = iam_user("owner-admin");
    let root = json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    let ci = iam_user("ci-deployer");
    let svc = json!({"type": "AWSService", "invokedBy": "config.amazonaws.com"});
    let home = "203.0.113.10";
    let cli = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 command/s3.sync";
    for day in 0..5 {
        let d = DAY0 + day * 86_400;
        recs.push(with(
            record(
                &t(d + 8 * 3600),
                "signin.amazonaws.com",
                "ConsoleLogin",
                root.clone(),
                home,
                FIREFOX,
            ),
            "additionalEventData.MFAUsed",
            json!("No"),
        ));
        for i in 0..300 {
            recs.push(s3(
                d + 9 * 3600 + i,
                "GetObject",
                owner.clone(),
                home,
                cli,
                "org-cloudtrail-logs",
                Some(&format!("AWSLogs/{day}/{i}.json.gz")),
            ));
        }
        recs.push(s3(
            d + 9 * 3600 - 5,
            "ListObjects",
            owner.clone(),
            home,
            cli,
            "org-cloudtrail-logs",
            None,
        ));
        for i in 0..200 {
            recs.push(record(
                &t(d + i * 400),
                "config.amazonaws.com",
                "PutEvaluations",
                svc.clone(),
                "config.amazonaws.com",
                "config.amazonaws.com",
            ));
        }
        for i in 0..30 {
            recs.push(record(&t(d + 10 * 3600 + i * 600), "ecr.amazonaws.com", "GetAuthorizationToken", ci.clone(), EC2_IP2, "aws-cli/2.15.0 Python/3.11.6 Linux/5.10 exe/x86_64.amzn.2 command/ecr.get-login-password"));
        }
    }
    let attacker = "203.0.113.99";
    let ua = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22";
    let mut now = DAY0 + 5 * 86_400 + 2 * 3600;
    let mut step = |name: &str, src: &str, f: &dyn Fn(Value) -> Value| {
        now += 7;
        recs.push(f(record(&t(now), src, name, ci.clone(), attacker, ua)));
    };
    step("GetCallerIdentity", "sts.amazonaws.com", &|r| r);
    for n in ["ListUsers", "ListRoles", "DescribeInstances"] {
        step(
            n,
            if n == "DescribeInstances" {
                "ec2.amazonaws.com"
            } else {
                "iam.amazonaws.com"
            },
            &|r| with(r, "errorCode", json!("AccessDenied")),
        );
    }
    for n in [
        "GetUser",
        "ListAttachedUserPolicies",
        "ListUserPolicies",
        "ListGroupsForUser",
    ] {
        step(n, "iam.amazonaws.com", &|r| r);
    }
    step("PutUserPolicy", "iam.amazonaws.com", &|r| {
        let r = with(r, "requestParameters.userName", json!("ci-deployer"));
        let r = with(r, "requestParameters.policyName", json!("ops"));
        with(
            r,
            "requestParameters.policyDocument",
            json!(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
            ),
        )
    });
    step("CreateAccessKey", "iam.amazonaws.com", &|r| {
        let r = with(r, "requestParameters.userName", json!("ci-deployer"));
        with(
            r,
            "responseElements.accessKey",
            json!({"accessKeyId": "AKIANEWKEY0001", "userName": "ci-deployer", "status": "Active"}),
        )
    });
    let mut new_id = ci.clone();
    new_id["accessKeyId"] = json!("AKIANEWKEY0001");
    for n in ["GetCallerIdentity", "ListUsers", "ListBuckets"] {
        now += 30;
        recs.push(record(
            &t(now),
            "iam.amazonaws.com",
            n,
            new_id.clone(),
            attacker,
            ua,
        ));
    }
    let a = analysed(&recs);
    let top = &a.principals[0];
    assert_eq!(top.principal, user("ci-deployer"), "{}", table(&a));
    assert_eq!(top.risk, Level::Critical, "{}", table(&a));
    let chain = a
        .evidence
        .iter()
        .find(|e| e.kind == EvidenceKind::PrivilegeEscalation)
        .expect("escalation chain");
    assert_eq!(chain.level, Level::Critical);
    let names: Vec<&str> = chain.steps.iter().map(|s| s.event_name.as_str()).collect();
    for n in [
        "ListAttachedUserPolicies",
        "PutUserPolicy",
        "CreateAccessKey",
    ] {
        assert!(names.contains(&n), "{names:?}");
    }
    assert!(chain.text.contains("then used"), "{}", chain.text);
    assert!(chain.steps.iter().all(|s| s.event_id.is_some()));
    let s = a.suspect.as_ref().expect("suspect");
    assert_eq!(
        (s.principal.as_str(), s.confidence),
        (user("ci-deployer").as_str(), Confidence::High)
    );
    for decoy in [
        user("owner-admin"),
        "arn:aws:iam::111122223333:root".to_owned(),
    ] {
        let p = a
            .principals
            .iter()
            .find(|p| p.principal == decoy)
            .expect("decoy");
        assert!(p.rank > 1 && p.compromise.is_none(), "{}", table(&a));
    }
}
