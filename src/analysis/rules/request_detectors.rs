//! Detectors that read a call's request parameters in ways a field match cannot: which ports a
//! security-group rule opens to the internet, and whether a bucket change hits a trail's bucket.
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

use super::engine::RunContext;
use super::policy::world_openings;
use crate::analysis::catalog::{self, ApiSet};
use crate::analysis::columns::NULL;
use crate::model::schema::s;

type Hits = (Vec<u32>, BTreeMap<u32, String>);

/// Rows of the named events, in store order.
fn rows_named(ctx: &RunContext<'_, '_>, names: &[&str]) -> Vec<u32> {
    let dict = ctx.cols.by_idx(s::EVENT_NAME);
    let mut rows: Vec<u32> = names
        .iter()
        .filter_map(|n| dict.find(n))
        .flat_map(|code| ctx.by_name.get(code as usize).iter().copied())
        .collect();
    rows.sort_unstable();
    rows
}

fn request(ctx: &RunContext<'_, '_>, row: u32) -> Option<Value> {
    let mut raw = ctx.cols.store.raw_value(row as usize)?;
    raw.get_mut("requestParameters").map(Value::take)
}

/// A client's family: the product of the user agent's first token (`aws-cli`, `Boto3`, `APN` for
/// Terraform, `AWS Internal`...), so that one tool's versions and suffixes count as one client.
pub fn agent_family(ua: &str) -> &str {
    let first = ua.trim().split([' ', '/']).next().unwrap_or("");
    if first.eq_ignore_ascii_case("AWS") && ua.trim().starts_with("AWS Internal") {
        return "AWS Internal";
    }
    first
}

/// Per user-agent code, a small id of its family.
fn family_ids(ctx: &RunContext<'_, '_>) -> Vec<u32> {
    let mut ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut out = Vec::new();
    for ua in ctx.cols.by_idx(s::USER_AGENT).values() {
        let next = ids.len() as u32;
        out.push(
            *ids.entry(agent_family(ua).to_ascii_lowercase())
                .or_insert(next),
        );
    }
    out
}

/// (principal, client family) of a row.
fn actor(ctx: &RunContext<'_, '_>, families: &[u32], row: u32) -> (u32, u32) {
    let ua = ctx.cols.by_idx(s::USER_AGENT).code(row as usize);
    let fam = if ua == NULL {
        NULL
    } else {
        families.get(ua as usize).copied().unwrap_or(NULL)
    };
    (ctx.cols.by_idx(s::PRINCIPAL).code(row as usize), fam)
}

fn join(set: &BTreeSet<String>, max: usize) -> String {
    let mut v: Vec<&str> = set.iter().take(max).map(String::as_str).collect();
    if set.len() > max {
        v.push("…");
    }
    v.join(", ")
}

/// How long after creating a group its first rules count as setting it up.
pub const NEW_GROUP_MS: i64 = 3600 * 1000;

/// A group's creation: time, name, id.
type Created = (i64, String, String);

