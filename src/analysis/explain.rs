//! Why a principal or window stands out: robust z-scores of its features against a baseline
//! (median and MAD), turned into sentences with the numbers and the values that set it apart.
use serde::Serialize;

use super::columns::{Columns, NULL};
use super::features::{FeatureTable, Features, NF, Window};
use super::humanize;
use super::scaling::Robust;
use crate::model::schema::s;

/// A feature this far above its baseline (in robust standard deviations) is a reason.
pub const Z_MIN: f64 = 3.0;
/// At most this many reasons per item (one per theme).
pub const MAX_REASONS: usize = THEMES.len();

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The feature's name (see `features::FEATURE_NAMES`).
    pub feature: String,
    /// A sentence for people. Holds log values (addresses, user agents): sanitise before drawing.
    pub text: String,
    /// Robust z-score against the baseline, rounded to 0.01.
    pub z: f64,
    /// `outlier`: far enough out to be a reason on its own; `closest`: the nearest thing to one,
    /// given when nothing is (the forest isolates on combinations of features).
    pub kind: ReasonKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasonKind {
    Outlier,
    Closest,
}

/// Features whose high values are worth saying, in themes: one sentence per theme (the strongest),
/// so five ways of saying "many calls" do not crowd out the new address. Span, hour angles and
/// read-only share feed the model but make poor sentences on their own.
const THEMES: [&[usize]; 8] = [
    &[15, 16],    // data read: GetObject, bytes out
    &[0, 3, 2],   // volume: events, peak per minute, rate
    &[18, 7],     // addresses: new ones, count
    &[19, 6],     // user agents: new ones, count
    &[20, 9, 10], // failures: count, share, denied share
    &[17],        // sensitive calls
    &[4, 5, 8],   // breadth: services, API names, regions
    &[13],        // off-hours
];

/// The theme of a feature (by name), for merging reasons from several windows.
pub fn theme_of(feature: &str) -> Option<usize> {
    let k = super::features::FEATURE_NAMES
        .iter()
        .position(|n| *n == feature)?;
    THEMES.iter().position(|t| t.contains(&k))
}

fn is_log_feature(k: usize) -> bool {
    !matches!(k, 9..=14)
}

/// The baseline's median back on the feature's own scale.
fn raw_median(stat: &Robust, k: usize) -> f64 {
    if is_log_feature(k) {
        stat.median.exp_m1()
    } else {
        stat.median
    }
}

/// The smallest difference worth a sentence (2 calls vs 0 is no story): counts at least 3 more
/// and twice the baseline, shares at least 10 points more and backed by 3 events.
fn meaningful(k: usize, f: &Features, raw: f64, med: f64) -> bool {
    match k {
        9 => raw - med >= 0.1 && f.failures >= 3,
        20 => raw - med >= 3.0 && raw >= 2.0 * med && f.failure_rate >= 0.01,
        10 => raw - med >= 0.1 && f.access_denied >= 3,
        13 => raw - med >= 0.1 && f.events >= 3,
        16 => raw - med >= 1024.0 * 1024.0 && raw >= 2.0 * med,
        18 | 19 => raw >= 1.0,
        _ => raw - med >= 3.0 && raw >= 2.0 * med,
    }
}

/// When no feature is far enough out to be a reason on its own (the forest isolates on
/// combinations), the two features furthest from the baseline in either direction, so that every
/// score still names what sets the item apart. Hour of day counts once (its sine and cosine).
fn fallback(f: &Features, v: &[f64; NF], stats: &[Robust; NF]) -> Vec<(usize, f64)> {
    let mut all: Vec<(usize, f64)> = (0..NF)
        .filter(|&k| k != 12 && !(matches!(k, 18 | 19) && f.raw(k) < 1.0))
        .map(|k| {
            let z = if k == 11 {
                let (a, b) = (stats[11].z(v[11]), stats[12].z(v[12]));
                if a.abs() >= b.abs() { a } else { b }
            } else {
                stats[k].z(v[k])
            };
            (k, z)
        })
        .filter(|(_, z)| z.is_finite())
        .collect();
    all.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    // One per theme: failure share and denied share say the same thing.
    let mut seen: Vec<usize> = Vec::new();
    all.retain(|&(k, _)| {
        let theme = THEMES
            .iter()
            .position(|t| t.contains(&k))
            .unwrap_or(100 + k);
        let fresh = !seen.contains(&theme);
        seen.push(theme);
        fresh
    });
    let strong: Vec<(usize, f64)> = all
        .iter()
        .copied()
        .filter(|(_, z)| z.abs() >= 1.0)
        .take(2)
        .collect();
    if strong.is_empty() {
        all.truncate(1);
        all
    } else {
        strong
    }
}

