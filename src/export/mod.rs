//! Renderings of events for people and tools: JSON Lines, CSV, Markdown, Timesketch JSONL, the
//! detection timeline, the analysis as JSON and CSV, and charts as Mermaid.
pub mod analysis_out;
pub mod charts;
pub mod csv_out;
pub mod jsonl;
pub mod markdown;
pub mod timeline;
pub mod timesketch;

/// The key columns shown in tables (Markdown) and their headers.
pub const KEY_COLUMNS: [(&str, &str); 9] = [
    ("principal", "Principal"),
    ("event_source", "Source"),
    ("event_name", "Event"),
    ("aws_region", "Region"),
    ("source_ip", "Source IP"),
    ("error_code", "Error"),
    ("bucket", "Bucket"),
    ("object_key", "Key"),
    ("event_id", "Event ID"),
];

/// The network class of an event's source address (`aws-service`, `aws`, `private`, `outside`,
/// `none`; see `model::net`), empty when the store has none.
pub fn network_class(store: &crate::model::store::EventStore, row: usize) -> String {
    store
        .str_at(crate::model::schema::NET_CLASS, row)
        .unwrap_or_default()
}
