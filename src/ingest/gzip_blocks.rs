//! One large gzip file (an export, `attack.json.gz`) loaded block by block while it inflates.
//!
//! The inflated text goes to an unnamed temporary file that then backs the records, and each
//! block is parsed on another core while the next one inflates. Memory stays a few blocks
//! whatever the file's size, and reading a record back later (the detail view, the rules, the
//! duplicate check) is a positioned read instead of inflating the whole input again: a 1.7 GB
//! export used to be inflated once more for every work unit that was read back.
//!
//! Like [`super::blocks`], this is only a fast path for clean inputs. Anything unexpected (not
//! Records or JSON Lines, a broken stream, the size cap or the bomb ratio, a block that does not
//! parse cleanly, no room for the temporary file) makes the file go the ordinary way
//! ([`super::source::read_input`]), which owns every guarantee and message about damaged input.
use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use flate2::bufread::MultiGzDecoder;

use super::LoadOptions;
use super::blocks::{
    BLOCK, Block, BlockLoad, BlockPart, detect, records_boundary_in, records_end_in,
};
use super::parse::Shape;
use super::source::{Counted, is_bomb};
use crate::model::raw::{Backing, OpenFile};

/// Gzip files at least this large (compressed) take this path; delivery files are far smaller.
pub const LARGE_GZIP: u64 = 8 << 20;
/// How far past a block's target end a boundary is looked for before giving up.
const SEARCH: usize = 4 << 20;
/// Blocks parsed at once: enough to keep every core busy, few enough to bound memory.
const IN_FLIGHT: usize = 4;

/// Why a file is not for this path at all (not worth a timing note).
const NOT_LARGE: &str = "not a large gzip file";

type Decoder = MultiGzDecoder<BufReader<Counted<File>>>;

/// Loads `path` by blocks when it is a large gzip of a clean Records or JSON Lines document.
pub fn load_large_gzip(path: &Path, file_id: u32, opts: &LoadOptions) -> Option<BlockLoad> {
    let out = load(path, file_id, (LARGE_GZIP, BLOCK as usize), opts);
    if let Some(t) = &opts.timings {
        match &out {
            Ok(b) => t.note(&format!(
                "{}: parsed by blocks while inflating ({} batches)",
                path.display(),
                b.batches.len()
            )),
            Err(why) if *why != NOT_LARGE => {
                t.note(&format!("{}: the ordinary way ({why})", path.display()));
            }
            Err(_) => {}
        }
    }
    out.ok()
}

/// `sizes`: (smallest compressed file taken, block size). The error says why the file goes the
/// ordinary way (for timings only; the ordinary path reports problems to the user).
fn load(
    path: &Path,
    file_id: u32,
    (large, block): (u64, usize),
    opts: &LoadOptions,
) -> Result<BlockLoad, &'static str> {
    let file = File::open(path).map_err(|_| "cannot open")?;
    let meta = file.metadata().map_err(|_| "no metadata")?;
    let mut magic = [0u8; 2];
    if !meta.is_file()
        || meta.len() < large
        || file.read_exact_at(&mut magic, 0).is_err()
        || magic != [0x1f, 0x8b]
    {
        return Err(NOT_LARGE);
    }
    let stored = meta.len();
    let spill = tempfile::tempfile().map_err(|_| "no temporary file")?;
    let spill = Arc::new(OpenFile::new(spill).ok_or("too many open files")?);
    let backing = Backing::File {
        file: Arc::clone(&spill),
        base: 0,
    };
    let counted = Counted::new(file, opts.progress.clone());
    let mut dec = MultiGzDecoder::new(BufReader::with_capacity(64 << 10, counted));
    let mut inflater = Inflater {
        cap: opts.max_inflate,
        total: 0,
    };
    let result = cut_and_parse(&mut dec, &mut inflater, &spill, &backing, file_id, block);
    let consumed = dec.get_ref().get_ref().count;
    match result {
        Ok((shape, parts)) => Ok(BlockLoad {
            gzip: true,
            ..BlockLoad::assemble(shape, stored, parts)
        }),
        Err(why) => {
            if let Some(p) = &opts.progress {
                p.take_back_bytes(consumed);
            }
            Err(why)
        }
    }
}

