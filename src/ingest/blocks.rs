//! One large plain file loaded block by block, on all cores, without holding the whole file.
//!
//! A `{"Records":[...]}` file or a JSON Lines file above [`LARGE`] is cut into blocks of about
//! [`BLOCK`] bytes at element boundaries (a newline; a `}` `,` `{"` between records), and every
//! block goes through the ordinary parser ([`super::parse::parse_input`]) as a small document of
//! its own. Blocks are read with positioned reads and freed once parsed: the records stay
//! reachable through the file (see [`crate::model::raw::Backing::File`]).
//!
//! This is only a fast path for clean files. A cut is a guess made without reading the whole
//! file (a boundary pattern could sit inside a string), so a block that parses with any problem at
//! all — or a file whose start or end is not the expected shape — makes the whole file go the
//! ordinary way, which owns every guarantee about damaged input.
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::batch::Batch;
use super::parse::{self, Shape};
use super::progress::Progress;
use super::split;
use crate::model::raw::{Backing, OpenFile, RawStore};

/// Files at least this large take the block path.
pub const LARGE: u64 = 64 << 20;
/// Target block size.
pub const BLOCK: u64 = 32 << 20;
/// How far past a target offset a boundary is looked for before giving up.
const SEARCH: u64 = 4 << 20;

/// What a file loaded by blocks yielded (raw ids local to `raw`).
pub struct BlockLoad {
    pub shape: Shape,
    pub raw: RawStore,
    pub batches: Vec<Batch>,
    pub not_records: usize,
    pub stored: u64,
    /// Inflated from gzip (see [`super::gzip_blocks`]).
    pub gzip: bool,
}

fn read_at(file: &File, offset: u64, len: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0; usize::try_from(len).ok()?];
    file.read_exact_at(&mut buf, offset).ok()?;
    Some(buf)
}

pub(super) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// The shape of the file from its head, and where its first element starts.
pub(super) fn detect(head: &[u8]) -> Option<(Shape, u64)> {
    let mut start = 0;
    if head.starts_with(b"\xEF\xBB\xBF") {
        start = 3;
    }
    while start < head.len() && is_ws(head[start]) {
        start += 1;
    }
    if head.get(start) != Some(&b'{') {
        return None;
    }
    // JSON Lines: the first line is one complete object and more follows.
    if let Some(eol) = memchr::memchr(b'\n', &head[start..]).map(|p| start + p)
        && split::value_end(&head[..eol], start).is_some_and(|end| end <= eol)
    {
        return Some((Shape::JsonLines, start as u64));
    }
    let open = split::find_key_array(head, start, "Records")?;
    Some((Shape::Records, open as u64 + 1))
}

/// For Records: a boundary at or after `from`, as (end of the element before, start of the next),
/// i.e. the offsets of the `,` and just past it.
fn records_boundary(file: &File, from: u64, limit: u64) -> Option<(u64, u64)> {
    let len = SEARCH.min(limit.saturating_sub(from));
    let window = read_at(file, from, len)?;
    let (stop, next) = records_boundary_in(&window)?;
    Some((from + stop as u64, from + next as u64))
}

/// [`records_boundary`] within bytes at hand: the first `,` between two records.
pub(super) fn records_boundary_in(window: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'}', &window[i..]) {
        let close = i + p;
        let mut j = close + 1;
        while j < window.len() && is_ws(window[j]) {
            j += 1;
        }
        if window.get(j) == Some(&b',') {
            let comma = j;
            j += 1;
            while j < window.len() && is_ws(window[j]) {
                j += 1;
            }
            if window.get(j..j + 2) == Some(b"{\"") && is_record_start(&window[j..]) {
                return Some((comma, comma + 1));
            }
        }
        i = close + 1;
    }
    None
}

