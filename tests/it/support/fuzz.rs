//! A mutation fuzzer for ingest, on stable Rust and without extra crates: fixtures of every input
//! shape are built here, damaged by seeded mutations, loaded, and checked against invariants.
//! Used by `tests/it/fuzz.rs` (a fixed-seed run in `cargo test`) and `examples/fuzz.rs` (long runs).
// Also compiled into `examples/fuzz.rs`, which uses other parts of it than the tests do.
#![allow(dead_code)]
use std::collections::HashSet;
use std::io::Write;
use std::ops::Range;
use std::path::Path;

use cttui::ingest::{LoadOptions, LoadReport, load};
use cttui::model::store::EventStore;

/// splitmix64: small, seedable, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One generated input: its bytes and where each record's text sits, by eventID.
#[derive(Clone)]
pub struct Fixture {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub records: Vec<(String, Range<usize>)>,
    pub gzip: bool,
}

/// A record with hostile strings: terminal escapes, bidi overrides, Markdown and CSV specials.
pub fn record(i: usize) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "arn": format!("arn:aws:iam::123456789012:user/u{i}\u{1b}]0;pwned\u{7}"),
            "accountId": "123456789012",
            "userName": format!("u{i}")
        },
        "eventTime": format!("2024-01-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60),
        "eventSource": "s3.amazonaws.com",
        "eventName": if i.is_multiple_of(3) { "GetObject" } else { "ListBuckets" },
        "awsRegion": "us-east-1",
        "sourceIPAddress": format!("203.0.113.{}", i % 250),
        "userAgent": "aws-cli/2 \u{1b}[2J\u{9b}31m\u{202e}|# =cmd\r\nX",
        "requestParameters": {"bucketName": "b", "key": format!("k{i}\n## injected")},
        "resources": [{"ARN": format!("arn:aws:s3:::b/k{i}"), "type": "AWS::S3::Object"}],
        "eventID": format!("id-{i:05}"),
        "readOnly": true
    })
}

fn id(i: usize) -> String {
    format!("id-{i:05}")
}

/// Joins element texts with `sep` between `head` and `tail`, noting each element's range.
fn assemble(
    name: &'static str,
    head: &str,
    parts: &[(String, String)],
    sep: &str,
    tail: &str,
) -> Fixture {
    let mut bytes = head.as_bytes().to_vec();
    let mut records = Vec::new();
    for (k, (rid, text)) in parts.iter().enumerate() {
        if k > 0 {
            bytes.extend_from_slice(sep.as_bytes());
        }
        let start = bytes.len();
        bytes.extend_from_slice(text.as_bytes());
        records.push((rid.clone(), start..bytes.len()));
    }
    bytes.extend_from_slice(tail.as_bytes());
    Fixture {
        name,
        bytes,
        records,
        gzip: false,
    }
}

fn compact(range: Range<usize>) -> Vec<(String, String)> {
    range.map(|i| (id(i), record(i).to_string())).collect()
}

fn pretty(range: Range<usize>) -> Vec<(String, String)> {
    range
        .map(|i| {
            let text = serde_json::to_string_pretty(&record(i)).unwrap_or_default();
            (id(i), text.replace('\n', "\n    "))
        })
        .collect()
}

