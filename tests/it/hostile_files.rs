//! Special files: FIFOs, devices and sockets in a walked folder are passed over and counted (also
//! through symlinks); named explicitly they are read under the size cap, and a FIFO with no writer
//! is given up after a wait instead of blocking forever.
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cttui::ingest::source::{FIFO_WAIT, Input, read_input};
use cttui::ingest::{LoadOptions, load};

const RECORD: &str = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"e1"}]}"#;

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().expect("mkfifo runs");
    assert!(ok.success());
}

fn cttui() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cttui"));
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn special_files_in_a_folder_are_counted_not_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.json"), RECORD).expect("write");
    mkfifo(&dir.path().join("pipe.json"));
    let elsewhere = tempfile::tempdir().expect("tmp");
    mkfifo(&elsewhere.path().join("target"));
    std::os::unix::fs::symlink(
        elsewhere.path().join("target"),
        dir.path().join("link.json"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("missing"), dir.path().join("dangling.json"))
        .expect("symlink");
    // A symlink loop back to the folder is walked once.
    std::os::unix::fs::symlink(dir.path(), dir.path().join("again")).expect("symlink");
    let started = Instant::now();
    let (store, report) = load(
        &[dir.path().to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert!(started.elapsed() < Duration::from_secs(5), "nothing blocks");
    assert_eq!(store.len(), 1);
    let reasons: Vec<_> = report
        .passed
        .iter()
        .map(|p| {
            let name = Path::new(&p.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            (name.unwrap_or_default(), p.reason.clone())
        })
        .collect();
    let reason = |n: &str| {
        reasons
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{n} not counted: {reasons:?}"))
    };
    assert!(reason("pipe.json").contains("a FIFO"));
    assert!(reason("link.json").contains("a FIFO"));
    assert!(reason("zero.json").contains("a character device"));
    assert!(reason("dangling.json").contains("broken symlink"));
    assert_eq!(report.files.len(), 1, "the loop did not read a.json twice");
}

#[test]
fn a_fifo_named_explicitly_loads_from_its_writer_and_gives_up_without_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("in.fifo");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(fifo)
                .expect("open");
            f.write_all(RECORD.as_bytes()).expect("write");
        })
    };
    let (store, _) = load(
        &[fifo.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert_eq!(store.len(), 1);
    writer.join().expect("writer");

    // No writer: given up after FIFO_WAIT with a reason, not blocked forever.
    let started = Instant::now();
    let err = read_input(&Input::File(fifo.clone()), 1 << 20, None)
        .err()
        .expect("gives up");
    let waited = started.elapsed();
    assert!(err.contains("no writer"), "{err}");
    assert!(waited >= FIFO_WAIT && waited < FIFO_WAIT + Duration::from_secs(5));
}

#[test]
fn endless_streams_stop_at_the_cap_with_a_clear_message() {
    // /dev/zero: binary, stopped at once.
    let started = Instant::now();
    let err = read_input(&Input::File("/dev/zero".into()), 4 << 30, None)
        .err()
        .expect("refused");
    assert!(err.contains("not a CloudTrail log"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // Endless text (a FIFO fed forever): stopped at the cap.
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("endless");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(fifo)
                .expect("open");
            let line = format!("{RECORD}\n").repeat(100);
            // Ends when the reader closes (EPIPE).
            while f.write_all(line.as_bytes()).is_ok() {}
        })
    };
    let err = read_input(&Input::File(fifo), 4 << 20, None)
        .err()
        .expect("capped");
    assert!(err.contains("over the cap of 4194304 bytes"), "{err}");
    writer.join().expect("writer ends");

    // Through the CLI: stdin from /dev/zero, and process substitution.
    let out = cttui()
        .args(["summary", "-"])
        .stdin(std::fs::File::open("/dev/zero").expect("zero"))
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("-: not a CloudTrail log"), "{err}");
}

#[test]
fn stdin_and_process_substitution_load() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("r.json");
    std::fs::write(&file, RECORD).expect("write");
    let mut child = cttui()
        .args(["summary", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(RECORD.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bash = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "exec {} summary --format json <(cat {})",
            env!("CARGO_BIN_EXE_cttui"),
            file.display()
        ))
        .output()
        .expect("bash runs");
    assert!(
        bash.status.success(),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&bash.stdout).expect("json");
    assert_eq!(v["events"], 1, "{v}");
}

/// Per-file memory: 20,000 one-record files once took 1.38 GB (~68 KB a file). Measured in a
/// process of its own, so the peak is this load's alone.
#[test]
fn many_small_files_cost_little_memory_each() {
    crate::support::in_own_process("hostile_files::many_small_files_alone");
}

#[test]
#[ignore = "run by many_small_files_cost_little_memory_each in a process of its own"]
fn many_small_files_alone() {
    crate::support::assert_alone();
    const FILES: usize = 5_000;
    let dir = tempfile::tempdir().expect("tmp");
    for i in 0..FILES {
        let rec = RECORD.replace("\"e1\"", &format!("\"e{i}\""));
        std::fs::write(dir.path().join(format!("f{i:05}.json")), rec).expect("write");
    }
    let peak = || crate::support::fuzz::peak_rss().expect("VmHWM in /proc/self/status");
    let base = peak();
    let (store, report) = load(
        &[dir.path().to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load");
    assert_eq!(store.len(), FILES);
    assert_eq!(report.files.len(), FILES);
    let per_file = peak().saturating_sub(base) / FILES as u64;
    eprintln!("peak growth per file: {per_file} bytes");
    assert!(
        per_file < 16 << 10,
        "{per_file} bytes of peak memory per file"
    );
}
