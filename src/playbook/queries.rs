//! The 12 investigation queries as views bound to the analyst's pins.
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::steps::QuerySpec;
use crate::Result;
use crate::ingest::time::format_ms;
use crate::model::query::Query;
use crate::model::store::EventStore;

/// What the analyst pinned: the suspect principal, the bucket, a time window (epoch ms, inclusive).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pins {
    pub suspect: Option<String>,
    pub bucket: Option<String>,
    pub window: Option<(i64, i64)>,
}

impl Pins {
    fn get(&self, need: &str) -> Option<&str> {
        match need {
            "suspect" => self.suspect.as_deref(),
            "bucket" => self.bucket.as_deref(),
            _ => None,
        }
    }
}

/// A pin value as a quoted query value (the query language's escapes: `\"` and `\\`).
fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One aggregate row: the group's key values, event count, bytes out, first and last time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: Vec<String>,
    pub count: usize,
    pub bytes_out: i64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// The group's events (store rows), for pivots.
    #[serde(skip)]
    pub rows: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    pub id: String,
    pub title: String,
    /// The query text that ran, pins filled in.
    pub filter: Option<String>,
    /// Pins the query needs that are not set.
    pub missing: Vec<String>,
    pub unavailable: Option<String>,
    #[serde(skip)]
    pub rows: Vec<u32>,
    pub events: usize,
    pub group_by: Vec<String>,
    pub groups: Vec<Group>,
}

/// The query text with pins filled in, or the pins it lacks.
pub fn bind(spec: &QuerySpec, pins: &Pins) -> std::result::Result<Option<String>, Vec<String>> {
    let missing: Vec<String> = spec
        .needs
        .iter()
        .filter(|n| pins.get(n).is_none())
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(spec.filter.as_ref().map(|f| {
        f.replace(
            "{BUCKET}",
            &pins.bucket.as_deref().map(quoted).unwrap_or_default(),
        )
        .replace(
            "{SUSPECT}",
            &pins.suspect.as_deref().map(quoted).unwrap_or_default(),
        )
    }))
}

/// Rows of `rows` inside the pinned window.
pub fn in_window(store: &EventStore, rows: Vec<u32>, window: Option<(i64, i64)>) -> Vec<u32> {
    match window {
        None => rows,
        Some((a, b)) => rows
            .into_iter()
            .filter(|&r| store.time_at(r as usize).is_some_and(|t| t >= a && t <= b))
            .collect(),
    }
}

pub fn run(store: &EventStore, spec: &QuerySpec, pins: &Pins) -> Result<QueryResult> {
    let mut out = QueryResult {
        id: spec.id.clone(),
        title: spec.title.clone(),
        filter: None,
        missing: Vec::new(),
        unavailable: spec.unavailable.clone(),
        rows: Vec::new(),
        events: 0,
        group_by: spec.group_by.clone(),
        groups: Vec::new(),
    };
    if out.unavailable.is_some() {
        return Ok(out);
    }
    let filter = match bind(spec, pins) {
        Ok(f) => f,
        Err(missing) => {
            out.missing = missing;
            return Ok(out);
        }
    };
    let rows = Query::parse(filter.as_deref().unwrap_or(""))?.rows(store, None)?;
    out.rows = in_window(store, rows, pins.window);
    out.events = out.rows.len();
    out.filter = filter;
    if !spec.group_by.is_empty() {
        out.groups = aggregate(store, &out.rows, &spec.group_by, spec.having.unwrap_or(0));
    }
    Ok(out)
}

/// Groups rows by the given columns (`hour` = time floored to the hour); most events first, ties by key.
pub fn aggregate(store: &EventStore, rows: &[u32], by: &[String], having: usize) -> Vec<Group> {
    let cols: Vec<_> = by.iter().map(|c| (c.as_str(), store.str_col(c))).collect();
    let mut groups: FxHashMap<Vec<String>, Group> = FxHashMap::default();
    for &r in rows {
        let row = r as usize;
        let time = store.time_at(row);
        let key: Vec<String> = cols
            .iter()
            .map(|(name, col)| match (*name, col) {
                ("hour", _) => time
                    .map(|t| format_ms(t - t.rem_euclid(3_600_000)))
                    .unwrap_or_default(),
                (_, Some(c)) => c.get(row).unwrap_or("").to_owned(),
                _ => String::new(),
            })
            .collect();
        let g = groups.entry(key.clone()).or_insert_with(|| Group {
            key,
            count: 0,
            bytes_out: 0,
            first: None,
            last: None,
            rows: Vec::new(),
        });
        g.count += 1;
        g.bytes_out += store.i64_at("bytes_out", row).unwrap_or(0);
        g.rows.push(r);
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .filter(|g| g.count > having)
        .map(|mut g| {
            // Rows are in time order, so the first and last rows carry the first and last times.
            g.first = g
                .rows
                .first()
                .and_then(|&r| store.time_at(r as usize))
                .map(format_ms);
            g.last = g
                .rows
                .last()
                .and_then(|&r| store.time_at(r as usize))
                .map(format_ms);
            g
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_quotes_pins_and_reports_missing_ones() {
        let spec = QuerySpec {
            id: "q8".into(),
            title: "t".into(),
            needs: vec!["suspect".into(), "bucket".into()],
            filter: Some("user:{SUSPECT} bucket:{BUCKET} name:GetObject".into()),
            group_by: vec![],
            having: None,
            unavailable: None,
        };
        let pins = Pins {
            suspect: Some("arn:aws:sts::1:assumed-role/r/\"x\"".into()),
            bucket: None,
            window: None,
        };
        assert_eq!(bind(&spec, &pins), Err(vec!["bucket".to_owned()]));
        let pins = Pins {
            bucket: Some("b".into()),
            ..pins
        };
        let text = bind(&spec, &pins).expect("bound").expect("filter");
        assert_eq!(
            text,
            r#"user:"arn:aws:sts::1:assumed-role/r/\"x\"" bucket:"b" name:GetObject"#
        );
        // The bound text parses back to the pinned value.
        Query::parse(&text).expect("parses");
    }
}
