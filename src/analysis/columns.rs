//! The store's columns as dictionary codes: every distinct string gets a small integer once, so
//! grouping, distinct counts and rule tests run on integers and per-value lookup tables instead of
//! hashing strings per row.
use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::model::schema::{self, STRING_COLUMNS, s};
use crate::model::store::EventStore;

/// The code of a missing (null) value.
pub const NULL: u32 = u32::MAX;

/// One string column as codes into a table of its distinct values (in order of first appearance,
/// which is deterministic because the store's row order is).
#[derive(Debug, Clone, Default)]
pub struct Dict {
    codes: Vec<u32>,
    values: Vec<String>,
}

impl Dict {
    pub fn from_chunked(ca: &StringChunked) -> Dict {
        let mut index: FxHashMap<&str, u32> = FxHashMap::default();
        let mut values: Vec<&str> = Vec::new();
        let mut codes = Vec::with_capacity(ca.len());
        for v in ca.iter() {
            let code = match v {
                None => NULL,
                Some(v) => *index.entry(v).or_insert_with(|| {
                    values.push(v);
                    (values.len() - 1) as u32
                }),
            };
            codes.push(code);
        }
        Dict {
            codes,
            values: values.into_iter().map(str::to_owned).collect(),
        }
    }

    /// A column of `n` nulls (for a column the store lacks).
    pub fn nulls(n: usize) -> Dict {
        Dict {
            codes: vec![NULL; n],
            values: Vec::new(),
        }
    }

    /// Builds from plain values (tests and synthetic stores).
    pub fn from_values<'a>(vals: impl IntoIterator<Item = Option<&'a str>>) -> Dict {
        let ca: StringChunked = vals.into_iter().collect();
        Dict::from_chunked(&ca)
    }

    #[inline]
    pub fn code(&self, row: usize) -> u32 {
        self.codes.get(row).copied().unwrap_or(NULL)
    }

    #[inline]
    pub fn value(&self, code: u32) -> Option<&str> {
        self.values.get(code as usize).map(String::as_str)
    }

    #[inline]
    pub fn at(&self, row: usize) -> Option<&str> {
        self.value(self.code(row))
    }

    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Number of distinct non-null values.
    pub fn cardinality(&self) -> usize {
        self.values.len()
    }

    /// A per-value table of `f(value)`, for O(1) per-row tests.
    pub fn table<T>(&self, f: impl Fn(&str) -> T) -> Vec<T> {
        self.values.iter().map(|v| f(v)).collect()
    }

    /// The code of a value, if present.
    pub fn find(&self, value: &str) -> Option<u32> {
        self.values
            .iter()
            .position(|v| v == value)
            .map(|i| i as u32)
    }
}

/// Column name of a string column by its schema index.
pub fn col(idx: usize) -> &'static str {
    STRING_COLUMNS[idx]
}

/// The columns the analysis reads, decoded once.
pub struct Columns<'a> {
    pub store: &'a EventStore,
    pub n: usize,
    dicts: FxHashMap<&'static str, Dict>,
    /// `read_only` as recorded (None when the record did not say).
    pub read_only: Vec<Option<bool>>,
    /// `additionalEventData.bytesTransferredOut`, 0 when absent.
    pub bytes_out: Vec<i64>,
}

/// String columns every analysis needs.
pub const CORE: [usize; 10] = [
    s::EVENT_NAME,
    s::EVENT_SOURCE,
    s::AWS_REGION,
    s::SOURCE_IP,
    s::USER_AGENT,
    s::PRINCIPAL,
    s::IDENTITY_TYPE,
    s::ERROR_CODE,
    s::EVENT_CATEGORY,
    s::BUCKET,
];

impl<'a> Columns<'a> {
    /// Decodes the core columns plus `extra` (column names), in parallel.
    pub fn build(store: &'a EventStore, extra: &[&'static str]) -> Columns<'a> {
        let n = store.len();
        let mut names: Vec<&'static str> = CORE.iter().map(|&i| col(i)).collect();
        for e in extra {
            if !names.contains(e) {
                names.push(e);
            }
        }
        let df = store.df();
        let dicts: Vec<(&'static str, Dict)> = names
            .par_iter()
            .map(|&name| {
                let dict = match df.column(name).ok().and_then(|c| c.str().ok()) {
                    Some(ca) => Dict::from_chunked(ca),
                    None => Dict::nulls(n),
                };
                (name, dict)
            })
            .collect();
        let read_only = df
            .column(schema::READ_ONLY)
            .ok()
            .and_then(|c| c.bool().ok().map(|ca| ca.iter().collect()))
            .unwrap_or_else(|| vec![None; n]);
        let bytes_out = df
            .column(schema::BYTES_OUT)
            .ok()
            .and_then(|c| {
                c.i64()
                    .ok()
                    .map(|ca| ca.iter().map(|v| v.unwrap_or(0)).collect())
            })
            .unwrap_or_else(|| vec![0; n]);
        Columns {
            store,
            n,
            dicts: dicts.into_iter().collect(),
            read_only,
            bytes_out,
        }
    }

    /// A decoded column; columns not decoded read as all-null.
    pub fn dict(&self, name: &str) -> &Dict {
        static EMPTY: std::sync::OnceLock<Dict> = std::sync::OnceLock::new();
        self.dicts
            .get(name)
            .unwrap_or_else(|| EMPTY.get_or_init(Dict::default))
    }

    /// A decoded string column by schema index.
    pub fn by_idx(&self, idx: usize) -> &Dict {
        self.dict(col(idx))
    }

    pub fn times(&self) -> &'a [Option<i64>] {
        self.store.times()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_codes_in_first_seen_order() {
        let d = Dict::from_values([Some("b"), None, Some("a"), Some("b")]);
        assert_eq!(d.codes(), &[0, NULL, 1, 0]);
        assert_eq!(d.values(), &["b".to_owned(), "a".to_owned()]);
        assert_eq!(d.at(2), Some("a"));
        assert_eq!(d.at(1), None);
        assert_eq!(d.find("a"), Some(1));
        assert_eq!(d.cardinality(), 2);
    }
}