/// Every input shape ingest reads, `n` records each.
pub fn fixtures(n: usize) -> Vec<Fixture> {
    let mut out = vec![
        assemble("records", "{\"Records\":[", &compact(0..n), ",", "]}"),
        assemble(
            "records_pretty",
            "{\n  \"Records\": [\n    ",
            &pretty(0..n),
            ",\n    ",
            "\n  ]\n}\n",
        ),
        assemble("array", "[", &compact(0..n), ",", "]"),
        assemble("jsonl", "", &compact(0..n), "\n", "\n"),
        assemble("pretty_concat", "", &pretty(0..n), "\n", "\n"),
    ];
    // Event History: each record escaped inside its item.
    let items: Vec<(String, String)> = (0..n)
        .map(|i| {
            let item = serde_json::json!({
                "EventId": id(i),
                "EventName": "GetObject",
                "CloudTrailEvent": record(i).to_string(),
            });
            (id(i), item.to_string())
        })
        .collect();
    out.push(assemble(
        "event_history",
        "{\"Events\":[",
        &items,
        ",",
        "]}",
    ));
    // `zcat *.json.gz > all.json`: documents back to back.
    let half = n / 2;
    let first = assemble("concat", "{\"Records\":[", &compact(0..half), ",", "]}");
    let second = assemble("concat", "{\"Records\":[", &compact(half..n), ",", "]}\n");
    out.push(concat("concat", &first, &second));
    // Flattened CSV.
    let mut csv = String::from(
        "eventTime,eventSource,eventName,awsRegion,userIdentity.arn,userAgent,eventID\n",
    );
    let mut records = Vec::new();
    for i in 0..n {
        let r = record(i);
        let start = csv.len();
        let cell = |v: &serde_json::Value| {
            let s = v.as_str().unwrap_or_default().replace('"', "\"\"");
            format!("\"{s}\"")
        };
        csv.push_str(&format!(
            "{},{},{},{},{},{},{}",
            cell(&r["eventTime"]),
            cell(&r["eventSource"]),
            cell(&r["eventName"]),
            cell(&r["awsRegion"]),
            cell(&r["userIdentity"]["arn"]),
            cell(&r["userAgent"]),
            cell(&r["eventID"])
        ));
        records.push((id(i), start..csv.len()));
        csv.push('\n');
    }
    out.push(Fixture {
        name: "csv",
        bytes: csv.into_bytes(),
        records,
        gzip: false,
    });
    let base = out[0].clone();
    out.push(gzip("records_gz", &base));
    out
}

/// Two fixtures back to back.
pub fn concat(name: &'static str, a: &Fixture, b: &Fixture) -> Fixture {
    let mut bytes = a.bytes.clone();
    let shift = bytes.len();
    bytes.extend_from_slice(&b.bytes);
    let mut records = a.records.clone();
    records.extend(
        b.records
            .iter()
            .map(|(i, r)| (i.clone(), r.start + shift..r.end + shift)),
    );
    Fixture {
        name,
        bytes,
        records,
        gzip: false,
    }
}

pub fn gzip(name: &'static str, f: &Fixture) -> Fixture {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = gz.write_all(&f.bytes);
    Fixture {
        name,
        bytes: gz.finish().unwrap_or_default(),
        records: f.records.clone(),
        gzip: true,
    }
}

/// Where a mutation hit, in the original's coordinates: `removed` bytes at `at` were replaced.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub kind: &'static str,
    pub at: usize,
    pub removed: usize,
    pub inserted: Vec<u8>,
}

const STRUCTURAL: &[&[u8]] = &[
    b"}",
    b"]",
    b"{",
    b"[",
    b"\"",
    b",",
    b":",
    b"]}",
    b"}{",
    b"\n",
    b"\\",
    b"]]",
    b"}]",
    b"null",
    b"42",
    b"\x00",
    b"\xff",
    b"\x1b]0;x\x07",
    b"{\"Records\":[",
];

/// Picks a mutation of `f`: byte flips, deletions, insertions, truncation, a flipped quote,
/// a copied stretch.
pub fn mutate(f: &Fixture, rng: &mut Rng) -> Mutation {
    let len = f.bytes.len();
    let at = rng.below(len);
    match rng.below(8) {
        0 => Mutation {
            kind: "flip",
            at,
            removed: 1,
            inserted: vec![rng.next() as u8],
        },
        1 => Mutation {
            kind: "structural",
            at,
            removed: rng.below(2),
            inserted: STRUCTURAL[rng.below(STRUCTURAL.len())].to_vec(),
        },
        2 => Mutation {
            kind: "delete",
            at,
            removed: (1 + rng.below(64)).min(len - at),
            inserted: Vec::new(),
        },
        3 => Mutation {
            kind: "insert",
            at,
            removed: 0,
            inserted: (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect(),
        },
        4 => Mutation {
            kind: "truncate",
            at,
            removed: len - at,
            inserted: Vec::new(),
        },
        5 => {
            // A quote dropped or added near `at`: strings and structure swap places.
            let q = f.bytes[at..]
                .iter()
                .position(|&b| b == b'"')
                .map_or(at, |p| at + p);
            Mutation {
                kind: "quote",
                at: q,
                removed: usize::from(q < len),
                inserted: if rng.below(2) == 0 {
                    Vec::new()
                } else {
                    b"\"\"".to_vec()
                },
            }
        }
        6 => {
            let from = rng.below(len);
            let n = (1 + rng.below(200)).min(len - from);
            Mutation {
                kind: "copy",
                at,
                removed: 0,
                inserted: f.bytes[from..from + n].to_vec(),
            }
        }
        _ => Mutation {
            kind: "swap_record_end",
            at,
            removed: 1,
            inserted: b"}}".to_vec(),
        },
    }
}

pub fn apply(f: &Fixture, m: &Mutation) -> Vec<u8> {
    let mut out = f.bytes[..m.at].to_vec();
    out.extend_from_slice(&m.inserted);
    out.extend_from_slice(&f.bytes[(m.at + m.removed).min(f.bytes.len())..]);
    out
}

/// What one case showed; `failures` lists broken invariants.
#[derive(Debug, Default)]
pub struct Outcome {
    pub failures: Vec<String>,
    /// Records after the damage that neither loaded (they were counted instead).
    pub lost_after: usize,
    pub loaded: usize,
}

/// Bytes no text output may hold: C0 controls but newline, DEL, C1 controls.
pub fn raw_control(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c))
}

