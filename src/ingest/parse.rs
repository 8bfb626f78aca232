//! One input buffer to records: shape detection, element splitting, per-element parsing.
//!
//! Every shape goes through the same structural splitter ([`super::split`]), and each element is
//! parsed on its own, so a broken record costs only itself, and a large file is parsed on all cores.
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::batch::Batch;
use super::csv_input;
use super::record::Record;
use super::split::{self, line_of};
use crate::model::raw::RawStore;

/// Elements per parallel work unit.
const CHUNK: usize = 8192;
/// How deep wrappers may nest (`_raw` strings holding documents holding ...).
const MAX_DEPTH: u8 = 3;
/// Per file, how many bad records are described one by one (the rest are counted).
pub const MAX_DETAILED: usize = 20;

pub use crate::model::load::{Problem, Shape};

/// What one buffer yielded.
pub struct Parsed {
    pub shape: Option<Shape>,
    pub raw: RawStore,
    /// Columns per work unit, raw ids local to `raw`.
    pub batches: Vec<Batch>,
    /// Elements of a recognised container that were not CloudTrail records (e.g. SIEM envelopes).
    pub not_records: usize,
    /// Records that failed to parse, and structural problems (truncation).
    pub problems: Vec<Problem>,
    pub bad_records: usize,
    /// Set when the whole input was unusable (not a log, empty, ...).
    pub fatal: Option<String>,
}

/// Per-work-unit state: records go to `batch`, their text to `raw`.
pub(super) struct Ctx {
    raw: RawStore,
    extra: Vec<u8>,
    batch: Batch,
    not_records: usize,
    bad_records: usize,
    problems: Vec<Problem>,
}

const MAIN_BUF: u32 = 0;
const EXTRA_BUF: u32 = 1;

impl Ctx {
    pub(super) fn new(main: &Arc<Vec<u8>>, file_id: u32, capacity: usize) -> Self {
        let mut raw = RawStore::default();
        raw.push_buffer(Arc::clone(main));
        raw.push_buffer(Arc::new(Vec::new()));
        Ctx {
            raw,
            extra: Vec::new(),
            batch: Batch::new(file_id, capacity),
            not_records: 0,
            bad_records: 0,
            problems: Vec::new(),
        }
    }

    pub(super) fn bad(&mut self, offset: usize, reason: String) {
        self.bad_records += 1;
        if self.problems.len() < MAX_DETAILED {
            self.problems.push(Problem {
                offset,
                line: None,
                reason,
            });
        }
    }

