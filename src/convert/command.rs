//! The `cttui convert` command line.
use std::path::PathBuf;

use super::{ConvertOptions, DEFAULT_GROUP_BYTES, PartitionKey, convert};
use crate::cli::LoadArgs;
use crate::error::Result;

#[derive(Debug, Clone, clap::Args)]
pub struct ConvertArgs {
    /// Log files or directories (every shape cttui reads, Parquet included).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Output directory of the dataset.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Hive partition keys, outermost first: region, source, date, account (empty: none).
    #[arg(long, default_value = "region,source,date")]
    pub partition_by: String,
    /// Input bytes (inflated) converted at a time: bounds memory (k, M, G suffixes).
    #[arg(long, default_value = "1G", value_parser = crate::cli::parse_size_arg)]
    pub group_size: u64,
}

pub fn run_convert(args: &ConvertArgs, load: &LoadArgs) -> Result<()> {
    let opts = ConvertOptions {
        out: args.output.clone(),
        partition_by: PartitionKey::parse_list(&args.partition_by)?,
        group_bytes: if args.group_size == 0 {
            DEFAULT_GROUP_BYTES
        } else {
            args.group_size
        },
        load: load.prepare(&args.paths, None)?,
        progress: !load.quiet,
    };
    let report = convert(&args.paths, &opts)?;
    let mut err = std::io::stderr().lock();
    use std::io::Write;
    for line in report.skipped.iter().take(50) {
        let _ = writeln!(
            err,
            "cttui convert: skipped {}",
            crate::text::sanitize(line)
        );
    }
    let _ = writeln!(
        err,
        "cttui convert: {} events from {} inputs -> {} Parquet files ({:.1} MB) in {}",
        report.events,
        report.inputs,
        report.files_written,
        report.bytes_written as f64 / 1e6,
        crate::text::sanitize(&args.output.display().to_string())
    );
    Ok(())
}
