//! `cttui analyze` end to end: the binary, its three formats and its argument checks.

use std::io::Write;
use std::process::Command;

use crate::support::records::*;

fn scenario_file() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("temp");
    let recs = small_theft_scenario();
    f.write_all(&serde_json::to_vec(&serde_json::json!({ "Records": recs })).expect("json"))
        .expect("write");
    f
}

fn analyze(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .arg("analyze")
        .args(args)
        .output()
        .expect("run cttui");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_has_the_four_sections() {
    let f = scenario_file();
    let path = f.path().to_string_lossy().into_owned();
    let (ok, out, err) = analyze(&["-q", "--format", "json", &path]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let top = &v["principals"][0];
    assert_eq!(top["principal"], user("ci-deploy"));
    for key in ["rank", "score", "risk", "features", "reasons"] {
        assert!(!top[key].is_null(), "principal lacks {key}");
    }
    let finding = &v["findings"][0];
    for key in [
        "rule_id",
        "title",
        "level",
        "mitre",
        "principal",
        "count",
        "first",
        "last",
        "event_ids",
    ] {
        assert!(!finding[key].is_null(), "finding lacks {key}");
    }
    assert_eq!(finding["rule_id"], "cloudtrail-stopped");
    for key in ["data_events", "management_events", "buckets"] {
        assert!(!v["s3"][key].is_null(), "s3 lacks {key}");
    }
    assert!(v["regions"]["regions"].is_array());
}

#[test]
fn md_and_text_and_options() {
    let f = scenario_file();
    let path = f.path().to_string_lossy().into_owned();
    let (ok, md, err) = analyze(&[
        "-q",
        "--format",
        "md",
        "--window",
        "30m",
        "--by",
        "source-ip",
        &path,
    ]);
    assert!(ok, "{err}");
    assert!(md.starts_with("# cttui analysis"));
    assert!(md.contains("windows of 30 min"));
    assert!(md.contains(ATTACKER_IP));
    let (ok, text, err) = analyze(&["-q", &path]);
    assert!(ok, "{err}");
    assert!(text.contains("PRINCIPALS") && text.contains("CRITICAL"));
    // Bad options fail before loading anything.
    let (ok, _, err) = analyze(&["-q", "--window", "soon", &path]);
    assert!(!ok && err.contains("duration"), "{err}");
    let (ok, _, err) = analyze(&["-q", "--known-cidr", "10.0.0.0/99", &path]);
    assert!(!ok && err.contains("not a network"), "{err}");
    let (ok, _, err) = analyze(&["-q", "--rules", "/nonexistent/rules.toml", &path]);
    assert!(!ok && err.contains("/nonexistent/rules.toml"), "{err}");
}

#[test]
fn extra_rule_file() {
    let f = scenario_file();
    let path = f.path().to_string_lossy().into_owned();
    let mut rules = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp");
    rules
        .write_all(
            br#"
[[rule]]
id = "team-bucket-read"
title = "Team bucket read"
description = "Any read of the team bucket."
level = "low"
tactic = "TA0009 Collection"
technique = "T1530 Data from Cloud Storage"
[[rule.match]]
eventName = "GetObject"
"requestParameters.bucketName" = "team-data"
"#,
        )
        .expect("write");
    let rp = rules.path().to_string_lossy().into_owned();
    let (ok, out, err) = analyze(&[
        "-q",
        "--format",
        "json",
        "--no-builtin-rules",
        "--rules",
        &rp,
        &path,
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let ids: Vec<&str> = v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["rule_id"].as_str())
        .collect();
    assert_eq!(ids, vec!["team-bucket-read"]);
}

/// `--rules` takes a directory (walked, TOML and Sigma together) for `analyze` and `report`; a
/// broken rule is named by file and line on stderr and the others still run.
#[test]
fn rule_directory_with_toml_and_sigma() {
    let f = scenario_file();
    let path = f.path().to_string_lossy().into_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("sigma")).expect("mkdir");
    std::fs::write(
        dir.path().join("team.toml"),
        "[[rule]]\nid = \"team-get\"\ntitle = \"Object read\"\ndescription = \"d\"\nlevel = \"low\"\n\
         tactic = \"TA0009 Collection\"\ntechnique = \"T1530\"\n[[rule.match]]\neventName = \"GetObject\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("sigma/stop.yml"),
        "title: Trail stopped (test)\nid: 7d1c0e52-0000-4000-8000-00000000000a\nlevel: critical\n\
         logsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: StopLogging\n  condition: sel\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("sigma/broken.yml"),
        "title: Broken\nlogsource:\n  product: aws\ndetection:\n  sel:\n    eventName|bogus: x\n  condition: sel\n",
    )
    .expect("write");
    let d = dir.path().to_string_lossy().into_owned();
    let (ok, out, err) = analyze(&[
        "-q",
        "--format",
        "json",
        "--no-builtin-rules",
        "--rules",
        &d,
        &path,
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("broken.yml:6:"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let mut ids: Vec<&str> = v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["rule_id"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["7d1c0e52-0000-4000-8000-00000000000a", "team-get"]);
    let report = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["-q", "report", "--no-builtin-rules", "--rules", &d, &path])
        .output()
        .expect("run");
    assert!(report.status.success());
    let md = String::from_utf8_lossy(&report.stdout);
    assert!(
        md.contains("Trail stopped (test)"),
        "the report lists the Sigma finding"
    );
}
