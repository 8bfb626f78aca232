//! The coverage rules of issue 8 on minimal hand-made records: for each, a call that must match
//! and a near miss that must not (table-driven), the detectors and thresholds in dedicated tests,
//! and outcome-aware levels (a failed call is an attempt, one level lower).

use crate::support::records::*;
use cttui::analysis::rules::findings::{Finding, Outcome};
use cttui::analysis::rules::{builtin, parse_rules};
use cttui::analysis::{Analysis, AnalysisOptions, Level, analyze};
use serde_json::{Value, json};

const T0: i64 = 1_709_546_400; // 2024-03-04T10:00:00Z
const CLI: &str = "aws-cli/2.13.0 Python/3.11.4 Linux/6.2 exe/x86_64";
const OTHER: &str = "999988887777";

fn ev(source: &str, name: &str) -> Value {
    record(
        &t(T0),
        source,
        name,
        iam_user("someone"),
        "198.51.100.1",
        CLI,
    )
}

fn req(source: &str, name: &str, params: Value) -> Value {
    with(ev(source, name), "requestParameters", params)
}

fn policy(principal: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "*", "Resource": "*"}]})
}

/// (rule id, event, expected hit, what the case checks)
fn cases() -> Vec<(&'static str, Value, bool, &'static str)> {
    let ec2 = "ec2.amazonaws.com";
    let ssm = "ssm.amazonaws.com";
    let lambda = "lambda.amazonaws.com";
    let iam = "iam.amazonaws.com";
    let kms = "kms.amazonaws.com";
    let s3 = "s3.amazonaws.com";
    let foreign = || policy(json!({"AWS": format!("arn:aws:iam::{OTHER}:root")}));
    let own = || policy(json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}));
    let sg = |port: u16, cidr: &str| {
        json!({"groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": port, "toPort": port,
            "ipRanges": {"items": [{"cidrIp": cidr}]}}]}})
    };
    vec![
        (
            "dns-query-logging-deleted",
            ev(
                "route53resolver.amazonaws.com",
                "DeleteResolverQueryLogConfig",
            ),
            true,
            "deleted",
        ),
        (
            "dns-query-logging-deleted",
            ev(
                "route53resolver.amazonaws.com",
                "DisassociateResolverQueryLogConfig",
            ),
            true,
            "detached",
        ),
        (
            "dns-query-logging-deleted",
            ev(
                "route53resolver.amazonaws.com",
                "ListResolverQueryLogConfigs",
            ),
            false,
            "listing",
        ),
        (
            "organizations-leave",
            ev("organizations.amazonaws.com", "LeaveOrganization"),
            true,
            "leave",
        ),
        (
            "organizations-leave",
            ev("organizations.amazonaws.com", "DescribeOrganization"),
            false,
            "describe",
        ),
        (
            "ec2-unusual-instances",
            req(
                ec2,
                "RunInstances",
                json!({"instanceType": "p3.2xlarge", "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]}}),
            ),
            true,
            "GPU type",
        ),
        (
            "ec2-unusual-instances",
            req(
                ec2,
                "RunInstances",
                json!({"instanceType": "t3.micro", "instancesSet": {"items": [{"minCount": 1, "maxCount": 20}]}}),
            ),
            true,
            "twenty at once",
        ),
        (
            "ec2-unusual-instances",
            req(
                ec2,
                "RunInstances",
                json!({"instanceType": "t3.micro", "instancesSet": {"items": [{"minCount": 1, "maxCount": 2}]}}),
            ),
            false,
            "two small ones",
        ),
        (
            "ec2-user-data-read",
            req(
                ec2,
                "DescribeInstanceAttribute",
                json!({"instanceId": "i-1", "attribute": "userData"}),
            ),
            true,
            "user data",
        ),
        (
            "ec2-user-data-read",
            req(
                ec2,
                "DescribeInstanceAttribute",
                json!({"instanceId": "i-1", "attribute": "instanceType"}),
            ),
            false,
            "another attribute",
        ),
        (
            "ec2-user-data-modified",
            req(
                ec2,
                "ModifyInstanceAttribute",
                json!({"instanceId": "i-1", "userData": "<sensitiveDataRemoved>"}),
            ),
            true,
            "new user data",
        ),
        (
            "ec2-user-data-modified",
            req(
                ec2,
                "ModifyInstanceAttribute",
                json!({"instanceId": "i-1", "instanceType": {"value": "t3.large"}}),
            ),
            false,
            "resize",
        ),
        (
            "ec2-password-data",
            req(ec2, "GetPasswordData", json!({"instanceId": "i-1"})),
            true,
            "from the CLI",
        ),
        (
            "ec2-password-data",
            with(
                req(ec2, "GetPasswordData", json!({"instanceId": "i-1"})),
                "userAgent",
                json!("signin.amazonaws.com"),
            ),
            false,
            "the console's own button",
        ),
        (
            "ec2-security-group-admin-port-open",
            req(ec2, "AuthorizeSecurityGroupIngress", sg(22, "0.0.0.0/0")),
            true,
            "SSH to the world",
        ),
        (
            "ec2-security-group-admin-port-open",
            req(
                ec2,
                "AuthorizeSecurityGroupIngress",
                json!({"groupId": "sg-1", "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrIp": "0.0.0.0/0"}),
            ),
            true,
            "RDP, flat form",
        ),
        (
            "ec2-security-group-admin-port-open",
            req(ec2, "AuthorizeSecurityGroupIngress", sg(443, "0.0.0.0/0")),
            false,
            "HTTPS to the world",
        ),
        (
            "ec2-security-group-admin-port-open",
            req(ec2, "AuthorizeSecurityGroupIngress", sg(22, "10.0.0.0/8")),
            false,
            "SSH from the VPC",
        ),
        (
            "ec2-instance-connect-key",
            ev("ec2-instance-connect.amazonaws.com", "SendSSHPublicKey"),
            true,
            "instance connect",
        ),
        (
            "ec2-serial-console-key",
            ev(ec2, "SendSerialConsoleSSHPublicKey"),
            true,
            "serial key",
        ),
        (
            "ec2-serial-console-enabled",
            ev(ec2, "EnableSerialConsoleAccess"),
            true,
            "enabled",
        ),
        (
            "ec2-serial-console-enabled",
            ev(ec2, "GetSerialConsoleAccessStatus"),
            false,
            "status read",
        ),
        (
            "ebs-default-encryption-disabled",
            ev(ec2, "DisableEbsEncryptionByDefault"),
            true,
            "disabled",
        ),
        (
            "ebs-default-encryption-disabled",
            ev(ec2, "EnableEbsEncryptionByDefault"),
            false,
            "enabled",
        ),
        (
            "ssm-send-command-shell",
            req(
                ssm,
                "SendCommand",
                json!({"documentName": "AWS-RunShellScript", "instanceIds": ["i-1"]}),
            ),
            true,
            "shell",
        ),
        (
            "ssm-send-command-shell",
            req(
                ssm,
                "SendCommand",
                json!({"documentName": "AWS-RunPatchBaseline"}),
            ),
            false,
            "patching is not a shell",
        ),
        (
            "ssm-send-command",
            req(
                ssm,
                "SendCommand",
                json!({"documentName": "AWS-RunPatchBaseline"}),
            ),
            true,
            "other document",
        ),
        (
            "ssm-send-command",
            req(
                ssm,
                "SendCommand",
                json!({"documentName": "AWS-RunShellScript"}),
            ),
            false,
            "shell has its own rule",
        ),
        (
            "ssm-start-session",
            req(ssm, "StartSession", json!({"target": "i-1"})),
            true,
            "session",
        ),
        (
            "ssm-start-session",
            ev(ssm, "DescribeSessions"),
            false,
            "listing sessions",
        ),
        (
            "lambda-permission-outside",
            req(
                lambda,
                "AddPermission20150331v2",
                json!({"functionName": "f", "principal": "*"}),
            ),
            true,
            "anyone",
        ),
        (
            "lambda-permission-outside",
            req(
                lambda,
                "AddPermission20150331v2",
                json!({"functionName": "f", "principal": OTHER}),
            ),
            true,
            "another account",
        ),
        (
            "lambda-permission-outside",
            req(
                lambda,
                "AddPermission20150331v2",
                json!({"functionName": "f", "principal": "s3.amazonaws.com"}),
            ),
            false,
            "a service",
        ),
        (
            "lambda-permission-outside",
            req(
                lambda,
                "AddPermission20150331v2",
                json!({"functionName": "f", "principal": ACCOUNT}),
            ),
            false,
            "own account",
        ),
        (
            "lambda-layer-added",
            req(
                lambda,
                "UpdateFunctionConfiguration20150331v2",
                json!({"functionName": "f", "layers": ["arn:aws:lambda:us-east-1:999988887777:layer:x:1"]}),
            ),
            true,
            "layer set",
        ),
        (
            "lambda-layer-added",
            req(
                lambda,
                "UpdateFunctionConfiguration20150331v2",
                json!({"functionName": "f", "timeout": 30}),
            ),
            false,
            "timeout only",
        ),
        (
            "lambda-layer-shared-outside",
            req(
                lambda,
                "AddLayerVersionPermission20181031",
                json!({"layerName": "x", "principal": "*"}),
            ),
            true,
            "public layer",
        ),
        (
            "lambda-public-url",
            req(
                lambda,
                "CreateFunctionUrlConfig20211031",
                json!({"functionName": "f", "authType": "NONE"}),
            ),
            true,
            "no auth",
        ),
        (
            "lambda-public-url",
            req(
                lambda,
                "CreateFunctionUrlConfig20211031",
                json!({"functionName": "f", "authType": "AWS_IAM"}),
            ),
            false,
            "IAM auth",
        ),
        (
            "iam-identity-provider-added",
            ev(iam, "CreateSAMLProvider"),
            true,
            "SAML",
        ),
        (
            "iam-identity-provider-added",
            ev(iam, "CreateOpenIDConnectProvider"),
            true,
            "OIDC",
        ),
        (
            "iam-identity-provider-added",
            ev(iam, "ListSAMLProviders"),
            false,
            "listing",
        ),
        (
            "rolesanywhere-trust-anchor",
            ev("rolesanywhere.amazonaws.com", "CreateTrustAnchor"),
            true,
            "anchor",
        ),
        (
            "rolesanywhere-trust-anchor",
            ev("rolesanywhere.amazonaws.com", "ListTrustAnchors"),
            false,
            "listing",
        ),
        (
            "sts-federation-token",
            ev("sts.amazonaws.com", "GetFederationToken"),
            true,
            "token",
        ),
        (
            "sts-federation-token",
            ev("sts.amazonaws.com", "GetSessionToken"),
            false,
            "session token",
        ),
        (
            "iam-trust-policy-outside",
            req(
                iam,
                "UpdateAssumeRolePolicy",
                json!({"roleName": "r", "policyDocument": foreign().to_string()}),
            ),
            true,
            "foreign account, policy as a string",
        ),
        (
            "iam-trust-policy-outside",
            req(
                iam,
                "CreateRole",
                json!({"roleName": "r", "assumeRolePolicyDocument": policy(json!("*")).to_string()}),
            ),
            true,
            "anyone",
        ),
        (
            "iam-trust-policy-outside",
            req(
                iam,
                "UpdateAssumeRolePolicy",
                json!({"roleName": "r", "policyDocument": policy(json!({"Service": "ec2.amazonaws.com"})).to_string()}),
            ),
            false,
            "a service",
        ),
        (
            "iam-trust-policy-outside",
            req(
                iam,
                "CreateRole",
                json!({"roleName": "r", "assumeRolePolicyDocument": own().to_string()}),
            ),
            false,
            "own account",
        ),
        (
            "iam-password-reset-for-other-user",
            req(iam, "UpdateLoginProfile", json!({"userName": "victim"})),
            true,
            "someone else's password",
        ),
        (
            "iam-password-reset-for-other-user",
            req(iam, "UpdateLoginProfile", json!({"userName": "someone"})),
            false,
            "own password",
        ),
        (
            "iam-mfa-removed",
            ev(iam, "DeactivateMFADevice"),
            true,
            "deactivated",
        ),
        (
            "iam-mfa-removed",
            ev(iam, "EnableMFADevice"),
            false,
            "enabled",
        ),
        (
            "kms-key-deletion",
            ev(kms, "ScheduleKeyDeletion"),
            true,
            "deletion",
        ),
        ("kms-key-deletion", ev(kms, "DisableKey"), true, "disabled"),
        (
            "kms-key-deletion",
            ev(kms, "CancelKeyDeletion"),
            false,
            "cancelled",
        ),
        (
            "kms-key-policy-changed",
            req(
                kms,
                "PutKeyPolicy",
                json!({"keyId": "k", "policy": own().to_string()}),
            ),
            true,
            "policy put",
        ),
        (
            "kms-key-policy-outside",
            req(
                kms,
                "PutKeyPolicy",
                json!({"keyId": "k", "policy": foreign().to_string()}),
            ),
            true,
            "foreign account",
        ),
        (
            "kms-key-policy-outside",
            req(
                kms,
                "PutKeyPolicy",
                json!({"keyId": "k", "policy": own().to_string()}),
            ),
            false,
            "own account",
        ),
        (
            "s3-batch-delete",
            req(
                s3,
                "DeleteObjects",
                json!({"bucketName": "b", "delete": ""}),
            ),
            true,
            "batch",
        ),
        (
            "s3-batch-delete",
            req(s3, "DeleteObject", json!({"bucketName": "b", "key": "k"})),
            false,
            "one object",
        ),
        (
            "s3-sse-c-write",
            req(
                s3,
                "PutObject",
                json!({"bucketName": "b", "key": "k", "x-amz-server-side-encryption-customer-algorithm": "AES256"}),
            ),
            true,
            "SSE-C",
        ),
        (
            "s3-sse-c-write",
            req(
                s3,
                "PutObject",
                json!({"bucketName": "b", "key": "k", "x-amz-server-side-encryption": "aws:kms"}),
            ),
            false,
            "SSE-KMS",
        ),
        (
            "bedrock-model-invoked",
            ev("bedrock.amazonaws.com", "InvokeModel"),
            true,
            "invoke",
        ),
        (
            "bedrock-model-invoked",
            ev("bedrock.amazonaws.com", "ListFoundationModels"),
            false,
            "listing",
        ),
        (
            "secret-policy-outside",
            req(
                "secretsmanager.amazonaws.com",
                "PutResourcePolicy",
                json!({"secretId": "s", "resourcePolicy": policy(json!("*")).to_string()}),
            ),
            true,
            "anyone",
        ),
        (
            "secret-policy-outside",
            req(
                "secretsmanager.amazonaws.com",
                "PutResourcePolicy",
                json!({"secretId": "s", "resourcePolicy": own().to_string()}),
            ),
            false,
            "own account",
        ),
        (
            "s3-policy-cross-account",
            req(
                s3,
                "PutBucketPolicy",
                json!({"bucketName": "b", "bucketPolicy": foreign()}),
            ),
            true,
            "another account",
        ),
        (
            "s3-policy-cross-account",
            req(
                s3,
                "PutBucketPolicy",
                json!({"bucketName": "b", "bucketPolicy": own()}),
            ),
            false,
            "own account",
        ),
    ]
}

fn findings<'a>(a: &'a Analysis, rule: &str, principal: &str) -> Vec<&'a Finding> {
    a.findings
        .iter()
        .filter(|f| f.rule_id == rule && f.principal == principal)
        .collect()
}

