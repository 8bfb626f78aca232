//! Helpers shared by the integration tests: the binary, goldens, fixtures, the real logs beside
//! the repository, and tests that need a process of their own.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real binary with arguments, from the crate root.
pub fn cttui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run cttui")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Compares `actual` with the golden file; `CTTUI_BLESS=1` rewrites it (review the diff before committing).
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("CTTUI_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden {}: run with CTTUI_BLESS=1", path.display()));
    assert_eq!(
        actual, expected,
        "golden {name} differs (CTTUI_BLESS=1 to re-bless)"
    );
}

/// The third-party logs beside the repo, or `None` (and a note) when that folder is absent.
pub fn shared_cloudtrail(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cloudtrail")
        .join(sub);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} is absent (tests on real third-party logs need ../shared/cloudtrail)",
            p.display()
        );
        None
    }
}

pub fn fixture(name: &str) -> String {
    format!("tests/fixtures/ingest/{name}")
}

/// Runs the binary (see [`cttui`]) and returns its stdout, failing with its stderr unless it
/// succeeded.
pub fn cttui_ok(args: &[&str]) -> String {
    let out = cttui(args);
    assert!(
        out.status.success(),
        "cttui {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

/// The rule ids of `cttui analyze --format json` output, in order.
pub fn rule_ids(analysis: &serde_json::Value) -> Vec<&str> {
    analysis["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["rule_id"].as_str())
        .collect()
}

/// Copies the directory tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// Set in the child process that [`in_own_process`] starts.
const ALONE: &str = "CTTUI_TEST_ALONE";

/// Runs the `#[ignore]`d test `name` (its path in this crate, e.g. `hostile_gzip::bombs`) in a
/// child process of this test binary and requires it to pass. For tests that measure the process
/// itself (peak memory), which the other tests running in this binary would disturb.
pub fn in_own_process(name: &str) {
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ALONE, "1")
        .output()
        .expect("run the test binary");
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "{name} failed in its own process:\n{text}"
    );
    assert!(
        text.contains("test result: ok. 1 passed"),
        "{name} did not run:\n{text}"
    );
}

/// Fails unless this process was started by [`in_own_process`]: run in the shared test process
/// (`--ignored`), a measurement of the process would include the other tests.
pub fn assert_alone() {
    assert!(
        std::env::var_os(ALONE).is_some(),
        "this test measures its own process: it runs through `in_own_process`, not `--ignored`"
    );
}

/// `path` loaded and analysed once per test run, shared by the tests that only read it (analysing
/// the demo takes seconds in a debug build).
pub fn investigation(path: &str) -> std::sync::Arc<cttui::investigation::Investigation> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<String, Arc<cttui::investigation::Investigation>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Cache::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let inv = cache.entry(path.to_owned()).or_insert_with(|| {
        let opts = cttui::ingest::LoadOptions::default();
        let (store, report) = cttui::ingest::load(&[path.to_owned()], &opts).expect("loads");
        Arc::new(cttui::investigation::Investigation::analyze(store, report).expect("analyses"))
    });
    Arc::clone(inv)
}

/// Whether the TUI's default keymap binds `key` (as the help shows it) to `action` in some scope.
pub fn bound(key: &str, action: cttui::ui::action::Action) -> bool {
    cttui::ui::keymap::Keymap::default_map()
        .expect("keymap")
        .bindings()
        .iter()
        .any(|b| b.action == action && b.keys.iter().any(|k| k.to_string() == key))
}

pub mod fuzz;
pub mod markdown;
pub mod pty;
pub mod records;
pub mod tui;
