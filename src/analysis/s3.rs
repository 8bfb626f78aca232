//! S3 activity: every `s3.amazonaws.com` event classified as a data (object-level) or management
//! (bucket configuration) event, a per-bucket summary, and the permission and exposure changes.
use polars::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::catalog::{self, ApiSet};
use super::columns::{Columns, NULL};
use super::timefmt;
use crate::model::facts::Count;
use crate::model::schema::{self, s};

pub const S3_SOURCE: &str = "s3.amazonaws.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum S3Kind {
    Data,
    Management,
    /// Not said by the record and not in our table: reported, never guessed.
    Unknown,
}

/// The table's answer for an event name, or `None` when the name is not in it.
pub fn table_kind(name: &str) -> Option<S3Kind> {
    if catalog::contains(ApiSet::S3Data, name) {
        Some(S3Kind::Data)
    } else if catalog::contains(ApiSet::S3Management, name) {
        Some(S3Kind::Management)
    } else {
        None
    }
}

/// A management call that changes who can reach a bucket's data or where it goes (the
/// catalogue's `s3_exposure` set: query 9's permission changes, `s3_permission_changes`, plus
/// replication, lifecycle, notification, website, CORS, logging and encryption changes).
pub fn is_exposure_change(name: &str) -> bool {
    catalog::contains(ApiSet::S3Exposure, name)
}

/// What the record itself says: `eventCategory` first, then `managementEvent`.
pub fn record_kind(category: Option<&str>, management: Option<bool>) -> Option<S3Kind> {
    match category {
        Some(c) if c.eq_ignore_ascii_case("Data") => return Some(S3Kind::Data),
        Some(c) if c.eq_ignore_ascii_case("Management") => return Some(S3Kind::Management),
        _ => {}
    }
    management.map(|m| if m { S3Kind::Management } else { S3Kind::Data })
}

/// The record's word when it has one, the table otherwise, `Unknown` when neither knows.
pub fn classify(name: Option<&str>, category: Option<&str>, management: Option<bool>) -> S3Kind {
    record_kind(category, management)
        .or_else(|| name.and_then(table_kind))
        .unwrap_or(S3Kind::Unknown)
}

#[derive(Debug, Clone, Serialize)]
pub struct BucketSummary {
    pub bucket: String,
    pub events: usize,
    pub data_events: usize,
    pub management_events: usize,
    /// Distinct principals that touched the bucket.
    pub principals: usize,
    /// The busiest principals, most events first.
    pub top_principals: Vec<Count>,
    pub get_object: usize,
    /// bytesTransferredOut of the bucket's GetObject calls (what the object reads sent).
    pub bytes_out: i64,
    pub failures: usize,
    pub exposure_changes: usize,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub first: Option<i64>,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub last: Option<i64>,
}

