//! `cttui scale`: grows real logs to N events for benchmarks, so speed and memory are measured on
//! real record shapes rather than only on the demo generator's.
//!
//! Every event of the input is a template. Copy `k` of the input is shifted by `k` days (by
//! default) and every event gets a fresh, deterministic eventID; the copies are merged in time
//! order, so the output is time-ordered like delivered logs. Streams: only the templates are held.
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::cli::LoadArgs;
use crate::error::{Error, Result};

/// What `scale` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScaleFormat {
    /// One `{"Records":[...]}` file (one line, as CloudTrail delivers it).
    Records,
    /// One record per line.
    Jsonl,
    /// An AWSLogs delivery tree of `.json.gz` files, one per account, region and hour.
    Tree,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ScaleArgs {
    /// Log files or directories whose events are the templates.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// How many events to write.
    #[arg(long, short = 'n')]
    pub events: usize,
    /// Output file (records, jsonl) or directory (tree).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Output shape; by default from the name: `.jsonl`/`.ndjson` JSON Lines, `.json` a Records
    /// file, anything else a gzip tree.
    #[arg(long, value_enum)]
    pub format: Option<ScaleFormat>,
    /// Days between successive copies of the input.
    #[arg(long, default_value_t = 1)]
    pub shift_days: i64,
    /// Most events in one delivery file of a tree.
    #[arg(long, default_value_t = 1000)]
    pub per_file: usize,
    /// Seed of the fresh eventIDs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl ScaleArgs {
    fn shape(&self) -> ScaleFormat {
        self.format.unwrap_or_else(|| {
            let name = self.output.to_string_lossy().to_ascii_lowercase();
            if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
                ScaleFormat::Jsonl
            } else if name.ends_with(".json") {
                ScaleFormat::Records
            } else {
                ScaleFormat::Tree
            }
        })
    }
}

/// One input event split around its eventID and eventTime values.
struct Template {
    time: i64,
    /// Text before the eventID value, between it and the eventTime value, and after (or the other
    /// way round, as the record orders them).
    parts: [String; 3],
    id_first: bool,
    account: String,
    region: String,
}

const ID_MARK: &str = "\"@@cttui-scale-id@@\"";
const TIME_MARK: &str = "\"@@cttui-scale-time@@\"";

impl Template {
    fn new(time: i64, mut value: serde_json::Value) -> Option<Self> {
        let obj = value.as_object_mut()?;
        let pick = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        let account = pick(obj.get("recipientAccountId"))
            .or_else(|| pick(obj.get("userIdentity").and_then(|u| u.get("accountId"))))
            .unwrap_or_else(|| "000000000000".to_owned());
        let region = pick(obj.get("awsRegion")).unwrap_or_else(|| "us-east-1".to_owned());
        obj.insert("eventID".to_owned(), "@@cttui-scale-id@@".into());
        obj.insert("eventTime".to_owned(), "@@cttui-scale-time@@".into());
        let text = serde_json::to_string(&value).ok()?;
        let id_at = text.find(ID_MARK)?;
        let time_at = text.find(TIME_MARK)?;
        let (a, b, a_len, b_len) = if id_at < time_at {
            (id_at, time_at, ID_MARK.len(), TIME_MARK.len())
        } else {
            (time_at, id_at, TIME_MARK.len(), ID_MARK.len())
        };
        Some(Template {
            time,
            parts: [
                text[..a].to_owned(),
                text[a + a_len..b].to_owned(),
                text[b + b_len..].to_owned(),
            ],
            id_first: id_at < time_at,
            account: path_safe(&account),
            region: path_safe(&region),
        })
    }

    /// The record with its new eventID and eventTime.
    fn write(&self, out: &mut Vec<u8>, id: &str, time: &str) {
        let (first, second) = if self.id_first {
            (id, time)
        } else {
            (time, id)
        };
        out.extend_from_slice(self.parts[0].as_bytes());
        push_quoted(out, first);
        out.extend_from_slice(self.parts[1].as_bytes());
        push_quoted(out, second);
        out.extend_from_slice(self.parts[2].as_bytes());
    }
}

