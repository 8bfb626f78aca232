//! Every input shape loads to the same events; golden `summary --format json` and `events --format jsonl`.

use crate::support::{cttui, fixture, golden, stdout};
use cttui::ingest::{LoadOptions, load};

const SHAPES: [&str; 13] = [
    "records_pretty.json",
    "records_single.json",
    "records_gz_noext",
    "bare_array.json",
    "lines.jsonl",
    "at_timestamp.jsonl",
    "event_history.json",
    "event_history.jsonl",
    "siem_raw.json",
    "flattened_dotted.csv",
    "flattened_concat.csv",
    "flattened_snake.csv",
    "AWSLogs",
];

fn event_ids(path: &str) -> Vec<String> {
    let (store, _) = load(&[path.to_owned()], &LoadOptions::default()).expect("loads");
    (0..store.len())
        .map(|r| store.str_at("event_id", r).unwrap_or_default())
        .collect()
}

#[test]
fn every_shape_yields_the_same_events_in_time_order() {
    let want = vec![
        "00000000-0000-4000-8000-000000000004".to_owned(),
        "00000000-0000-4000-8000-000000000002".to_owned(),
        "00000000-0000-4000-8000-000000000003".to_owned(),
        "00000000-0000-4000-8000-000000000001".to_owned(),
    ];
    for shape in SHAPES {
        assert_eq!(event_ids(&fixture(shape)), want, "{shape}");
    }
}

#[test]
fn canonical_columns_are_filled() {
    for shape in SHAPES {
        let (store, _) = load(&[fixture(shape)], &LoadOptions::default()).expect("loads");
        // Row 3 is event 1: alice's GetObject with 1000 bytes out.
        assert_eq!(
            store.str_at("principal", 3).as_deref(),
            Some("arn:aws:iam::111122223333:user/alice"),
            "{shape}"
        );
        assert_eq!(
            store.str_at("bucket", 3).as_deref(),
            Some("fixture-bucket"),
            "{shape}"
        );
        assert_eq!(
            store.str_at("object_key", 3).as_deref(),
            Some("data/file-1.csv"),
            "{shape}"
        );
        assert_eq!(store.i64_at("bytes_out", 3), Some(1000), "{shape}");
        assert_eq!(store.bool_at("read_only", 3), Some(true), "{shape}");
        assert_eq!(
            store.str_at("error_code", 2).as_deref(),
            Some("AccessDenied"),
            "{shape}"
        );
        assert_eq!(
            store.str_at("access_key_id", 3).as_deref(),
            Some("AKIAEXAMPLE0001"),
            "{shape}"
        );
        let raw = store.raw_value(3).expect("raw");
        assert_eq!(raw["requestID"], "REQ00001", "{shape}");
    }
}

#[test]
fn csv_keeps_unknown_columns() {
    let (store, _) =
        load(&[fixture("flattened_dotted.csv")], &LoadOptions::default()).expect("loads");
    let raw = store.raw_value(3).expect("raw");
    assert_eq!(raw["customColumn"], "kept");
    assert_eq!(raw["userIdentity"]["userName"], "alice");
}

#[test]
fn directories_skip_digests_with_a_count() {
    let (_, report) = load(&[fixture("AWSLogs")], &LoadOptions::default()).expect("loads");
    assert_eq!(report.files.len(), 4);
    assert_eq!(report.passed.len(), 1);
    assert!(report.passed[0].reason.contains("digest"));
}

#[test]
fn several_paths_and_stdin() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args([
            "events",
            "-",
            &fixture("records_pretty.json"),
            "--format",
            "jsonl",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let lines = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("lines.jsonl")),
    )
    .expect("read");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&lines)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    // The same four events from both inputs: duplicates removed.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}

