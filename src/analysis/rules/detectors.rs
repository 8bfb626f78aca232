//! Detectors for patterns a per-event field match cannot express: they compare an event with the
//! principal's other events.
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

use super::Detector;
use super::engine::RunContext;
use super::matcher::ip_class;
use super::model::IpClass;
use crate::analysis::columns::NULL;
use crate::model::schema::s;

type Hits = (Vec<u32>, BTreeMap<u32, String>);

pub fn run(d: Detector, ctx: &RunContext<'_, '_>) -> Hits {
    match d {
        Detector::InstanceCredentialsOutside => instance_credentials_outside(ctx),
        Detector::ConsoleLoginNewIp => console_login_new_ip(ctx),
        Detector::SecurityGroupAdminPortOpen => {
            super::request_detectors::security_group_admin_port_open(ctx)
        }
        Detector::TrailBucketChanged => super::request_detectors::trail_bucket_changed(ctx),
        Detector::TrailStopped => super::request_detectors::trail_stopped(ctx),
        Detector::DiscoveryBurst => super::burst_detectors::discovery_burst(ctx),
        Detector::S3ObjectsRewritten => super::burst_detectors::s3_objects_rewritten(ctx),
    }
}

/// Whether an assumed-role ARN's session name is an EC2 instance id (`i-` + 8 or 17 hex digits):
/// the session EC2 creates for an instance profile.
pub fn instance_session(principal: &str) -> Option<&str> {
    if !principal.contains(":assumed-role/") {
        return None;
    }
    let session = principal.rsplit('/').next()?;
    let hex = session.strip_prefix("i-")?;
    let ok = (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then_some(session)
}

fn list(set: &BTreeSet<&str>, max: usize) -> String {
    let mut s: Vec<&str> = set.iter().take(max).copied().collect();
    if set.len() > max {
        s.push("…");
    }
    s.join(", ")
}

fn instance_credentials_outside(ctx: &RunContext<'_, '_>) -> Hits {
    let cols = ctx.cols;
    let principals = cols.by_idx(s::PRINCIPAL);
    let ips = cols.by_idx(s::SOURCE_IP);
    let is_instance: Vec<bool> = principals.table(|p| instance_session(p).is_some());
    if !is_instance.iter().any(|&b| b) {
        return Default::default();
    }
    let class: Vec<IpClass> = ips.table(|v| ip_class(v, ctx.known));
    let mut sessions: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (r, &p) in principals.codes().iter().enumerate() {
        if p != NULL && is_instance[p as usize] {
            sessions.entry(p).or_default().push(r as u32);
        }
    }
    let mut rows = Vec::new();
    let mut notes = BTreeMap::new();
    for (p, group) in sessions {
        // The session's usual address: its most frequent one (ties: the smaller text).
        let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
        for &r in &group {
            let ip = ips.code(r as usize);
            if ip != NULL && class[ip as usize] != IpClass::NotIp {
                *counts.entry(ip).or_default() += 1;
            }
        }
        let usual = counts
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then_with(|| ips.value(*b.0).cmp(&ips.value(*a.0)))
            })
            .map(|(&ip, &n)| (ip, n));
        let mut outside = BTreeSet::new();
        for &r in &group {
            let ip = ips.code(r as usize);
            if ip == NULL || class[ip as usize] != IpClass::Public {
                continue;
            }
            // With known ranges, any public address outside them is foreign; without, only a
            // public address that is not the session's usual one.
            let foreign = !ctx.known.is_empty() || usual.is_none_or(|(u, _)| u != ip);
            if foreign {
                rows.push(r);
                outside.insert(ips.value(ip).unwrap_or(""));
            }
        }
        if !outside.is_empty() {
            let session = principals.value(p).and_then(instance_session).unwrap_or("");
            let usual_text = usual
                .map(|(u, n)| format!("{} ({n} calls)", ips.value(u).unwrap_or("")))
                .unwrap_or_else(|| "no address".to_owned());
            notes.insert(
                p,
                format!(
                    "instance credentials of {session} usually used from {usual_text}; also used from {}",
                    list(&outside, 5)
                ),
            );
        }
    }
    rows.sort_unstable();
    (rows, notes)
}

fn console_login_new_ip(ctx: &RunContext<'_, '_>) -> Hits {
    let cols = ctx.cols;
    let names = cols.by_idx(s::EVENT_NAME);
    let Some(login) = names.find("ConsoleLogin") else {
        return Default::default();
    };
    let principals = cols.by_idx(s::PRINCIPAL);
    let ips = cols.by_idx(s::SOURCE_IP);
    let mut logs_in = vec![false; principals.cardinality()];
    for &r in ctx.by_name.get(login as usize) {
        let p = principals.code(r as usize);
        if p != NULL {
            logs_in[p as usize] = true;
        }
    }
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let mut logins: FxHashMap<u32, BTreeSet<&str>> = FxHashMap::default();
    let mut new_ips: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    let mut rows = Vec::new();
    for r in 0..cols.n {
        let p = principals.code(r);
        if p == NULL || !logs_in[p as usize] {
            continue;
        }
        let ip = ips.code(r);
        let key = (u64::from(p) << 32) | u64::from(ip);
        if names.code(r) == login && ip != NULL {
            let before = logins.entry(p).or_default();
            let ip_text = ips.value(ip).unwrap_or("");
            if !before.is_empty() && !seen.contains(&key) && !before.contains(ip_text) {
                rows.push(r as u32);
                new_ips.entry(p).or_default().insert(ip_text);
            }
            before.insert(ip_text);
        }
        seen.insert(key);
    }
    let notes = new_ips
        .into_iter()
        .map(|(p, new)| {
            let earlier: BTreeSet<&str> = logins
                .get(&p)
                .map(|all| all.difference(&new).copied().collect())
                .unwrap_or_default();
            (
                p,
                format!(
                    "console login from new address {} (earlier logins from {})",
                    list(&new, 5),
                    list(&earlier, 5)
                ),
            )
        })
        .collect();
    (rows, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_sessions() {
        assert_eq!(
            instance_session("arn:aws:sts::1:assumed-role/web/i-0123456789abcdef0"),
            Some("i-0123456789abcdef0")
        );
        assert_eq!(
            instance_session("arn:aws:sts::1:assumed-role/web/i-0123abcd"),
            Some("i-0123abcd")
        );
        assert_eq!(
            instance_session("arn:aws:sts::1:assumed-role/web/alice"),
            None
        );
        assert_eq!(instance_session("arn:aws:iam::1:user/i-0123abcd"), None);
        assert_eq!(
            instance_session("arn:aws:sts::1:assumed-role/web/i-xyz"),
            None
        );
    }
}
