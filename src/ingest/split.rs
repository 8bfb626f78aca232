//! A structural JSON scanner that cuts a document into its top-level array elements without parsing
//! them. It is the salvage path for broken files (a bad record must not take its neighbours down)
//! and lets one large file be parsed on several cores.
use std::ops::Range;

use crate::model::json::skip_string;

/// Where the scanner stopped early: the byte offset and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanStop {
    pub offset: usize,
    pub reason: String,
}

/// The end (exclusive) of the value that starts at `start` (an object, array, string or scalar).
fn skip_value(buf: &[u8], start: usize) -> Result<usize, ScanStop> {
    let truncated = |offset| ScanStop {
        offset,
        reason: format!(
            "truncated: the value starting here is cut off by the end of input (byte {})",
            buf.len()
        ),
    };
    match buf.get(start) {
        Some(b'"') => skip_string(buf, start).ok_or(truncated(start)),
        Some(b'{') => skip_object(buf, start).ok_or_else(|| truncated(start)),
        Some(b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < buf.len() {
                match buf[i] {
                    b'"' => {
                        i = skip_string(buf, i).ok_or(truncated(start))?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(truncated(start))
        }
        Some(_) => {
            let end = buf[start..]
                .iter()
                .position(|&c| matches!(c, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                .map_or(buf.len(), |p| start + p);
            Ok(end)
        }
        None => Err(truncated(start)),
    }
}

/// The end (exclusive) of the JSON value starting at `start`, if it is complete.
pub fn value_end(buf: &[u8], start: usize) -> Option<usize> {
    skip_value(buf, start).ok()
}

/// The end of the object whose `{` is at `open`. Only braces and strings decide where an object
/// ends (brackets nest inside it either way), so the scan jumps between `"`, `{` and `}` with
/// memchr instead of looking at every byte: this is the hot loop of loading a large file.
fn skip_object(buf: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    loop {
        i += memchr::memchr3(b'"', b'{', b'}', &buf[i..])?;
        match buf[i] {
            b'"' => {
                i = skip_string(buf, i)?;
                continue;
            }
            b'{' => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
        }
        i += 1;
    }
}

fn skip_ws(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && matches!(buf[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// Splits the array whose `[` is at `open` into element ranges. Elements found before a structural
/// problem are returned with the problem.
pub fn split_array(buf: &[u8], open: usize) -> (Vec<Range<usize>>, Option<ScanStop>) {
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        i = skip_ws(buf, i);
        match buf.get(i) {
            None => {
                return (
                    out,
                    Some(ScanStop {
                        offset: i,
                        reason: "truncated: the array is not closed".to_owned(),
                    }),
                );
            }
            Some(b']') => return (out, None),
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(&c) if !starts_value(c) => {
                return (
                    out,
                    Some(ScanStop {
                        offset: i,
                        reason: format!("unexpected {:?} where an element should start", c as char),
                    }),
                );
            }
            Some(_) => match skip_value(buf, i) {
                Ok(end) if end > i => {
                    out.push(i..end);
                    i = end;
                }
                Ok(_) => {
                    return (
                        out,
                        Some(ScanStop {
                            offset: i,
                            reason: "empty element".to_owned(),
                        }),
                    );
                }
                Err(stop) => return (out, Some(stop)),
            },
        }
    }
}

/// Whether a byte can begin a JSON value.
fn starts_value(c: u8) -> bool {
    matches!(
        c,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

/// Finds the array under `key` in the top-level object that starts at `open`: the offset of its `[`.
pub fn find_key_array(buf: &[u8], open: usize, key: &str) -> Option<usize> {
    let mut i = open + 1;
    loop {
        i = skip_ws(buf, i);
        match buf.get(i)? {
            b'"' => {
                let end = skip_string(buf, i)?;
                let name = &buf[i + 1..end - 1];
                i = skip_ws(buf, end);
                if buf.get(i) != Some(&b':') {
                    return None;
                }
                i = skip_ws(buf, i + 1);
                if name == key.as_bytes() && buf.get(i) == Some(&b'[') {
                    return Some(i);
                }
                i = skip_value(buf, i).ok()?;
            }
            b',' => i += 1,
            _ => return None,
        }
    }
}

/// Line ranges of a JSON Lines buffer, blank lines left out; each with its 1-based line number.
pub fn split_lines(buf: &[u8]) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', buf).chain(std::iter::once(buf.len()));
    for (line, nl) in (1..).zip(ends) {
        if nl < start {
            break;
        }
        let r = start..nl;
        if buf[r.clone()].iter().any(|c| !c.is_ascii_whitespace()) {
            out.push((line, r));
        }
        start = nl + 1;
    }
    out
}

/// 1-based line number of a byte offset.
pub fn line_of(buf: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &buf[..offset.min(buf.len())]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_elements_with_tricky_strings() {
        let doc = br#"[{"a":"}]\"{"}, {"b":[1,2]} ,"s", 12 ]"#;
        let (parts, stop) = split_array(doc, 0);
        assert_eq!(stop, None);
        let texts: Vec<_> = parts.iter().map(|r| &doc[r.clone()]).collect();
        assert_eq!(
            texts,
            vec![
                &br#"{"a":"}]\"{"}"#[..],
                br#"{"b":[1,2]}"#,
                br#""s""#,
                b"12"
            ]
        );
    }

    #[test]
    fn truncated_array_keeps_complete_elements() {
        let doc = br#"{"Records":[{"a":1},{"b":2},{"c":"#;
        let open = find_key_array(doc, 0, "Records").expect("key");
        let (parts, stop) = split_array(doc, open);
        assert_eq!(parts.len(), 2);
        let stop = stop.expect("stop");
        assert_eq!(stop.offset, 28);
    }

    #[test]
    fn finds_key_after_other_members() {
        let doc = br#"{ "x": {"Records": 1}, "Records" : [ ] }"#;
        let open = find_key_array(doc, 0, "Records").expect("key");
        assert_eq!(doc[open], b'[');
        assert_eq!(split_array(doc, open).0.len(), 0);
    }

    #[test]
    fn lines_and_line_numbers() {
        let buf = b"{\"a\":1}\n\n  \n{\"b\":2}";
        let lines = split_lines(buf);
        assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), vec![1, 4]);
        assert_eq!(line_of(buf, 12), 4);
    }
}

pub use crate::model::json::minify;

#[cfg(test)]
mod minify_tests {
    #[test]
    fn keeps_strings_and_order() {
        let pretty = b"{\n  \"b\" : \"x  y\\\" z\",\n  \"a\": [ 1, 2 ]\n}";
        assert_eq!(super::minify(pretty), r#"{"b":"x  y\" z","a":[1,2]}"#);
    }
}

/// A stretch of input the splitter passed over.
#[derive(Debug, Clone, PartialEq)]
pub struct Damage {
    pub start: usize,
    pub end: usize,
    pub reason: String,
    /// Whether the stretch held (part of) a record, so a record was lost there.
    pub lost: bool,
}

/// What a document's records sit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `{"Records":[...]}` (or another top-level key whose array holds records).
    Records,
    /// `{"Events":[...]}`.
    Events,
    /// A bare array.
    Array,
    /// A single object per document.
    Object,
}

/// The elements of a buffer of one or more JSON documents, and what was passed over.
#[derive(Debug, Default)]
pub struct Split {
    pub elements: Vec<Range<usize>>,
    /// The first [`DAMAGE_DETAILED`] stretches passed over, in input order.
    pub damage: Vec<Damage>,
    /// All stretches passed over, and those that cost a record.
    pub damaged: usize,
    pub lost: usize,
    /// How the first document held its records.
    pub container: Option<Container>,
}

/// Stretches described one by one (the rest are counted).
pub const DAMAGE_DETAILED: usize = 64;

/// Largest element a resynchronisation candidate may be (bounds the work per candidate).
const RESYNC_WINDOW: usize = 4 << 20;

/// Where records may resume after damage.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Resume {
    /// A record that is an element of an array (or follows a cut-off record).
    InArray(usize, usize),
    /// A record that starts a new document (after `}`/`]`, on a new line, or at the start).
    Document(usize),
    /// `"Records": [` / `"Events": [`: the `[`.
    Container(usize, Container),
}

/// One level of the structure being walked (at most an object holding an array).
#[derive(Debug, Clone, Copy)]
enum Level {
    /// A top-level object; `found` once one of its members was a records array.
    Object {
        open: usize,
        found: bool,
    },
    Array,
}

struct Splitter<'a> {
    buf: &'a [u8],
    is_record: &'a dyn Fn(&[u8]) -> bool,
    out: Split,
    stack: Vec<Level>,
    /// Set after a resynchronisation: the enclosing structure is a guess, so closing brackets
    /// and commas that do not fit it are passed over quietly.
    loose: bool,
    /// Bytes looked at by resynchronisation, bounded so hostile input cannot make it quadratic.
    work: usize,
    budget: usize,
}

/// Cuts `buf` (from `start`) into record elements: one or more concatenated documents, each a
/// `{"Records":[...]}`-style wrapper, an array, or a single object. After damage (a record cut
/// off, a stray bracket, a flipped quote) it resumes at the next record start that parses as a
/// record (`is_record`), so one broken record costs only itself; every stretch passed over is
/// reported with its byte range.
pub fn split_documents(buf: &[u8], start: usize, is_record: &dyn Fn(&[u8]) -> bool) -> Split {
    let mut s = Splitter {
        buf,
        is_record,
        out: Split::default(),
        stack: Vec::with_capacity(2),
        loose: false,
        work: 0,
        budget: buf.len().saturating_mul(8).saturating_add(64 << 20),
    };
    let mut i = start;
    let mut stalled = 0u32;
    while i < buf.len() {
        let next = s.step(i);
        // Every few steps must consume input (a step may only change state): a scanner that
        // stops advancing is a bug, and must cost one byte, never an endless loop.
        if next > i {
            stalled = 0;
        } else {
            stalled += 1;
            debug_assert!(stalled < 4, "splitter stalled at byte {i}");
            if stalled >= 4 {
                s.damage(i, i + 1, "scanner made no progress".to_owned());
                s.stack.clear();
                stalled = 0;
                i += 1;
                continue;
            }
        }
        i = next;
    }
    s.finish();
    s.out
}

impl Splitter<'_> {
    fn damage(&mut self, start: usize, end: usize, reason: String) {
        let end = end.min(self.buf.len());
        let lost = memchr::memchr(b'"', &self.buf[start.min(end)..end]).is_some();
        self.note(Damage {
            start,
            end,
            reason,
            lost,
        });
    }

    fn note(&mut self, d: Damage) {
        self.out.damaged += 1;
        self.out.lost += usize::from(d.lost);
        if self.out.damage.len() < DAMAGE_DETAILED {
            self.out.damage.push(d);
        }
    }

    fn container(&mut self, c: Container) {
        self.out.container.get_or_insert(c);
    }

    /// Notes how the input ended inside an open structure.
    fn finish(&mut self) {
        let len = self.buf.len();
        match self.stack.last().copied() {
            Some(Level::Array) if !self.loose => {
                self.note(Damage {
                    start: len,
                    end: len,
                    reason: "truncated: the array is not closed".to_owned(),
                    lost: false,
                });
                self.unswallow();
            }
            Some(Level::Object { open, found: false }) => self.damage(
                open,
                len,
                "truncated: the input ends inside the object".to_owned(),
            ),
            _ => {}
        }
    }

    /// An array that runs to the end of input although its last element is whole: that element
    /// may have lost a closing bracket and taken the following records in as its members
    /// (`"resources":[{..}` missing `]}` reads on through the array's own `]`). Records found
    /// inside it are added after it.
    fn unswallow(&mut self) {
        let Some(last) = self.out.elements.last().cloned() else {
            return;
        };
        let (found, _) = salvage(self.buf, last.clone(), self.is_record);
        if let Some(first) = found.first() {
            let first = first.start;
            self.note(Damage {
                start: last.start,
                end: first,
                reason: format!(
                    "the element at byte {} holds {} record(s) after its own (a closing bracket is missing); loaded them from inside it",
                    last.start,
                    found.len()
                ),
                lost: false,
            });
            self.out.elements.extend(found);
        }
    }

    /// One step of the walk at `i`; returns where to continue.
    fn step(&mut self, i: usize) -> usize {
        let buf = self.buf;
        let i = skip_ws_bom(buf, i);
        let Some(&c) = buf.get(i) else {
            return buf.len();
        };
        match self.stack.last().copied() {
            None => match c {
                b'{' => {
                    self.loose = false;
                    self.stack.push(Level::Object {
                        open: i,
                        found: false,
                    });
                    i + 1
                }
                b'[' => {
                    self.loose = false;
                    self.container(Container::Array);
                    self.stack.push(Level::Array);
                    i + 1
                }
                b'}' | b']' | b',' if self.loose => i + 1,
                _ => self.resync(i, unexpected(c, "where a document should start")),
            },
            Some(Level::Array) => match c {
                b']' => {
                    self.stack.pop();
                    i + 1
                }
                b',' => i + 1,
                c if starts_value(c) => match skip_value(buf, i) {
                    Ok(end) if end > i => {
                        self.out.elements.push(i..end);
                        end
                    }
                    Ok(_) => self.resync(i, "empty element".to_owned()),
                    Err(stop) => self.resync(i, stop.reason),
                },
                _ => self.resync(i, unexpected(c, "where a record should start")),
            },
            Some(Level::Object { open, found }) => match c {
                b'}' => {
                    self.stack.pop();
                    if !found {
                        self.container(Container::Object);
                        self.out.elements.push(open..i + 1);
                    }
                    i + 1
                }
                b',' => i + 1,
                b'"' => self.member(i, open, found),
                _ => self.resync(i, unexpected(c, "where a member name should be")),
            },
        }
    }

    /// A member of a top-level object whose name starts at `i`.
    fn member(&mut self, i: usize, open: usize, found: bool) -> usize {
        let buf = self.buf;
        let Some(name_end) = skip_string(buf, i) else {
            return self.resync(i, "truncated: a member name is cut off".to_owned());
        };
        let colon = skip_ws(buf, name_end);
        if buf.get(colon) != Some(&b':') {
            return self.resync(i, "a member name without ':'".to_owned());
        }
        let v = skip_ws(buf, colon + 1);
        if buf.get(v) == Some(&b'[') {
            let kind = match &buf[i + 1..name_end - 1] {
                b"Records" => Some(Container::Records),
                b"Events" => Some(Container::Events),
                // Another name (`records`, a SIEM's `data`) whose array holds records.
                _ if self.first_element_is_record(v) => Some(Container::Records),
                _ => None,
            };
            if let Some(kind) = kind {
                self.container(kind);
                if let Some(Level::Object { found, .. }) = self.stack.last_mut() {
                    *found = true;
                }
                self.stack.push(Level::Array);
                return v + 1;
            }
        }
        match skip_value(buf, v) {
            Ok(end) if end > v => end,
            Ok(_) => self.resync(v, "a member without a value".to_owned()),
            Err(stop) if found => self.resync(v, stop.reason),
            // A single object cut off: passed over from its start.
            Err(stop) => {
                self.stack.clear();
                self.resync_from(open, v + 1, stop.reason)
            }
        }
    }

    fn first_element_is_record(&mut self, open: usize) -> bool {
        let buf = self.buf;
        let first = skip_ws(buf, open + 1);
        if buf.get(first) != Some(&b'{') {
            return false;
        }
        let limit = (first + RESYNC_WINDOW).min(buf.len());
        skip_object(&buf[..limit], first).is_some_and(|end| (self.is_record)(&buf[first..end]))
    }

    /// Passes over damage at `i`: finds the next place records resume, notes the stretch in
    /// between, and sets the structure to continue in.
    fn resync(&mut self, i: usize, reason: String) -> usize {
        self.resync_from(i, i, reason)
    }

    /// Like [`Self::resync`] for damage that began at `i` but is known to reach `search`.
    fn resync_from(&mut self, i: usize, search: usize, reason: String) -> usize {
        let buf = self.buf;
        let found = find_resume(
            buf,
            search,
            buf.len(),
            self.is_record,
            &mut self.work,
            self.budget,
        );
        let at = match found {
            Some(Resume::InArray(s, _) | Resume::Document(s) | Resume::Container(s, _)) => s,
            None => buf.len(),
        };
        self.damage(i, at, format!("{reason}; passed over up to byte {at}"));
        self.loose = true;
        match found {
            Some(Resume::InArray(s, e)) => {
                // Records inside an array, most likely the wrapper's: continue in it.
                self.stack.clear();
                if matches!(
                    self.out.container,
                    Some(Container::Records | Container::Events)
                ) {
                    self.stack.push(Level::Object {
                        open: s,
                        found: true,
                    });
                }
                self.stack.push(Level::Array);
                self.out.elements.push(s..e);
                e
            }
            Some(Resume::Document(s)) => {
                self.stack.clear();
                s
            }
            Some(Resume::Container(open, kind)) => {
                self.container(kind);
                self.stack.clear();
                self.stack.push(Level::Object { open, found: true });
                self.stack.push(Level::Array);
                open + 1
            }
            None => buf.len(),
        }
    }
}

fn unexpected(c: u8, place: &str) -> String {
    if c.is_ascii_graphic() {
        format!("unexpected '{}' {place}", c as char)
    } else {
        format!("unexpected byte 0x{c:02x} {place}")
    }
}

fn skip_ws_bom(buf: &[u8], i: usize) -> usize {
    let i = skip_ws(buf, i);
    if buf[i.min(buf.len())..].starts_with(b"\xEF\xBB\xBF") {
        skip_ws(buf, i + 3)
    } else {
        i
    }
}

/// The last non-whitespace byte before `q` (looking back a little), and whether a newline lies
/// between it and `q`.
fn before(buf: &[u8], q: usize) -> (Option<u8>, bool) {
    let mut newline = false;
    let mut j = q;
    while j > 0 && q - j < 256 {
        j -= 1;
        match buf[j] {
            b'\n' => newline = true,
            b' ' | b'\r' | b'\t' => {}
            c => return (Some(c), newline),
        }
    }
    (None, newline || j == 0)
}

/// The next place at or after `from` (and before `limit`) where records resume: an object that
/// parses as a record (`is_record`), or a `"Records": [` key. `work` counts bytes examined; past
/// `budget` the search gives up.
fn find_resume(
    buf: &[u8],
    from: usize,
    limit: usize,
    is_record: &dyn Fn(&[u8]) -> bool,
    work: &mut usize,
    budget: usize,
) -> Option<Resume> {
    let area = &buf[..limit.min(buf.len())];
    let mut q = from;
    while q < area.len() && *work <= budget {
        q += memchr::memchr2(b'{', b'"', &area[q..])?;
        *work += 1;
        if area[q] == b'"' {
            for (key, kind) in [
                (&b"\"Records\""[..], Container::Records),
                (b"\"Events\"", Container::Events),
            ] {
                if area[q..].starts_with(key) {
                    let colon = skip_ws(area, q + key.len());
                    if area.get(colon) == Some(&b':') {
                        let open = skip_ws(area, colon + 1);
                        if area.get(open) == Some(&b'[') {
                            return Some(Resume::Container(open, kind));
                        }
                    }
                }
            }
            q += 1;
            continue;
        }
        // An object start with a member name: `{"`.
        if area.get(skip_ws(area, q + 1)) == Some(&b'"') {
            // After `}`/`]` or on a new line a record starts a document; after `:` it is a
            // member's value, never a record; anywhere else (`,`, `[`, the middle of a cut-off
            // record) it is taken as the next element.
            let (prev, newline) = before(area, q);
            let in_array = matches!(prev, Some(b',' | b'['));
            let starts_doc = !in_array && (matches!(prev, None | Some(b'}' | b']')) || newline);
            let in_array = in_array || (!starts_doc && prev != Some(b':'));
            if in_array || starts_doc {
                let window = (q + RESYNC_WINDOW).min(area.len());
                match skip_object(&area[..window], q) {
                    Some(end) => {
                        *work += end - q;
                        if is_record(&area[q..end]) {
                            return Some(if in_array {
                                Resume::InArray(q, end)
                            } else {
                                Resume::Document(q)
                            });
                        }
                    }
                    None => *work += window - q,
                }
            }
        }
        q += 1;
    }
    None
}

/// Records inside `range` of `buf` that failed to parse as one element (a record missing its
/// closing brace swallows its neighbours): each record found, and the stretches between them.
pub fn salvage(
    buf: &[u8],
    range: Range<usize>,
    is_record: &dyn Fn(&[u8]) -> bool,
) -> (Vec<Range<usize>>, Vec<Damage>) {
    let mut found = Vec::new();
    let mut gaps = Vec::new();
    let mut work = 0usize;
    let budget = range.len().saturating_mul(8).saturating_add(64 << 20);
    let mut pos = range.start;
    let mut q = range.start + 1;
    while let Some(r) = find_resume(buf, q, range.end, is_record, &mut work, budget) {
        let (s, e) = match r {
            Resume::InArray(s, e) => (s, e),
            Resume::Document(s) => match skip_object(&buf[..range.end], s) {
                Some(e) => (s, e),
                None => break,
            },
            Resume::Container(open, _) => {
                q = open + 1;
                continue;
            }
        };
        gaps.push(Damage {
            start: pos,
            end: s,
            reason: String::new(),
            lost: memchr::memchr(b'"', &buf[pos..s]).is_some(),
        });
        found.push(s..e);
        pos = e;
        q = e;
    }
    if !found.is_empty() && pos < range.end {
        let tail = &buf[pos..range.end];
        gaps.push(Damage {
            start: pos,
            end: range.end,
            reason: String::new(),
            lost: memchr::memchr(b'"', tail).is_some(),
        });
    }
    (found, gaps)
}

#[cfg(test)]
mod document_tests {
    use super::*;

    /// Test stand-in for the record check: an object with an `eventName`.
    fn rec(b: &[u8]) -> bool {
        serde_json::from_slice::<serde_json::Value>(b).is_ok_and(|v| v.get("eventName").is_some())
    }

    fn names(buf: &[u8], s: &Split) -> Vec<String> {
        s.elements
            .iter()
            .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&buf[r.clone()]).ok())
            .filter_map(|v| {
                v.get("eventName")
                    .and_then(|n| n.as_str())
                    .map(str::to_owned)
            })
            .collect()
    }

    fn split(doc: &str) -> (Vec<String>, Split) {
        let s = split_documents(doc.as_bytes(), 0, &rec);
        (names(doc.as_bytes(), &s), s)
    }

    #[test]
    fn a_brace_where_an_element_should_be_ends_instead_of_looping() {
        let (n, s) = split("[}");
        assert!(n.is_empty());
        assert!(!s.damage.is_empty());
        let (n, _) = split(r#"{"Records":[}]}"#);
        assert!(n.is_empty());
        // The old array splitter too.
        let (parts, stop) = split_array(b"[}", 0);
        assert!(parts.is_empty() && stop.is_some());
    }

    #[test]
    fn resumes_after_a_record_cut_in_half() {
        let doc = r#"{"Records":[{"eventName":"a"},{"eventName":"b","x":"cut{"eventName":"c"},{"eventName":"d"}]}"#;
        let (n, s) = split(doc);
        assert_eq!(n, ["a", "c", "d"], "{s:?}");
        assert!(s.damage.iter().any(|d| d.lost));
        assert_eq!(s.container, Some(Container::Records));
    }

    #[test]
    fn stray_bracket_and_concatenated_documents() {
        let doc = r#"{"Records":[{"eventName":"a"}]],{"eventName":"b"}]}{"Records":[{"eventName":"c"}]}
{"Records":[{"eventName":"d"}],"Records":[{"eventName":"e"}]}"#;
        let (n, s) = split(doc);
        assert_eq!(n, ["a", "b", "c", "d", "e"], "{s:?}");
        assert_eq!(s.damage.len(), 1, "{s:?}");
        assert!(!s.damage[0].lost);
    }

    #[test]
    fn pretty_concatenated_records_and_arrays() {
        let doc =
            "{\n \"eventName\": \"a\"\n}\n{\n \"eventName\": \"b\"\n}\n[{\"eventName\":\"c\"}]";
        let (n, s) = split(doc);
        assert_eq!(n, ["a", "b", "c"]);
        assert!(s.damage.is_empty(), "{s:?}");
        assert_eq!(s.container, Some(Container::Object));
    }

    #[test]
    fn junk_before_records_is_passed_over() {
        let doc = r#"HTTP/1.1 200 OK

{"Records":[{"eventName":"a"}]}"#;
        let (n, s) = split(doc);
        assert_eq!(n, ["a"]);
        assert_eq!(s.damage[0].start, 0);
    }

    #[test]
    fn nothing_to_resume_at_is_one_region() {
        let (n, s) = split("\u{1}\u{2}garbage");
        assert!(n.is_empty());
        assert_eq!(s.damage.len(), 1);
        assert_eq!(s.damage[0].end, 9);
    }

    #[test]
    fn salvage_finds_records_inside_a_swallowing_element() {
        let doc = br#"[{"eventName":"a","x":{"y":1},{"eventName":"b"},{"eventName":"c"}]"#;
        let (found, gaps) = salvage(doc, 1..doc.len() - 1, &rec);
        let names: Vec<_> = found.iter().map(|r| &doc[r.clone()]).collect();
        assert_eq!(
            names,
            [&br#"{"eventName":"b"}"#[..], br#"{"eventName":"c"}"#]
        );
        assert!(gaps[0].lost);
    }
}
