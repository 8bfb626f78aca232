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
    /// Stretches of input passed over: bad records, damage between records, truncation.
    pub skipped: usize,
    /// Set when the whole input was unusable (not a log, empty, ...).
    pub fatal: Option<String>,
}

/// What one work unit yielded.
pub(super) struct Part {
    pub raw: RawStore,
    pub batch: Batch,
    pub not_records: usize,
    pub bad_records: usize,
    pub skipped: usize,
    pub problems: Vec<Problem>,
}

/// Per-work-unit state: records go to `batch`, their text to `raw`.
pub(super) struct Ctx {
    raw: RawStore,
    extra: Vec<u8>,
    batch: Batch,
    not_records: usize,
    bad_records: usize,
    /// Stretches of input passed over (each described or counted).
    skipped: usize,
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
            skipped: 0,
            problems: Vec::new(),
        }
    }

    /// A stretch passed over or suspicious that cost no record.
    pub(super) fn note(&mut self, offset: usize, reason: String) {
        self.skipped += 1;
        if self.problems.len() < MAX_DETAILED {
            self.problems.push(Problem {
                offset,
                line: None,
                reason,
            });
        }
    }

    pub(super) fn bad(&mut self, offset: usize, reason: String) {
        self.bad_records += 1;
        self.skipped += 1;
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
        match bytes.first() {
            Some(b'{') => {}
            // An array on a JSON Lines line: a document of its own.
            Some(b'[') if depth < MAX_DEPTH => {
                let sub = &buf[..range.end];
                return self.document_at(buf_id, sub, range.start, depth + 1);
            }
            // Scalars (`null`, `42`) and nested arrays are not records: counted, never invented
            // into events (a struct would otherwise read `[1,2,3]` positionally).
            _ => {
                if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
                    self.not_records += 1;
                } else {
                    self.bad(range.start, format!("not JSON: {:?}", preview(bytes)));
                }
                return;
            }
        }
        let rec: Record<'_> = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(e) => {
                let at = element_error_offset(bytes, &e);
                let reason = format!("invalid record: {}", serde_msg(&e));
                return self.salvage(buf_id, buf, range, at, reason, depth);
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
        } else if depth < MAX_DEPTH && wraps_records(bytes) {
            // A whole `{"Records":[...]}` document on one JSON Lines line.
            let sub = &buf[..range.end];
            self.document_at(buf_id, sub, range.start, depth + 1);
        } else {
            self.not_records += 1;
        }
    }

    /// An element that did not parse: counted as one bad record, and the records it swallowed
    /// (a record missing its closing brace runs into its neighbours) are loaded.
    fn salvage(
        &mut self,
        buf_id: u32,
        buf: &[u8],
        range: Range<usize>,
        at: usize,
        reason: String,
        depth: u8,
    ) {
        let (found, gaps) = split::salvage(buf, range.clone(), &is_record);
        if found.is_empty() {
            return self.bad(range.start + at, reason);
        }
        self.skipped += gaps.len();
        for (i, gap) in gaps.iter().enumerate() {
            if i == 0 {
                self.bad(range.start, reason.clone());
            } else if gap.lost {
                self.bad(gap.start, "damaged stretch between records".to_owned());
            }
        }
        for r in found {
            self.element(buf_id, buf, r, depth);
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
        let plan = plan(buf, start);
        self.skipped += plan.damaged;
        self.bad_records += plan.lost;
        let room = MAX_DETAILED.saturating_sub(self.problems.len());
        self.problems
            .extend(plan.damage.into_iter().take(room).map(|d| d.problem));
        for r in plan.elements {
            self.element(buf_id, buf, r, depth);
        }
    }

    pub(super) fn into_parts(mut self) -> Part {
        self.raw.set_buffer(EXTRA_BUF, Arc::new(self.extra));
        Part {
            raw: self.raw,
            batch: self.batch,
            not_records: self.not_records,
            bad_records: self.bad_records,
            skipped: self.skipped,
            problems: self.problems,
        }
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

/// A stretch passed over while splitting, as a problem.
struct Skipped {
    problem: Problem,
}

/// A buffer's shape, its element ranges, and the stretches passed over.
struct Plan {
    shape: Option<Shape>,
    elements: Vec<Range<usize>>,
    /// The first stretches passed over, described.
    damage: Vec<Skipped>,
    /// All stretches passed over, and those that cost a record.
    damaged: usize,
    lost: usize,
}

/// Whether an object reads as a record or a record's wrapper: where records resume after damage.
pub fn is_record(bytes: &[u8]) -> bool {
    bytes.first() == Some(&b'{')
        && serde_json::from_slice::<Record<'_>>(bytes).is_ok_and(|r| {
            r.is_cloudtrail() || r.cloudtrail_event.get().is_some() || r.siem_raw.is_some()
        })
}

