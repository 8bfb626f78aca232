//! Damaged input from the issue: each kind of damage costs only the records it touches, the rest
//! load, and every stretch passed over is counted with its file, line and byte.

use crate::support::fuzz::record;
use cttui::ingest::{LoadOptions, LoadReport, load};
use cttui::model::store::EventStore;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p.to_string_lossy().into_owned()
}

fn ids(store: &EventStore) -> Vec<String> {
    let mut v: Vec<String> = store
        .str_col("event_id")
        .map(|c| c.iter().flatten().map(str::to_owned).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn expect(range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|i| format!("id-{i:05}")).collect()
}

fn load_text(text: &str) -> (EventStore, LoadReport) {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "in.json", text.as_bytes());
    load(&[p], &LoadOptions::default()).expect("some records load")
}

fn records(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| record(i).to_string()).collect()
}

/// 39 records with record 19 damaged by `damage`.
fn damaged_records_file(damage: impl Fn(&str) -> String) -> String {
    let mut recs = records(0..39);
    recs[19] = damage(&recs[19]);
    format!("{{\"Records\":[{}]}}", recs.join(","))
}

/// A named way to damage one record.
type Damage<'a> = (&'a str, &'a dyn Fn(&str) -> String);

#[test]
fn one_broken_record_costs_only_itself_whatever_the_damage() {
    let cases: [Damage<'_>; 5] = [
        ("unterminated string", &|r: &str| {
            r.replacen("\"GetObject", "\"GetObject\\", 1).replacen(
                "ListBuckets\"",
                "ListBuckets",
                1,
            )
        }),
        ("cut in half", &|r: &str| r[..r.len() / 2].to_owned()),
        ("flipped quote", &|r: &str| {
            r.replacen("\":\"us-east-1\"", "\":us-east-1\"", 1)
        }),
        ("missing closing brace", &|r: &str| {
            r[..r.len() - 1].to_owned()
        }),
        ("missing bracket inside", &|r: &str| {
            r.replacen("}],", "},", 1)
        }),
    ];
    for (what, damage) in cases {
        let (store, report) = load_text(&damaged_records_file(damage));
        let f = &report.files[0];
        let mut want = expect(0..39);
        want.remove(19);
        let got = ids(&store);
        assert!(
            want.iter().all(|w| got.contains(w)),
            "{what}: lost records: {:?}",
            want.iter().filter(|w| !got.contains(w)).collect::<Vec<_>>()
        );
        assert!(f.bad_records >= 1, "{what}: the broken record is counted");
        assert!(f.skipped >= 1, "{what}");
        let p = &f.problems[0];
        assert_eq!(p.line, Some(1), "{what}");
        assert!(p.offset > 0, "{what}: {p:?}");
        assert!(
            report.skip_lines().iter().any(|l| l.contains("(byte ")),
            "{what}"
        );
    }
}

#[test]
fn a_stray_bracket_is_reported_and_the_records_after_it_load() {
    let recs = records(0..39);
    let text = format!(
        "{{\"Records\":[{}]],{}]}}",
        recs[..21].join(","),
        recs[21..].join(",")
    );
    let (store, report) = load_text(&text);
    assert_eq!(ids(&store), expect(0..39));
    let f = &report.files[0];
    assert_eq!(f.skipped, 1, "{:?}", f.problems);
    assert_eq!(f.bad_records, 0);
    assert!(
        f.problems[0].reason.contains("unexpected"),
        "{:?}",
        f.problems
    );
}

#[test]
fn concatenated_documents_all_load() {
    let recs = records(0..39);
    let doc = |r: &[String]| format!("{{\"Records\":[{}]}}", r.join(","));
    let pretty = |r: &[String]| {
        let v: serde_json::Value = serde_json::from_str(&doc(r)).expect("json");
        serde_json::to_string_pretty(&v).expect("pretty")
    };
    for text in [
        format!(
            "{}{}{}",
            doc(&recs[..10]),
            doc(&recs[10..30]),
            doc(&recs[30..])
        ),
        format!(
            "{}\n{}\n{}\n",
            doc(&recs[..10]),
            doc(&recs[10..30]),
            doc(&recs[30..])
        ),
        format!(
            "{}\n{}{}",
            pretty(&recs[..10]),
            pretty(&recs[10..30]),
            pretty(&recs[30..])
        ),
    ] {
        let (store, report) = load_text(&text);
        assert_eq!(ids(&store), expect(0..39));
        assert_eq!(report.files[0].skipped, 0, "{:?}", report.files[0].problems);
    }
}

#[test]
fn duplicate_records_keys_both_load() {
    let recs = records(0..4);
    let text = format!(
        "{{\"Records\":[{},{}],\"Records\":[{},{}]}}",
        recs[0], recs[1], recs[2], recs[3]
    );
    let (store, _) = load_text(&text);
    assert_eq!(ids(&store), expect(0..4));
}

#[test]
fn json_lines_with_a_bad_first_line_keep_the_rest() {
    let recs = records(0..5);
    for first in [
        "null",
        "42",
        "{\"eventName\": tru}",
        "{\"eventVersion\":\"1.0",
        "garbage",
    ] {
        let text = format!("{first}\n{}\n", recs.join("\n"));
        let (store, report) = load_text(&text);
        assert_eq!(ids(&store), expect(0..5), "first line {first}");
        let f = &report.files[0];
        assert_eq!(
            f.not_records + f.bad_records,
            1,
            "first line {first}: counted once ({:?})",
            f.problems
        );
    }
}

#[test]
fn arrays_of_scalars_are_not_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "n.json", b"[1,2,3]");
    let err = load(&[p], &LoadOptions::default())
        .err()
        .expect("nothing loads")
        .to_string();
    assert!(
        err.contains("no CloudTrail records (3 other element(s))"),
        "{err}"
    );
}

#[test]
fn a_brace_where_a_record_should_start_neither_loops_nor_loses_the_rest() {
    let recs = records(0..3);
    for text in [
        "[}".to_owned(),
        format!("{{\"Records\":[{},}},{},{}]}}", recs[0], recs[1], recs[2]),
    ] {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(&dir, "x.json", text.as_bytes());
        let started = std::time::Instant::now();
        let got = load(&[p], &LoadOptions::default());
        assert!(started.elapsed().as_secs() < 10);
        if text.len() > 2 {
            let (store, report) = got.expect("loads");
            assert_eq!(ids(&store), expect(0..3));
            assert_eq!(report.files[0].skipped, 1);
        } else {
            assert!(got.is_err());
        }
    }
}

#[test]
fn nothing_loaded_prints_each_files_reason() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tmp");
    let junk = write(&dir, "notes.txt", b"hello, this is not a log\n");
    let broken = write(&dir, "broken.json", b"{\"Records\":[{\"eventName\": tru}]}");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&vec![0u8; 1 << 20]).expect("gz");
    let bomb = write(&dir, "bomb.json.gz", &gz.finish().expect("gz"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["summary", &junk, &broken, &bomb])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing could be loaded"), "{err}");
    assert!(err.contains("notes.txt: not a CloudTrail log"), "{err}");
    assert!(
        err.contains("broken.json:1: (byte 29) invalid record"),
        "{err}"
    );
    assert!(err.contains("bomb.json.gz: gzip bomb"), "{err}");
}
