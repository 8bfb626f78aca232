//! The raw store: the original text of every record, so no field is ever lost.
//!
//! Each record is a span into a buffer. A buffer is held in memory (small inputs, stdin, rebuilt
//! records of Event History / CSV / SIEM `_raw` strings), or read back on demand: from the regular
//! file it was parsed from (large plain inputs), or by inflating the gzip file's compressed bytes
//! kept in memory. So a load does not pin every input byte: memory holds the columns, and any
//! record's exact text is still one read away. The event table refers to a record by its `raw_id`.
use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use flate2::bufread::MultiGzDecoder;

#[derive(Debug, Clone, Copy)]
pub struct RawSpan {
    pub buf: u32,
    pub start: u64,
    pub len: u32,
}

/// Most inputs held open for reading records back at once; past it, inputs stay in memory.
pub const MAX_OPEN_FILES: usize = 256;
static OPEN_FILES: AtomicUsize = AtomicUsize::new(0);

/// An input file held open for reading records back (counted, so a load of many large files does
/// not run out of file descriptors).
#[derive(Debug)]
pub struct OpenFile(File);

impl OpenFile {
    /// `None` when [`MAX_OPEN_FILES`] are open already.
    pub fn new(file: File) -> Option<Self> {
        let n = OPEN_FILES.fetch_add(1, Ordering::Relaxed);
        if n >= MAX_OPEN_FILES {
            OPEN_FILES.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        Some(OpenFile(file))
    }

    pub fn file(&self) -> &File {
        &self.0
    }
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        OPEN_FILES.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Where a buffer's bytes live.
#[derive(Debug, Clone)]
pub enum Backing {
    Mem(Arc<Vec<u8>>),
    /// Bytes of an open regular file: buffer offset `x` is file offset `base + x`.
    File {
        file: Arc<OpenFile>,
        base: u64,
    },
    /// A gzip input kept compressed; buffer offsets are offsets in its inflated bytes.
    Gzip {
        compressed: Arc<Vec<u8>>,
        max_inflate: u64,
    },
}

/// Recently inflated gzip buffers (exports and rules walk rows in time order, which visits a few
/// delivery files at a time).
/// Keyed by the compressed bytes themselves (one input's buffers all share them), each entry
/// holding them so their address cannot be reused while cached.
#[derive(Debug, Default)]
struct InflateCache {
    /// (compressed, inflated), most recent first.
    entries: Vec<(Bytes, Bytes)>,
}

type Bytes = Arc<Vec<u8>>;

const CACHED_INFLATES: usize = 16;

#[derive(Debug, Default, Clone)]
pub struct RawStore {
    buffers: Vec<Backing>,
    spans: Vec<RawSpan>,
    cache: Arc<Mutex<InflateCache>>,
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
        self.buffers.push(Backing::Mem(buf));
        (self.buffers.len() - 1) as u32
    }

    pub fn set_buffer(&mut self, idx: u32, buf: Arc<Vec<u8>>) {
        if let Some(slot) = self.buffers.get_mut(idx as usize) {
            *slot = Backing::Mem(buf);
        }
    }

    /// Replaces every in-memory buffer that is `main` by `backing` (the same bytes, read back on
    /// demand), so `main` can be freed. `shift` is added to the offsets of spans into `main`.
    pub fn rebase(&mut self, main: &Arc<Vec<u8>>, backing: &Backing, shift: u64) {
        let mut hit = vec![false; self.buffers.len()];
        for (i, b) in self.buffers.iter_mut().enumerate() {
            if matches!(b, Backing::Mem(m) if Arc::ptr_eq(m, main)) {
                *b = backing.clone();
                hit[i] = true;
            }
        }
        if shift > 0 {
            for s in &mut self.spans {
                if hit[s.buf as usize] {
                    s.start += shift;
                }
            }
        }
    }

    /// Drops buffers no span refers to (work units' empty rebuilt-record buffers).
    pub fn compact_buffers(&mut self) {
        let mut used = vec![false; self.buffers.len()];
        for s in &self.spans {
            used[s.buf as usize] = true;
        }
        let mut new_index = vec![0u32; self.buffers.len()];
        let mut kept = Vec::with_capacity(self.buffers.len());
        for (i, b) in std::mem::take(&mut self.buffers).into_iter().enumerate() {
            if used[i] {
                new_index[i] = kept.len() as u32;
                kept.push(b);
            }
        }
        self.buffers = kept;
        for s in &mut self.spans {
            s.buf = new_index[s.buf as usize];
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

    /// The inflated bytes of `compressed`, from the cache or inflated now. Every work unit of one
    /// input is a buffer of its own, so the key is the input's compressed bytes, not the buffer.
    fn inflated(&self, compressed: &Arc<Vec<u8>>, max: u64) -> Option<Arc<Vec<u8>>> {
        if let Ok(mut c) = self.cache.lock()
            && let Some(pos) = c
                .entries
                .iter()
                .position(|(k, _)| Arc::ptr_eq(k, compressed))
        {
            let hit = c.entries.remove(pos);
            let bytes = Arc::clone(&hit.1);
            c.entries.insert(0, hit);
            return Some(bytes);
        }
        let mut out = Vec::new();
        // Inflation already succeeded once within the cap; a broken tail was loaded up to the
        // break, so what inflates before an error is what the spans point into.
        let _ = MultiGzDecoder::new(compressed.as_slice())
            .take(max)
            .read_to_end(&mut out);
        let bytes = Arc::new(out);
        if let Ok(mut c) = self.cache.lock() {
            c.entries
                .insert(0, (Arc::clone(compressed), Arc::clone(&bytes)));
            c.entries.truncate(CACHED_INFLATES);
        }
        Some(bytes)
    }

    /// The record's bytes exactly as read.
    pub fn bytes(&self, raw_id: u32) -> Option<Cow<'_, [u8]>> {
        let span = self.spans.get(raw_id as usize)?;
        let start = span.start as usize;
        let end = start.checked_add(span.len as usize)?;
        match self.buffers.get(span.buf as usize)? {
            Backing::Mem(buf) => buf.get(start..end).map(Cow::Borrowed),
            Backing::File { file, base } => {
                let mut out = vec![0; span.len as usize];
                file.0.read_exact_at(&mut out, base + span.start).ok()?;
                Some(Cow::Owned(out))
            }
            Backing::Gzip {
                compressed,
                max_inflate,
            } => {
                let inflated = self.inflated(compressed, *max_inflate)?;
                inflated.get(start..end).map(|b| Cow::Owned(b.to_vec()))
            }
        }
    }

    /// The record's text exactly as read (records were validated as UTF-8 when parsed).
    pub fn text(&self, raw_id: u32) -> Option<Cow<'_, str>> {
        self.bytes(raw_id).map(|b| match b {
            Cow::Borrowed(b) => String::from_utf8_lossy(b),
            Cow::Owned(b) => Cow::Owned(
                String::from_utf8(b)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
        })
    }

    /// The record as compact single-line JSON (whitespace outside strings removed).
    pub fn compact(&self, raw_id: u32) -> Option<String> {
        self.bytes(raw_id).map(|b| super::json::minify(&b))
    }

    /// The record parsed, for pretty printing and field access.
    pub fn value(&self, raw_id: u32) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.bytes(raw_id)?).ok()
    }

