//! One question, one answer: principals, events per principal, S3 bytes, the suspect's first and
//! last call and the evidence counts, asked through the investigation model, the report and the
//! CLI, on the demo and on a shared real log.

use crate::support::{cttui_ok, investigation, markdown, shared_cloudtrail};
use cttui::playbook::session::Session;

fn cell<'a>(table: &'a [Vec<String>], key: &str) -> Option<&'a str> {
    table
        .iter()
        .find(|r| r.first().map(String::as_str) == Some(key))
        .and_then(|r| r.get(1))
        .map(String::as_str)
}

/// GetObject bytes of the records the CLI prints for `filter`: (reads, with bytes, bytes).
fn cli_object_bytes(path: &str, filter: &str) -> (usize, usize, i64) {
    let text = cttui_ok(&["events", "-q", "--filter", filter, path]);
    let mut out = (0, 0, 0);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        out.0 += 1;
        let b = &v["additionalEventData"]["bytesTransferredOut"];
        let n = b.as_i64().or_else(|| b.as_f64().map(|f| f as i64));
        if let Some(n) = n {
            out.1 += 1;
            out.2 += n;
        }
    }
    out
}

/// Asks the questions of `path` everywhere; returns whether a suspect was pinned (suggested), so
/// that its first and last call were compared with the CLI too.
fn same_answers(path: &str) -> bool {
    let inv = investigation(path);
    let facts = inv.facts();
    let session = Session::new();
    let findings = inv.case_facts(&session).expect("case facts");
    let md = inv.report_markdown(&session).expect("report");
    let doc = markdown::parse(&md);

    // Principals and events per principal: the model, `cttui summary` and `cttui analyze`.
    let summary: serde_json::Value =
        serde_json::from_str(&cttui_ok(&["summary", "-q", "--format", "json", path]))
            .expect("json");
    assert_eq!(
        summary["principals"].as_u64(),
        Some(facts.principals as u64),
        "{path}"
    );
    for (i, (p, n)) in facts.events_per_principal.iter().take(10).enumerate() {
        let top = &summary["top_principals"][i];
        assert_eq!(top["value"].as_str(), Some(p.as_str()), "{path}");
        assert_eq!(top["count"].as_u64(), Some(*n as u64), "{path}: {p}");
    }
    let analyze = cttui_ok(&["analyze", "-q", "--top", "3", path]);
    let words = format!(
        "{} principals",
        cttui::analysis::humanize::count(facts.principals as u64)
    );
    assert!(
        analyze.lines().next().is_some_and(|l| l.contains(&words)),
        "{path}: {words}\n{analyze}"
    );
    assert!(
        md.contains(&format!(", {words},")),
        "{path}: the report's analysis says {words}"
    );
    for p in inv.analysis.principals.iter().take(5) {
        let n = facts
            .events_per_principal
            .iter()
            .find(|(q, _)| *q == p.principal)
            .map_or(0, |(_, n)| *n);
        assert_eq!(p.features.events, n as u64, "{path}: {}", p.principal);
    }

    // S3 bytes: GetObject only, known and unknown apart, the same through the CLI's records.
    let cli_bytes = cli_object_bytes(path, "source:s3.amazonaws.com name:GetObject -error:*");
    let o = facts.object_reads;
    assert_eq!((o.reads, o.with_bytes, o.bytes), cli_bytes, "{path}");

    // The suspect's first and last call: the findings, the report's metrics and the CLI.
    let metrics = doc.table(&["Metric", "Value"]).expect("metrics");
    let fmt = |t: Option<i64>| {
        t.map_or_else(
            || "not established".to_owned(),
            cttui::model::time::format_ms,
        )
    };
    assert_eq!(
        cell(
            metrics,
            "First unauthorised access (first call of the suspect's pinned activity)"
        ),
        Some(fmt(findings.first_access).as_str())
    );
    assert_eq!(
        cell(
            metrics,
            "Last unauthorised access (last call of the suspect's pinned activity)"
        ),
        Some(fmt(findings.last_access).as_str())
    );
    if let Some(q) = findings.pins.suspect_query() {
        let csv = cttui_ok(&["events", "-q", "--format", "csv", "--filter", &q, path]);
        let times: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(
            times.first().copied(),
            findings
                .first_access
                .map(cttui::model::time::format_ms)
                .as_deref()
        );
        assert_eq!(
            times.last().copied(),
            findings
                .last_access
                .map(cttui::model::time::format_ms)
                .as_deref()
        );
    }

    // Evidence counts: the report's numbers are what `cttui events` returns for their queries.
    let triage = doc.table(&["#", "Question", "Status"]).expect("triage");
    let mut checked = 0;
    let mut by_cli = 0;
    for a in &findings.answers {
        let row = triage.iter().find(|r| r[0] == a.id).expect("row");
        let Some(q) = &a.evidence_query else {
            assert_eq!(row[4], "-");
            continue;
        };
        let shown = format!(
            "{} event(s):",
            cttui::analysis::humanize::count(a.evidence_count as u64)
        );
        assert!(row[4].starts_with(&shown), "{path} {}: {}", a.id, row[4]);
        // The CLI is slow in debug builds: run the suspect's questions, the rest in-process.
        if matches!(a.id.as_str(), "Q5" | "Q6" | "Q8") {
            by_cli += 1;
            let csv = cttui_ok(&["events", "-q", "--format", "csv", "--filter", q, path]);
            assert_eq!(
                csv.lines().count() - 1,
                a.evidence_count,
                "{path} {}: {q}",
                a.id
            );
        }
        let q = cttui::model::query::Query::parse(q).expect("parses");
        assert_eq!(
            inv.rows(&q).expect("runs").len(),
            a.evidence_count,
            "{}",
            a.id
        );
        checked += 1;
    }
    assert!(checked >= 7, "{path}: {checked} answers with evidence");
    assert_eq!(
        by_cli, 3,
        "{path}: Q5, Q6 and Q8 have evidence, checked through the CLI"
    );
    findings.pins.suspect.is_some()
}

