//! `cttui convert`: any input cttui reads to a hive-partitioned Parquet dataset (zstd), with the
//! canonical columns typed and every record's original JSON, for DuckDB, Spark and Athena.
//!
//! Inputs are converted in groups of files of bounded size, so a tree larger than memory converts
//! in bounded memory: each group is loaded, split by partition and written as one file per
//! partition (`part-<group>.parquet`), each written under a hidden temporary name and renamed.
pub mod command;
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars_io::parquet::write::{ParquetCompression, ParquetWriter, StatisticsOptions};
use polars_parquet::write::ZstdLevel;

use crate::error::{Error, Result};
use crate::ingest::parquet::RAW_COLUMN;
use crate::ingest::source::{self, Input};
use crate::ingest::{self, LoadOptions};
use crate::model::schema;
use crate::model::store::EventStore;

/// Rows per row group: with the record text, ~100-150 MB uncompressed, what Athena and Spark
/// split on well.
pub const ROW_GROUP_ROWS: usize = 131_072;
/// Inflated bytes of input per conversion group (about 2-3x that in memory while a group is
/// converted).
pub const DEFAULT_GROUP_BYTES: u64 = 1 << 30;
/// What gzip inflates CloudTrail to, for estimating a group's size before reading it.
const GZIP_RATIO: u64 = 8;

/// A partition key of the output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKey {
    Region,
    Source,
    Date,
    Account,
}

impl PartitionKey {
    pub fn parse(s: &str) -> Result<PartitionKey> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "region" => PartitionKey::Region,
            "source" => PartitionKey::Source,
            "date" => PartitionKey::Date,
            "account" => PartitionKey::Account,
            other => {
                return Err(Error::Invalid(format!(
                    "unknown partition key '{other}' (use region, source, date, account)"
                )));
            }
        })
    }

    /// The folder key (`region=…`).
    pub fn name(self) -> &'static str {
        match self {
            PartitionKey::Region => "region",
            PartitionKey::Source => "source",
            PartitionKey::Date => "date",
            PartitionKey::Account => "account",
        }
    }

    /// `--partition-by region,source,date`.
    pub fn parse_list(s: &str) -> Result<Vec<PartitionKey>> {
        if s.trim().is_empty() {
            return Ok(Vec::new());
        }
        let keys = s
            .split(',')
            .map(PartitionKey::parse)
            .collect::<Result<Vec<_>>>()?;
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].contains(k) {
                return Err(Error::Invalid(format!(
                    "partition key '{}' given twice",
                    k.name()
                )));
            }
        }
        Ok(keys)
    }
}

/// Options of a conversion.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    pub out: PathBuf,
    pub partition_by: Vec<PartitionKey>,
    pub group_bytes: u64,
    pub load: LoadOptions,
    /// Progress lines on stderr.
    pub progress: bool,
}

/// What a conversion wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ConvertReport {
    pub inputs: usize,
    pub events: usize,
    pub files_written: usize,
    pub bytes_written: u64,
    /// Inputs skipped or partly read (one line each), as `summary` lists them.
    pub skipped: Vec<String>,
}

/// The value a partition folder gets: Hive's escaping of `/`, `=`, `%`, `:`, controls and the
/// like as `%XX`; a missing value is Hive's default partition.
pub fn partition_value(v: Option<&str>) -> String {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return "__HIVE_DEFAULT_PARTITION__".to_owned();
    };
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        let c = b as char;
        if !(0x20..0x7f).contains(&b)
            || "\"#%'*/:=?\\{[]^".contains(c)
            || (out.is_empty() && c == '.')
        {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Groups inputs so each group's estimated inflated size stays near `budget` (a larger single
/// file is a group of its own).
fn groups(inputs: Vec<Input>, budget: u64) -> Vec<Vec<Input>> {
    let mut out: Vec<Vec<Input>> = Vec::new();
    let mut size = 0u64;
    for i in inputs {
        let len = match &i {
            Input::File(p) => {
                let stored = std::fs::metadata(p).map_or(0, |m| m.len());
                let gz = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("gz"));
                if gz { stored * GZIP_RATIO } else { stored }
            }
            Input::Stdin => 0,
        };
        if out.is_empty() || size + len > budget {
            out.push(Vec::new());
            size = 0;
        }
        size += len;
        if let Some(last) = out.last_mut() {
            last.push(i);
        }
    }
    out
}

