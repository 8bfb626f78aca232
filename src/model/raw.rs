//! The raw store: the original text of every record, so no field is ever lost.
//!
//! Each record is a span into a buffer that holds the (inflated) file it came from, or, for inputs
//! whose records had to be rebuilt (Event History strings, CSV rows, SIEM `_raw` strings), into a
//! buffer of rebuilt JSON. The event table refers to a record by its `raw_id`.
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
pub struct RawSpan {
    pub buf: u32,
    pub start: u64,
    pub len: u32,
}

#[derive(Debug, Default, Clone)]
pub struct RawStore {
    buffers: Vec<Arc<Vec<u8>>>,
    spans: Vec<RawSpan>,
}

impl RawStore {
    /// Appends another store, returning the offset its raw ids moved by.
    pub fn append(&mut self, other: RawStore) -> u32 {
        let id_offset = self.spans.len() as u32;
        let buf_offset = self.buffers.len() as u32;
        self.buffers.extend(other.buffers);
        self.spans.extend(other.spans.into_iter().map(|mut s| {
            s.buf += buf_offset;
            s
        }));
        id_offset
    }

    pub fn push_buffer(&mut self, buf: Arc<Vec<u8>>) -> u32 {
        self.buffers.push(buf);
        (self.buffers.len() - 1) as u32
    }

    pub fn set_buffer(&mut self, idx: u32, buf: Arc<Vec<u8>>) {
        if let Some(slot) = self.buffers.get_mut(idx as usize) {
            *slot = buf;
        }
    }

    pub fn push_span(&mut self, buf: u32, start: usize, end: usize) -> u32 {
        self.spans.push(RawSpan {
            buf,
            start: start as u64,
            len: (end - start) as u32,
        });
        (self.spans.len() - 1) as u32
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The record's bytes exactly as read.
    pub fn bytes(&self, raw_id: u32) -> Option<&[u8]> {
        let span = self.spans.get(raw_id as usize)?;
        let buf = self.buffers.get(span.buf as usize)?;
        let start = span.start as usize;
        buf.get(start..start + span.len as usize)
    }

    /// The record's text exactly as read (records were validated as UTF-8 when parsed).
    pub fn text(&self, raw_id: u32) -> Option<Cow<'_, str>> {
        self.bytes(raw_id).map(String::from_utf8_lossy)
    }

    /// The record as compact single-line JSON (whitespace outside strings removed).
    pub fn compact(&self, raw_id: u32) -> Option<String> {
        self.bytes(raw_id).map(super::json::minify)
    }

    /// The record parsed, for pretty printing and field access.
    pub fn value(&self, raw_id: u32) -> Option<serde_json::Value> {
        serde_json::from_slice(self.bytes(raw_id)?).ok()
    }
}
