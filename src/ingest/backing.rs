//! After an input is parsed, its bytes need not stay in memory: records are read back on demand
//! from the regular file (large plain inputs) or inflated again from the compressed bytes (gzip).
//! This is what keeps a load's memory near the size of its columns rather than of its input.
use std::fs::{self, File};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use super::source::Input;
use crate::model::raw::{Backing, OpenFile, RawStore};

/// Plain inputs smaller than this stay in memory (no file handle kept for small files).
pub const FILE_BACKED_MIN: usize = 8 << 20;

/// Whether `file` still holds `bytes` (same length, same head and tail).
fn same_content(file: &File, bytes: &[u8]) -> bool {
    let Ok(meta) = file.metadata() else {
        return false;
    };
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    let probe = 4096.min(bytes.len());
    let mut head = vec![0; probe];
    let mut tail = vec![0; probe];
    file.read_exact_at(&mut head, 0).is_ok()
        && file
            .read_exact_at(&mut tail, (bytes.len() - probe) as u64)
            .is_ok()
        && head == bytes[..probe]
        && tail == bytes[bytes.len() - probe..]
}

/// Swaps `main` (the input's inflated bytes) in `raw` for a backing that reads it back, when
/// there is one: the caller then drops `main` and its memory goes.
pub fn release(
    raw: &mut RawStore,
    main: &Arc<Vec<u8>>,
    input: &Input,
    gzip: bool,
    stored: u64,
    max_inflate: u64,
) {
    raw.compact_buffers();
    let Input::File(path) = input else {
        return;
    };
    let backing = if gzip {
        match fs::read(path) {
            Ok(compressed) if compressed.len() as u64 == stored => Backing::Gzip {
                compressed: Arc::new(compressed),
                max_inflate,
            },
            _ => return,
        }
    } else {
        if main.len() < FILE_BACKED_MIN {
            return;
        }
        let Ok(file) = File::open(path) else {
            return;
        };
        if !same_content(&file, main) {
            return;
        }
        let Some(file) = OpenFile::new(file) else {
            return;
        };
        Backing::File {
            file: Arc::new(file),
            base: 0,
        }
    };
    raw.rebase(main, &backing, 0);
}