/// Whether an object that is not a record has a top-level `Records`/`Events` array.
fn wraps_records(bytes: &[u8]) -> bool {
    ["Records", "Events"]
        .iter()
        .any(|k| split::find_key_array(bytes, 0, k).is_some())
}

/// Cuts the input from `start` into elements: by line for JSON Lines, else by the structural
/// splitter (one or more documents, resynchronised after damage).
fn plan(buf: &[u8], start: usize) -> Plan {
    if is_json_lines(buf, start) {
        let ranges = split::split_lines(&buf[start..])
            .into_iter()
            .map(|(_, r)| r.start + start..r.end + start)
            .collect();
        return Plan {
            shape: Some(Shape::JsonLines),
            elements: trim_ranges(buf, ranges),
            damage: Vec::new(),
            damaged: 0,
            lost: 0,
        };
    }
    let split = split::split_documents(buf, start, &is_record);
    let shape = split.container.map(|c| match c {
        split::Container::Records => Shape::Records,
        split::Container::Events => Shape::Events,
        split::Container::Array => Shape::Array,
        split::Container::Object => Shape::Object,
    });
    let damage = split
        .damage
        .into_iter()
        .map(|d| Skipped {
            problem: Problem {
                offset: d.start,
                line: None,
                reason: d.reason,
            },
        })
        .collect();
    Plan {
        shape,
        elements: split.elements,
        damage,
        damaged: split.damaged,
        lost: split.lost,
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

/// Lines looked at to tell JSON Lines from a (pretty-printed) document.
const SNIFF_LINES: usize = 8;

/// JSON Lines: among the first lines, the first one that starts an object holds a complete
/// object, or two lines do (the first line may be broken, `null` or a number). A document that
/// is one line long is not JSON Lines.
fn is_json_lines(buf: &[u8], start: usize) -> bool {
    let mut complete = 0;
    let mut first_object: Option<bool> = None;
    let mut lines = 0;
    let mut pos = start;
    while pos < buf.len() && lines < SNIFF_LINES {
        let eol = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |p| pos + p);
        let line_start = skip_bom_ws(&buf[..eol], pos);
        pos = eol + 1;
        if line_start >= eol {
            continue;
        }
        lines += 1;
        if buf[line_start] != b'{' {
            continue;
        }
        // Only this line is scanned: a 1 GB one-line Records file costs nothing here.
        let whole = split::value_end(&buf[..eol], line_start)
            .is_some_and(|end| buf[end..eol].iter().all(u8::is_ascii_whitespace));
        first_object.get_or_insert(whole);
        complete += usize::from(whole);
    }
    lines >= 2 && (first_object == Some(true) || complete >= 2)
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
        skipped: 0,
        fatal: Some(fatal),
    };
    if start >= buf.len() {
        return empty("empty input".to_owned());
    }
    if csv_input::looks_like_csv(&buf[start..]) {
        return csv_input::parse_csv(&buf, file_id);
    }
    let plan = plan(&buf, start);
    if plan.elements.is_empty() && !matches!(buf[start], b'{' | b'[') {
        return empty(format!(
            "not a CloudTrail log: unrecognised content starting {:?}",
            preview(&buf[start..])
        ));
    }
    // Parse work units in parallel; each keeps its own raw spans and columns, merged in order.
    let parts: Vec<Part> = plan
        .elements
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
        shape: plan.shape.or(Some(Shape::Object)),
        raw: RawStore::default(),
        batches: Vec::with_capacity(parts.len()),
        not_records: 0,
        problems: Vec::new(),
        bad_records: 0,
        skipped: 0,
        fatal: None,
    };
    for mut part in parts {
        let shift = out.raw.append(part.raw);
        part.batch.offset_raw_ids(shift);
        out.batches.push(part.batch);
        out.not_records += part.not_records;
        out.bad_records += part.bad_records;
        out.skipped += part.skipped;
        out.problems.extend(part.problems);
    }
    out.skipped += plan.damaged;
    out.bad_records += plan.lost;
    out.problems.extend(
        plan.damage
            .into_iter()
            .take(MAX_DETAILED)
            .map(|d| d.problem),
    );
    finish_problems(&buf, &mut out.problems);
    out
}

