//! Gzip bombs and lying trailers: memory stays bounded while inflating, in parallel too.
//! The test runs in a process of its own, so the process' peak memory (VmHWM) is this test's alone.
use std::io::Write;
use std::path::Path;

use cttui::ingest::{LoadOptions, load};

use crate::support::{assert_alone, in_own_process};

fn peak_rss() -> u64 {
    crate::support::fuzz::peak_rss().expect("VmHWM in /proc/self/status")
}

/// One gzip member inflating to `n` bytes of `fill`, compressed from a stream (never held whole).
fn member(fill: u8, n: usize, prefix: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(prefix).expect("gz");
    let block = vec![fill; 1 << 20];
    for _ in 0..n >> 20 {
        gz.write_all(&block).expect("gz");
    }
    gz.finish().expect("gz")
}

/// A bomb of `gib` GiB: one member repeated (gzip members concatenate).
fn bomb(path: &Path, fill: u8, gib: usize, prefix: &[u8]) {
    let first = member(fill, 64 << 20, prefix);
    let rest = member(fill, 64 << 20, b"");
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    f.write_all(&first).expect("write");
    for _ in 1..gib * 16 {
        f.write_all(&rest).expect("write");
    }
    f.flush().expect("flush");
}

fn record(i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"id-{i}"}}"#,
        i % 60
    )
}

fn load_err(paths: &[&Path]) -> String {
    let paths: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    match load(&paths, &LoadOptions::default()) {
        Ok((store, _)) => panic!("{} events loaded from a bomb", store.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bombs_and_lying_trailers_stay_within_bounded_memory() {
    in_own_process("hostile_gzip::bombs_alone");
}

#[test]
#[ignore = "run by bombs_and_lying_trailers_stay_within_bounded_memory in a process of its own"]
fn bombs_alone() {
    assert_alone();
    let dir = tempfile::tempdir().expect("tmp");
    let base = peak_rss();

    // A valid log whose trailer claims 4 GiB: nothing is reserved from it, the records load.
    let body = format!("{{\"Records\":[{},{}]}}", record(1), record(2));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(body.as_bytes()).expect("gz");
    let mut liar = gz.finish().expect("gz");
    let n = liar.len();
    liar[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    let liar_path = dir.path().join("liar.json.gz");
    std::fs::write(&liar_path, &liar).expect("write");
    let (store, report) = load(
        &[liar_path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert_eq!(store.len(), 2);
    assert!(
        report.files[0]
            .problems
            .iter()
            .any(|p| p.reason.contains("gzip stream broken"))
    );
    assert!(
        peak_rss() < base + (256 << 20),
        "the trailer's 4 GiB was reserved"
    );

    // Log text that inflates within the ratio but past the cap: stopped at the cap, while
    // inflating (memory never holds much more than the cap).
    let big = dir.path().join("big.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"Records\":[").expect("gz");
    for i in 0..200_000 {
        gz.write_all(record(i).as_bytes()).expect("gz");
        gz.write_all(b",").expect("gz");
    }
    std::fs::write(&big, gz.finish().expect("gz")).expect("write");
    let before = peak_rss();
    let cap = 8 << 20;
    let err = load(
        &[big.to_string_lossy().into_owned()],
        &LoadOptions {
            max_inflate: cap,
            ..LoadOptions::default()
        },
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("beyond the cap of 8388608 bytes"), "{err}");
    assert!(
        peak_rss() < before + 3 * cap,
        "inflating past the cap took memory"
    );

    // 10 GiB of zeros: stopped at once (binary is never a log).
    let zeros = dir.path().join("zeros.json.gz");
    bomb(&zeros, 0, 10, b"");
    let err = load_err(&[&zeros]);
    assert!(err.contains("gzip bomb"), "{err}");

    // 10 GiB of JSON whitespace after a valid start: stopped by the ratio, long before the cap.
    let spaces = dir.path().join("spaces.json.gz");
    bomb(&spaces, b' ', 10, b"{\"Records\":[");
    let err = load_err(&[&spaces]);
    assert!(err.contains("gzip bomb"), "{err}");
    assert!(
        err.contains("spaces.json.gz"),
        "the reason names the file: {err}"
    );

    // Many bombs loaded in parallel do not add up.
    let many: Vec<_> = (0..8)
        .map(|i| {
            let p = dir.path().join(format!("b{i}.json.gz"));
            std::fs::copy(&spaces, &p).expect("copy");
            p
        })
        .collect();
    let refs: Vec<&Path> = many.iter().map(|p| p.as_path()).collect();
    let err = load_err(&refs);
    assert_eq!(err.matches("gzip bomb").count(), 8, "{err}");

    let peak = peak_rss();
    eprintln!("peak RSS {} MiB (base {} MiB)", peak >> 20, base >> 20);
    assert!(peak < 1 << 30, "peak RSS {peak} bytes");
}
