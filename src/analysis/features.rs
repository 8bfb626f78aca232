//! Per-entity behaviour features (an entity is a principal or, switchable, a source IP), over the
//! whole log and over fixed time windows, computed from dictionary codes in one pass per entity.
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::apis;
use super::columns::{Columns, Dict, NULL};
use super::timefmt;
use crate::model::schema::s;

/// Number of model features (see [`FEATURE_NAMES`]).
pub const NF: usize = 21;

/// An address or agent counts as new in a window only after the entity has this much history:
/// at the start of a log (or of an entity) everything is new.
pub const NOVELTY_BASELINE_SECS: i64 = 86_400;

/// Pseudo-events of prior weight for shares in the model vector.
pub const PRIOR_EVENTS: f64 = 5.0;

/// Model feature names, in vector order.
pub const FEATURE_NAMES: [&str; NF] = [
    "events",
    "span",
    "rate_per_active_minute",
    "peak_per_minute",
    "services",
    "event_names",
    "user_agents",
    "source_ips",
    "regions",
    "failure_rate",
    "access_denied_share",
    "hour_sin",
    "hour_cos",
    "off_hours_share",
    "read_only_share",
    "get_object",
    "bytes_out",
    "sensitive_calls",
    "exclusive_ips",
    "exclusive_user_agents",
    "failures",
];

/// What events are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    #[default]
    Principal,
    SourceIp,
}

impl EntityKind {
    pub fn column(self) -> usize {
        match self {
            EntityKind::Principal => s::PRINCIPAL,
            EntityKind::SourceIp => s::SOURCE_IP,
        }
    }

    /// Name shown for events without a value in the grouping column.
    pub fn missing_name(self) -> &'static str {
        match self {
            EntityKind::Principal => "(no principal)",
            EntityKind::SourceIp => "(no source IP)",
        }
    }
}

/// Behaviour features of one entity over a set of events.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Features {
    pub events: u64,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub first: Option<i64>,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub last: Option<i64>,
    /// Seconds from first to last event.
    pub span_secs: f64,
    /// Distinct minutes with at least one event.
    pub active_minutes: u64,
    pub rate_per_active_minute: f64,
    pub peak_per_minute: u64,
    pub services: u64,
    pub event_names: u64,
    pub user_agents: u64,
    pub source_ips: u64,
    pub regions: u64,
    /// Events with an errorCode.
    pub failures: u64,
    pub failure_rate: f64,
    pub access_denied: u64,
    pub access_denied_share: f64,
    /// Mean of sin and cos of the hour of day (UTC) on the 24 h circle.
    pub hour_sin: f64,
    pub hour_cos: f64,
    pub off_hours_share: f64,
    pub read_only_share: f64,
    pub get_object: u64,
    /// bytesTransferredOut of every call (the model's feature): list and ACL calls send bytes too.
    pub bytes_out: i64,
    /// bytesTransferredOut of the successful GetObject calls alone: the object reads' volume,
    /// which the tables and reasons show beside the GetObject count.
    pub get_object_bytes: i64,
    pub sensitive_calls: u64,
    /// Whole log: source IPs no other entity used. Window: source IPs the entity had not used in
    /// an earlier window (0 within [`NOVELTY_BASELINE_SECS`] of its first event).
    pub exclusive_ips: u64,
    /// Same for user agents.
    pub exclusive_user_agents: u64,
}

impl Features {
    /// The model vector: counts on a log scale (so 10 -> 1,000 weighs like 1 -> 100); shares and
    /// hour angles shrunk towards "no information" by [`PRIOR_EVENTS`] pseudo-events, so that one
    /// failure out of two calls does not look like a 50% failure rate.
    pub fn vector(&self) -> [f64; NF] {
        let l = |v: f64| v.max(0.0).ln_1p();
        let n = self.events as f64;
        let shrink = n / (n + PRIOR_EVENTS);
        [
            l(self.events as f64),
            l(self.span_secs / 60.0),
            l(self.rate_per_active_minute),
            l(self.peak_per_minute as f64),
            l(self.services as f64),
            l(self.event_names as f64),
            l(self.user_agents as f64),
            l(self.source_ips as f64),
            l(self.regions as f64),
            self.failure_rate * shrink,
            self.access_denied_share * shrink,
            self.hour_sin * shrink,
            self.hour_cos * shrink,
            self.off_hours_share * shrink,
            0.5 + (self.read_only_share - 0.5) * shrink,
            l(self.get_object as f64),
            l(self.bytes_out as f64),
            l(self.sensitive_calls as f64),
            l(self.exclusive_ips as f64),
            l(self.exclusive_user_agents as f64),
            l(self.failures as f64),
        ]
    }

