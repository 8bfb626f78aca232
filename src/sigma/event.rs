//! One stored event as rsigma sees it: the fields our columns hold verbatim are answered from
//! them, anything else from the record's JSON, parsed only when a rule first asks for such a
//! field. Most events are ruled out on `eventSource`/`eventName` alone, so most are never parsed.
use std::borrow::Cow;
use std::cell::OnceCell;

use rsigma_eval::{Event, EventValue, JsonEvent};
use serde_json::Value;

use crate::analysis::columns::Dict;
use crate::model::store::EventStore;

/// CloudTrail record paths whose value a store column keeps unchanged (checked against the raw
/// records in tests/sigma_rules.rs), with that column.
pub const COLUMN_FIELDS: [(&str, &str); 9] = [
    ("eventName", "event_name"),
    ("eventSource", "event_source"),
    ("awsRegion", "aws_region"),
    ("sourceIPAddress", "source_ip"),
    ("userAgent", "user_agent"),
    ("errorCode", "error_code"),
    ("eventID", "event_id"),
    ("userIdentity.type", "identity_type"),
    ("userIdentity.accessKeyId", "access_key_id"),
];

/// The decoded columns of [`COLUMN_FIELDS`], shared by every event of a run.
pub struct FieldColumns {
    dicts: Vec<Dict>,
}

impl FieldColumns {
    pub fn build(store: &EventStore) -> FieldColumns {
        let n = store.len();
        let dicts = COLUMN_FIELDS
            .iter()
            .map(|(_, col)| match store.str_col(col) {
                Some(ca) => Dict::from_chunked(&ca),
                None => Dict::nulls(n),
            })
            .collect();
        FieldColumns { dicts }
    }

    fn lookup(&self, path: &str, row: usize) -> Option<Option<&str>> {
        let i = COLUMN_FIELDS.iter().position(|(p, _)| *p == path)?;
        Some(self.dicts.get(i).and_then(|d| d.at(row)))
    }
}

/// A stored event, parsed on demand.
pub struct StoreEvent<'a> {
    store: &'a EventStore,
    cols: &'a FieldColumns,
    row: usize,
    json: OnceCell<JsonEvent<'static>>,
}

impl<'a> StoreEvent<'a> {
    pub fn new(store: &'a EventStore, cols: &'a FieldColumns, row: usize) -> StoreEvent<'a> {
        StoreEvent {
            store,
            cols,
            row,
            json: OnceCell::new(),
        }
    }

    /// Whether the record's JSON had to be parsed (for tests and measurements).
    pub fn parsed(&self) -> bool {
        self.json.get().is_some()
    }

    fn json(&self) -> &JsonEvent<'static> {
        self.json.get_or_init(|| {
            let v = self.store.raw_value(self.row).unwrap_or(Value::Null);
            JsonEvent::owned(v)
        })
    }
}

impl Event for StoreEvent<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        match self.cols.lookup(path, self.row) {
            Some(v) => v.map(|s| EventValue::Str(Cow::Borrowed(s))),
            None => match self.json().get_field(path)? {
                // SigmaHQ's CloudTrail rules test whole objects as text
                // (`requestParameters|contains: 'Suspended'`), as SIEMs that keep them as JSON
                // strings do: give an object its compact JSON.
                m @ EventValue::Map(_) => {
                    Some(EventValue::Str(Cow::Owned(m.to_json().to_string())))
                }
                v => Some(v),
            },
        }
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.json().any_string_value(pred)
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.json().all_string_values()
    }

    fn to_json(&self) -> Value {
        self.json().to_json()
    }
}
