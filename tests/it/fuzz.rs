//! A fixed-seed mutation run over fixtures of every input shape (see `fuzz_support`): thousands
//! of damaged inputs, each loaded and checked (no panic, records before the damage load, records
//! after it load or are counted, counts reconcile, no raw control byte in text outputs).
//! Longer runs: `cargo run --release --example fuzz -- --minutes N`.

#[test]
fn fixed_seed_mutation_run_keeps_the_invariants() {
    let dir = tempfile::tempdir().expect("tmp");
    let totals = crate::support::fuzz::run(dir.path(), 0x00C0_FFEE, 2400, 39, || false);
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
    if let Some(peak) = crate::support::fuzz::peak_rss() {
        assert!(peak < 1 << 30, "peak RSS {peak} bytes");
    }
}
