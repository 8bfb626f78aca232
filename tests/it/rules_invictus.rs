//! Rule coverage on a real attacked account: Invictus IR's one hour of CloudTrail with about thirty
//! Stratus Red Team detonations (`../shared/cloudtrail/invictus-aws-stratus-32-techniques`, MIT;
//! skipped when absent). The tool marks its calls with a `stratus-red-team_<uuid>` user agent;
//! attackers do not, so the test replaces every such token with a plain aws-cli agent in memory
//! (the copy is a temporary file, the shared logs are never touched) before analysing. Each
//! technique must then get a Medium-or-higher finding on its own calls.
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use cttui::analysis::rules::findings::Outcome;
use cttui::analysis::{Analysis, AnalysisOptions, Level, analyze};
use cttui::ingest::{LoadOptions, load};
use cttui::model::schema::{STRING_COLUMNS, s};
use cttui::model::store::EventStore;
use serde_json::Value;

const DIR: &str = "invictus-aws-stratus-32-techniques/CloudTrail";
const PLAIN_AGENT: &str = "aws-cli/2.13.5 Python/3.11.4 Linux/6.2.0-1009-aws exe/x86_64.ubuntu.22";
const TOOL_TOKEN: &str = "stratus-red-team_";

/// Rules that read the user agent: not evidence for this test.
const AGENT_RULES: [&str; 3] = [
    "offensive-tool-user-agent",
    "offensive-os-user-agent",
    "security-scanner-user-agent",
];

/// (technique, first call, last call (2023-07-10, UTC, HH:MM:SS), the technique's own calls).
/// Our reading of the dataset's SOURCE.md table and the records (checked 2026-11-27): each row is
/// a detonation, its window and the API calls that carry it (set-up and clean-up excluded).
const TECHNIQUES: &[(&str, &str, &str, &[&str])] = &[
    (
        "credential-access.ec2-get-password-data",
        "11:54:42",
        "11:54:50",
        &["GetPasswordData"],
    ),
    (
        "credential-access.ec2-steal-instance-credentials",
        "11:56:47",
        "11:57:22",
        &["SendCommand", "GetCallerIdentity", "DescribeInstances"],
    ),
    (
        "credential-access.secretsmanager-retrieve-secrets",
        "11:57:51",
        "11:57:54",
        &["ListSecrets", "GetSecretValue"],
    ),
    (
        "credential-access.ssm-retrieve-securestring-parameters",
        "11:58:27",
        "11:58:28",
        &["DescribeParameters", "GetParameters"],
    ),
    (
        "defense-evasion.cloudtrail-delete",
        "11:59:02",
        "11:59:02",
        &["DeleteTrail"],
    ),
    (
        "defense-evasion.cloudtrail-event-selectors",
        "12:00:08",
        "12:00:08",
        &["PutEventSelectors"],
    ),
    (
        "defense-evasion.cloudtrail-lifecycle-rule",
        "12:00:35",
        "12:00:35",
        &["PutBucketLifecycle"],
    ),
    (
        "defense-evasion.cloudtrail-stop",
        "12:00:42",
        "12:01:27",
        &["StopLogging"],
    ),
    (
        "defense-evasion.organizations-leave",
        "12:01:55",
        "12:02:05",
        &["LeaveOrganization"],
    ),
    (
        "defense-evasion.vpc-remove-flow-logs",
        "12:02:26",
        "12:02:26",
        &["DeleteFlowLogs"],
    ),
    (
        "discovery.ec2-download-user-data",
        "12:02:45",
        "12:02:57",
        &["DescribeInstanceAttribute"],
    ),
    (
        "discovery.ec2-enumerate-from-instance",
        "12:05:12",
        "12:07:06",
        &["SendCommand"],
    ),
    (
        "execution.ec2-launch-unusual-instances (1)",
        "12:06:37",
        "12:06:42",
        &["RunInstances"],
    ),
    (
        "execution.ec2-launch-unusual-instances (2)",
        "12:09:26",
        "12:09:31",
        &["RunInstances"],
    ),
    (
        "exfiltration.ec2-security-group-open-port-22-ingress",
        "12:10:08",
        "12:10:08",
        &["AuthorizeSecurityGroupIngress"],
    ),
    (
        "exfiltration.ec2-share-ami",
        "12:11:01",
        "12:11:01",
        &["ModifyImageAttribute"],
    ),
    (
        "exfiltration.ec2-share-ebs-snapshot",
        "12:11:28",
        "12:11:28",
        &["ModifySnapshotAttribute"],
    ),
    (
        "exfiltration.rds-share-snapshot",
        "12:22:06",
        "12:22:06",
        &["ModifyDBSnapshotAttribute"],
    ),
    (
        "exfiltration.s3-backdoor-bucket-policy",
        "12:22:41",
        "12:22:41",
        &["PutBucketPolicy"],
    ),
    (
        "initial-access.console-login-without-mfa",
        "12:23:15",
        "12:23:15",
        &["ConsoleLogin"],
    ),
    (
        "persistence.iam-backdoor-role",
        "12:24:11",
        "12:24:11",
        &["UpdateAssumeRolePolicy"],
    ),
    (
        "persistence.iam-backdoor-user",
        "12:24:29",
        "12:24:29",
        &["CreateAccessKey"],
    ),
    (
        "persistence.iam-create-admin-user",
        "12:24:49",
        "12:24:50",
        &["CreateUser", "AttachUserPolicy", "CreateAccessKey"],
    ),
    (
        "persistence.iam-create-user-login-profile",
        "12:25:04",
        "12:25:04",
        &["CreateLoginProfile"],
    ),
    (
        "persistence.lambda-backdoor-function",
        "12:25:40",
        "12:25:40",
        &["AddPermission20150331v2"],
    ),
    (
        "persistence.lambda-overwrite-code",
        "12:26:56",
        "12:26:56",
        &["UpdateFunctionCode20150331v2"],
    ),
    (
        "persistence.rolesanywhere-create-trust-anchor",
        "12:27:13",
        "12:27:13",
        &["CreateTrustAnchor", "CreateProfile"],
    ),
];

