//! Command-line interface: clap definitions and the headless subcommands.
pub mod analyze;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::analysis::AnalysisOptions;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::csv_out;
use crate::export::markdown::{ExportHeader, events_markdown};
use crate::ingest::{self, LoadOptions, LoadReport, Progress};
use crate::model::query::Query;
use crate::model::store::EventStore;
use crate::summary::Summary;

const EXAMPLES: &str = "Examples:
  cttui demo-logs/                          open the investigator on a folder of logs
  cttui summary trail.json.gz               what was loaded
  cttui events -f 'user:*alice* name:Get*' logs/ | head
  cttui events --format csv --columns time,user,ip,ua,akid,risk logs/
  cttui -q analyze --rules ~/sigma/rules/cloud/aws logs/
  cttui timeline --rules ~/sigma/rules/cloud/aws logs/ > timeline.csv
  cttui report -o incident.md logs/
  cttui completions bash > ~/.local/share/bash-completion/completions/cttui

Configuration: $XDG_CONFIG_HOME/cttui/config.toml (see README: rules, known_cidrs, aws_ranges,
business_hours, theme, sessions). Sessions are saved under $XDG_DATA_HOME/cttui/sessions/.";

#[derive(Debug, Parser)]
#[command(
    name = "cttui",
    version,
    about = "Investigate AWS CloudTrail logs from a terminal (IRP-DataAccess playbook)",
    after_help = EXAMPLES,
    subcommand_precedence_over_arg = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Log files or directories to open in the interactive investigator (`-` for stdin), e.g.
    /// `cttui AWSLogs/` or `cttui trail.json.gz`.
    pub paths: Vec<String>,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Largest inflated size allowed for one gzip input (bytes; k, M, G suffixes), e.g. `512M`.
    #[arg(long, global = true, default_value = "4G", value_parser = parse_size_arg)]
    pub max_inflate: u64,
    /// No progress bar and no notes about skipped input on stderr, e.g. `cttui -q events x.json`.
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
            Some(f) => crate::ingest::parquet::Slice::from_filter(Query::parse(f)?.filter()),
            None => crate::ingest::parquet::Slice::default(),
        };
        slice.since = slice.since.into_iter().chain(self.since).max();
        slice.until = slice.until.into_iter().chain(self.until).min();
        Ok(slice)
    }

    /// The one set-up of a load for every command (the investigator, the headless commands,
    /// `convert`): fails when no input can be opened, installs `--aws-ranges`, and gives the
    /// load options (size cap, slice).
    pub fn prepare(
        &self,
        paths: &[String],
        progress: Option<Arc<Progress>>,
    ) -> Result<LoadOptions> {
        check_inputs(paths)?;
        if let Some(path) = &self.aws_ranges {
            crate::model::net::install_ranges_file(path)?;
        }
        Ok(LoadOptions {
            max_inflate: self.max_inflate,
            progress,
            slice: self.slice()?,
            timings: std::env::var_os("CTTUI_TIMINGS")
                .map(|_| ingest::Timings(Arc::new(|line: &str| eprintln!("cttui timing: {line}")))),
        })
    }
}

/// Where rules and defaults come from; every command that analyses (the investigator, `analyze`,
/// `report`, `timeline`, `events` with risk columns) uses them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleArgs {
    /// A rule file or directory (walked): our TOML rules and Sigma YAML; repeatable, added to
    /// the config file's. E.g. `--rules ~/src/sigma/rules/cloud/aws --rules mine.toml`.
    #[arg(long = "rules", global = true, value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Run only the rules given with --rules (and the config file), not the built-in ones.
    #[arg(long, global = true)]
    pub no_builtin_rules: bool,
    /// Config file to use instead of $XDG_CONFIG_HOME/cttui/config.toml, e.g. `--config ./case.toml`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub use crate::config::Settings;

