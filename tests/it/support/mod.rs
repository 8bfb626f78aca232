//! Helpers shared by the integration tests.
#![allow(dead_code)]
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

pub mod markdown;
pub mod fuzz;
pub mod records;
