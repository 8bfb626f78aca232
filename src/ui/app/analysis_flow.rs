//! The behaviour analysis in the app: the background job started after the load, and the pivots
//! and orderings of the analysis tabs (Principals, Anomalies, Findings).
use std::sync::Arc;

use super::effects::{AnalysisRequest, Effect};
use super::{App, Tab};
use strum::EnumIter;

use crate::analysis::{Analysis, Level};
use crate::export::charts::{self, Series};
use crate::model::query::{Field, Filter, Op, Query};
use crate::playbook::health::{self, Health};
use crate::ui::jobs::{JobKind, JobResult};
use crate::ui::view::View;
use crate::ui::widgets::text;

/// The Findings tab's level filter: everything, or at least this level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, EnumIter)]
pub enum LevelFilter {
    #[default]
    All,
    Low,
    Medium,
    High,
    Critical,
}

impl LevelFilter {
    /// The lowest level shown (`None`: all).
    pub fn min(self) -> Option<Level> {
        match self {
            LevelFilter::All => None,
            LevelFilter::Low => Some(Level::Low),
            LevelFilter::Medium => Some(Level::Medium),
            LevelFilter::High => Some(Level::High),
            LevelFilter::Critical => Some(Level::Critical),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LevelFilter::All => "All",
            LevelFilter::Low => "Low+",
            LevelFilter::Medium => "Medium+",
            LevelFilter::High => "High+",
            LevelFilter::Critical => "Critical",
        }
    }

    /// The next filter, from All up to Critical and round again.
    pub fn next(self) -> LevelFilter {
        match self {
            LevelFilter::All => LevelFilter::Low,
            LevelFilter::Low => LevelFilter::Medium,
            LevelFilter::Medium => LevelFilter::High,
            LevelFilter::High => LevelFilter::Critical,
            LevelFilter::Critical => LevelFilter::All,
        }
    }
}

/// The filter's label (the Findings tab's title shows it).
pub fn level_filter_label(f: LevelFilter) -> &'static str {
    f.label()
}

/// What the analysis job hands back: the analysis and the logging health (both read the whole
/// store, so both run off the UI thread).
pub struct AnalysisDone {
    pub analysis: Analysis,
    pub health: Result<Health, String>,
    pub charts: ChartSet,
}

/// The analysis tabs' charts, computed once with the analysis (they read the whole store).
#[derive(Debug, Clone)]
pub struct ChartSet {
    pub top_events: Series,
    pub regions: Series,
    pub top_ips: Series,
}

impl ChartSet {
    /// Long enough for a 40-row screen.
    const N: usize = 10;

    pub fn new(store: &crate::model::store::EventStore, a: &Analysis) -> ChartSet {
        ChartSet {
            top_events: charts::top_events_by_risk(store, &a.event_risk, Self::N),
            regions: charts::flagged_share_by_region(&a.regions, Self::N),
            top_ips: charts::top_source_ips(store, &a.event_risk, Self::N),
        }
    }
}

/// The Principals tab's sort columns, cycled with a key. Every order ends with the principal's
/// name so equal values keep a stable order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrincipalSort {
    #[default]
    Events,
    Risk,
    Errors,
    S3,
    Ips,
    Name,
}

impl PrincipalSort {
    pub fn next(self) -> PrincipalSort {
        match self {
            PrincipalSort::Events => PrincipalSort::Risk,
            PrincipalSort::Risk => PrincipalSort::Errors,
            PrincipalSort::Errors => PrincipalSort::S3,
            PrincipalSort::S3 => PrincipalSort::Ips,
            PrincipalSort::Ips => PrincipalSort::Name,
            PrincipalSort::Name => PrincipalSort::Events,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PrincipalSort::Events => "events",
            PrincipalSort::Risk => "risk rank",
            PrincipalSort::Errors => "errors",
            PrincipalSort::S3 => "GetObject",
            PrincipalSort::Ips => "source IPs",
            PrincipalSort::Name => "name",
        }
    }
}

/// The anomaly standings the playbook needs, from the analysis' ranking.
/// The playbook's view of the ranking (shared with the headless report).
pub use crate::investigation::standings;