/// The hour of day (UTC) at the circular mean of an item's calls, as HH:MM.
fn clock(sin: f64, cos: f64) -> String {
    let h = (sin.atan2(cos) * 24.0 / std::f64::consts::TAU).rem_euclid(24.0);
    let m = (h * 60.0).round() as i64 % (24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// What is being explained.
pub enum Subject<'t> {
    Entity(usize),
    Window(&'t Window),
}

/// Context for explanations of one analysis.
pub struct Explainer<'c, 'a> {
    pub cols: &'c Columns<'a>,
    pub table: &'c FeatureTable,
    /// Entities using each source IP / user agent (for "seen for no other principal").
    ip_users: Vec<u32>,
    ua_users: Vec<u32>,
    entity_word: &'static str,
}

fn users(table: &FeatureTable, codes: &[u32], card: usize) -> Vec<u32> {
    let mut users = vec![0u32; card];
    let mut stamp = vec![u32::MAX; card];
    for g in 0..table.groups.len() {
        for &r in table.groups.get(g) {
            let c = codes[r as usize];
            if c != NULL && stamp[c as usize] != g as u32 {
                stamp[c as usize] = g as u32;
                users[c as usize] += 1;
            }
        }
    }
    users
}

impl<'c, 'a> Explainer<'c, 'a> {
    pub fn new(cols: &'c Columns<'a>, table: &'c FeatureTable) -> Self {
        let ips = cols.by_idx(s::SOURCE_IP);
        let uas = cols.by_idx(s::USER_AGENT);
        Explainer {
            cols,
            table,
            ip_users: users(table, ips.codes(), ips.cardinality()),
            ua_users: users(table, uas.codes(), uas.cardinality()),
            entity_word: match table.kind {
                super::features::EntityKind::Principal => "principal",
                super::features::EntityKind::SourceIp => "source IP",
            },
        }
    }

    /// Reasons for a subject, given per-feature baselines and a word for the baseline
    /// ("median" for the population, "its usual" for the entity's own windows).
    pub fn reasons(
        &self,
        subject: &Subject<'_>,
        stats: &[Robust; NF],
        baseline: &str,
    ) -> Vec<Reason> {
        let (f, rows) = match subject {
            Subject::Entity(e) => (&self.table.entities[*e], self.table.groups.get(*e)),
            Subject::Window(w) => (&w.features, self.table.window_rows(w)),
        };
        let v = f.vector();
        let mut cands: Vec<(usize, f64)> = Vec::new();
        // Themes in a fixed order (data, volume, addresses, agents, failures, sensitive calls,
        // breadth, hours): a z-score saturates when one item alone differs from a population of
        // zeros, so "strongest first" would be an arbitrary order.
        for theme in THEMES {
            // The theme's first telling feature in preference order, with its strongest z.
            let passing: Vec<(usize, f64)> = theme
                .iter()
                .map(|&k| (k, stats[k].z(v[k])))
                .filter(|&(k, z)| self.telling(k, z, f, &stats[k]))
                .collect();
            if let Some(&(k, _)) = passing.first() {
                let z = passing.iter().map(|p| p.1).fold(Z_MIN, f64::max);
                cands.push((k, z));
            }
        }
        let kind = if cands.is_empty() {
            cands = fallback(f, &v, stats);
            ReasonKind::Closest
        } else {
            ReasonKind::Outlier
        };
        cands
            .into_iter()
            .map(|(k, z)| Reason {
                feature: super::features::FEATURE_NAMES[k].to_owned(),
                text: self.sentence(k, f, rows, subject, stats, baseline),
                z: (z * 100.0).round() / 100.0,
                kind,
            })
            .collect()
    }

    /// Whether feature `k` (z-score `z` against `stat`) is worth a sentence. New addresses and
    /// agents are told whenever the baseline usually brings none: a z-score means little for a
    /// count that is almost always 0.
    fn telling(&self, k: usize, z: f64, f: &Features, stat: &Robust) -> bool {
        let raw = f.raw(k);
        let med = raw_median(stat, k);
        match k {
            18 | 19 => raw >= 1.0 && (med < 0.5 || z >= Z_MIN),
            _ => z >= Z_MIN && meaningful(k, f, raw, med),
        }
    }

    fn sentence(
        &self,
        k: usize,
        f: &Features,
        rows: &[u32],
        subject: &Subject<'_>,
        stats: &[Robust; NF],
        baseline: &str,
    ) -> String {
        let med = raw_median(&stats[k], k);
        let vs = |m: String| format!("vs {baseline} {m}");
        let n = |x: f64| humanize::number(x);
        let per = match subject {
            Subject::Window(_) => format!(" in one {}", window_word(self.table.window_ms)),
            Subject::Entity(_) => String::new(),
        };
        match k {
            0 => format!("{} events{per} {}", n(f.raw(0)), vs(n(med.round()))),
            1 => format!(
                "active over {} {}",
                humanize::approx_duration(f.span_secs),
                vs(humanize::approx_duration(med * 60.0))
            ),
            11 | 12 => format!(
                "calls centred on {} UTC {}",
                clock(f.hour_sin, f.hour_cos),
                vs(clock(stats[11].median, stats[12].median))
            ),
            14 => format!(
                "{} of calls read-only {}",
                humanize::percent(f.read_only_share),
                vs(humanize::percent(med))
            ),
            2 => format!(
                "{} calls per active minute {}",
                n(f.rate_per_active_minute),
                vs(n(med))
            ),
            3 => format!(
                "peak of {} calls in one minute {}",
                n(f.raw(3)),
                vs(n(med.round()))
            ),
            4 => format!(
                "calls to {} services ({}) {}",
                f.services,
                self.top_values(rows, s::EVENT_SOURCE, 4),
                vs(n(med.round()))
            ),
            5 => format!(
                "{} distinct API calls {}",
                f.event_names,
                vs(n(med.round()))
            ),
            6 => format!("{} user agents {}", f.user_agents, vs(n(med.round()))),
            7 => format!("{} source IPs {}", f.source_ips, vs(n(med.round()))),
            8 => format!(
                "{} regions ({}) {}",
                f.regions,
                self.top_values(rows, s::AWS_REGION, 4),
                vs(n(med.round()))
            ),
            9 | 10 => {
                let share = if k == 9 {
                    f.failure_rate
                } else {
                    f.access_denied_share
                };
                format!(
                    "{} of calls failed ({}) {}",
                    humanize::percent(share),
                    self.top_values(rows, s::ERROR_CODE, 2),
                    vs(humanize::percent(med))
                )
            }
            20 => format!(
                "{} calls failed ({}){per} {}",
                n(f.raw(20)),
                self.top_values(rows, s::ERROR_CODE, 2),
                vs(n(med.round()))
            ),
            13 => format!(
                "{} of calls off-hours {}",
                humanize::percent(f.off_hours_share),
                vs(humanize::percent(med))
            ),
            15 => format!(
                "{} GetObject ({} out){per} {}",
                n(f.raw(15)),
                humanize::bytes(f.get_object_bytes as f64),
                vs(n(med.round()))
            ),
            16 => format!(
                "{} read out (bytesTransferredOut){per} {}",
                humanize::bytes(f.raw(16)),
                vs(humanize::bytes(med))
            ),
            17 => format!(
                "{} sensitive API calls ({}) {}",
                f.sensitive_calls,
                self.top_sensitive(rows, 3),
                vs(n(med.round()))
            ),
            18 => self.exclusive(rows, subject, s::SOURCE_IP, "source IP"),
            19 => self.exclusive(rows, subject, s::USER_AGENT, "user agent"),
            _ => String::new(),
        }
    }

    /// The most frequent values of a column among `rows`, as "a, b, …".
    fn top_values(&self, rows: &[u32], column: usize, max: usize) -> String {
        let dict = self.cols.by_idx(column);
        let mut counts: rustc_hash::FxHashMap<u32, usize> = Default::default();
        for &r in rows {
            let c = dict.code(r as usize);
            if c != NULL {
                *counts.entry(c).or_default() += 1;
            }
        }
        let mut v: Vec<(u32, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| dict.value(a.0).cmp(&dict.value(b.0)))
        });
        let more = v.len() > max;
        let mut parts: Vec<String> = v
            .into_iter()
            .take(max)
            .map(|(c, _)| short(dict.value(c).unwrap_or("")))
            .collect();
        if more {
            parts.push("…".to_owned());
        }
        parts.join(", ")
    }

    fn top_sensitive(&self, rows: &[u32], max: usize) -> String {
        let names = self.cols.by_idx(s::EVENT_NAME);
        let flags = names.table(super::apis::is_sensitive);
        let mut counts: rustc_hash::FxHashMap<u32, usize> = Default::default();
        for &r in rows {
            let c = names.code(r as usize);
            if c != NULL && flags[c as usize] {
                *counts.entry(c).or_default() += 1;
            }
        }
        let mut v: Vec<(u32, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| names.value(a.0).cmp(&names.value(b.0)))
        });
        let more = v.len() > max;
        let mut parts: Vec<String> = v
            .into_iter()
            .take(max)
            .map(|(c, k)| format!("{} x{k}", names.value(c).unwrap_or("")))
            .collect();
        if more {
            parts.push("…".to_owned());
        }
        parts.join(", ")
    }

    /// Names the addresses or agents that only this entity (or only this window) used.
    fn exclusive(&self, rows: &[u32], subject: &Subject<'_>, column: usize, what: &str) -> String {
        let dict = self.cols.by_idx(column);
        let users = if column == s::SOURCE_IP {
            &self.ip_users
        } else {
            &self.ua_users
        };
        let telling: Vec<bool> = if column == s::SOURCE_IP {
            dict.table(super::apis::is_ip_address)
        } else {
            dict.table(|v| !super::apis::is_aws_service_agent(v))
        };
        let ok = |c: u32| c != NULL && telling[c as usize];
        let mut found: Vec<(usize, u32)> = Vec::new();
        match subject {
            Subject::Entity(_) => {
                let mut counts: rustc_hash::FxHashMap<u32, usize> = Default::default();
                for &r in rows {
                    let c = dict.code(r as usize);
                    if ok(c) && users[c as usize] == 1 {
                        *counts.entry(c).or_default() += 1;
                    }
                }
                found.extend(counts.into_iter().map(|(c, n)| (n, c)));
            }
            Subject::Window(w) => {
                // New: used in this window and not in any earlier event of the entity, once the
                // entity has a day of history.
                let before = &self.table.groups.get(w.entity as usize)[..w.lo as usize];
                let history = before
                    .first()
                    .and_then(|&r| self.cols.times().get(r as usize).copied().flatten())
                    .is_some_and(|t0| {
                        w.start - t0 >= super::features::NOVELTY_BASELINE_SECS * 1000
                    });
                if history {
                    // Marks per value code: cheaper than hashing every earlier event.
                    let mut earlier = vec![false; dict.cardinality()];
                    for &r in before {
                        let c = dict.code(r as usize);
                        if c != NULL {
                            earlier[c as usize] = true;
                        }
                    }
                    let mut here: rustc_hash::FxHashMap<u32, usize> = Default::default();
                    for &r in rows {
                        let c = dict.code(r as usize);
                        if ok(c) && !earlier[c as usize] {
                            *here.entry(c).or_default() += 1;
                        }
                    }
                    found.extend(here.into_iter().map(|(c, n)| (n, c)));
                }
            }
        }
        found.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| dict.value(a.1).cmp(&dict.value(b.1)))
        });
        let Some(&(_, first)) = found.first() else {
            return format!("{what} used by no other {}", self.entity_word);
        };
        let value = short(dict.value(first).unwrap_or(""));
        let more = if found.len() > 1 {
            format!(" (and {} more)", found.len() - 1)
        } else {
            String::new()
        };
        match subject {
            Subject::Entity(_) => format!(
                "{what} {value}{more} seen for no other {}",
                self.entity_word
            ),
            Subject::Window(_) => format!(
                "new {what} {value}{more}, not used by this {} before",
                self.entity_word
            ),
        }
    }
}

/// "hour", "10 minutes", … for window lengths.
pub fn window_word(ms: i64) -> String {
    match ms / 1000 {
        3600 => "hour".to_owned(),
        86_400 => "day".to_owned(),
        60 => "minute".to_owned(),
        secs => format!("{} window", humanize::duration(secs)),
    }
}

/// Log values in sentences are cut to a readable length.
fn short(v: &str) -> String {
    let cut = crate::text::truncate(v, 80).into_owned();
    if cut.is_empty() {
        "(empty)".to_owned()
    } else {
        cut
    }
}
