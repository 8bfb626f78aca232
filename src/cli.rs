//! Command-line interface: clap definitions and the headless subcommands.
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::export::markdown::{ExportHeader, events_markdown};
use crate::ingest::{self, LoadOptions, LoadReport, Progress};
use crate::model::query::Query;
use crate::model::store::EventStore;
use crate::summary::Summary;

#[derive(Debug, Parser)]
#[command(
    name = "cttui",
    version,
    about = "Investigate AWS CloudTrail logs from a terminal (IRP-DataAccess playbook)",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Log files or directories to open in the interactive investigator (`-` for stdin).
    pub paths: Vec<String>,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Largest inflated size allowed for one gzip input (bytes; k, M, G suffixes).
    #[arg(long, global = true, default_value = "4G", value_parser = parse_size_arg)]
    pub max_inflate: u64,
    /// No progress bar on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// AWS's ip-ranges.json (or a table made by scripts/aws_ranges.py), newer than the built-in
    /// one: which source addresses are inside AWS.
    #[arg(long, global = true, value_name = "FILE")]
    pub aws_ranges: Option<std::path::PathBuf>,
    /// Only events at or after this time (UTC; 2020-09-14 or 2020-09-14T00:40:00Z); Parquet
    /// partitions and row groups before it are not read.
    #[arg(long, global = true, value_parser = crate::ingest::parquet::parse_since)]
    pub since: Option<i64>,
    /// Only events at or before this time (a date means its end); Parquet after it is not read.
    #[arg(long, global = true, value_parser = crate::ingest::parquet::parse_until)]
    pub until: Option<i64>,
    /// A command's filter, for pruning Parquet partitions (set by the command, not a flag).
    #[arg(skip)]
    pub filter_hint: Option<String>,
}

impl LoadArgs {
    /// The part of the input to read: the window, narrowed by what the filter implies.
    pub fn slice(&self) -> Result<crate::ingest::parquet::Slice> {
        let mut slice = match &self.filter_hint {
            Some(f) => crate::sql::filter::slice_hints(f)?,
            None => crate::ingest::parquet::Slice::default(),
        };
        slice.since = slice.since.into_iter().chain(self.since).max();
        slice.until = slice.until.into_iter().chain(self.until).min();
        Ok(slice)
    }
}

fn parse_size_arg(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t.as_str(), 1),
    };
    num.parse::<u64>()
        .map(|n| n.saturating_mul(mult))
        .map_err(|_| format!("expected a size like 512M or 4G, got '{s}'"))
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SummaryFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EventsFormat {
    Jsonl,
    Csv,
    Md,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// What was loaded: counts, time span, principals, sources, regions, skipped input.
    Summary {
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: SummaryFormat,
    },
    /// Matching events in time order.
    Events {
        #[arg(required = true)]
        paths: Vec<String>,
        /// A query, e.g. 'name:GetObject user:*attacker* -error:*'.
        #[arg(long, short)]
        filter: Option<String>,
        /// jsonl prints the original records (loads back into cttui unchanged).
        #[arg(long, value_enum, default_value = "jsonl")]
        format: EventsFormat,
        /// At most this many events.
        #[arg(long, short = 'n')]
        limit: Option<usize>,
    },
    /// Writes the Markdown incident report (playbook part 5).
    Report {
        #[arg(required = true)]
        paths: Vec<String>,
        /// Output file (written atomically); standard output when absent.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// A saved session (pins, marks, notes, answers); without it the analysis suggests the pins.
        #[arg(long)]
        session: Option<std::path::PathBuf>,
        /// Pin the suspect principal (overrides the session and the suggestion).
        #[arg(long)]
        suspect: Option<String>,
        /// Pin the bucket (overrides the session and the suggestion).
        #[arg(long)]
        bucket: Option<String>,
    },
    /// Writes generated demo logs: weeks of ordinary activity plus one S3 data theft.
    Demo {
        /// Events of ordinary activity (the incident adds its own).
        #[arg(long, default_value_t = crate::demo::DEFAULT_EVENTS)]
        events: usize,
        #[arg(long, default_value_t = crate::demo::DEFAULT_SEED)]
        seed: u64,
        /// A directory (AWSLogs tree of .json.gz files) or a path ending in .json (one Records file).
        out: std::path::PathBuf,
    },
    /// Ranks principals by anomaly, runs the detection rules, summarises S3 activity and regions.
    Analyze(crate::analysis::command::AnalyzeArgs),
    /// Writes the input as a hive-partitioned Parquet dataset (zstd) for DuckDB, Spark, Athena.
    Convert(crate::convert::command::ConvertArgs),
    /// Prints the playbook's queries as SQL for Athena, DuckDB or Spark, bound to the pins.
    Sql(crate::sql::command::SqlArgs),
    /// Grows logs to N events (fresh eventIDs, shifted days) as a Records file, JSON Lines or a
    /// gzip AWSLogs tree, for benchmarks on real record shapes.
    Scale(crate::scale::ScaleArgs),
}

