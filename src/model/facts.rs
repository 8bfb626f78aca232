//! Facts over the whole store that several views state: computed here once, so the summary, the
//! analysis, the report and the TUI give the same numbers.
use serde::Serialize;

use super::schema;
use super::store::EventStore;

/// A value and how many events have it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    pub value: String,
    pub count: usize,
}

/// Events per principal, most first. Events without a principal are not a principal: they are
/// counted by [`events_without_principal`].
pub fn principal_counts(store: &EventStore) -> Vec<(String, usize)> {
    let mut v = store.value_counts(schema::STRING_COLUMNS[schema::s::PRINCIPAL], None);
    v.retain(|(p, _)| !p.is_empty());
    v
}

pub fn events_without_principal(store: &EventStore) -> usize {
    let with: usize = principal_counts(store).iter().map(|(_, n)| n).sum();
    store.len() - with
}

/// Bytes read out of S3 by GetObject (never ListObjects or other calls), known and unknown kept
/// apart: a read whose record has no `bytesTransferredOut` is unknown, not zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ObjectReadBytes {
    /// Successful GetObject calls.
    pub reads: usize,
    /// Those that say how many bytes they sent.
    pub with_bytes: usize,
    /// The sum of the known bytes.
    pub bytes: i64,
}

/// GetObject bytes over `rows` (all rows when `None`).
pub fn object_read_bytes(store: &EventStore, rows: Option<&[u32]>) -> ObjectReadBytes {
    let (Some(names), Some(sources), Some(errors)) = (
        store.str_col(schema::STRING_COLUMNS[schema::s::EVENT_NAME]),
        store.str_col(schema::STRING_COLUMNS[schema::s::EVENT_SOURCE]),
        store.str_col(schema::STRING_COLUMNS[schema::s::ERROR_CODE]),
    ) else {
        return ObjectReadBytes::default();
    };
    let bytes = store
        .df()
        .column(schema::BYTES_OUT)
        .ok()
        .and_then(|c| c.i64().ok().cloned());
    let mut out = ObjectReadBytes::default();
    let mut visit = |r: usize| {
        if names.get(r) == Some("GetObject")
            && sources.get(r) == Some("s3.amazonaws.com")
            && errors.get(r).is_none_or(str::is_empty)
        {
            out.reads += 1;
            if let Some(b) = bytes.as_ref().and_then(|c| c.get(r)) {
                out.with_bytes += 1;
                out.bytes += b;
            }
        }
    };
    match rows {
        Some(rows) => rows.iter().for_each(|&r| visit(r as usize)),
        None => (0..store.len()).for_each(&mut visit),
    }
    out
}

/// Object-level S3 API names (used when a record does not say its eventCategory).
pub fn is_s3_object_api(name: &str) -> bool {
    name.contains("Object")
        || name.starts_with("ListParts")
        || matches!(
            name,
            "ListObjects"
                | "ListObjectsV2"
                | "ListObjectVersions"
                | "UploadPart"
                | "UploadPartCopy"
                | "CreateMultipartUpload"
                | "CompleteMultipartUpload"
                | "AbortMultipartUpload"
                | "ListMultipartUploads"
                | "SelectObjectContent"
        )
}

/// S3 object-level events: by eventCategory "Data" when the record says so, else by API name.
pub fn s3_data_event_count(store: &EventStore) -> usize {
    let (Some(src), Some(name), Some(cat)) = (
        store.str_col("event_source"),
        store.str_col("event_name"),
        store.str_col("event_category"),
    ) else {
        return 0;
    };
    src.iter()
        .zip(name.iter())
        .zip(cat.iter())
        .filter(|((s, n), c)| {
            *s == Some("s3.amazonaws.com")
                && match c {
                    Some(c) => *c == "Data",
                    None => n.is_some_and(is_s3_object_api),
                }
        })
        .count()
}
