//! `cttui report` on the demo logs, parsed back: it names the suspect, the bucket, the objects and
//! bytes read, the burst window, the policy change and the logging tampering.
mod common;

use common::{cttui, golden, markdown, stdout};

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
    assert_eq!(cell(summary, "Suspect"), ATTACKER);
    assert_eq!(cell(summary, "Bucket"), "acme-customer-data");
    assert!(
        cell(summary, "Severity").starts_with("P1"),
        "{}",
        cell(summary, "Severity")
    );
    // The ground truth (demo-logs/README.md): 4,047 GetObject, 4,164,140,560 bytes in 04:00-05:00.
    assert_eq!(
        cell(summary, "Burst window"),
        "2024-04-15T04:00:00Z .. 2024-04-15T05:00:00Z UTC: 4,047 GetObject, 4.2 GB (4,164,140,560 bytes)"
    );
    let metrics = doc.table(&["Metric", "Value"]).expect("metrics");
    assert_eq!(
        cell(
            metrics,
            "First unauthorised access (first suspect call from outside AWS)"
        ),
        "2024-04-15T03:18:49Z"
    );
    assert!(
        cell(metrics, "Data volume accessed")
            .contains("4,047 successful GetObject of 4,047 distinct objects")
    );
    assert_eq!(cell(metrics, "Exfiltrated?"), "Suspected");

    let objects = doc.table(&["Bucket", "Key", "Reads"]).expect("objects");
    assert_eq!(objects.len(), 101, "header + the first 100 objects");
    assert!(objects[1][1].starts_with("exports/customer-pii/"));

    let timeline = doc.table(&["Timestamp (UTC)", "Event"]).expect("timeline");
    let events: Vec<&str> = timeline.iter().skip(1).map(|r| r[1].as_str()).collect();
    assert!(events.contains(&"4,047 x GetObject"), "{events:?}");
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
    assert!(
        doc.items
            .iter()
            .any(|i| i.contains("trail change(s) that stop or narrow logging"))
    );

    let triage = doc.table(&["#", "Question", "Status"]).expect("triage");
    assert_eq!(triage.len(), 10, "header + Q1..Q9");
    assert_eq!(triage[8][0], "Q8");
    assert_eq!(triage[8][2], "no", "historical: {}", triage[8][3]);
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
