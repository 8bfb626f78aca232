//! Query speed on a large store (issue 11: a bare word <= 100 ms, field terms <= 50 ms on 1M
//! events): parse + run of typical filters, median of several runs.
//!
//! `cargo bench --bench query` (events: CTTUI_BENCH_EVENTS, default 1,000,000). Prints figures.
use std::time::{Duration, Instant};

use cttui::ingest::{LoadOptions, load};
use cttui::model::query::Query;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("CTTUI_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    cttui_demo::generate(dir.path(), n, 7)?;
    println!("demo logs of {n} events written in {:.1?}", t.elapsed());
    let t = Instant::now();
    let (store, _) = load(&[dir.path().display().to_string()], &LoadOptions::default())?;
    println!("{} events loaded in {:.1?}", store.len(), t.elapsed());
    for q in [
        "kali",
        "name:GetObject",
        "user:webapp-prod-ec2-role/i-0a3f5c9e27b14d6f8",
        "user:user/alice.nguyen",
        "name:GetObject user:*attacker*",
        "error:AccessDenied",
        "bucket:acme-customer-data -error:* bytes_out>1000",
        "time>=2024-04-15T03:00 time<2024-04-15T06:00",
        "(ip:203.0.113.* OR ua:*kali*) -source:s3.amazonaws.com",
    ] {
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..7 {
            let t = Instant::now();
            hits = Query::parse(q)?.rows(&store, None)?.len();
            times.push(t.elapsed());
        }
        println!("{:>10.1?}  {hits:>9} rows  {q}", median(times));
    }
    let words: Vec<String> = (0..8000).map(|i| format!("w{i}")).collect();
    let t = Instant::now();
    Query::parse(&words.join(" "))?;
    println!("parse of 8,000 bare words: {:.1?}", t.elapsed());
    Ok(())
}
