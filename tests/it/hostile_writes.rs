//! Writes through the CLI: a full file system leaves no temporary file and no half report behind;
//! `-o` onto a device writes into it; a symlink planted at the target is replaced, not followed.
use std::path::Path;
use std::process::Command;

const RECORD: &str = r#"{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a\u001b]0;t\u0007"},"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"e1","requestParameters":{"bucketName":"b","key":"k"}}]}"#;

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_full_disk_leaves_nothing_behind() {
    let logs = tempfile::tempdir().expect("tmp");
    let log = logs.path().join("a.json");
    std::fs::write(&log, RECORD).expect("write");
    let out_dir = tempfile::tempdir().expect("tmp");
    let out = out_dir.path().join("r.md");
    // A file size limit of 512 bytes makes the write fail like a full disk (EFBIG; SIGXFSZ ignored
    // so the write returns an error instead of killing the process).
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1; exec {} report -o {} {}",
            env!("CARGO_BIN_EXE_cttui"),
            out.display(),
            log.display()
        ))
        .env("XDG_DATA_HOME", out_dir.path())
        .output()
        .expect("bash runs");
    assert!(!status.status.success());
    let err = String::from_utf8_lossy(&status.stderr);
    assert!(err.contains("r.md"), "{err}");
    assert!(
        files(out_dir.path()).iter().all(|f| !f.contains("r.md")),
        "{:?}",
        files(out_dir.path())
    );

    // Without the limit the report is written whole, with no raw control byte in it.
    let ok = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["report", "-o"])
        .arg(&out)
        .arg(&log)
        .env("XDG_DATA_HOME", out_dir.path())
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let md = std::fs::read_to_string(&out).expect("written");
    assert!(
        !md.contains('\u{1b}') && !md.contains('\u{7}'),
        "raw control bytes in the report"
    );
    assert_eq!(
        files(out_dir.path())
            .iter()
            .filter(|f| f.contains("r.md"))
            .count(),
        1
    );
}

#[test]
fn report_onto_a_device_or_a_planted_symlink() {
    let logs = tempfile::tempdir().expect("tmp");
    let log = logs.path().join("a.json");
    std::fs::write(&log, RECORD).expect("write");
    let ok = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["report", "-o", "/dev/null"])
        .arg(&log)
        .env("XDG_DATA_HOME", logs.path())
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let meta = std::fs::metadata("/dev/null").expect("meta");
    assert!(!meta.is_file(), "/dev/null was replaced by a regular file");

    let dir = tempfile::tempdir().expect("tmp");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").expect("write");
    let target = dir.path().join("r.md");
    std::os::unix::fs::symlink(&victim, &target).expect("symlink");
    let ok = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["report", "-o"])
        .arg(&target)
        .arg(&log)
        .env("XDG_DATA_HOME", logs.path())
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    assert!(
        std::fs::read_to_string(&target)
            .expect("read")
            .starts_with('#')
    );
}