/// Groups created in the log: (principal, client family) -> (time, group name, group id).
fn created_groups(
    ctx: &RunContext<'_, '_>,
    families: &[u32],
) -> FxHashMap<(u32, u32), Vec<Created>> {
    let mut out: FxHashMap<(u32, u32), Vec<Created>> = FxHashMap::default();
    for r in rows_named(ctx, &["CreateSecurityGroup"]) {
        let Some(raw) = ctx.cols.store.raw_value(r as usize) else {
            continue;
        };
        let Some(t) = ctx.cols.store.time_at(r as usize) else {
            continue;
        };
        let text = |part: &str, key: &str| {
            raw.get(part)
                .and_then(|v| v.get(key))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        out.entry(actor(ctx, families, r)).or_default().push((
            t,
            text("requestParameters", "groupName"),
            text("responseElements", "groupId"),
        ));
    }
    out
}

/// Security-group rules opening an administration port to the whole internet. Rules a principal
/// adds, with the same client, to a group it created within the hour are the group's set-up (a
/// console wizard, CloudFormation, an orchestrator), not a change to an existing defence.
pub fn security_group_admin_port_open(ctx: &RunContext<'_, '_>) -> Hits {
    let principals = ctx.cols.by_idx(s::PRINCIPAL);
    let families = family_ids(ctx);
    let created = created_groups(ctx, &families);
    let mut rows = Vec::new();
    let mut what: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for r in rows_named(
        ctx,
        &["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"],
    ) {
        let Some(req) = request(ctx, r) else {
            continue;
        };
        let id = req.get("groupId").and_then(Value::as_str).unwrap_or("");
        let name = req.get("groupName").and_then(Value::as_str).unwrap_or("");
        let at = ctx.cols.store.time_at(r as usize).unwrap_or(i64::MIN);
        let key = actor(ctx, &families, r);
        let set_up = created.get(&key).is_some_and(|list| {
            list.iter().any(|(t, n, i)| {
                *t <= at
                    && at - t <= NEW_GROUP_MS
                    && ((!id.is_empty() && id == i) || (!name.is_empty() && name == n))
            })
        });
        if set_up {
            continue;
        }
        let group = if id.is_empty() { name } else { id };
        let group = if group.is_empty() {
            "a security group".to_owned()
        } else {
            group.to_owned()
        };
        let mut found = BTreeSet::new();
        for o in world_openings(&req) {
            let ports = o.admin_ports();
            if ports.is_empty() {
                continue;
            }
            let ports: Vec<String> = if o.ports.is_none() {
                vec!["every port".to_owned()]
            } else {
                ports.iter().map(|(p, n)| format!("{p} ({n})")).collect()
            };
            found.insert(format!("{} to {} on {group}", ports.join(", "), o.cidr));
        }
        if !found.is_empty() {
            rows.push(r);
            what.entry(principals.code(r as usize))
                .or_default()
                .extend(found);
        }
    }
    let notes = what
        .into_iter()
        .map(|(p, w)| (p, format!("opened {}", join(&w, 3))))
        .collect();
    (rows, notes)
}

/// Calls on buckets that a trail in this log delivers to. (A policy put is left to the S3 rules: the
/// console puts CloudTrail's own delivery policy when it creates a trail.)
pub fn trail_bucket_changed(ctx: &RunContext<'_, '_>) -> Hits {
    let mut trail_buckets: FxHashSet<String> = FxHashSet::default();
    for r in rows_named(ctx, &["CreateTrail", "UpdateTrail"]) {
        let Some(raw) = ctx.cols.store.raw_value(r as usize) else {
            continue;
        };
        for part in ["requestParameters", "responseElements"] {
            if let Some(b) = raw
                .get(part)
                .and_then(|v| v.get("s3BucketName"))
                .and_then(Value::as_str)
                .filter(|b| !b.is_empty())
            {
                trail_buckets.insert(b.to_owned());
            }
        }
    }
    if trail_buckets.is_empty() {
        return Default::default();
    }
    let buckets = ctx.cols.by_idx(s::BUCKET);
    let names = ctx.cols.by_idx(s::EVENT_NAME);
    let principals = ctx.cols.by_idx(s::PRINCIPAL);
    let is_trail: Vec<bool> = buckets.table(|b| trail_buckets.contains(b));
    let mut rows = Vec::new();
    let mut what: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    let changes: Vec<&str> = catalog::names(ApiSet::TrailBucketChanges)
        .iter()
        .map(String::as_str)
        .collect();
    for r in rows_named(ctx, &changes) {
        let b = buckets.code(r as usize);
        if b == NULL || !is_trail[b as usize] {
            continue;
        }
        rows.push(r);
        what.entry(principals.code(r as usize))
            .or_default()
            .insert(format!(
                "{} on {}",
                names.at(r as usize).unwrap_or(""),
                buckets.value(b).unwrap_or("")
            ));
    }
    let notes = what
        .into_iter()
        .map(|(p, w)| (p, format!("trail bucket changed: {}", join(&w, 3))))
        .collect();
    (rows, notes)
}

/// A trail's name from a `name` / `trailName` parameter (a name or an ARN ending `trail/NAME`).
fn trail_name(v: &str) -> &str {
    v.rsplit_once(":trail/").map_or(v, |(_, n)| n)
}

/// How long after creating a trail its removal by the same principal and client is a clean-up.
pub const TEST_TRAIL_MS: i64 = 3600 * 1000;

/// StopLogging and DeleteTrail, except on a trail the same principal created with the same client
/// family within the hour before (a test trail taken down, a tool cleaning up after itself). A
/// creation stamped with the same second does not count: test fixtures share one fake time.
pub fn trail_stopped(ctx: &RunContext<'_, '_>) -> Hits {
    let principals = ctx.cols.by_idx(s::PRINCIPAL);
    let families = family_ids(ctx);
    let sources = ctx.cols.by_idx(s::EVENT_SOURCE);
    let names = ctx.cols.by_idx(s::EVENT_NAME);
    let param = |r: u32| -> Option<String> {
        let req = request(ctx, r)?;
        req.get("name")
            .or_else(|| req.get("trailName"))
            .and_then(Value::as_str)
            .map(|n| trail_name(n).to_owned())
    };
    let key = |r: u32| actor(ctx, &families, r);
    let mut created: FxHashMap<(u32, u32), Vec<(i64, String)>> = FxHashMap::default();
    for r in rows_named(ctx, &["CreateTrail"]) {
        if let (Some(t), Some(n)) = (ctx.cols.store.time_at(r as usize), param(r))
            && ctx.cols.by_idx(s::ERROR_CODE).code(r as usize) == NULL
        {
            created.entry(key(r)).or_default().push((t, n));
        }
    }
    let mut rows = Vec::new();
    let mut what: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for r in rows_named(ctx, &["StopLogging", "DeleteTrail"]) {
        if sources.at(r as usize) != Some("cloudtrail.amazonaws.com") {
            continue;
        }
        let trail = param(r);
        let at = ctx.cols.store.time_at(r as usize).unwrap_or(i64::MIN);
        let clean_up = trail.as_ref().is_some_and(|n| {
            created.get(&key(r)).is_some_and(|list| {
                list.iter()
                    .any(|(t, c)| c == n && *t < at && at - t <= TEST_TRAIL_MS)
            })
        });
        if clean_up {
            continue;
        }
        rows.push(r);
        what.entry(principals.code(r as usize))
            .or_default()
            .insert(format!(
                "{} {}",
                names.at(r as usize).unwrap_or(""),
                trail.as_deref().unwrap_or("(trail not named)")
            ));
    }
    let notes = what.into_iter().map(|(p, w)| (p, join(&w, 4))).collect();
    (rows, notes)
}
