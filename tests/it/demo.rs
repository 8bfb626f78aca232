//! The demo data generator: determinism, loadability, the incident's ground truth, and the committed
//! demo-logs/ staying equal to a fresh generation.
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use cttui::ingest::{LoadOptions, LoadReport, load};
use cttui::model::store::EventStore;
use cttui_demo::catalog::{REGIONS, WEBAPP_IP};
use cttui_demo::incident::ATTACKER_IP;
use cttui_demo::{DEFAULT_EVENTS, DEFAULT_SEED, generate};

/// Every file under `dir`, by path relative to it, in name order.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).expect("readable dir") {
            let path = e.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn load_path(path: &Path) -> (EventStore, LoadReport) {
    load(&[path.display().to_string()], &LoadOptions::default()).expect("the demo output loads")
}

fn col(store: &EventStore, name: &str) -> Vec<Option<String>> {
    let c = store.str_col(name).expect("string column");
    c.iter().map(|v| v.map(str::to_owned)).collect()
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    let c = tempfile::tempdir().expect("temp dir");
    generate(a.path(), 3_000, 99).expect("generates");
    generate(b.path(), 3_000, 99).expect("generates");
    generate(c.path(), 3_000, 100).expect("generates");
    let (ta, tb, tc) = (tree(a.path()), tree(b.path()), tree(c.path()));
    assert!(ta.len() > 20, "a delivery tree with many files");
    assert_eq!(ta, tb, "same seed, same files and bytes");
    let content = |t: &BTreeMap<String, Vec<u8>>| -> Vec<Vec<u8>> {
        t.iter()
            .filter(|(k, _)| k.ends_with(".json.gz") && !k.contains("Digest"))
            .map(|(_, v)| inflate(v))
            .collect()
    };
    assert_ne!(content(&ta), content(&tc), "another seed, other records");
}

#[test]
fn directory_output_loads_with_exact_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = 6_000;
    let truth = generate(dir.path(), n, 3).expect("generates");
    let (store, report) = load_path(dir.path());

    let incident = truth.tally.incident.count;
    let dups = truth.tally.redeliveries;
    assert!(dups > 0, "some records are delivered twice");
    assert!(incident > 4_000);
    assert_eq!(report.records as u64, n as u64 + incident);
    assert_eq!(report.duplicates as u64, dups);
    assert_eq!(store.len() as u64, n as u64 + incident - dups);

    // The digest is passed over, not read; no loaded file is a digest.
    assert!(
        report
            .passed
            .iter()
            .any(|p| p.path.contains("CloudTrail-Digest"))
    );
    assert!(
        report
            .files
            .iter()
            .all(|f| !f.path.contains("CloudTrail-Digest"))
    );
    let log_files = report
        .files
        .iter()
        .filter(|f| f.path.ends_with(".json.gz"))
        .count();
    assert_eq!(log_files, truth.files);
    assert!(
        report
            .files
            .iter()
            .filter(|f| f.path.ends_with(".json.gz"))
            .all(|f| f.bad_records == 0 && f.error.is_none())
    );

    // Regions and S3 data events as counted while writing.
    let regions = col(&store, "aws_region");
    for r in REGIONS {
        assert!(
            regions.iter().any(|v| v.as_deref() == Some(r)),
            "{r} present"
        );
    }
    let categories = col(&store, "event_category");
    let data = categories
        .iter()
        .filter(|c| c.as_deref() == Some("Data"))
        .count();
    assert_eq!(data as u64, truth.tally.data_events);
    let mgmt = store
        .df()
        .column("management_event")
        .expect("column")
        .bool()
        .expect("bool")
        .clone();
    for (i, c) in categories.iter().enumerate() {
        assert_eq!(mgmt.get(i), Some(c.as_deref() != Some("Data")), "row {i}");
    }

    // Ordinary traffic fails at a realistic rate.
    let ips = col(&store, "source_ip");
    let codes = col(&store, "error_code");
    let messages = col(&store, "error_message");
    let ordinary: Vec<usize> = (0..store.len())
        .filter(|&i| ips[i].as_deref() != Some(ATTACKER_IP))
        .collect();
    let failed = ordinary
        .iter()
        .filter(|&&i| codes[i].is_some() || messages[i].is_some())
        .count();
    let rate = failed as f64 / ordinary.len() as f64;
    assert!((0.015..0.04).contains(&rate), "error rate {rate}");
    assert_eq!(failed as u64, truth.tally.ordinary.failed);
}

