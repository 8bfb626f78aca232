//! Where the records go: an AWS delivery tree of gzip files, or one Records JSON file. Both stream:
//! records are written as they come, a day at a time at most is held (compressed) in memory.
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::catalog::{ACCOUNT, DAY, REGIONS, TRAIL_BUCKET, TRAIL_NAME};
use super::record::Event;
use super::rng::Rng;
use super::time::{date_path, file_stamp, iso};
use crate::error::{Error, Result};

/// A destination for records.
pub trait Sink {
    fn record(&mut self, event: &Event) -> Result<()>;
    /// Called after the last record of the day starting at `day`.
    fn end_day(&mut self, day: i64) -> Result<()>;
    /// Closes the output; returns how many records were written (redeliveries included).
    fn finish(&mut self) -> Result<u64>;
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

/// One `{"Records":[...]}` document being written.
struct Records<W: Write> {
    out: W,
    first: bool,
    count: u64,
}

impl<W: Write> Records<W> {
    fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{\"Records\":[")?;
        Ok(Records {
            out,
            first: true,
            count: 0,
        })
    }

    fn push(&mut self, text: &str) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.count += 1;
        self.out.write_all(text.as_bytes())
    }

    fn close(mut self) -> std::io::Result<(W, u64)> {
        self.out.write_all(b"]}")?;
        Ok((self.out, self.count))
    }
}

/// The single-file output: one compact line, redeliveries appended after each day's records.
pub struct SingleFile {
    path: PathBuf,
    doc: Option<Records<BufWriter<File>>>,
    repeats: Vec<String>,
}

impl SingleFile {
    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(io(path))?;
        let doc = Records::new(BufWriter::with_capacity(1 << 20, file)).map_err(io(path))?;
        Ok(SingleFile {
            path: path.to_owned(),
            doc: Some(doc),
            repeats: Vec::new(),
        })
    }
}

impl Sink for SingleFile {
    fn record(&mut self, event: &Event) -> Result<()> {
        let doc = self
            .doc
            .as_mut()
            .ok_or_else(|| Error::Invalid("output already closed".to_owned()))?;
        doc.push(&event.text).map_err(io(&self.path))?;
        if event.redeliver {
            self.repeats.push(event.text.clone());
        }
        Ok(())
    }

    fn end_day(&mut self, _day: i64) -> Result<()> {
        let doc = self
            .doc
            .as_mut()
            .ok_or_else(|| Error::Invalid("output already closed".to_owned()))?;
        for text in self.repeats.drain(..) {
            doc.push(&text).map_err(io(&self.path))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<u64> {
        let doc = self
            .doc
            .take()
            .ok_or_else(|| Error::Invalid("output already closed".to_owned()))?;
        let (mut out, count) = doc.close().map_err(io(&self.path))?;
        out.write_all(b"\n").map_err(io(&self.path))?;
        out.flush().map_err(io(&self.path))?;
        Ok(count)
    }
}

/// A delivered log file, for the digest.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub key: String,
    pub region: &'static str,
    pub oldest: i64,
    pub newest: i64,
}

/// One region's file for the current day.
struct DayFile {
    doc: Records<GzEncoder<Vec<u8>>>,
    oldest: i64,
    newest: i64,
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    // flate2's GzBuilder writes no name and a zero mtime: the bytes depend only on the content.
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    enc.finish()
}

/// The AWS delivery tree: `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`, one
/// file per region per day, and a second one that day when CloudTrail delivered records again.
pub struct Tree {
    root: PathBuf,
    rng: Rng,
    days: [Option<DayFile>; REGIONS.len()],
    repeats: [Vec<(i64, String)>; REGIONS.len()],
    pub delivered: Vec<Delivered>,
    count: u64,
}

impl Tree {
    pub fn create(root: &Path, seed: u64) -> Result<Self> {
        Ok(Tree {
            root: root.to_owned(),
            rng: Rng::stream(seed, "files"),
            days: Default::default(),
            repeats: Default::default(),
            delivered: Vec::new(),
            count: 0,
        })
    }

    fn region_index(region: &str) -> Result<usize> {
        REGIONS
            .iter()
            .position(|r| *r == region)
            .ok_or_else(|| Error::Invalid(format!("region {region} is not in the demo's regions")))
    }

    /// Writes one delivery file; the name carries the delivery time, a few minutes after the
    /// newest record, kept within the day.
    fn deliver(
        &mut self,
        region: &'static str,
        day: i64,
        span: (i64, i64),
        not_before: i64,
        gz: &[u8],
    ) -> Result<i64> {
        let (oldest, newest) = span;
        let stamp_time =
            (newest.max(not_before) + self.rng.range(180, 720) as i64).min(day + DAY - 60);
        let name = format!(
            "{ACCOUNT}_CloudTrail_{region}_{}_{}.json.gz",
            file_stamp(stamp_time),
            self.rng.alnum(16)
        );
        let rel = format!("AWSLogs/{ACCOUNT}/CloudTrail/{region}/{}", date_path(day));
        let dir = self.root.join(&rel);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(&name);
        fs::write(&path, gz).map_err(io(&path))?;
        self.delivered.push(Delivered {
            key: format!("{rel}/{name}"),
            region,
            oldest,
            newest,
        });
        Ok(stamp_time)
    }