/// Reads the config file and the rule paths (config first, then `--rules`). Rules that do not
/// parse are reported on stderr by file and line and left out; a missing path is an error.
pub fn settings(rules: &RuleArgs, quiet: bool) -> Result<Settings> {
    let config = Config::load(rules.config.as_deref())?;
    // `--aws-ranges` (installed at load) overrides this.
    if let Some(path) = &config.aws_ranges {
        crate::model::net::install_ranges_file(path)?;
    }
    let mut paths = config.rules.clone();
    paths.extend(rules.rules.iter().cloned());
    let user = crate::sigma::load::load(&paths)?;
    let mut err = std::io::stderr().lock();
    for p in &user.problems {
        let _ = writeln!(err, "cttui: rule not loaded: {p}");
    }
    if !paths.is_empty() && !quiet {
        let _ = writeln!(err, "cttui: rules: {}", user.summary());
    }
    let defaults = AnalysisOptions::default();
    let analysis = AnalysisOptions {
        builtin_rules: !(rules.no_builtin_rules || config.no_builtin_rules),
        extra_rules: user.toml,
        sigma: (!user.sigma.is_empty()).then(|| Arc::new(user.sigma)),
        known_cidrs: config.known_cidrs.clone(),
        business_hours: config.business_hours.unwrap_or(defaults.business_hours),
        ..defaults
    };
    Ok(Settings { config, analysis })
}