/// The guards of an inflation (the same as the ordinary read's): the size cap and the ratio no
/// log reaches.
struct Inflater {
    cap: u64,
    total: u64,
}

impl Inflater {
    /// Inflates into `pending` until it holds `want` bytes or the stream ends; true at the end.
    fn fill(
        &mut self,
        dec: &mut Decoder,
        pending: &mut Vec<u8>,
        want: usize,
    ) -> Result<bool, &'static str> {
        while pending.len() < want {
            let at = pending.len();
            let room = (want - at).min(1 << 20);
            pending.resize(at + room, 0);
            let n = match dec.read(&mut pending[at..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
                Err(_) => return Err("broken gzip stream"),
            };
            pending.truncate(at + n);
            self.total += n as u64;
            if self.total > self.cap {
                return Err("over the inflate cap");
            }
            if is_bomb(self.total, dec.get_ref().get_ref().count) {
                return Err("bomb ratio");
            }
            if n == 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Inflates the whole stream into `spill`, cutting it into blocks parsed in parallel.
fn cut_and_parse(
    dec: &mut Decoder,
    inflater: &mut Inflater,
    spill: &OpenFile,
    backing: &Backing,
    file_id: u32,
    block: usize,
) -> Result<(Shape, Vec<BlockPart>), &'static str> {
    let search = SEARCH.min(block);
    let mut pending: Vec<u8> = Vec::with_capacity(block + search);
    let mut eof = inflater.fill(dec, &mut pending, 64 << 10)?;
    let (shape, first) = detect(&pending).ok_or("not Records or JSON Lines")?;
    let mut start = usize::try_from(first).map_err(|_| "head")?;
    // `pending[0]` is at this offset of the inflated text, which is also its offset in `spill`.
    let mut written: u64 = 0;
    let results: Mutex<Vec<Option<Option<BlockPart>>>> = Mutex::new(Vec::new());
    let in_flight = AtomicUsize::new(0);
    let outcome = rayon::scope(|scope| -> Result<(), &'static str> {
        loop {
            let mut want = start + block + search;
            let (stop, next) = loop {
                if !eof {
                    eof = inflater.fill(dec, &mut pending, want)?;
                }
                if eof {
                    let end = match shape {
                        Shape::Records => records_end_in(&pending[start..])
                            .map(|e| start + e)
                            .ok_or("no end of the Records array")?,
                        _ => pending.len(),
                    };
                    break (end, pending.len());
                }
                let from = start + block;
                let cut = match shape {
                    Shape::Records => records_boundary_in(&pending[from..]),
                    _ => memchr::memchr(b'\n', &pending[from..]).map(|nl| (nl, nl + 1)),
                };
                if let Some((stop, next)) = cut {
                    break (from + stop, from + next);
                }
                if want - start > 4 * block {
                    return Err("no boundary between records");
                }
                want += search;
            };
            spill
                .file()
                .write_all_at(&pending[..next], written)
                .map_err(|_| "temporary file not written")?;
            if stop > start {
                let body = Block::with_body(shape, &pending[start..stop]);
                let at = written + start as u64;
                let index = {
                    let mut r = results.lock().map_err(|_| "lock")?;
                    r.push(None);
                    r.len() - 1
                };
                wait_for_room(&in_flight);
                in_flight.fetch_add(1, Ordering::AcqRel);
                let (results, in_flight) = (&results, &in_flight);
                scope.spawn(move |_| {
                    let part = body.parse(file_id, backing, at);
                    if let Ok(mut r) = results.lock() {
                        r[index] = Some(part);
                    }
                    in_flight.fetch_sub(1, Ordering::AcqRel);
                });
            }
            if eof {
                return Ok(());
            }
            pending.drain(..next);
            written += next as u64;
            start = 0;
        }
    });
    outcome?;
    let parts = results.into_inner().map_err(|_| "lock")?;
    if parts.is_empty() {
        return Err("no records");
    }
    let parts: Option<Vec<BlockPart>> = parts.into_iter().map(Option::flatten).collect();
    Ok((shape, parts.ok_or("a block did not parse cleanly")?))
}

/// Waits while [`IN_FLIGHT`] blocks are being parsed, helping with them when on a pool thread.
fn wait_for_room(in_flight: &AtomicUsize) {
    while in_flight.load(Ordering::Acquire) >= IN_FLIGHT {
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::blocks::tests::texts;
    use crate::ingest::parse;
    use std::io::Write;

    fn records(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"eventTime":"2024-01-01T00:{:02}:{:02}Z","eventName":"Get{i}","eventSource":"s3.amazonaws.com","eventID":"id-{i}","resources":[{{"type":"AWS::S3::Object"}},{{"accountId":"1"}}],"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u{}"}}}}"#,
                    (i / 60) % 60,
                    i % 60,
                    i % 7
                )
            })
            .collect()
    }

    fn gzip_file(text: &str) -> tempfile::NamedTempFile {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("gzip");
        let mut f = tempfile::NamedTempFile::new().expect("tempfile");
        f.write_all(&gz.finish().expect("gzip")).expect("write");
        f
    }

    #[test]
    fn blocks_of_a_gzip_give_the_records_of_the_whole_file_in_order() {
        let recs = records(3000);
        let doc = format!("{{\"Records\": [\n{}\n] }}\n", recs.join(",\n "));
        let lines = recs.join("\n") + "\n";
        for (text, shape) in [(doc, Shape::Records), (lines, Shape::JsonLines)] {
            let f = gzip_file(&text);
            let got = load(f.path(), 0, (0, 16 << 10), &LoadOptions::default()).expect("blocks");
            assert_eq!(got.shape, shape);
            assert!(got.gzip);
            assert!(got.batches.len() > 10, "{} blocks", got.batches.len());
            let whole = parse::parse_input(Arc::new(text.into_bytes()), 0);
            assert_eq!(texts(&got.raw), texts(&whole.raw));
            assert_eq!(texts(&got.raw), recs);
        }
    }

    #[test]
    fn anything_unusual_goes_the_ordinary_way() {
        let recs = records(500);
        let opts = LoadOptions::default();
        let sizes = (0, 8 << 10);
        // A damaged record, an unclosed array, a stream cut short, not a log at all.
        let mut damaged = recs.clone();
        damaged[250] = r#"{"eventName":"Broken","eventTime":nul}"#.to_owned();
        for text in [
            format!("{{\"Records\":[{}]}}", damaged.join(",")),
            format!("{{\"Records\":[{}", recs.join(",")),
            "[1,2,3]".repeat(2000),
        ] {
            let f = gzip_file(&text);
            assert!(load(f.path(), 0, sizes, &opts).is_err(), "{}", &text[..40]);
        }
        let f = gzip_file(&format!("{{\"Records\":[{}]}}", recs.join(",")));
        let whole = std::fs::read(f.path()).expect("read");
        let cut = tempfile::NamedTempFile::new().expect("tempfile");
        std::fs::write(cut.path(), &whole[..whole.len() / 2]).expect("write");
        assert!(load(cut.path(), 0, sizes, &opts).is_err());
        // Past the cap: the ordinary read reports it.
        let capped = LoadOptions {
            max_inflate: 10_000,
            ..LoadOptions::default()
        };
        assert!(load(f.path(), 0, sizes, &capped).is_err());
        // Small files are left to the ordinary read.
        assert!(load(f.path(), 0, (1 << 30, 8 << 10), &opts).is_err());
    }

    #[test]
    fn the_gauge_counts_a_file_once_whichever_way_it_goes() {
        let recs = records(800);
        let good = gzip_file(&format!("{{\"Records\":[{}]}}", recs.join(",")));
        let bad = gzip_file(&format!("{{\"Records\":[{}", recs.join(",")));
        for (f, loads) in [(good, true), (bad, false)] {
            let size = std::fs::metadata(f.path()).expect("meta").len();
            let progress = Arc::new(crate::ingest::Progress::default());
            progress.start(1, size);
            let opts = LoadOptions {
                progress: Some(Arc::clone(&progress)),
                ..LoadOptions::default()
            };
            assert_eq!(load(f.path(), 0, (0, 8 << 10), &opts).is_ok(), loads);
            let want = if loads { size } else { 0 };
            assert_eq!(progress.snapshot().2, want);
        }
    }
}
