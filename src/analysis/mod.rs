//! Analysis over the event store: S3 classification, per-principal features, a seeded isolation
//! forest with explanations, rules, composite risk and a region summary, behind one entry point,
//! [`analyze`], whose result is plain serialisable data for the CLI, the exports and the TUI.
//!
//! Pivots from the result to events (row ids into the store): a principal's rows are
//! [`Analysis::entity_rows`]`(report.entity)`, a window's [`Analysis::window_rows`]`(report.window)`,
//! a finding's `finding.rows`, S3 data and management events `s3.data_rows` / `s3.management_rows`,
//! a permission change `s3.exposure_changes[i].row`. [`Analysis::event_risk`] colours a timeline and
//! [`Analysis::event_reasons`] says why. Every string that came from a log (principals, addresses,
//! user agents, bucket names, and the reason sentences that quote them) must be sanitised before it
//! is drawn (`crate::text::sanitize`).
pub mod agent;
pub mod apis;
pub mod catalog;
pub mod chains;
pub mod columns;
pub mod concurrent;
pub mod credentials;
pub mod evidence;
pub mod explain;
pub mod exposure;
pub mod features;
pub mod forest;
pub mod grain;
pub mod humanize;
pub mod level;
pub mod ranking;
pub mod regions;
pub mod render;
pub mod risk;
pub mod rng;
pub mod rules;
pub mod s3;
pub mod scaling;
pub mod timefmt;

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::schema::s;
use crate::model::store::EventStore;
use columns::Columns;
use credentials::CredentialReport;
use evidence::Evidence;
use explain::{Explainer, Reason, Subject};
use features::{EntityKind, FeatureOptions, FeatureTable, Features, Groups, NF, Window};
use forest::ForestParams;
pub use level::{Level, LevelCounts};
pub use ranking::{Confidence, Suspect};
use regions::RegionSummary;
use rules::Rule;
use rules::findings::{Finding, RuleSummary};
use rules::matcher::Cidr;
use s3::S3Summary;
use scaling::{Robust, Scaler};

/// Settings of one analysis.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Group by principal or by source IP.
    pub entity: EntityKind,
    /// Length of the fixed feature windows (seconds).
    pub window_secs: i64,
    /// Business hours in UTC, `[start, end)`.
    pub business_hours: (u8, u8),
    pub forest: ForestParams,
    /// The analyst's own address ranges (CIDR): not "public" for the rules.
    pub known_cidrs: Vec<String>,
    pub builtin_rules: bool,
    /// More rule files: (name, TOML text).
    pub extra_rules: Vec<(String, String)>,
    /// Sigma rules, run after ours; their hits become findings like ours.
    pub sigma: Option<Arc<crate::sigma::SigmaRules>>,
    /// How many of the most anomalous windows to report.
    pub top_windows: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            entity: EntityKind::Principal,
            window_secs: 3600,
            business_hours: (7, 19),
            forest: ForestParams::default(),
            known_cidrs: Vec::new(),
            builtin_rules: true,
            extra_rules: Vec::new(),
            sigma: None,
            top_windows: 25,
        }
    }
}

/// How the scores were made, so a reader can reproduce them.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub entity: EntityKind,
    pub entities: usize,
    pub windows: usize,
    pub window_secs: i64,
    pub trees: usize,
    pub sample_size: usize,
    pub extension_level: usize,
    pub seed: u64,
    pub features: Vec<&'static str>,
    /// Score from which a principal is anomalous (at least Low).
    pub anomalous: f64,
    /// Score from which an anomaly alone makes a principal Medium and marks a window's events.
    pub strong: f64,
    /// Why a model is missing, when it is.
    pub notes: Vec<String>,
}

