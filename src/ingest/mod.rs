//! Every input shape to one time-sorted event store.
pub mod backing;
pub mod batch;
pub mod blocks;
pub mod csv_input;
pub mod gzip_blocks;
pub mod parquet;
pub mod parse;
pub mod progress;
pub mod record;
pub mod source;
pub mod split;
pub mod table;
pub mod time;

use std::sync::Arc;

use polars::prelude::{IntoColumn, UInt32Chunked};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::raw::RawStore;
use crate::model::store::{EventStore, FileInfo};
pub use parse::{Problem, Shape};
pub use progress::Progress;
pub use source::{Input, Passed};

/// Reasons listed when nothing loads.
const MAX_REASONS: usize = 50;

/// Default cap on the inflated size of one gzip input (4 GiB).
pub const DEFAULT_MAX_INFLATE: u64 = 4 << 30;

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub max_inflate: u64,
    pub progress: Option<Arc<Progress>>,
    /// The part of the input to load (`--since`/`--until`, partitions the filter rules out).
    pub slice: parquet::Slice,
    /// Where phase timings go (the command layer prints them for `CTTUI_TIMINGS`); none by default.
    pub timings: Option<Timings>,
}

/// Receives one line per load phase ("read and parse: 0.412 s"): profiling data the caller shows
/// as it likes, so the library never prints.
#[derive(Clone)]
pub struct Timings(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Timings")
    }
}

impl Timings {
    pub fn note(&self, line: &str) {
        (self.0)(line)
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_inflate: DEFAULT_MAX_INFLATE,
            progress: None,
            slice: parquet::Slice::default(),
            timings: None,
        }
    }
}

pub use crate::model::load::{FileReport, LoadReport};

struct FileOutcome {
    report: FileReport,
    raw: RawStore,
    batches: Vec<batch::Batch>,
    bad_times: usize,
    /// A Parquet file of which the slice needed no row.
    pruned: bool,
}

fn load_one(input: &Input, file_id: u32, opts: &LoadOptions) -> FileOutcome {
    let path = input.display();
    let mut report = FileReport {
        path,
        shape: None,
        gzip: false,
        bytes: 0,
        records: 0,
        not_records: 0,
        bad_records: 0,
        skipped: 0,
        problems: Vec::new(),
        error: None,
    };
    let empty = |report| FileOutcome {
        report,
        raw: RawStore::default(),
        batches: Vec::new(),
        bad_times: 0,
        pruned: false,
    };
    // Only a regular file may be opened more than once (probed, loaded by blocks, read back
    // later): a FIFO or device is read once, as a stream, by `source`.
    let regular =
        matches!(input, Input::File(p) if std::fs::metadata(p).is_ok_and(|m| m.is_file()));
    if let Input::File(path) = input
        && regular
        && !parquet::is_parquet_file(path)
        && let Some(b) = blocks::load_large(path, file_id, opts)
            .or_else(|| gzip_blocks::load_large_gzip(path, file_id, opts))
    {
        report.shape = Some(b.shape);
        report.gzip = b.gzip;
        report.bytes = b.stored;
        report.not_records = b.not_records;
        report.records = b.batches.iter().map(|b| b.len()).sum();
        if let Some(p) = &opts.progress {
            p.file_done(0);
        }
        let bad_times = b.batches.iter().map(|b| b.bad_times).sum();
        return FileOutcome {
            report,
            raw: b.raw,
            batches: b.batches,
            bad_times,
            pruned: false,
        };
    }
    // A Parquet file is read as JSON Lines records; its own layout is what the report names.
    let mut parquet_shape = None;
    let read = match input {
        Input::File(p) if regular && parquet::is_parquet_file(p) => {
            match parquet::read_input(p, &opts.slice) {
                Ok(r) if r.input.bytes.is_empty() && r.row_groups_read < r.row_groups => {
                    let mut out = empty(report);
                    out.pruned = true;
                    return out;
                }
                r => r.map(|r| {
                    parquet_shape = Some(r.shape);
                    r.input
                }),
            }
        }
        _ => source::read_input(input, opts.max_inflate, opts.progress.clone()),
    };
    let read = match read {
        Ok(r) => r,
        Err(e) => {
            report.error = Some(e);
            return empty(report);
        }
    };
    report.gzip = read.gzip;
    report.bytes = read.stored;
    let warning = read.warning.clone();
    let main = Arc::new(read.bytes);
    let mut parsed = parse::parse_input(Arc::clone(&main), file_id);
    if regular {
        backing::release(
            &mut parsed.raw,
            &main,
            input,
            read.gzip,
            read.stored,
            opts.max_inflate,
        );
    }
    drop(main);
    if let Some(p) = &opts.progress {
        // JSON and gzip bytes reached the gauge while they were read; Parquet's now.
        p.file_done(if parquet_shape.is_some() {
            report.bytes
        } else {
            0
        });
    }
    report.shape = parsed.shape.map(|s| parquet_shape.unwrap_or(s));
    report.error = parsed.fatal;
    report.not_records = parsed.not_records;
    report.bad_records = parsed.bad_records;
    report.skipped = parsed.skipped;
    report.problems = parsed.problems;
    if let Some(w) = warning {
        report.problems.push(Problem {
            offset: 0,
            line: None,
            reason: w,
        });
    }
    report.records = parsed.batches.iter().map(|b| b.len()).sum();
    let bad_times = parsed.batches.iter().map(|b| b.bad_times).sum();
    FileOutcome {
        report,
        raw: parsed.raw,
        batches: parsed.batches,
        bad_times,
        pruned: false,
    }
}

