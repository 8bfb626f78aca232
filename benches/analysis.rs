//! Analysis stages over a store of about 1M events, timed (harness = false: prints figures).
//!
//! The store is the GRyCAP log (../shared/cloudtrail/grycap-cloudtrail-tracker, 17.6k real events)
//! replicated with shifted times and fresh event ids until it holds `CTTUI_BENCH_EVENTS` rows
//! (default 1,000,000). Without that folder a synthetic log is generated and replicated instead.
//!
//! ```sh
//! cargo bench --bench analysis            # release build; prints one line per stage
//! CTTUI_BENCH_EVENTS=200000 cargo bench --bench analysis
//! ```
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use cttui::analysis::columns::Columns;
use cttui::analysis::features::{self, FeatureOptions, Features, Groups, NF};
use cttui::analysis::forest::{self, ForestParams};
use cttui::analysis::rules::engine::{RunContext, run};
use cttui::analysis::scaling::Scaler;
use cttui::analysis::{AnalysisOptions, analyze, load_rules, s3};
use cttui::ingest::{LoadOptions, load};
use cttui::model::schema::{self, s};
use cttui::model::store::EventStore;
use polars::prelude::*;

const GRYCAP: &str = "../shared/cloudtrail/grycap-cloudtrail-tracker";

fn base_store() -> EventStore {
    if Path::new(GRYCAP).exists() {
        let (store, _) = load(&[GRYCAP.to_owned()], &LoadOptions::default()).expect("load grycap");
        return store;
    }
    eprintln!("{GRYCAP} not found: generating a synthetic base log");
    let mut recs = Vec::new();
    let mut x: u64 = 1;
    for i in 0..20_000u64 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let who = (x >> 40) % 60;
        let secs = 1_709_510_400 + i as i64 * 60;
        let names = [
            "GetObject",
            "DescribeInstances",
            "ListBuckets",
            "PutObject",
            "AssumeRole",
        ];
        recs.push(serde_json::json!({
            "eventTime": chrono::DateTime::from_timestamp(secs, 0).expect("t").to_rfc3339(),
            "eventSource": "s3.amazonaws.com",
            "eventName": names[((x >> 20) % 5) as usize],
            "awsRegion": "us-east-1",
            "sourceIPAddress": format!("198.51.100.{}", who),
            "userAgent": "aws-cli/2.13.0",
            "eventID": format!("synthetic-{i}"),
            "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/u{who}")},
        }));
    }
    let mut file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("temp");
    file.write_all(&serde_json::to_vec(&serde_json::json!({"Records": recs})).expect("json"))
        .expect("write");
    let path = file.path().to_string_lossy().into_owned();
    let (store, _) = load(&[path], &LoadOptions::default()).expect("load synthetic");
    store
}

/// The base store repeated `copies` times, each copy shifted past the previous one in time and
/// with its event ids suffixed, sharing the base's raw records.
fn replicate(base: &EventStore, target: usize) -> EventStore {
    let copies = target.div_ceil(base.len().max(1));
    let (first, last) = base.time_span().unwrap_or((0, 0));
    let shift = last - first + 86_400_000;
    let df = base.df();
    let times = df
        .column(schema::EVENT_TIME)
        .expect("time")
        .as_materialized_series()
        .to_physical_repr()
        .i64()
        .expect("i64")
        .clone();
    let ids = df
        .column(STRING_ID)
        .expect("ids")
        .str()
        .expect("str")
        .clone();
    let mut out: Option<DataFrame> = None;
    for k in 0..copies as i64 {
        let mut part = df.clone();
        let t: Int64Chunked = times.apply_values(|v| v + k * shift);
        part.with_column(
            t.into_datetime(TimeUnit::Milliseconds, None)
                .into_series()
                .with_name(schema::EVENT_TIME.into())
                .into_column(),
        )
        .expect("time column");
        let id: StringChunked = ids
            .iter()
            .map(|v| v.map(|v| format!("{v}-{k}")))
            .collect::<StringChunked>()
            .with_name(STRING_ID.into());
        part.with_column(id.into_column()).expect("id column");
        match out.as_mut() {
            None => out = Some(part),
            Some(o) => {
                o.vstack_mut(&part).expect("stack");
            }
        }
    }
    let mut df = out.expect("one copy");
    df = df.slice(0, target);
    let n = df.height() as u32;
    df.with_column(UInt32Chunked::from_vec(schema::ROW_ID.into(), (0..n).collect()).into_column())
        .expect("row ids");
    df.rechunk_mut_par();
    EventStore::new(df, base.raw().clone(), base.files().to_vec())
}

const STRING_ID: &str = schema::STRING_COLUMNS[s::EVENT_ID];

fn time<T>(label: &str, n: usize, f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{label:<34} {:>9.1} ms  ({:.0} events/s)",
        secs * 1000.0,
        n as f64 / secs
    );
    (v, secs)
}