/// A byte size with an optional k, M or G suffix (binary), e.g. `512M`.
pub fn parse_size_arg(s: &str) -> std::result::Result<u64, String> {
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
    /// The original records, one per line (loads back into cttui unchanged).
    Jsonl,
    /// The chosen --columns.
    Csv,
    /// A Markdown table and each raw record, for a ticket.
    Md,
    /// Timesketch's JSONL import: message, datetime, timestamp_desc and the canonical fields.
    Timesketch,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TimelineFormat {
    /// Timeline Explorer / spreadsheet ready.
    Csv,
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// What was loaded: counts, time span, principals, sources, regions, skipped input.
    #[command(after_help = "Example: cttui summary --format json AWSLogs/")]
    Summary {
        /// Log files or directories, e.g. `AWSLogs/` or `trail.json.gz`.
        #[arg(required = true)]
        paths: Vec<String>,
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value = "text")]
        format: SummaryFormat,
    },
    /// Matching events in time order.
    #[command(
        after_help = "Examples:\n  cttui events -f 'name:GetObject user:*attacker* -error:*' logs/\n  \
                      cttui events --format csv --columns time,user,ip,ua,akid,risk logs/\n  \
                      cttui events --format timesketch logs/ > sketch.jsonl"
    )]
    Events {
        /// Log files or directories, e.g. `AWSLogs/`.
        #[arg(required = true)]
        paths: Vec<String>,
        /// A query, e.g. 'name:GetObject user:*attacker* -error:*'.
        #[arg(long, short)]
        filter: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: EventsFormat,
        /// CSV columns, comma separated: any query field (user, ip, ua, akid, type, name, …),
        /// `time`, and `risk`/`rules` from the analysis, e.g. `time,user,ip,ua,akid,risk`.
        #[arg(long, value_name = "LIST")]
        columns: Option<String>,
        /// At most this many events, e.g. `-n 100`.
        #[arg(long, short = 'n')]
        limit: Option<usize>,
    },
    /// Writes the Markdown incident report (playbook part 5).
    #[command(after_help = "Example: cttui report --suspect attacker -o incident.md logs/")]
    Report {
        /// Log files or directories, e.g. `AWSLogs/`.
        #[arg(required = true)]
        paths: Vec<String>,
        /// Output file (written atomically), e.g. `-o incident.md`; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// A saved session (pins, marks, notes, answers); without it the analysis suggests the pins.
        #[arg(long)]
        session: Option<PathBuf>,
        /// Pin the suspect principal (overrides the session and the suggestion), e.g. `--suspect
        /// arn:aws:iam::111122223333:user/mallory`.
        #[arg(long)]
        suspect: Option<String>,
        /// Pin the bucket (overrides the session and the suggestion), e.g. `--bucket payroll`.
        #[arg(long)]
        bucket: Option<String>,
    },
    /// Writes generated demo logs: weeks of ordinary activity plus one S3 data theft.
    #[command(after_help = "Example: cttui demo --events 50000 demo-logs/")]
    Demo {
        /// Events of ordinary activity (the incident adds its own), e.g. `--events 50000`.
        #[arg(long, default_value_t = cttui_demo::DEFAULT_EVENTS)]
        events: usize,
        /// Seed of the generator (same seed, same logs), e.g. `--seed 7`.
        #[arg(long, default_value_t = cttui_demo::DEFAULT_SEED)]
        seed: u64,
        /// A directory (AWSLogs tree of .json.gz files) or a path ending in .json (one Records file).
        out: PathBuf,
    },
    /// Ranks principals by anomaly, runs the detection rules, summarises S3 activity and regions.
    #[command(
        after_help = "Examples:\n  cttui analyze --format json logs/ > analysis.json\n  \
                      cttui analyze --rules ~/sigma/rules/cloud/aws --no-builtin-rules logs/\n  \
                      cttui analyze --out-dir case-42/ logs/"
    )]
    Analyze(analyze::AnalyzeArgs),
    /// Writes the input as a hive-partitioned Parquet dataset (zstd) for DuckDB, Spark, Athena.
    Convert(crate::convert::command::ConvertArgs),
    /// Prints the playbook's queries as SQL for Athena, DuckDB or Spark, bound to the pins.
    #[command(
        after_help = "Examples:\n  cttui sql --engine athena --suspect arn:aws:iam::111122223333:user/mallory --since 2024-04-15\n  \
                      cttui sql --engine duckdb --table ct-parquet AWSLogs/ > playbook.sql"
    )]
    Sql(crate::sql::command::SqlArgs),
    /// Grows logs to N events (fresh eventIDs, shifted days) as a Records file, JSON Lines or a
    /// gzip AWSLogs tree, for benchmarks on real record shapes.
    Scale(crate::scale::ScaleArgs),
    /// One row per (event, rule hit) in time order, for Timeline Explorer or Timesketch.
    #[command(after_help = "Examples:\n  cttui timeline logs/ > timeline.csv\n  \
                      cttui timeline --rules ~/sigma/rules/cloud/aws --format jsonl logs/")]
    Timeline {
        /// Log files or directories, e.g. `AWSLogs/`.
        #[arg(required = true)]
        paths: Vec<String>,
        /// `csv` (Timeline Explorer, spreadsheets) or `jsonl`.
        #[arg(long, value_enum, default_value = "csv")]
        format: TimelineFormat,
    },
    /// Prints a shell completion script.
    #[command(
        after_help = "Examples:\n  cttui completions bash > ~/.local/share/bash-completion/completions/cttui\n  \
                      cttui completions zsh > ~/.zfunc/_cttui\n  \
                      cttui completions fish > ~/.config/fish/completions/cttui.fish"
    )]
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Prints the manual page (roff), e.g. `cttui man > cttui.1 && man ./cttui.1`.
    Man,
}

/// Fails early, saying why, when not one input can be opened (missing, unreadable); inputs that
/// can are loaded and the others reported with the skipped input.
pub fn check_inputs(paths: &[String]) -> Result<()> {
    let mut why = Vec::new();
    for p in paths {
        if p == "-" {
            return Ok(());
        }
        let opened = std::fs::metadata(p).and_then(|m| {
            if m.is_dir() {
                std::fs::read_dir(p).map(|_| ())
            } else {
                std::fs::File::open(p).map(|_| ())
            }
        });
        match opened {
            Ok(()) => return Ok(()),
            Err(e) => why.push(format!("{}: {e}", crate::text::sanitize(p))),
        }
    }
    Err(Error::Invalid(format!(
        "no input could be opened: {}",
        why.join("; ")
    )))
}