/// Loads the given paths into one event store.
pub fn load(paths: &[String], opts: &LoadOptions) -> Result<(EventStore, LoadReport)> {
    let timer = PhaseTimer::new(opts.timings.clone());
    let (mut inputs, passed) = source::discover(paths);
    let before = inputs.len();
    inputs.retain(|i| !matches!(i, Input::File(p) if parquet::pruned_by_path(p, &opts.slice)));
    let pruned_by_path = before - inputs.len();
    if let Some(p) = &opts.progress {
        let total: u64 = inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
                Input::Stdin => 0,
            })
            .sum();
        p.start(inputs.len(), total);
    }
    let outcomes: Vec<FileOutcome> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| load_one(input, i as u32, opts))
        .collect();
    timer.mark("read and parse");
    let mut report = LoadReport {
        passed,
        pruned_files: pruned_by_path,
        ..LoadReport::default()
    };
    let mut raw = RawStore::default();
    let mut batches = Vec::new();
    let mut files = Vec::with_capacity(outcomes.len());
    for mut o in outcomes {
        let shift = raw.append(o.raw);
        for b in &mut o.batches {
            b.offset_raw_ids(shift);
        }
        batches.extend(o.batches);
        report.records += o.report.records;
        report.bad_times += o.bad_times;
        files.push(FileInfo {
            path: o.report.path.clone(),
            shape: o.report.shape,
            events: o.report.records,
        });
        if o.pruned {
            report.pruned_files += 1;
            continue;
        }
        report.files.push(o.report);
    }
    if report.records == 0 && report.pruned_files > 0 {
        return Err(Error::Invalid(format!(
            "no event in the requested slice ({} Parquet file(s) left unread by --since/--until/--filter)",
            report.pruned_files
        )));
    }
    if report.records == 0 {
        let skipped = report.passed.len() + report.files.len();
        let lines = report.skip_lines();
        let mut details = String::new();
        for l in lines.iter().take(MAX_REASONS) {
            details.push_str("\n  ");
            details.push_str(&crate::text::sanitize(l));
        }
        if lines.len() > MAX_REASONS {
            details.push_str(&format!("\n  ... {} more", lines.len() - MAX_REASONS));
        }
        return Err(Error::NothingLoaded { skipped, details });
    }
    if let Some(p) = &opts.progress {
        p.set_stage("building the event table");
    }
    let (df, duplicates) = table::build(batches, &raw, &|phase| timer.mark(phase))?;
    report.duplicates = duplicates;
    let df = if opts.slice.has_window() {
        let before = df.height();
        let mut df = opts.slice.filter_frame(df)?;
        report.outside_window = before - df.height();
        if df.height() == 0 {
            return Err(Error::Invalid(format!(
                "no event between --since and --until ({} record(s) read, all outside)",
                report.records
            )));
        }
        // Row ids stay 0..n after the window dropped rows.
        let n = df.height() as u32;
        df.with_column(
            UInt32Chunked::from_vec(crate::model::schema::ROW_ID.into(), (0..n).collect())
                .into_column(),
        )?;
        df
    } else {
        df
    };
    let store = EventStore::new(df, raw, files);
    timer.mark("store");
    Ok((store, report))
}

/// Times the phases of a load and hands each to [`Timings`] (nothing when there is no sink).
pub struct PhaseTimer {
    sink: Option<(Timings, std::cell::Cell<std::time::Instant>)>,
}

impl PhaseTimer {
    pub fn new(timings: Option<Timings>) -> Self {
        PhaseTimer {
            sink: timings.map(|t| (t, std::cell::Cell::new(std::time::Instant::now()))),
        }
    }

    pub fn mark(&self, phase: &str) {
        if let Some((sink, last)) = &self.sink {
            let now = std::time::Instant::now();
            sink.note(&format!(
                "{phase}: {:.3} s",
                (now - last.get()).as_secs_f64()
            ));
            last.set(now);
        }
    }
}