/// Replaces every `stratus-red-team_<uuid>` token (with the brackets some agents put round it)
/// by a plain aws-cli agent.
fn strip_tool_token(ua: &str) -> String {
    let mut out = String::with_capacity(ua.len());
    let mut rest = ua;
    while let Some(at) = rest.find(TOOL_TOKEN) {
        let (before, after) = rest.split_at(at);
        out.push_str(before.strip_suffix('[').unwrap_or(before));
        let tail = &after[TOOL_TOKEN.len()..];
        let end = tail
            .find(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
            .unwrap_or(tail.len());
        out.push_str(PLAIN_AGENT);
        rest = tail[end..].strip_prefix(']').unwrap_or(&tail[end..]);
    }
    out.push_str(rest);
    out
}

/// The dataset with the tool's agent replaced, loaded through the real ingest path.
fn load_without_tool_agent() -> Option<EventStore> {
    let dir = crate::support::shared_cloudtrail(DIR)?;
    let mut records: Vec<Value> = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let v: Value = serde_json::from_str(&text).expect("json");
        if let Some(Value::Array(recs)) = v.get("Records") {
            records.extend(recs.iter().cloned());
        }
    }
    let mut replaced = 0;
    for r in &mut records {
        if let Some(ua) = r.get("userAgent").and_then(Value::as_str)
            && ua.contains(TOOL_TOKEN)
        {
            r["userAgent"] = Value::String(strip_tool_token(ua));
            replaced += 1;
        }
    }
    assert!(replaced > 1000, "only {replaced} agents replaced");
    assert!(
        records.iter().all(|r| !r.to_string().contains(TOOL_TOKEN)
            || r.get("userAgent")
                .is_some_and(|u| !u.to_string().contains(TOOL_TOKEN))),
        "a tool token is left in a user agent"
    );
    let mut file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("temp file");
    let body = serde_json::to_vec(&serde_json::json!({ "Records": records })).expect("json");
    file.write_all(&body).expect("write");
    file.flush().expect("flush");
    let path = file.path().to_string_lossy().into_owned();
    let (store, _) = load(&[path], &LoadOptions::default()).expect("load");
    Some(store)
}

fn ms(hms: &str) -> i64 {
    let t =
        chrono::NaiveDateTime::parse_from_str(&format!("2023-07-10 {hms}"), "%Y-%m-%d %H:%M:%S")
            .expect("time");
    t.and_utc().timestamp_millis()
}

/// Rows flagged Medium or higher by a rule that does not read the user agent, with the rule ids.
fn medium_rows(a: &Analysis) -> std::collections::BTreeMap<u32, BTreeSet<String>> {
    let mut out: std::collections::BTreeMap<u32, BTreeSet<String>> = Default::default();
    for f in &a.findings {
        if f.level < Level::Medium || AGENT_RULES.contains(&f.rule_id.as_str()) {
            continue;
        }
        for &r in &f.rows {
            out.entry(r)
                .or_default()
                .insert(format!("{} ({})", f.rule_id, f.level));
        }
    }
    out
}

