//! End to end: the real binary in a pseudo-terminal at 80x24, read back through a vt100 parser.
//! It filters, marks two events, exports them, quits, and the file is checked; signals and
//! ctrl-c leave the terminal restored.
use std::path::Path;
use std::time::Duration;

use crate::support::copy_dir;
use crate::support::pty::Pty;

/// The logs the export test opens (copied to a temp dir: the app keeps its session file beside
/// the logs, and tests must not write into the repository).
const LOGS: &str = "tests/fixtures/tui";
/// The demo data set, for the playbook session round trip.
const DEMO: &str = "demo-logs";
/// A filter that leaves several events in the demo logs: the thief's object reads.
const FILTER: &str = "name:GetObject ip:203.0.113.77";

#[test]
fn filter_mark_export_quit() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = home.path().join("two-events.md");
    let logs = copy_logs(home.path(), DEMO);
    let mut s = Pty::start(home.path(), &logs);
    s.wait_for("1 Overview");
    s.wait_for("events from");
    s.send("2");
    s.wait_for("Time (UTC)");
    s.send("f");
    s.send(FILTER);
    s.wait_for("(typing)");
    s.send("\r");
    s.wait_until("the filter to be kept", |s| {
        s.contains(&format!("› {FILTER} ")) && !s.contains("(typing)")
    });
    s.send(" ");
    s.send(" ");
    s.wait_for("2 marked");
    s.send("e");
    s.wait_for("export 2 marked event(s) to:");
    s.send("\x15"); // ctrl-u clears the default path
    s.send(out.display().to_string());
    s.send("\r");
    s.wait_for("exported 2 event(s)");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "clean exit: {status:?}");
    s.assert_restored();
    let md = std::fs::read_to_string(&out).expect("the export was written");
    assert!(
        md.starts_with("# cttui event export: marked events\n"),
        "{md}"
    );
    assert!(
        md.contains("- Filter: name:GetObject ip:203.0.113.77\n"),
        "{md}"
    );
    assert!(md.contains("\n### 1. GetObject at "));
    assert!(md.contains("\n### 2. GetObject at "));
    assert!(!md.contains("\n### 3. "));
    assert_eq!(md.matches("\n```json\n").count(), 2);
}

#[test]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let logs = copy_logs(home.path(), LOGS);
    let mut s = Pty::start(home.path(), &logs);
    s.wait_for("events from");
    s.send("\x03");
    assert!(s.wait_exit().success());
    s.assert_restored();

    let mut s = Pty::start(home.path(), &logs);
    s.wait_for("events from");
    s.signal("TERM");
    assert!(s.wait_exit().success(), "SIGTERM ends the loop cleanly");
    s.assert_restored();
}

/// A copy of `logs` (relative to the crate) under `dir`.
fn copy_logs(dir: &Path, logs: &str) -> std::path::PathBuf {
    let to = dir.join("logs");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(logs), &to);
    to
}

#[test]
fn playbook_session_survives_a_restart() {
    let home = tempfile::tempdir().expect("tempdir");
    let logs = copy_logs(home.path(), DEMO);
    let file = logs.join(".cttui-session.json");
    // Sessions go under XDG_DATA_HOME unless the config asks for them beside the log.
    std::fs::create_dir_all(home.path().join("cttui")).expect("config dir");
    std::fs::write(
        home.path().join("cttui/config.toml"),
        "sessions = \"beside\"\n",
    )
    .expect("config");
    let slow = Duration::from_secs(300);
    let mut s = Pty::start(home.path(), &logs);
    s.wait_long("the load", slow, |t| {
        t.contains("events from") || t.contains("session")
    });
    // Timeline, first event: pin its principal as SUSPECT.
    s.send("2");
    s.wait_for("Time (UTC)");
    s.send("P");
    s.wait_for("│ SUSPECT ");
    // Playbook part 2: override Q1.
    s.send("8");
    s.send("2");
    s.wait_long("the triage answers", slow, |t| t.contains("suggested P"));
    s.send("o");
    s.wait_for("Q1 answer");
    s.send("PII confirmed by the data owner");
    s.send("\r");
    s.wait_long("the analyst's answer", slow, |t| {
        t.contains("PII confirmed by the data owner (analyst")
    });
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
    let json = std::fs::read_to_string(&file).expect("the session file beside the logs");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let suspect = v["pins"]["suspect"].as_str().expect("a suspect").to_owned();
    assert_eq!(
        v["answers"]["Q1"]["answer"].as_str(),
        Some("PII confirmed by the data owner")
    );
    // Reopen: the pin is in the status bar and the answer is the analyst's.
    let mut s = Pty::start(home.path(), &logs);
    s.wait_long("the restored session", slow, |t| t.contains("SUSPECT"));
    assert!(!suspect.is_empty());
    s.send("8");
    s.send("2");
    s.wait_long("the restored answer", slow, |t| {
        t.contains("PII confirmed by the data owner")
    });
    s.send("q");
    assert!(s.wait_exit().success());
}