/// Loads paths with a progress bar on stderr when stderr is a terminal.
pub fn load_with_progress(paths: &[String], args: &LoadArgs) -> Result<(EventStore, LoadReport)> {
    let progress = Arc::new(Progress::default());
    let opts = args.prepare(paths, Some(Arc::clone(&progress)))?;
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

/// Prints what was skipped to stderr (unless `-q`), so nothing is dropped silently.
pub fn report_skips(report: &LoadReport, args: &LoadArgs) {
    let lines = report.skip_lines();
    if lines.is_empty() || args.quiet {
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

/// Options of `cttui events`.
pub struct EventsArgs<'a> {
    pub paths: &'a [String],
    pub filter: Option<&'a str>,
    pub format: EventsFormat,
    pub columns: Option<&'a str>,
    pub limit: Option<usize>,
}

/// `cttui events` with the default columns and no rule settings (the investigator's export
/// compares itself with this).
pub fn run_events<W: Write>(
    out: &mut W,
    paths: &[String],
    filter: Option<&str>,
    format: EventsFormat,
    limit: Option<usize>,
    args: &LoadArgs,
) -> Result<()> {
    let ev = EventsArgs {
        paths,
        filter,
        format,
        columns: None,
        limit,
    };
    run_events_with(out, &ev, args, &Settings::default())
}

pub fn run_events_with<W: Write>(
    out: &mut W,
    ev: &EventsArgs<'_>,
    args: &LoadArgs,
    settings: &Settings,
) -> Result<()> {
    // Reject a malformed filter or column list before spending time on the load.
    let query = Query::parse(ev.filter.unwrap_or(""))?;
    query.expr()?;
    let columns = match ev.columns {
        Some(spec) => csv_out::parse_columns(spec)?,
        None => csv_out::default_columns(),
    };
    if ev.columns.is_some() && ev.format != EventsFormat::Csv {
        return Err(Error::Invalid(
            "--columns applies to --format csv".to_owned(),
        ));
    }
    // `rule:`, `level:`, `risk:` and the risk columns read the analysis, which runs over all
    // that is loaded (as in the investigator): the filter must not narrow the load then.
    let needs_analysis = query.needs_analysis() || columns.iter().any(|(_, c)| c.needs_analysis());
    let args = &LoadArgs {
        filter_hint: ev.filter.filter(|_| !needs_analysis).map(str::to_owned),
        ..args.clone()
    };
    if needs_analysis {
        crate::analysis::load_rules(&settings.analysis)?;
    }
    let (store, report) = load_with_progress(ev.paths, args)?;
    report_skips(&report, args);
    let analysis = if needs_analysis {
        Some(crate::analysis::analyze(&store, &settings.analysis)?)
    } else {
        None
    };
    let annotations = analysis.as_ref().map(crate::investigation::annotations);
    let mut rows = query.rows_annotated(&store, None, annotations.as_ref())?;
    if let Some(n) = ev.limit {
        rows.truncate(n);
    }
    let io = |e| Error::io("stdout", e);
    match ev.format {
        EventsFormat::Jsonl => crate::export::jsonl::write_jsonl(out, &store, &rows).map_err(io)?,
        EventsFormat::Csv => {
            csv_out::write_csv(&mut *out, &store, &rows, &columns, analysis.as_ref())?
        }
        EventsFormat::Timesketch => {
            let untimed = crate::export::timesketch::write(out, &store, &rows)?;
            if untimed > 0 && !args.quiet {
                eprintln!(
                    "cttui: {untimed} event(s) without a time left out (Timesketch needs one)"
                );
            }
        }
        EventsFormat::Md => {
            let header = ExportHeader {
                title: "cttui event export".to_owned(),
                filter: ev.filter.map(str::to_owned),
                view_len: None,
            };
            out.write_all(events_markdown(&store, &rows, &header).as_bytes())
                .map_err(io)?;
        }
    }
    Ok(())
}

/// `cttui timeline`: the analysis' rule hits, one row each.
pub fn run_timeline<W: Write>(
    out: &mut W,
    paths: &[String],
    format: TimelineFormat,
    args: &LoadArgs,
    settings: &Settings,
) -> Result<()> {
    crate::analysis::load_rules(&settings.analysis)?;
    let (store, report) = load_with_progress(paths, args)?;
    report_skips(&report, args);
    let analysis = crate::analysis::analyze(&store, &settings.analysis)?;
    let rows = crate::export::timeline::rows(&store, &analysis);
    match format {
        TimelineFormat::Csv => crate::export::timeline::write_csv(&mut *out, &rows),
        TimelineFormat::Jsonl => crate::export::timeline::write_jsonl(out, &rows),
    }
}

/// Loads a session file for a headless report: missing means empty; corrupt is an error here,
/// since the analyst named the file explicitly.
fn read_session(path: Option<&Path>) -> Result<crate::playbook::session::Session> {
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
    pub output: Option<&'a Path>,
    pub session: Option<&'a Path>,
    pub suspect: Option<String>,
    pub bucket: Option<String>,
}

pub fn run_report<W: Write>(
    out: &mut W,
    args: ReportArgs<'_>,
    load: &LoadArgs,
    settings: &Settings,
) -> Result<()> {
    let mut session = read_session(args.session)?;
    if args.suspect.is_some() {
        session.pins.suspect = args.suspect;
    }
    if args.bucket.is_some() {
        session.pins.bucket = args.bucket;
    }
    crate::analysis::load_rules(&settings.analysis)?;
    let (store, report) = load_with_progress(args.paths, load)?;
    report_skips(&report, load);
    if let Some(s) = &session.pins.suspect {
        session.pins.suspect = Some(canonical_principal(&store, s));
    }
    let analysis = crate::analysis::analyze(&store, &settings.analysis)?;
    let investigation = crate::investigation::Investigation::with_analysis(store, report, analysis);
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

/// The log's own spelling of a principal the analyst typed in another case (`--suspect`), so
/// what compares exactly (the ranking, the session) finds it; unchanged when the log has none.
pub fn canonical_principal(store: &EventStore, typed: &str) -> String {
    let known = crate::model::facts::principal_counts(store);
    if known.iter().any(|(p, _)| p == typed) {
        return typed.to_owned();
    }
    known
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.eq_ignore_ascii_case(typed))
        .unwrap_or_else(|| typed.to_owned())
}

/// `cttui completions SHELL`.
/// `cttui demo`: writes the demo data (the generator is its own crate) and says what it wrote.
pub fn run_demo(out: &Path, events: usize, seed: u64) -> Result<()> {
    let truth = cttui_demo::generate(out, events, seed).map_err(|e| match e {
        cttui_demo::Error::Io { path, source } => Error::Io { path, source },
        other => Error::Invalid(other.to_string()),
    })?;
    eprintln!("cttui demo: {} -> {}", truth.summary_line(), out.display());
    Ok(())
}

pub fn run_completions<W: Write>(out: &mut W, shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "cttui", out);
    Ok(())
}

/// `cttui man`: the manual page (options, subcommands, examples).
pub fn run_man<W: Write>(out: &mut W) -> Result<()> {
    clap_mangen::Man::new(Cli::command())
        .render(out)
        .map_err(|e| Error::io("stdout", e))
}

/// Whether an error is only a closed output pipe (`cttui … | head`): not worth a message.
pub fn is_broken_pipe(e: &Error) -> bool {
    match e {
        Error::Io { source, .. } => source.kind() == std::io::ErrorKind::BrokenPipe,
        Error::Json(j) => j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
        _ => false,
    }
}
