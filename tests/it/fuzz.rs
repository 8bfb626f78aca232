//! A fixed-seed mutation run over fixtures of every input shape (see `support::fuzz`): thousands
//! of damaged inputs, each loaded and checked (no panic, records before the damage load, records
//! after it load or are counted, counts reconcile, no raw control byte in text outputs).
//! Longer runs: `cargo run --release --example fuzz -- --minutes N`.
use crate::support::{assert_alone, fuzz, in_own_process};

/// The run bounds the process' peak memory, so it runs in a process of its own.
#[test]
fn fixed_seed_mutation_run_keeps_the_invariants() {
    in_own_process("fuzz::mutation_run");
}

#[test]
#[ignore = "run by fixed_seed_mutation_run_keeps_the_invariants in a process of its own"]
fn mutation_run() {
    assert_alone();
    let dir = tempfile::tempdir().expect("tmp");
    let totals = fuzz::run(dir.path(), 0x00C0_FFEE, 2400, 39, || false);
    eprintln!(
        "fuzz: {} cases, {} failure(s), {} record(s) after damage counted instead of loaded",
        totals.cases,
        totals.failures.len(),
        totals.lost_after
    );
    assert_eq!(totals.cases, 2400);
    assert!(
        totals.failures.is_empty(),
        "{} failure(s), first ones:\n{}",
        totals.failures.len(),
        totals.failures[..totals.failures.len().min(15)].join("\n")
    );
    let peak = fuzz::peak_rss().expect("VmHWM in /proc/self/status");
    assert!(peak < 1 << 30, "peak RSS {peak} bytes");
}