#[test]
fn coverage_rule_table() {
    let cases = cases();
    let recs: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, r, _, _))| {
            with(
                r.clone(),
                "userIdentity.arn",
                json!(format!("{}-case{i}", user("someone"))),
            )
        })
        .collect();
    let a = analyze(&load_records(&recs), &AnalysisOptions::default()).expect("analysis");
    let mut failures = Vec::new();
    for (i, (rule, _, expected, what)) in cases.iter().enumerate() {
        if hit(&a, rule, &format!("{}-case{i}", user("someone"))) != *expected {
            failures.push(format!("case {i} {rule} ({what}): expected hit={expected}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let known = std::sync::Arc::from(Vec::new());
    let ids: Vec<String> = builtin(&known)
        .expect("rules")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let dedicated = [
        "ec2-user-data-read-burst",
        "ec2-password-data-burst",
        "s3-bulk-delete",
        "s3-objects-rewritten",
        "discovery-burst",
        "ses-enumeration",
        "cloudtrail-bucket-changed",
        "ssm-securestring-read",
    ];
    // The rules these tests cover: every one needs a positive case here.
    for id in crate::support::records::NEW_RULES {
        assert!(ids.iter().any(|i| i == id), "{id} is not a built-in rule");
        let positive = cases.iter().any(|c| c.0 == *id && c.2) || dedicated.contains(id);
        assert!(positive, "rule {id} has no positive test");
    }
}

fn at(secs: i64, source: &str, name: &str, who: &str, params: Value) -> Value {
    let r = record(&t(secs), source, name, iam_user(who), "198.51.100.9", CLI);
    with(r, "requestParameters", params)
}

fn failed(mut r: Value, code: &str) -> Value {
    r["errorCode"] = json!(code);
    r["errorMessage"] = json!("not allowed");
    r
}

#[test]
fn bursts_and_thresholds() {
    let mut recs = Vec::new();
    let userdata = |k: i64, who: &str| {
        at(
            T0 + k * 20,
            "ec2.amazonaws.com",
            "DescribeInstanceAttribute",
            who,
            json!({"instanceId": format!("i-{k}"), "attribute": "userData"}),
        )
    };
    recs.extend((0..5).map(|k| userdata(k, "harvester")));
    recs.extend((0..4).map(|k| userdata(k, "curious")));
    let password = |k: i64, who: &str| {
        at(
            T0 + k * 10,
            "ec2.amazonaws.com",
            "GetPasswordData",
            who,
            json!({"instanceId": format!("i-{k}")}),
        )
    };
    recs.extend((0..5).map(|k| failed(password(k, "windows"), "Client.UnauthorizedOperation")));
    recs.extend((0..4).map(|k| password(k, "admin")));
    let delete = |k: i64, who: &str| {
        at(
            T0 + k * 5,
            "s3.amazonaws.com",
            "DeleteObject",
            who,
            json!({"bucketName": "b", "key": format!("k{k}")}),
        )
    };
    recs.extend((0..20).map(|k| delete(k, "wiper")));
    recs.extend((0..19).map(|k| delete(k, "tidy")));
    let ses = ["GetSendQuota", "GetAccountSendingEnabled", "ListIdentities"];
    recs.extend(
        ses.iter()
            .enumerate()
            .map(|(k, n)| at(T0 + k as i64, "ses.amazonaws.com", n, "spammer", json!({}))),
    );
    recs.extend(
        ses[..2]
            .iter()
            .enumerate()
            .map(|(k, n)| at(T0 + k as i64, "ses.amazonaws.com", n, "mailer", json!({}))),
    );
    let param = |k: i64, who: &str, decrypt: bool| {
        at(
            T0 + k,
            "ssm.amazonaws.com",
            "GetParameters",
            who,
            json!({"names": [format!("/p/{k}")], "withDecryption": decrypt}),
        )
    };
    recs.extend((0..3).map(|k| param(k, "decrypter", true)));
    recs.extend((0..3).map(|k| param(k * 200, "app", true))); // one every 200 s
    recs.extend((0..3).map(|k| param(k, "plain", false)));
    let a = analyze(&load_records(&recs), &AnalysisOptions::default()).expect("analysis");
    assert!(hit(&a, "ssm-securestring-read", &user("decrypter")));
    assert!(!hit(&a, "ssm-securestring-read", &user("app")));
    assert!(!hit(&a, "ssm-securestring-read", &user("plain")));
    assert!(hit(&a, "ec2-user-data-read-burst", &user("harvester")));
    assert!(!hit(&a, "ec2-user-data-read-burst", &user("curious")));
    // Five denied password reads: a burst, but an attempt (High -> Medium).
    let f = findings(&a, "ec2-password-data-burst", &user("windows"));
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].outcome, f[0].level, f[0].failed),
        (Outcome::Failed, Level::Medium, 5)
    );
    assert!(!hit(&a, "ec2-password-data-burst", &user("admin")));
    assert!(hit(&a, "ec2-password-data", &user("admin")));
    assert!(hit(&a, "s3-bulk-delete", &user("wiper")));
    assert!(!hit(&a, "s3-bulk-delete", &user("tidy")));
    assert!(hit(&a, "ses-enumeration", &user("spammer")));
    assert!(!hit(&a, "ses-enumeration", &user("mailer")));
}