    /// A feature's value as people read it (the untransformed count or share).
    pub fn raw(&self, idx: usize) -> f64 {
        match idx {
            0 => self.events as f64,
            1 => self.span_secs,
            2 => self.rate_per_active_minute,
            3 => self.peak_per_minute as f64,
            4 => self.services as f64,
            5 => self.event_names as f64,
            6 => self.user_agents as f64,
            7 => self.source_ips as f64,
            8 => self.regions as f64,
            9 => self.failure_rate,
            10 => self.access_denied_share,
            11 => self.hour_sin,
            12 => self.hour_cos,
            13 => self.off_hours_share,
            14 => self.read_only_share,
            15 => self.get_object as f64,
            16 => self.bytes_out as f64,
            17 => self.sensitive_calls as f64,
            18 => self.exclusive_ips as f64,
            19 => self.exclusive_user_agents as f64,
            20 => self.failures as f64,
            _ => 0.0,
        }
    }
}

/// Row ids grouped per entity (compressed: group g is `rows[offsets[g]..offsets[g + 1]]`), each
/// group in store (time) order.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    pub offsets: Vec<u32>,
    pub rows: Vec<u32>,
}

impl Groups {
    /// Groups rows by dictionary code; nulls form the last group.
    pub fn by_code(dict: &Dict) -> Groups {
        Groups::from_codes(dict.codes(), dict.cardinality())
    }