#[test]
fn techniques_hit_without_the_tool_agent() {
    let Some(store) = load_without_tool_agent() else {
        return;
    };
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    assert!(
        a.findings
            .iter()
            .all(|f| f.rule_id != "offensive-tool-user-agent"),
        "the tool's agent is still visible"
    );
    let flagged = medium_rows(&a);
    let names = STRING_COLUMNS[s::EVENT_NAME];
    let mut hits = 0;
    let mut misses = Vec::new();
    for (technique, from, to, calls) in TECHNIQUES {
        let (lo, hi) = (ms(from) - 1000, ms(to) + 1000);
        let own: Vec<u32> = (0..store.len())
            .filter(|&r| {
                store.time_at(r).is_some_and(|t| lo <= t && t <= hi)
                    && store
                        .str_at(names, r)
                        .is_some_and(|n| calls.contains(&n.as_str()))
            })
            .map(|r| r as u32)
            .collect();
        assert!(
            !own.is_empty(),
            "{technique}: no calls in its window (table or data changed)"
        );
        let rules: BTreeSet<&String> = own
            .iter()
            .filter_map(|r| flagged.get(r))
            .flatten()
            .collect();
        if rules.is_empty() {
            println!("MISS {technique} ({} calls)", own.len());
            misses.push(*technique);
        } else {
            hits += 1;
            let shown: Vec<&str> = rules.iter().map(|s| s.as_str()).collect();
            println!("HIT  {technique}: {}", shown.join(", "));
        }
    }
    println!("{hits} of {} techniques Medium+", TECHNIQUES.len());
    assert!(hits >= 25, "only {hits} techniques hit; missed {misses:?}");
}

/// Every StopLogging in this log failed (TrailNotFound), and so did the detonation's DeleteTrail:
/// the finding is an attempt that says which calls failed, and no StopLogging event is coloured
/// as logging stopped (Critical).
#[test]
fn failed_trail_calls_are_attempts() {
    let Some(store) = load_without_tool_agent() else {
        return;
    };
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "cloudtrail-stopped")
        .expect("finding");
    println!("{} {}: {:?}", f.title, f.level, f.outcome_note);
    // Terraform's own trails, created and deleted by the same client within the hour, are
    // clean-up and left out: what remains is the detonations, all failed.
    assert_eq!(f.outcome, Outcome::Failed);
    assert_eq!((f.succeeded, f.failed), (0, 4));
    assert_eq!(f.level, Level::High);
    assert_eq!(
        f.outcome_note.as_deref(),
        Some(
            "failed: DeleteTrail x1 (TrailNotFoundException), StopLogging x3 (TrailNotFoundException)"
        )
    );
    assert!(!f.title.contains("logging stopped"), "{}", f.title);
    let names = STRING_COLUMNS[s::EVENT_NAME];
    let stop: Vec<usize> = (0..store.len())
        .filter(|&r| store.str_at(names, r).as_deref() == Some("StopLogging"))
        .collect();
    assert_eq!(stop.len(), 3, "the three StopLogging calls");
    for r in stop {
        assert_eq!(a.event_risk[r], Some(Level::High), "row {r}");
    }
    // LeaveOrganization was denied: an attempt, one level below the rule's High.
    let leave = a
        .findings
        .iter()
        .find(|f| f.rule_id == "organizations-leave")
        .expect("finding");
    assert_eq!(
        (leave.outcome, leave.level),
        (Outcome::Failed, Level::Medium)
    );
    assert!(leave.title.starts_with("Failed attempt"), "{}", leave.title);
    // The JSON form carries the outcome for the playbook, the report and the ranking.
    let json = serde_json::to_value(leave).expect("json");
    assert_eq!(json["outcome"], "failed");
    assert_eq!(json["failed"], serde_json::json!(leave.count));
}

#[test]
fn agent_token_is_replaced() {
    assert_eq!(
        strip_tool_token("stratus-red-team_0a1b-2c"),
        PLAIN_AGENT.to_owned()
    );
    assert_eq!(
        strip_tool_token("[stratus-red-team_0a1b] aws-sdk-go/1.44"),
        format!("{PLAIN_AGENT} aws-sdk-go/1.44")
    );
    assert_eq!(strip_tool_token("aws-cli/2"), "aws-cli/2");
}
