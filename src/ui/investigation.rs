//! What the investigator shows: the event store, the load report and the facts derived from them,
//! computed once off the UI thread. Every tab reads from here.
use std::sync::Arc;

use polars::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Result;
use crate::ingest::{self, LoadOptions, LoadReport};
use crate::model::schema;
use crate::model::store::EventStore;
use crate::summary::Summary;

/// The behaviour analysis (principal ranking, anomaly scores, findings). The app runs it as a
/// background job once the load is done and keeps the result beside the investigation.
pub use crate::analysis::Analysis;

/// The string columns the tables draw, taken from the store once (cheap clones of its buffers).
pub struct Columns {
    pub name: StringChunked,
    pub source: StringChunked,
    pub region: StringChunked,
    pub ip: StringChunked,
    pub principal: StringChunked,
    pub error: StringChunked,
    pub bucket: StringChunked,
    pub key: StringChunked,
    pub access_key: StringChunked,
    pub user_agent: StringChunked,
    pub identity_type: StringChunked,
    pub event_id: StringChunked,
}

impl Columns {
    fn new(store: &EventStore) -> Columns {
        let n = store.len();
        let get = |name: &str| {
            store
                .str_col(name)
                .unwrap_or_else(|| StringChunked::full_null(name.into(), n))
        };
        Columns {
            name: get("event_name"),
            source: get("event_source"),
            region: get("aws_region"),
            ip: get("source_ip"),
            principal: get("principal"),
            error: get("error_code"),
            bucket: get("bucket"),
            key: get("object_key"),
            access_key: get("access_key_id"),
            user_agent: get("user_agent"),
            identity_type: get("identity_type"),
            event_id: get("event_id"),
        }
    }
}

/// What the store says about one principal.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalFacts {
    pub principal: String,
    pub identity_type: String,
    pub events: usize,
    pub errors: usize,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub source_ips: usize,
    pub s3_events: usize,
}

/// What the store says about one bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketFacts {
    pub bucket: String,
    pub events: usize,
    pub get_object: usize,
    pub errors: usize,
    pub principals: usize,
    pub bytes_out: i64,
}

/// S3 activity in the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct S3Facts {
    /// Events with eventSource s3.amazonaws.com.
    pub events: usize,
    /// Object-level (data) events among them.
    pub data_events: usize,
    /// S3 events by name, most frequent first.
    pub names: Vec<(String, usize)>,
    /// Buckets by number of events, most first.
    pub buckets: Vec<BucketFacts>,
}

pub struct Investigation {
    pub store: Arc<EventStore>,
    pub report: LoadReport,
    /// The paths given on the command line.
    pub inputs: Vec<String>,
    pub summary: Summary,
    pub principals: Vec<PrincipalFacts>,
    pub s3: S3Facts,
    pub cols: Columns,
}

impl Investigation {
    pub fn new(store: EventStore, report: LoadReport, inputs: Vec<String>) -> Investigation {
        let summary = Summary::new(&store, &report);
        let cols = Columns::new(&store);
        let principals = principal_facts(&store, &cols);
        let s3 = s3_facts(&store, &cols, summary.s3_data_events);
        Investigation {
            store: Arc::new(store),
            report,
            inputs,
            summary,
            principals,
            s3,
            cols,
        }
    }

    /// Loads and derives everything (the loading thread runs this).
    pub fn load(paths: &[String], opts: &LoadOptions) -> Result<Investigation> {
        let (store, report) = ingest::load(paths, opts)?;
        if let Some(p) = &opts.progress {
            p.set_stage("summarising");
        }
        Ok(Investigation::new(store, report, paths.to_vec()))
    }

    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

fn principal_facts(store: &EventStore, cols: &Columns) -> Vec<PrincipalFacts> {
    struct Acc<'a> {
        kinds: FxHashMap<&'a str, usize>,
        events: usize,
        errors: usize,
        first: Option<i64>,
        last: Option<i64>,
        ips: FxHashSet<&'a str>,
        s3: usize,
    }
    let mut by: FxHashMap<&str, Acc> = FxHashMap::default();
    let times = store.times();
    for (row, p) in cols.principal.iter().enumerate() {
        let Some(p) = p else { continue };
        let a = by.entry(p).or_insert_with(|| Acc {
            kinds: FxHashMap::default(),
            events: 0,
            errors: 0,
            first: None,
            last: None,
            ips: FxHashSet::default(),
            s3: 0,
        });
        a.events += 1;
        if cols.error.get(row).is_some() {
            a.errors += 1;
        }
        if let Some(t) = times.get(row).copied().flatten() {
            a.first = Some(a.first.map_or(t, |f| f.min(t)));
            a.last = Some(a.last.map_or(t, |l| l.max(t)));
        }
        if let Some(ip) = cols.ip.get(row) {
            a.ips.insert(ip);
        }
        if let Some(k) = cols.identity_type.get(row) {
            *a.kinds.entry(k).or_default() += 1;
        }
        if cols.source.get(row) == Some("s3.amazonaws.com") {
            a.s3 += 1;
        }
    }
    let mut out: Vec<PrincipalFacts> = by
        .into_iter()
        .map(|(p, a)| {
            // The most frequent identity type, ties by name.
            let kind = a
                .kinds
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
                .map(|(k, _)| (*k).to_owned())
                .unwrap_or_default();
            PrincipalFacts {
                principal: p.to_owned(),
                identity_type: kind,
                events: a.events,
                errors: a.errors,
                first: a.first,
                last: a.last,
                source_ips: a.ips.len(),
                s3_events: a.s3,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.principal.cmp(&b.principal))
    });
    out
}

fn s3_facts(store: &EventStore, cols: &Columns, data_events: usize) -> S3Facts {
    struct Acc<'a> {
        events: usize,
        get: usize,
        errors: usize,
        principals: FxHashSet<&'a str>,
        bytes: i64,
    }
    let bytes_out = store
        .df()
        .column(schema::BYTES_OUT)
        .ok()
        .and_then(|c| c.i64().ok().cloned());
    let mut names: FxHashMap<&str, usize> = FxHashMap::default();
    let mut buckets: FxHashMap<&str, Acc> = FxHashMap::default();
    let mut events = 0;
    for (row, src) in cols.source.iter().enumerate() {
        if src != Some("s3.amazonaws.com") {
            continue;
        }
        events += 1;
        let name = cols.name.get(row);
        if let Some(n) = name {
            *names.entry(n).or_default() += 1;
        }
        let Some(b) = cols.bucket.get(row) else {
            continue;
        };
        let a = buckets.entry(b).or_insert_with(|| Acc {
            events: 0,
            get: 0,
            errors: 0,
            principals: FxHashSet::default(),
            bytes: 0,
        });
        a.events += 1;
        if name == Some("GetObject") {
            a.get += 1;
        }
        if cols.error.get(row).is_some() {
            a.errors += 1;
        }
        if let Some(p) = cols.principal.get(row) {
            a.principals.insert(p);
        }
        if let Some(v) = bytes_out.as_ref().and_then(|c| c.get(row)) {
            a.bytes = a.bytes.saturating_add(v);
        }
    }
    let mut names: Vec<(String, usize)> =
        names.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut buckets: Vec<BucketFacts> = buckets
        .into_iter()
        .map(|(b, a)| BucketFacts {
            bucket: b.to_owned(),
            events: a.events,
            get_object: a.get,
            errors: a.errors,
            principals: a.principals.len(),
            bytes_out: a.bytes,
        })
        .collect();
    buckets.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.bucket.cmp(&b.bucket))
    });
    S3Facts {
        events,
        data_events,
        names,
        buckets,
    }
}
