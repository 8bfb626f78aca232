//! Comparison benchmark: cttui against Python polars and DuckDB on the same real logs, one run.
//!
//! `cargo bench --bench compare [-- records jsonl gzip tree]` (release). The inputs are real logs grown by
//! `cttui scale` to `$CTTUI_BENCH_EVENTS` (default 1,000,000) events: from `$CTTUI_SCALE_FROM`, else
//! `../shared/cloudtrail/grycap-cloudtrail-tracker`, else the demo generator's logs. They are
//! written once into `$CTTUI_BENCH_DIR` (default `$TMPDIR/cttui-bench`) and reused.
//!
//! Every reader runs as its own process under `/usr/bin/time -v`, so wall time and peak RSS are
//! the whole process's. Python readers run when `$CTTUI_PYTHON` (default: `python3`) imports
//! polars / duckdb; see `benches/compare.py`. Set `CTTUI_COMPARE_DUCKDB_RECORDS=1` to include
//! DuckDB on the Records file (about a minute and 9 GB at 1M events).
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CTTUI: &str = env!("CARGO_BIN_EXE_cttui");
const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

struct Measure {
    wall: f64,
    rss_mb: f64,
    ok: bool,
    out: String,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

fn size(p: &Path) -> u64 {
    if p.is_file() {
        return p.metadata().map_or(0, |m| m.len());
    }
    std::fs::read_dir(p)
        .map(|rd| rd.filter_map(Result::ok).map(|e| size(&e.path())).sum())
        .unwrap_or(0)
}

/// Runs a command under `/usr/bin/time -v`; wall time measured here, peak RSS from time's report.
fn measure(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Measure {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-v").arg(program).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let t = Instant::now();
    let output = cmd.output();
    let wall = t.elapsed().as_secs_f64();
    match output {
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let rss_kb = err
                .lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("Maximum resident set size (kbytes): ")
                })
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            let timings: Vec<&str> = err
                .lines()
                .filter(|l| l.starts_with("cttui timing"))
                .collect();
            Measure {
                wall,
                rss_mb: rss_kb / 1024.0,
                ok: o.status.success(),
                out: if o.status.success() {
                    timings.join("; ")
                } else {
                    err.lines().take(3).collect::<Vec<_>>().join(" | ")
                },
            }
        }
        Err(e) => Measure {
            wall,
            rss_mb: 0.0,
            ok: false,
            out: e.to_string(),
        },
    }
}

