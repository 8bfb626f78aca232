//! The ground truth: counted from the records as they are written, and the README that states it.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::catalog::{self, ACCOUNT, HOUR, Kind, PRINCIPALS, START};
use super::incident::{ATTACKER_IP, Incident, KALI_CLI, TARGET};
use super::ordinary::HOURS;
use super::record::{Event, Phase};
use super::time::{date, iso};
use super::{DEFAULT_EVENTS, DEFAULT_SEED};

/// First and last time, count and failures of a set of events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub count: u64,
    pub failed: u64,
    pub first: i64,
    pub last: i64,
}

impl Span {
    fn add(&mut self, time: i64, failed: bool) {
        if self.count == 0 || time < self.first {
            self.first = time;
        }
        if self.count == 0 || time > self.last {
            self.last = time;
        }
        self.count += 1;
        self.failed += u64::from(failed);
    }
}

/// What was written, counted while writing.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Records written, redeliveries included.
    pub records: u64,
    /// Records written a second time.
    pub redeliveries: u64,
    pub ordinary: Span,
    pub incident: Span,
    /// Distinct ordinary events per catalog principal.
    pub per_principal: Vec<u64>,
    pub per_region: BTreeMap<&'static str, u64>,
    pub data_events: u64,
    pub phases: BTreeMap<Phase, Span>,
    /// Per clock hour (its start): the attacker's GetObject calls and bytes out.
    pub attacker_gets: BTreeMap<i64, (u64, u64)>,
    /// Per hour of the span: the web app role's own GetObject calls.
    pub webapp_gets: Vec<u64>,
    /// Exposure and evasion calls in time order: time, name, failed.
    pub tampering: Vec<(i64, &'static str, bool)>,
    /// The stolen key and the incident's time window (first and last event).
    pub stolen_key: String,
    pub window: (i64, i64),
    /// The web app's own events inside the incident window.
    pub victim_during: u64,
    /// The web app's own events signed with the stolen key.
    pub victim_same_key: u64,
}

impl Tally {
    pub fn new(stolen_key: &str, window: (i64, i64)) -> Self {
        Tally {
            per_principal: vec![0; PRINCIPALS.len()],
            webapp_gets: vec![0; HOURS],
            stolen_key: stolen_key.to_owned(),
            window,
            ..Tally::default()
        }
    }

    pub fn add(&mut self, e: &Event) {
        let f = &e.fact;
        self.records += 1 + u64::from(e.redeliver);
        self.redeliveries += u64::from(e.redeliver);
        *self.per_region.entry(f.region).or_default() += 1;
        self.data_events += u64::from(f.data);
        match f.phase {
            None => {
                self.ordinary.add(e.time, f.failed);
                if let Some(n) = self.per_principal.get_mut(f.principal) {
                    *n += 1;
                }
                if f.principal == catalog::WEBAPP {
                    if f.name == "GetObject" {
                        let h = ((e.time - START) / HOUR) as usize;
                        if let Some(n) = self.webapp_gets.get_mut(h) {
                            *n += 1;
                        }
                    }
                    self.victim_during +=
                        u64::from((self.window.0..=self.window.1).contains(&e.time));
                    let key = format!("\"accessKeyId\":\"{}\"", self.stolen_key);
                    self.victim_same_key += u64::from(e.text.contains(&key));
                }
            }
            Some(phase) => {
                self.incident.add(e.time, f.failed);
                self.phases.entry(phase).or_default().add(e.time, f.failed);
                if phase == Phase::Exfiltration {
                    let slot = self
                        .attacker_gets
                        .entry(e.time.div_euclid(HOUR) * HOUR)
                        .or_default();
                    slot.0 += 1;
                    slot.1 += f.bytes_out;
                }
                if matches!(phase, Phase::Exposure | Phase::Evasion) {
                    self.tampering.push((e.time, f.name, f.failed));
                }
            }
        }
    }

    /// Distinct events: what a loader keeps after dropping redeliveries.
    pub fn events(&self) -> u64 {
        self.records - self.redeliveries
    }

    /// The clock hour with the most attacker GetObject calls (earliest on a tie): start, count, bytes.
    pub fn burst_hour(&self) -> Option<(i64, u64, u64)> {
        let mut best: Option<(i64, u64, u64)> = None;
        for (&h, &(n, bytes)) in &self.attacker_gets {
            if best.is_none_or(|b| n > b.1) {
                best = Some((h, n, bytes));
            }
        }
        best
    }

    /// The median hourly GetObject count of the web app role itself.
    pub fn webapp_median_per_hour(&self) -> u64 {
        let mut v = self.webapp_gets.clone();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    }
}

/// The ground truth of one generated data set.
pub struct Truth {
    pub seed: u64,
    /// Ordinary records asked for (redeliveries included).
    pub requested: u64,
    pub tally: Tally,
    pub arn: String,
    pub access_key: String,
    pub session_created: String,
    pub commands: Vec<String>,
    /// Delivery files written (directory output only).
    pub files: usize,
}

