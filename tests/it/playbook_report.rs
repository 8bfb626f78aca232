//! `cttui report` on the demo logs, parsed back: it names the suspect, the bucket, the objects and
//! bytes read, the burst window, the policy change and the logging tampering.

use crate::support::{bound, cttui, golden, markdown, stdout};

const ATTACKER: &str =
    "arn:aws:sts::111122223333:assumed-role/webapp-prod-ec2-role/i-0a3f5c9e27b14d6f8";

fn cell<'a>(table: &'a [Vec<String>], key: &str) -> &'a str {
    table
        .iter()
        .find(|r| r.first().map(String::as_str) == Some(key))
        .and_then(|r| r.get(1))
        .map_or("", String::as_str)
}

fn report(args: &[&str]) -> String {
    let mut all = vec!["report", "-q", "demo-logs"];
    all.extend_from_slice(args);
    let out = cttui(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

#[test]
fn report_on_the_demo_names_the_incident() {
    // No pins: the analysis ranks the stolen-credential principal first and the report follows it.
    let md = report(&[]);
    golden("demo.report.md", &md);
    let doc = markdown::parse(&md);
    assert!(doc.html.is_empty());
    for h in [
        "Summary",
        "Findings and anomalies",
        "Key metrics",
        "Triage answers",
        "Timeline",
        "Objects the suspect read",
        "Persistence and tampering found",
        "Logging gaps and health",
        "Analyst notes",
        "Marked events",
    ] {
        assert!(doc.heading(h), "missing section {h}");
    }
    let summary = &doc.tables[0];
    // Nothing is pinned: the suspect, bucket, severity and verdict are labelled suggestions, with
    // the analysis' standing.
    assert_eq!(
        cell(summary, "Suspect"),
        format!(
            "Suggested: {ATTACKER} (anomaly rank 1 of 418, score 0.756, risk Critical, suggested with high confidence)"
        )
    );
    assert_eq!(cell(summary, "Bucket"), "Suggested: acme-customer-data");
    // What to revoke, block and pivot on: the attacker's side of the shared role only (the
    // instance's own calls from 10.0.12.34 signed with the same key are not counted).
    assert_eq!(
        cell(summary, "Attacker calls"),
        "4,068 calls, first 2024-04-15T03:18:49Z UTC, last 2024-04-15T05:11:09Z UTC"
    );
    assert_eq!(
        cell(summary, "Attacker access keys"),
        "ASIA5W69M9FCLOWD5WTC (4,068)"
    );
    assert_eq!(
        cell(summary, "Attacker source addresses"),
        "203.0.113.77 (outside, 4,068)"
    );
    let agents = cell(summary, "Attacker user agents");
    assert!(
        agents.contains("aws-cli/2.15.30 ") && agents.contains("kali"),
        "{agents}"
    );
    assert!(agents.contains(" more"), "long lists are cut: {agents}");
    assert_eq!(
        cell(summary, "Bytes out (object reads)"),
        "known: 3.9 GiB (4,164,140,560 bytes) from 4,047 read(s); unknown: 0 read(s) without a byte count"
    );
    let sensitive = cell(summary, "Sensitive-looking objects read");
    assert!(
        sensitive.starts_with("exports/customer-pii/") && sensitive.ends_with("and 4,042 more"),
        "{sensitive}"
    );
    // The regions-used-once list of the CI role's sessions is folded to one row per identity.
    let once = doc
        .table(&["identity", "one-off calls", "regions"])
        .expect("folded regions-used-once table");
    let ci = once
        .iter()
        .find(|r| r[0] == "arn:aws:sts::111122223333:assumed-role/terraform-ci")
        .expect("terraform-ci folded");
    assert!(ci[1].parse::<usize>().expect("count") > 10, "{ci:?}");
    assert!(
        once.iter()
            .skip(1)
            .all(|r| !r[0].contains("terraform-run-")),
        "sessions are folded"
    );
    assert!(
        cell(summary, "Severity").starts_with("Suggested: P1"),
        "{}",
        cell(summary, "Severity")
    );
    // The ground truth (demo-logs/README.md): 4,047 GetObject, 4,164,140,560 bytes in 04:00-05:00.
    assert_eq!(
        cell(summary, "Burst window"),
        "2024-04-15T04:00:00Z .. 2024-04-15T05:00:00Z UTC: 4,047 GetObject, 3.9 GiB (4,164,140,560 bytes)"
    );
    let metrics = doc.table(&["Metric", "Value"]).expect("metrics");
    assert_eq!(
        cell(
            metrics,
            "First unauthorised access (first call of the suspect's pinned activity)"
        ),
        "2024-04-15T03:18:49Z"
    );
    assert_eq!(
        cell(
            metrics,
            "Last unauthorised access (last call of the suspect's pinned activity)"
        ),
        "2024-04-15T05:11:09Z"
    );
    assert!(
        cell(metrics, "Data volume accessed")
            .contains("4,047 successful GetObject of 4,047 distinct objects")
    );
    assert_eq!(
        cell(metrics, "Exfiltrated?"),
        "Suspected (for the suggested suspect; not confirmed)"
    );

    let objects = doc.table(&["Bucket", "Key", "Reads"]).expect("objects");
    assert_eq!(objects.len(), 101, "header + the first 100 objects");
    assert!(objects[1][1].starts_with("exports/customer-pii/"));

    let timeline = doc.table(&["Timestamp (UTC)", "Event"]).expect("timeline");
    let events: Vec<&str> = timeline.iter().skip(1).map(|r| r[1].as_str()).collect();
    assert!(events.contains(&"4,047 x GetObject"), "{events:?}");
    let burst = timeline
        .iter()
        .find(|r| r[1] == "4,047 x GetObject")
        .expect("burst row");
    assert_eq!(burst[0], "2024-04-15T04:01:05Z .. 2024-04-15T04:48:12Z");
    assert!(events.contains(&"PutBucketPolicy"));
    assert!(events.contains(&"DeleteBucketPublicAccessBlock"));
    assert!(events.contains(&"StopLogging (AccessDenied)"));
    // Only the attacker's side of the shared role: the owner's reads from 10.0.12.34 are out.
    assert!(
        timeline
            .iter()
            .skip(1)
            .all(|r| !r[2].contains("10.0.12.34"))
    );

    let persistence = doc
        .table(&["#", "Time (UTC)", "Principal"])
        .expect("persistence");
    let names: Vec<&str> = persistence.iter().skip(1).map(|r| r[4].as_str()).collect();
    assert_eq!(
        names,
        [
            "PutBucketPolicy",
            "DeleteBucketPublicAccessBlock",
            "PutBucketPolicy",
            "StopLogging"
        ]
    );
    // The demo's StopLogging was denied: an attempt, not logging stopped (issue 8, point 4).
    assert!(
        doc.items
            .iter()
            .any(|i| i.contains("failed attempt(s) to stop or narrow logging"))
    );
    assert!(
        !doc.items
            .iter()
            .any(|i| i.contains("trail change(s) that stop or narrow logging"))
    );

    let triage = doc.table(&["#", "Question", "Status"]).expect("triage");
    assert_eq!(triage.len(), 10, "header + Q1..Q9");
    assert_eq!(triage[8][0], "Q8");
    assert_eq!(triage[8][2], "no", "historical: {}", triage[8][3]);
    // The evidence counts are those of the suspect's activity (`cttui events` gives 4,068).
    assert!(
        triage[5][4].starts_with("4,068 event(s):"),
        "{}",
        triage[5][4]
    );
    assert!(
        triage[8][4].starts_with("4,068 event(s):"),
        "{}",
        triage[8][4]
    );
}

#[test]
fn sessions_feed_the_report() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("s.json");
    let mut s = cttui::playbook::session::Session::new();
    s.pins.suspect = Some(ATTACKER.into());
    s.pins.suspect_ip = Some("203.0.113.77".into());
    s.notes
        .push("Contained at 06:10 by revoking the role's sessions | see ticket".into());
    s.severity = Some("P2".into());
    s.answers.insert(
        "Q2".into(),
        cttui::playbook::session::AnswerOverride {
            answer: Some("Regulated: customer PII".into()),
            note: None,
        },
    );
    s.marks.push(cttui::playbook::session::MarkRef {
        row: 0,
        event_id: None,
    });
    cttui::playbook::session::save(&path, &s).expect("save");
    let md = report(&["--session", path.to_str().expect("utf8")]);
    let doc = markdown::parse(&md);
    let summary = &doc.tables[0];
    assert!(cell(summary, "Severity").starts_with("P2 High (set by the analyst"));
    assert_eq!(
        cell(summary, "Suspect activity"),
        "its calls from 203.0.113.77"
    );
    assert!(
        doc.items
            .iter()
            .any(|i| i == "Contained at 06:10 by revoking the role's sessions | see ticket")
    );
    let triage = doc.table(&["#", "Question", "Status"]).expect("triage");
    assert!(triage[2][3].starts_with("Regulated: customer PII (analyst"));
    // The marked event (resolved by row, no eventID stored) with its raw JSON.
    assert!(doc.heading("Marked event 1"));
    // (The charts are Mermaid blocks; the raw JSON is the one other block.)
    let json_blocks = doc.code_blocks.iter().filter(|(info, _)| info != "mermaid");
    assert_eq!(json_blocks.count(), 1);
    // A corrupt session named on the command line is an error that says so.
    std::fs::write(&path, "{oops").expect("write");
    let out = cttui(&[
        "report",
        "-q",
        "demo-logs",
        "--session",
        path.to_str().expect("utf8"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupt session"));
}

#[test]
fn report_writes_a_file_atomically() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_path = dir.path().join("report.md");
    let out = cttui(&[
        "report",
        "-q",
        "demo-logs",
        "--suspect",
        ATTACKER,
        "-o",
        out_path.to_str().expect("utf8"),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&out_path).expect("written");
    assert!(text.starts_with("# Incident report"));
    // No temp files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
}

/// A hand-made case: a Lambda session used by its function from inside (10.1.2.3, and an AWS
/// address 3.0.6.10) and by an
/// attacker from outside (198.51.100.7), an admin's policy change in between, a cross-account
/// principal without a principal id, and a principal whose name carries terminal escapes.
mod case {
    use cttui::ingest::{LoadOptions, load};
    use cttui::model::load::LoadReport;
    use cttui::model::query::Query;
    use cttui::model::store::EventStore;
    use cttui::playbook::report::{self, CaseFacts};
    use cttui::playbook::session::Session;

    pub const LAMBDA: &str = "arn:aws:sts::111122223333:assumed-role/orders-role/orders-fn";
    pub const EVIL: &str = "arn:aws:iam::111122223333:user/evil\u{1b}]52;c;AAAA\u{7}\n# Injected";

    fn rec(t: &str, who: &str, ip: &str, name: &str, extra: &str) -> String {
        let source = match name {
            "GetSecretValue" => "secretsmanager.amazonaws.com",
            "GetCallerIdentity" => "sts.amazonaws.com",
            _ => "s3.amazonaws.com",
        };
        let id = if let Some(account) = who.strip_prefix("AWSAccount:") {
            format!(r#"{{"type":"AWSAccount","principalId":"","accountId":"{account}"}}"#)
        } else {
            format!(
                r#"{{"type":"AssumedRole","arn":{},"accountId":"111122223333"}}"#,
                serde_json::to_string(who).expect("json")
            )
        };
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2024-05-01T{t}Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"ua","userIdentity":{id},"eventID":"{t}-{name}","recipientAccountId":"111122223333"{extra}}}"#
        )
    }

    fn get(bucket: &str, key: &str, bytes: Option<u64>) -> String {
        let b = bytes.map_or(String::new(), |b| {
            format!(r#","additionalEventData":{{"bytesTransferredOut":{b}}}"#)
        });
        format!(r#","requestParameters":{{"bucketName":"{bucket}","key":"{key}"}}{b}"#)
    }

    pub fn store() -> (EventStore, LoadReport, tempfile::TempDir) {
        let denied = r#","errorCode":"AccessDenied","errorMessage":"denied""#;
        let records = [
            rec(
                "08:00:00",
                LAMBDA,
                "10.1.2.3",
                "GetObject",
                &get("data-b", "orders/1.csv", Some(100)),
            ),
            // The function's own calls also come from an AWS address (in AWS's published ranges).
            rec("08:01:00", LAMBDA, "3.0.6.10", "GetSecretValue", denied),
            rec(
                "08:02:00",
                LAMBDA,
                "3.0.6.10",
                "GetObject",
                &get("data-b", "orders/2.csv", Some(9)),
            ),
            rec("09:00:00", LAMBDA, "198.51.100.7", "GetCallerIdentity", ""),
            rec("09:01:00", LAMBDA, "198.51.100.7", "ListBuckets", denied),
            rec(
                "09:02:00",
                LAMBDA,
                "198.51.100.7",
                "GetObject",
                &get("data-b", "secret-plans.txt", None),
            ),
            rec(
                "09:02:30",
                "arn:aws:iam::111122223333:user/admin",
                "203.0.113.9",
                "PutBucketPolicy",
                r#","requestParameters":{"bucketName":"data-b"}"#,
            ),
            rec(
                "09:03:00",
                LAMBDA,
                "198.51.100.7",
                "GetObject",
                &get("other-b", "secret-keys.txt", Some(500)),
            ),
            rec(
                "09:04:00",
                LAMBDA,
                "198.51.100.7",
                "GetObject",
                &get("data-b", "a.csv", None),
            ),
            rec(
                "09:05:00",
                LAMBDA,
                "198.51.100.7",
                "ListObjects",
                r#","requestParameters":{"bucketName":"data-b"}"#,
            ),
            rec(
                "09:05:10",
                LAMBDA,
                "198.51.100.7",
                "ListObjects",
                r#","requestParameters":{"bucketName":"data-b"}"#,
            ),
            rec(
                "09:05:20",
                LAMBDA,
                "198.51.100.7",
                "ListObjects",
                r#","requestParameters":{"bucketName":"data-b"}"#,
            ),
            rec(
                "09:06:00",
                "AWSAccount:999988887777",
                "192.0.2.1",
                "GetObject",
                &get("data-b", "pub.txt", Some(7)),
            ),
            rec(
                "09:07:00",
                EVIL,
                "192.0.2.66",
                "GetObject",
                &get("data-b", "x", Some(1)),
            ),
        ];
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("case.json");
        std::fs::write(&path, format!(r#"{{"Records":[{}]}}"#, records.join(","))).expect("write");
        let (store, load) =
            load(&[path.display().to_string()], &LoadOptions::default()).expect("loads");
        assert_eq!(store.len(), records.len());
        (store, load, dir)
    }

    pub fn session(suspect: &str, bucket: Option<&str>) -> Session {
        let mut s = Session::new();
        s.pins.suspect = Some(suspect.into());
        s.pins.bucket = bucket.map(str::to_owned);
        s
    }

    pub fn findings(store: &EventStore, load: &LoadReport, s: &Session) -> CaseFacts {
        report::compute(store, load, s, &[]).expect("computes")
    }

    pub fn count(store: &EventStore, q: &str) -> usize {
        Query::parse(q)
            .expect("parses")
            .rows(store, None)
            .expect("runs")
            .len()
    }
}

#[test]
fn a_shared_compute_session_is_judged_by_the_attackers_calls() {
    let (store, load, _dir) = case::store();
    let f = case::findings(&store, &load, &case::session(case::LAMBDA, Some("data-b")));
    // The function works from inside too, so the suspect's activity is its outside part.
    assert_eq!(f.pins.suspect_ip.as_deref(), Some("outside"));
    let t = |s: &str| cttui::ingest::time::parse_time_ms(s);
    assert_eq!(
        f.first_access,
        t("2024-05-01T09:00:00Z"),
        "not the function's 08:00 read"
    );
    assert_eq!(f.last_access, t("2024-05-01T09:05:20Z"));
    let a = |id: &str| f.answers.iter().find(|a| a.id == id).expect("answer");
    // Q4: the attacker's denied ListBuckets, not the function's own denied GetSecretValue.
    assert_eq!(
        a("Q4").answer,
        "The suspect was denied 1 call(s) (ListBuckets)."
    );
    // Q6: the reads say no bytes: unknown, never "0 bytes".
    let q6 = &a("Q6").answer;
    assert!(q6.contains("bytes unknown"), "{q6}");
    assert!(!q6.contains("0 bytes"), "{q6}");
    // Q9: both `secret-` keys, also the one in a bucket other than the pinned one.
    assert!(
        a("Q9")
            .answer
            .starts_with("2 object read(s) with sensitive-looking keys")
    );
    // Every evidence count is what its own query selects (Q5 and Q8 were 0 and 1 before).
    assert!(a("Q5").evidence_query.is_some() && a("Q8").evidence_query.is_some());
    for ans in &f.answers {
        if let Some(q) = &ans.evidence_query {
            assert_eq!(
                case::count(&store, q),
                ans.evidence_count,
                "{}: {q}",
                ans.id
            );
        }
    }
    assert_eq!(a("Q5").evidence_count, 8);
    assert_eq!(a("Q8").evidence_count, 8);
}

#[test]
fn the_summary_names_the_attackers_keys_addresses_agents_bytes_and_objects() {
    let (store, load, _dir) = case::store();
    let session = case::session(case::LAMBDA, Some("data-b"));
    let md = cttui::playbook::report::render(&cttui::playbook::report::ReportInput {
        store: &store,
        load: &load,
        session: &session,
        standings: &[],
        analysis_sections: Vec::new(),
    })
    .expect("renders");
    let doc = markdown::parse(&md);
    let summary = &doc.tables[0];
    // The attacker's calls are the outside part: not the function's 08:00 calls from 10.1.2.3
    // and its AWS address.
    assert_eq!(
        cell(summary, "Attacker calls"),
        "8 calls, first 2024-05-01T09:00:00Z UTC, last 2024-05-01T09:05:20Z UTC"
    );
    assert_eq!(
        cell(summary, "Attacker source addresses"),
        "198.51.100.7 (outside, 8)"
    );
    assert_eq!(cell(summary, "Attacker access keys"), "none");
    assert_eq!(cell(summary, "Attacker user agents"), "ua (8)");
    // Three reads: one says 500 bytes, two say nothing. Unknown is never counted as zero.
    assert_eq!(
        cell(summary, "Bytes out (object reads)"),
        "known: 500 bytes from 1 read(s); unknown: 2 read(s) without a byte count"
    );
    // Both `secret-` keys, in the pinned bucket and another; `a.csv` is not sensitive.
    assert_eq!(
        cell(summary, "Sensitive-looking objects read"),
        "secret-keys.txt, secret-plans.txt"
    );
}

#[test]
fn no_denials_is_said_plainly() {
    let (store, load, _dir) = case::store();
    let f = case::findings(
        &store,
        &load,
        &case::session("AWSAccount:999988887777", None),
    );
    let q4 = &f.answers.iter().find(|a| a.id == "Q4").expect("q4").answer;
    assert_eq!(q4, "No call of the suspect was denied.");
    assert!(!q4.contains("0 call(s) ()"));
}

#[test]
fn timeline_keeps_runs_apart_and_their_end() {
    let (store, load, _dir) = case::store();
    let f = case::findings(&store, &load, &case::session(case::LAMBDA, Some("data-b")));
    let rows = cttui::playbook::report::timeline(&store, &f).expect("timeline");
    let events: Vec<&str> = rows.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "GetCallerIdentity",
            "ListBuckets (AccessDenied)",
            "GetObject",
            "PutBucketPolicy",
            "GetObject",
            "GetObject",
            "3 x ListObjects"
        ],
        "the two data-b reads around the admin's change stay two rows"
    );
    let run = rows.last().expect("run");
    assert_eq!(run.end - run.start, 20_000, "a run keeps its last time");
    let md = cttui::investigation::report_markdown(
        &store,
        &load,
        None,
        &case::session(case::LAMBDA, None),
    )
    .expect("report");
    assert!(
        md.contains("| 2024-05-01T09:05:00Z .. 2024-05-01T09:05:20Z | 3 x ListObjects |"),
        "{md}"
    );
}

#[test]
fn principals_without_an_id_keep_a_label() {
    let (store, _load, _dir) = case::store();
    let per = cttui::model::facts::principal_counts(&store);
    assert!(
        per.iter().any(|(p, _)| p == "AWSAccount:999988887777"),
        "{per:?}"
    );
    assert!(per.iter().all(|(p, _)| !p.ends_with(':')), "{per:?}");
}

#[test]
fn log_strings_reach_the_report_sanitised() {
    let (store, load, _dir) = case::store();
    let md = cttui::investigation::report_markdown(
        &store,
        &load,
        None,
        &case::session(case::EVIL, None),
    )
    .expect("report");
    assert!(
        md.chars().all(|c| c == '\n' || !c.is_control()),
        "a raw control character reached the report"
    );
    assert!(md.lines().all(|l| !l.starts_with("# Injected")));
    // The evidence query still names the principal (escaped), so it can be found.
    assert!(
        md.contains("user/evil\\x1b]52;c;AAAA\\x07\\x0a# Injected"),
        "{md}"
    );
}

#[test]
fn pin_hints_name_the_keys_that_pin() {
    use cttui::ui::action::Action;
    let (store, load, _dir) = case::store();
    let f = case::findings(&store, &load, &cttui::playbook::session::Session::new());
    assert!(f.pins.suspect.is_none(), "nothing pinned or suggested");
    // "Pin a suspect (P) to answer.", "Pin a bucket (B) …": the key in brackets pins.
    let mut hints = 0;
    for a in &f.answers {
        for (what, action) in [
            ("Pin a suspect (", Action::PinSuspect),
            ("Pin a bucket (", Action::PinBucket),
        ] {
            for (at, _) in a.answer.match_indices(what) {
                let rest = &a.answer[at + what.len()..];
                let key = &rest[..rest.find(')').expect("closed")];
                assert!(bound(key, action), "{}: {}", a.id, a.answer);
                hints += 1;
            }
        }
    }
    assert!(hints >= 4, "{hints} pin hints in the answers");
    // The report's note on suggestions names the same keys.
    let md = cttui::investigation::report_markdown(
        &store,
        &load,
        None,
        &cttui::playbook::session::Session::new(),
    )
    .expect("report");
    let at = md.find("Pin them (TUI `").expect("the note on suggestions") + "Pin them (TUI `".len();
    let keys: Vec<&str> = md[at..].split('`').step_by(2).take(2).collect();
    assert_eq!(keys.len(), 2, "{md}");
    assert!(bound(keys[0], Action::PinSuspect), "{md}");
    assert!(
        bound(keys[1].trim_start_matches('/'), Action::PinBucket),
        "{md}"
    );
}