/// The analysis job: the analysis, the logging health and the charts over the loaded store.
pub(super) fn run(r: AnalysisRequest) -> JobResult {
    let AnalysisRequest { inv, opts } = r;
    let analysis = crate::analysis::analyze(&inv.store, &opts);
    JobResult::Analyzed(Box::new(analysis.map_err(|e| e.to_string()).map(
        |analysis| {
            let health = health::check(&inv.store, &inv.report, health::DEFAULT_SILENCE_MINUTES)
                .map_err(|e| e.to_string());
            let charts = ChartSet::new(&inv.store, &analysis);
            AnalysisDone {
                analysis,
                health,
                charts,
            }
        },
    )))
}

impl App {
    /// Runs the behaviour analysis in the background now (tests; the app starts it after the
    /// load by itself).
    pub fn start_analysis(&mut self) {
        self.request_analysis();
        let fx = self.take_effects();
        self.run_effects(fx);
    }

    /// Asks for the behaviour analysis of the loaded store.
    pub(super) fn request_analysis(&mut self) {
        let Some(s) = self.workspace() else { return };
        let r = AnalysisRequest {
            inv: Arc::clone(&s.inv),
            opts: self.analysis_options.clone(),
        };
        self.effect(Effect::StartAnalysis(r));
        self.busy_start(JobKind::Analysis, "analysing".to_owned());
    }