/// The count on the frequency table's selected (first) row.
fn first_frequency_count(screen: &str) -> usize {
    let header = screen
        .lines()
        .position(|l| l.contains("Value") && l.contains("Share"))
        .expect("the frequency table's header");
    let row = screen.lines().nth(header + 1).expect("a first value");
    // "│203.0.113.77     4,101  12.0% ███│": the number before the share.
    let before_share = row.split('%').next().expect("a share");
    let words: Vec<&str> = before_share.split_whitespace().collect();
    words[words.len() - 2]
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("a count in {row}"))
}

#[test]
fn search_then_frequency_table_then_narrow() {
    let home = tempfile::tempdir().expect("tempdir");
    let logs = copy_logs(home.path(), DEMO);
    let slow = Duration::from_secs(300);
    let mut s = Pty::start(home.path(), &logs);
    s.wait_long("the load", slow, |t| t.contains("events from"));
    // The status bar has room for the search's messages once the analysis is done.
    s.wait_long("the analysis", slow, |t| {
        t.contains("events from") && !t.contains("analysing")
    });
    s.send("2");
    s.wait_for("Time (UTC)");
    // Search: the view stays whole, the selection moves to the first match.
    s.send("/");
    s.wait_for("search:");
    s.send("203.0.113.77");
    s.send("\r");
    let first = s.wait_for(" in all: 203.0.113.77");
    assert!(
        first.contains("34,038 events"),
        "search does not filter: {first}"
    );
    let at = |screen: &str| -> String {
        let line = screen
            .lines()
            .find(|l| l.contains("match at event "))
            .expect("the search message")
            .to_owned();
        line.split("match at event ")
            .nth(1)
            .and_then(|r| r.split(" of ").next())
            .expect("a position")
            .to_owned()
    };
    let p1 = at(&first);
    s.send("n");
    let second = s.wait_until("the next match", |t| {
        t.contains("match at event ") && !t.contains(" in all")
    });
    let p2 = at(&second);
    assert_ne!(p1, p2, "n moves to another match");
    s.send("N");
    s.wait_until(&format!("the previous match, {p1} (n went to {p2})"), |t| {
        t.contains(&format!("match at event {p1} of"))
    });
    // Column cursor to the source IP (principal, event, error, source IP), then Shift-F.
    s.send("l");
    s.send("l");
    s.send("l");
    s.wait_for("Source IP: ");
    s.send("F");
    let table = s.wait_for("source IP in the view");
    let n = first_frequency_count(&table);
    assert!(n > 0);
    // Enter narrows the view to that address.
    s.send("\r");
    let narrowed = s.wait_until("the narrowed view", |t| {
        t.contains("› ip:") && !t.contains("(typing)") && !t.contains("filtering")
    });
    let want = format!("{} of 34,038 events", thousands(n));
    s.wait_until(&want, |t| t.contains(&want));
    // The narrowing is a typed filter: its Display, as the filter box would read it.
    assert!(narrowed.contains("› ip:"), "{narrowed}");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

fn thousands(n: usize) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
