//! The real binary in a pseudo-terminal at 80x24: what it writes is kept raw and read through a
//! vt100 parser, keys are written to it as a terminal would, and signals are sent to it.
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// Starts `cttui <logs>` from the crate root, with `home` as its home and XDG config and
    /// data directories (so nothing is read from or written to the real ones).
    pub fn start(home: &Path, logs: &Path) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cttui"));
        cmd.arg(logs);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home);
        cmd.env("XDG_DATA_HOME", home);
        let child = pair.slave.spawn_command(cmd).expect("the binary starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("writer")));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r, w) = (Arc::clone(&parser), Arc::clone(&raw), Arc::clone(&writer));
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
                if let Ok(mut p) = p.lock() {
                    p.process(&buf[..n]);
                }
                if let Ok(mut r) = r.lock() {
                    r.extend_from_slice(&buf[..n]);
                }
            }
        });
        Pty {
            child,
            writer,
            parser,
            raw,
            _master: pair.master,
        }
    }

    /// The screen as the terminal shows it now.
    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    /// Everything the app wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    /// Position of the last occurrence of `needle` in the output so far.
    pub fn last(&self, needle: &[u8]) -> Option<usize> {
        let raw = self.raw.lock().expect("raw");
        raw.windows(needle.len()).rposition(|w| w == needle)
    }

    pub fn count(&self, needle: &[u8]) -> usize {
        let raw = self.raw.lock().expect("raw");
        raw.windows(needle.len()).filter(|w| *w == needle).count()
    }

    /// Types `bytes`, then pauses so that the app sees separate keys as separate reads (an ESC
    /// must not join the next key).
    pub fn send(&self, bytes: impl AsRef<[u8]>) {
        let mut w = self.writer.lock().expect("writer");
        w.write_all(bytes.as_ref()).expect("write to the pty");
        w.flush().expect("flush");
        drop(w);
        std::thread::sleep(Duration::from_millis(60));
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    /// Sends `kill -<sig>` to the app.
    pub fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(ok.success(), "kill -{sig}");
    }

    /// The process state letter from /proc (T: stopped).
    pub fn state(&self) -> char {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        stat.rsplit(')')
            .next()
            .and_then(|rest| rest.trim_start().chars().next())
            .unwrap_or('?')
    }

    /// Waits up to `timeout` for `done`, failing with the screen and the output's end.
    pub fn wait(&self, what: &str, timeout: Duration, done: impl Fn(&Pty) -> bool) {
        let end = Instant::now() + timeout;
        while !done(self) {
            if Instant::now() >= end {
                let raw = self.raw();
                let tail = &raw[raw.len().saturating_sub(600)..];
                panic!(
                    "timed out waiting for {what}; screen:\n{}\noutput ends {:?}",
                    self.screen(),
                    String::from_utf8_lossy(tail)
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits up to `timeout` for the screen to satisfy `done`; returns that screen.
    pub fn wait_long(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + timeout;
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        self.wait_long(what, TIMEOUT, done)
    }

    /// Waits for `text` on the screen; returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let end = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // Let the reader drain the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(
                Instant::now() < end,
                "the app did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// After the last entry into the alternate screen, it was left, mouse reporting switched
    /// off and the cursor shown. Waits for those bytes first: the app may stop or exit right
    /// after writing them, before the reader thread has read them.
    pub fn assert_restored(&self) {
        const RESTORE: [(&str, &[u8]); 3] = [
            ("alternate screen left", b"\x1b[?1049l"),
            ("mouse reporting off", b"\x1b[?1000l"),
            ("cursor shown", b"\x1b[?25h"),
        ];
        let restored = |t: &Pty| {
            t.last(b"\x1b[?1049h").is_some_and(|entered| {
                RESTORE
                    .iter()
                    .all(|(_, seq)| t.last(seq).is_some_and(|p| p > entered))
            })
        };
        let end = Instant::now() + TIMEOUT;
        while !restored(self) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(30));
        }
        let entered = self
            .last(b"\x1b[?1049h")
            .expect("the alternate screen was used");
        for (what, seq) in RESTORE {
            assert!(self.last(seq).is_some_and(|p| p > entered), "{what}");
        }
    }
}
