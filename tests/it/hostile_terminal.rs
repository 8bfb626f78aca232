//! Signals that would leave the terminal in raw mode: SIGQUIT and SIGUSR1 end the program with the
//! terminal restored; SIGTSTP and ctrl-z suspend it cleanly (terminal restored, process stopped)
//! and SIGCONT brings it back redrawn. The real binary runs in a pseudo-terminal.
use std::path::Path;

use crate::support::pty::{Pty, TIMEOUT};

const RECORD: &str = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"e1"}]}"#;

/// The app on a one-record log in `home`.
fn start(home: &Path) -> Pty {
    let log = home.join("a.json");
    std::fs::write(&log, RECORD).expect("write");
    let t = Pty::start(home, &log);
    t.wait_for("Overview");
    t
}

#[test]
fn sigquit_and_sigusr1_restore_the_terminal() {
    for sig in ["QUIT", "USR1"] {
        let home = tempfile::tempdir().expect("tmp");
        let mut t = start(home.path());
        t.signal(sig);
        t.wait_exit();
        t.assert_restored();
    }
}

#[test]
fn sigtstp_and_ctrl_z_suspend_cleanly_and_resume_redrawn() {
    let home = tempfile::tempdir().expect("tmp");
    let mut t = start(home.path());
    for how in ["signal", "ctrl-z"] {
        let entries = t.count(b"\x1b[?1049h");
        if how == "signal" {
            t.signal("TSTP");
        } else {
            t.send(b"\x1a");
        }
        t.wait(&format!("{how}: stopped"), TIMEOUT, |t| t.state() == 'T');
        t.assert_restored();
        t.signal("CONT");
        t.wait(&format!("{how}: re-entered"), TIMEOUT, |t| {
            t.count(b"\x1b[?1049h") > entries
        });
        t.wait(&format!("{how}: redrawn"), TIMEOUT, |t| {
            let raw = t.raw();
            let from = raw
                .windows(8)
                .rposition(|w| w == b"\x1b[?1049h")
                .unwrap_or(0);
            String::from_utf8_lossy(&raw[from..]).contains("Overview")
        });
    }
    t.send(b"q");
    t.wait_exit();
    t.assert_restored();
}
