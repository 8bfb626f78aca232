//! The one way cttui writes a file (reports, exports, sessions): whole or not at all.
//!
//! A temporary file is created exclusively, with an unpredictable name, in the target's own
//! directory (so a symlink planted at a guessable temporary name is never followed), flushed to
//! disk, then renamed over the target. Any failure (a full disk) removes the temporary file. A
//! target that exists but is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`) is written
//! into directly, never replaced; a directory is refused.
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// How the target is written.
enum Target {
    /// Absent or a regular file (or a symlink, which is replaced, never written through).
    Replace,
    /// A device, FIFO or socket named on purpose: written into.
    Direct,
}

fn classify(path: &Path) -> io::Result<Target> {
    use std::os::unix::fs::FileTypeExt;
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Replace),
        Err(e) => return Err(e),
    };
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory; give a file name",
        ));
    }
    if ft.is_file() {
        return Ok(Target::Replace);
    }
    if ft.is_symlink() {
        // The system's own links (/dev/stdout, /dev/fd/N, /proc/self/fd/N) lead to streams the
        // user means; any other symlink is replaced, so a planted one cannot redirect the write.
        let system = path.starts_with("/dev") || path.starts_with("/proc");
        let resolved = fs::metadata(path).map(|m| m.file_type());
        return match resolved {
            Ok(t) if system && (t.is_char_device() || t.is_fifo() || t.is_socket()) => {
                Ok(Target::Direct)
            }
            Ok(t) if t.is_dir() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a link to a directory; give a file name",
            )),
            _ => Ok(Target::Replace),
        };
    }
    if ft.is_char_device() || ft.is_fifo() || ft.is_socket() || ft.is_block_device() {
        return Ok(Target::Direct);
    }
    Ok(Target::Replace)
}

/// Writes `data` to `path` atomically (see the module). Without `overwrite`, an existing target
/// is never replaced: the final step fails with `AlreadyExists` even if the file appeared after
/// the user was asked.
pub fn write_atomic(path: &Path, data: &[u8], overwrite: bool) -> io::Result<()> {
    write_atomic_as(path, data, overwrite, true)
}

/// [`write_atomic`] without flushing to disk: the file still appears whole or not at all, but
/// a crash may lose it. For outputs rebuilt by running the command again (a converted dataset
/// of thousands of small files, where two syncs per file cost more than the conversion).
pub fn write_atomic_unsynced(path: &Path, data: &[u8]) -> io::Result<()> {
    write_atomic_as(path, data, true, false)
}

fn write_atomic_as(path: &Path, data: &[u8], overwrite: bool, sync: bool) -> io::Result<()> {
    if let Target::Direct = classify(path)? {
        let mut f = fs::OpenOptions::new().write(true).open(path)?;
        f.write_all(data)?;
        return f.flush();
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    // Created with O_EXCL under a random name; removed when dropped unless persisted.
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(data)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    let placed = if overwrite {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    // On failure the temporary file comes back in the error and is removed with it.
    placed.map_err(|e| e.error)?;
    // The rename itself is durable once the directory is flushed (best effort).
    if sync && let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn replaces_whole_and_never_clobbers_unasked() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("out.md");
        write_atomic(&p, b"one", false).expect("first");
        let err = write_atomic(&p, b"two", false).expect_err("exists");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).expect("read"), b"one");
        write_atomic(&p, b"three", true).expect("overwrite");
        assert_eq!(fs::read(&p).expect("read"), b"three");
        assert_eq!(names(dir.path()), ["out.md"], "no temporary file left");
    }

    #[test]
    fn unsynced_writes_are_still_whole_and_never_follow_a_symlink() {
        let dir = tempfile::tempdir().expect("tmp");
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").expect("write");
        let p = dir.path().join("part.parquet");
        std::os::unix::fs::symlink(&victim, &p).expect("symlink");
        write_atomic_unsynced(&p, b"data").expect("write");
        assert_eq!(fs::read(&victim).expect("read"), b"precious");
        assert_eq!(fs::read(&p).expect("read"), b"data");
        assert_eq!(names(dir.path()), ["part.parquet", "victim"]);
    }

    #[test]
    fn a_planted_symlink_is_replaced_not_followed() {
        let dir = tempfile::tempdir().expect("tmp");
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").expect("write");
        let p = dir.path().join("r.md");
        std::os::unix::fs::symlink(&victim, &p).expect("symlink");
        // The old helper's predictable temporary name, planted too.
        let pid = std::process::id();
        std::os::unix::fs::symlink(&victim, dir.path().join(format!(".r.md.tmp-{pid}")))
            .expect("symlink");
        write_atomic(&p, b"report", true).expect("write");
        assert_eq!(fs::read(&victim).expect("read"), b"precious");
        assert_eq!(fs::read(&p).expect("read"), b"report");
        assert!(
            !fs::symlink_metadata(&p)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        // A symlink to a device outside /dev is replaced too, never written through.
        let q = dir.path().join("d.md");
        std::os::unix::fs::symlink("/dev/null", &q).expect("symlink");
        write_atomic(&q, b"x", true).expect("write");
        assert_eq!(fs::read(&q).expect("read"), b"x");
    }

    #[test]
    fn devices_are_written_into_and_directories_refused() {
        write_atomic(Path::new("/dev/null"), b"gone", true).expect("/dev/null");
        assert!(
            fs::metadata("/dev/null")
                .map(|m| !m.is_file())
                .unwrap_or(false),
            "/dev/null is still a device"
        );
        let full = write_atomic(Path::new("/dev/full"), b"x", true).expect_err("ENOSPC");
        assert_eq!(full.raw_os_error(), Some(28), "{full}");
        let dir = tempfile::tempdir().expect("tmp");
        let err = write_atomic(dir.path(), b"x", true).expect_err("a directory");
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        assert!(names(dir.path()).is_empty());
    }
}