    /// Parses the element `buf[range]`, where `buf` is raw buffer `buf_id`.
    fn element(&mut self, buf_id: u32, buf: &[u8], range: Range<usize>, depth: u8) {
        let bytes = &buf[range.clone()];
        let rec: Record<'_> = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(e) => {
                let at = element_error_offset(bytes, &e);
                self.bad(
                    range.start + at,
                    format!("invalid record: {}", serde_msg(&e)),
                );
                return;
            }
        };
        if rec.is_cloudtrail() {
            let id = self.raw.push_span(buf_id, range.start, range.end);
            self.batch.push(&rec, id);
        } else if let Some(inner) = rec.cloudtrail_event.get() {
            self.rebuilt(inner, range.start);
        } else if let Some(raw) = rec.siem_raw.filter(|_| depth < MAX_DEPTH) {
            let text = raw.get();
            if text.starts_with('"') {
                match serde_json::from_str::<String>(text) {
                    Ok(doc) => {
                        let doc = Arc::new(doc.into_bytes());
                        let id = self.raw.push_buffer(Arc::clone(&doc));
                        self.document(id, &doc, depth + 1);
                    }
                    Err(e) => self.bad(
                        range.start,
                        format!("invalid _raw string: {}", serde_msg(&e)),
                    ),
                }
            } else {
                // An object inside this element: parse it in place.
                let start = range.start + (text.as_ptr() as usize - bytes.as_ptr() as usize);
                let sub = &buf[..start + text.len()];
                self.document_at(buf_id, sub, start, depth + 1);
            }
        } else {
            self.not_records += 1;
        }
    }

    /// A record given as text (Event History's escaped `CloudTrailEvent`, a CSV row): kept in the
    /// rebuilt-records buffer.
    pub(super) fn rebuilt(&mut self, text: &str, offset: usize) {
        match serde_json::from_str::<Record<'_>>(text) {
            Ok(rec) if rec.is_cloudtrail() => {
                let start = self.extra.len();
                self.extra.extend_from_slice(text.as_bytes());
                let id = self.raw.push_span(EXTRA_BUF, start, self.extra.len());
                self.batch.push(&rec, id);
            }
            Ok(_) => self.not_records += 1,
            Err(e) => self.bad(
                offset,
                format!("invalid embedded record: {}", serde_msg(&e)),
            ),
        }
    }

    /// A whole document held in raw buffer `buf_id`.
    fn document(&mut self, buf_id: u32, buf: &[u8], depth: u8) {
        let start = skip_bom_ws(buf, 0);
        if start < buf.len() {
            self.document_at(buf_id, buf, start, depth);
        }
    }

    /// The document starting at `start` (nested documents: sequential, they are small).
    fn document_at(&mut self, buf_id: u32, buf: &[u8], start: usize, depth: u8) {
        match plan(buf, start) {
            Ok((_, elements, stop)) => {
                for r in elements {
                    self.element(buf_id, buf, r, depth);
                }
                if let Some(p) = stop {
                    self.problems.push(p);
                }
            }
            Err(msg) => self.bad(start, msg),
        }
    }

    pub(super) fn into_parts(mut self) -> (RawStore, Batch, usize, usize, Vec<Problem>) {
        self.raw.set_buffer(EXTRA_BUF, Arc::new(self.extra));
        (
            self.raw,
            self.batch,
            self.not_records,
            self.bad_records,
            self.problems,
        )
    }
}