/// One ranked principal (or source IP, when grouping by address).
#[derive(Debug, Clone, Serialize)]
pub struct PrincipalReport {
    pub rank: usize,
    pub principal: String,
    /// The higher of the whole-log score and the best window score (0..1, above 0.5 = unusual);
    /// `None` when there were too few to model.
    pub score: Option<f64>,
    pub principal_score: Option<f64>,
    pub window_score: Option<f64>,
    /// Start of the most anomalous window.
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub top_window: Option<i64>,
    pub risk: Level,
    pub risk_reasons: Vec<String>,
    /// What sets it apart, strongest first.
    pub reasons: Vec<Reason>,
    /// Rules that fired on its events: (rule id, events).
    pub rules: Vec<(String, usize)>,
    /// Highest level of its evidence of compromise (credential misuse, chains), if any.
    pub compromise: Option<Level>,
    /// That evidence in sentences, strongest first.
    pub evidence: Vec<String>,
    pub features: Features,
    #[serde(skip)]
    pub compromise_key: ranking::EvidenceKey,
    /// Highest level of the rules that fired on its events.
    #[serde(skip)]
    pub rule_level: Option<Level>,
    /// Index into the feature table's groups (its rows: `Analysis::entity_rows`).
    #[serde(skip)]
    pub entity: u32,
}

/// One of the most anomalous windows.
#[derive(Debug, Clone, Serialize)]
pub struct WindowReport {
    pub principal: String,
    #[serde(serialize_with = "timefmt::ser")]
    pub start: i64,
    #[serde(serialize_with = "timefmt::ser")]
    pub end: i64,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub features: Features,
    #[serde(skip)]
    pub entity: u32,
    /// Index into the feature table's windows.
    #[serde(skip)]
    pub window: u32,
}

/// Everything the analysis found.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub events: usize,
    pub model: ModelInfo,
    /// Ranked, most anomalous first.
    pub principals: Vec<PrincipalReport>,
    pub windows: Vec<WindowReport>,
    /// Grouped by rule and principal; highest level first.
    pub findings: Vec<Finding>,
    pub rules: Vec<RuleSummary>,
    pub s3: S3Summary,
    /// Each bucket's exposure at the end of the log, replayed from its permission changes.
    pub exposure: Vec<exposure::BucketExposure>,
    pub regions: RegionSummary,
    /// Compute credentials followed through the log, and credentials with misuse.
    pub credentials: CredentialReport,
    /// Evidence of compromise (credential misuse, escalation chains…), highest level first; each
    /// is also among `findings` under its kind's id.
    pub evidence: Vec<Evidence>,
    /// The principal the analysis suggests as SUSPECT, with a confidence and its reasons.
    pub suspect: Option<Suspect>,
    /// Events per risk level.
    pub event_risk_counts: LevelCounts,
    /// Risk per event (row id), for colouring a timeline.
    #[serde(skip)]
    pub event_risk: Vec<Option<Level>>,
    /// Features and row groups behind the reports.
    #[serde(skip)]
    pub table: FeatureTable,
    /// Score of every window of `table.windows` (0 when there was no window model).
    #[serde(skip)]
    pub window_scores: Vec<f64>,
}

impl Analysis {
    /// Row ids of a report's principal.
    pub fn entity_rows(&self, entity: u32) -> &[u32] {
        self.table.groups.get(entity as usize)
    }

    /// Row ids of a reported window.
    pub fn window_rows(&self, window: u32) -> &[u32] {
        match self.table.windows.get(window as usize) {
            Some(w) => self.table.window_rows(w),
            None => &[],
        }
    }

    /// The window (index into `table.windows`) an event belongs to.
    pub fn window_of_row(&self, row: u32) -> Option<usize> {
        let t = self.table.groups.offsets.windows(2).position(|o| {
            self.table.groups.rows[o[0] as usize..o[1] as usize]
                .binary_search(&row)
                .is_ok()
        })?;
        let rows = self.table.groups.get(t);
        let pos = rows.binary_search(&row).ok()? as u32;
        let (a, b) = *self.table.entity_windows.get(t)?;
        (a..b)
            .find(|&i| {
                let w = &self.table.windows[i as usize];
                w.lo <= pos && pos < w.hi
            })
            .map(|i| i as usize)
    }

