//! Investigator speed on a large store: one timeline frame at several scroll positions, a scroll
//! through the view, the example filter, and memory while scrolling.
//!
//! `cargo bench --bench tui` (events: CTTUI_BENCH_EVENTS, default 1,000,000). Prints figures.
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use cttui::ingest::LoadOptions;
use cttui::ui::action::Action;
use cttui::ui::app::{App, Clock, Env};
use cttui::ui::jobs::run_filter;
use cttui::ui::keymap::Keymap;
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FILES: usize = 8;
const NAMES: [&str; 8] = [
    "GetObject",
    "GetObject",
    "GetObject",
    "ListBuckets",
    "PutObject",
    "AssumeRole",
    "DescribeInstances",
    "ConsoleLogin",
];

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Writes `n` events over `FILES` Records files; about one in 500 is the attacker's.
fn write_logs(dir: &std::path::Path, n: usize) -> std::io::Result<()> {
    let mut rng = Lcg(7);
    let per = n.div_ceil(FILES);
    let start = 1_600_000_000i64;
    for f in 0..FILES {
        let mut s = String::with_capacity(per * 520);
        s.push_str("{\"Records\":[");
        for i in 0..per.min(n.saturating_sub(f * per)) {
            let k = f * per + i;
            let t = start + (k as i64 * 2_592_000 / n as i64);
            let when = chrono::DateTime::from_timestamp(t, 0)
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%SZ");
            let r = rng.next();
            let attacker = r.is_multiple_of(500);
            let user = if attacker {
                "attacker-temp".to_owned()
            } else {
                format!("user{:03}", r % 200)
            };
            let name = NAMES[(r / 7 % NAMES.len() as u64) as usize];
            let src = match name {
                "GetObject" | "PutObject" | "ListBuckets" => "s3.amazonaws.com",
                "AssumeRole" => "sts.amazonaws.com",
                "ConsoleLogin" => "signin.amazonaws.com",
                _ => "ec2.amazonaws.com",
            };
            let error = if r.is_multiple_of(20) {
                r#","errorCode":"AccessDenied","errorMessage":"Access Denied""#
            } else {
                ""
            };
            let req = if src == "s3.amazonaws.com" {
                format!(
                    r#"{{"bucketName":"bucket-{}","key":"data/part-{:06}.csv"}}"#,
                    r % 17,
                    r % 100_000
                )
            } else {
                "null".to_owned()
            };
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDA{r:016}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIA{ak:012}","userName":"{user}"}},"eventTime":"{when}","eventSource":"{src}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.{a}.{b}","userAgent":"aws-cli/2.0.50 Python/3.8"{error},"requestParameters":{req},"responseElements":null,"requestID":"R{k:010}","eventID":"e{k:012}","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333"}}"#,
                ak = r % 1000,
                a = r % 256,
                b = (r / 256) % 256,
            );
        }
        s.push_str("]}");
        std::fs::write(dir.join(format!("part-{f}.json")), s)?;
    }
    Ok(())
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn stats(mut v: Vec<Duration>) -> String {
    if v.is_empty() {
        return "no samples".to_owned();
    }
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:.3} ms, median {:.3} ms, p99 {:.3} ms, max {:.3} ms (n={})",
        ms(v[0]),
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 99 / 100).min(v.len() - 1)]),
        ms(v[v.len() - 1]),
        v.len()
    )
}

fn main() {
    let n: usize = std::env::var("CTTUI_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    print!("writing {n} events ... ");
    let _ = std::io::stdout().flush();
    let t = Instant::now();
    write_logs(dir.path(), n).expect("write logs");
    println!("{:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let inv = LoadedLog::load(&[dir.path().display().to_string()], &LoadOptions::default())
        .expect("load");
    println!(
        "load + summarise: {:.2} s, {} events, RSS {} MiB",
        t.elapsed().as_secs_f64(),
        inv.len(),
        rss_kib() / 1024
    );
    let len = inv.len();

    // The example filter, exactly as the filter job runs it.
    let mut times = Vec::new();
    let mut matched = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let v = run_filter(&inv, "name:GetObject user:*attacker*", None).expect("filter");
        times.push(t.elapsed());
        matched = v.len();
    }
    println!(
        "filter `name:GetObject user:*attacker*` ({matched} rows): {}",
        stats(times)
    );
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        run_filter(&inv, "error:AccessDenied", None).expect("filter");
        times.push(t.elapsed());
    }
    println!("filter `error:AccessDenied`: {}", stats(times));

    let env = Env {
        theme: Theme::colored(),
        keymap: Keymap::default_map().expect("keymap"),
        export_dir: std::path::PathBuf::from("."),
        clock: Clock::Fixed(0),
    };
    let mut app = App::with_investigation(env, inv);
    app.apply(Action::GotoTimeline);
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        println!("timeline frame at {w}x{h}:");
        for frac in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let target = ((len.saturating_sub(1)) as f64 * frac) as usize;
            select(&mut app, target);
            let mut v = Vec::new();
            for _ in 0..60 {
                let t = Instant::now();
                term.draw(|f| app.render(f)).expect("draw");
                v.push(t.elapsed());
            }
            println!("  row {target:>9}: {}", stats(v));
        }
    }

    // Scrolling: one row per frame through 20,000 rows, then pages through the whole view.
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    app.apply(Action::Top);
    term.draw(|f| app.render(f)).expect("draw");
    let before = rss_kib();
    let mut v = Vec::new();
    for _ in 0..20_000 {
        let t = Instant::now();
        app.apply(Action::Down);
        term.draw(|f| app.render(f)).expect("draw");
        v.push(t.elapsed());
    }
    println!("scroll by row (update + frame, 80x24): {}", stats(v));
    app.apply(Action::Top);
    let mut v = Vec::new();
    let mut pages = 0;
    while app.workspace().expect("loaded").timeline.nav.selected + 1 < len {
        let t = Instant::now();
        app.apply(Action::PageDown);
        term.draw(|f| app.render(f)).expect("draw");
        v.push(t.elapsed());
        pages += 1;
    }
    println!(
        "scroll by page through all {len} rows ({pages} frames): {}",
        stats(v)
    );
    let after = rss_kib();
    println!(
        "RSS while scrolling: {} MiB before, {} MiB after ({:+} KiB)",
        before / 1024,
        after / 1024,
        after as i64 - before as i64
    );
}

fn select(app: &mut App, target: usize) {
    app.apply(Action::Top);
    let len = app.workspace().map_or(0, |s| s.view().len());
    if target + 1 >= len {
        app.apply(Action::Bottom);
        return;
    }
    // Pages of the last drawn height until close, then rows.
    loop {
        let sel = app.workspace().map_or(0, |s| s.timeline.nav.selected);
        if sel >= target {
            break;
        }
        let page = app.viewport.page.get().max(1);
        if sel + page <= target {
            app.apply(Action::PageDown);
        } else {
            app.apply(Action::Down);
        }
    }
}
