//! Long mutation fuzzing of ingest: `cargo run --release --example fuzz -- --minutes N [--seed S]`.
//! Prints the cases run, the invariant failures (with the mutation that caused each), and the peak
//! memory; exits non-zero on any failure.
#[path = "../tests/it/support/fuzz.rs"]
mod fuzz_support;

use std::time::{Duration, Instant};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let minutes = arg("--minutes").unwrap_or(1);
    let seed = arg("--seed").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs())
    });
    let records = arg("--records").unwrap_or(39) as usize;
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("fuzz: cannot create a temporary directory");
        return std::process::ExitCode::FAILURE;
    };
    let deadline = Instant::now() + Duration::from_secs(minutes * 60);
    let mut cases = 0usize;
    let mut failures = Vec::new();
    let mut lost_after = 0usize;
    let mut round = 0u64;
    // Rounds of 500 cases, each with its own seed, until the time is up.
    while Instant::now() < deadline {
        let s = seed.wrapping_add(round);
        let t = fuzz_support::run(dir.path(), s, 500, records, || Instant::now() >= deadline);
        cases += t.cases;
        lost_after += t.lost_after;
        failures.extend(t.failures.into_iter().map(|f| format!("seed {s}: {f}")));
        round += 1;
    }
    let peak = fuzz_support::peak_rss().unwrap_or(0);
    println!(
        "fuzz: seed {seed}, {cases} cases in {minutes} min, {} failure(s), {lost_after} record(s) after damage counted instead of loaded, peak RSS {} MiB",
        failures.len(),
        peak >> 20
    );
    for f in failures.iter().take(50) {
        println!("  {f}");
    }
    if failures.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