/// The fast path for the body of a clean `Records` array (`buf[body]`: records separated by
/// commas): each record is parsed once and its end taken from the parser, with no separate
/// splitting pass over the text. `None` at the first thing that is not a plain, well-formed
/// CloudTrail record; the caller then parses the buffer the ordinary way, which owns every
/// guarantee about damaged input.
pub fn parse_clean_records(buf: &Arc<Vec<u8>>, file_id: u32, body: Range<usize>) -> Option<Parsed> {
    let b = buf.get(..body.end)?;
    let ws = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut ctx = Ctx::new(buf, file_id, body.len() / 1024);
    let mut pos = ws(body.start);
    loop {
        if b.get(pos) != Some(&b'{') {
            return None;
        }
        let mut stream = serde_json::Deserializer::from_slice(&b[pos..]).into_iter::<Record<'_>>();
        let rec = stream.next()?.ok()?;
        if !rec.is_cloudtrail() {
            return None;
        }
        let end = pos + stream.byte_offset();
        let id = ctx.raw.push_span(MAIN_BUF, pos, end);
        ctx.batch.push(&rec, id);
        pos = ws(end);
        match b.get(pos) {
            None => break,
            Some(b',') => pos = ws(pos + 1),
            Some(_) => return None,
        }
    }
    let part = ctx.into_parts();
    Some(Parsed {
        shape: Some(Shape::Records),
        raw: part.raw,
        batches: vec![part.batch],
        not_records: 0,
        problems: Vec::new(),
        bad_records: 0,
        skipped: 0,
        fatal: None,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: usize) -> String {
        format!(
            r#"{{"eventTime":"2024-01-01T00:00:{:02}Z","eventName":"Get{i}","eventSource":"s3.amazonaws.com","eventID":"id-{i}","requestParameters":{{"p":"{{\"a\":1}},{{\"b\":2}}"}}}}"#,
            i % 60
        )
    }

    fn texts(p: &Parsed) -> Vec<String> {
        (0..p.raw.len() as u32)
            .map(|i| p.raw.compact(i).expect("record"))
            .collect()
    }

    /// `{"Records":[` + body + `]}`, with the body's range.
    fn doc(body: &str) -> (Arc<Vec<u8>>, Range<usize>) {
        let head = "{\"Records\":[";
        let text = format!("{head}{body}]}}");
        (
            Arc::new(text.into_bytes()),
            head.len()..head.len() + body.len(),
        )
    }

    #[test]
    fn clean_records_fast_path_matches_the_ordinary_parse() {
        let recs: Vec<String> = (0..300).map(rec).collect();
        let (buf, body) = doc(&format!(" {} \n", recs.join(" ,\n ")));
        let fast = parse_clean_records(&buf, 0, body).expect("clean body");
        let slow = parse_input(Arc::clone(&buf), 0);
        assert_eq!(texts(&fast), texts(&slow));
        assert_eq!(texts(&fast), recs);
        let len = |p: &Parsed| p.batches.iter().map(Batch::len).sum::<usize>();
        assert_eq!(len(&fast), 300);
        assert_eq!(len(&slow), 300);
    }

    #[test]
    fn anything_unusual_leaves_the_fast_path() {
        let (a, b) = (rec(1), rec(2));
        for body in [
            format!("{a},{{\"x\":1}},{b}"), // an element that is not a record
            format!("{a} {b}"),             // a missing comma
            format!("{a},,{b}"),            // an empty element
            format!("{a},42"),              // a scalar
            format!("{a},{}", &b[..b.len() - 1]), // a record cut short
            format!("{a},{b},"),            // a trailing comma
            String::new(),                  // nothing at all
        ] {
            let (buf, range) = doc(&body);
            assert!(
                parse_clean_records(&buf, 0, range).is_none(),
                "fast path took {body:?}"
            );
        }
    }
}
