//! Load progress shared between the loading threads and whoever draws it (TUI gauge, stderr bar).
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    files_total: AtomicUsize,
    files_done: AtomicUsize,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    stage: Mutex<String>,
}

impl Progress {
    pub fn start(&self, files: usize, bytes: u64) {
        self.files_total.store(files, Ordering::Relaxed);
        self.bytes_total.store(bytes, Ordering::Relaxed);
        self.set_stage("reading");
    }

    pub fn file_done(&self, bytes: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Bytes read within a file still loading (a large file loaded by blocks).
    pub fn add_bytes(&self, bytes: u64) {
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Takes back bytes counted by [`Progress::add_bytes`] for a file that is read again.
    pub fn take_back_bytes(&self, bytes: u64) {
        self.bytes_done.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub fn set_stage(&self, stage: &str) {
        if let Ok(mut s) = self.stage.lock() {
            *s = stage.to_owned();
        }
    }

    pub fn stage(&self) -> String {
        self.stage.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// (files done, files total, bytes done, bytes total)
    pub fn snapshot(&self) -> (usize, usize, u64, u64) {
        (
            self.files_done.load(Ordering::Relaxed),
            self.files_total.load(Ordering::Relaxed),
            self.bytes_done.load(Ordering::Relaxed),
            self.bytes_total.load(Ordering::Relaxed),
        )
    }

    /// Fraction done, by bytes when known, else by files.
    pub fn ratio(&self) -> f64 {
        let (fd, ft, bd, bt) = self.snapshot();
        if bt > 0 {
            (bd as f64 / bt as f64).min(1.0)
        } else if ft > 0 {
            fd as f64 / ft as f64
        } else {
            0.0
        }
    }
}