fn push_quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Log strings become path components: keep only characters that cannot climb or hide.
fn path_safe(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

/// splitmix64: a fresh, reproducible 64-bit value per (seed, copy, index).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A UUID-shaped eventID (version 4 layout).
fn event_id(seed: u64, copy: u64, index: u64) -> String {
    let a = mix(seed ^ mix(copy.wrapping_mul(0x1_0000_0001) ^ mix(index)));
    let b = mix(a);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// eventTime text: whole seconds as CloudTrail writes them, milliseconds when the input had them.
fn iso_ms(ms: i64) -> Option<String> {
    let d = DateTime::from_timestamp_millis(ms)?;
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    );
    Some(if ms.rem_euclid(1000) == 0 {
        format!("{base}Z")
    } else {
        format!("{base}.{:03}Z", ms.rem_euclid(1000))
    })
}

/// Reads the input's events as templates, in time order; events without a parseable time are left
/// out (counted).
fn templates(paths: &[String], load: &LoadArgs) -> Result<(Vec<Template>, usize)> {
    let (store, report) = crate::cli::load_with_progress(paths, load)?;
    crate::cli::report_skips(&report, load);
    let mut out = Vec::with_capacity(store.len());
    let mut skipped = 0;
    for row in 0..store.len() {
        let tpl = store
            .time_at(row)
            .zip(store.raw_value(row))
            .and_then(|(t, v)| Template::new(t, v));
        match tpl {
            Some(t) => out.push(t),
            None => skipped += 1,
        }
    }
    Ok((out, skipped))
}

/// Where scaled records go.
trait Out {
    fn push(&mut self, tpl: &Template, time: i64, record: &[u8]) -> Result<()>;
    fn finish(&mut self) -> Result<()>;
}

struct Single {
    path: PathBuf,
    out: BufWriter<File>,
    jsonl: bool,
    first: bool,
}

impl Single {
    fn create(path: &Path, jsonl: bool) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        if !jsonl {
            out.write_all(b"{\"Records\":[")
                .map_err(|e| Error::io(path, e))?;
        }
        Ok(Single {
            path: path.to_owned(),
            out,
            jsonl,
            first: true,
        })
    }
}

impl Out for Single {
    fn push(&mut self, _tpl: &Template, _time: i64, record: &[u8]) -> Result<()> {
        let io = |e| Error::io(&self.path, e);
        if !self.jsonl && !self.first {
            self.out.write_all(b",").map_err(io)?;
        }
        self.first = false;
        self.out.write_all(record).map_err(io)?;
        if self.jsonl {
            self.out.write_all(b"\n").map_err(io)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let io = |e| Error::io(&self.path, e);
        if !self.jsonl {
            self.out.write_all(b"]}\n").map_err(io)?;
        }
        self.out.flush().map_err(io)
    }
}

/// An AWSLogs tree: one delivery file per account, region and hour (split at `per_file` events).
struct Tree {
    root: PathBuf,
    per_file: usize,
    seed: u64,
    files: u64,
    /// (account, region) -> (hour, records, count)
    open: std::collections::BTreeMap<(String, String), (i64, Vec<u8>, usize)>,
}

impl Tree {
    fn flush(&mut self, key: &(String, String), hour: i64, body: &[u8]) -> Result<()> {
        let (account, region) = key;
        let d = DateTime::from_timestamp(hour * 3600, 0).unwrap_or_default();
        let rel = format!(
            "AWSLogs/{account}/CloudTrail/{region}/{:04}/{:02}/{:02}",
            d.year(),
            d.month(),
            d.day()
        );
        let dir = self.root.join(rel);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        self.files += 1;
        let tag = mix(self.seed ^ mix(self.files));
        let name = format!(
            "{account}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}05Z_{tag:016x}.json.gz",
            d.year(),
            d.month(),
            d.day(),
            d.hour()
        );
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut enc = GzEncoder::new(BufWriter::new(file), Compression::default());
        let io = |e| Error::io(&path, e);
        enc.write_all(b"{\"Records\":[").map_err(io)?;
        enc.write_all(body).map_err(io)?;
        enc.write_all(b"]}").map_err(io)?;
        enc.finish().and_then(|mut w| w.flush()).map_err(io)
    }
}

impl Out for Tree {
    fn push(&mut self, tpl: &Template, time: i64, record: &[u8]) -> Result<()> {
        let hour = time.div_euclid(3_600_000);
        let key = (tpl.account.clone(), tpl.region.clone());
        let full = match self.open.get(&key) {
            Some((h, _, n)) => *h != hour || *n >= self.per_file,
            None => false,
        };
        if full && let Some((h, body, _)) = self.open.remove(&key) {
            self.flush(&key, h, &body)?;
        }
        let entry = self.open.entry(key).or_insert((hour, Vec::new(), 0));
        if entry.2 > 0 {
            entry.1.push(b',');
        }
        entry.1.extend_from_slice(record);
        entry.2 += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        for (key, (hour, body, _)) in std::mem::take(&mut self.open) {
            self.flush(&key, hour, &body)?;
        }
        Ok(())
    }
}

/// What `scale` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaled {
    pub events: u64,
    pub templates: usize,
    pub skipped: usize,
    pub files: u64,
}

