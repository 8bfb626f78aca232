//! Convert a large tree to Parquet, then open one day of it: wall time and peak RSS of each step.
//!
//! `cargo bench --bench convert` grows the real logs in `../shared/cloudtrail` with `cttui scale`
//! to `CTTUI_BENCH_EVENTS` events (default 1,000,000; the report's figure used 10,000,000), runs
//! `cttui convert` on the gzip tree and `cttui summary --since D --until D` on the dataset, each
//! under `/usr/bin/time -v`. Work files go to `CTTUI_BENCH_DIR` (default a temp dir), removed
//! unless `CTTUI_BENCH_KEEP` is set.
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Wall seconds and peak RSS (MB) of one run of the release binary.
fn measure(label: &str, args: &[&str]) -> Option<(f64, f64)> {
    let bin = env!("CARGO_BIN_EXE_cttui");
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin)
        .args(args)
        .arg("--quiet")
        .output()
        .ok()?;
    let wall = start.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("{label}: failed:\n{err}");
        return None;
    }
    let rss_kb: f64 = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    let mb = rss_kb / 1024.0;
    println!("{label:<40} {wall:>8.1} s  {mb:>8.0} MB peak RSS");
    Some((wall, mb))
}

fn dir_size(p: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            total += if path.is_dir() {
                dir_size(&path)
            } else {
                e.metadata().map_or(0, |m| m.len())
            };
        }
    }
    total
}

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cloudtrail");
    if !shared.exists() {
        println!("SKIP: {} is absent", shared.display());
        return;
    }
    let events: usize = std::env::var("CTTUI_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = std::env::var_os("CTTUI_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let tree = base.join("tree");
    let ds = base.join("parquet");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    println!(
        "convert bench: {events} events grown from {}",
        shared.display()
    );
    if !tree.exists() {
        measure(
            "scale (generate the gzip tree)",
            &[
                "scale",
                &s(&shared),
                "-n",
                &events.to_string(),
                "-o",
                &s(&tree),
                "--format",
                "tree",
            ],
        );
    }
    println!("input: {:.1} MB of gzip", dir_size(&tree) as f64 / 1e6);
    measure(
        "convert tree -> parquet",
        &["convert", &s(&tree), "-o", &s(&ds)],
    );
    println!("output: {:.1} MB of parquet", dir_size(&ds) as f64 / 1e6);
    // The busiest day of the dataset: the date folder holding the most bytes.
    let mut days: std::collections::BTreeMap<String, u64> = Default::default();
    let mut stack = vec![ds.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(day) = p
                .parent()
                .and_then(|d| d.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("date="))
            {
                *days.entry(day.to_owned()).or_default() += e.metadata().map_or(0, |m| m.len());
            }
        }
    }
    let Some((day, bytes)) = days.iter().max_by_key(|(_, b)| **b) else {
        println!("no date partitions written");
        return;
    };
    println!(
        "{} days; busiest {day}: {:.1} MB",
        days.len(),
        *bytes as f64 / 1e6
    );
    measure(
        &format!("summary --since/--until {day}"),
        &["summary", &s(&ds), "--since", day, "--until", day],
    );
    // The whole dataset only where it fits this shared machine comfortably.
    if events <= 2_000_000 {
        measure("summary of the whole dataset", &["summary", &s(&ds)]);
    }
    if std::env::var_os("CTTUI_BENCH_KEEP").is_none()
        && std::env::var_os("CTTUI_BENCH_DIR").is_some()
    {
        let _ = std::fs::remove_dir_all(&ds);
    }
}
