//! Finding inputs (paths, directories, stdin) and reading them into memory, inflating gzip.
use std::fs;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use flate2::bufread::MultiGzDecoder;

use super::progress::Progress;

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "-".to_owned(),
        }
    }
}

pub use crate::model::load::Passed;

/// Expands the given paths: directories are walked recursively in name order (symlinked ones
/// once each), hidden entries are left out, and CloudTrail digests, documentation and special
/// files (FIFOs, devices, sockets) are passed over and counted. A path named explicitly is read
/// whatever it is (a FIFO or `/dev/fd/N` from process substitution, a device), under the size cap.
pub fn discover(paths: &[String]) -> (Vec<Input>, Vec<Passed>) {
    let mut inputs = Vec::new();
    let mut passed = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, &mut inputs, &mut passed, &mut seen),
            Ok(_) => inputs.push(Input::File(path)),
            Err(e) => passed.push(Passed {
                path: p.clone(),
                reason: format!("cannot read: {e}"),
            }),
        }
    }
    (inputs, passed)
}

fn is_digest(name: &str) -> bool {
    name.contains("CloudTrail-Digest")
}

/// Documentation that sits beside delivered logs (found while walking a folder; a file named
/// explicitly is always read).
fn is_documentation(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".md", ".markdown", ".rst"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// What a special file is, for the note that passes it over.
fn special_kind(ft: &fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        Some("a FIFO")
    } else if ft.is_socket() {
        Some("a socket")
    } else if ft.is_char_device() {
        Some("a character device")
    } else if ft.is_block_device() {
        Some("a block device")
    } else {
        None
    }
}

fn walk(
    dir: &Path,
    inputs: &mut Vec<Input>,
    passed: &mut Vec<Passed>,
    seen: &mut std::collections::HashSet<PathBuf>,
) {
    // A folder reached twice (symlinks, loops) is walked once.
    if let Ok(real) = fs::canonicalize(dir)
        && !seen.insert(real)
    {
        return;
    }
    let mut entries: Vec<_> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).collect(),
        Err(e) => {
            passed.push(Passed {
                path: dir.display().to_string(),
                reason: format!("cannot read directory: {e}"),
            });
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if name.starts_with('.') {
            continue;
        }
        let pass = |passed: &mut Vec<Passed>, reason: String| {
            passed.push(Passed {
                path: path.display().to_string(),
                reason,
            })
        };
        let Ok(mut ft) = e.file_type() else { continue };
        if ft.is_symlink() {
            // Judged by what it points to: a symlink to a FIFO must not block the walk.
            match fs::metadata(&path) {
                Ok(m) => ft = m.file_type(),
                Err(err) => {
                    pass(passed, format!("broken symlink: {err}"));
                    continue;
                }
            }
        }
        if ft.is_dir() {
            if is_digest(&name) {
                pass(passed, "CloudTrail digest directory".to_owned());
            } else {
                walk(&path, inputs, passed, seen);
            }
        } else if let Some(kind) = special_kind(&ft) {
            pass(
                passed,
                format!("{kind}, not a regular file (name it to read it)"),
            );
        } else if is_digest(&name)
            || path
                .components()
                .any(|c| is_digest(&c.as_os_str().to_string_lossy()))
        {
            pass(passed, "CloudTrail digest file".to_owned());
        } else if is_documentation(&name) {
            // READMEs and SOURCE notes beside logs: counted, not read.
            pass(passed, "documentation file, not a log".to_owned());
        } else if ft.is_file() {
            inputs.push(Input::File(path));
        }
    }
}

/// An input's bytes after inflation.
pub struct ReadInput {
    pub bytes: Vec<u8>,
    /// Size as stored (compressed size for gzip).
    pub stored: u64,
    pub gzip: bool,
    /// Set when inflation stopped early; the bytes inflated so far are still returned.
    pub warning: Option<String>,
}

/// How long a FIFO named as input may wait for a writer before it is given up.
pub const FIFO_WAIT: Duration = Duration::from_secs(10);
/// Inflated bytes after which the compression ratio is checked.
const BOMB_PROBE: usize = 16 << 20;
/// Compression ratio no log reaches: delivered CloudTrail files inflate about 12:1, the demo logs
/// 24:1; zeros through a fast compressor 100:1, through a good one 1000:1.
const BOMB_RATIO: u64 = 64;
/// Bytes read before the content is judged (binary data is never a log).
const SNIFF: usize = 64 << 10;
/// Reads are done in pieces of this size, so caps are checked while reading.
const PIECE: usize = 1 << 20;