/// Writes `args.events` events grown from `args.paths`.
pub fn scale(args: &ScaleArgs, load: &LoadArgs) -> Result<Scaled> {
    let (templates, skipped) = templates(&args.paths, load)?;
    if templates.is_empty() {
        return Err(Error::Invalid(
            "no event with a parseable time to scale from".to_owned(),
        ));
    }
    let shape = args.shape();
    let mut out: Box<dyn Out> = match shape {
        ScaleFormat::Records => Box::new(Single::create(&args.output, false)?),
        ScaleFormat::Jsonl => Box::new(Single::create(&args.output, true)?),
        ScaleFormat::Tree => {
            if fs::read_dir(&args.output).is_ok_and(|mut d| d.next().is_some()) {
                return Err(Error::Invalid(format!(
                    "{}: directory is not empty",
                    args.output.display()
                )));
            }
            Box::new(Tree {
                root: args.output.clone(),
                per_file: args.per_file.max(1),
                seed: args.seed,
                files: 0,
                open: Default::default(),
            })
        }
    };
    let copies = args.events.div_ceil(templates.len()) as u64;
    let shift = args.shift_days.saturating_mul(86_400_000);
    // Merge the copies in time order: (time, copy, index), smallest first.
    let mut heap: BinaryHeap<std::cmp::Reverse<(i64, u64, usize)>> = (0..copies)
        .map(|k| std::cmp::Reverse((templates[0].time + shift * k as i64, k, 0)))
        .collect();
    let mut written = 0u64;
    let mut buf = Vec::with_capacity(4096);
    while let Some(std::cmp::Reverse((time, copy, index))) = heap.pop() {
        if written >= args.events as u64 {
            break;
        }
        let tpl = &templates[index];
        let Some(stamp) = iso_ms(time) else {
            continue;
        };
        buf.clear();
        tpl.write(&mut buf, &event_id(args.seed, copy, index as u64), &stamp);
        out.push(tpl, time, &buf)?;
        written += 1;
        if let Some(next) = templates.get(index + 1) {
            heap.push(std::cmp::Reverse((
                next.time + shift * copy as i64,
                copy,
                index + 1,
            )));
        }
    }
    out.finish()?;
    let files = match shape {
        ScaleFormat::Tree => count_files(&args.output),
        _ => 1,
    };
    Ok(Scaled {
        events: written,
        templates: templates.len(),
        skipped,
        files,
    })
}

fn count_files(dir: &Path) -> u64 {
    fs::read_dir(dir).map_or(0, |rd| {
        rd.filter_map(std::result::Result::ok)
            .map(|e| {
                let p = e.path();
                if p.is_dir() { count_files(&p) } else { 1 }
            })
            .sum()
    })
}

/// `cttui scale`: writes, then says what it wrote on stderr.
pub fn run_scale(args: &ScaleArgs, load: &LoadArgs) -> Result<()> {
    let s = scale(args, load)?;
    eprintln!(
        "cttui scale: wrote {} events ({} file(s)) from {} template event(s){} to {}",
        s.events,
        s.files,
        s.templates,
        if s.skipped > 0 {
            format!(" ({} without a parseable time left out)", s.skipped)
        } else {
            String::new()
        },
        crate::text::sanitize(&args.output.display().to_string())
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_fresh_and_uuid_shaped() {
        let a = event_id(1, 0, 0);
        let b = event_id(1, 0, 1);
        let c = event_id(1, 1, 0);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_eq!(event_id(1, 0, 0), a, "deterministic");
    }

    #[test]
    fn times_keep_milliseconds_only_when_present() {
        assert_eq!(iso_ms(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(iso_ms(1_500).as_deref(), Some("1970-01-01T00:00:01.500Z"));
    }

    #[test]
    fn path_components_cannot_climb() {
        assert_eq!(path_safe("../../etc"), "______etc");
        assert_eq!(path_safe(""), "_");
        assert_eq!(path_safe("eu-west-1"), "eu-west-1");
    }

    #[test]
    fn template_replaces_id_and_time_in_place() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"eventTime":"2020-01-01T00:00:00Z","eventID":"x","eventName":"A","awsRegion":"eu-west-1"}"#,
        )
        .expect("json");
        let t = Template::new(0, v).expect("template");
        let mut out = Vec::new();
        t.write(&mut out, "ID", "T");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            r#"{"eventTime":"T","eventID":"ID","eventName":"A","awsRegion":"eu-west-1"}"#
        );
        assert_eq!(t.region, "eu-west-1");
        assert_eq!(t.account, "000000000000");
    }
}