/// Whether `text` starts with a whole object that is a CloudTrail record (top-level `eventTime`
/// and `eventName`), not an element of an array inside one: S3 data events carry
/// `"resources":[{…},{"accountId":…}]`, so `},{"` alone finds those too. A wrong guess still
/// only costs speed (the file then goes the ordinary way).
fn is_record_start(text: &[u8]) -> bool {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Probe;
    impl<'de> Visitor<'de> for Probe {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a record")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let (mut time, mut name) = (false, false);
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match key.as_ref() {
                    "eventTime" => time = true,
                    "eventName" => name = true,
                    _ => {}
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(time && name)
        }
    }
    serde_json::Deserializer::from_slice(text)
        .deserialize_map(Probe)
        .unwrap_or(false)
}

/// For JSON Lines: the newline at or after `from`, as (end of the line, start of the next).
fn lines_boundary(file: &File, from: u64, limit: u64) -> Option<(u64, u64)> {
    let len = SEARCH.min(limit.saturating_sub(from));
    let window = read_at(file, from, len)?;
    let nl = memchr::memchr(b'\n', &window)? as u64;
    Some((from + nl, from + nl + 1))
}

/// The end of the Records array: the offset of its `]`, followed only by `}` and whitespace.
fn records_end(file: &File, size: u64) -> Option<u64> {
    let tail_len = size.min(4096);
    let tail = read_at(file, size - tail_len, tail_len)?;
    Some(size - tail_len + records_end_in(&tail)? as u64)
}

/// [`records_end`] of bytes at hand: the offset of the closing `]` in `tail`.
pub(super) fn records_end_in(tail: &[u8]) -> Option<usize> {
    let mut i = tail.len();
    while i > 0 && is_ws(tail[i - 1]) {
        i -= 1;
    }
    if i == 0 || tail[i - 1] != b'}' {
        return None;
    }
    i -= 1;
    while i > 0 && is_ws(tail[i - 1]) {
        i -= 1;
    }
    if i == 0 || tail[i - 1] != b']' {
        return None;
    }
    Some(i - 1)
}

/// Byte ranges of the blocks' contents.
fn plan(file: &File, shape: Shape, first: u64, end: u64, block: u64) -> Option<Vec<(u64, u64)>> {
    let mut out = Vec::new();
    let mut start = first;
    loop {
        let target = start + block;
        if target + block / 4 >= end {
            out.push((start, end));
            return Some(out);
        }
        let (stop, next) = match shape {
            Shape::Records => records_boundary(file, target, end)?,
            _ => lines_boundary(file, target, end)?,
        };
        out.push((start, stop));
        start = next;
    }
}

/// Loads `path` by blocks when it is a large, clean Records or JSON Lines file; `None` sends it
/// the ordinary way.
/// Block by block, the bytes parsed go to `progress` (so a gauge moves during one large file);
/// when the file goes the ordinary way after all, they are taken back.
pub fn load_large(path: &Path, file_id: u32, opts: &super::LoadOptions) -> Option<BlockLoad> {
    load_blocks(
        path,
        file_id,
        (LARGE, BLOCK),
        opts.progress.as_deref(),
        opts.timings.as_ref(),
    )
}