    /// A digest file, so loaders can prove they skip it. Its hashes and signature are
    /// placeholders: nothing here verifies digests.
    pub fn write_digest(&mut self) -> Result<()> {
        let Some(first_day) = self
            .delivered
            .iter()
            .map(|d| d.oldest.div_euclid(DAY) * DAY)
            .min()
        else {
            return Ok(());
        };
        let files: Vec<&Delivered> = self
            .delivered
            .iter()
            .filter(|d| d.region == "us-east-1" && d.oldest < first_day + DAY)
            .collect();
        let end = first_day + DAY;
        let log_files: Vec<serde_json::Value> = files
            .iter()
            .map(|d| {
                serde_json::json!({
                    "s3Bucket": TRAIL_BUCKET,
                    "s3Object": d.key,
                    "hashValue": self.rng.hex(64),
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": iso(d.newest),
                    "oldestEventTime": iso(d.oldest),
                })
            })
            .collect();
        let rel = format!(
            "AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/{}",
            date_path(first_day)
        );
        let name = format!(
            "{ACCOUNT}_CloudTrail-Digest_us-east-1_{TRAIL_NAME}_us-east-1_{}.json.gz",
            file_stamp(end - 60)
        );
        let digest = serde_json::json!({
            "awsAccountId": ACCOUNT,
            "digestStartTime": iso(first_day),
            "digestEndTime": iso(end - 1),
            "digestS3Bucket": TRAIL_BUCKET,
            "digestS3Object": format!("{rel}/{name}"),
            "digestPublicKeyFingerprint": self.rng.hex(32),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": files.iter().map(|d| d.newest).max().map(iso),
            "oldestEventTime": files.iter().map(|d| d.oldest).min().map(iso),
            "previousDigestS3Bucket": null,
            "previousDigestS3Object": null,
            "previousDigestHashValue": null,
            "previousDigestHashAlgorithm": null,
            "previousDigestSignature": null,
            "logFiles": log_files,
        });
        let dir = self.root.join(&rel);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(name);
        let gz = gzip(&serde_json::to_vec(&digest)?).map_err(io(&path))?;
        fs::write(&path, gz).map_err(io(&path))
    }
}

impl Sink for Tree {
    fn record(&mut self, event: &Event) -> Result<()> {
        let r = Tree::region_index(event.fact.region)?;
        let root = self.root.clone();
        let file = match &mut self.days[r] {
            Some(f) => f,
            slot => slot.insert(DayFile {
                doc: Records::new(GzEncoder::new(Vec::new(), Compression::best()))
                    .map_err(io(&root))?,
                oldest: event.time,
                newest: event.time,
            }),
        };
        file.doc.push(&event.text).map_err(io(&root))?;
        file.oldest = file.oldest.min(event.time);
        file.newest = file.newest.max(event.time);
        if event.redeliver {
            self.repeats[r].push((event.time, event.text.clone()));
        }
        Ok(())
    }

    fn end_day(&mut self, day: i64) -> Result<()> {
        for (r, &region) in REGIONS.iter().enumerate() {
            let Some(file) = self.days[r].take() else {
                continue;
            };
            let (enc, n) = file.doc.close().map_err(io(&self.root))?;
            self.count += n;
            let gz = enc.finish().map_err(io(&self.root))?;
            let delivered_at = self.deliver(region, day, (file.oldest, file.newest), day, &gz)?;
            let repeats = std::mem::take(&mut self.repeats[r]);
            if repeats.is_empty() {
                continue;
            }
            let mut doc = Records::new(Vec::new()).map_err(io(&self.root))?;
            for (_, text) in &repeats {
                doc.push(text).map_err(io(&self.root))?;
            }
            let (bytes, n) = doc.close().map_err(io(&self.root))?;
            self.count += n;
            let gz = gzip(&bytes).map_err(io(&self.root))?;
            let oldest = repeats.iter().map(|r| r.0).min().unwrap_or(day);
            let newest = repeats.iter().map(|r| r.0).max().unwrap_or(day);
            // Redelivered after the first file, still within the day.
            self.deliver(region, day, (oldest, newest), delivered_at, &gz)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<u64> {
        if self.days.iter().any(Option::is_some) {
            return Err(Error::Invalid("records left after the last day".to_owned()));
        }
        Ok(self.count)
    }
}