    /// Why an event has its risk level: the findings that include it and, when its window is
    /// strongly anomalous, the window's score.
    pub fn event_reasons(&self, row: u32) -> Vec<String> {
        let mut out: Vec<String> = self
            .findings
            .iter()
            .filter(|f| f.rows.binary_search(&row).is_ok())
            .map(|f| format!("{} ({})", f.title, f.level))
            .collect();
        if let Some(w) = self.window_of_row(row)
            && let Some(&score) = self.window_scores.get(w)
            && score >= risk::STRONG
        {
            out.push(format!("in a strongly anomalous window (score {score:.2})"));
        }
        out
    }
}

/// Loads the rules the options ask for.
pub fn load_rules(opts: &AnalysisOptions) -> Result<Vec<Rule>> {
    let known = known_ranges(opts)?;
    let mut all = if opts.builtin_rules {
        rules::builtin(&known)?
    } else {
        Vec::new()
    };
    for (name, text) in &opts.extra_rules {
        all.extend(rules::parse_rules(text, name, &known)?);
    }
    if let Some(sigma) = &opts.sigma {
        all.extend(sigma.as_rules());
    }
    rules::check_unique(&all)?;
    Ok(all)
}

fn known_ranges(opts: &AnalysisOptions) -> Result<Arc<[Cidr]>> {
    opts.known_cidrs
        .iter()
        .map(|c| Cidr::parse(c))
        .collect::<Result<Vec<_>>>()
        .map(Arc::from)
}

fn round(x: f64, digits: i32) -> f64 {
    let m = 10f64.powi(digits);
    (x * m).round() / m
}

/// Scales the points robustly, trains a seeded forest and scores them. `None` scores when there
/// are too few points.
fn model_scores(
    points: &[[f64; NF]],
    params: &ForestParams,
) -> Result<(Scaler<NF>, Option<Vec<f64>>)> {
    let scaler = Scaler::fit(points);
    let scaled: Vec<[f64; NF]> = points.iter().map(|p| scaler.transform(p)).collect();
    let scores = forest::train(&scaled, params)?.map(|f| forest::score_all(&f, &scaled));
    Ok((scaler, scores))
}