fn skip_bom_ws(buf: &[u8], mut i: usize) -> usize {
    if buf[i..].starts_with(b"\xEF\xBB\xBF") {
        i += 3;
    }
    while i < buf.len() && buf[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// serde's message without its element-relative position (problems carry their own file position).
fn serde_msg(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Byte offset within an element of a serde error (serde reports line and column).
fn element_error_offset(bytes: &[u8], e: &serde_json::Error) -> usize {
    let line_start = if e.line() <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', bytes)
            .nth(e.line() - 2)
            .map_or(0, |p| p + 1)
    };
    (line_start + e.column().saturating_sub(1)).min(bytes.len())
}

/// Decides the shape of the document at `start` and cuts it into element ranges.
/// A document's shape, its element ranges, and where scanning stopped early (if it did).
type Plan = (Shape, Vec<Range<usize>>, Option<Problem>);

fn plan(buf: &[u8], start: usize) -> Result<Plan, String> {
    let to_problem = |s: split::ScanStop| Problem {
        offset: s.offset,
        line: None,
        reason: s.reason,
    };
    match buf[start] {
        b'{' if is_json_lines(buf, start) => {
            let lines = split::split_lines(&buf[start..]);
            let ranges = lines
                .into_iter()
                .map(|(_, r)| r.start + start..r.end + start)
                .collect();
            Ok((Shape::JsonLines, trim_ranges(buf, ranges), None))
        }
        b'{' => {
            for (key, shape) in [("Records", Shape::Records), ("Events", Shape::Events)] {
                if let Some(open) = split::find_key_array(buf, start, key) {
                    let (elements, stop) = split::split_array(buf, open);
                    return Ok((shape, elements, stop.map(to_problem)));
                }
            }
            match split::value_end(buf, start) {
                Some(end) => Ok((Shape::Object, std::iter::once(start..end).collect(), None)),
                None => Ok((
                    Shape::Object,
                    Vec::new(),
                    Some(Problem {
                        offset: start,
                        line: None,
                        reason: "truncated: the input ends inside the object".to_owned(),
                    }),
                )),
            }
        }
        b'[' => {
            let (elements, stop) = split::split_array(buf, start);
            Ok((Shape::Array, elements, stop.map(to_problem)))
        }
        _ => Err(format!(
            "not a CloudTrail log: unrecognised content starting {:?}",
            preview(&buf[start..])
        )),
    }
}

fn trim_ranges(buf: &[u8], ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges
        .into_iter()
        .map(|mut r| {
            while r.end > r.start && buf[r.end - 1].is_ascii_whitespace() {
                r.end -= 1;
            }
            while r.start < r.end && buf[r.start].is_ascii_whitespace() {
                r.start += 1;
            }
            r
        })
        .collect()
}

/// JSON Lines: the first line holds a complete object, and more content follows it.
fn is_json_lines(buf: &[u8], start: usize) -> bool {
    // Only the first line is looked at: a one-line document is never JSON Lines, and scanning a
    // 1 GB single-line Records file here would cost a whole extra pass.
    let Some(eol) = memchr::memchr(b'\n', &buf[start..]).map(|p| start + p) else {
        return false;
    };
    match split::value_end(&buf[..eol], start) {
        Some(end) if end <= eol => buf[eol.min(buf.len())..]
            .iter()
            .any(|c| !c.is_ascii_whitespace()),
        _ => false,
    }
}

/// A short, printable preview of bytes for messages.
pub fn preview(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(24)];
    String::from_utf8_lossy(head)
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect()
}

/// Parses one whole (already inflated) input.
pub fn parse_input(buf: Arc<Vec<u8>>, file_id: u32) -> Parsed {
    let start = skip_bom_ws(&buf, 0);
    let empty = |fatal: String| Parsed {
        shape: None,
        raw: RawStore::default(),
        batches: Vec::new(),
        not_records: 0,
        problems: Vec::new(),
        bad_records: 0,
        fatal: Some(fatal),
    };
    if start >= buf.len() {
        return empty("empty input".to_owned());
    }
    if csv_input::looks_like_csv(&buf[start..]) {
        return csv_input::parse_csv(&buf, file_id);
    }
    let (shape, elements, stop) = match plan(&buf, start) {
        Ok(p) => p,
        Err(msg) => return empty(msg),
    };
    // Parse work units in parallel; each keeps its own raw spans and columns, merged in order.
    let parts: Vec<_> = elements
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut ctx = Ctx::new(&buf, file_id, chunk.len());
            for r in chunk {
                ctx.element(MAIN_BUF, &buf, r.clone(), 0);
            }
            ctx.into_parts()
        })
        .collect();
    let mut out = Parsed {
        shape: Some(shape),
        raw: RawStore::default(),
        batches: Vec::with_capacity(parts.len()),
        not_records: 0,
        problems: Vec::new(),
        bad_records: 0,
        fatal: None,
    };
    for (raw, mut batch, not_records, bad, problems) in parts {
        let shift = out.raw.append(raw);
        batch.offset_raw_ids(shift);
        out.batches.push(batch);
        out.not_records += not_records;
        out.bad_records += bad;
        out.problems.extend(problems);
    }
    if let Some(p) = stop {
        // A cut-off element is a lost record; a missing `]` after complete ones is not.
        if !p.reason.contains("not closed") {
            out.bad_records += 1;
        }
        out.problems.push(p);
    }
    finish_problems(&buf, &mut out.problems);
    out
}

/// Orders problems by position, keeps the first [`MAX_DETAILED`], and fills in their line numbers.
pub fn finish_problems(buf: &[u8], problems: &mut Vec<Problem>) {
    problems.sort_by_key(|p| p.offset);
    problems.truncate(MAX_DETAILED);
    for p in problems.iter_mut() {
        if p.line.is_none() {
            p.line = Some(line_of(buf, p.offset));
        }
    }
}
