//! The demo data generator: three weeks of ordinary CloudTrail activity in one account, plus one S3
//! data theft with a known ground truth (`cttui demo`). Its own crate: the product library does
//! not carry it, and it knows nothing of cttui's model (it writes CloudTrail JSON as AWS does).
//!
//! Parts: [`rng`] (seeded randomness), [`catalog`] (account, buckets, principals), [`calls`] (API
//! calls and their failures), [`identity`], [`params`] (request and response shapes), [`ordinary`]
//! (the schedule and everyday records), [`incident`], [`writer`] (delivery tree or one file), and
//! [`truth`] (counts kept while writing, and the README).
pub mod calls;
pub mod catalog;
pub mod error;
pub mod identity;
pub mod incident;
pub mod ordinary;
pub mod params;
pub mod record;
pub mod rng;
pub mod time;
pub mod truth;
pub mod writer;

use std::fs;
use std::path::Path;

use catalog::{HOUR, START};
pub use error::{Error, Result};
use ordinary::{HOURS, Ordinary};
use truth::{README_MARK, Tally, Truth};
use writer::{SingleFile, Sink, Tree};

/// Ordinary records in the committed demo data: the web app then reads about 50 objects an hour at
/// its busiest, as in the playbook's game day, and the whole tree stays a few MB.
pub const DEFAULT_EVENTS: usize = 30_000;
pub const DEFAULT_SEED: u64 = 7;

/// Whether `out` names a single Records file rather than a directory.
fn is_single_file(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Makes `dir` ready: created if missing; a previous demo output (marked README) is replaced; any
/// other non-empty directory is refused rather than mixed with.
fn prepare_dir(dir: &Path) -> Result<()> {
    let io = |e| Error::io(dir, e);
    if !dir.exists() {
        return fs::create_dir_all(dir).map_err(io);
    }
    let mut entries = fs::read_dir(dir).map_err(io)?;
    if entries.next().is_none() {
        return Ok(());
    }
    let readme = dir.join("README.md");
    let ours = fs::read_to_string(&readme).is_ok_and(|t| t.starts_with(README_MARK));
    if !ours {
        return Err(Error::Invalid(format!(
            "{} is not empty and not an earlier `cttui demo` output; choose an empty or new directory",
            dir.display()
        )));
    }
    let logs = dir.join("AWSLogs");
    if logs.exists() {
        fs::remove_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
    }
    fs::remove_file(&readme).map_err(|e| Error::io(&readme, e))
}

/// Generates the demo data into `out` (a directory, or one `.json` file) and returns what was
/// written. `events` counts ordinary records, redeliveries included; the incident adds its own.
pub fn generate(out: &Path, events: usize, seed: u64) -> Result<Truth> {
    let incident = incident::plan(seed)?;
    let single = is_single_file(out);
    let mut tree = None;
    let mut file = None;
    let sink: &mut dyn Sink = if single {
        file.insert(SingleFile::create(out)?)
    } else {
        prepare_dir(out)?;
        tree.insert(Tree::create(out, seed)?)
    };
    let mut ordinary = Ordinary::new(seed, events as u64);
    let window = match (incident.events.first(), incident.events.last()) {
        (Some(a), Some(b)) => (a.time, b.time),
        _ => (0, 0),
    };
    let mut tally = Tally::new(&incident.access_key, window);
    let mut pending = incident.events.iter().peekable();
    for h in 0..HOURS {
        let end = START + (h as i64 + 1) * HOUR;
        let mut batch = ordinary.hour(h)?;
        while let Some(e) = pending.next_if(|e| e.time < end) {
            batch.push(e.clone());
        }
        batch.sort_by_key(|e| (e.time, e.order));
        for e in &batch {
            sink.record(e)?;
            tally.add(e);
        }
        if (h + 1) % 24 == 0 {
            sink.end_day(end - catalog::DAY)?;
        }
    }
    if pending.next().is_some() {
        return Err(Error::Invalid(
            "incident outside the generated time span".to_owned(),
        ));
    }
    let written = sink.finish()?;
    if written != tally.records {
        return Err(Error::Invalid(format!(
            "wrote {written} records but counted {}",
            tally.records
        )));
    }
    let files = tree.as_ref().map_or(0, |t| t.delivered.len());
    let truth = Truth::new(seed, events as u64, tally, &incident, files);
    if let Some(tree) = tree.as_mut() {
        tree.write_digest()?;
        let readme = out.join("README.md");
        fs::write(&readme, truth.readme()).map_err(|e| Error::io(&readme, e))?;
    }
    Ok(truth)
}
