//! One person's credential used in two places at once, offline, as GuardDuty does for compute
//! credentials: a long-term access key or a role session (not compute, not the console) whose
//! calls switch between two networks outside AWS, or between clients on two operating systems,
//! within minutes — or leave and come back within the hour. A laptop and a stolen copy of its key
//! interleave; a person moving between home and office over the day does not. Both at once (a
//! second network with a second client) is High; either alone is Low: context for the analyst,
//! not evidence of compromise (the ranking leaves Low evidence out of its compromise key).
//!
//! Left out on purpose: addresses inside AWS (NAT and service egress change from call to call, and a
//! key copied onto an instance is a habit, not a theft), AWS service names (`AWS Internal`,
//! `*.amazonaws.com`) and console back ends, which call from AWS's side for the person.
use std::collections::BTreeSet;
use std::net::IpAddr;

use rustc_hash::{FxHashMap, FxHashSet};

use super::agent::{Family, Os, Tool};
use super::columns::{Columns, NULL};
use super::evidence::{Evidence, EvidenceKind, Step, principal_name};
use super::humanize;
use super::level::Level;
use crate::model::net::NetClass;
use crate::model::schema::s;

/// Two places within this long of each other are one credential in two places.
pub const SWITCH_MS: i64 = 5 * 60_000;
/// Leaving a place and coming back to it within this long is two places at once.
pub const RETURN_MS: i64 = 60 * 60_000;

/// Consecutive calls from one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run<K> {
    pub key: K,
    pub start: i64,
    pub end: i64,
    pub rows: Vec<u32>,
}

/// Calls (time, place, row) in time order, folded into runs of one place.
pub fn runs<K: Copy + Eq>(calls: &[(i64, K, u32)]) -> Vec<Run<K>> {
    let mut out: Vec<Run<K>> = Vec::new();
    for &(t, k, r) in calls {
        match out.last_mut() {
            Some(run) if run.key == k => {
                run.end = t;
                run.rows.push(r);
            }
            _ => out.push(Run {
                key: k,
                start: t,
                end: t,
                rows: vec![r],
            }),
        }
    }
    out
}

/// A sign of two places at once: runs `from` then `to` (different places), with the gap that
/// makes it one (minutes between them, or from leaving `from`'s place to coming back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch {
    pub from: usize,
    pub to: usize,
    pub gap_ms: i64,
    /// The place of `from` came back after `to` (A, B, A).
    pub returned: bool,
}

/// Switches between places within [`SWITCH_MS`], and returns to a place within [`RETURN_MS`].
pub fn fast_switches<K: Copy + Eq>(runs: &[Run<K>]) -> Vec<Switch> {
    let mut out = Vec::new();
    for i in 1..runs.len() {
        let gap = runs[i].start - runs[i - 1].end;
        if gap <= SWITCH_MS {
            out.push(Switch {
                from: i - 1,
                to: i,
                gap_ms: gap,
                returned: false,
            });
        } else if i >= 2 && runs[i].key == runs[i - 2].key {
            let away = runs[i].start - runs[i - 2].end;
            if away <= RETURN_MS {
                out.push(Switch {
                    from: i - 2,
                    to: i - 1,
                    gap_ms: away,
                    returned: true,
                });
            }
        }
    }
    out
}

/// The network an address belongs to: its /24 (IPv4) or /48 (IPv6).
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            IpAddr::from([o[0], o[1], o[2], 0])
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            IpAddr::from([s[0], s[1], s[2], 0, 0, 0, 0, 0])
        }
    }
}

fn show_network(n: IpAddr) -> String {
    match n {
        IpAddr::V4(_) => format!("{n}/24"),
        IpAddr::V6(_) => format!("{n}/48"),
    }
}

fn os_word(o: Os) -> &'static str {
    match o {
        Os::Linux => "Linux",
        Os::MacOs => "macOS",
        Os::Windows => "Windows",
        Os::Unknown => "an unknown system",
    }
}

/// A client the credential's holder drives (not the console, an AWS service or a compute runtime).
fn personal_client(f: &Family) -> bool {
    f.is_client() && f.tool != Tool::Console && f.compute.is_none()
}