fn python() -> Option<String> {
    let py = std::env::var("CTTUI_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    Command::new(&py)
        .args(["-c", "import polars, duckdb"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| py)
}

fn template_source(dir: &Path) -> String {
    if let Ok(p) = std::env::var("CTTUI_SCALE_FROM") {
        return p;
    }
    let real = Path::new(MANIFEST).join("../shared/cloudtrail/grycap-cloudtrail-tracker");
    if real.exists() {
        return real.to_string_lossy().into_owned();
    }
    let demo = dir.join("demo-templates");
    if !demo.exists() {
        let st = Command::new(CTTUI)
            .args(["demo", "--events", "20000"])
            .arg(&demo)
            .status();
        assert!(st.is_ok_and(|s| s.success()), "cttui demo failed");
    }
    demo.to_string_lossy().into_owned()
}

fn ensure(out: &Path, format: &str, events: usize, from: &str) {
    if out.exists() {
        return;
    }
    eprintln!(
        "generating {} ({events} events from {from})...",
        out.display()
    );
    let st = Command::new(CTTUI)
        .args(["scale", "--quiet", "--format", format, "--events"])
        .arg(events.to_string())
        .arg("-o")
        .arg(out)
        .arg(from)
        .status();
    assert!(st.is_ok_and(|s| s.success()), "cttui scale failed");
}

struct Row {
    reader: String,
    m: Measure,
}

fn report(title: &str, input: &Path, inflated: u64, rows: &[Row]) {
    let stored = size(input);
    println!(
        "\n{title}: {} ({:.0} MB stored, {:.0} MB of JSON); load average {}",
        input.display(),
        stored as f64 / 1e6,
        inflated as f64 / 1e6,
        load_average()
    );
    let base = rows.first().map_or(1.0, |r| r.m.wall);
    println!(
        "  {:<34} {:>8} {:>8} {:>10} {:>9}",
        "reader", "wall s", "ratio", "peak MB", "RSS/JSON"
    );
    for r in rows {
        println!(
            "  {:<34} {:>8.2} {:>8.2} {:>10.0} {:>9.2}{}",
            r.reader,
            r.m.wall,
            r.m.wall / base,
            r.m.rss_mb,
            r.m.rss_mb * 1024.0 * 1024.0 / inflated.max(1) as f64,
            if r.m.ok {
                String::new()
            } else {
                format!("  FAILED: {}", r.m.out)
            }
        );
        if r.m.ok && !r.m.out.is_empty() {
            println!("      {}", r.m.out);
        }
    }
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
    let dir = std::env::var_os("CTTUI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("cttui-bench"));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let from = template_source(&dir);
    let py = python();
    println!(
        "machine: {} cores; load average {}; python readers: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        py.as_deref()
            .unwrap_or("absent (set CTTUI_PYTHON to a python with polars and duckdb)")
    );
    let records = dir.join(format!("scaled-{events}.json"));
    let jsonl = dir.join(format!("scaled-{events}.jsonl"));
    let tree = dir.join(format!("scaled-{events}-tree"));
    let script = Path::new(MANIFEST).join("benches/compare.py");
    let script = script.to_string_lossy();
    let cttui = |path: &Path, cmd: &str| Row {
        reader: format!("cttui {cmd}"),
        m: measure(
            CTTUI,
            &[cmd, "--quiet", &path.to_string_lossy()],
            &[("CTTUI_TIMINGS", "1")],
        ),
    };
    let pyrun = |reader: &str, path: &Path| {
        py.as_ref().map(|py| Row {
            reader: format!("python {reader}"),
            m: measure(py, &[&script, reader, &path.to_string_lossy()], &[]),
        })
    };
    // The JSON Lines file is as large as the records' text: the inflated size of every shape.
    ensure(&jsonl, "jsonl", events, &from);
    let json_size = size(&jsonl);
    if want("records") {
        ensure(&records, "records", events, &from);
        let mut rows = vec![cttui(&records, "summary")];
        rows.extend(pyrun("polars-ndjson", &jsonl).map(|mut r| {
            r.reader.push_str(" (on the .jsonl)");
            r
        }));
        if std::env::var_os("CTTUI_COMPARE_DUCKDB_RECORDS").is_some() {
            rows.extend(pyrun("duckdb-records", &records));
        }
        rows.push(cttui(&records, "analyze"));
        report("one Records file", &records, size(&records), &rows);
    }
    if want("jsonl") {
        let mut rows = vec![cttui(&jsonl, "summary")];
        rows.extend(pyrun("polars-ndjson", &jsonl));
        rows.extend(pyrun("duckdb-ndjson", &jsonl));
        report("JSON Lines", &jsonl, json_size, &rows);
    }
    if want("gzip") {
        // One large gzip (an export): inflated while parsed, by every reader.
        let gz = dir.join(format!("scaled-{events}.jsonl.gz"));
        if !gz.exists() {
            eprintln!("compressing {}...", gz.display());
            let mut input = std::fs::File::open(&jsonl).expect("jsonl");
            let tmp = gz.with_extension("gz.part");
            let out = std::fs::File::create(&tmp).expect("gz");
            let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
            std::io::copy(&mut input, &mut enc).expect("compress");
            enc.finish().expect("gzip");
            std::fs::rename(&tmp, &gz).expect("rename");
        }
        let mut rows = vec![cttui(&gz, "summary")];
        rows.extend(pyrun("polars-ndjson", &gz));
        rows.extend(pyrun("duckdb-ndjson", &gz));
        report("one gzip JSON Lines file", &gz, json_size, &rows);
    }
    if want("tree") {
        ensure(&tree, "tree", events, &from);
        let rows = vec![cttui(&tree, "summary")];
        report("gzip AWSLogs tree", &tree, json_size, &rows);
    }
}
