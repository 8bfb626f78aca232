//! Ingest benchmark: a 1M-event Records file and a gzip delivery tree to a ready store.
//!
//! `cargo bench --bench ingest` (release). Inputs are generated once by `cttui demo` into
//! `$CTTUI_BENCH_DIR` (default: a cache folder beside the target dir) and reused. Set
//! `CTTUI_BENCH_EVENTS` to change the size. Prints wall time, throughput and the peak RSS of this
//! process (VmHWM), so run one case per process for a clean RSS figure: `-- records` or `-- tree`.
use std::path::{Path, PathBuf};
use std::time::Instant;

use cttui::ingest::{LoadOptions, load};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_dir() -> PathBuf {
    std::env::var_os("CTTUI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("cttui-bench"))
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn dir_size(p: &Path) -> u64 {
    if p.is_file() {
        return p.metadata().map_or(0, |m| m.len());
    }
    std::fs::read_dir(p)
        .map(|rd| rd.filter_map(Result::ok).map(|e| dir_size(&e.path())).sum())
        .unwrap_or(0)
}

fn ensure(path: &Path, events: usize) {
    if !path.exists() {
        eprintln!("generating {} ({events} events)...", path.display());
        let t = Instant::now();
        cttui_demo::generate(path, events, cttui_demo::DEFAULT_SEED).expect("generate");
        eprintln!("generated in {:.1} s", t.elapsed().as_secs_f64());
    }
}

fn run(label: &str, path: &Path, inflated: Option<u64>) {
    let t = Instant::now();
    let (store, report) = load(
        &[path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load");
    let secs = t.elapsed().as_secs_f64();
    let stored = dir_size(path);
    let bytes = inflated.unwrap_or(stored);
    println!(
        "{label}: {} events ({} records, {} files) in {:.3} s; {:.0} MB input ({:.0} MB stored): {:.0} MB/s; peak RSS {:.0} MB",
        store.len(),
        report.records,
        report.files.len(),
        secs,
        bytes as f64 / 1e6,
        stored as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        peak_rss_mb()
    );
}

fn main() {
    let events: usize = std::env::var("CTTUI_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let which: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |name: &str| which.is_empty() || which.iter().any(|w| w == name);
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).expect("bench dir");
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if want("records") {
        let file = dir.join(format!("records-{events}.json"));
        ensure(&file, events);
        run("records file", &file, None);
    }
    if want("tree") {
        let tree = dir.join(format!("tree-{events}"));
        ensure(&tree, events);
        // Inflated size: what the records file of the same events weighs.
        let inflated = dir_size(&dir.join(format!("records-{events}.json")));
        run("gzip tree", &tree, (inflated > 0).then_some(inflated));
    }
}
