//! The `cttui sql` command line: pins from the flags, else the session, else the analysis; the
//! window from `--since`/`--until`, else the session; evidence and pivots from the local analysis.
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use super::{
    Engine, Found, SqlQuery, Target, evidence_queries, found_queries, playbook_queries, script,
};
use crate::cli::{LoadArgs, Settings};
use crate::error::{Error, Result};
use crate::model::query::{Field, Filter, Query};
use crate::model::store::EventStore;
use crate::playbook::Pins;
use crate::playbook::session::Session;

#[derive(Debug, Clone, clap::Args)]
pub struct SqlArgs {
    /// Logs to analyse locally (any shape cttui reads), e.g. `AWSLogs/`: fills in the pins not
    /// given, the triage evidence and the suspect's addresses and keys; without them only the
    /// pins given are used.
    pub paths: Vec<String>,
    /// The SQL dialect, e.g. `--engine duckdb`.
    #[arg(long, value_enum, default_value = "athena")]
    pub engine: Engine,
    /// The suspect principal to bind (matched as cttui matches it: any case, or a tail such as
    /// `user/mallory`), e.g. `--suspect arn:aws:iam::111122223333:user/mallory`.
    #[arg(long)]
    pub suspect: Option<String>,
    /// The bucket to bind, e.g. `--bucket acme-customer-data`.
    #[arg(long)]
    pub bucket: Option<String>,
    /// Athena table name (default `cloudtrail_logs`), or the converted dataset's location for
    /// DuckDB and Spark, e.g. `--table ct-parquet` or `--table s3://bucket/ct-parquet`.
    #[arg(long)]
    pub table: Option<String>,
    /// Partition keys of the converted dataset (DuckDB, Spark): `date` prunes by the window.
    #[arg(long, default_value = "region,source,date")]
    pub partition_by: String,
    /// A saved session whose pins to use (default: the session cttui keeps for these paths).
    #[arg(long)]
    pub session: Option<PathBuf>,
}

/// The session for the paths, read without touching the file (a corrupt one is an error only
/// when named explicitly).
fn session_pins(args: &SqlArgs) -> Result<Option<Pins>> {
    let (path, explicit) = match &args.session {
        Some(p) => (p.clone(), true),
        None if args.paths.is_empty() => return Ok(None),
        None => (crate::playbook::session::session_path(&args.paths), false),
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return if explicit {
            Err(Error::Invalid(format!(
                "{}: cannot read the session file",
                path.display()
            )))
        } else {
            Ok(None)
        };
    };
    match serde_json::from_str::<Session>(&text) {
        Ok(s) => Ok(Some(s.pins)),
        Err(e) if explicit => Err(Error::Invalid(format!(
            "{}: corrupt session ({e})",
            path.display()
        ))),
        Err(_) => Ok(None),
    }
}

/// Distinct values of a column over the suspect's events in the window (at most `limit`).
fn suspect_values(
    store: &EventStore,
    pins: &Pins,
    column: &str,
    extra: Filter,
    limit: usize,
) -> Result<Vec<String>> {
    let Some(who) = pins.suspect_filter() else {
        return Ok(Vec::new());
    };
    let rows = Query::new(Filter::all([who, extra, pins.window_filter()]))?.rows(store, None)?;
    let Some(col) = store.str_col(column) else {
        return Ok(Vec::new());
    };
    Ok(rows
        .iter()
        .filter_map(|&r| {
            col.get(r as usize)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(limit)
        .collect())
}

pub fn run_sql<W: Write>(
    out: &mut W,
    args: &SqlArgs,
    load: &LoadArgs,
    settings: &Settings,
) -> Result<()> {
    let partitions: Vec<String> = crate::convert::PartitionKey::parse_list(&args.partition_by)?
        .iter()
        .map(|k| k.name().to_owned())
        .collect();
    let target = Target::new(args.engine, args.table.as_deref(), partitions)?;
    let mut pins = session_pins(args)?.unwrap_or_default();
    if args.suspect.is_some() {
        pins.suspect = args.suspect.clone();
        pins.suspect_ip = None;
    }
    if args.bucket.is_some() {
        pins.bucket = args.bucket.clone();
    }
    if load.since.is_some() || load.until.is_some() {
        pins.window = Some((
            load.since.unwrap_or(i64::MIN / 2),
            load.until.unwrap_or(i64::MAX / 2),
        ));
    }
    let mut queries = Vec::new();
    if args.paths.is_empty() {
        queries.extend(playbook_queries(&target, &pins)?);
        queries.push(SqlQuery {
            id: "triage".to_owned(),
            title: "The triage evidence queries".to_owned(),
            filter: None,
            sql: None,
            note: Some(
                "they depend on what the logs hold: give log paths to have them, with the \
                 suspect's addresses and access keys"
                    .to_owned(),
            ),
        });
    } else {
        crate::analysis::load_rules(&settings.analysis)?;
        let (store, report) = crate::cli::load_with_progress(&args.paths, load)?;
        crate::cli::report_skips(&report, load);
        let analysis = crate::analysis::analyze(&store, &settings.analysis)?;
        let inv = crate::investigation::Investigation::with_analysis(store, report, analysis);
        if let Some(s) = &pins.suspect {
            pins.suspect = Some(crate::cli::canonical_principal(&inv.store, s));
        }
        // Pins not given or saved are what the analysis suggests, as in `cttui report`.
        let suggested = match &pins.suspect {
            None => crate::playbook::default_pins(&inv.store, &inv.standings),
            Some(s) => crate::playbook::pins_for(&inv.store, Some(s.clone())),
        };
        if pins.suspect.is_none() {
            pins.suspect = suggested.suspect;
            pins.suspect_ip = suggested.suspect_ip;
        }
        if pins.bucket.is_none() {
            pins.bucket = suggested.bucket;
        }
        queries.extend(playbook_queries(&target, &pins)?);
        let ctx = crate::playbook::triage::Context {
            store: &inv.store,
            pins: &pins,
            standings: &inv.standings,
        };
        queries.extend(evidence_queries(
            &target,
            &crate::playbook::triage::answer_all(&ctx)?,
        ));
        let found = Found {
            addresses: suspect_values(
                &inv.store,
                &pins,
                "source_ip",
                Filter::is(Field::Outside, "true"),
                50,
            )?,
            keys: suspect_values(&inv.store, &pins, "access_key_id", Filter::All, 50)?,
        };
        queries.extend(found_queries(&target, &pins.window_filter(), &found));
    }
    out.write_all(script(&target, &pins, &queries).as_bytes())
        .map_err(|e| Error::io("stdout", e))
}
