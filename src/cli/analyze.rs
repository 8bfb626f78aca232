//! `cttui analyze`: its arguments and the headless run.
use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::LoadArgs;
use crate::analysis::features::EntityKind;
use crate::analysis::forest::ForestParams;
use crate::analysis::render::{self, Limits};
use crate::analysis::{AnalysisOptions, analyze, load_rules};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AnalyzeFormat {
    Text,
    Json,
    Md,
    /// The region and principal-risk summaries (regions, then risk, one blank line between).
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GroupBy {
    Principal,
    SourceIp,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AnalyzeArgs {
    /// Log files or directories, e.g. `AWSLogs/`.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// `text` or `md` for people, `json` for tools, `csv` for the region and risk tables.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AnalyzeFormat,
    /// Rank principals or source IPs.
    #[arg(long, value_enum, default_value = "principal")]
    pub by: GroupBy,
    /// Length of the per-window features, e.g. 1h, 15m, 1d.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub window: i64,
    /// Seed of the isolation forest (same seed and input, same scores).
    #[arg(long, default_value_t = ForestParams::default().seed)]
    pub seed: u64,
    /// Trees of the isolation forest (more: steadier scores, slower), e.g. `--trees 400`.
    #[arg(long, default_value_t = ForestParams::default().trees)]
    pub trees: usize,
    /// One of your own address ranges (CIDR); repeatable. Used by the rules that look for calls
    /// from outside.
    #[arg(long = "known-cidr")]
    pub known_cidrs: Vec<String>,
    /// Also write regions.csv, risk.csv and analysis.json into this folder, e.g. `--out-dir case/`.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Principals shown in md/text output.
    #[arg(long, default_value_t = Limits::default().principals)]
    pub top: usize,
}

/// `90`, `90s`, `15m`, `1h`, `1d` -> seconds.
pub fn parse_duration(s: &str) -> std::result::Result<i64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 's')) => (&t[..i], 1),
        Some((i, 'm')) => (&t[..i], 60),
        Some((i, 'h')) => (&t[..i], 3600),
        Some((i, 'd')) => (&t[..i], 86_400),
        _ => (t, 1),
    };
    match num.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n.saturating_mul(mult)),
        _ => Err(format!(
            "expected a duration like 1h, 15m or 3600, got '{s}'"
        )),
    }
}

impl AnalyzeArgs {
    /// The analysis options: `base` (rules and defaults from the config and `--rules`) with this
    /// command's own settings.
    pub fn options(&self, base: &AnalysisOptions) -> Result<AnalysisOptions> {
        let mut known_cidrs = base.known_cidrs.clone();
        known_cidrs.extend(self.known_cidrs.iter().cloned());
        Ok(AnalysisOptions {
            entity: match self.by {
                GroupBy::Principal => EntityKind::Principal,
                GroupBy::SourceIp => EntityKind::SourceIp,
            },
            window_secs: self.window,
            forest: ForestParams {
                seed: self.seed,
                trees: self.trees,
                ..ForestParams::default()
            },
            known_cidrs,
            ..base.clone()
        })
    }
}

pub fn run_analyze<W: Write>(
    out: &mut W,
    args: &AnalyzeArgs,
    load: &LoadArgs,
    defaults: &AnalysisOptions,
) -> Result<()> {
    // Bad rule files and options fail before the load.
    let opts = args.options(defaults)?;
    load_rules(&opts)?;
    let (store, report) = super::load_with_progress(&args.paths, load)?;
    super::report_skips(&report, load);
    let analysis = analyze(&store, &opts)?;
    let io = |e| Error::io("stdout", e);
    let limits = Limits {
        principals: args.top,
        ..Limits::default()
    };
    match args.format {
        AnalyzeFormat::Json => {
            let v =
                crate::export::analysis_out::json_value(&analysis, &store, opts.sigma.as_deref())?;
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out).map_err(io)?;
        }
        AnalyzeFormat::Csv => {
            crate::export::analysis_out::regions_csv(&mut *out, &analysis)?;
            writeln!(out).map_err(io)?;
            crate::export::analysis_out::risk_csv(&mut *out, &analysis)?;
        }
        AnalyzeFormat::Md => {
            out.write_all(render::markdown(&analysis, &limits).as_bytes())
                .map_err(io)?;
            // The charts (Mermaid, with their numbers) for the incident ticket.
            let charts = crate::export::charts::section(&store, &analysis, 2);
            write!(out, "\n{charts}").map_err(io)?;
        }
        AnalyzeFormat::Text => out
            .write_all(render::text(&analysis, &limits).as_bytes())
            .map_err(io)?,
    }
    if let Some(dir) = &args.out_dir {
        crate::export::analysis_out::write_dir(dir, &analysis, &store, opts.sigma.as_deref())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("x").is_err());
    }
}
