//! Detectors over a principal's run of calls: many distinct enumeration calls in a short time, and
//! objects read then overwritten under the same key (client-side encryption for ransom).
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use super::engine::RunContext;
use crate::analysis::apis;
use crate::analysis::catalog::{self, ApiSet};
use crate::analysis::columns::{NULL, col};
use crate::analysis::humanize;
use crate::model::schema::s;

type Hits = (Vec<u32>, BTreeMap<u32, String>);

/// Distinct enumeration calls within [`DISCOVERY_WINDOW_MS`] that make a burst, across at least
/// [`DISCOVERY_SERVICES`] services (a tool maps identity, compute and storage; an application or
/// an orchestrator describes one service over and over).
pub const DISCOVERY_DISTINCT: usize = 6;
pub const DISCOVERY_SERVICES: usize = 3;
pub const DISCOVERY_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Objects read and written back that make a rewrite.
pub const REWRITTEN_OBJECTS: usize = 10;
pub const REWRITE_WINDOW_MS: i64 = 3600 * 1000;

/// Whether a user agent is a client (CLI, SDK, tool) rather than the console, a browser or an AWS
/// service: console pages fan out into many read calls on their own.
pub fn client_agent(ua: &str) -> bool {
    let lower = ua.trim().to_ascii_lowercase();
    !apis::is_aws_service_agent(ua)
        && !lower.starts_with("mozilla/")
        && !lower.starts_with("aws-internal")
        && !lower.contains("console")
        && !lower.contains("signin.")
}

pub fn discovery_burst(ctx: &RunContext<'_, '_>) -> Hits {
    let cols = ctx.cols;
    let names = cols.by_idx(s::EVENT_NAME);
    let principals = cols.by_idx(s::PRINCIPAL);
    let agents = cols.by_idx(s::USER_AGENT);
    let sources = cols.by_idx(s::EVENT_SOURCE);
    let times = cols.times();
    let ua_ok: Vec<bool> = agents.table(client_agent);
    let mut per: FxHashMap<u32, Vec<(i64, u32, u32)>> = FxHashMap::default();
    for (code, name) in names.values().iter().enumerate() {
        if !catalog::contains(ApiSet::Discovery, name) {
            continue;
        }
        for &r in ctx.by_name.get(code) {
            let ua = agents.code(r as usize);
            if ua != NULL && !ua_ok[ua as usize] {
                continue;
            }
            let p = principals.code(r as usize);
            if let Some(t) = times.get(r as usize).copied().flatten() {
                per.entry(p).or_default().push((t, r, code as u32));
            }
        }
    }
    let mut rows = Vec::new();
    let mut notes = BTreeMap::new();
    let service = |r: u32| sources.code(r as usize);
    for (p, mut calls) in per {
        calls.sort_unstable();
        let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
        let mut services: FxHashMap<u32, usize> = FxHashMap::default();
        let (mut i, mut marked) = (0, 0);
        let mut peak: BTreeSet<u32> = BTreeSet::new();
        for j in 0..calls.len() {
            *counts.entry(calls[j].2).or_default() += 1;
            *services.entry(service(calls[j].1)).or_default() += 1;
            while calls[j].0 - calls[i].0 > DISCOVERY_WINDOW_MS {
                for (map, key) in [
                    (&mut counts, calls[i].2),
                    (&mut services, service(calls[i].1)),
                ] {
                    if let Some(c) = map.get_mut(&key) {
                        *c -= 1;
                        if *c == 0 {
                            map.remove(&key);
                        }
                    }
                }
                i += 1;
            }
            let burst = counts.len() >= DISCOVERY_DISTINCT && services.len() >= DISCOVERY_SERVICES;
            if burst && counts.len() > peak.len() {
                peak = counts.keys().copied().collect();
            }
            if burst {
                rows.extend(calls[marked.max(i)..=j].iter().map(|c| c.1));
                marked = j + 1;
            }
        }
        if peak.len() >= DISCOVERY_DISTINCT {
            let mut shown: Vec<&str> = peak.iter().filter_map(|&c| names.value(c)).collect();
            shown.sort_unstable();
            let more = shown.len() > 6;
            shown.truncate(6);
            notes.insert(
                p,
                format!(
                    "{} distinct enumeration calls within {}: {}{}",
                    peak.len(),
                    humanize::duration(DISCOVERY_WINDOW_MS / 1000),
                    shown.join(", "),
                    if more { ", …" } else { "" }
                ),
            );
        }
    }
    rows.sort_unstable();
    (rows, notes)
}

pub fn s3_objects_rewritten(ctx: &RunContext<'_, '_>) -> Hits {
    let cols = ctx.cols;
    let names = cols.by_idx(s::EVENT_NAME);
    let (Some(get), Some(put)) = (names.find("GetObject"), names.find("PutObject")) else {
        return Default::default();
    };
    let principals = cols.by_idx(s::PRINCIPAL);
    let buckets = cols.by_idx(s::BUCKET);
    let keys = cols.dict(col(s::OBJECT_KEY));
    let times = cols.times();
    let mut rows: Vec<u32> = ctx
        .by_name
        .get(get as usize)
        .iter()
        .chain(ctx.by_name.get(put as usize))
        .copied()
        .collect();
    rows.sort_unstable();
    // (principal, bucket, key) -> time of the last read.
    let mut read: FxHashMap<(u32, u32, u32), i64> = FxHashMap::default();
    let mut rewrites: FxHashMap<u32, Vec<(u32, u32, u32)>> = FxHashMap::default();
    for r in rows {
        let i = r as usize;
        let (b, k) = (buckets.code(i), keys.code(i));
        let Some(t) = times.get(i).copied().flatten() else {
            continue;
        };
        if b == NULL || k == NULL {
            continue;
        }
        let p = principals.code(i);
        if names.code(i) == get {
            read.insert((p, b, k), t);
        } else if read
            .get(&(p, b, k))
            .is_some_and(|&at| t - at <= REWRITE_WINDOW_MS)
        {
            rewrites.entry(p).or_default().push((r, b, k));
        }
    }
    let mut out = Vec::new();
    let mut notes = BTreeMap::new();
    for (p, list) in rewrites {
        let distinct: BTreeSet<(u32, u32)> = list.iter().map(|&(_, b, k)| (b, k)).collect();
        if distinct.len() < REWRITTEN_OBJECTS {
            continue;
        }
        let bucket_names: BTreeSet<&str> = distinct
            .iter()
            .filter_map(|&(b, _)| buckets.value(b))
            .collect();
        out.extend(list.iter().map(|&(r, _, _)| r));
        notes.insert(
            p,
            format!(
                "{} objects read and then overwritten under the same key in {}",
                humanize::count(distinct.len() as u64),
                bucket_names
                    .into_iter()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    out.sort_unstable();
    (out, notes)
}
