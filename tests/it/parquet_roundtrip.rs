//! JSON -> `cttui convert` -> Parquet -> cttui: the same summary and analysis, and a dataset that
//! polars reads back with its hive partitions, typed columns and zstd.

use std::path::{Path, PathBuf};
use std::process::Command;

use cttui::ingest::parquet::{RAW_COLUMN, partitions};
use polars::prelude::*;
use polars_io::SerReader;
use polars_io::parquet::read::ParquetReader;

fn run(args: &[&str]) -> String {
    crate::support::cttui_ok(&[args, &["--quiet"]].concat())
}

/// The summary without what describes the inputs rather than the events: record, file and skip
/// counts (conversion removes repeated deliveries, reports what it skipped and splits files by
/// partition) and the skipped list.
fn events_part(summary: &str) -> String {
    summary
        .lines()
        .take_while(|l| !l.starts_with("skipped input"))
        .filter(|l| {
            !["records:", "files:", "skipped:"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
}

fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn demo(dir: &Path, events: usize) -> String {
    let logs = dir.join("logs");
    run(&[
        "demo",
        "--events",
        &events.to_string(),
        logs.to_str().expect("utf8"),
    ]);
    logs.to_str().expect("utf8").to_owned()
}

#[test]
fn round_trip_gives_the_same_summary_and_analysis() {
    let tmp = tempfile::tempdir().expect("tmp");
    let logs = demo(tmp.path(), 3000);
    let out = tmp.path().join("pq");
    let out_s = out.to_str().expect("utf8");
    run(&["convert", &logs, "-o", out_s]);
    assert!(!parquet_files(&out).is_empty());

    let json_summary = run(&["summary", &logs]);
    let pq_summary = run(&["summary", out_s]);
    assert!(json_summary.contains("events:"));
    assert_eq!(events_part(&json_summary), events_part(&pq_summary));

    for format in ["text", "json"] {
        let a = run(&["analyze", &logs, "--format", format]);
        let b = run(&["analyze", out_s, "--format", format]);
        assert!(a.len() > 200, "analysis output too short: {a}");
        assert_eq!(
            a, b,
            "analyze --format {format} differs after the round trip"
        );
    }

    // Converting the converted dataset again changes nothing a reader sees.
    let again = tmp.path().join("pq2");
    run(&["convert", out_s, "-o", again.to_str().expect("utf8")]);
    assert_eq!(
        events_part(&run(&["summary", again.to_str().expect("utf8")])),
        events_part(&json_summary)
    );
}

#[test]
fn real_logs_round_trip() {
    let Some(shared) = crate::support::shared_cloudtrail("") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let src = shared.to_str().expect("utf8");
    let out = tmp.path().join("pq");
    let out_s = out.to_str().expect("utf8");
    run(&["convert", src, "-o", out_s]);
    let a = run(&["summary", src]);
    let b = run(&["summary", out_s]);
    assert_eq!(events_part(&a), events_part(&b));
}

#[test]
fn polars_reads_the_dataset_back_with_hive_partitions() {
    let tmp = tempfile::tempdir().expect("tmp");
    let logs = demo(tmp.path(), 1500);
    let out = tmp.path().join("pq");
    run(&["convert", &logs, "-o", out.to_str().expect("utf8")]);
    let files = parquet_files(&out);
    let mut frames = Vec::new();
    for f in &files {
        let parts = partitions(f.strip_prefix(tmp.path()).expect("inside"));
        let keys: Vec<&str> = parts.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["region", "source", "date"], "{}", f.display());
        let mut reader = ParquetReader::new(std::fs::File::open(f).expect("open"));
        let md = reader.get_metadata().expect("metadata").clone();
        for rg in &md.row_groups {
            assert!(rg.num_rows() <= cttui::convert::ROW_GROUP_ROWS);
            for c in rg.parquet_columns() {
                assert_eq!(format!("{:?}", c.compression()), "Zstd", "{}", f.display());
            }
        }
        let n = reader.num_rows().expect("rows");
        let hive: Vec<Series> = parts
            .iter()
            .map(|(k, v)| Series::new(k.as_str().into(), vec![v.as_str(); 1]))
            .collect();
        let df = ParquetReader::new(std::fs::File::open(f).expect("open"))
            .with_hive_partition_columns(Some(hive))
            .finish()
            .expect("read");
        assert_eq!(df.height(), n);
        frames.push(df);
    }
    let mut all = frames.remove(0);
    for f in &frames {
        all.vstack_mut(f).expect("same schema in every file");
    }
    // Typed columns.
    let schema = all.schema();
    assert_eq!(
        schema.get("event_time"),
        Some(&DataType::Datetime(TimeUnit::Milliseconds, None))
    );
    for b in [
        "read_only",
        "management_event",
        "mfa_authenticated",
        "outside_aws",
    ] {
        assert_eq!(schema.get(b), Some(&DataType::Boolean), "{b}");
    }
    assert_eq!(schema.get("bytes_out"), Some(&DataType::Int64));
    assert_eq!(schema.get(RAW_COLUMN), Some(&DataType::String));
    assert!(schema.get("row_id").is_none() && schema.get("raw_id").is_none());
    // Every row sits in the folders of its own region, source and day.
    let region = all
        .column("region")
        .expect("region")
        .str()
        .expect("str")
        .clone();
    let aws_region = all
        .column("aws_region")
        .expect("c")
        .str()
        .expect("str")
        .clone();
    let source = all
        .column("source")
        .expect("source")
        .str()
        .expect("str")
        .clone();
    let event_source = all
        .column("event_source")
        .expect("c")
        .str()
        .expect("str")
        .clone();
    let date = all
        .column("date")
        .expect("date")
        .str()
        .expect("str")
        .clone();
    let times = all
        .column("event_time")
        .expect("t")
        .as_materialized_series()
        .to_physical_repr()
        .i64()
        .expect("i64")
        .clone();
    let raw = all
        .column(RAW_COLUMN)
        .expect("raw")
        .str()
        .expect("str")
        .clone();
    for i in 0..all.height() {
        assert_eq!(region.get(i), aws_region.get(i));
        assert_eq!(source.get(i), event_source.get(i));
        let day = cttui::ingest::time::format_ms(times.get(i).expect("time"));
        assert_eq!(date.get(i), Some(&day[..10]));
        let rec: serde_json::Value = serde_json::from_str(raw.get(i).expect("raw")).expect("json");
        assert_eq!(rec["awsRegion"].as_str(), aws_region.get(i));
    }
    let summary = run(&["summary", &logs, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&summary).expect("json");
    assert_eq!(v["events"].as_u64(), Some(all.height() as u64));
}

#[test]
fn partition_layout_is_configurable_and_checked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let logs = demo(tmp.path(), 500);
    let out = tmp.path().join("pq");
    run(&[
        "convert",
        &logs,
        "-o",
        out.to_str().expect("utf8"),
        "--partition-by",
        "date",
    ]);
    for f in parquet_files(&out) {
        let parts = partitions(f.strip_prefix(&out).expect("inside"));
        assert_eq!(parts.len(), 1, "{}", f.display());
        assert_eq!(parts[0].0, "date");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args([
            "convert",
            &logs,
            "-o",
            "x",
            "--partition-by",
            "colour",
            "-q",
        ])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown partition key"));
}