#[test]
fn golden_summary_and_events_for_every_shape() {
    for shape in SHAPES
        .iter()
        .chain(["time_formats.json", "duplicates.json", "broken_record.json"].iter())
    {
        let name = shape.replace('.', "_");
        let out = cttui(&["summary", "--format", "json", &fixture(shape)]);
        assert!(
            out.status.success(),
            "{shape}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        golden(&format!("{name}.summary.json"), &stdout(&out));
        let out = cttui(&["events", "--format", "jsonl", &fixture(shape)]);
        assert!(out.status.success(), "{shape}");
        golden(&format!("{name}.events.jsonl"), &stdout(&out));
    }
}

#[test]
fn jsonl_output_loads_back_unchanged() {
    let dir = tempfile::tempdir().expect("tmp");
    for shape in SHAPES {
        let first = stdout(&cttui(&["events", "--format", "jsonl", &fixture(shape)]));
        let path = dir.path().join("roundtrip.jsonl");
        std::fs::write(&path, &first).expect("write");
        let second = stdout(&cttui(&[
            "events",
            "--format",
            "jsonl",
            path.to_str().expect("utf8"),
        ]));
        assert_eq!(first, second, "{shape}");
    }
}

#[test]
fn time_formats_parse_or_count() {
    let (store, report) =
        load(&[fixture("time_formats.json")], &LoadOptions::default()).expect("loads");
    assert_eq!(store.len(), 7);
    assert_eq!(
        report.bad_times, 2,
        "'redacted' and a missing time are kept and counted"
    );
    let times: Vec<_> = (0..7).map(|r| store.time_at(r)).collect();
    let t0 = 1_709_632_800_000; // 2024-03-05T10:00:00Z
    assert_eq!(
        times,
        vec![
            Some(t0),
            Some(t0 + 1500),
            Some(t0 + 2000),
            Some(t0 + 3000),
            Some(t0 + 4000),
            None,
            None
        ]
    );
    // The unparsed text is kept for the analyst.
    assert_eq!(
        store.str_at("event_time_raw", 5).as_deref(),
        Some("redacted")
    );
}

#[test]
fn duplicates_are_removed_and_counted_but_reused_ids_kept() {
    let (store, report) = load(
        &[fixture("duplicates.json"), fixture("records_pretty.json")],
        &LoadOptions::default(),
    )
    .expect("loads");
    // duplicates.json: events 1 and 2 plus a different event reusing event 2's ID; records_pretty repeats 1 and 2.
    assert_eq!(report.records, 7);
    assert_eq!(report.duplicates, 2);
    assert_eq!(store.len(), 5);
    let mallory = (0..store.len())
        .filter(|&r| store.str_at("user_name", r).as_deref() == Some("mallory"))
        .count();
    assert_eq!(mallory, 1);
}

/// The load gauge ends full, neither short nor past the end, whether bytes reach it while read
/// (gzip, JSON) or when the file is done (Parquet); a bar past 100% or stuck below it misleads.
#[test]
fn the_load_gauge_ends_at_the_input_size() {
    use cttui::ingest::Progress;
    use std::sync::Arc;
    let tmp = tempfile::tempdir().expect("tmp");
    let parquet = tmp.path().join("pq");
    let parquet = parquet.to_str().expect("utf8");
    let converted = cttui(&[
        "convert",
        "-q",
        "tests/fixtures/ingest/AWSLogs",
        "-o",
        parquet,
    ]);
    assert!(converted.status.success(), "{converted:?}");
    for path in [
        "tests/fixtures/ingest/AWSLogs",
        "tests/fixtures/ingest/records_pretty.json",
        "tests/fixtures/ingest/lines.jsonl",
        parquet,
    ] {
        let progress = Arc::new(Progress::default());
        let opts = LoadOptions {
            progress: Some(Arc::clone(&progress)),
            ..LoadOptions::default()
        };
        load(&[path.to_owned()], &opts).expect("loads");
        let (files_done, files, bytes_done, bytes) = progress.snapshot();
        assert!(bytes > 0, "{path}");
        assert_eq!((files_done, bytes_done), (files, bytes), "{path}");
    }
}
