//! Headless outputs for other tools: the detection timeline (golden), Timesketch JSONL, CSV with
//! chosen columns and per-event risk, the analysis as JSON objects and CSV, Athena/DuckDB times.
//! `CTTUI_BLESS=1` rewrites the goldens (review the diff).

use crate::support::{cttui, cttui_ok, golden, stdout};

const INCIDENT: &str = "tests/fixtures/timeline/incident.json";
const SIGMA: &str = "tests/fixtures/timeline/versioning.yml";

/// No raw C0/C1 control character (a newline ends a record, nothing else is allowed).
fn assert_no_controls(text: &str) {
    for (i, c) in text.chars().enumerate() {
        assert!(c == '\n' || !c.is_control(), "control {:?} at char {i}", c);
    }
}

#[test]
fn timeline_csv_and_jsonl_golden() {
    let csv = cttui_ok(&["-q", "timeline", "--rules", SIGMA, INCIDENT]);
    golden("timeline.incident.csv", &csv);
    assert_no_controls(&csv);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, cttui::export::timeline::HEADERS);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    // The Sigma rule and the built-in CloudTrail rule both appear, in time order.
    let find = |id: &str| {
        rows.iter()
            .find(|x| &x[2] == id)
            .unwrap_or_else(|| panic!("{id}: {csv}"))
    };
    let sigma = find("5e0c6a4e-7b1d-4c52-9d7e-000000000001");
    assert_eq!(
        (&sigma[1], &sigma[5], &sigma[12]),
        ("high", "T1490", "PutBucketVersioning")
    );
    assert_eq!(&sigma[9], "'=HYPERLINK(\"http://x\")", "formula guard");
    let stop = find("cloudtrail-stopped");
    assert_eq!(&stop[15], "00000000-0000-4000-8000-000000000003");
    assert_eq!(&stop[8], "outside");
    let times: Vec<&str> = rows.iter().map(|x| x.get(0).unwrap_or("")).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);

    let jsonl = cttui_ok(&[
        "-q", "timeline", "--format", "jsonl", "--rules", SIGMA, INCIDENT,
    ]);
    golden("timeline.incident.jsonl", &jsonl);
    assert_eq!(jsonl.lines().count(), rows.len());
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        assert!(
            v["timestamp"].is_string() && v["rule_id"].is_string(),
            "{v}"
        );
    }
}

#[test]
fn builtin_rules_can_be_left_out() {
    let csv = cttui_ok(&[
        "-q",
        "timeline",
        "--no-builtin-rules",
        "--rules",
        SIGMA,
        INCIDENT,
    ]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let ids: Vec<String> = r.records().map(|x| x.expect("row")[2].to_owned()).collect();
    assert_eq!(ids, ["5e0c6a4e-7b1d-4c52-9d7e-000000000001"]);
}

/// The acceptance command of issues 12 and 14 on the demo, run once for both tests (a debug
/// build takes seconds to analyse the demo).
fn demo_six_column_csv() -> &'static str {
    static OUT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        cttui_ok(&[
            "-q",
            "events",
            "--format",
            "csv",
            "--columns",
            "time,user,ip,ua,akid,risk",
            "demo-logs",
        ])
    })
}

