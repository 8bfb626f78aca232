//! Region summary: events, principals and flagged share per region, and regions a principal used
//! only once (a one-off call in an unusual region is a classic sign of a stolen credential).
use serde::Serialize;

use super::columns::{Columns, NULL};
use super::features::Groups;
use super::level::Level;
use super::timefmt;
use crate::model::schema::s;

#[derive(Debug, Clone, Serialize)]
pub struct RegionRow {
    pub region: String,
    pub events: usize,
    pub principals: usize,
    /// Events with a risk level (a rule hit or an anomalous window).
    pub flagged_events: usize,
    pub flagged_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionUsedOnce {
    pub principal: String,
    pub region: String,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub time: Option<i64>,
    pub event_name: Option<String>,
    pub event_id: Option<String>,
    /// Regions the principal used in all.
    pub principal_regions: usize,
    pub row: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RegionSummary {
    /// Regions by events (most first, ties by name).
    pub regions: Vec<RegionRow>,
    /// Single events of a principal in a region it used nowhere else in the log, for principals
    /// that used more than one region; in time order.
    pub used_once: Vec<RegionUsedOnce>,
}

pub fn summarize(
    cols: &Columns<'_>,
    by_principal: &Groups,
    levels: &[Option<Level>],
) -> RegionSummary {
    let regions = cols.by_idx(s::AWS_REGION);
    let principals = cols.by_idx(s::PRINCIPAL);
    let card = regions.cardinality();
    let mut events = vec![0usize; card];
    let mut flagged = vec![0usize; card];
    let mut users = vec![0usize; card];
    let mut per = vec![0u32; card];
    let mut first_row = vec![0u32; card];
    let mut used_once = Vec::new();
    let ids = cols.store.str_col(super::columns::col(s::EVENT_ID));
    for g in 0..by_principal.len() {
        let rows = by_principal.get(g);
        let mut touched = Vec::new();
        for &r in rows {
            let c = regions.code(r as usize);
            if c == NULL {
                continue;
            }
            let c = c as usize;
            events[c] += 1;
            if levels.get(r as usize).copied().flatten().is_some() {
                flagged[c] += 1;
            }
            if per[c] == 0 {
                touched.push(c);
                first_row[c] = r;
            }
            per[c] += 1;
        }
        for &c in &touched {
            users[c] += 1;
            if per[c] == 1 && touched.len() > 1 {
                let r = first_row[c] as usize;
                used_once.push(RegionUsedOnce {
                    principal: principals.at(r).unwrap_or("(no principal)").to_owned(),
                    region: regions.value(c as u32).unwrap_or("").to_owned(),
                    time: cols.times().get(r).copied().flatten(),
                    event_name: cols.by_idx(s::EVENT_NAME).at(r).map(str::to_owned),
                    event_id: ids.as_ref().and_then(|c| c.get(r)).map(str::to_owned),
                    principal_regions: touched.len(),
                    row: r as u32,
                });
            }
        }
        for c in touched {
            per[c] = 0;
        }
    }
    let mut rows: Vec<RegionRow> = (0..card)
        .map(|c| RegionRow {
            region: regions.value(c as u32).unwrap_or("").to_owned(),
            events: events[c],
            principals: users[c],
            flagged_events: flagged[c],
            flagged_share: if events[c] == 0 {
                0.0
            } else {
                (flagged[c] as f64 / events[c] as f64 * 10_000.0).round() / 10_000.0
            },
        })
        .collect();
    rows.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.region.cmp(&b.region))
    });
    used_once.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| a.principal.cmp(&b.principal))
            .then_with(|| a.region.cmp(&b.region))
    });
    RegionSummary {
        regions: rows,
        used_once,
    }
}
