//! Finding inputs (paths, directories, stdin) and reading them into memory, inflating gzip.
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

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

/// Expands the given paths: directories are walked recursively in name order, hidden entries and
/// CloudTrail digest files are passed over (and counted).
pub fn discover(paths: &[String]) -> (Vec<Input>, Vec<Passed>) {
    let mut inputs = Vec::new();
    let mut passed = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, &mut inputs, &mut passed),
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

fn walk(dir: &Path, inputs: &mut Vec<Input>, passed: &mut Vec<Passed>) {
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
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if is_digest(&name) {
                passed.push(Passed {
                    path: path.display().to_string(),
                    reason: "CloudTrail digest directory".to_owned(),
                });
            } else {
                walk(&path, inputs, passed);
            }
        } else if is_digest(&name)
            || path
                .components()
                .any(|c| is_digest(&c.as_os_str().to_string_lossy()))
        {
            passed.push(Passed {
                path: path.display().to_string(),
                reason: "CloudTrail digest file".to_owned(),
            });
        } else if is_documentation(&name) {
            // READMEs and SOURCE notes beside logs: counted, not read.
            passed.push(Passed {
                path: path.display().to_string(),
                reason: "documentation file, not a log".to_owned(),
            });
        } else if ft.is_file() || ft.is_symlink() {
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

/// Reads an input, inflating gzip (detected by its magic bytes, whatever the name) up to `max_inflate`.
pub fn read_input(input: &Input, max_inflate: u64) -> Result<ReadInput, String> {
    let bytes = match input {
        Input::File(p) => fs::read(p).map_err(|e| format!("cannot read: {e}"))?,
        Input::Stdin => {
            let mut v = Vec::new();
            std::io::stdin()
                .read_to_end(&mut v)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            v
        }
    };
    let stored = bytes.len() as u64;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(ReadInput {
            bytes,
            stored,
            gzip: false,
            warning: None,
        });
    }
    // The gzip trailer holds the inflated size mod 2^32: a good capacity hint for one member.
    let hint = bytes
        .len()
        .checked_sub(4)
        .map(|at| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]))
        .map_or(0, |n| n as u64)
        .min(max_inflate);
    let mut out = Vec::with_capacity(hint as usize);
    let mut dec = MultiGzDecoder::new(bytes.as_slice()).take(max_inflate + 1);
    let warning = match dec.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > max_inflate => {
            return Err(format!(
                "gzip inflates beyond the limit of {max_inflate} bytes (a gzip bomb?); raise --max-inflate to load it"
            ));
        }
        Ok(_) => None,
        Err(e) => Some(format!(
            "gzip stream broken after {} inflated bytes: {e}",
            out.len()
        )),
    };
    Ok(ReadInput {
        bytes: out,
        stored,
        gzip: true,
        warning,
    })
}