#[test]
fn events_csv_with_chosen_columns_and_risk() {
    // The acceptance command of issue 12.
    let out = demo_six_column_csv();
    let mut r = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        r.headers().expect("headers").iter().collect::<Vec<_>>(),
        ["time", "user", "ip", "ua", "akid", "risk"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert!(rows.len() > 1000);
    assert!(rows.iter().all(|x| x.len() == 6));
    let levels = ["none", "low", "medium", "high", "critical"];
    assert!(
        rows.iter().all(|x| levels.contains(&&x[5])),
        "every row has a risk: a level, or none"
    );
    assert!(
        rows.iter().any(|x| &x[5] == "none"),
        "quiet events say none"
    );
    assert!(
        rows.iter().any(|x| &x[5] == "critical" || &x[5] == "high"),
        "the theft is flagged"
    );
    assert!(
        rows.iter()
            .any(|x| x[4].starts_with("AKIA") || x[4].starts_with("ASIA"))
    );

    let out = cttui_ok(&[
        "-q",
        "events",
        "--format",
        "csv",
        "--columns",
        "id,rules,type",
        INCIDENT,
    ]);
    assert!(
        out.contains("00000000-0000-4000-8000-000000000003,cloudtrail-stopped,IAMUser"),
        "{out}"
    );
    let bad = cttui(&[
        "events",
        "--format",
        "csv",
        "--columns",
        "time,shoe",
        INCIDENT,
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown column 'shoe'"));
}

#[test]
fn events_csv_default_columns_are_safe() {
    let out = cttui_ok(&["-q", "events", "--format", "csv", INCIDENT]);
    golden("incident.events.csv", &out);
    assert_no_controls(&out);
    let header = out.lines().next().unwrap_or("");
    for col in ["user_agent", "access_key_id", "identity_type"] {
        assert!(header.split(',').any(|h| h == col), "{header}");
    }
    assert!(
        out.contains("\\x1b[2Jcleared"),
        "the escape is shown, not sent"
    );
}

#[test]
fn timesketch_jsonl() {
    let out = cttui_ok(&["-q", "events", "--format", "timesketch", INCIDENT]);
    golden("incident.timesketch.jsonl", &out);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 5);
    for v in &lines {
        for key in [
            "message",
            "datetime",
            "timestamp_desc",
            "event_name",
            "principal",
            "event_id",
        ] {
            assert!(v[key].is_string(), "{key} in {v}");
        }
    }
    assert_eq!(lines[0]["datetime"], "2024-05-01T09:00:00Z");
    let denied = &lines[4]["message"];
    assert_eq!(
        denied,
        "arn:aws:iam::111122223333:user/bob GetObject s3.amazonaws.com on payroll/2024/q1.csv from 10.0.0.5 failed: AccessDenied"
    );
}

#[test]
fn analyze_json_is_objects_with_every_event_id() {
    let out = cttui_ok(&[
        "-q",
        "analyze",
        "--format",
        "json",
        "--rules",
        SIGMA,
        "demo-logs",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    let big = findings
        .iter()
        .max_by_key(|f| f["count"].as_u64())
        .expect("a finding");
    let n = big["count"].as_u64().expect("count") as usize;
    assert!(n > 20, "a finding larger than the old 20-id cap: {n}");
    assert_eq!(big["event_ids"].as_array().map(Vec::len), Some(n));
    assert_eq!(big["origin"], "cttui");
    for p in v["principals"].as_array().expect("principals") {
        for r in p["rules"].as_array().expect("rules") {
            assert!(r["rule_id"].is_string() && r["events"].is_u64(), "{r}");
        }
    }
    let out = cttui_ok(&[
        "-q", "analyze", "--format", "json", "--rules", SIGMA, INCIDENT,
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let sigma = v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["origin"] == "sigma"))
        .expect("a Sigma finding");
    assert_eq!(sigma["author"], "cttui tests");
    assert_eq!(sigma["mitre"]["tactic"], "TA0040 Impact");
}

#[test]
fn analyze_csv_and_out_dir() {
    let out = cttui_ok(&["-q", "analyze", "--format", "csv", INCIDENT]);
    let (regions, risk) = out.split_once("\n\n").expect("two tables");
    assert!(regions.starts_with("region,events,principals,flagged_events,flagged_share\n"));
    assert!(regions.contains("eu-west-1,5,3,"), "{regions}");
    assert!(risk.starts_with("rank,principal,risk,score,events,first,last,risk_reasons,rules\n"));
    assert!(risk.contains("cloudtrail-stopped=1"), "{risk}");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("case");
    cttui_ok(&["-q", "analyze", "--out-dir", &d.to_string_lossy(), INCIDENT]);
    for f in ["regions.csv", "risk.csv", "analysis.json"] {
        assert!(d.join(f).is_file(), "{f}");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("regions.csv")).expect("read"),
        format!("{regions}\n")
    );
}

/// Athena, Presto and DuckDB write `2024-04-01 00:00:18+00` or `+0000`: every row keeps its time.
#[test]
fn csv_input_times_with_short_offsets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("athena.csv");
    let mut text =
        String::from("eventtime,eventsource,eventname,awsregion,sourceipaddress,eventid\n");
    for i in 0..2000 {
        let zone = if i % 2 == 0 { "+00" } else { "+0000" };
        text.push_str(&format!(
            "2024-04-01 00:{:02}:{:02}{zone},s3.amazonaws.com,GetObject,us-east-1,198.51.100.1,id-{i}\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    std::fs::write(&p, text).expect("write");
    let out = cttui_ok(&["-q", "summary", "--format", "json", &p.to_string_lossy()]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["events"], 2000, "{v}");
    let csv = cttui_ok(&[
        "-q",
        "events",
        "--format",
        "csv",
        "--columns",
        "time,id",
        "-n",
        "2",
        &p.to_string_lossy(),
    ]);
    assert_eq!(
        csv,
        "time,id\n2024-04-01T00:00:00Z,id-0\n2024-04-01T00:00:01Z,id-1\n"
    );
    let times = cttui_ok(&[
        "-q",
        "events",
        "--format",
        "csv",
        "--columns",
        "time",
        &p.to_string_lossy(),
    ]);
    assert_eq!(times.lines().count(), 2001);
    assert!(
        times
            .lines()
            .skip(1)
            .all(|l| l.starts_with("2024-04-01T00:")),
        "no row without a time"
    );
}

/// Event ids `cttui events` prints for a filter (no config file read).
fn event_ids(filter: &str) -> Vec<String> {
    let cfg = tempfile::tempdir().expect("tmp");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args([
            "-q",
            "events",
            "--format",
            "csv",
            "--columns",
            "id",
            "demo-logs",
        ])
        .arg(format!("--filter={filter}"))
        .env("XDG_CONFIG_HOME", cfg.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{filter}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ids: Vec<String> = stdout(&out).lines().skip(1).map(str::to_owned).collect();
    ids.sort();
    ids
}

#[test]
fn events_filter_on_findings_runs_the_analysis_like_the_investigator() {
    // The investigator's answer: the analysis' annotations over the whole load.
    let inv = crate::support::investigation("demo-logs");
    let rule = inv
        .analysis
        .findings
        .iter()
        .filter(|f| !f.rows.is_empty())
        .max_by_key(|f| (f.level, f.rows.len()))
        .map(|f| f.rule_id.clone())
        .expect("a finding on the demo");
    let ids_col = inv.store.str_col("event_id").expect("ids");
    for filter in [
        format!("rule:{rule}"),
        "level>=high".to_owned(),
        // A narrowing term beside it must not narrow what the analysis sees.
        "risk>=high region:us-east-1 name:GetObject".to_owned(),
        "-risk>=medium name:GetObject".to_owned(),
    ] {
        let q = cttui::model::query::Query::parse(&filter).expect("parses");
        let mut want: Vec<String> = inv
            .rows(&q)
            .expect("rows")
            .iter()
            .map(|&r| ids_col.get(r as usize).unwrap_or_default().to_owned())
            .collect();
        want.sort();
        assert!(!want.is_empty(), "{filter} selects nothing on the demo");
        assert_eq!(event_ids(&filter), want, "{filter}");
    }
}

#[test]
fn six_columns_with_the_analysis_risk_of_every_row() {
    // Issue 14's acceptance command, checked row by row against the analysis.
    let out = demo_six_column_csv();
    let inv = crate::support::investigation("demo-logs");
    let mut r = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        r.headers().expect("headers").iter().collect::<Vec<_>>(),
        ["time", "user", "ip", "ua", "akid", "risk"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    // One row per event, in store order, each with exactly six cells.
    assert_eq!(rows.len(), inv.store.len());
    let (ua, akid) = (
        inv.store.str_col("user_agent").expect("ua"),
        inv.store.str_col("access_key_id").expect("akid"),
    );
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 6, "row {i}");
        let risk = inv.analysis.event_risk[i].map_or_else(|| "none".to_owned(), |l| l.to_string());
        assert_eq!(&row[5], risk, "row {i}: the analysis' risk");
        assert_eq!(&row[3], ua.get(i).unwrap_or_default(), "row {i}");
        assert_eq!(&row[4], akid.get(i).unwrap_or_default(), "row {i}");
        assert!(
            cttui::ingest::time::parse_time_ms(&row[0]).is_some(),
            "row {i}: time {:?}",
            &row[0]
        );
    }
    // The theft's burst is high or critical; ordinary traffic mostly is not.
    let flagged = rows.iter().filter(|x| &x[5] != "none").count();
    assert!(flagged >= 4047 && flagged < rows.len() / 2, "{flagged}");
}

/// Issue 12: rules from the config file reach every command that analyses, not only `analyze`.
#[test]
fn config_rules_reach_timeline_report_and_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("cttui/config.toml");
    std::fs::create_dir_all(cfg.parent().expect("parent")).expect("mkdir");
    let sigma = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SIGMA);
    std::fs::write(
        &cfg,
        format!(
            "rules = [{}]\nno_builtin_rules = true\n",
            toml_string(&sigma.display().to_string())
        ),
    )
    .expect("write");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cttui"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    const ID: &str = "5e0c6a4e-7b1d-4c52-9d7e-000000000001";
    let timeline = run(&["-q", "timeline", INCIDENT]);
    let rule_ids: Vec<&str> = timeline
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2))
        .collect();
    assert!(rule_ids.contains(&ID), "{timeline}");
    // No built-in rule ran: every timeline row is the config's Sigma rule.
    assert!(rule_ids.iter().all(|id| *id == ID), "{rule_ids:?}");
    let report = run(&["-q", "report", INCIDENT]);
    assert!(
        report.contains("Bucket versioning suspended (test rule)"),
        "the report's findings name the Sigma rule"
    );
    let ids = run(&[
        "-q",
        "events",
        "--format",
        "csv",
        "--columns",
        "id,rules",
        "--filter",
        &format!("rule:{ID}"),
        INCIDENT,
    ]);
    assert!(ids.lines().count() >= 2, "{ids}");
    assert!(ids.lines().skip(1).all(|l| l.ends_with(ID)), "{ids}");
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
