//! Bad input: each case gives a clear message naming the file and line/byte, good records still load,
//! nothing panics.

use crate::support::{cttui, fixture, stdout};
use cttui::ingest::{LoadOptions, load};

fn load_one(path: &str) -> (cttui::model::store::EventStore, cttui::ingest::LoadReport) {
    load(&[path.to_owned()], &LoadOptions::default()).expect("some records load")
}

#[test]
fn a_broken_record_costs_only_itself() {
    let (store, report) = load_one(&fixture("broken_record.json"));
    assert_eq!(store.len(), 4);
    let f = &report.files[0];
    assert_eq!(f.bad_records, 1);
    let p = &f.problems[0];
    assert!(p.reason.contains("invalid record"), "{}", p.reason);
    // The bad record `{"eventName": "Bad", "eventTime": tru}` sits on line 35.
    assert_eq!(p.line, Some(35));
    let lines = report.skip_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("tests/fixtures/ingest/broken_record.json:35: (byte ")),
        "{lines:?}"
    );
}

#[test]
fn a_truncated_file_keeps_its_complete_records() {
    let (store, report) = load_one(&fixture("truncated.json"));
    let f = &report.files[0];
    assert!(store.len() >= 2 && store.len() < 4, "{}", store.len());
    assert_eq!(f.bad_records, 1);
    assert!(f.problems.iter().any(|p| p.reason.starts_with("truncated")));
}

#[test]
fn invalid_utf8_is_reported_with_its_line() {
    let (store, report) = load_one(&fixture("non_utf8.json"));
    assert_eq!(store.len(), 2);
    let p = &report.files[0].problems[0];
    assert_eq!(p.line, Some(2));
    assert!(p.reason.contains("invalid"), "{}", p.reason);
}

#[test]
fn deep_nesting_neither_panics_nor_loses_the_record() {
    // 5,000 levels inside requestParameters: ingest skips it without recursion; the raw text stays.
    let (store, report) = load_one(&fixture("deep_nesting.json"));
    assert_eq!(store.len(), 2);
    assert_eq!(report.files[0].bad_records, 0);
    let deep = (0..2)
        .find(|&r| store.raw_text(r).is_some_and(|t| t.len() > 10_000))
        .expect("deep row");
    assert!(store.raw_compact(deep).is_some());
    // Too deep to parse into a tree: callers get None and fall back to the text.
    assert!(store.raw_value(deep).is_none());
}

#[test]
fn huge_strings_load() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("huge.json");
    let ua = "A".repeat(5_000_000);
    let doc = format!(
        r#"{{"Records":[{{"eventName":"GetObject","eventSource":"s3.amazonaws.com","eventTime":"2024-01-01T00:00:00Z","userAgent":"{ua}"}}]}}"#
    );
    std::fs::write(&path, doc).expect("write");
    let (store, _) = load_one(path.to_str().expect("utf8"));
    assert_eq!(
        store.str_at("user_agent", 0).map(|s| s.len()),
        Some(5_000_000)
    );
}

#[test]
fn empty_and_junk_files_are_skipped_with_reasons_while_others_load() {
    let (store, report) = load(
        &[
            fixture("empty.json"),
            fixture("junk.bin"),
            fixture("records_pretty.json"),
        ],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert_eq!(store.len(), 4);
    assert_eq!(report.files[0].error.as_deref(), Some("empty input"));
    assert!(
        report.files[1]
            .error
            .as_deref()
            .unwrap_or("")
            .starts_with("not a CloudTrail log")
    );
}

#[test]
fn nothing_loadable_is_a_clear_failure() {
    let out = cttui(&["summary", &fixture("junk.bin")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing could be loaded"), "{err}");
    let out = cttui(&["summary", "does/not/exist.json"]);
    assert!(!out.status.success());
}

#[test]
fn unreadable_paths_are_named() {
    let (_, report) = load(
        &[
            "no/such/file.json".to_owned(),
            fixture("records_pretty.json"),
        ],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert_eq!(report.passed[0].path, "no/such/file.json");
    assert!(report.passed[0].reason.contains("cannot read"));
}

#[test]
fn gzip_bombs_are_capped() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bomb.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..6 {
        gz.write_all(&zeros).expect("write");
    }
    std::fs::write(&path, gz.finish().expect("gz")).expect("write");
    let opts = LoadOptions {
        max_inflate: 4 << 20,
        ..LoadOptions::default()
    };
    let err = load(&[path.to_string_lossy().into_owned()], &opts)
        .err()
        .expect("nothing loads");
    assert!(err.to_string().contains("nothing could be loaded"));
    let out = cttui(&[
        "summary",
        "--max-inflate",
        "4M",
        "--format",
        "json",
        path.to_str().expect("utf8"),
        &fixture("records_pretty.json"),
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let reason = v["skipped"]["files"][0]["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("gzip bomb"), "{reason}");
}

#[test]
fn a_corrupt_gzip_keeps_what_inflated() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("cut.json.gz");
    let full = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("records_gz_noext")),
    )
    .expect("read");
    std::fs::write(&path, &full[..full.len() - 30]).expect("write");
    let out = cttui(&[
        "summary",
        "--format",
        "json",
        path.to_str().expect("utf8"),
        &fixture("records_pretty.json"),
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("gzip stream broken"), "{text}");
}