/// One permission or exposure change, with what an investigator needs to judge it.
#[derive(Debug, Clone, Serialize)]
pub struct S3Change {
    pub row: u32,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub time: Option<i64>,
    pub event_name: String,
    pub bucket: Option<String>,
    pub principal: Option<String>,
    pub source_ip: Option<String>,
    /// Set when the call failed (an attempt, not a change).
    pub error_code: Option<String>,
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct S3Summary {
    pub events: usize,
    pub data_events: usize,
    pub management_events: usize,
    /// S3 events neither the record nor the table could classify.
    pub unknown_events: usize,
    pub unknown_names: Vec<Count>,
    /// How many events were classified from the record's own eventCategory/managementEvent.
    pub classified_by_record: usize,
    pub data_by_name: Vec<Count>,
    pub management_by_name: Vec<Count>,
    /// Buckets by events (most first, ties by name).
    pub buckets: Vec<BucketSummary>,
    /// Permission and exposure changes in time order.
    pub exposure_changes: Vec<S3Change>,
    #[serde(skip)]
    pub data_rows: Vec<u32>,
    #[serde(skip)]
    pub management_rows: Vec<u32>,
    #[serde(skip)]
    pub unknown_rows: Vec<u32>,
}

#[derive(Default)]
struct BucketAcc {
    events: usize,
    data: usize,
    management: usize,
    principals: FxHashMap<u32, usize>,
    get_object: usize,
    bytes_out: i64,
    failures: usize,
    changes: usize,
    first: Option<i64>,
    last: Option<i64>,
}

fn sorted_counts(map: FxHashMap<u32, usize>, name: impl Fn(u32) -> String) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(k, count)| Count {
            value: name(k),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v
}

pub fn summarize(cols: &Columns<'_>) -> S3Summary {
    let names = cols.by_idx(s::EVENT_NAME);
    let sources = cols.by_idx(s::EVENT_SOURCE);
    let cats = cols.by_idx(s::EVENT_CATEGORY);
    let buckets = cols.by_idx(s::BUCKET);
    let principals = cols.by_idx(s::PRINCIPAL);
    let errors = cols.by_idx(s::ERROR_CODE);
    let Some(s3_code) = sources.find(S3_SOURCE) else {
        return S3Summary::default();
    };
    let management: Option<BooleanChunked> = cols
        .store
        .df()
        .column(schema::MANAGEMENT_EVENT)
        .ok()
        .and_then(|c| c.bool().ok().cloned());
    let table: Vec<Option<S3Kind>> = names.table(table_kind);
    let cat_kind: Vec<Option<S3Kind>> = cats.table(|c| record_kind(Some(c), None));
    let exposure: Vec<bool> = names.table(is_exposure_change);
    let get_object = names.find("GetObject");
    let times = cols.times();

    let mut out = S3Summary::default();
    let mut by_name: [FxHashMap<u32, usize>; 3] = Default::default();
    let mut accs: FxHashMap<u32, BucketAcc> = FxHashMap::default();
    for (row, &src) in sources.codes().iter().enumerate() {
        if src != s3_code {
            continue;
        }
        out.events += 1;
        let name = names.code(row);
        let from_record = cat_kind
            .get(cats.code(row) as usize)
            .copied()
            .flatten()
            .or_else(|| {
                let m = management.as_ref().and_then(|m| m.get(row));
                m.map(|m| if m { S3Kind::Management } else { S3Kind::Data })
            });
        if from_record.is_some() {
            out.classified_by_record += 1;
        }
        let kind = from_record
            .or_else(|| table.get(name as usize).copied().flatten())
            .unwrap_or(S3Kind::Unknown);
        let r = row as u32;
        let slot = match kind {
            S3Kind::Data => {
                out.data_rows.push(r);
                0
            }
            S3Kind::Management => {
                out.management_rows.push(r);
                1
            }
            S3Kind::Unknown => {
                out.unknown_rows.push(r);
                2
            }
        };
        *by_name[slot].entry(name).or_default() += 1;
        let is_change = exposure.get(name as usize).copied().unwrap_or(false);
        if is_change {
            let at = |d: &super::columns::Dict| d.at(row).map(str::to_owned);
            out.exposure_changes.push(S3Change {
                row: r,
                time: times.get(row).copied().flatten(),
                event_name: names.at(row).unwrap_or("").to_owned(),
                bucket: at(buckets),
                principal: at(principals),
                source_ip: at(cols.by_idx(s::SOURCE_IP)),
                error_code: at(errors),
                event_id: cols.store.str_at(super::columns::col(s::EVENT_ID), row),
            });
        }
        let b = buckets.code(row);
        if b == NULL {
            continue;
        }
        let acc = accs.entry(b).or_default();
        acc.events += 1;
        match kind {
            S3Kind::Data => acc.data += 1,
            S3Kind::Management => acc.management += 1,
            S3Kind::Unknown => {}
        }
        *acc.principals.entry(principals.code(row)).or_default() += 1;
        // Bytes out beside the GetObject count: the successful object reads' bytes, not the
        // listings' (the same measure as `model::facts::object_read_bytes`).
        if Some(name) == get_object {
            acc.get_object += 1;
            if errors.code(row) == NULL {
                acc.bytes_out += cols.bytes_out[row];
            }
        }
        if errors.code(row) != NULL {
            acc.failures += 1;
        }
        if is_change {
            acc.changes += 1;
        }
        if let Some(t) = times.get(row).copied().flatten() {
            acc.first = Some(acc.first.map_or(t, |f| f.min(t)));
            acc.last = Some(acc.last.map_or(t, |l| l.max(t)));
        }
    }
    out.data_events = out.data_rows.len();
    out.management_events = out.management_rows.len();
    out.unknown_events = out.unknown_rows.len();
    let name_of = |c: u32| names.value(c).unwrap_or("(none)").to_owned();
    let [data, mgmt, unknown] = by_name;
    out.data_by_name = sorted_counts(data, name_of);
    out.management_by_name = sorted_counts(mgmt, name_of);
    out.unknown_names = sorted_counts(unknown, name_of);
    let mut list: Vec<BucketSummary> = accs
        .into_iter()
        .map(|(b, acc)| {
            let pcount = acc.principals.len();
            let mut top = sorted_counts(acc.principals, |c| {
                principals.value(c).unwrap_or("(none)").to_owned()
            });
            top.truncate(3);
            BucketSummary {
                bucket: buckets.value(b).unwrap_or("").to_owned(),
                events: acc.events,
                data_events: acc.data,
                management_events: acc.management,
                principals: pcount,
                top_principals: top,
                get_object: acc.get_object,
                bytes_out: acc.bytes_out,
                failures: acc.failures,
                exposure_changes: acc.changes,
                first: acc.first,
                last: acc.last,
            }
        })
        .collect();
    list.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.bucket.cmp(&b.bucket))
    });
    out.buckets = list;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_word_wins_over_table() {
        assert_eq!(classify(Some("GetObject"), None, None), S3Kind::Data);
        assert_eq!(
            classify(Some("PutBucketPolicy"), None, None),
            S3Kind::Management
        );
        assert_eq!(
            classify(Some("GetObject"), Some("Management"), None),
            S3Kind::Management
        );
        assert_eq!(classify(Some("Whatever"), None, Some(false)), S3Kind::Data);
        assert_eq!(classify(Some("Whatever"), None, None), S3Kind::Unknown);
        assert_eq!(classify(None, None, None), S3Kind::Unknown);
    }
}
