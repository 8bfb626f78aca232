//! The event store: one immutable, time-sorted DataFrame plus the raw text of every record.
use std::borrow::Cow;

use polars::prelude::*;
use rustc_hash::FxHashMap;

use super::load::Shape;
use super::raw::RawStore;
use super::schema;

/// One input the store was loaded from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileInfo {
    pub path: String,
    pub shape: Option<Shape>,
    pub events: usize,
}

pub struct EventStore {
    df: DataFrame,
    raw: RawStore,
    files: Vec<FileInfo>,
    /// `raw_id` per row, for O(1) access to a row's record.
    raw_ids: Vec<u32>,
    /// `event_time` per row (epoch ms), for time lookups without going through polars.
    times: Vec<Option<i64>>,
}

impl EventStore {
    pub fn new(df: DataFrame, raw: RawStore, files: Vec<FileInfo>) -> Self {
        let raw_ids = df
            .column(schema::RAW_ID)
            .ok()
            .and_then(|c| c.u32().ok().map(|ca| ca.into_no_null_iter().collect()))
            .unwrap_or_default();
        let times = df
            .column(schema::EVENT_TIME)
            .ok()
            .map(|c| c.as_materialized_series().to_physical_repr())
            .and_then(|s| s.i64().ok().map(|ca| ca.iter().collect()))
            .unwrap_or_default();
        EventStore {
            df,
            raw,
            files,
            raw_ids,
            times,
        }
    }

    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    pub fn raw(&self) -> &RawStore {
        &self.raw
    }

    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.df.height()
    }

    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// A string column (cheap: shares the buffers).
    pub fn str_col(&self, name: &str) -> Option<StringChunked> {
        self.df.column(name).ok()?.str().ok().cloned()
    }

    /// One cell of a string column.
    pub fn str_at(&self, name: &str, row: usize) -> Option<String> {
        let col = self.df.column(name).ok()?;
        col.str().ok()?.get(row).map(str::to_owned)
    }

    pub fn time_at(&self, row: usize) -> Option<i64> {
        self.times.get(row).copied().flatten()
    }

    pub fn times(&self) -> &[Option<i64>] {
        &self.times
    }

    /// An integer column's cell (bytes_out, bytes_in).
    pub fn i64_at(&self, name: &str, row: usize) -> Option<i64> {
        self.df.column(name).ok()?.i64().ok()?.get(row)
    }

    /// A boolean column's cell (read_only, management_event, mfa_authenticated).
    pub fn bool_at(&self, name: &str, row: usize) -> Option<bool> {
        self.df.column(name).ok()?.bool().ok()?.get(row)
    }

    pub fn raw_id(&self, row: usize) -> Option<u32> {
        self.raw_ids.get(row).copied()
    }

    /// The record's original text.
    pub fn raw_text(&self, row: usize) -> Option<Cow<'_, str>> {
        self.raw.text(self.raw_id(row)?)
    }

    /// The record as one line of compact JSON.
    pub fn raw_compact(&self, row: usize) -> Option<String> {
        self.raw.compact(self.raw_id(row)?)
    }

    /// Orders `rows` as their records are stored (file by file, offset by offset). Rows are in
    /// time order; reading raw records that way would inflate a gzip delivery file again for
    /// nearly every row, so anything reading many records sorts its rows with this first.
    pub fn sort_stored_order(&self, rows: &mut [u32]) {
        rows.sort_unstable_by_key(|&r| self.raw_ids.get(r as usize).copied());
    }

    /// Every row's record as compact JSON, in row order. Records are read in the order they
    /// were stored (file by file), on all cores: rows are in time order, and reading them that
    /// way would inflate a gzip delivery file again for nearly every row.
    pub fn raw_compact_all(&self) -> Vec<Option<String>> {
        use rayon::prelude::*;
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        self.sort_stored_order(&mut order);
        let texts: Vec<Vec<Option<String>>> = order
            .par_chunks(4096)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|&r| self.raw_compact(r as usize))
                    .collect()
            })
            .collect();
        let mut out: Vec<Option<String>> = vec![None; self.len()];
        for (&r, t) in order.iter().zip(texts.into_iter().flatten()) {
            out[r as usize] = t;
        }
        out
    }

    /// The record parsed.
    pub fn raw_value(&self, row: usize) -> Option<serde_json::Value> {
        self.raw.value(self.raw_id(row)?)
    }

    /// The record parsed with only the named top-level members (see [`RawStore::value_keys`]).
    pub fn raw_value_keys(&self, row: usize, keys: &[String]) -> Option<serde_json::Value> {
        self.raw.value_keys(self.raw_id(row)?, keys)
    }

    /// First and last parsed event time.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        let first = self.times.iter().flatten().next()?;
        // Rows are sorted with unparsed times last, so the last parsed time is the maximum.
        let last = self.times.iter().rev().flatten().next()?;
        Some((*first, *last))
    }

    /// Path of the file a row came from.
    pub fn source_file(&self, row: usize) -> Option<&str> {
        let id = self.df.column(schema::FILE_ID).ok()?.u32().ok()?.get(row)?;
        self.files.get(id as usize).map(|f| f.path.as_str())
    }

    /// Value counts of a string column over `rows` (all rows when `None`), most frequent first,
    /// ties by value: the order is stable run to run. Nulls are left out.
    pub fn value_counts(&self, name: &str, rows: Option<&[u32]>) -> Vec<(String, usize)> {
        let Some(col) = self.str_col(name) else {
            return Vec::new();
        };
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        match rows {
            None => {
                for v in col.iter().flatten() {
                    *counts.entry(v).or_default() += 1;
                }
            }
            Some(rows) => {
                for &r in rows {
                    if let Some(v) = col.get(r as usize) {
                        *counts.entry(v).or_default() += 1;
                    }
                }
            }
        }
        let mut out: Vec<(String, usize)> =
            counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}