impl Truth {
    pub fn new(seed: u64, requested: u64, tally: Tally, incident: &Incident, files: usize) -> Self {
        Truth {
            seed,
            requested,
            tally,
            arn: incident.arn.clone(),
            access_key: incident.access_key.clone(),
            session_created: incident.session_created.clone(),
            commands: incident.commands.clone(),
            files,
        }
    }

    /// One line for the terminal.
    pub fn summary_line(&self) -> String {
        let t = &self.tally;
        format!(
            "{} records written ({} ordinary incl. {} redelivered, {} incident); {} distinct events",
            t.records,
            self.requested,
            t.redeliveries,
            t.incident.count,
            t.events()
        )
    }

    /// The README of a generated tree.
    pub fn readme(&self) -> String {
        let t = &self.tally;
        let mut s = String::new();
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                a as f64 * 100.0 / b as f64
            }
        };
        let _ = writeln!(s, "{README_MARK}");
        let _ = writeln!(s, "# cttui demo logs\n");
        // The text must not depend on the output path: the committed copy is compared with a
        // generation into a temporary directory.
        let command = if self.requested == DEFAULT_EVENTS as u64 && self.seed == DEFAULT_SEED {
            format!(
                "`cttui demo demo-logs` (the defaults: `--events {DEFAULT_EVENTS} --seed {DEFAULT_SEED}`)"
            )
        } else {
            format!(
                "`cttui demo --events {} --seed {} OUT`",
                self.requested, self.seed
            )
        };
        let _ = writeln!(
            s,
            "Generated by {command}. The generator is deterministic: the same seed and count give byte-identical \
files, and `tests/demo.rs` checks that the committed `demo-logs/` matches a fresh generation. Everything is \
synthetic: account {ACCOUNT}, documentation IP ranges (RFC 5737) and private addresses, made-up people and \
buckets. This file is written from the counts the generator kept while writing the records.\n"
        );
        let _ = writeln!(s, "## Layout\n");
        let _ = writeln!(
            s,
            "- `AWSLogs/{ACCOUNT}/CloudTrail/<region>/YYYY/MM/DD/{ACCOUNT}_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<suffix>.json.gz`: \
{} delivery files, one per region and day, plus a second file on days when CloudTrail delivered some records again.",
            self.files
        );
        let _ = writeln!(
            s,
            "- `AWSLogs/{ACCOUNT}/CloudTrail-Digest/...`: one digest file (placeholder hashes). Loaders must skip it.\n"
        );
        let _ = writeln!(s, "## Contents\n");
        let _ = writeln!(s, "| | |\n|---|---|");
        let _ = writeln!(s, "| Account | {ACCOUNT} |");
        let first = t.ordinary.first.min(t.incident.first);
        let last = t.ordinary.last.max(t.incident.last);
        let _ = writeln!(
            s,
            "| Time span (UTC) | {} to {} ({} days) |",
            iso(first),
            iso(last),
            catalog::DAYS
        );
        let regions: Vec<String> = t
            .per_region
            .iter()
            .map(|(r, n)| format!("{r} ({n})"))
            .collect();
        let _ = writeln!(s, "| Regions (events) | {} |", regions.join(", "));
        let _ = writeln!(
            s,
            "| Records written | {} ({} ordinary + {} incident; {} records delivered twice) |",
            t.records, self.requested, t.incident.count, t.redeliveries
        );
        let _ = writeln!(
            s,
            "| Distinct events | {} ({} ordinary + {} incident); a loader drops {} duplicates |",
            t.events(),
            t.ordinary.count,
            t.incident.count,
            t.redeliveries
        );
        let _ = writeln!(
            s,
            "| S3 data events | {} (object-level calls on acme-customer-data, acme-webapp-assets, acme-analytics-exports, acme-finance-reports) |",
            t.data_events
        );
        let _ = writeln!(
            s,
            "| Failed ordinary calls | {} ({:.1} %: AccessDenied, throttling, NoSuchKey, validation, not-found) |\n",
            t.ordinary.failed,
            pct(t.ordinary.failed, t.ordinary.count)
        );
        let _ = writeln!(s, "## Principals\n");
        let _ = writeln!(
            s,
            "| Principal | Type | Role in the story | Ordinary events |\n|---|---|---|---:|"
        );
        for (p, n) in PRINCIPALS.iter().zip(&t.per_principal) {
            let kind = match p.kind {
                Kind::ConsoleUser | Kind::KeyUser => "IAMUser",
                Kind::Role { .. } => "AssumedRole",
                Kind::WebIdentity { .. } => "WebIdentityUser",
                Kind::Service { .. } => "AWSService",
            };
            let _ = writeln!(s, "| {} | {kind} | {} | {n} |", p.label, p.about);
        }
        self.write_incident(&mut s);
        s
    }

    fn write_incident(&self, s: &mut String) {
        let t = &self.tally;
        let _ = writeln!(s, "\n## Ground truth: the incident\n");
        let _ = writeln!(
            s,
            "The web app's EC2 instance-role credentials are used from outside AWS. The instance keeps working \
normally from `{}` through VPC endpoints during and after the incident: {} of its own events fall inside the \
incident window, and {} of its own events are signed with the stolen key. The principal and the key alone do not \
separate attacker from victim; the source IP and user agent do.\n",
            catalog::WEBAPP_IP,
            t.victim_during,
            t.victim_same_key
        );
        let _ = writeln!(s, "| | |\n|---|---|");
        let _ = writeln!(s, "| Attacker principal | `{}` |", self.arn);
        let _ = writeln!(
            s,
            "| Access key | `{}` (instance-profile session created {}) |",
            self.access_key, self.session_created
        );
        let _ = writeln!(
            s,
            "| Source IP | `{ATTACKER_IP}` (normal: `{}`) |",
            catalog::WEBAPP_IP
        );
        let _ = writeln!(
            s,
            "| User agent | `{KALI_CLI} command/<command>` (`[...]` in S3 events) |"
        );
        let _ = writeln!(
            s,
            "| Commands | {} |",
            self.commands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(s, "| Bucket | `{}` ({}) |", TARGET.name, TARGET.region);
        let _ = writeln!(
            s,
            "| Incident events | {} ({} failed), {} to {} |\n",
            t.incident.count,
            t.incident.failed,
            iso(t.incident.first),
            iso(t.incident.last)
        );
        let _ = writeln!(s, "### Phases\n");
        let _ = writeln!(
            s,
            "| Phase | First (UTC) | Last (UTC) | Events | Failed |\n|---|---|---|---:|---:|"
        );
        for phase in Phase::ALL {
            if let Some(p) = t.phases.get(&phase) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    phase.label(),
                    iso(p.first),
                    iso(p.last),
                    p.count,
                    p.failed
                );
            }
        }
        if let Some((hour, n, bytes)) = t.burst_hour() {
            let h = ((hour - START) / HOUR) as usize;
            let own = t.webapp_gets.get(h).copied().unwrap_or(0);
            let median = t.webapp_median_per_hour();
            let _ = writeln!(s, "\n### The burst hour\n");
            let _ = writeln!(
                s,
                "- {} to {} UTC: **{n} GetObject** by the attacker on `{}` from `{ATTACKER_IP}`, \
**{bytes} bytes** ({:.2} GB) of `bytesTransferredOut`, keys under `exports/customer-pii/` (customer PII exports).",
                iso(hour),
                iso(hour + HOUR - 1),
                TARGET.name,
                bytes as f64 / 1e9
            );
            let _ = writeln!(
                s,
                "- The role's own GetObject calls from `{}`: {own} in that hour; median {median} an hour over the \
three weeks (the burst is about {}x that).",
                catalog::WEBAPP_IP,
                n.checked_div(median).unwrap_or(n)
            );
        }
        let _ = writeln!(s, "\n### Exposure and tampering\n");
        let _ = writeln!(s, "| Time (UTC) | Event | Outcome |\n|---|---|---|");
        for &(time, name, failed) in &t.tampering {
            let outcome = match (name, failed) {
                ("PutBucketPolicy", true) => {
                    "AccessDenied: the public access block refuses a public policy"
                }
                ("PutBucketPolicy", false) => {
                    "succeeded: policy with `\"Principal\":\"*\"` (s3:GetObject, s3:ListBucket)"
                }
                ("DeleteBucketPublicAccessBlock", false) => {
                    "succeeded: the bucket's public access block is removed"
                }
                ("StopLogging", true) => "AccessDenied: the trail keeps logging",
                (_, true) => "failed",
                (_, false) => "succeeded",
            };
            let _ = writeln!(s, "| {} | {name} | {outcome} |", iso(time));
        }
        let day = date(t.incident.first);
        let _ = writeln!(s, "\n### Try it\n");
        let _ = writeln!(s, "```sh");
        let _ = writeln!(s, "cttui summary demo-logs");
        let _ = writeln!(
            s,
            "cttui events demo-logs --filter 'ip:{ATTACKER_IP} -name:GetObject' --format md"
        );
        let _ = writeln!(
            s,
            "cttui events demo-logs --filter 'akid:{} time>={day}T00:00' -n 20",
            self.access_key
        );
        let _ = writeln!(
            s,
            "cttui events demo-logs --filter 'name:GetObject bucket:{} ip:{ATTACKER_IP}' --format csv",
            TARGET.name
        );
        let _ = writeln!(s, "```");
    }
}

/// The first line of a generated README: marks a directory as the generator's own output, which
/// it may replace.
pub const README_MARK: &str = "<!-- generated by `cttui demo`; regenerate instead of editing -->";