    /// The record parsed with only the top-level members named in `keys` (the others are
    /// skipped without being built): what a rule reading `requestParameters` needs of a record
    /// whose `responseElements` is kilobytes long. `None` when the record is not a JSON object.
    pub fn value_keys(&self, raw_id: u32, keys: &[String]) -> Option<serde_json::Value> {
        let bytes = self.bytes(raw_id)?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde::de::DeserializeSeed::deserialize(prune::Pruned(keys), &mut de).ok()
    }
}

/// A JSON object read member by member, keeping only the wanted ones.
mod prune {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    use serde_json::{Map, Value};

    pub struct Pruned<'k>(pub &'k [String]);

    impl<'de> DeserializeSeed<'de> for Pruned<'_> {
        type Value = Value;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Pruned<'_> {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(Key(k)) = m.next_key::<Key<'de>>()? {
                if self.0.iter().any(|w| *w == k) {
                    // A repeated member: the last one wins, as in a full parse.
                    out.insert(k.into_owned(), m.next_value::<Value>()?);
                } else {
                    m.next_value::<IgnoredAny>()?;
                }
            }
            Ok(Value::Object(out))
        }
    }

    /// A member name, borrowed from the text unless it holds escapes.
    struct Key<'de>(Cow<'de, str>);

    impl<'de> de::Deserialize<'de> for Key<'de> {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a member name")
                }
                fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Borrowed(v)))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v.to_owned())))
                }
            }
            d.deserialize_str(V)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn store_over(main: &Arc<Vec<u8>>) -> RawStore {
        let mut raw = RawStore::default();
        let b = raw.push_buffer(Arc::clone(main));
        raw.push_span(b, 1, 8);
        raw.push_span(b, 9, 16);
        raw
    }

    #[test]
    fn pruned_values_keep_only_the_named_members() {
        let text = br#"{"a":{"x":[1,2]},"b\u0041":"big","c":3,"a":{"x":[9]},"d":"\u00e9"}"#;
        let main = Arc::new(text.to_vec());
        let mut raw = RawStore::default();
        let b = raw.push_buffer(Arc::clone(&main));
        raw.push_span(b, 0, text.len());
        let keys = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let full = raw.value(0).expect("full");
        // The last of a repeated member wins in both.
        assert_eq!(
            raw.value_keys(0, &keys(&["a", "d"])).expect("pruned"),
            serde_json::json!({"a": full["a"].clone(), "d": "\u{e9}"})
        );
        assert_eq!(
            raw.value_keys(0, &keys(&["bA"])).expect("escaped key"),
            serde_json::json!({"bA": "big"})
        );
        assert_eq!(raw.value_keys(0, &[]).expect("none"), serde_json::json!({}));
        // Not an object, or broken: nothing.
        let mut raw2 = RawStore::default();
        let b = raw2.push_buffer(Arc::new(b"[1] {\"a\":".to_vec()));
        raw2.push_span(b, 0, 3);
        raw2.push_span(b, 4, 9);
        assert!(raw2.value_keys(0, &keys(&["a"])).is_none());
        assert!(raw2.value_keys(1, &keys(&["a"])).is_none());
    }

    #[test]
    fn file_and_gzip_backings_give_the_same_bytes_as_memory() {
        let text = b"[{\"a\":1},{\"b\":2}]".to_vec();
        let main = Arc::new(text.clone());
        let mem = store_over(&main);
        let want: Vec<Vec<u8>> = (0..2)
            .map(|i| mem.bytes(i).expect("span").into_owned())
            .collect();
        assert_eq!(want[0], b"{\"a\":1}");

        // The buffer started 5 bytes into the file.
        let mut f = tempfile::tempfile().expect("tempfile");
        f.write_all(b"xxxxx").expect("write");
        f.write_all(&text).expect("write");
        let mut file_backed = store_over(&main);
        let backing = Backing::File {
            file: Arc::new(OpenFile::new(f).expect("few files open")),
            base: 0,
        };
        file_backed.rebase(&main, &backing, 5);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).expect("gzip");
        let mut gz_backed = store_over(&main);
        gz_backed.rebase(
            &main,
            &Backing::Gzip {
                compressed: Arc::new(gz.finish().expect("gzip")),
                max_inflate: 1 << 20,
            },
            0,
        );
        drop(main);
        for store in [&file_backed, &gz_backed] {
            for (i, w) in want.iter().enumerate() {
                assert_eq!(&*store.bytes(i as u32).expect("span"), &w[..]);
            }
            assert_eq!(store.value(1).expect("json")["b"], 2);
        }
        assert!(gz_backed.bytes(2).is_none());
    }

    #[test]
    fn buffers_of_one_gzip_input_are_inflated_once() {
        // A large input parses in work units, each a buffer over the same bytes: after the
        // swap to the compressed input they must share one inflation (a cache keyed by buffer
        // inflated a 1.7 GB input once per unit: 23 GB and a minute for one file).
        let text = b"{\"a\":1} {\"b\":2} {\"c\":3}".to_vec();
        let main = Arc::new(text.clone());
        let mut raw = RawStore::default();
        for (start, end) in [(0, 7), (8, 15), (16, 23)] {
            let b = raw.push_buffer(Arc::clone(&main));
            raw.push_span(b, start, end);
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).expect("gzip");
        let backing = Backing::Gzip {
            compressed: Arc::new(gz.finish().expect("gzip")),
            max_inflate: 1 << 20,
        };
        raw.rebase(&main, &backing, 0);
        drop(main);
        let got: Vec<String> = (0..3).map(|i| raw.compact(i).expect("record")).collect();
        assert_eq!(got, ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
        assert_eq!(raw.cache.lock().expect("cache").entries.len(), 1);
    }
}