/// Reads an input, inflating gzip (detected by its magic bytes, whatever the name) up to
/// `max_inflate`. Memory is bounded while reading, not checked afterwards: the gzip trailer's size
/// is never trusted, inflation stops at the cap or as soon as the ratio shows a bomb, and a
/// stream (stdin, FIFO, device) stops at the cap or as soon as it shows binary data.
///
/// Stored bytes are added to `progress` as they are read (callers count the file as done with
/// [`Progress::file_done`]`(0)`).
pub fn read_input(
    input: &Input,
    max_inflate: u64,
    progress: Option<Arc<Progress>>,
) -> Result<ReadInput, String> {
    match input {
        Input::Stdin => read_from(std::io::stdin().lock(), None, max_inflate, progress),
        Input::File(p) => {
            let meta = fs::metadata(p).map_err(|e| format!("cannot read: {e}"))?;
            let file = if meta.file_type().is_dir() {
                return Err("cannot read: is a directory".to_owned());
            } else if std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()) {
                open_fifo(p, FIFO_WAIT)?
            } else {
                fs::File::open(p).map_err(|e| format!("cannot read: {e}"))?
            };
            let len = meta.is_file().then_some(meta.len());
            read_from(file, len, max_inflate, progress)
        }
    }
}

/// Opens a FIFO for reading, waiting at most `wait` for a writer (opening blocks until one comes).
/// On time-out the waiting thread is released by opening the FIFO for writing ourselves.
pub fn open_fifo(path: &Path, wait: Duration) -> Result<fs::File, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::Builder::new()
        .name("cttui-fifo-open".to_owned())
        .spawn(move || {
            let _ = tx.send(fs::File::open(owned));
        })
        .map_err(|e| format!("cannot read: {e}"))?;
    match rx.recv_timeout(wait) {
        Ok(r) => r.map_err(|e| format!("cannot read: {e}")),
        Err(_) => {
            // The reader is blocked in open(): a writer appearing releases it, and it then
            // drops the file it got.
            let _ = fs::OpenOptions::new().write(true).open(path);
            Err(format!(
                "a FIFO with no writer: gave up after waiting {} s",
                wait.as_secs()
            ))
        }
    }
}

/// Counts the bytes read through it (the compressed bytes consumed by the inflater).
pub(super) struct Counted<R> {
    inner: R,
    pub(super) count: u64,
    /// Stored bytes read go to the load gauge as they are read, so it moves during one large
    /// (or gzip) file.
    progress: Option<Arc<Progress>>,
}

impl<R> Counted<R> {
    pub(super) fn new(inner: R, progress: Option<Arc<Progress>>) -> Self {
        Counted {
            inner,
            count: 0,
            progress,
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if let Some(p) = &self.progress {
            p.add_bytes(n as u64);
        }
        Ok(n)
    }
}

/// Whether `inflated` bytes from `consumed` compressed ones are more than any log compresses (a
/// gzip bomb), judged once enough has been inflated for the ratio to mean something.
pub(super) fn is_bomb(inflated: u64, consumed: u64) -> bool {
    inflated >= BOMB_PROBE as u64 && inflated / consumed.max(1) > BOMB_RATIO
}

/// Whether the first bytes of an input are binary (NUL or many control bytes): never a log.
fn binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t') || b == 0x7f)
        .count();
    head.contains(&0) || controls * 100 > head.len()
}

fn not_a_log(head: &[u8]) -> String {
    format!(
        "not a CloudTrail log: binary data at the start ({:?}); stopped reading",
        super::parse::preview(head)
    )
}

fn read_from<R: Read>(
    src: R,
    len: Option<u64>,
    cap: u64,
    progress: Option<Arc<Progress>>,
) -> Result<ReadInput, String> {
    let mut src = std::io::BufReader::with_capacity(64 << 10, Counted::new(src, progress));
    let head = src.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        return inflate(src, len, cap);
    }
    let mut out = Vec::new();
    match len {
        // A regular file: its size is known and it is what the user chose.
        Some(n) => {
            out.reserve_exact(usize::try_from(n).unwrap_or(0).saturating_add(1));
            src.read_to_end(&mut out)
                .map_err(|e| format!("cannot read: {e}"))?;
        }
        None => {
            read_capped(&mut src, &mut out, cap, 1 << 20)
                .map_err(|e| format!("cannot read: {e}"))?
                .map_err(|got| {
                    if binary(&got[..got.len().min(SNIFF)]) {
                        not_a_log(got)
                    } else {
                        format!(
                            "over the cap of {cap} bytes for one input (an endless stream?); raise --max-inflate to load it"
                        )
                    }
                })?;
        }
    }
    let stored = out.len() as u64;
    Ok(ReadInput {
        bytes: out,
        stored,
        gzip: false,
        warning: None,
    })
}

