//! Timesketch's JSONL import format: each line an object with `message`, `datetime` (ISO 8601)
//! and `timestamp_desc`, plus the event's canonical fields, so sketches can filter on them.
//! Events without a parsed time are left out (Timesketch rejects them) and counted.
use std::io::Write;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::schema::{self, STRING_COLUMNS};
use crate::model::store::EventStore;
use crate::model::time::format_ms;

pub const TIMESTAMP_DESC: &str = "Event Recorded";

/// One line of text a person reads in the sketch: who did what, where, from where, outcome.
pub fn message(store: &EventStore, row: usize) -> String {
    let s = |c: &str| store.str_at(c, row).unwrap_or_default();
    let who = s("principal");
    let mut m = format!(
        "{} {} {}",
        if who.is_empty() {
            "(no principal)"
        } else {
            &who
        },
        s("event_name"),
        s("event_source")
    );
    let bucket = s("bucket");
    if !bucket.is_empty() {
        m.push_str(&format!(" on {bucket}"));
        let key = s("object_key");
        if !key.is_empty() {
            m.push_str(&format!("/{key}"));
        }
    }
    let ip = s("source_ip");
    if !ip.is_empty() {
        m.push_str(&format!(" from {ip}"));
    }
    let err = s("error_code");
    if !err.is_empty() {
        m.push_str(&format!(" failed: {err}"));
    }
    m
}

/// Writes the rows; returns how many were left out for lack of a time.
pub fn write<W: Write>(out: &mut W, store: &EventStore, rows: &[u32]) -> Result<usize> {
    let io = |e| Error::io("stdout", e);
    let mut untimed = 0;
    for &r in rows {
        let r = r as usize;
        let Some(t) = store.time_at(r) else {
            untimed += 1;
            continue;
        };
        let mut o = Map::new();
        o.insert("message".into(), Value::String(message(store, r)));
        o.insert("datetime".into(), Value::String(format_ms(t)));
        o.insert(
            "timestamp_desc".into(),
            Value::String(TIMESTAMP_DESC.into()),
        );
        for c in STRING_COLUMNS {
            if c == "event_time_raw" {
                continue;
            }
            if let Some(v) = store.str_at(c, r) {
                o.insert(c.into(), Value::String(v));
            }
        }
        if let Some(v) = store.str_at(schema::NET_CLASS, r) {
            o.insert(schema::NET_CLASS.into(), Value::String(v));
        }
        for c in [schema::BYTES_OUT, schema::BYTES_IN] {
            if let Some(v) = store.i64_at(c, r) {
                o.insert(c.into(), Value::from(v));
            }
        }
        for c in [
            schema::READ_ONLY,
            schema::MANAGEMENT_EVENT,
            schema::MFA_AUTHENTICATED,
            schema::OUTSIDE_AWS,
        ] {
            if let Some(v) = store.bool_at(c, r) {
                o.insert(c.into(), Value::Bool(v));
            }
        }
        serde_json::to_writer(&mut *out, &Value::Object(o))?;
        out.write_all(b"\n").map_err(io)?;
    }
    Ok(untimed)
}