#[test]
fn the_burst_hour_holds_the_theft() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truth = generate(dir.path(), 4_000, DEFAULT_SEED).expect("generates");
    let (store, _) = load_path(dir.path());
    let names = col(&store, "event_name");
    let principals = col(&store, "principal");
    let ips = col(&store, "source_ip");
    let keys = col(&store, "access_key_id");
    let bytes = store
        .df()
        .column("bytes_out")
        .expect("column")
        .i64()
        .expect("i64")
        .clone();

    // Per clock hour: the attacker's GetObject calls and bytes, and the role's own from its VPC.
    let mut attacker: BTreeMap<i64, (u64, i64)> = BTreeMap::new();
    let mut own: BTreeMap<i64, u64> = BTreeMap::new();
    for i in 0..store.len() {
        if names[i].as_deref() != Some("GetObject")
            || principals[i].as_deref() != Some(truth.arn.as_str())
        {
            continue;
        }
        let hour = store.time_at(i).expect("time").div_euclid(3_600_000);
        match ips[i].as_deref() {
            Some(ip) if ip == ATTACKER_IP => {
                assert_eq!(keys[i].as_deref(), Some(truth.access_key.as_str()));
                let slot = attacker.entry(hour).or_default();
                slot.0 += 1;
                slot.1 += bytes.get(i).unwrap_or(0);
            }
            Some(ip) if ip == WEBAPP_IP => *own.entry(hour).or_default() += 1,
            other => panic!("unexpected source {other:?}"),
        }
    }
    let (&hour, &(count, sum)) = attacker.iter().max_by_key(|(_, v)| v.0).expect("a burst");
    assert!(count >= 3_000, "{count} GetObject in the burst hour");
    assert_eq!(attacker.len(), 1, "the burst fits one clock hour");
    let (t_hour, t_count, t_bytes) = truth.tally.burst_hour().expect("ground truth has a burst");
    assert_eq!((hour * 3600, count, sum as u64), (t_hour, t_count, t_bytes));
    // The victim keeps working from its own address around the burst.
    assert!(own.range(hour - 1..=hour + 1).map(|(_, n)| n).sum::<u64>() > 0);
    assert!(truth.tally.victim_during > 0);

    // The README states the same figures.
    let readme = fs::read_to_string(dir.path().join("README.md")).expect("readme");
    for needle in [
        truth.arn.as_str(),
        truth.access_key.as_str(),
        ATTACKER_IP,
        &format!("**{count} GetObject**"),
        &format!("**{sum} bytes**"),
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
}

#[test]
fn incident_steps_are_logged_as_the_playbook_expects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truth = generate(dir.path(), 500, 11).expect("generates");
    let (store, _) = load_path(dir.path());
    let ips = col(&store, "source_ip");
    let names = col(&store, "event_name");
    let codes = col(&store, "error_code");
    let rows: Vec<usize> = (0..store.len())
        .filter(|&i| ips[i].as_deref() == Some(ATTACKER_IP))
        .collect();
    assert_eq!(rows.len() as u64, truth.tally.incident.count);
    let outcome = |name: &str| -> Vec<Option<String>> {
        rows.iter()
            .filter(|&&i| names[i].as_deref() == Some(name))
            .map(|&i| codes[i].clone())
            .collect()
    };
    assert_eq!(outcome("GetCallerIdentity"), [None]);
    assert_eq!(outcome("ListUsers"), [Some("AccessDenied".to_owned())]);
    assert_eq!(outcome("StopLogging"), [Some("AccessDenied".to_owned())]);
    assert_eq!(outcome("DeleteBucketPublicAccessBlock"), [None]);
    assert_eq!(
        outcome("PutBucketPolicy"),
        [Some("AccessDenied".to_owned()), None]
    );
    let public = rows
        .iter()
        .filter(|&&i| names[i].as_deref() == Some("PutBucketPolicy") && codes[i].is_none())
        .map(|&i| store.raw_value(i).expect("record"))
        .next()
        .expect("a public policy");
    assert_eq!(
        public["requestParameters"]["bucketPolicy"]["Statement"][0]["Principal"],
        "*"
    );
    assert!(
        outcome("ListObjects").len() >= 4,
        "paged listing plus a denied probe"
    );
}

#[test]
fn single_json_file_loads_with_the_right_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    let truth = generate(&path, 2_500, 5).expect("generates");
    let text = fs::read_to_string(&path).expect("written");
    assert!(text.starts_with(r#"{"Records":[{"eventVersion":"#));
    assert_eq!(text.matches('\n').count(), 1, "one compact line");
    assert!(text.ends_with("]}\n"));
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "no README or tree beside the file"
    );
    let (store, report) = load_path(&path);
    assert_eq!(report.records as u64, 2_500 + truth.tally.incident.count);
    assert_eq!(report.duplicates as u64, truth.tally.redeliveries);
    assert_eq!(store.len() as u64, truth.tally.events());
}

#[test]
fn refuses_foreign_directories_and_replaces_its_own_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("notes.txt"), "keep me").expect("write");
    assert!(generate(dir.path(), 100, 1).is_err());
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).expect("kept"),
        "keep me"
    );

    let out = tempfile::tempdir().expect("temp dir");
    generate(out.path(), 800, 1).expect("first run");
    generate(out.path(), 800, 2).expect("a rerun replaces the earlier output");
    let fresh = tempfile::tempdir().expect("temp dir");
    generate(fresh.path(), 800, 2).expect("fresh run");
    assert_eq!(
        tree(out.path()),
        tree(fresh.path()),
        "no stale files from the first run"
    );
}

/// The committed demo data is what the generator makes with the defaults. Gzip members are compared
/// inflated, so a compressor update cannot fail this test while the records stay the same.
#[test]
fn committed_demo_logs_match_a_fresh_generation() {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-logs");
    let fresh = tempfile::tempdir().expect("temp dir");
    generate(fresh.path(), DEFAULT_EVENTS, DEFAULT_SEED).expect("generates");
    let (old, new) = (tree(&committed), tree(fresh.path()));
    let hint = "demo-logs/ is stale: regenerate with `cargo run -- demo demo-logs`";
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>(),
        "{hint}"
    );
    for (name, bytes) in &old {
        let (a, b) = if name.ends_with(".gz") {
            (inflate(bytes), inflate(&new[name]))
        } else {
            (bytes.clone(), new[name].clone())
        };
        assert!(a == b, "{name} differs; {hint}");
    }
}