fn main() {
    let target: usize = std::env::var("CTTUI_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let base = base_store();
    let store = replicate(&base, target);
    let n = store.len();
    println!(
        "store: {} events ({} base events replicated) built in {:.1} s; {} threads",
        n,
        base.len(),
        t.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let opts = AnalysisOptions::default();
    let rules = load_rules(&opts).expect("rules");
    let mut extra: Vec<&'static str> = rules.iter().flat_map(|r| r.columns()).collect();
    extra.sort_unstable();
    extra.dedup();

    println!("-- stages");
    let (cols, t_cols) = time("columns (dictionary codes)", n, || {
        Columns::build(&store, &extra)
    });
    let (_, t_s3) = time("s3 classification + buckets", n, || s3::summarize(&cols));
    let fo = FeatureOptions {
        kind: opts.entity,
        window_secs: opts.window_secs,
        business_hours: opts.business_hours,
    };
    let (table, t_feat) = time("features (principals + windows)", n, || {
        features::compute(&cols, &fo)
    });
    println!(
        "   {} principals, {} windows",
        table.entities.len(),
        table.windows.len()
    );
    let mut t_forest = 0.0;
    for (label, points, seed) in [
        (
            "principals",
            table
                .entities
                .iter()
                .map(Features::vector)
                .collect::<Vec<[f64; NF]>>(),
            1,
        ),
        (
            "windows",
            table.windows.iter().map(|w| w.features.vector()).collect(),
            2,
        ),
    ] {
        let params = ForestParams {
            seed,
            ..ForestParams::default()
        };
        let (scaled, t1) = time(&format!("forest: scale {label}"), n, || {
            let scaler = Scaler::fit(&points);
            points
                .iter()
                .map(|p| scaler.transform(p))
                .collect::<Vec<[f64; NF]>>()
        });
        let (model, t2) = time(
            &format!("forest: train {label} ({} trees)", params.trees),
            n,
            || forest::train(&scaled, &params).expect("train"),
        );
        let (_, t3) = time(
            &format!("forest: score {} {label}", scaled.len()),
            n,
            || model.map(|f| std::hint::black_box(forest::score_all(&f, &scaled))),
        );
        t_forest += t1 + t2 + t3;
    }
    let known: Arc<[cttui::analysis::rules::matcher::Cidr]> = Arc::from(Vec::new());
    if std::env::var_os("CTTUI_BENCH_RULES").is_some() {
        // One rule at a time: the slowest ones are where a rule change pays.
        let by_name = Groups::by_code(cols.by_idx(s::EVENT_NAME));
        let ctx = RunContext {
            cols: &cols,
            by_name: &by_name,
            known: &known,
        };
        let mut each: Vec<(f64, &str)> = (0..rules.len())
            .map(|i| {
                let t = Instant::now();
                std::hint::black_box(run(&rules[i..=i], &ctx));
                (t.elapsed().as_secs_f64() * 1e3, rules[i].id.as_str())
            })
            .collect();
        each.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, id) in each.iter().take(12) {
            println!("   rule {id:<40} {ms:8.1} ms");
        }
    }
    let (hits, t_rules) = time("rules (all built-in)", n, || {
        let by_name = Groups::by_code(cols.by_idx(s::EVENT_NAME));
        run(
            &rules,
            &RunContext {
                cols: &cols,
                by_name: &by_name,
                known: &known,
            },
        )
    });
    println!(
        "   {} rules, {} rule hits",
        rules.len(),
        hits.iter().map(|h| h.rows.len()).sum::<usize>()
    );
    drop(cols);
    // The evidence passes read two more columns (access key, user name).
    let mut more = extra.clone();
    more.extend([s::ACCESS_KEY_ID, s::USER_NAME].map(cttui::analysis::columns::col));
    let cols = Columns::build(&store, &more);
    let (creds, t_cred) = time("credentials (context + misuse)", n, || {
        cttui::analysis::credentials::analyze(&cols)
    });
    let (chains, t_chain) = time("chains (escalation, recon, tampering)", n, || {
        cttui::analysis::chains::analyze(&cols)
    });
    println!(
        "   {} credentials followed, {} evidence items",
        creds.credentials.len(),
        creds.evidence.len() + chains.len()
    );
    let stages = t_cols + t_feat + t_forest + t_rules + t_cred + t_chain;
    println!(
        "features + forest + rules + evidence (with column decoding): {:.1} ms (s3 adds {:.1} ms)",
        stages * 1000.0,
        t_s3 * 1000.0
    );
    drop(cols);
    println!("-- end to end");
    let (a, _) = time("analyze() (everything, with reports)", n, || {
        analyze(&store, &opts).expect("analysis")
    });
    println!(
        "   top principal: {} (score {:?}, risk {})",
        a.principals.first().map_or("-", |p| p.principal.as_str()),
        a.principals.first().and_then(|p| p.score),
        a.principals
            .first()
            .map_or("-".to_owned(), |p| p.risk.to_string())
    );
}
