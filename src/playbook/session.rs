//! Saved investigations: pins, marks, notes, answers and step states, restored on reopen.
//!
//! The file sits beside the log (`<file>.cttui-session.json`, or `.cttui-session.json` inside a
//! log folder); when that place is read-only it goes under `$XDG_DATA_HOME/cttui/sessions/`. Writes
//! are atomic (temp file + rename). A corrupt file is set aside and reported, never fatal.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::queries::Pins;
use crate::model::store::EventStore;

pub const SESSION_VERSION: u32 = 1;

/// A marked event, by row and eventID so a mark survives a changed input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkRef {
    pub row: u32,
    pub event_id: Option<String>,
}

/// The analyst's own answer to a triage question.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswerOverride {
    pub answer: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    #[default]
    Todo,
    Done,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    pub pins: Pins,
    pub marks: Vec<MarkRef>,
    pub notes: Vec<String>,
    pub answers: BTreeMap<String, AnswerOverride>,
    pub steps: BTreeMap<String, StepState>,
    /// The analyst's severity (P1..P4), overriding the suggestion.
    pub severity: Option<String>,
    /// Where the quiet-period check starts (epoch ms), so it survives a reopen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_from: Option<i64>,
}

impl Session {
    pub fn new() -> Session {
        Session {
            version: SESSION_VERSION,
            ..Session::default()
        }
    }

    /// Marks as store rows: by row when its eventID still matches, else found by eventID.
    pub fn resolve_marks(&self, store: &EventStore) -> Vec<u32> {
        let ids = store.str_col("event_id");
        let id_at = |r: usize| ids.as_ref().and_then(|c| c.get(r));
        let mut out: Vec<u32> = self
            .marks
            .iter()
            .filter_map(|m| {
                let r = m.row as usize;
                // Without an eventID the row is all there is to go by.
                if r < store.len() && (m.event_id.is_none() || id_at(r) == m.event_id.as_deref()) {
                    return Some(m.row);
                }
                let want = m.event_id.as_deref()?;
                (0..store.len())
                    .find(|&r| id_at(r) == Some(want))
                    .map(|r| r as u32)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn set_marks(&mut self, store: &EventStore, rows: &[u32]) {
        self.marks = rows
            .iter()
            .map(|&r| MarkRef {
                row: r,
                event_id: store.str_at("event_id", r as usize),
            })
            .collect();
    }
}

/// Where the session for these inputs lives, beside the first input.
pub fn beside_path(inputs: &[String]) -> Option<PathBuf> {
    let first = inputs.iter().find(|p| p.as_str() != "-")?;
    let p = Path::new(first);
    Some(if p.is_dir() {
        p.join(".cttui-session.json")
    } else {
        let name = p.file_name()?.to_string_lossy();
        p.with_file_name(format!("{name}.cttui-session.json"))
    })
}

/// The fallback under the XDG data directory, named by a hash of the inputs' absolute paths.
pub fn xdg_path(inputs: &[String]) -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    // FNV-1a: a stable name across runs and builds (std's hasher is not stable).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in inputs {
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p));
        for b in abs.to_string_lossy().bytes().chain(std::iter::once(0)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    base.join("cttui/sessions").join(format!("{h:016x}.json"))
}

/// Whether a file can be created in `dir`.
fn writable_dir(dir: &Path) -> bool {
    let probe = dir.join(format!(".cttui-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// The session file to use: an existing one beside the log or under XDG, else the writable place.
pub fn session_path(inputs: &[String]) -> PathBuf {
    let xdg = xdg_path(inputs);
    match beside_path(inputs) {
        Some(p) if p.exists() => p,
        Some(_) if xdg.exists() => xdg,
        Some(p)
            if p.parent().is_some_and(|d| {
                writable_dir(if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                })
            }) =>
        {
            p
        }
        _ => xdg,
    }
}

/// The session file when sessions go beside the log only if asked (`beside`); otherwise under
/// `$XDG_DATA_HOME/cttui/sessions/`, so evidence folders stay untouched (a session already beside
/// the log is still used).
pub fn session_path_in(inputs: &[String], beside: bool) -> PathBuf {
    if beside {
        return session_path(inputs);
    }
    match beside_path(inputs) {
        Some(p) if p.exists() => p,
        _ => xdg_path(inputs),
    }
}

/// What loading a session found.
#[derive(Debug)]
pub enum Loaded {
    Fresh,
    Restored(Session),
    /// The file did not parse; it was renamed to `moved_to` and a fresh session starts.
    Corrupt {
        error: String,
        moved_to: PathBuf,
    },
}

pub fn load(path: &Path) -> Loaded {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) => return Loaded::Fresh,
    };
    match serde_json::from_str::<Session>(&text) {
        Ok(s) => Loaded::Restored(s),
        Err(e) => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let moved_to = path.with_extension(format!("json.corrupt-{stamp}"));
            let _ = std::fs::rename(path, &moved_to);
            Loaded::Corrupt {
                error: e.to_string(),
                moved_to,
            }
        }
    }
}

/// Writes the session atomically: a temp file in the same directory, flushed, then renamed.
pub fn save(path: &Path, session: &Session) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(session).map_err(std::io::Error::other)?;
    write_atomic(path, &json)
}

/// Writes `bytes` to `path` through a temp file and a rename, so readers never see half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corrupt_files_are_set_aside() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("log.json.cttui-session.json");
        let mut s = Session::new();
        s.pins.suspect = Some("arn:x".into());
        s.notes.push("first note".into());
        s.steps.insert("detect".into(), StepState::Done);
        save(&path, &s).expect("save");
        match load(&path) {
            Loaded::Restored(r) => assert_eq!(r, s),
            other => panic!("{other:?}"),
        }
        std::fs::write(&path, "{not json").expect("write");
        match load(&path) {
            Loaded::Corrupt { moved_to, .. } => {
                assert!(moved_to.exists());
                assert!(!path.exists());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(load(&path), Loaded::Fresh));
    }

    #[test]
    fn paths_beside_files_and_folders() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}").expect("write");
        let f = file.to_string_lossy().into_owned();
        assert_eq!(
            beside_path(std::slice::from_ref(&f)),
            Some(dir.path().join("a.json.cttui-session.json"))
        );
        let d = dir.path().to_string_lossy().into_owned();
        assert_eq!(
            beside_path(&[d]),
            Some(dir.path().join(".cttui-session.json"))
        );
        assert_eq!(
            session_path(&[f]),
            dir.path().join("a.json.cttui-session.json")
        );
    }
}