#[test]
fn discovery_bursts_need_breadth_and_a_client() {
    let calls = [
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("iam.amazonaws.com", "ListUsers"),
        ("iam.amazonaws.com", "ListRoles"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("ec2.amazonaws.com", "DescribeSnapshots"),
    ];
    let mut recs = Vec::new();
    for (k, (src, name)) in calls.iter().enumerate() {
        recs.push(at(T0 + k as i64 * 30, src, name, "mapper", json!({})));
        // The same calls from the console: pages fan out on their own.
        let r = at(T0 + k as i64 * 30, src, name, "clicker", json!({}));
        recs.push(with(
            r,
            "userAgent",
            json!("Mozilla/5.0 (Macintosh) console.aws.amazon.com"),
        ));
        // Five distinct calls only.
        if k < 5 {
            recs.push(at(T0 + k as i64 * 30, src, name, "five", json!({})));
        }
        // Spread over an hour: never six within ten minutes.
        recs.push(at(T0 + k as i64 * 700, src, name, "slow", json!({})));
    }
    // Six distinct calls of one service (an orchestrator describing EC2).
    for (k, name) in [
        "DescribeInstances",
        "DescribeSnapshots",
        "DescribeImages",
        "DescribeVolumes",
        "DescribeVpcs",
        "DescribeSubnets",
    ]
    .iter()
    .enumerate()
    {
        recs.push(at(
            T0 + k as i64,
            "ec2.amazonaws.com",
            name,
            "orchestrator",
            json!({}),
        ));
    }
    let a = analyze(&load_records(&recs), &AnalysisOptions::default()).expect("analysis");
    let f = findings(&a, "discovery-burst", &user("mapper"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].count, 6);
    assert!(
        f[0].detail
            .as_deref()
            .unwrap_or("")
            .starts_with("6 distinct enumeration calls"),
        "{:?}",
        f[0].detail
    );
    for quiet in ["clicker", "five", "slow", "orchestrator"] {
        assert!(!hit(&a, "discovery-burst", &user(quiet)), "{quiet}");
    }
}

#[test]
fn security_group_set_up_is_not_an_opening() {
    let ec2 = "ec2.amazonaws.com";
    let open = |secs: i64, who: &str, group: &str| {
        at(
            secs,
            ec2,
            "AuthorizeSecurityGroupIngress",
            who,
            json!({"groupName": group, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
        )
    };
    let create = |secs: i64, who: &str, group: &str| {
        at(
            secs,
            ec2,
            "CreateSecurityGroup",
            who,
            json!({"groupName": group}),
        )
    };
    let recs = vec![
        // A new group's first rules, same client: set-up.
        create(T0, "builder", "web"),
        open(T0 + 5, "builder", "web"),
        // A group created by Terraform, opened later by another client: an opening.
        with(
            create(T0, "intruder", "db"),
            "userAgent",
            json!("APN/1.0 HashiCorp/1.0 Terraform/1.1.2"),
        ),
        open(T0 + 60, "intruder", "db"),
        // Opened two hours after creation: no longer set-up.
        create(T0, "late", "old"),
        open(T0 + 7200, "late", "old"),
    ];
    let a = analyze(&load_records(&recs), &AnalysisOptions::default()).expect("analysis");
    assert!(!hit(
        &a,
        "ec2-security-group-admin-port-open",
        &user("builder")
    ));
    let f = findings(&a, "ec2-security-group-admin-port-open", &user("intruder"));
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].detail.as_deref(),
        Some("opened 22 (SSH) to 0.0.0.0/0 on db")
    );
    assert!(hit(&a, "ec2-security-group-admin-port-open", &user("late")));
}

#[test]
fn trail_bucket_and_test_trails() {
    let ct = "cloudtrail.amazonaws.com";
    let trail = |secs: i64, who: &str, name: &str| {
        at(
            secs,
            ct,
            "CreateTrail",
            who,
            json!({"name": name, "s3BucketName": format!("{name}-logs")}),
        )
    };
    let recs = vec![
        trail(T0, "owner", "main"),
        at(
            T0 + 600,
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            "intruder",
            json!({"bucketName": "main-logs"}),
        ),
        at(
            T0 + 600,
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            "gardener",
            json!({"bucketName": "photos"}),
        ),
        // A trail stopped by someone else: counts. A test trail taken down by its creator: not.
        at(
            T0 + 700,
            ct,
            "StopLogging",
            "intruder",
            json!({"name": format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main")}),
        ),
        trail(T0, "tester", "scratch"),
        at(
            T0 + 60,
            ct,
            "DeleteTrail",
            "tester",
            json!({"name": "scratch"}),
        ),
        // The same creator deleting a day later: counts.
        trail(T0, "keeper", "kept"),
        at(
            T0 + 86_400,
            ct,
            "DeleteTrail",
            "keeper",
            json!({"name": "kept"}),
        ),
    ];
    let a = analyze(&load_records(&recs), &AnalysisOptions::default()).expect("analysis");
    let f = findings(&a, "cloudtrail-bucket-changed", &user("intruder"));
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].detail.as_deref(),
        Some("trail bucket changed: PutBucketLifecycle on main-logs")
    );
    assert!(!hit(&a, "cloudtrail-bucket-changed", &user("gardener")));
    let stop = findings(&a, "cloudtrail-stopped", &user("intruder"));
    assert_eq!(
        (stop.len(), stop[0].level, stop[0].outcome),
        (1, Level::Critical, Outcome::Succeeded)
    );
    assert!(!hit(&a, "cloudtrail-stopped", &user("tester")));
    assert!(hit(&a, "cloudtrail-stopped", &user("keeper")));
}

#[test]
fn objects_read_then_overwritten() {
    let s3 = "s3.amazonaws.com";
    let obj = |secs: i64, name: &str, who: &str, key: String| {
        at(secs, s3, name, who, json!({"bucketName": "b", "key": key}))
    };
    let mut recs = Vec::new();
    for k in 0..10 {
        recs.push(obj(T0 + k, "GetObject", "locker", format!("doc{k}")));
        recs.push(obj(T0 + 100 + k, "PutObject", "locker", format!("doc{k}")));
        // Nine rewrites only; and new keys written after reading others.
        if k < 9 {
            recs.push(obj(T0 + k, "GetObject", "editor", format!("doc{k}")));
            recs.push(obj(T0 + 100 + k, "PutObject", "editor", format!("doc{k}")));
        }
        recs.push(obj(T0 + k, "GetObject", "copier", format!("in{k}")));
        recs.push(obj(T0 + 100 + k, "PutObject", "copier", format!("out{k}")));
    }
    let a = analyze(&load_records(&recs), &AnalysisOptions::default()).expect("analysis");
    let f = findings(&a, "s3-objects-rewritten", &user("locker"));
    assert_eq!((f.len(), f[0].count), (1, 10));
    assert!(!hit(&a, "s3-objects-rewritten", &user("editor")));
    assert!(!hit(&a, "s3-objects-rewritten", &user("copier")));
}

/// A failed call is an attempt: the finding says so, sits one level lower (never below Low), and
/// so does the event's colour; a mix keeps the rule's level and says which calls failed; rules
/// about failures keep their level.
#[test]
fn outcomes_set_levels_and_titles() {
    let ct = "cloudtrail.amazonaws.com";
    let iam = "iam.amazonaws.com";
    let recs = vec![
        failed(
            at(T0, ct, "StopLogging", "denied", json!({"name": "main"})),
            "AccessDenied",
        ),
        at(T0, ct, "StopLogging", "mixed", json!({"name": "main"})),
        failed(
            at(T0 + 1, ct, "DeleteTrail", "mixed", json!({"name": "main"})),
            "TrailNotFoundException",
        ),
        failed(
            at(
                T0,
                "organizations.amazonaws.com",
                "LeaveOrganization",
                "leaver",
                json!({}),
            ),
            "AccessDenied",
        ),
        failed(
            at(T0, iam, "CreateUser", "creator", json!({"userName": "x"})),
            "AccessDenied",
        ),
        failed(
            at(T0, "iam.amazonaws.com", "CreateAccessKey", "low", json!({})),
            "LimitExceeded",
        ),
    ];
    let mut recs = recs;
    recs.extend((0..10).map(|k| {
        failed(
            at(T0 + k, iam, "ListUsers", "prober", json!({})),
            "AccessDenied",
        )
    }));
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");

    let f = findings(&a, "cloudtrail-stopped", &user("denied"));
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].outcome, f[0].level, f[0].succeeded, f[0].failed),
        (Outcome::Failed, Level::High, 0, 1)
    );
    assert_eq!(
        f[0].title,
        "Failed attempt to stop CloudTrail logging or delete a trail"
    );
    assert_eq!(
        f[0].outcome_note.as_deref(),
        Some("failed: StopLogging x1 (AccessDenied)")
    );
    let row = f[0].rows[0] as usize;
    assert_eq!(
        a.event_risk[row],
        Some(Level::High),
        "the event is an attempt too"
    );

    let m = findings(&a, "cloudtrail-stopped", &user("mixed"));
    assert_eq!(
        (m[0].outcome, m[0].level, m[0].succeeded, m[0].failed),
        (Outcome::Mixed, Level::Critical, 1, 1)
    );
    assert_eq!(m[0].title, "CloudTrail logging stopped or trail deleted");
    assert_eq!(
        m[0].outcome_note.as_deref(),
        Some("succeeded: StopLogging x1; failed: DeleteTrail x1 (TrailNotFoundException)")
    );

    let l = findings(&a, "organizations-leave", &user("leaver"));
    assert_eq!(
        (l[0].level, l[0].title.as_str()),
        (
            Level::Medium,
            "Failed attempt to leave the AWS Organization"
        )
    );
    // No attempt title written: the rule's title, marked.
    let c = findings(&a, "iam-user-created", &user("creator"));
    assert_eq!(
        (c[0].level, c[0].title.as_str()),
        (Level::Low, "Failed attempt: IAM user created")
    );
    // A Medium attempt falls to Low, not below.
    assert_eq!(
        findings(&a, "iam-access-key-created", &user("low"))[0].level,
        Level::Low
    );
    // Denied bursts are about failures: the level stays.
    let p = findings(&a, "recon-access-denied-burst", &user("prober"));
    assert_eq!((p[0].outcome, p[0].level), (Outcome::Failed, Level::Medium));
    assert_eq!(p[0].title, "Burst of denied calls");
    // The per-rule summary carries the outcome too.
    let s = a
        .rules
        .iter()
        .find(|s| s.rule_id == "organizations-leave")
        .expect("summary");
    assert_eq!(
        (s.outcome, s.level, s.failed),
        (Outcome::Failed, Level::Medium, 1)
    );
}

#[test]
fn rules_name_catalogue_sets() {
    let known = std::sync::Arc::from(Vec::new());
    let text = r#"
[[rule]]
id = "tamper"
title = "t"
description = "d"
level = "high"
tactic = "TA0005"
technique = "T1562"
[[rule.match]]
eventName = { in_set = "logging_tampering" }
"#;
    let rules = parse_rules(text, "set.toml", &known).expect("valid");
    let opts = AnalysisOptions {
        extra_rules: vec![("set.toml".into(), text.into())],
        builtin_rules: false,
        ..AnalysisOptions::default()
    };
    assert_eq!(rules.len(), 1);
    let recs = vec![
        at(
            T0,
            "cloudtrail.amazonaws.com",
            "PutEventSelectors",
            "a",
            json!({}),
        ),
        at(
            T0,
            "cloudtrail.amazonaws.com",
            "StartLogging",
            "b",
            json!({}),
        ),
    ];
    let a = analyze(&load_records(&recs), &opts).expect("analysis");
    assert!(hit(&a, "tamper", &user("a")) && !hit(&a, "tamper", &user("b")));
    let bad = text.replace("logging_tampering", "no_such_set");
    assert!(parse_rules(&bad, "bad.toml", &known).is_err());
}
