//! What the investigator shows: the event store, the load report and the facts derived from them,
//! computed once off the UI thread. Every tab reads from here.
use std::sync::Arc;

use polars::prelude::*;

use crate::error::Result;
use crate::ingest::{self, LoadOptions, LoadReport};
use crate::model::store::EventStore;
use crate::summary::{Count, Summary};

/// The behaviour analysis (principal ranking, anomaly scores, findings). The app runs it as a
/// background job once the load is done and keeps the result beside the investigation.
pub use crate::analysis::Analysis;

/// The string columns the tables draw, taken from the store once (cheap clones of its buffers).
pub struct TableColumns {
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

impl TableColumns {
    fn new(store: &EventStore) -> TableColumns {
        let n = store.len();
        let get = |name: &str| {
            store
                .str_col(name)
                .unwrap_or_else(|| StringChunked::full_null(name.into(), n))
        };
        TableColumns {
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

/// The Overview's lists beside the summary's: where calls came from, with which agent and key.
#[derive(Debug, Clone, Default)]
pub struct Tops {
    pub source_ips: Vec<Count>,
    /// The network class of each of `source_ips` (`outside`, `aws`, `private`...).
    pub source_ip_classes: Vec<crate::model::net::NetClass>,
    pub user_agents: Vec<Count>,
    pub access_keys: Vec<Count>,
}

impl Tops {
    /// Lists this long are enough for any screen.
    const N: usize = 20;

    pub fn new(store: &EventStore) -> Tops {
        let top = |col: &str| {
            store
                .value_counts(col, None)
                .into_iter()
                .take(Tops::N)
                .map(|(value, count)| Count { value, count })
                .collect()
        };
        let source_ips: Vec<Count> = top("source_ip");
        Tops {
            source_ip_classes: source_ips
                .iter()
                .map(|c| crate::model::net::classify(&c.value))
                .collect(),
            source_ips,
            user_agents: top("user_agent"),
            access_keys: top("access_key_id"),
        }
    }
}

pub struct LoadedLog {
    pub store: Arc<EventStore>,
    pub report: LoadReport,
    /// The paths given on the command line.
    pub inputs: Vec<String>,
    pub summary: Summary,
    /// Top source addresses, user agents and access keys (the store's value counts, kept once).
    pub tops: Tops,
    pub cols: TableColumns,
}

impl LoadedLog {
    pub fn new(store: EventStore, report: LoadReport, inputs: Vec<String>) -> LoadedLog {
        let summary = Summary::new(&store, &report);
        let cols = TableColumns::new(&store);
        let tops = Tops::new(&store);
        LoadedLog {
            store: Arc::new(store),
            report,
            inputs,
            summary,
            tops,
            cols,
        }
    }

    /// Loads and derives everything (the loading thread runs this).
    pub fn load(paths: &[String], opts: &LoadOptions) -> Result<LoadedLog> {
        let (store, report) = ingest::load(paths, opts)?;
        if let Some(p) = &opts.progress {
            p.set_stage("summarising");
        }
        Ok(LoadedLog::new(store, report, paths.to_vec()))
    }

    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}
