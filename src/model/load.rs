//! The account of a load: what was read, skipped and dropped, so counts reconcile. Ingest fills
//! it; the summary, the report and the TUI read it.
use serde::Serialize;

/// The shape an input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `{"Records":[...]}` as CloudTrail delivers it.
    Records,
    /// `{"Events":[...]}` from `aws cloudtrail lookup-events`.
    Events,
    /// A bare JSON array (of records, Event History items or SIEM wrappers).
    Array,
    /// One JSON value per line.
    JsonLines,
    /// One record as a single JSON object.
    Object,
    /// A flattened CSV export.
    Csv,
    /// Parquet written by `cttui convert` (the record's JSON kept whole).
    ParquetCttui,
    /// Parquet from Spark/Glue over raw CloudTrail: CloudTrail's camelCase names, nested structs.
    ParquetSpark,
    /// Parquet from an Athena CTAS of the CloudTrail table: lower-case names, JSON text columns.
    ParquetAthena,
    /// Parquet of another layout, read column by column.
    Parquet,
}

impl Shape {
    pub fn label(self) -> &'static str {
        match self {
            Shape::Records => "Records JSON",
            Shape::Events => "Event History JSON",
            Shape::Array => "JSON array",
            Shape::JsonLines => "JSON Lines",
            Shape::Object => "single JSON object",
            Shape::Csv => "CSV",
            Shape::ParquetCttui => "Parquet (cttui convert)",
            Shape::ParquetSpark => "Parquet (Spark/Glue, nested)",
            Shape::ParquetAthena => "Parquet (Athena CTAS)",
            Shape::Parquet => "Parquet",
        }
    }
}

/// A record or a stretch of input that could not be loaded.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Byte offset in the (inflated) input.
    pub offset: usize,
    /// 1-based line, filled in for the described problems.
    pub line: Option<usize>,
    pub reason: String,
}

/// A path that was passed over without reading, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Passed {
    pub path: String,
    pub reason: String,
}

/// What happened to one input.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub shape: Option<Shape>,
    pub gzip: bool,
    /// Bytes as stored on disk.
    pub bytes: u64,
    /// Records read (before duplicate removal).
    pub records: usize,
    /// Container elements that were not CloudTrail records (SIEM envelopes, metadata lines).
    pub not_records: usize,
    /// Records that could not be parsed (each broken record or damaged stretch holding one).
    pub bad_records: usize,
    /// Stretches of input passed over: bad records, stray brackets, truncation.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: usize,
    /// The first problems, with line and byte offset.
    pub problems: Vec<Problem>,
    /// Why nothing was read from this input, if so.
    pub error: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The account of a load: what was read, skipped and dropped, so counts reconcile.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
    /// Paths passed over without reading (digests, unreadable paths).
    pub passed: Vec<Passed>,
    /// Records read in total (= events + duplicates).
    pub records: usize,
    /// Records dropped as repeated deliveries of the same event.
    pub duplicates: usize,
    /// Events whose time was missing or unparseable (kept, sorted last).
    pub bad_times: usize,
    /// Parquet files left unread because the slice rules them out (partitions, row-group times).
    pub pruned_files: usize,
    /// Records read but outside `--since`/`--until` (not in the store).
    pub outside_window: usize,
}

impl LoadReport {
    pub fn bad_records(&self) -> usize {
        self.files.iter().map(|f| f.bad_records).sum()
    }

    pub fn not_records(&self) -> usize {
        self.files.iter().map(|f| f.not_records).sum()
    }

    /// Inputs from which no record was read.
    pub fn empty_files(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.records == 0)
    }

    /// Every reason something was not loaded, one line each, naming the file and line.
    pub fn skip_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.passed {
            out.push(format!("{}: {}", p.path, p.reason));
        }
        for f in &self.files {
            if let Some(e) = &f.error {
                out.push(format!("{}: {e}", f.path));
            } else if f.records == 0 && f.bad_records == 0 {
                out.push(format!(
                    "{}: no CloudTrail records ({} other element(s))",
                    f.path, f.not_records
                ));
            }
            for p in &f.problems {
                out.push(format!(
                    "{}:{}: (byte {}) {}",
                    f.path,
                    p.line.unwrap_or(0),
                    p.offset,
                    p.reason
                ));
            }
            let described = f.problems.len();
            if f.skipped.max(f.bad_records) > described {
                out.push(format!(
                    "{}: {} more skipped stretch(es) not listed ({} bad record(s) in all)",
                    f.path,
                    f.skipped.max(f.bad_records) - described,
                    f.bad_records
                ));
            }
        }
        out
    }
}
