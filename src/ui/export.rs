//! Export from the investigator: which events, the Markdown (the same renderer as
//! `cttui events --format md`), the atomic write and the OSC 52 clipboard sequence.
use std::path::{Path, PathBuf};

use base64::Engine;

use super::view::{Marks, View, combined_query};
use crate::error::{Error, Result};
use crate::export::markdown::{ExportHeader, events_markdown};
use crate::model::store::EventStore;

/// The title `cttui events --format md` uses; the investigator's exports match it.
pub const TITLE: &str = "cttui event export";

/// What an export will contain.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub rows: Vec<u32>,
    pub header: ExportHeader,
    /// Whether these are the marked events (else the whole current view).
    pub marked: bool,
}

/// The marked events, or the current view (the top of `views`) when nothing is marked.
///
/// Exporting a view gives exactly what `cttui events --filter <combined filter> --format md`
/// prints. Marked events name the filter and view they were picked from when they all lie in the
/// current view; marks made in several views say so in the title.
pub fn plan(views: &[View], marks: &Marks) -> ExportPlan {
    let filter = combined_query(views);
    let Some(current) = views.last() else {
        return ExportPlan {
            rows: Vec::new(),
            header: ExportHeader::default(),
            marked: false,
        };
    };
    if marks.count() == 0 {
        return ExportPlan {
            rows: current.rows.to_vec(),
            header: ExportHeader {
                title: TITLE.to_owned(),
                filter,
                view_len: None,
            },
            marked: false,
        };
    }
    let rows = marks.rows();
    let header = if rows.iter().all(|&r| current.contains(r)) {
        ExportHeader {
            title: format!("{TITLE}: marked events"),
            filter,
            view_len: Some(current.len()),
        }
    } else {
        ExportHeader {
            title: format!("{TITLE}: events marked in several views"),
            filter: None,
            view_len: None,
        }
    };
    ExportPlan {
        rows,
        header,
        marked: true,
    }
}

pub fn markdown(store: &EventStore, plan: &ExportPlan) -> String {
    events_markdown(store, &plan.rows, &plan.header)
}

/// `cttui-export-20200914T004012Z.md` in `dir`.
pub fn default_path(dir: &Path, now_ms: i64) -> PathBuf {
    let stamp = chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|d| d.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| now_ms.to_string());
    dir.join(format!("cttui-export-{stamp}.md"))
}

/// Writes `data` to `path` whole or not at all (see [`crate::fsutil::write_atomic`]). Without
/// `overwrite`, an existing file is never replaced.
pub fn write_atomic(path: &Path, data: &[u8], overwrite: bool) -> Result<()> {
    crate::fsutil::write_atomic(path, data, overwrite).map_err(|e| Error::io(path, e))
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = Vec::with_capacity(b64.len() + 8);
    out.extend_from_slice(b"\x1b]52;c;");
    out.extend_from_slice(b64.as_bytes());
    out.push(0x07);
    out
}

/// Larger clipboard payloads are refused: terminals drop or truncate them.
pub const OSC52_MAX: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_never_clobbers_unasked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("out.md");
        write_atomic(&p, b"one", false).expect("first write");
        assert!(write_atomic(&p, b"two", false).is_err());
        assert_eq!(std::fs::read(&p).expect("read"), b"one");
        write_atomic(&p, b"three", true).expect("overwrite");
        assert_eq!(std::fs::read(&p).expect("read"), b"three");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .collect();
        assert_eq!(left.len(), 1, "no temporary files left behind");
    }

    #[test]
    fn osc52_wraps_base64() {
        assert_eq!(osc52("hi"), b"\x1b]52;c;aGk=\x07".to_vec());
    }
}