/// Runs the whole analysis.
pub fn analyze(store: &EventStore, opts: &AnalysisOptions) -> Result<Analysis> {
    if opts.window_secs <= 0 {
        return Err(Error::Invalid("window length must be positive".to_owned()));
    }
    if opts.business_hours.0 >= opts.business_hours.1 || opts.business_hours.1 > 24 {
        return Err(Error::Invalid(
            "business hours must satisfy start < end <= 24".to_owned(),
        ));
    }
    let known = known_ranges(opts)?;
    let rules = load_rules(opts)?;
    let mut extra: Vec<&'static str> = rules.iter().flat_map(Rule::columns).collect();
    extra.extend(
        // Event ids are read per cited row from the store (decoding a million distinct ids
        // into a dictionary would cost more than the rest of the evidence pass).
        [s::ACCESS_KEY_ID, s::USER_NAME].map(columns::col),
    );
    extra.sort_unstable();
    extra.dedup();
    let cols = Columns::build(store, &extra);
    let n = cols.n;

    let s3 = s3::summarize(&cols);
    let exposure = exposure::from_store(store, &s3.exposure_changes);
    let table = features::compute(
        &cols,
        &FeatureOptions {
            kind: opts.entity,
            window_secs: opts.window_secs,
            business_hours: opts.business_hours,
        },
    );
    let ent_points: Vec<[f64; NF]> = table.entities.iter().map(Features::vector).collect();
    let win_points: Vec<[f64; NF]> = table.windows.iter().map(|w| w.features.vector()).collect();
    let (ent_scaler, mut ent_scores) = model_scores(&ent_points, &opts.forest)?;
    let win_params = ForestParams {
        seed: opts.forest.seed ^ 0x5757_5757,
        ..opts.forest
    };
    let (win_scaler, win_scores) = model_scores(&win_points, &win_params)?;
    let mut notes = Vec::new();
    if ent_scores.is_none() && opts.entity == EntityKind::Principal {
        // Too few principals: score their principal × network × client contexts and give each
        // principal its most anomalous context's score.
        let ctx = grain::contexts(
            &cols,
            &FeatureOptions {
                kind: opts.entity,
                window_secs: opts.window_secs,
                business_hours: opts.business_hours,
            },
        );
        let live: Vec<usize> = (0..ctx.table.entities.len())
            .filter(|&i| ctx.table.entities[i].events > 0)
            .collect();
        let pts: Vec<[f64; NF]> = live
            .iter()
            .map(|&i| ctx.table.entities[i].vector())
            .collect();
        if let (_, Some(sc)) = model_scores(&pts, &opts.forest)? {
            let mut best = vec![None::<f64>; ent_points.len()];
            for (&i, v) in live.iter().zip(sc) {
                if let Some(slot) = ctx.owner.get(i).and_then(|&o| best.get_mut(o as usize)) {
                    *slot = Some(slot.map_or(v, |b| b.max(v)));
                }
            }
            ent_scores = Some(best.into_iter().map(|b| b.unwrap_or(0.5)).collect());
            notes.push(format!(
                "{} {}(s): too few for the isolation forest (needs {}); scored their {} principal × network × client contexts instead (each principal takes its most anomalous context)",
                table.entities.len(),
                entity_word(opts.entity),
                forest::MIN_POINTS,
                pts.len()
            ));
        }
    }
    if ent_scores.is_none() {
        // Robust statistics over the entities that have events (the no-identity group may be
        // empty); empty ones read as typical.
        let live: Vec<usize> = (0..ent_points.len())
            .filter(|&i| table.entities[i].events > 0)
            .collect();
        let pts: Vec<[f64; NF]> = live.iter().map(|&i| ent_points[i]).collect();
        ent_scores = ranking::robust_scores(&pts).map(|sc| {
            let mut all = vec![0.5; ent_points.len()];
            for (&i, v) in live.iter().zip(sc) {
                all[i] = v;
            }
            all
        });
        notes.push(format!(
            "{} {}(s): too few for the isolation forest (needs {}); {}",
            table.entities.len(),
            entity_word(opts.entity),
            forest::MIN_POINTS,
            if ent_scores.is_some() {
                "scored by robust z-scores against the others instead"
            } else {
                "too few even for robust statistics (needs 3): no anomaly score"
            }
        ));
    }
    if win_scores.is_none() {
        notes.push(format!(
            "{} window(s): too few for the window model (needs {})",
            table.windows.len(),
            forest::MIN_POINTS
        ));
    }

    let by_name = Groups::by_code(cols.by_idx(s::EVENT_NAME));
    // Sigma rules come last in the list and bring their own hits.
    let native = rules.len() - opts.sigma.as_ref().map_or(0, |s| s.len());
    let mut hits = rules::engine::run(
        &rules[..native],
        &rules::engine::RunContext {
            cols: &cols,
            by_name: &by_name,
            known: &known,
        },
    );
    if let Some(sigma) = &opts.sigma {
        for mut h in sigma.hits(store, native) {
            h.failed = h
                .rows
                .iter()
                .copied()
                .filter(|&r| rules::engine::call_failed(&cols, r as usize))
                .collect();
            hits.push(h);
        }
    }
    let (mut findings, rule_summaries) = rules::findings::group(&rules, &hits, &cols);
    let zero = vec![0.0; table.windows.len()];
    let wscores: &[f64] = win_scores.as_deref().unwrap_or(&zero);
    let mut event_risk = risk::event_levels(n, &rules, &hits, &table, wscores);

    // Evidence of compromise: credential misuse and chains.
    let mut credentials = credentials::analyze(&cols);
    let mut evidence = std::mem::take(&mut credentials.evidence);
    evidence.extend(chains::analyze(&cols));
    evidence.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| b.kind.weight().cmp(&a.kind.weight()))
            .then_with(|| a.principal.cmp(&b.principal))
    });
    for e in &evidence {
        for &r in &e.rows {
            if let Some(slot) = event_risk.get_mut(r as usize) {
                *slot = (*slot).max(Some(e.level));
            }
        }
        findings.push(e.finding(&cols));
    }
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.principal.cmp(&b.principal))
    });
    let mut evidence_of: FxHashMap<&str, Vec<&Evidence>> = FxHashMap::default();
    for e in &evidence {
        evidence_of.entry(e.principal.as_str()).or_default().push(e);
    }
    let per_entity_hits = risk::hits_per_entity(&table, &hits, n);

    let explainer = Explainer::new(&cols, &table);
    let mut self_stats: FxHashMap<(u32, u32), [Robust; NF]> = FxHashMap::default();
    let mut window_reasons = |w_idx: usize, w: &Window| -> Vec<Reason> {
        // A window is compared with the entity's other windows when it has enough of them, and
        // with the population of windows otherwise.
        let (a, b) = table.entity_windows[w.entity as usize];
        if b - a >= 4 {
            let stats = self_stats
                .entry((w.entity, w_idx as u32))
                .or_insert_with(|| {
                    std::array::from_fn(|k| {
                        let others: Vec<f64> = (a..b)
                            .filter(|&i| i as usize != w_idx)
                            .map(|i| win_points[i as usize][k])
                            .collect();
                        Robust::fit(&others)
                    })
                });
            explainer.reasons(&Subject::Window(w), stats, "its usual")
        } else {
            explainer.reasons(&Subject::Window(w), &win_scaler.stats, "median")
        }
    };

    let mut principals = Vec::with_capacity(table.entities.len());
    for e in 0..table.entities.len() {
        let (a, b) = table.entity_windows[e];
        // The entity's windows by score, best first (ties: earlier first).
        let mut ws: Vec<usize> = (a as usize..b as usize).collect();
        ws.sort_by(|&x, &y| wscores[y].total_cmp(&wscores[x]).then_with(|| x.cmp(&y)));
        let best = ws.first().copied();
        let window_score = win_scores.as_ref().and_then(|_| best.map(|i| wscores[i]));
        let principal_score = ent_scores.as_ref().map(|s| s[e]);
        let score = match (principal_score, window_score) {
            (Some(p), Some(w)) => Some(p.max(w)),
            (p, w) => p.or(w),
        };
        let mut reasons: Vec<Reason> = Vec::new();
        for &i in ws.iter().take(3) {
            if win_scores.is_none() || wscores[i] < risk::ANOMALOUS {
                break;
            }
            let w = &table.windows[i];
            let label = format!(
                "{} from {}",
                explain::window_word(table.window_ms),
                timefmt::show(Some(w.start))
            );
            for mut r in window_reasons(i, w) {
                if !same_theme(&reasons, &r) {
                    r.text = format!("{label}: {}", r.text);
                    reasons.push(r);
                }
            }
        }
        for r in explainer.reasons(&Subject::Entity(e), &ent_scaler.stats, "median") {
            if !same_theme(&reasons, &r) {
                reasons.push(r);
            }
        }
        // "Closest" reasons only where there is something to explain.
        if score.is_none_or(|s| s < risk::ANOMALOUS) {
            reasons.retain(|r| r.kind == explain::ReasonKind::Outlier);
        } else if reasons
            .iter()
            .any(|r| r.kind == explain::ReasonKind::Outlier)
        {
            reasons.retain(|r| r.kind == explain::ReasonKind::Outlier);
        }
        let f = &table.entities[e];
        let (mut risk_level, mut risk_reasons) = risk::entity_risk(
            &rules,
            &per_entity_hits[e],
            score,
            reasons.first().map(|r| r.text.as_str()),
            f,
        );
        let rule_level = per_entity_hits[e]
            .iter()
            .filter_map(|h| rules.get(h.rule).map(|r| h.titled(r).1))
            .max();
        let ev: &[&Evidence] = evidence_of
            .get(table.names[e].as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let compromise_key = ranking::evidence_key(ev);
        let ev_texts: Vec<String> = ev
            .iter()
            .map(|x| format!("{} ({}): {}", x.title, x.level, x.text))
            .collect();
        if let Some(l) = compromise_key.level {
            if rule_level.is_none() && score.is_none_or(|s| s < risk::ANOMALOUS) {
                risk_reasons.clear();
            }
            risk_reasons.splice(0..0, ev_texts.iter().cloned());
            risk_level = risk_level.max(l);
        } else if !ev_texts.is_empty() {
            // Only context (Low evidence): listed after the rules' and the model's reasons.
            if rule_level.is_none() && score.is_none_or(|s| s < risk::ANOMALOUS) {
                risk_reasons.clear();
            }
            risk_reasons.extend(ev_texts.iter().cloned());
        }
        // Events without an identity are many sessions lumped together, not one actor: their
        // findings keep their level, the lump is not ranked as a Critical actor.
        if e == table.entities.len() - 1
            && opts.entity == EntityKind::Principal
            && risk_level > Level::High
        {
            risk_level = Level::High;
            risk_reasons.push(
                "records without an identity are many sessions, not one actor: capped at High"
                    .to_owned(),
            );
        }
        principals.push(PrincipalReport {
            rank: 0,
            principal: table.names[e].clone(),
            score: score.map(|s| round(s, 4)),
            principal_score: principal_score.map(|s| round(s, 4)),
            window_score: window_score.map(|s| round(s, 4)),
            top_window: best.map(|i| table.windows[i].start),
            risk: risk_level,
            risk_reasons,
            reasons,
            rules: per_entity_hits[e]
                .iter()
                .filter_map(|h| rules.get(h.rule).map(|r| (r.id.clone(), h.count)))
                .collect(),
            compromise: compromise_key.level,
            evidence: ev_texts,
            features: f.clone(),
            compromise_key,
            rule_level,
            entity: e as u32,
        });
    }
    principals.retain(|p| p.features.events > 0);
    principals.sort_by(ranking::order);
    for (i, p) in principals.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    let suspect = ranking::suggest(&principals);

    let mut windows = Vec::new();
    if win_scores.is_some() {
        let mut order: Vec<usize> = (0..table.windows.len()).collect();
        order.sort_by(|&x, &y| {
            wscores[y]
                .total_cmp(&wscores[x])
                .then_with(|| {
                    table.names[table.windows[x].entity as usize]
                        .cmp(&table.names[table.windows[y].entity as usize])
                })
                .then_with(|| table.windows[x].start.cmp(&table.windows[y].start))
        });
        for &i in order.iter().take(opts.top_windows) {
            let w = &table.windows[i];
            windows.push(WindowReport {
                principal: table.names[w.entity as usize].clone(),
                start: w.start,
                end: w.start + table.window_ms,
                score: round(wscores[i], 4),
                reasons: {
                    let mut r = window_reasons(i, w);
                    if wscores[i] < risk::ANOMALOUS {
                        r.retain(|r| r.kind == explain::ReasonKind::Outlier);
                    }
                    r
                },
                features: w.features.clone(),
                entity: w.entity,
                window: i as u32,
            });
        }
    }

    let regions = if opts.entity == EntityKind::Principal {
        regions::summarize(&cols, &table.groups, &event_risk)
    } else {
        let groups = Groups::by_code(cols.by_idx(s::PRINCIPAL));
        regions::summarize(&cols, &groups, &event_risk)
    };
    let ext = opts.forest.extension_level.unwrap_or(NF - 1).min(NF - 1);
    let model = ModelInfo {
        entity: opts.entity,
        entities: table.entities.len(),
        windows: table.windows.len(),
        window_secs: opts.window_secs,
        trees: opts.forest.trees,
        sample_size: opts.forest.sample_size,
        extension_level: ext,
        seed: opts.forest.seed,
        features: features::FEATURE_NAMES.to_vec(),
        anomalous: risk::ANOMALOUS,
        strong: risk::STRONG,
        notes,
    };
    Ok(Analysis {
        events: n,
        model,
        principals,
        windows,
        findings,
        rules: rule_summaries,
        s3,
        exposure,
        regions,
        credentials,
        evidence,
        suspect,
        event_risk_counts: LevelCounts::from_levels(&event_risk),
        event_risk,
        table,
        window_scores: wscores.to_vec(),
    })
}

/// Whether a reason of the same theme is already listed (the most anomalous window's comes first).
fn same_theme(list: &[Reason], r: &Reason) -> bool {
    let t = explain::theme_of(&r.feature);
    list.iter().any(|x| explain::theme_of(&x.feature) == t)
}

fn entity_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Principal => "principal",
        EntityKind::SourceIp => "source IP",
    }
}