/// The table written for one group: canonical columns (time, typed flags and bytes, text) plus the
/// record text; store-internal ids are dropped.
pub fn output_frame(store: &EventStore) -> Result<DataFrame> {
    let df = store.df();
    let keep: Vec<PlSmallStr> = df
        .get_column_names()
        .into_iter()
        .filter(|n| ![schema::ROW_ID, schema::RAW_ID, schema::FILE_ID].contains(&n.as_str()))
        .cloned()
        .collect();
    let mut out = df.select(keep)?;
    let raw: StringChunked = store
        .raw_compact_all()
        .into_iter()
        .collect::<StringChunked>()
        .with_name(RAW_COLUMN.into());
    out.with_column(raw.into_column())?;
    Ok(out)
}

/// Partition values per row, in layout order.
fn partition_columns(df: &DataFrame, keys: &[PartitionKey]) -> Result<Vec<Vec<String>>> {
    let n = df.height();
    let mut cols = Vec::with_capacity(keys.len());
    for k in keys {
        let values: Vec<String> = match k {
            PartitionKey::Date => {
                let t = df
                    .column(schema::EVENT_TIME)?
                    .as_materialized_series()
                    .to_physical_repr();
                t.i64()?
                    .iter()
                    .map(|t| {
                        let day =
                            t.map(|ms| crate::ingest::time::format_ms(ms - ms.rem_euclid(1000)));
                        partition_value(day.as_deref().and_then(|d| d.get(..10)))
                    })
                    .collect()
            }
            other => {
                let col = match other {
                    PartitionKey::Region => "aws_region",
                    PartitionKey::Source => "event_source",
                    _ => "recipient_account_id",
                };
                df.column(col)?.str()?.iter().map(partition_value).collect()
            }
        };
        debug_assert_eq!(values.len(), n);
        cols.push(values);
    }
    Ok(cols)
}

/// Writes one group's frame into its partitions; returns (files, bytes).
fn write_partitions(
    df: &DataFrame,
    keys: &[PartitionKey],
    out: &Path,
    group: usize,
) -> Result<(usize, u64)> {
    let parts = partition_columns(df, keys)?;
    // Row indices per partition directory, in first-seen (time) order.
    let mut dirs: Vec<(PathBuf, Vec<IdxSize>)> = Vec::new();
    let mut index: rustc_hash::FxHashMap<Vec<&str>, usize> = rustc_hash::FxHashMap::default();
    for row in 0..df.height() {
        let key: Vec<&str> = parts.iter().map(|c| c[row].as_str()).collect();
        let slot = match index.get(&key) {
            Some(&s) => s,
            None => {
                let mut dir = out.to_path_buf();
                for (k, v) in keys.iter().zip(&key) {
                    dir.push(format!("{}={v}", k.name()));
                }
                dirs.push((dir, Vec::new()));
                index.insert(key, dirs.len() - 1);
                dirs.len() - 1
            }
        };
        dirs[slot].1.push(row as IdxSize);
    }
    // Partitions on all cores: a date-partitioned group is thousands of small files, each
    // mostly fixed cost (a compressor per column), so one at a time leaves cores idle. Plain
    // worker threads pulling the next partition, not rayon: the Parquet writer runs its own
    // parallel work, and a rayon worker waiting on it steals further partitions onto the same
    // stack until it overflows.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let write_one = |(dir, rows): &(PathBuf, Vec<IdxSize>)| -> Result<u64> {
        let idx = IdxCa::from_vec("idx".into(), rows.clone());
        let mut part = df.take(&idx)?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(format!("part-{group:05}.parquet"));
        write_file(&mut part, &path)
    };
    let results: Vec<Result<Vec<u64>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut sizes = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = dirs.get(i) else {
                            return Ok(sizes);
                        };
                        sizes.push(write_one(item)?);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Invalid("a Parquet writer failed".to_owned())))
            })
            .collect()
    });
    let mut sizes = Vec::new();
    for r in results {
        sizes.extend(r?);
    }
    Ok((sizes.len(), sizes.iter().sum()))
}

