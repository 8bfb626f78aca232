//! Renderings of events for people and tools: JSON Lines, CSV, Markdown.
pub mod charts;
pub mod csv_out;
pub mod jsonl;
pub mod markdown;

/// The key columns shown in tables (CSV, Markdown) and their headers.
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