/// Loads paths with a progress bar on stderr when stderr is a terminal.
pub fn load_with_progress(paths: &[String], args: &LoadArgs) -> Result<(EventStore, LoadReport)> {
    if let Some(path) = &args.aws_ranges {
        crate::model::net::install_ranges_file(path)?;
    }
    let progress = Arc::new(Progress::default());
    let opts = LoadOptions {
        max_inflate: args.max_inflate,
        progress: Some(Arc::clone(&progress)),
        slice: args.slice()?,
    };
    if args.quiet || !std::io::stderr().is_terminal() {
        return ingest::load(paths, &opts);
    }
    let paths = paths.to_vec();
    let worker = std::thread::spawn(move || ingest::load(&paths, &opts));
    let bar = indicatif::ProgressBar::new(1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg:24} [{bar:40}] {percent:>3}%")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while !worker.is_finished() {
        bar.set_position((progress.ratio() * 1000.0) as u64);
        bar.set_message(progress.stage());
        std::thread::sleep(Duration::from_millis(80));
    }
    bar.finish_and_clear();
    worker
        .join()
        .map_err(|_| Error::Invalid("the loading thread panicked".to_owned()))?
}

/// Prints what was skipped to stderr, so nothing is dropped silently.
pub fn report_skips(report: &LoadReport) {
    let lines = report.skip_lines();
    if lines.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "cttui: skipped input ({} note(s)):", lines.len());
    for l in lines.iter().take(50) {
        let _ = writeln!(err, "  {}", crate::text::sanitize(l));
    }
    if lines.len() > 50 {
        let _ = writeln!(err, "  ... {} more (see `cttui summary`)", lines.len() - 50);
    }
}

pub fn run_summary<W: Write>(
    out: &mut W,
    paths: &[String],
    format: SummaryFormat,
    args: &LoadArgs,
) -> Result<()> {
    let (store, report) = load_with_progress(paths, args)?;
    let summary = Summary::new(&store, &report);
    let io = |e| Error::io("stdout", e);
    match format {
        SummaryFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &summary)?;
            writeln!(out).map_err(io)?;
        }
        SummaryFormat::Text => out.write_all(summary.to_text().as_bytes()).map_err(io)?,
    }
    Ok(())
}

pub fn run_events<W: Write>(
    out: &mut W,
    paths: &[String],
    filter: Option<&str>,
    format: EventsFormat,
    limit: Option<usize>,
    args: &LoadArgs,
) -> Result<()> {
    // Reject a malformed filter before spending time on the load.
    let query = Query::parse(filter.unwrap_or(""))?;
    query.expr()?;
    let args = &LoadArgs {
        filter_hint: filter.map(str::to_owned),
        ..args.clone()
    };
    let (store, report) = load_with_progress(paths, args)?;
    report_skips(&report);
    let mut rows = query.rows(&store, None)?;
    if let Some(n) = limit {
        rows.truncate(n);
    }
    let io = |e| Error::io("stdout", e);
    match format {
        EventsFormat::Jsonl => crate::export::jsonl::write_jsonl(out, &store, &rows).map_err(io)?,
        EventsFormat::Csv => crate::export::csv_out::write_csv(&mut *out, &store, &rows)
            .map_err(|e| Error::Invalid(format!("csv: {e}")))?,
        EventsFormat::Md => {
            let header = ExportHeader {
                title: "cttui event export".to_owned(),
                filter: filter.map(str::to_owned),
                view_len: None,
            };
            out.write_all(events_markdown(&store, &rows, &header).as_bytes())
                .map_err(io)?;
        }
    }
    Ok(())
}

/// Loads a session file for a headless report: missing means empty; corrupt is an error here,
/// since the analyst named the file explicitly.
fn read_session(path: Option<&std::path::Path>) -> Result<crate::playbook::session::Session> {
    use crate::playbook::session::{Loaded, Session, load};
    match path {
        None => Ok(Session::new()),
        Some(p) => match load(p) {
            Loaded::Restored(s) => Ok(s),
            Loaded::Fresh => Err(Error::Invalid(format!(
                "{}: cannot read the session file",
                p.display()
            ))),
            Loaded::Corrupt { error, moved_to } => Err(Error::Invalid(format!(
                "{}: corrupt session ({error}); set aside as {}",
                p.display(),
                moved_to.display()
            ))),
        },
    }
}

/// Options of `cttui report`.
pub struct ReportArgs<'a> {
    pub paths: &'a [String],
    pub output: Option<&'a std::path::Path>,
    pub session: Option<&'a std::path::Path>,
    pub suspect: Option<String>,
    pub bucket: Option<String>,
}

pub fn run_report<W: Write>(out: &mut W, args: ReportArgs<'_>, load: &LoadArgs) -> Result<()> {
    let mut session = read_session(args.session)?;
    if args.suspect.is_some() {
        session.pins.suspect = args.suspect;
    }
    if args.bucket.is_some() {
        session.pins.bucket = args.bucket;
    }
    let (store, report) = load_with_progress(args.paths, load)?;
    report_skips(&report);
    let investigation = crate::investigation::Investigation::analyze(store, report)?;
    let md = investigation.report_markdown(&session)?;
    match args.output {
        Some(path) => crate::playbook::session::write_atomic(path, md.as_bytes())
            .map_err(|e| Error::io(path, e))?,
        None => out
            .write_all(md.as_bytes())
            .map_err(|e| Error::io("stdout", e))?,
    }
    Ok(())
}