/// Renders every text output of a load (summary, CSV, Markdown export) and returns the first
/// raw control character found, with where.
pub fn text_outputs_clean(store: &EventStore, report: &LoadReport) -> Result<(), String> {
    let rows: Vec<u32> = (0..store.len() as u32).collect();
    let summary = cttui::summary::Summary::new(store, report).to_text();
    let mut csv = Vec::new();
    let columns = cttui::export::csv_out::default_columns();
    cttui::export::csv_out::write_csv(&mut csv, store, &rows, &columns, None)
        .map_err(|e| e.to_string())?;
    let csv = String::from_utf8_lossy(&csv).into_owned();
    let md = cttui::export::markdown::events_markdown(store, &rows, &Default::default());
    let skips = report.skip_lines().join("\n");
    for (what, text) in [("summary", summary), ("csv", csv), ("markdown", md)] {
        if let Some(c) = raw_control(&text) {
            return Err(format!("raw control {c:?} in the {what} output"));
        }
    }
    // Skip notes are printed through the sanitiser; they must at least not hold ESC raw there.
    if let Some(c) = raw_control(&cttui::text::sanitize(&skips)) {
        return Err(format!("raw control {c:?} in the skip notes"));
    }
    Ok(())
}

/// Loads `bytes` written to `dir` as the fixture's file and checks the invariants: no panic,
/// records wholly before the damage load, records after it load or the damage is counted,
/// counts reconcile, text outputs hold no raw control byte.
pub fn check(
    dir: &Path,
    f: &Fixture,
    m: Option<&Mutation>,
    bytes: &[u8],
    outputs: bool,
) -> Outcome {
    let mut out = Outcome::default();
    let path = dir.join(format!("{}.input", f.name));
    if let Err(e) = std::fs::write(&path, bytes) {
        out.failures.push(format!("cannot write the case: {e}"));
        return out;
    }
    let paths = [path.to_string_lossy().into_owned()];
    let loaded = std::panic::catch_unwind(|| load(&paths, &LoadOptions::default()));
    let (store, report) = match loaded {
        Err(_) => {
            out.failures.push("panic while loading".to_owned());
            return out;
        }
        Ok(Err(e)) => {
            let msg = e.to_string();
            if !msg.contains("nothing could be loaded") {
                out.failures.push(format!("load failed: {msg}"));
            }
            if let Some(c) = raw_control(&msg) {
                out.failures
                    .push(format!("raw control {c:?} in the error message"));
            }
            // Nothing loaded: fine only when nothing stood wholly before the damage.
            let before = match m {
                Some(m) if !f.gzip => f.records.iter().filter(|(_, r)| r.end < m.at).count(),
                Some(_) => 0,
                None => f.records.len(),
            };
            if before > 0 {
                out.failures.push(format!(
                    "nothing loaded although {before} record(s) precede the damage: {msg}"
                ));
            }
            return out;
        }
        Ok(Ok(sr)) => sr,
    };
    out.loaded = store.len();
    let ids: HashSet<String> = match store.str_col("event_id") {
        Some(c) => c.iter().flatten().map(str::to_owned).collect(),
        None => HashSet::new(),
    };
    // Counts reconcile.
    if report.records != store.len() + report.duplicates {
        out.failures.push(format!(
            "records {} != events {} + duplicates {}",
            report.records,
            store.len(),
            report.duplicates
        ));
    }
    let per_file: usize = report.files.iter().map(|f| f.records).sum();
    if per_file != report.records {
        out.failures
            .push(format!("per-file records {per_file} != {}", report.records));
    }
    let counted = report.bad_records()
        + report.not_records()
        + report.files.iter().map(|f| f.skipped).sum::<usize>()
        + report.files.iter().filter(|f| f.error.is_some()).count()
        + report.files.iter().map(|f| f.problems.len()).sum::<usize>();
    match m {
        None => {
            if ids.len() != f.records.len() {
                out.failures.push(format!(
                    "undamaged input: {} of {} records loaded",
                    ids.len(),
                    f.records.len()
                ));
            }
            if counted != 0 {
                out.failures.push(format!(
                    "undamaged input reported damage: {:?}",
                    report.skip_lines()
                ));
            }
        }
        Some(m) if !f.gzip => {
            // `at - 1`: a byte appended right after a record may merge with it (`}x`).
            let before: Vec<_> = f
                .records
                .iter()
                .filter(|(_, r)| r.end < m.at)
                .filter(|(i, _)| !ids.contains(i))
                .map(|(i, _)| i.clone())
                .collect();
            if !before.is_empty() {
                out.failures
                    .push(format!("records before the damage lost: {before:?}"));
            }
            let after = f
                .records
                .iter()
                .filter(|(_, r)| r.start > m.at + m.removed)
                .filter(|(i, _)| !ids.contains(i))
                .count();
            out.lost_after = after;
            if after > 0 && counted == 0 {
                out.failures.push(format!(
                    "{after} record(s) after the damage neither loaded nor counted"
                ));
            }
        }
        Some(_) => {}
    }
    if outputs && let Err(e) = text_outputs_clean(&store, &report) {
        out.failures.push(e);
    }
    out
}