#[test]
fn demo_answers_agree_everywhere() {
    assert!(
        same_answers("demo-logs"),
        "the demo suggests a suspect, whose calls the CLI must agree on"
    );
}

#[test]
fn real_log_answers_agree_everywhere() {
    let Some(dir) = shared_cloudtrail("invictus-aws-stratus-32-techniques") else {
        return;
    };
    assert!(
        same_answers(&dir.join("CloudTrail").display().to_string()),
        "invictus suggests a suspect, whose first and last call the CLI must agree on"
    );
}

#[test]
fn ranking_by_source_ip_is_headed_as_such() {
    let f = crate::support::fixture("records_pretty.json");
    let text = cttui_ok(&["analyze", "-q", "--by", "source-ip", &f]);
    assert!(text.contains("SOURCE IPS (most anomalous first)"), "{text}");
    assert!(!text.contains("PRINCIPALS"), "{text}");
    let md = cttui_ok(&["analyze", "-q", "--by", "source-ip", "--format", "md", &f]);
    assert!(md.contains("## Source IPs (most anomalous first)"), "{md}");
    assert!(md.contains("| # | source IP | score |"), "{md}");
}

/// The bytes shown beside a GetObject count (the S3 table's "bytes out", a principal's
/// "GetObject / bytes out", the reasons' "N GetObject (X out)") are the object reads' bytes,
/// the one measure `model::facts::object_read_bytes` gives: never the listings' or ACL calls'.
fn bytes_beside_get_object_are_object_read_bytes(path: &str, reads_objects: bool) {
    use cttui::model::facts::object_read_bytes;
    use cttui::model::query::{Field, Filter, Query};
    let inv = investigation(path);
    let rows_of = |f: Filter| {
        Query::new(f)
            .and_then(|q| q.rows(&inv.store, None))
            .expect("runs")
    };
    assert!(!inv.analysis.s3.buckets.is_empty(), "{path}: buckets");
    for b in &inv.analysis.s3.buckets {
        let rows = rows_of(Filter::is(Field::Bucket, &b.bucket));
        let want = object_read_bytes(&inv.store, Some(&rows));
        assert_eq!(b.bytes_out, want.bytes, "{path}: bucket {}", b.bucket);
    }
    let mut with_reads = 0;
    for p in inv.analysis.principals.iter().take(10) {
        let want = object_read_bytes(&inv.store, Some(inv.analysis.entity_rows(p.entity)));
        assert_eq!(
            p.features.get_object_bytes, want.bytes,
            "{path}: {}",
            p.principal
        );
        with_reads += usize::from(want.reads > 0);
    }
    assert_eq!(
        with_reads > 0,
        reads_objects,
        "{path}: whether a ranked principal reads objects"
    );
}

#[test]
fn demo_bytes_beside_get_object_are_object_read_bytes() {
    bytes_beside_get_object_are_object_read_bytes("demo-logs", true);
    // The CLI agrees for a bucket whose listings and ACL reads also send bytes.
    let inv = investigation("demo-logs");
    let b = inv
        .analysis
        .s3
        .buckets
        .iter()
        .find(|b| b.bucket == "acme-webapp-assets")
        .expect("bucket");
    let cli = cli_object_bytes(
        "demo-logs",
        "bucket:acme-webapp-assets source:s3.amazonaws.com name:GetObject -error:*",
    );
    assert_eq!(b.bytes_out, cli.2);
}

#[test]
fn real_log_bytes_beside_get_object_are_object_read_bytes() {
    let Some(dir) = shared_cloudtrail("invictus-aws-stratus-32-techniques") else {
        return;
    };
    // Stratus' techniques read no objects: every bucket's bytes beside GetObject are 0.
    bytes_beside_get_object_are_object_read_bytes(
        &dir.join("CloudTrail").display().to_string(),
        false,
    );
}