/// `sizes`: (smallest file loaded by blocks, block size).
fn load_blocks(
    path: &Path,
    file_id: u32,
    (large, block): (u64, u64),
    progress: Option<&Progress>,
    timings: Option<&super::Timings>,
) -> Option<BlockLoad> {
    let file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let size = meta.len();
    if !meta.is_file() || size < large {
        return None;
    }
    let head = read_at(&file, 0, 1 << 16)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    let (shape, first) = detect(&head)?;
    let end = match shape {
        Shape::Records => records_end(&file, size)?,
        _ => size,
    };
    let ranges = plan(&file, shape, first, end, block)?;
    let file = Arc::new(OpenFile::new(file)?);
    let backing = Backing::File {
        file: Arc::clone(&file),
        base: 0,
    };
    let parts: Vec<Option<BlockPart>> = ranges
        .par_iter()
        .map(|&(start, stop)| {
            let mut block = Block::new(shape, (stop - start) as usize);
            file.file().read_exact_at(block.body_mut(), start).ok()?;
            if let Some(p) = progress {
                p.add_bytes(stop - start);
            }
            block.parse(file_id, &backing, start)
        })
        .collect();
    if let Some(t) = timings {
        let clean = parts.iter().filter(|p| p.is_some()).count();
        t.note(&format!(
            "{} block(s) of {}, {clean} clean{}",
            parts.len(),
            path.display(),
            if clean == parts.len() {
                ""
            } else {
                ": the file goes the ordinary way"
            }
        ));
    }
    if parts.iter().any(Option::is_none) {
        if let Some(p) = progress {
            p.take_back_bytes(ranges.iter().map(|(a, b)| b - a).sum());
        }
        return None;
    }
    Some(BlockLoad::assemble(
        shape,
        size,
        parts.into_iter().flatten(),
    ))
}

/// What one block yielded: its raw store (spans into the backing), batches, non-records.
pub(super) type BlockPart = (RawStore, Vec<Batch>, usize);

impl BlockLoad {
    /// The parts of all blocks, in file order, as one load.
    pub(super) fn assemble(
        shape: Shape,
        stored: u64,
        parts: impl IntoIterator<Item = BlockPart>,
    ) -> BlockLoad {
        let mut out = BlockLoad {
            shape,
            raw: RawStore::default(),
            batches: Vec::new(),
            not_records: 0,
            stored,
            gzip: false,
        };
        for (raw, mut batches, not_records) in parts {
            let shift = out.raw.append(raw);
            for b in &mut batches {
                b.offset_raw_ids(shift);
            }
            out.batches.extend(batches);
            out.not_records += not_records;
        }
        out
    }
}

/// One block's bytes, ready to parse as a document of its own: a Records block is wrapped in
/// `{"Records":[` … `]}`.
pub(super) struct Block {
    buf: Vec<u8>,
    body_at: usize,
    wrap: bool,
}

impl Block {
    /// A block of `len` body bytes (zeroed; fill them with [`Block::body_mut`]).
    pub(super) fn new(shape: Shape, len: usize) -> Block {
        let mut b = Block::with_body(shape, &[]);
        b.buf.resize(b.body_at + len, 0);
        b
    }

    /// A block holding a copy of `body`.
    pub(super) fn with_body(shape: Shape, body: &[u8]) -> Block {
        let wrap = shape == Shape::Records;
        let mut buf = Vec::with_capacity(body.len() + 16);
        if wrap {
            buf.extend_from_slice(b"{\"Records\":[");
        }
        let body_at = buf.len();
        buf.extend_from_slice(body);
        Block { buf, body_at, wrap }
    }