/// One Parquet file, written under a hidden name and renamed into place.
pub fn write_file(df: &mut DataFrame, path: &Path) -> Result<u64> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(ZstdLevel::try_new(3).ok()))
        // Min, max and null counts (what Athena, Spark and DuckDB prune row groups with); no
        // distinct counts, whose estimate cost more than the compression.
        .with_statistics(StatisticsOptions::default())
        .with_row_group_size(Some(ROW_GROUP_ROWS))
        .finish(df)?;
    crate::fsutil::write_atomic_unsynced(path, &buf).map_err(|e| Error::io(path, e))?;
    Ok(buf.len() as u64)
}

/// Converts `paths` into the dataset at `opts.out`.
pub fn convert(paths: &[String], opts: &ConvertOptions) -> Result<ConvertReport> {
    let (inputs, passed) = source::discover(paths);
    let mut report = ConvertReport {
        inputs: inputs.len(),
        skipped: passed
            .iter()
            .map(|p| format!("{}: {}", p.path, p.reason))
            .collect(),
        ..ConvertReport::default()
    };
    let total_groups;
    let grouped = {
        let g = groups(inputs, opts.group_bytes.max(1));
        total_groups = g.len();
        g
    };
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let started = std::time::Instant::now();
    let mut done_inputs = 0;
    for (gi, group) in grouped.into_iter().enumerate() {
        let n = group.len();
        let names: Vec<String> = group
            .iter()
            .map(|i| match i {
                Input::File(p) => p.display().to_string(),
                Input::Stdin => "-".to_owned(),
            })
            .collect();
        match ingest::load(&names, &opts.load) {
            Ok((store, load)) => {
                let timer = ingest::PhaseTimer::new(opts.load.timings.clone());
                report.skipped.extend(load.skip_lines());
                let df = output_frame(&store)?;
                report.events += df.height();
                drop(store);
                timer.mark("convert: output frame");
                let (files, bytes) = write_partitions(&df, &opts.partition_by, &opts.out, gi)?;
                timer.mark("convert: partitions written");
                report.files_written += files;
                report.bytes_written += bytes;
            }
            Err(Error::NothingLoaded { .. }) => {
                report
                    .skipped
                    .extend(names.iter().map(|n| format!("{n}: no CloudTrail records")));
            }
            Err(e) => return Err(e),
        }
        done_inputs += n;
        if opts.progress {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "cttui convert: group {}/{total_groups}: {done_inputs}/{} inputs, {} events, {} files, {:.1} MB written, {:.0} s",
                gi + 1,
                report.inputs,
                report.events,
                report.files_written,
                report.bytes_written as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_are_hive_escaped() {
        assert_eq!(partition_value(Some("us-east-1")), "us-east-1");
        assert_eq!(
            partition_value(Some("s3.amazonaws.com")),
            "s3.amazonaws.com"
        );
        assert_eq!(partition_value(Some("a/b=c%")), "a%2Fb%3Dc%25");
        assert_eq!(partition_value(Some("..")), "%2E.");
        assert_eq!(partition_value(Some("x\ny")), "x%0Ay");
        assert_eq!(partition_value(None), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(partition_value(Some("")), "__HIVE_DEFAULT_PARTITION__");
        // Decoding gives the value back.
        let v = "odd/value=%:é";
        assert_eq!(
            crate::ingest::parquet::percent_decode(&partition_value(Some(v))),
            v
        );
    }

    #[test]
    fn partition_lists_parse() {
        assert_eq!(
            PartitionKey::parse_list("region, source,date").expect("ok"),
            vec![
                PartitionKey::Region,
                PartitionKey::Source,
                PartitionKey::Date
            ]
        );
        assert!(PartitionKey::parse_list("region,region").is_err());
        assert!(PartitionKey::parse_list("colour").is_err());
        assert!(PartitionKey::parse_list("").expect("ok").is_empty());
    }
}
