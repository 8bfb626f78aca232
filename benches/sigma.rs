//! Sigma throughput: SigmaHQ's CloudTrail rules (../shared/sigma/aws-cloudtrail) over a store of
//! `CTTUI_BENCH_EVENTS` rows (default 1,000,000): the Stratus Red Team logs
//! (../shared/cloudtrail/invictus-aws-stratus-32-techniques, real attack and background events)
//! replicated with fresh row ids, sharing the raw records. Prints rules, events, time, events/s,
//! hits and how many events had to be parsed as JSON. Skips when either folder is absent.
//!
//! ```sh
//! cargo bench --bench sigma
//! ```
use std::path::Path;
use std::time::Instant;

use cttui::ingest::{LoadOptions, load};
use cttui::model::schema;
use cttui::model::store::EventStore;
use cttui::sigma::event::{FieldColumns, StoreEvent};
use polars::prelude::*;

const LOGS: &str = "../shared/cloudtrail/invictus-aws-stratus-32-techniques";
const RULES: &str = "../shared/sigma/aws-cloudtrail";

/// The base store stacked until it has `target` rows.
fn replicate(base: &EventStore, target: usize) -> EventStore {
    let copies = target.div_ceil(base.len().max(1));
    let mut df = base.df().clone();
    for _ in 1..copies {
        df.vstack_mut(base.df()).expect("stack");
    }
    let mut df = df.slice(0, target);
    let n = df.height() as u32;
    df.with_column(UInt32Chunked::from_vec(schema::ROW_ID.into(), (0..n).collect()).into_column())
        .expect("row ids");
    df.rechunk_mut_par();
    EventStore::new(df, base.raw().clone(), base.files().to_vec())
}

fn main() {
    if !Path::new(LOGS).exists() || !Path::new(RULES).exists() {
        eprintln!("SKIP: needs {LOGS} and {RULES}");
        return;
    }
    let target: usize = std::env::var("CTTUI_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (base, _) = load(&[LOGS.to_owned()], &LoadOptions::default()).expect("load");
    let store = replicate(&base, target);
    let rules = cttui::sigma::load::load(&[RULES.into()]).expect("rules");
    println!(
        "{} Sigma rules ({} not loaded), {} events ({} distinct), {} threads",
        rules.sigma.len(),
        rules.problems.len(),
        store.len(),
        base.len(),
        rayon::current_num_threads()
    );
    let mut best = f64::MAX;
    let mut hits = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let per_rule = rules.sigma.run(&store);
        best = best.min(t.elapsed().as_secs_f64());
        hits = per_rule.iter().map(Vec::len).sum::<usize>();
    }
    println!(
        "sigma run: {:.2} s best of 3 ({:.0} events/s), {} hits",
        best,
        store.len() as f64 / best,
        hits
    );
    // How often the rules needed more than the column-backed fields (a JSON parse).
    let cols = FieldColumns::build(&base);
    let parsed = (0..base.len())
        .filter(|&r| {
            let ev = StoreEvent::new(&base, &cols, r);
            rules.sigma.evaluate(&ev, |_| {});
            ev.parsed()
        })
        .count();
    println!(
        "events parsed as JSON: {parsed} of {} ({:.1}%)",
        base.len(),
        100.0 * parsed as f64 / base.len().max(1) as f64
    );
}
