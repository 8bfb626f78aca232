//! A finer grain for small logs: each principal's events split by network class and client family
//! (principal × network × agent), so a log with a handful of principals still has enough points
//! for the isolation forest, and a stolen credential's foreign use stands apart from its home use.
use rustc_hash::FxHashMap;

use super::agent;
use super::columns::{Columns, NULL};
use super::features::{self, FeatureOptions, FeatureTable, Groups};
use crate::model::net::{self, NetClass};
use crate::model::schema::s;

/// The contexts' features and, per context, the principal group it belongs to (its dictionary
/// code; the no-identity group is the principal dictionary's cardinality).
pub struct Contexts {
    pub table: FeatureTable,
    pub owner: Vec<u32>,
}

pub fn contexts(cols: &Columns<'_>, opts: &FeatureOptions) -> Contexts {
    let principals = cols.by_idx(s::PRINCIPAL);
    let ips = cols.by_idx(s::SOURCE_IP);
    let uas = cols.by_idx(s::USER_AGENT);
    let ranges = net::ranges();
    let class: Vec<NetClass> = ips.table(|v| ranges.classify(v));
    let tool: Vec<agent::Tool> = uas.table(|v| agent::family(Some(v)).tool);
    let missing = principals.cardinality() as u32;
    let mut ids: FxHashMap<(u32, NetClass, agent::Tool), u32> = FxHashMap::default();
    let mut keys: Vec<(u32, NetClass, agent::Tool)> = Vec::new();
    let mut codes = Vec::with_capacity(cols.n);
    for r in 0..cols.n {
        let p = match principals.code(r) {
            NULL => missing,
            c => c,
        };
        let c = match ips.code(r) {
            NULL => NetClass::None,
            i => class[i as usize],
        };
        let t = match uas.code(r) {
            NULL => agent::Tool::None,
            u => tool[u as usize],
        };
        let key = (p, c, t);
        let id = *ids.entry(key).or_insert_with(|| {
            keys.push(key);
            (keys.len() - 1) as u32
        });
        codes.push(id);
    }
    let names: Vec<String> = keys
        .iter()
        .map(|&(p, c, t)| {
            let who = principals.value(p).unwrap_or(opts.kind.missing_name());
            format!("{who} | {} | {t:?}", c.label())
        })
        .chain(std::iter::once("(none)".to_owned()))
        .collect();
    let groups = Groups::from_codes(&codes, keys.len());
    let mut owner: Vec<u32> = keys.iter().map(|k| k.0).collect();
    owner.push(missing);
    Contexts {
        table: features::compute_groups(cols, opts, groups, names),
        owner,
    }
}