/// Reads `src` into `out` in pieces until the end, growing `out` at most to `cap + 1` bytes.
/// `Ok(Err(bytes))` when the cap was passed, or the first bytes are binary.
fn read_capped<'a, R: Read>(
    src: &mut R,
    out: &'a mut Vec<u8>,
    cap: u64,
    initial: usize,
) -> std::io::Result<Result<(), &'a [u8]>> {
    let limit = usize::try_from(cap).unwrap_or(usize::MAX).saturating_add(1);
    out.reserve_exact(initial.min(limit));
    let mut sniffed = false;
    loop {
        if out.len() == out.capacity() {
            let grow = out.len().max(PIECE).min(limit - out.len().min(limit));
            if grow == 0 {
                return Ok(Err(out.as_slice()));
            }
            out.reserve_exact(grow);
        }
        let room = (out.capacity() - out.len()).min(PIECE);
        let at = out.len();
        out.resize(at + room, 0);
        let n = match src.read(&mut out[at..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(e) => {
                out.truncate(at);
                return Err(e);
            }
        };
        out.truncate(at + n);
        if !sniffed && (out.len() >= SNIFF || n == 0) {
            sniffed = true;
            if binary(&out[..out.len().min(SNIFF)]) {
                return Ok(Err(out.as_slice()));
            }
        }
        if n == 0 {
            return Ok(Ok(()));
        }
        if out.len() as u64 > cap {
            return Ok(Err(out.as_slice()));
        }
    }
}

fn inflate<R: Read>(
    src: std::io::BufReader<Counted<R>>,
    len: Option<u64>,
    cap: u64,
) -> Result<ReadInput, String> {
    let mut dec = MultiGzDecoder::new(src);
    let mut out: Vec<u8> = Vec::new();
    // A guess from the stored size (logs inflate about 10:1), never from the gzip trailer.
    let initial = len
        .map_or(PIECE as u64, |n| n.saturating_mul(8))
        .min(256 << 20) as usize;
    let limit = usize::try_from(cap).unwrap_or(usize::MAX).saturating_add(1);
    out.reserve_exact(initial.clamp(PIECE, limit));
    let mut sniffed = false;
    let warning = loop {
        if out.len() == out.capacity() {
            let grow = out.len().min(limit.saturating_sub(out.len()));
            if grow == 0 {
                return Err(format!(
                    "gzip inflates beyond the cap of {cap} bytes (a gzip bomb?); raise --max-inflate to load it"
                ));
            }
            out.reserve_exact(grow);
        }
        let at = out.len();
        let room = (out.capacity() - at).min(PIECE);
        out.resize(at + room, 0);
        let n = match dec.read(&mut out[at..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(e) => {
                out.truncate(at);
                break Some(format!(
                    "gzip stream broken after {} inflated bytes: {e}",
                    out.len()
                ));
            }
        };
        out.truncate(at + n);
        if !sniffed && (out.len() >= SNIFF || n == 0) {
            sniffed = true;
            if binary(&out[..out.len().min(SNIFF)]) {
                return Err(format!("gzip bomb or {}", not_a_log(&out)));
            }
        }
        if n == 0 {
            break None;
        }
        if out.len() as u64 > cap {
            return Err(format!(
                "gzip inflates beyond the cap of {cap} bytes (a gzip bomb?); raise --max-inflate to load it"
            ));
        }
        let consumed = dec.get_ref().get_ref().count.max(1);
        if is_bomb(out.len() as u64, consumed) {
            return Err(format!(
                "gzip bomb: {} bytes inflated from {consumed} (more than {BOMB_RATIO}:1, which no log reaches); stopped",
                out.len()
            ));
        }
    };
    // No shrink_to_fit: it would copy the buffer, and pages never written cost no memory.
    let stored = dec.get_ref().get_ref().count;
    Ok(ReadInput {
        bytes: out,
        stored,
        gzip: true,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Hands out its bytes in small reads and notes the gauge's bytes before each one.
    struct Watched {
        data: std::io::Cursor<Vec<u8>>,
        progress: Arc<Progress>,
        seen: Vec<u64>,
    }

    impl Read for Watched {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.seen.push(self.progress.snapshot().2);
            let n = buf.len().min(4096);
            self.data.read(&mut buf[..n])
        }
    }

    #[test]
    fn the_gauge_moves_while_one_gzip_file_is_read() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..20_000 {
            writeln!(gz, "{{\"eventID\":\"{i}\",\"eventName\":\"GetObject\"}}").expect("gzip");
        }
        let bytes = gz.finish().expect("gzip");
        let stored = bytes.len() as u64;
        let progress = Arc::new(Progress::default());
        progress.start(1, stored);
        let mut src = Watched {
            data: std::io::Cursor::new(bytes),
            progress: Arc::clone(&progress),
            seen: Vec::new(),
        };
        let read =
            read_from(&mut src, Some(stored), 1 << 30, Some(Arc::clone(&progress))).expect("reads");
        assert!(read.gzip);
        // Before the last read the gauge had moved past a quarter, and it ends at the file size
        // (the caller then adds nothing: `file_done(0)`).
        let before_last = src.seen.iter().rev().nth(1).copied().unwrap_or(0);
        assert!(before_last * 4 > stored, "{before_last} of {stored}");
        assert!(src.seen.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(progress.snapshot().2, stored);
    }
}