    pub(super) fn analysis_done(&mut self, res: Result<AnalysisDone, String>) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        match res {
            Ok(done) => {
                let n = done.analysis.principals.len();
                let f = done.analysis.findings.len();
                s.analysis = Some(Arc::new(done.analysis));
                s.charts = Some(done.charts);
                s.health = Some(done.health);
                s.sort_principals();
                // The load's message stays until the next command; this one only fills a gap.
                if self.message.is_none() {
                    self.info(format!(
                        "analysis: {} principal(s) ranked, {} finding(s)",
                        text::thousands(n),
                        text::thousands(f)
                    ));
                }
                self.refresh_casework();
            }
            Err(e) => {
                s.analysis_error = Some(e.clone());
                self.error(format!("analysis failed: {e}"));
                self.refresh_casework();
            }
        }
    }

    pub(super) fn cycle_sort(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.principals.sort = s.principals.sort.next();
        s.sort_principals();
        let label = s.principals.sort.label();
        self.info(format!("principals sorted by {label}"));
    }

    pub(super) fn cycle_level(&mut self) {
        let Some(s) = self.workspace_mut() else {
            return;
        };
        s.findings.level = s.findings.level.next();
        s.findings.nav.select(0, s.visible_findings().len());
        let label = s.findings.level.label();
        self.info(format!("findings: {label}"));
    }

    /// The principal under the cursor on the current tab (for pins and pivots).
    pub fn selected_principal(&self) -> Option<String> {
        let s = self.workspace()?;
        match self.tab {
            Tab::Timeline => {
                let row = s.selected_row()?;
                s.inv.cols.principal.get(row as usize).map(str::to_owned)
            }
            Tab::Principals => s.selected_principal_report().map(|p| p.principal.clone()),
            Tab::Anomalies => s
                .analysis
                .as_ref()?
                .principals
                .get(s.anomalies.selected)
                .map(|p| p.principal.clone()),
            Tab::Findings => s
                .visible_findings()
                .get(s.findings.nav.selected)
                .map(|f| f.principal.clone()),
            _ => None,
        }
    }

    /// Enter on the analysis tabs: a principal's (Anomalies: its flagged window's) or a
    /// finding's events in the timeline, as the only filter (these tabs count the whole log).
    pub(super) fn analysis_pivot(&mut self) -> bool {
        match self.tab {
            Tab::Principals => {
                let Some(s) = self.workspace_mut() else {
                    return true;
                };
                if !s.principals.drill {
                    s.principals.drill = s.principals.selected().is_some();
                    return true;
                }
                s.principals.drill = false;
                let Some(p) = s.selected_principal_report() else {
                    return true;
                };
                let (entity, name) = (p.entity, p.principal.clone());
                self.open_entity(entity, &name, None);
                true
            }
            Tab::Anomalies => {
                let Some(s) = self.workspace() else {
                    return true;
                };
                let Some(a) = s.analysis.as_ref() else {
                    return true;
                };
                let Some(p) = a.principals.get(s.anomalies.selected) else {
                    return true;
                };
                let window = p
                    .top_window
                    .map(|t| (t, t + a.model.window_secs.max(1) * 1000));
                let (entity, name) = (p.entity, p.principal.clone());
                self.open_entity(entity, &name, window);
                true
            }
            Tab::Findings => {
                let Some(s) = self.workspace() else {
                    return true;
                };
                let Some(f) = s.visible_findings().get(s.findings.nav.selected).copied() else {
                    return true;
                };
                let label = format!("finding {} {}", f.rule_id, short(&f.principal));
                let rows = f.rows.clone();
                self.open_evidence_rows(label, rows);
                true
            }
            _ => false,
        }
    }

    /// An analysed principal's events, or those in `window` [start, end): as a query when the
    /// principal has a name, else (events without one) as the analysis' rows.
    fn open_entity(&mut self, entity: u32, name: &str, window: Option<(i64, i64)>) {
        let Some(a) = self.workspace().and_then(|s| s.analysis.clone()) else {
            return;
        };
        let named = a
            .principals
            .iter()
            .any(|p| p.entity == entity && p.principal == name)
            && name != crate::analysis::features::EntityKind::Principal.missing_name();
        let range = window.map(|(from, to)| {
            Filter::all([
                Filter::cmp(Field::Time, Op::Ge, crate::ingest::time::format_ms(from)),
                Filter::cmp(Field::Time, Op::Lt, crate::ingest::time::format_ms(to)),
            ])
        });
        if named {
            let user = Filter::is(Field::User, name);
            self.open_evidence_filter(match range {
                Some(r) => user.and(r),
                None => user,
            });
            return;
        }
        let Some(s) = self.workspace() else { return };
        let rows: Vec<u32> = a
            .entity_rows(entity)
            .iter()
            .copied()
            .filter(|&r| match window {
                Some((from, to)) => s
                    .inv
                    .store
                    .time_at(r as usize)
                    .is_some_and(|t| t >= from && t < to),
                None => true,
            })
            .collect();
        let label = match range {
            Some(r) => format!("{name} {r}"),
            None => name.to_owned(),
        };
        self.open_evidence_rows(label, rows);
    }

    /// Whether the stack already is exactly "all events, then `what`" (or that is being made),
    /// so opening the same evidence again only shows it.
    pub(super) fn already_open(&mut self, what: &str) -> bool {
        let Some(s) = self.workspace() else {
            return false;
        };
        let pending = s
            .pending
            .as_ref()
            .is_some_and(|p| p.commit && p.query == what);
        let shown =
            s.preview.is_none() && s.views.len() == 2 && s.views[1].query.as_deref() == Some(what);
        if pending || shown {
            self.tab = Tab::Timeline;
            self.info(format!("already showing {}", text::fit(what, 50)));
        }
        pending || shown
    }

    /// Drops every filter and what is being typed, leaving all events.
    pub(super) fn reset_views(&mut self) {
        if let Some(s) = self.workspace_mut() {
            s.generation += 1;
            s.pending = None;
            s.preview = None;
            s.views.truncate(1);
        }
    }

    /// Evidence from a tab that counts the whole log: `query` over all events, replacing the
    /// filters (stacking it would show fewer events than the tab said).
    pub(super) fn open_evidence_query(&mut self, query: Query) {
        if self.already_open(query.text()) {
            return;
        }
        self.reset_views();
        self.tab = Tab::Timeline;
        self.submit_filter(query, true);
    }

    /// [`App::open_evidence_query`] for a filter built as a value.
    pub(super) fn open_evidence_filter(&mut self, filter: Filter) {
        match Query::new(filter) {
            Ok(q) => self.open_evidence_query(q),
            Err(e) => self.error(format!("cannot open the evidence: {e}")),
        }
    }

    /// Evidence as exact rows (a finding, a query bound to a window), replacing the filters.
    pub(super) fn open_evidence_rows(&mut self, label: String, rows: Vec<u32>) {
        if self.already_open(&label) {
            return;
        }
        self.reset_views();
        let Some(s) = self.workspace_mut() else {
            return;
        };
        let mut rows = rows;
        rows.sort_unstable();
        rows.dedup();
        let n = rows.len();
        let view = View::filtered(&s.inv, label.clone(), rows);
        s.views.push(view);
        s.timeline.nav.select(0, n);
        self.tab = Tab::Timeline;
        self.info(format!(
            "{}: {} event(s)",
            text::fit(&label, 40),
            text::thousands(n)
        ));
    }
}

fn short(p: &str) -> &str {
    text::short_principal(p)
}