    pub(super) fn body_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.body_at..]
    }

    /// Parses the block; `None` unless it is clean. Spans are moved onto `backing`, where the
    /// body starts at offset `at`.
    pub(super) fn parse(mut self, file_id: u32, backing: &Backing, at: u64) -> Option<BlockPart> {
        let body = self.body_at..self.buf.len();
        if self.wrap {
            self.buf.extend_from_slice(b"]}");
        }
        let main = Arc::new(self.buf);
        let fast = if self.wrap {
            parse::parse_clean_records(&main, file_id, body)
        } else {
            None
        };
        let mut parsed = fast.unwrap_or_else(|| parse::parse_input(Arc::clone(&main), file_id));
        let clean = parsed.fatal.is_none()
            && parsed.bad_records == 0
            && parsed.skipped == 0
            && parsed.problems.is_empty()
            && parsed.batches.iter().map(Batch::len).sum::<usize>() > 0;
        if !clean {
            return None;
        }
        parsed.raw.compact_buffers();
        parsed.raw.rebase(&main, backing, at - self.body_at as u64);
        Some((parsed.raw, parsed.batches, parsed.not_records))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().expect("tempfile");
        f.write_all(bytes).expect("write");
        f
    }

    /// Records with escaped JSON, nested objects and pretty-printed separators.
    fn records(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"eventTime":"2024-01-01T00:{:02}:{:02}Z","eventName":"Get{i}","eventSource":"s3.amazonaws.com","eventID":"id-{i}","requestParameters":{{"policy":"{{\"a\":{i}}},{{\"b\":[1,2]}}"}},"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u{}"}}}}"#,
                    (i / 60) % 60,
                    i % 60,
                    i % 7
                )
            })
            .collect()
    }

    /// Every record of `raw` as compact text, in raw-id order (the gzip block tests use it too).
    pub(in crate::ingest) fn texts(raw: &RawStore) -> Vec<String> {
        (0..raw.len() as u32)
            .map(|i| raw.compact(i).expect("record"))
            .collect()
    }

    #[test]
    fn blocks_give_the_records_of_the_whole_file_in_order() {
        let recs = records(2000);
        let seps = [",", " , ", ",\n  "];
        let mut doc = String::from("\u{feff}{\"Records\": [\n");
        for (i, r) in recs.iter().enumerate() {
            if i > 0 {
                doc.push_str(seps[i % seps.len()]);
            }
            doc.push_str(r);
        }
        doc.push_str("\n] }\n");
        let lines = recs.join("\n") + "\n";
        for (text, shape) in [(doc, Shape::Records), (lines, Shape::JsonLines)] {
            let mut f = tempfile::NamedTempFile::new().expect("tempfile");
            f.write_all(text.as_bytes()).expect("write");
            let whole = parse::parse_input(Arc::new(text.into_bytes()), 0);
            let blocks = load_blocks(f.path(), 0, (0, 8 << 10), None, None).expect("clean blocks");
            assert_eq!(blocks.shape, shape);
            assert!(
                blocks.batches.len() > 10,
                "{} work units",
                blocks.batches.len()
            );
            assert_eq!(texts(&blocks.raw), texts(&whole.raw));
            assert_eq!(texts(&blocks.raw), recs);
            let ids: Vec<u32> = blocks
                .batches
                .iter()
                .flat_map(|b| b.raw_id.clone())
                .collect();
            assert_eq!(ids, (0..2000).collect::<Vec<u32>>());
        }
    }

    #[test]
    fn the_gauge_moves_block_by_block_and_is_taken_back_when_the_file_goes_the_ordinary_way() {
        let recs = records(2000);
        let clean = format!("{{\"Records\":[{}]}}", recs.join(","));
        let mut damaged_recs = recs.clone();
        damaged_recs[1500] = r#"{"eventName":"Broken","eventTime":nul}"#.to_owned();
        let damaged = format!("{{\"Records\":[{}]}}", damaged_recs.join(","));
        for (text, loads) in [(clean, true), (damaged, false)] {
            let mut f = tempfile::NamedTempFile::new().expect("tempfile");
            f.write_all(text.as_bytes()).expect("write");
            let progress = Progress::default();
            progress.start(1, text.len() as u64);
            let got = load_blocks(f.path(), 0, (0, 8 << 10), Some(&progress), None);
            assert_eq!(got.is_some(), loads);
            // Loaded: every block's bytes were added as it was parsed (all of the array's body).
            // Not loaded: taken back, since the ordinary read counts the file again.
            let (_, _, done, _) = progress.snapshot();
            let size = text.len() as u64;
            let want = if loads { size * 9 / 10..=size } else { 0..=0 };
            assert!(want.contains(&done), "{done} of {size}, loads: {loads}");
        }
    }

    #[test]
    fn damage_sends_the_file_the_ordinary_way() {
        let mut recs = records(500);
        let mut doc = format!("{{\"Records\":[{}]}}", recs.join(","));
        // A record that is not valid JSON in the middle of the file.
        recs[250] = r#"{"eventName":"Broken","eventTime":nul}"#.to_owned();
        let damaged = format!("{{\"Records\":[{}]}}", recs.join(","));
        let mut f = tempfile::NamedTempFile::new().expect("tempfile");
        f.write_all(damaged.as_bytes()).expect("write");
        assert!(load_blocks(f.path(), 0, (0, 4 << 10), None, None).is_none());
        // A file whose Records array is not closed.
        let mut f = tempfile::NamedTempFile::new().expect("tempfile");
        doc.truncate(doc.len() - 2);
        f.write_all(doc.as_bytes()).expect("write");
        assert!(load_blocks(f.path(), 0, (0, 4 << 10), None, None).is_none());
    }

    #[test]
    fn boundary_patterns_inside_strings_and_nested_arrays_are_not_cuts() {
        // `},{` then the closing quote at the end of every record's string, and S3 data events'
        // two-element `resources` array: neither is a boundary between records.
        let recs: Vec<String> = records(400)
            .into_iter()
            .map(|r| {
                format!(
                    r#"{},"note":"x}},{{","resources":[{{"type":"AWS::S3::Object"}},{{"accountId":"1","eventName":"n"}}]}}"#,
                    &r[..r.len() - 1]
                )
            })
            .collect();
        let doc = format!("{{\"Records\":[{}]}}", recs.join(","));
        let mut f = tempfile::NamedTempFile::new().expect("tempfile");
        f.write_all(doc.as_bytes()).expect("write");
        let blocks = load_blocks(f.path(), 0, (0, 4 << 10), None, None).expect("clean blocks");
        assert!(blocks.batches.len() > 10, "{} blocks", blocks.batches.len());
        let whole = parse::parse_input(Arc::new(doc.into_bytes()), 0);
        assert_eq!(texts(&blocks.raw), texts(&whole.raw));
        assert_eq!(texts(&whole.raw), recs);
    }

    #[test]
    fn a_record_start_has_the_record_members() {
        assert!(is_record_start(
            br#"{"eventTime":"t","x":{"a":[1]},"eventName":"n"},{"#
        ));
        assert!(!is_record_start(
            br#"{"accountId":"1","type":"AWS::S3::Bucket"}]"#
        ));
        assert!(!is_record_start(
            br#"{"},{"eventTime":"t","eventName":"n"}"#
        ));
        // Cut off by the search window: not a record we can vouch for.
        assert!(!is_record_start(br#"{"eventTime":"t","eventName":"#));
    }

    #[test]
    fn detects_records_and_json_lines() {
        let (shape, first) = detect(b"{\"Records\":[{\"a\":1}]}").expect("records");
        assert_eq!((shape, first), (Shape::Records, 12));
        let (shape, first) = detect(b"\n{\"a\":1}\n{\"a\":2}\n").expect("lines");
        assert_eq!((shape, first), (Shape::JsonLines, 1));
        assert!(detect(b"[{\"a\":1}]").is_none());
    }

    #[test]
    fn boundaries_skip_braces_inside_escaped_json() {
        // The policy string holds `},{` but never `},{"` unescaped.
        let doc = br#"{"p":"{\"a\":1},{\"b\":2}"} , {"eventTime":"t","eventName":"n"}"#;
        let f = file_with(doc);
        let (stop, next) = records_boundary(&f, 0, doc.len() as u64).expect("boundary");
        assert_eq!(&doc[stop as usize..next as usize], b",");
        assert_eq!(&doc[..stop as usize], br#"{"p":"{\"a\":1},{\"b\":2}"} "#);
    }

    #[test]
    fn records_end_finds_the_closing_bracket() {
        let doc = b"{\"Records\":[{\"a\":1}] }\n";
        let f = file_with(doc);
        assert_eq!(records_end(&f, doc.len() as u64), Some(19));
        let f = file_with(b"{\"Records\":[{\"a\":1}");
        assert_eq!(records_end(&f, 18), None);
    }
}