    /// Groups rows by codes below `card` ([`NULL`] rows form the last group).
    pub fn from_codes(codes: &[u32], card: usize) -> Groups {
        let k = card + 1;
        let slot = |c: u32| {
            if c == NULL {
                k - 1
            } else {
                (c as usize).min(k - 1)
            }
        };
        let mut counts = vec![0u32; k + 1];
        for &c in codes {
            counts[slot(c) + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut fill = counts;
        let mut rows = vec![0u32; codes.len()];
        for (r, &c) in codes.iter().enumerate() {
            let g = slot(c);
            rows[fill[g] as usize] = r as u32;
            fill[g] += 1;
        }
        Groups { offsets, rows }
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, g: usize) -> &[u32] {
        match (self.offsets.get(g), self.offsets.get(g + 1)) {
            (Some(&a), Some(&b)) => &self.rows[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// One fixed window of one entity's events.
#[derive(Debug, Clone)]
pub struct Window {
    pub entity: u32,
    /// Window start, epoch ms (a multiple of the window length).
    pub start: i64,
    /// The window's events are `groups.get(entity)[lo..hi]`.
    pub lo: u32,
    pub hi: u32,
    pub features: Features,
}

/// Features for every entity and every entity-window.
#[derive(Debug, Clone, Default)]
pub struct FeatureTable {
    pub kind: EntityKind,
    pub window_ms: i64,
    pub names: Vec<String>,
    pub groups: Groups,
    pub entities: Vec<Features>,
    pub windows: Vec<Window>,
    /// Range of `windows` belonging to each entity.
    pub entity_windows: Vec<(u32, u32)>,
}

impl FeatureTable {
    pub fn window_rows(&self, w: &Window) -> &[u32] {
        let rows = self.groups.get(w.entity as usize);
        rows.get(w.lo as usize..w.hi as usize).unwrap_or(&[])
    }

    pub fn windows_of(&self, entity: usize) -> &[Window] {
        match self.entity_windows.get(entity) {
            Some(&(a, b)) => &self.windows[a as usize..b as usize],
            None => &[],
        }
    }
}

/// Settings for [`compute`].
#[derive(Debug, Clone, Copy)]
pub struct FeatureOptions {
    pub kind: EntityKind,
    pub window_secs: i64,
    /// Business hours in UTC, `[start, end)`; events outside count as off-hours.
    pub business_hours: (u8, u8),
}

const GET_OBJECT: u8 = 1;
const SENSITIVE: u8 = 2;
const READ_NAME: u8 = 4;

struct Ctx<'a> {
    times: &'a [Option<i64>],
    name: &'a [u32],
    source: &'a [u32],
    ua: &'a [u32],
    ip: &'a [u32],
    region: &'a [u32],
    error: &'a [u32],
    read_only: &'a [Option<bool>],
    bytes: &'a [i64],
    name_flags: Vec<u8>,
    denied: Vec<bool>,
    hours: (f64, f64),
    cards: [usize; 5],
    /// Entities that used each source IP / user agent.
    ip_users: Vec<u32>,
    ua_users: Vec<u32>,
    /// Source address values that are addresses (not AWS service names).
    ip_ok: Vec<bool>,
    /// User agents that can be a sign of a client (not an AWS service acting for the principal).
    ua_ok: Vec<bool>,
}

impl Ctx<'_> {
    #[inline]
    fn time(&self, row: usize) -> Option<i64> {
        self.times.get(row).copied().flatten()
    }
}

/// Per-thread scratch space: "seen" stamps per column, reset by token, and per-entity "used in an
/// earlier window" marks for addresses and agents.
struct Scratch {
    stamps: [Vec<u32>; 5],
    token: u32,
    seen_ip: Vec<bool>,
    seen_ua: Vec<bool>,
    touched_ip: Vec<u32>,
    touched_ua: Vec<u32>,
}

impl Scratch {
    fn new(cards: [usize; 5]) -> Scratch {
        Scratch {
            stamps: cards.map(|c| vec![0; c]),
            token: 0,
            seen_ip: vec![false; cards[3]],
            seen_ua: vec![false; cards[2]],
            touched_ip: Vec::new(),
            touched_ua: Vec::new(),
        }
    }

    fn next_token(&mut self) -> u32 {
        if self.token == u32::MAX {
            for s in &mut self.stamps {
                s.fill(0);
            }
            self.token = 0;
        }
        self.token += 1;
        self.token
    }
}

/// How exclusivity is judged for the set of rows being summarised.
enum Scope {
    /// Whole log: IPs/UAs with a single user.
    Entity,
    /// One window: IPs/UAs the entity had not used in an earlier window; `first` when the entity
    /// has too little history before the window for anything to count as new.
    Window { first: bool },
}

fn summarise(rows: &[u32], ctx: &Ctx<'_>, sc: &mut Scratch, scope: Scope) -> Features {
    let token = sc.next_token();
    let mut f = Features {
        events: rows.len() as u64,
        ..Features::default()
    };
    let mut distinct = [0u64; 5];
    let mut minute = i64::MIN;
    let mut in_minute = 0u64;
    let mut timed = 0u64;
    let (mut sin, mut cos, mut off) = (0.0, 0.0, 0u64);
    let mut read = 0u64;
    let mut excl_ip = 0u64;
    let mut excl_ua = 0u64;
    for &r in rows {
        let r = r as usize;
        let mut codes = [
            ctx.source[r],
            ctx.name[r],
            ctx.ua[r],
            ctx.ip[r],
            ctx.region[r],
        ];
        if codes[3] != NULL && !ctx.ip_ok[codes[3] as usize] {
            codes[3] = NULL;
        }
        let ua_ok = codes[2] != NULL && ctx.ua_ok[codes[2] as usize];
        for (k, &c) in codes.iter().enumerate() {
            if c != NULL && sc.stamps[k][c as usize] != token {
                sc.stamps[k][c as usize] = token;
                distinct[k] += 1;
                match (k, &scope) {
                    (2, Scope::Entity) if ua_ok && ctx.ua_users[c as usize] == 1 => excl_ua += 1,
                    (3, Scope::Entity) if ctx.ip_users[c as usize] == 1 => excl_ip += 1,
                    (2, Scope::Window { first }) if ua_ok && !sc.seen_ua[c as usize] => {
                        sc.seen_ua[c as usize] = true;
                        sc.touched_ua.push(c);
                        excl_ua += u64::from(!first);
                    }
                    (3, Scope::Window { first }) if !sc.seen_ip[c as usize] => {
                        sc.seen_ip[c as usize] = true;
                        sc.touched_ip.push(c);
                        excl_ip += u64::from(!first);
                    }
                    _ => {}
                }
            }
        }
        if let Some(t) = ctx.time(r) {
            timed += 1;
            f.first = Some(f.first.map_or(t, |v| v.min(t)));
            f.last = Some(f.last.map_or(t, |v| v.max(t)));
            let m = t.div_euclid(60_000);
            if m != minute {
                minute = m;
                in_minute = 0;
                f.active_minutes += 1;
            }
            in_minute += 1;
            f.peak_per_minute = f.peak_per_minute.max(in_minute);
            let h = t.rem_euclid(86_400_000) as f64 / 3_600_000.0;
            let a = h * std::f64::consts::TAU / 24.0;
            sin += a.sin();
            cos += a.cos();
            if h < ctx.hours.0 || h >= ctx.hours.1 {
                off += 1;
            }
        }
        let e = ctx.error[r];
        if e != NULL {
            f.failures += 1;
            if ctx.denied[e as usize] {
                f.access_denied += 1;
            }
        }
        let flags = ctx
            .name_flags
            .get(ctx.name[r] as usize)
            .copied()
            .unwrap_or(0);
        if ctx.read_only[r].unwrap_or(flags & READ_NAME != 0) {
            read += 1;
        }
        if flags & GET_OBJECT != 0 {
            f.get_object += 1;
            if e == NULL {
                f.get_object_bytes += ctx.bytes[r];
            }
        }
        if flags & SENSITIVE != 0 {
            f.sensitive_calls += 1;
        }
        f.bytes_out += ctx.bytes[r];
    }
    let n = f.events.max(1) as f64;
    [
        f.services,
        f.event_names,
        f.user_agents,
        f.source_ips,
        f.regions,
    ] = distinct;
    f.span_secs = match (f.first, f.last) {
        (Some(a), Some(b)) => (b - a) as f64 / 1000.0,
        _ => 0.0,
    };
    f.rate_per_active_minute = f.events as f64 / f.active_minutes.max(1) as f64;
    f.failure_rate = f.failures as f64 / n;
    f.access_denied_share = f.access_denied as f64 / n;
    if timed > 0 {
        f.hour_sin = sin / timed as f64;
        f.hour_cos = cos / timed as f64;
        f.off_hours_share = off as f64 / timed as f64;
    }
    f.read_only_share = read as f64 / n;
    f.exclusive_ips = excl_ip;
    f.exclusive_user_agents = excl_ua;
    f
}

/// Counts, per value of `codes`, how many groups use it.
fn users_per_value(groups: &Groups, codes: &[u32], card: usize) -> Vec<u32> {
    let mut users = vec![0u32; card];
    let mut stamp = vec![u32::MAX; card];
    for g in 0..groups.len() {
        for &r in groups.get(g) {
            let c = codes[r as usize];
            if c != NULL && stamp[c as usize] != g as u32 {
                stamp[c as usize] = g as u32;
                users[c as usize] += 1;
            }
        }
    }
    users
}

/// Whole-log and per-window features for every entity.
pub fn compute(cols: &Columns<'_>, opts: &FeatureOptions) -> FeatureTable {
    let entity_dict = cols.by_idx(opts.kind.column());
    let mut names: Vec<String> = entity_dict.values().to_vec();
    names.push(opts.kind.missing_name().to_owned());
    compute_groups(cols, opts, Groups::by_code(entity_dict), names)
}

/// Whole-log and per-window features for arbitrary row groups (`names[g]` names group `g`).
pub fn compute_groups(
    cols: &Columns<'_>,
    opts: &FeatureOptions,
    groups: Groups,
    names_out: Vec<String>,
) -> FeatureTable {
    let window_ms = opts.window_secs.max(1) * 1000;
    let names = cols.by_idx(s::EVENT_NAME);
    let dicts = [
        cols.by_idx(s::EVENT_SOURCE),
        names,
        cols.by_idx(s::USER_AGENT),
        cols.by_idx(s::SOURCE_IP),
        cols.by_idx(s::AWS_REGION),
    ];
    let cards = dicts.map(Dict::cardinality);
    let ua = dicts[2].codes();
    let ip = dicts[3].codes();
    let ctx = Ctx {
        times: cols.times(),
        name: names.codes(),
        source: dicts[0].codes(),
        ua,
        ip,
        region: dicts[4].codes(),
        error: cols.by_idx(s::ERROR_CODE).codes(),
        read_only: &cols.read_only,
        bytes: &cols.bytes_out,
        name_flags: names.table(|n| {
            let mut f = 0;
            if n == "GetObject" {
                f |= GET_OBJECT;
            }
            if apis::is_sensitive(n) {
                f |= SENSITIVE;
            }
            if apis::looks_read_only(n) {
                f |= READ_NAME;
            }
            f
        }),
        denied: cols.by_idx(s::ERROR_CODE).table(apis::is_access_denied),
        hours: (
            f64::from(opts.business_hours.0),
            f64::from(opts.business_hours.1),
        ),
        cards,
        ip_users: users_per_value(&groups, ip, cards[3]),
        ua_users: users_per_value(&groups, ua, cards[2]),
        ip_ok: dicts[3].table(apis::is_ip_address),
        ua_ok: dicts[2].table(|v| !apis::is_aws_service_agent(v)),
    };
    let per_entity: Vec<(Features, Vec<Window>)> = (0..groups.len())
        .into_par_iter()
        .map_init(
            || Scratch::new(ctx.cards),
            |sc, g| entity_features(g as u32, groups.get(g), &ctx, sc, window_ms),
        )
        .collect();
    let mut entities = Vec::with_capacity(per_entity.len());
    let mut windows = Vec::new();
    let mut entity_windows = Vec::with_capacity(per_entity.len());
    for (f, ws) in per_entity {
        let a = windows.len() as u32;
        windows.extend(ws);
        entity_windows.push((a, windows.len() as u32));
        entities.push(f);
    }
    FeatureTable {
        kind: opts.kind,
        window_ms,
        names: names_out,
        groups,
        entities,
        windows,
        entity_windows,
    }
}

fn entity_features(
    g: u32,
    rows: &[u32],
    ctx: &Ctx<'_>,
    sc: &mut Scratch,
    window_ms: i64,
) -> (Features, Vec<Window>) {
    let whole = summarise(rows, ctx, sc, Scope::Entity);
    // Windows: rows are time-sorted with unparsed times last, so each window is one run.
    let mut spans: Vec<(i64, u32, u32)> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let Some(t) = ctx.time(rows[i] as usize) else {
            break;
        };
        let key = t.div_euclid(window_ms);
        let mut j = i + 1;
        while j < rows.len()
            && ctx.time(rows[j] as usize).map(|t| t.div_euclid(window_ms)) == Some(key)
        {
            j += 1;
        }
        spans.push((key * window_ms, i as u32, j as u32));
        i = j;
    }
    let history_start = spans
        .first()
        .map_or(0, |_| ctx.time(rows[0] as usize).unwrap_or(0));
    let windows = spans
        .into_iter()
        .enumerate()
        .map(|(i, (start, lo, hi))| Window {
            entity: g,
            start,
            lo,
            hi,
            features: summarise(
                &rows[lo as usize..hi as usize],
                ctx,
                sc,
                Scope::Window {
                    first: i == 0 || start - history_start < NOVELTY_BASELINE_SECS * 1000,
                },
            ),
        })
        .collect();
    for i in sc.touched_ip.drain(..) {
        sc.seen_ip[i as usize] = false;
    }
    for u in sc.touched_ua.drain(..) {
        sc.seen_ua[u as usize] = false;
    }
    (whole, windows)
}