/// Peak resident memory of this process so far, in bytes (Linux), if known.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Totals of a run.
#[derive(Debug, Default)]
pub struct Totals {
    pub cases: usize,
    pub failures: Vec<String>,
    pub lost_after: usize,
}

/// Runs `cases` seeded cases over every fixture shape (round robin) in `dir`.
pub fn run(
    dir: &Path,
    seed: u64,
    cases: usize,
    n_records: usize,
    mut stop: impl FnMut() -> bool,
) -> Totals {
    let fx = fixtures(n_records);
    let mut rng = Rng::new(seed);
    let mut totals = Totals::default();
    // Every shape loads whole when undamaged.
    for f in &fx {
        let o = check(dir, f, None, &f.bytes, true);
        totals.failures.extend(
            o.failures
                .into_iter()
                .map(|e| format!("{} undamaged: {e}", f.name)),
        );
    }
    for case in 0..cases {
        if stop() {
            break;
        }
        let f = &fx[case % fx.len()];
        let m = mutate(f, &mut rng);
        let bytes = apply(f, &m);
        if std::env::var("CTTUI_FUZZ_DUMP").ok() == Some(case.to_string()) {
            let _ = std::fs::write(std::env::temp_dir().join("cttui-fuzz-case"), &bytes);
        }
        // Outputs are rendered for one case in eight (the renderers are the slow part).
        let o = check(dir, f, Some(&m), &bytes, case.is_multiple_of(8));
        totals.cases += 1;
        totals.lost_after += o.lost_after;
        if o.lost_after > 0 && std::env::var_os("CTTUI_FUZZ_VERBOSE").is_some() {
            eprintln!(
                "case {case} ({} {} at {} -{} +{:?}): {} record(s) after the damage counted, not loaded",
                f.name,
                m.kind,
                m.at,
                m.removed,
                String::from_utf8_lossy(&m.inserted),
                o.lost_after
            );
        }
        for e in o.failures {
            totals.failures.push(format!(
                "case {case} ({} {} at {} -{} +{:?}): {e}",
                f.name,
                m.kind,
                m.at,
                m.removed,
                String::from_utf8_lossy(&m.inserted)
            ));
        }
    }
    totals
}