/// Finds credentials used in two places at once. `compute` holds the principals already followed
/// as compute credentials; `cls` and `fam` classify a row's address and agent.
pub fn find(
    cols: &Columns<'_>,
    compute: &FxHashSet<u32>,
    cls: &dyn Fn(usize) -> NetClass,
    fam: &dyn Fn(usize) -> Family,
) -> Vec<Evidence> {
    let principals = cols.by_idx(s::PRINCIPAL);
    let keys = cols.by_idx(s::ACCESS_KEY_ID);
    let ips = cols.by_idx(s::SOURCE_IP);
    let types = cols.by_idx(s::IDENTITY_TYPE);
    let times = cols.times();
    let service_type = types.find("AWSService");
    // Per access key: (principal, calls by network, calls by operating system).
    #[allow(clippy::type_complexity)]
    let mut per: FxHashMap<u32, (u32, Vec<(i64, IpAddr, u32)>, Vec<(i64, Os, u32)>)> =
        FxHashMap::default();
    let parsed: Vec<Option<IpAddr>> = ips.table(|v| v.trim().parse::<IpAddr>().ok());
    for r in 0..cols.n {
        let (k, p) = (keys.code(r), principals.code(r));
        if k == NULL || p == NULL || compute.contains(&p) {
            continue;
        }
        if service_type.is_some_and(|st| types.code(r) == st) {
            continue;
        }
        let Some(t) = times.get(r).copied().flatten() else {
            continue;
        };
        let f = fam(r);
        if !personal_client(&f) {
            continue;
        }
        let e = per.entry(k).or_insert_with(|| (p, Vec::new(), Vec::new()));
        let ip = ips.code(r);
        if ip != NULL
            && matches!(cls(r), NetClass::Outside | NetClass::Private)
            && let Some(addr) = parsed[ip as usize]
        {
            e.1.push((t, network_of(addr), r as u32));
        }
        if f.os != Os::Unknown {
            e.2.push((t, f.os, r as u32));
        }
    }
    // In key order, so the output does not depend on hashing.
    let mut per: Vec<_> = per.into_iter().collect();
    per.sort_unstable_by_key(|e| e.0);
    let mut out = Vec::new();
    for (k, (p, mut by_net, mut by_os)) in per {
        by_net.sort_by_key(|c| (c.0, c.2));
        by_os.sort_by_key(|c| (c.0, c.2));
        let net_runs = runs(&by_net);
        let os_runs = runs(&by_os);
        let net_sw = fast_switches(&net_runs);
        let os_sw = fast_switches(&os_runs);
        if net_sw.is_empty() && os_sw.is_empty() {
            continue;
        }
        let key = keys.value(k).unwrap_or("");
        let mut signals = Vec::new();
        let mut rows: Vec<u32> = Vec::new();
        let mut steps = Vec::new();
        let describe = |sw: &Switch, a: String, b: String| {
            if sw.returned {
                format!(
                    "{a}, then {b}, then {a} again within {}",
                    humanize::elapsed(sw.gap_ms)
                )
            } else {
                format!("{a}, then {b} {} later", humanize::elapsed(sw.gap_ms))
            }
        };
        // A switch of network that is also a switch of client (tool or system): a second holder.
        let clients = |run: &Run<IpAddr>| -> BTreeSet<(Tool, Os)> {
            run.rows
                .iter()
                .map(|&r| {
                    let f = fam(r as usize);
                    (f.tool, f.os)
                })
                .collect()
        };
        let other_client = net_sw
            .iter()
            .find(|sw| clients(&net_runs[sw.from]).is_disjoint(&clients(&net_runs[sw.to])));
        if let Some(sw) = other_client.or(net_sw.first()) {
            let (a, b) = (&net_runs[sw.from], &net_runs[sw.to]);
            let with = match (other_client, a.rows.first(), b.rows.first()) {
                (Some(_), Some(&ra), Some(&rb)) => format!(
                    " ({} vs {})",
                    fam(ra as usize).describe(),
                    fam(rb as usize).describe()
                ),
                _ => " (the same client on both)".to_owned(),
            };
            signals.push(format!(
                "from two networks outside AWS: {}{with}",
                describe(sw, show_network(a.key), show_network(b.key))
            ));
            for &(i, what) in &[
                (sw.from, "call from the first network"),
                (sw.to, "call from the second network"),
            ] {
                if let Some(&r) = net_runs[i].rows.first() {
                    steps.push(Step::at(cols, r, what));
                }
            }
            for s in &net_sw {
                rows.extend(&net_runs[s.from].rows);
                rows.extend(&net_runs[s.to].rows);
            }
        }
        if let Some(sw) = os_sw.first() {
            let (a, b) = (&os_runs[sw.from], &os_runs[sw.to]);
            let client = |run: &Run<Os>| {
                run.rows
                    .first()
                    .map(|&r| fam(r as usize).describe())
                    .unwrap_or_else(|| os_word(run.key).to_owned())
            };
            signals.push(format!(
                "by clients on two operating systems: {}",
                describe(sw, client(a), client(b))
            ));
            for &(i, what) in &[
                (sw.from, "call by the first client"),
                (sw.to, "call by the second client"),
            ] {
                if let Some(&r) = os_runs[i].rows.first() {
                    steps.push(Step::at(cols, r, what));
                }
            }
            for s in &os_sw {
                rows.extend(&os_runs[s.from].rows);
                rows.extend(&os_runs[s.to].rows);
            }
        }
        rows.sort_unstable();
        rows.dedup();
        steps.sort_by_key(|s| (s.time, s.row));
        steps.dedup_by_key(|s| s.row);
        // Two networks outside AWS at once with a different client on each is the stolen-copy
        // pattern. Either alone is also one person: on a VPN and off it with the same laptop, or
        // a laptop beside a container. Those are context (Low), not evidence of compromise.
        let level = if other_client.is_some() {
            Level::High
        } else {
            Level::Low
        };
        let kind_word = if key.starts_with("AKIA") {
            "long-term access key"
        } else {
            "session credential"
        };
        out.push(Evidence {
            kind: EvidenceKind::ConcurrentUse,
            level,
            principal: principal_name(cols, p),
            title: "One credential used in two places at once".to_owned(),
            text: format!("{kind_word} {key} used {}", signals.join("; and ")),
            steps,
            rows,
            principal_code: p,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_need_minutes_or_a_quick_return() {
        let m = 60_000;
        // (calls as (minute, place), expected switches as (from, to, returned))
        type Case<'a> = (&'a [(i64, u8)], &'a [(usize, usize, bool)]);
        let cases: [Case; 5] = [
            (&[(0, 1), (1, 1), (3, 2)], &[(0, 1, false)]),
            // Home in the morning, office after a commute: no switch.
            (&[(0, 1), (10, 1), (50, 2), (60, 2)], &[]),
            // Away and back within the hour.
            (&[(0, 1), (20, 2), (45, 1)], &[(0, 1, true)]),
            // Days apart.
            (&[(0, 1), (24 * 60, 2), (48 * 60, 1)], &[]),
            (&[(0, 1), (1, 1)], &[]),
        ];
        for (calls, want) in cases {
            let c: Vec<(i64, u8, u32)> = calls
                .iter()
                .enumerate()
                .map(|(i, &(t, k))| (t * m, k, i as u32))
                .collect();
            let got: Vec<(usize, usize, bool)> = fast_switches(&runs(&c))
                .iter()
                .map(|s| (s.from, s.to, s.returned))
                .collect();
            assert_eq!(got, want, "{calls:?}");
        }
    }

    #[test]
    fn networks_are_slash_24_and_slash_48() {
        let n = |s: &str| show_network(network_of(s.parse().expect("ip")));
        assert_eq!(n("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(n("2001:db8:1:2::5"), "2001:db8:1::/48");
        assert_eq!(
            crate::analysis::agent::family(Some("aws-cli/2 Python/3 Darwin/23")).os,
            Os::MacOs
        );
    }
}
