//! Signals that would leave the terminal in raw mode: SIGQUIT and SIGUSR1 end the program with the
//! terminal restored; SIGTSTP and ctrl-z suspend it cleanly (terminal restored, process stopped)
//! and SIGCONT brings it back redrawn. The real binary runs in a pseudo-terminal.
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const TIMEOUT: Duration = Duration::from_secs(30);
const RECORD: &str = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"e1"}]}"#;

struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Tui {
    fn start(home: &Path) -> Tui {
        let log = home.join("a.json");
        std::fs::write(&log, RECORD).expect("write");
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cttui"));
        cmd.arg(&log);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home);
        cmd.env("XDG_DATA_HOME", home);
        let child = pair.slave.spawn_command(cmd).expect("starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("writer")));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (r, w) = (Arc::clone(&raw), Arc::clone(&writer));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                // Answer cursor position requests as a terminal would (redraws ask for it).
                if buf[..n].windows(4).any(|x| x == b"\x1b[6n")
                    && let Ok(mut w) = w.lock()
                {
                    let _ = w.write_all(b"\x1b[1;1R");
                    let _ = w.flush();
                }
                if let Ok(mut r) = r.lock() {
                    r.extend_from_slice(&buf[..n]);
                }
            }
        });
        Tui {
            child,
            writer,
            raw,
            _master: pair.master,
        }
    }

    fn send(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().expect("writer");
        w.write_all(bytes).expect("write");
        w.flush().expect("flush");
    }

    fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    /// Position of the last occurrence of `needle` in the output so far.
    fn last(&self, needle: &[u8]) -> Option<usize> {
        let raw = self.raw.lock().expect("raw");
        raw.windows(needle.len()).rposition(|w| w == needle)
    }

    fn count(&self, needle: &[u8]) -> usize {
        let raw = self.raw.lock().expect("raw");
        raw.windows(needle.len()).filter(|w| *w == needle).count()
    }

    fn wait(&self, what: &str, done: impl Fn(&Tui) -> bool) {
        let end = Instant::now() + TIMEOUT;
        while !done(self) {
            if Instant::now() >= end {
                let raw = self.raw.lock().expect("raw");
                let tail = &raw[raw.len().saturating_sub(600)..];
                panic!(
                    "timed out waiting for {what}; output ends {:?}",
                    String::from_utf8_lossy(tail)
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn wait_drawn(&self) {
        self.wait("the first screen", |t| {
            let raw = t.raw.lock().expect("raw");
            String::from_utf8_lossy(&raw).contains("Overview")
        });
    }

    fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(ok.success());
    }

    /// The process state letter from /proc (T: stopped).
    fn state(&self) -> char {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        stat.rsplit(')')
            .next()
            .and_then(|rest| rest.trim_start().chars().next())
            .unwrap_or('?')
    }

    fn wait_exit(&mut self) {
        let end = Instant::now() + TIMEOUT;
        while self.child.try_wait().expect("wait").is_none() {
            assert!(Instant::now() < end, "the app did not exit");
            std::thread::sleep(Duration::from_millis(30));
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    /// After the last entry into the alternate screen, it was left, mouse reporting switched
    /// off and the cursor shown.
    fn assert_restored(&self) {
        let entered = self
            .last(b"\x1b[?1049h")
            .expect("the alternate screen was used");
        for (what, seq) in [
            ("alternate screen left", &b"\x1b[?1049l"[..]),
            ("mouse reporting off", b"\x1b[?1000l"),
            ("cursor shown", b"\x1b[?25h"),
        ] {
            assert!(self.last(seq).is_some_and(|p| p > entered), "{what}");
        }
    }
}

#[test]
fn sigquit_and_sigusr1_restore_the_terminal() {
    for sig in ["QUIT", "USR1"] {
        let home = tempfile::tempdir().expect("tmp");
        let mut t = Tui::start(home.path());
        t.wait_drawn();
        t.signal(sig);
        t.wait_exit();
        t.assert_restored();
    }
}

#[test]
fn sigtstp_and_ctrl_z_suspend_cleanly_and_resume_redrawn() {
    let home = tempfile::tempdir().expect("tmp");
    let mut t = Tui::start(home.path());
    t.wait_drawn();
    for how in ["signal", "ctrl-z"] {
        let entries = t.count(b"\x1b[?1049h");
        if how == "signal" {
            t.signal("TSTP");
        } else {
            t.send(b"\x1a");
        }
        t.wait(&format!("{how}: stopped"), |t| t.state() == 'T');
        t.assert_restored();
        t.signal("CONT");
        t.wait(&format!("{how}: re-entered"), |t| {
            t.count(b"\x1b[?1049h") > entries
        });
        t.wait(&format!("{how}: redrawn"), |t| {
            let raw = t.raw.lock().expect("raw");
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
